#!/usr/bin/env bash
# Makes sure the release build has room before cargo starts, so a small disk fails
# neither halfway through a 50-minute build nor with a bare "No space left on device".
#
# A clean `cargo test --release` of pipekit writes about 2.6 GB under target/ (measured
# 2026-11-27; it was 12 GB with line-table debug info), and $need_gb GB leaves a margin.
# When ./target does not exist yet and the disk holding the checkout has less room than
# that, target/ becomes a symlink into /dev/shm (tmpfs, backed by RAM) if the machine has
# the memory to spare: a CI machine often has far more RAM than free disk. Paths under
# target/ stay the same either way. PIPEKIT_BUILD_GB overrides the estimate.
set -euo pipefail
cd "$(dirname "$0")/.."
need_gb="${PIPEKIT_BUILD_GB:-5}"
# Memory left for rustc and the linker besides a tmpfs target (two jobs, datafusion).
build_mem_gb=6

free_gb() { df -Pk "$1" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'; }
mem_available_gb() { awk '/^MemAvailable:/ { printf "%d", $2 / 1048576 }' /proc/meminfo; }

disk=$(free_gb .)
echo "build-space: ${disk} GB free on $(df -P . | awk 'NR == 2 { print $6 }'), a clean build needs ~${need_gb} GB" >&2
if [ -e target ] || [ "$disk" -ge "$need_gb" ]; then
    exit 0
fi
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    shm=$(free_gb /dev/shm)
    mem=$(mem_available_gb)
    if [ "$shm" -ge "$need_gb" ] && [ "$mem" -ge $((need_gb + build_mem_gb)) ]; then
        dir=$(mktemp -d /dev/shm/pipekit-target.XXXXXX)
        ln -s "$dir" target
        echo "build-space: not enough disk; target/ -> $dir (tmpfs, ${shm} GB free, ${mem} GB RAM available)" >&2
        exit 0
    fi
fi
echo "build-space: warning: only ${disk} GB free for a build of ~${need_gb} GB and no tmpfs to spare; the build may fail with 'No space left on device'" >&2
