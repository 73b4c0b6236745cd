#!/usr/bin/env bash
# Builds the riscv64 sifive_u guest's initramfs for the spictl SPI tests: riscv64 busybox,
# the SPI controller and flash modules (spi-sifive; mtd and spi-nor for the kernel's own
# read-back through /dev/mtd0), spictl with the glibc pieces it links (if it is dynamic)
# and the given init script, which runs `busybox --install -s` itself.
# Usage: mkinitramfs.sh OUT.cpio.gz SPICTL_BINARY INIT_SCRIPT
set -euo pipefail
vm="${PIPEKIT_SPI_VM_DIR:-/var/cache/pipekit/spictl-vm}"
# The host has no cpio; hidctl's x86 busybox (scripts/deps.d/40-hidctl.sh) writes the archive.
host_bb="${PIPEKIT_VM_DIR:-/var/cache/pipekit/hidctl-vm}/busybox/bin/busybox"
out="$1" spictl="$2" init="$3"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"   # the guest's / (mktemp makes it 0700)
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules,lib/riscv64-linux-gnu}
cp "$vm/busybox/usr/bin/busybox" "$root/bin/busybox"
# Load order is the init script's: spi-sifive alone, then mtd before spi-nor.
cp "$vm"/modules/{spi-sifive,mtd,spi-nor}.ko "$root/lib/modules/"
# Not stripped here: the host's binutils only knows x86 (the release profile drops debuginfo).
cp "$spictl" "$root/bin/spictl"
# A glibc spictl: its loader where it asks for it, its libraries in Debian's multiarch
# directory, which the loader searches without an ld.so.cache. (readelf reads any ELF.)
interp=$(readelf -l "$spictl" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
if [ -n "$interp" ]; then
    cp "$vm/glibc/${interp##*/}" "$root$interp"
    for lib in $(readelf -d "$spictl" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
        cp "$vm/glibc/$lib" "$root/lib/riscv64-linux-gnu/"
    done
fi
cp "$init" "$root/init"
chmod +x "$root/init" "$root/bin/spictl"
(cd "$root" && find . | "$host_bb" cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
