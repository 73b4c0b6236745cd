# The record layer: pyarrow, Polars and DuckDB are the judges of format interop
# (tests/interop_*.rs) and the peers of the conversion benchmarks; the compressor command
# lines write the compressed inputs the tests read.
apt_install jq zstd lz4 bzip2 xz-utils
pip_install pyarrow duckdb polars
apt_install time
# man -l renders the installed pages in tests/install.rs
apt_install man-db groff-base
apt_install miller
# make test lints as it builds: rustfmt's check, and clippy's driver wrapping the build
# (rust-toolchain.toml names both components; a toolchain installed without them gets
# them here).
if command -v rustup >/dev/null 2>&1; then
    for c in clippy rustfmt; do
        rustup component list --toolchain 1.95.0 --installed | grep -q "^$c-" ||
            rustup component add "$c" --toolchain 1.95.0
    done
fi
