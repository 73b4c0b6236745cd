# pipekit: every tool in one binary, called by name through symlinks as busybox is.
set -euo pipefail
links="$DEMO_DIR/links"
mkdir -p "$links"
pipekit --install-links "$links"
# The same pipeline through the multicall binary: a simulated flash chip's id into etl.
"$links/spictl" flash id --device sim:w25q128 | pipekit etl select 'jedec, part, size_bytes' -o table
