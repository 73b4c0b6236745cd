#!/usr/bin/env bash
# The static (musl + mimalloc) dist binaries against the glibc release build, on the same
# data: etl convert NDJSON -> Parquet, an etl sql group-by, vidx add and vidx search.
#
#   make dist TARGETS=x86_64-unknown-linux-musl TOOLS="etl vidx" && bash bench/alloc.sh
#
# Prints a markdown table for BENCHMARKS.md; musl / glibc above 1.05 misses #17's goal.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
RUNS="${RUNS:-3}"
GLIBC=target/release
MUSL=dist/x86_64-unknown-linux-musl/bin
# has TOOL: both builds of TOOL exist; a missing one is named and makes the exit status 1.
missing=0
has() {
    local t
    for t in "$GLIBC/$1" "$MUSL/$1"; do
        if [ ! -x "$t" ]; then
            echo "alloc: $t is missing (cargo build --release; make dist TARGETS=x86_64-unknown-linux-musl TOOLS=$1)" >&2
            missing=1
            return 1
        fi
    done
}
events_ndjson 900000
VECS="$DATA/alloc-vectors.ndjson"
QUERIES="$DATA/alloc-queries.ndjson"
if [ ! -s "$VECS" ]; then
    python3 - "$VECS" "$QUERIES" <<'PY'
import json, random, sys
random.seed(11)
dim = 128
with open(sys.argv[1], "w") as f:
    for i in range(50000):
        f.write(json.dumps({"id": f"v{i}", "vector": [round(random.gauss(0, 1), 5) for _ in range(dim)]}) + "\n")
with open(sys.argv[2], "w") as f:
    for i in range(2000):
        f.write(json.dumps({"vector": [round(random.gauss(0, 1), 5) for _ in range(dim)]}) + "\n")
PY
fi
SQL="SELECT status, count(*) AS n, count(latency_ms) AS timed, avg(latency_ms) AS avg_ms FROM input GROUP BY status"
FUNCS="SELECT upper(split_part(path, '/', 2)) AS part, date_trunc('minute', ts) AS minute, count(*) AS n, max(length(user)) AS longest FROM input GROUP BY 1, 2 ORDER BY 2, 1 LIMIT 20"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# row NAME CMD_WITH_BIN: CMD with BIN replaced by each build's directory.
row() {
    local glibc musl
    glibc=$(best_of "${2//BIN/$GLIBC}")
    musl=$(best_of "${2//BIN/$MUSL}")
    printf '| %s | %s s | %s s | %s |\n' "$1" "$glibc" "$musl" "$(awk -v a="$musl" -v b="$glibc" 'BEGIN { printf "%.3f", a / b }')"
}

echo "| task | glibc release | musl dist (mimalloc) | musl / glibc |"
echo "|---|---:|---:|---:|"
if has etl; then
    row "etl convert NDJSON → Parquet (900k records)" "BIN/etl convert $SRC --out $tmp/out.parquet"
    row "etl sql group-by (900k records)" "BIN/etl sql '$SQL' $SRC -o ndjson"
    # String and date functions: built for size in the dist profile (Cargo.toml).
    row "etl sql string and date functions (900k records)" "BIN/etl sql \"$FUNCS\" $SRC -o ndjson"
fi
has vidx || exit 1
row "vidx add 50k × 128 (HNSW build)" "rm -rf $tmp/idx && BIN/vidx create $tmp/idx --dim 128 --metric cosine && BIN/vidx add $tmp/idx --id id --vector vector $VECS && BIN/vidx compact $tmp/idx"
rm -rf "$tmp/idx"
"$GLIBC/vidx" create "$tmp/idx" --dim 128 --metric cosine >/dev/null
"$GLIBC/vidx" add "$tmp/idx" --id id --vector vector "$VECS" >/dev/null
"$GLIBC/vidx" compact "$tmp/idx" >/dev/null
row "vidx search 2000 queries, k=10" "BIN/vidx search $tmp/idx --k 10 < $QUERIES"
exit "$missing"
