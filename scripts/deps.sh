#!/usr/bin/env bash
# Installs what pipekit's build, tests, demo and benchmarks need on Debian as root.
# Idempotent: each step checks before it installs. Tools add steps in scripts/deps.d/.
set -euo pipefail
cd "$(dirname "$0")/.."

# apt-get update at most once per run of this script, and only when something is missing.
export PIPEKIT_APT_UPDATED="${PIPEKIT_APT_UPDATED:-}"
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ -z "$PIPEKIT_APT_UPDATED" ]; then
        apt-get update -qq
        PIPEKIT_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
pip_install() {
    local missing=()
    for spec in "$@"; do
        python3 -c "import importlib.metadata as m; m.version('${spec%%[][=<>]*}')" >/dev/null 2>&1 || missing+=("$spec")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    python3 -m pip install --quiet --disable-pip-version-check "${missing[@]}"
}
export -f apt_install pip_install

for step in scripts/deps.d/*.sh; do
    # shellcheck source=/dev/null
    source "$step"
done
