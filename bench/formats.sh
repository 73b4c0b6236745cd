#!/usr/bin/env bash
# Compressed and columnar inputs from the real world: etl beside DuckDB, Polars and
# pyarrow on the same files, each at the machine's thread count, best of N runs.
#   gzip NDJSON -> Arrow IPC, zstd NDJSON -> Arrow IPC,
#   zstd Parquet -> NDJSON, NDJSON -> zstd Parquet.
# Prints each peer's time over etl's (above 1.0: etl is faster).
# Usage: bench/formats.sh [ROWS]   (run via `make bench`; needs `make deps` and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROWS="${1:-900000}"
RUNS="${RUNS:-3}"
events_ndjson "$ROWS"
[ -s "$SRC.gz" ] || gzip -6 -c "$SRC" > "$SRC.gz"
[ -s "$SRC.zst" ] || zstd -q -3 -c "$SRC" > "$SRC.zst"
ETL=target/release/etl
THREADS=$(nproc)
PQ="$DATA/events-$ROWS.zstd.parquet"
[ -s "$PQ" ] || python3 -c "
import pyarrow.json as pj, pyarrow.parquet as pq
pq.write_table(pj.read_json('$SRC'), '$PQ', compression='zstd')"

# peer TOOL TASK IN: the fastest run of one peer (bench/formats_peers.py).
peer() { echo "$1 $(best_of "python3 bench/formats_peers.py $1 $2 $3 $DATA/o.$2 $THREADS")"; }

to_arrow() {
    echo "etl $(best_of "$ETL convert $1 -o arrow > $DATA/o.arrows")"
    for tool in duckdb polars pyarrow; do peer $tool to-arrow "$1"; done
}

parquet_to_ndjson() {
    echo "etl $(best_of "$ETL convert $PQ -o ndjson > $DATA/o.ndjson")"
    for tool in duckdb polars; do peer $tool to-ndjson "$PQ"; done
}

ndjson_to_parquet() {
    echo "etl $(best_of "$ETL convert $SRC --out $DATA/o.parquet --compression zstd")"
    for tool in duckdb polars pyarrow; do peer $tool to-parquet "$SRC"; done
}

report() {
    python3 -c '
import sys
task, lines = sys.argv[1], [l.split() for l in sys.stdin.read().splitlines()]
times = {k: float(v) for k, v in lines}
etl = times.pop("etl")
best = min(times, key=times.get)
peers = ", ".join(f"{k} {v:.3f} s ({v / etl:.2f}x)" for k, v in times.items())
print(f"{task:34} etl {etl:.3f} s | {peers} | fastest peer / etl: {times[best] / etl:.2f}x")
' "$1"
}

echo "input: $ROWS rows, $(du -m "$SRC" | cut -f1) MB NDJSON ($(du -m "$SRC.gz" | cut -f1) MB gzip, $(du -m "$SRC.zst" | cut -f1) MB zstd); $THREADS threads; best of $RUNS"
to_arrow "$SRC.gz" gzip | report "gzip NDJSON -> Arrow IPC"
to_arrow "$SRC.zst" zstd | report "zstd NDJSON -> Arrow IPC"
parquet_to_ndjson | report "zstd Parquet -> NDJSON"
ndjson_to_parquet | report "NDJSON -> zstd Parquet"
