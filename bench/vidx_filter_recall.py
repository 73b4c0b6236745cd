#!/usr/bin/env python3
"""Filtered search quality and speed (#19 items 3 and 6): vidx `search --filter` at 1%,
10% and 50% selectivity beside FAISS HNSWFlat searched with an id selector (the same
admitted rows) and a brute-force baseline (numpy over the admitted rows only).

Usage: vidx_filter_recall.py DATA_DIR INDEX_DIR VIDX [--queries Q] [--efs 64,128] [--no-faiss]

DATA_DIR is what bench/vidx_filter.sh writes (base.ndjson: id d{i}, a 16-d vector,
lang, year, tag, title). Exact ground truth: the 10 nearest (L2) among the records the
filter admits. vidx is run through its CLI (queries piped in as NDJSON, hits out as
NDJSON), its rate taken from `--timing` (search only) and from the wall clock (the
whole pipe, filter evaluation included); FAISS (M 16, ef_construction 128, the same
ef) and numpy run one query at a time on one thread. Every vidx hit is checked to pass
the filter.
"""
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

K = 10
FILTERS = [
    ("1%", "tag = 't7'", lambda lang, year, tag: tag == 7),
    ("10%", "year >= 2026", lambda lang, year, tag: year >= 2026),
    ("50%", "lang IN ('en', 'de')", lambda lang, year, tag: lang <= 1),
]


def load(data):
    cache = f"{data}/filter_cols.npz"
    if os.path.exists(cache):
        z = np.load(cache)
        return z["vecs"], z["lang"], z["year"], z["tag"]
    vecs, lang, year, tag = [], [], [], []
    langs = {"en": 0, "de": 1, "fr": 2, "ja": 3}
    with open(f"{data}/base.ndjson") as f:
        for i, line in enumerate(f):
            r = json.loads(line)
            assert r["id"] == f"d{i}"
            vecs.append(r["vector"])
            lang.append(langs[r["lang"]])
            year.append(r["year"])
            tag.append(int(r["tag"][1:]))
    z = dict(vecs=np.array(vecs, dtype=np.float32), lang=np.array(lang), year=np.array(year), tag=np.array(tag))
    np.savez(cache, **z)
    return z["vecs"], z["lang"], z["year"], z["tag"]


def exact(base, rows, queries):
    sub = base[rows]
    norms = (sub * sub).sum(1)
    out = []
    for q in queries:
        d = norms - 2 * sub @ q
        top = np.argpartition(d, K)[:K]
        out.append(rows[top[np.argsort(d[top])]])
    return out


def main():
    args = sys.argv[1:]
    data, index, vidx = args[:3]
    nq = int(args[args.index("--queries") + 1]) if "--queries" in args else 200
    faiss_on = "--no-faiss" not in args
    efs = [int(e) for e in args[args.index("--efs") + 1].split(",")] if "--efs" in args else [64, 128]
    base, lang, year, tag = load(data)
    rng = np.random.default_rng(11)
    queries = (base[rng.choice(len(base), nq, replace=False)] + rng.normal(0, 0.5, (nq, base.shape[1]))).astype(np.float32)
    qfile = f"{data}/filter_queries.ndjson"
    with open(qfile, "w") as f:
        for i, q in enumerate(queries):
            f.write(json.dumps({"id": f"q{i}", "vector": [float(x) for x in q]}) + "\n")
    if faiss_on:
        import faiss
        faiss.omp_set_num_threads(1)
        t = time.perf_counter()
        fi = faiss.IndexHNSWFlat(base.shape[1], 16)
        fi.hnsw.efConstruction = 128
        fi.add(base)
        print(f"FAISS HNSWFlat build: {time.perf_counter() - t:.0f} s", file=sys.stderr)
    print("| filter | admitted | ef | vidx recall | vidx q/s (search) | vidx q/s (CLI) | FAISS recall | FAISS q/s | brute force q/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, sql, pred in FILTERS:
        mask = pred(lang, year, tag)
        rows = np.nonzero(mask)[0]
        t = time.perf_counter()
        truth = exact(base, rows, queries)
        brute = nq / (time.perf_counter() - t)
        for ef in efs:
            t = time.perf_counter()
            p = subprocess.run([vidx, "search", index, qfile, "--k", str(K), "--ef", str(ef), "--filter", sql, "--timing"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
            wall = time.perf_counter() - t
            search_s = float(re.search(r"in ([0-9.]+) s", p.stderr).group(1))
            got = {}
            for line in p.stdout.splitlines():
                h = json.loads(line)
                row = int(h["id"][1:])
                assert mask[row], f"{sql}: hit {h['id']} does not pass the filter"
                got.setdefault(h["query"], []).append(row)
            rec = np.mean([len(set(got.get(f"q{i}", [])) & set(truth[i].tolist())) / K for i in range(nq)])
            frec, fqps = "", ""
            if faiss_on:
                # The selector points into `bits`: it must outlive the searches.
                bits = np.packbits(mask, bitorder="little")
                selector = faiss.IDSelectorBitmap(len(base), faiss.swig_ptr(bits))
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
                t = time.perf_counter()
                found = [fi.search(q[None, :], K, params=params)[1][0] for q in queries]
                fqps = f"{nq / (time.perf_counter() - t):.0f}"
                frec = f"{np.mean([len(set(found[i].tolist()) & set(truth[i].tolist())) / K for i in range(nq)]):.3f}"
            print(f"| {label}: {sql} | {len(rows)} | {ef} | {rec:.3f} | {nq / search_s:.0f} | {nq / wall:.0f} | {frec} | {fqps} | {brute:.0f} |", flush=True)


main()
