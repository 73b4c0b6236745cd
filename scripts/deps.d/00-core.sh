# The record layer: pyarrow for interop tests, DuckDB and jq for the conversion benchmark.
apt_install jq
pip_install pyarrow duckdb
apt_install time
apt_install miller
