#!/usr/bin/env bash
# `etl plot` at scale (#23): 10,000,000 points (an Arrow IPC stream of x, y written by
# pyarrow) drawn as a line chart to PNG and to SVG, and as a histogram; wall time and
# peak RSS of each (goal: PNG under 2 s, under 200 MB). Usage: bench/plot.sh [POINTS]
set -euo pipefail
cd "$(dirname "$0")/.."
POINTS="${1:-10000000}"
ETL=target/release/etl
DATA=bench/data
mkdir -p "$DATA"
SRC="$DATA/points-$POINTS.arrows"
[ -s "$SRC" ] || python3 - "$POINTS" "$SRC" <<'PY'
import sys
import pyarrow as pa, pyarrow.compute as pc, pyarrow.ipc as ipc
n, path = int(sys.argv[1]), sys.argv[2]
x = pa.array(range(n), type=pa.int64())
xf = pc.cast(x, pa.float64())
# A slow sine with fast wiggles: what M4 downsampling must keep.
y = pc.add(pc.multiply(pc.sin(pc.divide(xf, 50000.0)), 100.0),
           pc.multiply(pc.sin(pc.multiply(xf, 12.9898)), 5.0))
t = pa.table({"x": x, "y": y})
with ipc.new_stream(open(path, "wb"), t.schema) as w:
    w.write_table(t, max_chunksize=65536)
PY
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "etl plot, $POINTS points ($(du -m "$SRC" | cut -f1) MB Arrow IPC), $(nproc) CPUs"
printf '%-34s %8s %10s\n' chart seconds "peak MB"
for c in "line PNG|--x x --y y --out $out/c.png" "line SVG|--x x --y y --out $out/c.svg" "hist PNG|--kind hist --y y --out $out/h.png"; do
    name=${c%%|*}; flags=${c#*|}
    r=$( { /usr/bin/time -f '%e %M' "$ETL" plot $flags "$SRC" >/dev/null; } 2>&1 | tail -1)
    printf '%-34s %8s %10.0f\n' "$name" "${r% *}" "$(echo "${r#* } / 1024" | bc -l)"
done
