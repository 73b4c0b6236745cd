#!/usr/bin/env bash
# Binary sizes and where their bytes go, for BENCHMARKS.md.
#
#   bash bench/sizes.sh [BINARY...]
#
# Default: every binary of the native release build (target/release) and of the dist
# builds (dist/*/bin). For each: its size as built, its size after `strip`, and the
# crates taking the most code (symbol sizes from `nm`, grouped by the first path segment
# of the demangled name, as cargo-bloat does; a stripped dist binary has no symbols, so
# its breakdown is read from the native build of the same tool).
set -euo pipefail
cd "$(dirname "$0")/.."
TOP="${TOP:-8}"

if [ $# -eq 0 ]; then
    for t in target/release/*; do
        [ -f "$t" ] && [ -x "$t" ] && [ -f "src/bin/$(basename "$t").rs" ] && set -- "$@" "$t"
    done
    for t in dist/*/bin/*; do [ -f "$t" ] && set -- "$@" "$t"; done
fi

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# crates BINARY: "crate MB, ..." for the TOP crates by symbol size.
crates() {
    nm --size-sort --print-size --demangle=rust "$1" 2>/dev/null | python3 -c '
import re, sys
top = int(sys.argv[1])
total = {}
for line in sys.stdin:
    f = line.split(None, 3)
    if len(f) < 4:
        continue
    name = f[3].strip().lstrip("<").lstrip("_<")
    crate = name.split("::", 1)[0].split(" as ")[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", crate) or "::" not in name:
        crate = "[C and other]"
    total[crate] = total.get(crate, 0) + int(f[1], 16)
best = sorted(total.items(), key=lambda kv: -kv[1])[:top]
print(", ".join(f"{c} {b / 1048576:.1f}" for c, b in best))
' "$TOP"
}

printf '| binary | as built (MB) | stripped (MB) | largest crates by code (MB) |\n|---|---|---|---|\n'
for bin in "$@"; do
    built=$(stat -c %s "$bin")
    tmp=$(mktemp)
    strip -o "$tmp" "$bin" 2>/dev/null || cp "$bin" "$tmp"
    stripped=$(stat -c %s "$tmp")
    rm -f "$tmp"
    symbols="$bin"
    if [ -z "$(nm "$bin" 2>/dev/null | head -1)" ]; then
        symbols="target/release/$(basename "$bin")"
    fi
    breakdown=""
    [ -f "$symbols" ] && breakdown=$(crates "$symbols")
    printf '| %s | %s | %s | %s |\n' "$bin" "$(mb "$built")" "$(mb "$stripped")" "$breakdown"
done
