# Shared by the bench scripts: `source bench/lib.sh`.

# time_of RUNS CMD: the fastest wall time of RUNS runs of the shell command CMD, in
# seconds (output discarded; a failing run stops the benchmark).
time_of() {
    python3 - "$1" "$2" <<'PY'
import subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2]
best = None
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = time.perf_counter() - t
    best = d if best is None else min(best, d)
print(f"{best:.3f}")
PY
}

# best_of CMD: time_of with $RUNS runs.
best_of() { time_of "$RUNS" "$1"; }

# events_ndjson ROWS: sets DATA (bench/data) and SRC, the generated web-log NDJSON file of
# ROWS records that the etl benchmarks share (written once, kept between runs).
events_ndjson() {
    DATA=bench/data
    mkdir -p "$DATA"
    SRC="$DATA/events-$1.ndjson"
    [ -s "$SRC" ] || python3 bench/gen_ndjson.py "$1" > "$SRC"
}

# duck NAME SQL [SUFFIX]: writes a DuckDB script that runs SQL (the table `input` is the
# NDJSON file $SRC, $THREADS threads), SUFFIX appended to the query (e.g. .fetchall()),
# and prints the command that runs it.
duck() {
    local script="$DATA/duck-$1.py"
    cat > "$script" <<PY
import duckdb
con = duckdb.connect()
con.sql("SET threads=$THREADS"); con.sql("SET enable_progress_bar=false")
con.sql("CREATE VIEW input AS SELECT * FROM read_json_auto('$SRC')")
con.sql("""$2""")${3:-}
PY
    echo "python3 $script"
}
