#!/usr/bin/env bash
# What a metadata filter costs vidx per command (#19 item 3): the same records in an
# index whose filters decode each record's JSON (segment format 2, written by an older
# vidx given as OLD_VIDX), one whose filters read typed columns (format 3), and one
# that also keeps orders of the filtered fields (--index-field). Each row: the wall
# time of `vidx search --k 10 --filter SQL` with one query (best of RUNS), which is
# nearly all filter evaluation, beside the same search without a filter; and the
# number of hits `vidx scan --filter SQL` returns, equal in all three.
#   bash bench/vidx_filter.sh                    (N=1000000, RUNS=5)
#   OLD_VIDX=/path/to/old/vidx bash bench/vidx_filter.sh
set -euo pipefail
cd "$(dirname "$0")/.."
vidx="$PWD/target/release/vidx"
[ -x "$vidx" ] || cargo build --release --no-default-features --features vidx
n="${N:-1000000}"
data="${VIDX_FILTER_DATA:-target/bench-vidx-filter}/$n-uncorrelated"
mkdir -p "$data"
if [ ! -f "$data/base.ndjson" ]; then
    python3 - "$data" "$n" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
centres = [[random.gauss(0, 3) for _ in range(16)] for _ in range(64)]
langs = ["en", "de", "fr", "ja"]
with open(out + "/base.ndjson", "w") as f:
    for i in range(n):
        c = centres[i % 64]
        f.write(json.dumps({
            "id": f"d{i}",
            "vector": [round(x + random.gauss(0, 1), 4) for x in c],
            # Drawn independently of the cluster: a filter keeps about its share of
            # every query's neighbourhood.
            "lang": random.choice(langs), "year": random.randrange(1990, 2030),
            "tag": f"t{random.randrange(100)}",
            "title": f"document {i} of {n}",
        }) + "\n")
with open(out + "/q.ndjson", "w") as f:
    f.write(json.dumps({"vector": [round(x, 4) for x in centres[5]]}) + "\n")
PY
fi
build() { # binary dir [create options]
    local bin=$1 dir=$2
    shift 2
    [ -f "$dir/MANIFEST" ] && return
    "$bin" create "$dir" --dim 16 --metric l2 "$@" >/dev/null
    "$bin" add "$dir" "$data/base.ndjson" --sync none >/dev/null
    "$bin" compact "$dir" >/dev/null
}
indexes=()
if [ -n "${OLD_VIDX:-}" ]; then
    build "$OLD_VIDX" "$data/json"
    indexes+=("json")
fi
build "$vidx" "$data/columns"
build "$vidx" "$data/indexed" --index-field lang,year,tag
indexes+=("columns" "indexed")
python3 - "$vidx" "$data" "${RUNS:-5}" "${indexes[@]}" <<'PY'
import subprocess, sys, time
vidx, data, runs, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
filters = [
    ("none", None),
    ("1%: tag = 't7'", "tag = 't7'"),
    ("10%: year >= 2026", "year >= 2026"),
    ("50%: lang IN ('en', 'de')", "lang IN ('en', 'de')"),
    ("1% AND unindexed: tag = 't7' AND title LIKE '%0 of%'", "tag = 't7' AND title LIKE '%0 of%'"),
    ("10%, unindexed: title LIKE '%3 of%'", "title LIKE '%3 of%'"),
]
def best(args):
    t = []
    for _ in range(runs):
        s = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, check=True)
        t.append(time.perf_counter() - s)
    return min(t)
print("| filter | " + " | ".join(f"{n} (s)" for n in names) + " | scan hits |")
print("|---|" + "---:|" * (len(names) + 1))
for label, sql in filters:
    cells, counts = [], set()
    for name in names:
        idx = f"{data}/{name}"
        args = [vidx, "search", idx, data + "/q.ndjson", "--k", "10"]
        if sql:
            args += ["--filter", sql]
        cells.append(f"{best(args):.3f}")
        if sql:
            out = subprocess.run([vidx, "scan", idx, "--filter", sql], stdout=subprocess.PIPE, check=True).stdout
            counts.add(out.count(b"\n"))
    assert len(counts) <= 1, f"{label}: scans disagree {counts}"
    print(f"| {label} | " + " | ".join(cells) + f" | {counts.pop() if counts else ''} |")
PY
