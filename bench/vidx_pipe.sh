#!/usr/bin/env bash
# vidx search through the CLI against its own search-only rate (#19 item 5): queries
# piped in as NDJSON, hits piped out as NDJSON, on 50,000 clustered 128-d records with
# three metadata fields and 5,000 queries. Prints both rates and their ratio.
#   bash bench/vidx_pipe.sh            (RUNS=3)
set -euo pipefail
cd "$(dirname "$0")/.."
vidx="$PWD/target/release/vidx"
[ -x "$vidx" ] || cargo build --release --no-default-features --features vidx
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
rm -rf "$data/idx"
"$vidx" create "$data/idx" --dim 128 --metric l2 >/dev/null
"$vidx" add "$data/idx" "$data/base.ndjson" --sync none >/dev/null
python3 - "$vidx" "$data" "${RUNS:-3}" <<'PY'
import re, subprocess, sys, time
vidx, data, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
walls, searches = [], []
for _ in range(runs):
    t = time.perf_counter()
    p = subprocess.run([vidx, "search", data + "/idx", data + "/q.ndjson", "--k", "10", "--timing"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True)
    walls.append(time.perf_counter() - t)
    searches.append(float(re.search(r"in ([0-9.]+) s", p.stderr).group(1)))
n = 5000
print(f"search only: {n / min(searches):.0f} queries/s; through the CLI (NDJSON in and out, "
      f"best of {runs}): {n / min(walls):.0f} queries/s; ratio {min(searches) / min(walls):.2f}")
PY
