#!/usr/bin/env bash
# make bench: every peer comparison in bench/, one after another.
set -euo pipefail
cd "$(dirname "$0")"
for b in convert.sh formats.sh query.sh netprobe.sh vidx.sh wasm.sh kafka.sh; do
    echo "== $b"
    bash "$b"
done
