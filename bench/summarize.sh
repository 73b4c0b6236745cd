#!/usr/bin/env bash
# `etl summarize` beside DuckDB's SUMMARIZE (same thread count) and Miller's summary on
# the 900k-record benchmark file: best-of-$RUNS wall time and peak RSS, then the
# comparison of tests/interop/summarize_duckdb.py on that file (rows, nulls, min, max,
# mean equal; quantiles within 1% rank error; distinct exact or within 3%).
# Usage: bench/summarize.sh [ROWS]   (needs `make deps` and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROWS="${1:-900000}"
RUNS="${RUNS:-3}"
events_ndjson "$ROWS"
ETL=target/release/etl
THREADS=$(nproc)
DUCK=$(duck summarize "SUMMARIZE input" .fetchall\(\))

# rss CMD: peak resident set of one run, in MB.
rss() { /usr/bin/time -f %M bash -c "$1" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1 / 1024}'; }

etl_t=$(time_of "$RUNS" "$ETL summarize $SRC -o ndjson")
duck_t=$(time_of "$RUNS" "$DUCK")
mlr_t=$(time_of 1 "mlr --ijsonl --ojson summary $SRC")
etl_m=$(rss "$ETL summarize $SRC -o ndjson")
duck_m=$(rss "$DUCK")
mlr_m=$(rss "mlr --ijsonl --ojson summary $SRC")
echo "summarize $ROWS records ($(du -m "$SRC" | cut -f1) MB NDJSON), $THREADS threads, best of $RUNS"
printf '%-28s %8s %8s %10s\n' tool seconds "etl ×" "peak MB"
printf '%-28s %8s %8s %10s\n' "etl summarize" "$etl_t" 1.00 "$etl_m"
printf '%-28s %8s %8.2f %10s\n' "DuckDB SUMMARIZE" "$duck_t" "$(echo "$duck_t / $etl_t" | bc -l)" "$duck_m"
printf '%-28s %8s %8.2f %10s\n' "Miller summary (1 run)" "$mlr_t" "$(echo "$mlr_t / $etl_t" | bc -l)" "$mlr_m"
echo "etl summarize against DuckDB on the same file:"
python3 tests/interop/summarize_duckdb.py "$ETL" "$SRC"
