# wasm-build: the wasm32-wasip1 standard library for the pinned toolchain (the tests build
# the example crates with it; `wasm-build build` would also add it itself), Chromium for
# the headless browser test of `wasm-build web`, and hyperfine for bench/wasm.sh.
if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed --toolchain 1.95.0 2>/dev/null | grep -qx wasm32-wasip1 ||
        rustup target add wasm32-wasip1 --toolchain 1.95.0
fi
apt_install chromium hyperfine
