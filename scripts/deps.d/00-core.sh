# The record layer: pyarrow, Polars and DuckDB are the judges of format interop
# (tests/interop_*.rs) and the peers of the conversion benchmarks; the compressor command
# lines write the compressed inputs the tests read.
apt_install jq zstd lz4 bzip2 xz-utils
pip_install pyarrow duckdb polars
apt_install time
# man -l renders the installed pages in tests/install.rs
apt_install man-db groff-base
apt_install miller
