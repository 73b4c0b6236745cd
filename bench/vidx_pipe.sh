#!/usr/bin/env bash
# vidx through the CLI against its own rates (#19 item 5), on 50,000 clustered 128-d
# records with three metadata fields and 5,000 queries: `vidx add` (NDJSON piped in)
# against its indexing rate (graphs and segments), and `vidx search` (queries piped in
# as NDJSON, hits piped out as NDJSON) against its search-only rate, both as the
# commands' --timing reports them. Prints the rates and their ratios.
#   bash bench/vidx_pipe.sh            (RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
vidx="$PWD/target/release/vidx"
[ -x "$vidx" ] || cargo build --release --locked
data="${VIDX_PIPE_DATA:-target/bench-vidx-pipe}"
mkdir -p "$data"
if [ ! -f "$data/q.ndjson" ]; then
    python3 - "$data" <<'PY'
import json, random, sys
random.seed(3)
centres = [[random.gauss(0, 3) for _ in range(128)] for _ in range(100)]
def write(path, n, prefix, meta):
    with open(path, "w") as f:
        for i in range(n):
            c = centres[random.randrange(100)]
            r = {"id": f"{prefix}{i}", "vector": [round(x + random.gauss(0, 1), 5) for x in c]}
            if meta:
                r.update({"lang": ["en", "de", "fr"][i % 3], "year": 2000 + i % 25,
                          "title": f"document number {i}"})
            f.write(json.dumps(r) + "\n")
write(sys.argv[1] + "/base.ndjson", 50000, "d", True)
write(sys.argv[1] + "/q.ndjson", 5000, "q", False)
PY
fi
python3 - "$vidx" "$data" "${RUNS:-3}" <<'PY'
import re, shutil, subprocess, sys, time
vidx, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def best(cmd, stdin, rate):
    """Best wall time over the runs (records piped in, output piped out), and the best
    time the command itself reports with --timing."""
    walls, inner = [], []
    for _ in range(runs):
        if cmd[1] == "add":
            shutil.rmtree(data + "/idx", ignore_errors=True)
            subprocess.run([vidx, "create", data + "/idx", "--dim", "128", "--metric", "l2"],
                           stdout=subprocess.DEVNULL, check=True)
        with open(stdin, "rb") as f:
            t = time.perf_counter()
            p = subprocess.run(cmd + ["--timing"], stdin=f, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, check=True)
        walls.append(time.perf_counter() - t)
        inner.append(float(re.search(rate, p.stderr).group(1)))
    return min(walls), min(inner)
wall, inner = best([vidx, "add", data + "/idx", "--sync", "none"], data + "/base.ndjson",
                   r"took ([0-9.]+) s")
n = 50000
print(f"add: indexing only {n / inner:.0f} records/s; through the CLI (NDJSON in, best of "
      f"{runs}): {n / wall:.0f} records/s; ratio {inner / wall:.2f}")
wall, inner = best([vidx, "search", data + "/idx", "--k", "10"], data + "/q.ndjson",
                   r"in ([0-9.]+) s")
n = 5000
print(f"search: search only {n / inner:.0f} queries/s; through the CLI (NDJSON in and "
      f"out, best of {runs}): {n / wall:.0f} queries/s; ratio {inner / wall:.2f}")
PY
