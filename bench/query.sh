#!/usr/bin/env bash
# etl's query commands side by side with DuckDB (same thread count), Miller and jq on the
# same NDJSON file: a group-by (count, count of non-null, average), a substring filter
# writing the matching records as NDJSON, and NDJSON -> Parquet. Best of $RUNS runs for
# etl and DuckDB, one run for Miller and jq (they take tens of seconds). Prints ratios.
# Usage: bench/query.sh [ROWS]   (run via `make bench`; needs `make deps` and a release build)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROWS="${1:-900000}"
RUNS="${RUNS:-3}"
events_ndjson "$ROWS"
command -v mlr >/dev/null || { echo "bench/query.sh: Miller (mlr) is missing: run make deps" >&2; exit 1; }
ETL=target/release/etl
THREADS=$(nproc)

GROUP_SQL="SELECT status, count(*) AS n, count(latency_ms) AS timed, avg(latency_ms) AS avg_ms FROM input GROUP BY status"
etl_group=$(time_of "$RUNS" "$ETL sql '$GROUP_SQL' $SRC -o ndjson")
agg_group=$(time_of "$RUNS" "$ETL agg --by status --agg 'count(*), count(latency_ms), avg(latency_ms)' $SRC -o ndjson")
duck_group=$(time_of "$RUNS" "$(duck group "$GROUP_SQL" .fetchall\(\))")
mlr_group=$(time_of 1 "mlr --ijsonl --ojsonl stats1 -a count,mean -f latency_ms -g status $SRC")
jq_group=$(time_of 1 "jq -cn 'reduce inputs as \$r ({}; (\$r.status|tostring) as \$k | .[\$k].n += 1 | if \$r.latency_ms != null then .[\$k].timed += 1 | .[\$k].sum += \$r.latency_ms else . end) | to_entries | map({status: .key, n: .value.n, timed: .value.timed, avg_ms: (.value.sum / .value.timed)})' $SRC")

etl_filter=$(time_of "$RUNS" "$ETL filter \"path LIKE '%items%'\" $SRC -o ndjson")
duck_filter=$(time_of "$RUNS" "$(duck filter "COPY (SELECT * FROM input WHERE path LIKE '%items%') TO '/dev/stdout' (FORMAT json)")")
mlr_filter=$(time_of 1 "mlr --ijsonl --ojsonl filter '\$path =~ \"items\"' $SRC")
jq_filter=$(time_of 1 "jq -c 'select(.path | contains(\"items\"))' $SRC")

etl_pq=$(time_of "$RUNS" "$ETL convert $SRC --out $DATA/q-etl.parquet")
duck_pq=$(time_of "$RUNS" "$(duck parquet "COPY (SELECT * FROM input) TO '$DATA/q-duck.parquet' (FORMAT parquet, COMPRESSION snappy)")")

python3 - "$ROWS" "$THREADS" "$etl_group" "$agg_group" "$duck_group" "$mlr_group" "$jq_group" \
    "$etl_filter" "$duck_filter" "$mlr_filter" "$jq_filter" "$etl_pq" "$duck_pq" <<'PY'
import sys
rows, threads = sys.argv[1], sys.argv[2]
eg, ag, dg, mg, jg, ef, df, mf, jf, ep, dp = map(float, sys.argv[3:14])
print(f"input: {rows} rows; {threads} threads for etl and DuckDB; best of runs")
print(f"{'task':34} {'etl s':>7} {'duckdb s':>9} {'duck/etl':>9} {'mlr s':>7} {'mlr/etl':>8} {'jq s':>7} {'jq/etl':>7}")
for task, e, d, m, j in [("group-by (etl sql)", eg, dg, mg, jg), ("group-by (etl agg)", ag, dg, mg, jg),
                         ("substring filter -> NDJSON", ef, df, mf, jf)]:
    print(f"{task:34} {e:7.3f} {d:9.3f} {d / e:8.2f}x {m:7.2f} {m / e:7.1f}x {j:7.2f} {j / e:6.1f}x")
print(f"{'NDJSON -> Parquet':34} {ep:7.3f} {dp:9.3f} {dp / ep:8.2f}x")
PY
