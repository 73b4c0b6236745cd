#!/usr/bin/env bash
# make demo: one real pipeline per tool, on embedded defaults. Tools add stages in scripts/demo.d/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/target/release:$PATH"
export DEMO_DIR="${DEMO_DIR:-$(mktemp -d)}"
for stage in scripts/demo.d/*.sh; do
    echo "== $(basename "$stage" .sh)"
    bash "$stage"
done
