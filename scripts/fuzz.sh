#!/usr/bin/env bash
# `make fuzz`: every cargo-fuzz target (fuzz/), libFuzzer with AddressSanitizer, for
# FUZZ_SECONDS each (default 600), starting from the committed corpus.
#
#   make fuzz                                   # all targets, 10 minutes each
#   make fuzz FUZZ_SECONDS=60 FUZZ_TARGETS="records csv"
#   make fuzz FUZZ_FEATURES=devices             # only the record layer and device tools
#
# The product stays on the pinned stable compiler: cargo-fuzz's -Z flags (sanitizer,
# coverage) are accepted from it with RUSTC_BOOTSTRAP=1, for this build only. New
# inputs go to fuzz/work/TARGET (not committed); a crash is saved in
# fuzz/artifacts/TARGET, and becomes a regression test by moving it into
# fuzz/corpus/TARGET, which `make test` replays. Prints one markdown row per target
# for RELIABILITY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH="${FUZZ_SECONDS:-600}"
FEATURES="${FUZZ_FEATURES:-devices vidx wasm}"
ALL="ndjson_direct records csv json_array hid_descriptor hid_bridge spi_regmap wasm_audit vidx_segment vidx_wal vidx_manifest"
TARGETS="${FUZZ_TARGETS:-$ALL}"

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz --version 0.13.2
fi
export RUSTC_BOOTSTRAP=1

# Which feature a target needs (none: the record layer).
feature_of() {
    case "$1" in
        hid_*|spi_*) echo devices ;;
        wasm_*) echo wasm ;;
        vidx_*) echo vidx ;;
        *) echo "" ;;
    esac
}

FEATURE_ARGS=(--no-default-features --features "${FEATURES// /,}")
cargo fuzz build --fuzz-dir fuzz -O -a "${FEATURE_ARGS[@]}"

status=0
echo "| target | seconds | runs | corpus | result |"
echo "|---|---:|---:|---:|---|"
for t in $TARGETS; do
    need=$(feature_of "$t")
    if [ -n "$need" ] && [[ " $FEATURES " != *" $need "* ]]; then
        continue
    fi
    mkdir -p "fuzz/work/$t" "fuzz/artifacts/$t"
    log="fuzz/work/$t.log"
    result=ok
    cargo fuzz run --fuzz-dir fuzz -O -a "${FEATURE_ARGS[@]}" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        >"$log" 2>&1 || { result="FAILED: see $log and fuzz/artifacts/$t"; status=1; }
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    corpus=$(find "fuzz/work/$t" -type f | wc -l)
    echo "| $t | $SECONDS_EACH | ${runs:-?} | $corpus | $result |"
done
exit $status
