#!/usr/bin/env bash
# Compressed and columnar inputs from the real world: etl beside DuckDB, Polars and
# pyarrow on the same files, each at the machine's thread count, best of N runs.
#   gzip NDJSON -> Arrow IPC, zstd NDJSON -> Arrow IPC,
#   zstd Parquet -> NDJSON, NDJSON -> zstd Parquet.
# Prints each peer's time over etl's (above 1.0: etl is faster).
# Usage: bench/formats.sh [ROWS]   (run via `make bench`; needs `make deps` and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-900000}"
RUNS="${RUNS:-3}"
DATA=bench/data
mkdir -p "$DATA"
SRC="$DATA/events-$ROWS.ndjson"
[ -s "$SRC" ] || python3 bench/gen_ndjson.py "$ROWS" > "$SRC"
[ -s "$SRC.gz" ] || gzip -6 -c "$SRC" > "$SRC.gz"
[ -s "$SRC.zst" ] || zstd -q -3 -c "$SRC" > "$SRC.zst"
ETL=target/release/etl
THREADS=$(nproc)
PQ="$DATA/events-$ROWS.zstd.parquet"
[ -s "$PQ" ] || python3 -c "
import pyarrow.json as pj, pyarrow.parquet as pq
pq.write_table(pj.read_json('$SRC'), '$PQ', compression='zstd')"

source bench/lib.sh

py() { printf 'python3 -c "%s"' "$1"; }
DUCK_INIT="import duckdb; duckdb.sql('SET threads=$THREADS'); duckdb.sql('SET enable_progress_bar=false')"
POLARS_INIT="import os; os.environ['POLARS_MAX_THREADS']='$THREADS'; import polars as pl"

# NDJSON (compressed) -> Arrow IPC stream
to_arrow() {
    local in=$1 comp=$2
    echo "etl $(best_of "$ETL convert $in -o arrow > $DATA/o.arrows")"
    echo "duckdb $(best_of "$(py "$DUCK_INIT
import pyarrow.ipc as ipc
t = duckdb.sql(\"SELECT * FROM read_json_auto('$in')\").arrow()
t = t.read_all() if hasattr(t, 'read_all') else t
w = ipc.new_stream('$DATA/o.arrows', t.schema); w.write_table(t); w.close()")")"
    echo "polars $(best_of "$(py "$POLARS_INIT
import pyarrow as pa
df = pl.read_ndjson(pa.input_stream('$in', compression='$comp').read())
df.write_ipc_stream('$DATA/o.arrows')")")"
    echo "pyarrow $(best_of "$(py "import pyarrow as pa, pyarrow.json as pj, pyarrow.ipc as ipc
t = pj.read_json(pa.input_stream('$in', compression='$comp'))
w = ipc.new_stream('$DATA/o.arrows', t.schema); w.write_table(t); w.close()")")"
}

parquet_to_ndjson() {
    echo "etl $(best_of "$ETL convert $PQ -o ndjson > $DATA/o.ndjson")"
    echo "duckdb $(best_of "$(py "$DUCK_INIT
duckdb.sql(\"COPY (SELECT * FROM read_parquet('$PQ')) TO '$DATA/o.ndjson' (FORMAT json)\")")")"
    echo "polars $(best_of "$(py "$POLARS_INIT
pl.read_parquet('$PQ').write_ndjson('$DATA/o.ndjson')")")"
}

ndjson_to_parquet() {
    echo "etl $(best_of "$ETL convert $SRC --out $DATA/o.parquet --compression zstd")"
    echo "duckdb $(best_of "$(py "$DUCK_INIT
duckdb.sql(\"COPY (SELECT * FROM read_json_auto('$SRC')) TO '$DATA/o.parquet' (FORMAT parquet, COMPRESSION zstd)\")")")"
    echo "polars $(best_of "$(py "$POLARS_INIT
pl.read_ndjson('$SRC').write_parquet('$DATA/o.parquet', compression='zstd')")")"
    echo "pyarrow $(best_of "$(py "import pyarrow.json as pj, pyarrow.parquet as pq
pq.write_table(pj.read_json('$SRC'), '$DATA/o.parquet', compression='zstd')")")"
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
