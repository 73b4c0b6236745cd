#!/usr/bin/env bash
# NDJSON -> Arrow IPC and NDJSON -> Parquet: etl side by side with pyarrow and DuckDB on
# the same file, each at the machine's thread count, best of N runs; prints ratios.
# Usage: bench/convert.sh [ROWS]   (run via `make bench`; needs `make deps` and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROWS="${1:-900000}"
RUNS="${RUNS:-3}"
events_ndjson "$ROWS"
ETL=target/release/etl
THREADS=$(nproc)
size_mb=$(python3 -c "import os,sys; print(round(os.path.getsize(sys.argv[1])/1e6,1))" "$SRC")

PYARROW_ARROW="python3 -c \"
import pyarrow.json as pj, pyarrow.ipc as ipc
t = pj.read_json('$SRC')
with ipc.new_stream('$DATA/pa.arrows', t.schema) as w: w.write_table(t)\""
PYARROW_PARQUET="python3 -c \"
import pyarrow.json as pj, pyarrow.parquet as pq
pq.write_table(pj.read_json('$SRC'), '$DATA/pa.parquet', compression='snappy')\""
DUCK_PARQUET="python3 -c \"
import duckdb
duckdb.sql(\\\"SET threads=$THREADS\\\"); duckdb.sql(\\\"SET enable_progress_bar=false\\\")
duckdb.sql(\\\"COPY (SELECT * FROM read_json_auto('$SRC')) TO '$DATA/duck.parquet' (FORMAT parquet, COMPRESSION snappy)\\\")\""

etl_arrow=$(best_of "$ETL convert $SRC -o arrow > $DATA/etl.arrows")
pa_arrow=$(best_of "$PYARROW_ARROW")
etl_pq=$(best_of "$ETL convert $SRC --out $DATA/etl.parquet")
pa_pq=$(best_of "$PYARROW_PARQUET")
duck_pq=$(best_of "$DUCK_PARQUET")
peak_kb=$( { /usr/bin/env time -f %M "$ETL" convert "$SRC" -o arrow > /dev/null; } 2>&1 | tail -1 )

python3 - "$ROWS" "$size_mb" "$THREADS" "$etl_arrow" "$pa_arrow" "$etl_pq" "$pa_pq" "$duck_pq" "$peak_kb" <<'PY'
import sys
rows, mb, threads = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
ea, pa, ep, pp, dp, peak = map(float, sys.argv[4:10])
print(f"input: {rows} rows, {mb} MB NDJSON; {threads} threads; best of runs")
print(f"{'task':28} {'etl s':>8} {'peer':>10} {'peer s':>8} {'peer/etl':>9}")
for task, e, peer, p in [("NDJSON -> Arrow IPC", ea, "pyarrow", pa),
                         ("NDJSON -> Parquet", ep, "pyarrow", pp),
                         ("NDJSON -> Parquet", ep, "duckdb", dp)]:
    print(f"{task:28} {e:8.3f} {peer:>10} {p:8.3f} {p / e:8.2f}x")
print(f"etl throughput NDJSON -> Arrow: {mb / ea:.0f} MB/s, {rows / ea / 1e6:.2f} M rows/s; peak RSS {peak / 1024:.0f} MB")
PY
