#!/usr/bin/env bash
# Installs pipekit's binaries, man pages and shell completions under a prefix.
#
#   install.sh build BINDIR [TOOL...]   binaries from a cargo build (make install); man
#                                       pages and completions from this checkout; no
#                                       TOOL: every tool built, but not the multicall
#                                       binary pipekit (name it to install it)
#   install.sh dist TARGET              from dist/pipekit-VERSION-TARGET.tar.gz (make
#                                       install-dist), its SHA256SUMS checked first
#
# PREFIX (default /usr/local) and DESTDIR (staged installs, as packagers use it) come from
# the environment. Completions go where bash-completion, zsh and fish look for vendor
# files under the prefix.
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${PREFIX:-/usr/local}"
root="${DESTDIR:-}$PREFIX"
die() { echo "install: $*" >&2; exit 1; }

# install_from BINDIR DOCDIR TOOL...: DOCDIR holds man/ and completions/.
install_from() {
    local bindir="$1" docdir="$2"
    shift 2
    [ $# -gt 0 ] || die "no tools to install from $bindir"
    for tool in "$@"; do
        [ -x "$bindir/$tool" ] || die "$bindir/$tool: no such binary; build it first (make build or make dist)"
        [ -f "$docdir/man/$tool.1" ] || die "$docdir/man/$tool.1: missing man page; run make man"
        install -Dm755 "$bindir/$tool" "$root/bin/$tool"
        install -Dm644 "$docdir/man/$tool.1" "$root/share/man/man1/$tool.1"
        install -Dm644 "$docdir/completions/$tool.bash" "$root/share/bash-completion/completions/$tool"
        install -Dm644 "$docdir/completions/_$tool" "$root/share/zsh/vendor-completions/_$tool"
        install -Dm644 "$docdir/completions/$tool.fish" "$root/share/fish/vendor_completions.d/$tool.fish"
        echo "$root/bin/$tool"
    done
}

case "${1:-}" in
    build)
        [ $# -ge 2 ] || die "usage: install.sh build BINDIR [TOOL...]"
        bindir="$2"
        shift 2
        if [ $# -eq 0 ]; then
            # Every tool this build has: a binary named after a src/bin/ entry. The
            # multicall binary repeats them all, so it is installed only when named.
            for src in src/bin/*.rs; do
                tool=$(basename "$src" .rs)
                [ "$tool" != pipekit ] && [ -x "$bindir/$tool" ] && set -- "$@" "$tool"
            done
        fi
        install_from "$bindir" . "$@"
        ;;
    dist)
        [ $# -eq 2 ] || die "usage: install.sh dist TARGET (for example aarch64-unknown-linux-musl)"
        version=$(awk -F'"' '/^version =/ { print $2; exit }' Cargo.toml)
        tarball="dist/pipekit-$version-$2.tar.gz"
        [ -f "$tarball" ] || die "$tarball: not built; run make dist TARGETS=$2"
        tmp=$(mktemp -d)
        trap 'rm -rf "$tmp"' EXIT
        tar -xzf "$tarball" -C "$tmp"
        unpacked="$tmp/pipekit-$version-$2"
        (cd "$unpacked" && sha256sum --quiet -c SHA256SUMS) \
            || die "$tarball: a file does not match its SHA256SUMS; rebuild it with make dist"
        set --
        for bin in "$unpacked"/bin/*; do set -- "$@" "$(basename "$bin")"; done
        install_from "$unpacked/bin" "$unpacked" "$@"
        ;;
    *) die "usage: install.sh build BINDIR [TOOL...] | install.sh dist TARGET" ;;
esac
