#!/usr/bin/env bash
# Miri over the unsafe code that runs without a device or a file (miri/Cargo.toml says
# which modules): their unit tests, interpreted, with every out-of-bounds, misaligned,
# uninitialised or dangling access an error. AVX2 and FMA are enabled, so the kernels
# picked at run time are the SIMD ones (Miri emulates their intrinsics), and the tests
# compare each with the portable kernel, which runs too.
# `make deps` installs the toolchain (scripts/deps.d/85-miri.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="$PWD/target/miri"
miri() { cargo +nightly miri test --manifest-path miri/Cargo.toml --locked -q "$@"; }
RUSTFLAGS="-C target-feature=+avx2,+fma" miri
