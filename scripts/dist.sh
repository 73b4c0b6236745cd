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
        etl) echo "etl,kafka,vendored-openssl" ;;
        # The multicall binary: every tool in one (pipekit TOOL ..., or symlinks).
        pipekit) echo "etl,kafka,vendored-openssl,vidx,spictl,hidctl,netprobe,wasm-build" ;;
        *) echo "$1" ;;
    esac
}

# The device tools are built for size (profile dist-small in Cargo.toml), the rest for speed.
profile_of() {
    case "$1" in
        spictl | hidctl) echo dist-small ;;
        *) echo dist ;;
    esac
}

# Only netprobe (clang, bpftool: its eBPF program) and etl's Kafka (cmake: librdkafka)
# need those tools. Every other tool is built with them absent from PATH, so each dist
# build also shows that the tool builds on a machine without them.
needs_c_toolchain() {
    case "$1" in
        etl | netprobe | pipekit) return 0 ;;
        *) return 1 ;;
    esac
}

# A directory of links to every command on PATH except clang, cmake, bpftool and llc.
bare_path() {
    local dir="$PWD/target/dist-bare-path" d f name
    rm -rf "$dir"
    mkdir -p "$dir"
    IFS=: read -ra dirs <<<"$PATH"
    for d in "${dirs[@]}"; do
        for f in "$d"/*; do
            name="${f##*/}"
            case "$name" in clang* | cmake* | ccmake* | bpftool* | llc*) continue ;; esac
            [ -x "$f" ] && [ ! -e "$dir/$name" ] && ln -s "$f" "$dir/$name"
        done
    done
    echo "$dir"
}

command -v cargo-zigbuild >/dev/null || { echo "dist: cargo-zigbuild is missing: run make deps" >&2; exit 1; }

# librdkafka 2.12.1 includes curl/curl.h even when built without curl (its cmake config
# defines WITH_OAUTHBEARER_OIDC as 0 and one file tests it with #ifdef); no curl function
# is used. The native build finds Debian's headers (libcurl4-openssl-dev, installed by
# scripts/deps.d/45-kafka.sh) in the multiarch include directory, which a cross compiler
# does not search: give it that one directory, headers only.
curl_headers="/usr/include/$(gcc -dumpmachine)/curl"
[ -f "$curl_headers/curl.h" ] || { echo "dist: $curl_headers/curl.h is missing: run make deps" >&2; exit 1; }
mkdir -p target/dist-include
ln -sfn "$curl_headers" target/dist-include/curl
bare=$(bare_path)
# No unwind tables: the dist profiles abort on panic, so nothing unwinds, and their
# symbols are stripped, so a backtrace could not name a frame either. The panic message
# is still printed. (-2% on the device tools: the precompiled standard library keeps
# its own tables.)
# (RUSTFLAGS with --target reaches only the target's crates, not build scripts.)
NO_UNWIND_RUST="-C force-unwind-tables=no"
NO_UNWIND_C="-fno-asynchronous-unwind-tables -fno-unwind-tables"
for target in $TARGETS; do
    out="dist/$target"
    rm -rf "$out"
    mkdir -p "$out/bin"
    for tool in $TOOLS; do
        echo "dist: $tool for $target" >&2
        # The dist profiles (Cargo.toml): fat LTO, one codegen unit, abort on panic, stripped.
        profile=$(profile_of "$tool")
        path="$PATH"
        needs_c_toolchain "$tool" || path="$bare"
        # What each build costs is part of the build's budget (BENCHMARKS.md).
        /usr/bin/time -f "dist: $tool for $target built in %e s wall, %U + %S CPU-s, %M KB peak" \
            env PATH="$path" "CFLAGS_${target//-/_}=-I$PWD/target/dist-include $NO_UNWIND_C" \
            RUSTFLAGS="$NO_UNWIND_RUST" \
            cargo zigbuild --profile "$profile" --locked --target "$target" \
            --no-default-features --features "$(features_of "$tool")" --bin "$tool"
        cp "target/$target/$profile/$tool" "$out/bin/$tool"
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
