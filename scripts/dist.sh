#!/usr/bin/env bash
# make dist: one statically linked binary per tool, each built with only its own
# features, for every target in TARGETS (musl: static, no runtime dependencies), packed
# as dist/pipekit-VERSION-TARGET.tar.gz (bin/, man/, completions/, README.md, SHA256SUMS)
# and left unpacked at dist/TARGET/bin/TOOL.
#
# Cross C compilation (librdkafka, zstd, xz, mimalloc) goes through zig (PyPI `ziglang`)
# driven by cargo-zigbuild (PyPI), both installed by `make deps` (scripts/deps.d/80-dist.sh).
#   TARGETS="x86_64-unknown-linux-musl aarch64-unknown-linux-musl"  TOOLS="etl spictl ..."
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS="${TARGETS:-x86_64-unknown-linux-musl aarch64-unknown-linux-musl}"
TOOLS="${TOOLS:-etl spictl hidctl vidx netprobe wasm-build}"
VERSION=$(awk -F'"' '/^version =/ { print $2; exit }' Cargo.toml)

# The features each tool is built with: its own and what it needs, nothing else.
features_of() {
    case "$1" in
        etl) echo "etl,kafka" ;;
        *) echo "$1" ;;
    esac
}

command -v cargo-zigbuild >/dev/null || { echo "dist: cargo-zigbuild is missing: run make deps" >&2; exit 1; }
for target in $TARGETS; do
    out="dist/$target"
    rm -rf "$out"
    mkdir -p "$out/bin"
    for tool in $TOOLS; do
        echo "dist: $tool for $target" >&2
        # Symbols stripped, one codegen unit per crate left as the release profile has it.
        CARGO_PROFILE_RELEASE_STRIP=symbols \
            cargo zigbuild --release --locked --target "$target" \
            --no-default-features --features "$(features_of "$tool")" --bin "$tool"
        cp "target/$target/release/$tool" "$out/bin/$tool"
    done
    mkdir -p "$out/man" "$out/completions"
    for tool in $TOOLS; do
        cp "man/$tool.1" "$out/man/"
        cp "completions/$tool.bash" "completions/_$tool" "completions/$tool.fish" "$out/completions/"
    done
    cp README.md "$out/"
    (cd "$out" && find bin man completions README.md -type f | sort | xargs sha256sum > SHA256SUMS)
    tar -czf "dist/pipekit-$VERSION-$target.tar.gz" -C dist --transform "s,^$target,pipekit-$VERSION-$target," "$target"
    echo "dist/pipekit-$VERSION-$target.tar.gz" >&2
done
