#!/usr/bin/env bash
# Builds the QEMU guest's initramfs for tests/hidctl_qemu.rs: busybox, the kernel
# modules for xhci/usbhid/hid-generic/uhid, evdev (hid-replay waits for event nodes) and virtio 9p, the given (dynamically linked) binaries with
# the shared libraries ldd names, the guest script init.sh and the files in files/.
# Usage: mkinitramfs.sh OUT.cpio.gz BINARY...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vm="${PIPEKIT_VM_DIR:-/var/cache/pipekit/hidctl-vm}"
out="$1"; shift
kver="$(ls "$vm/kernel/lib/modules")"
mods="$vm/kernel/lib/modules/$kver/kernel/drivers"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"   # the guest's / (mktemp makes it 0700; the unprivileged step needs x)
mkdir -p "$root"/{bin,dev,proc,sys,tmp,etc,lib/modules}
cp "$vm/busybox/bin/busybox" "$root/bin/busybox"
# Dependency order (modules.dep is not shipped in the package; depmod makes it).
for m in usb/common/usb-common usb/core/usbcore usb/host/xhci-hcd usb/host/xhci-pci \
         hid/hid hid/usbhid/usbhid hid/hid-generic hid/uhid input/evdev; do
    cp "$mods/$m.ko" "$root/lib/modules/"
done
# virtio and 9p, to mount the host's root read-only and run hid-tools from it.
kmods="$vm/kernel/lib/modules/$kver/kernel"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
         drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/9p/9pnet \
         net/9p/9pnet_virtio fs/netfs/netfs fs/fscache/fscache fs/9p/9p; do
    cp "$kmods/$m.ko" "$root/lib/modules/"
done
for bin in "$@"; do
    # The release build keeps line tables; the guest's RAM does not need them.
    if command -v strip >/dev/null; then
        strip -o "$root/bin/$(basename "$bin")" "$bin"
    else
        cp "$bin" "$root/bin/"
    fi
    ldd "$bin" | awk '/=> \// {print $3} /^[[:space:]]*\/[^ ]*ld-linux/ {print $1}' |
    while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
done
cp "$here/init.sh" "$root/init"
chmod +x "$root/init"
cp "$here"/files/* "$root/etc/"
(cd "$root" && find . | "$vm/busybox/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) > "$out"
