# hidctl: the real-kernel tests boot a QEMU guest (tests/hidctl_qemu.rs) because the host
# kernel has no uhid and there is no HID hardware. Everything the guest needs is unpacked
# privately into $PIPEKIT_VM_DIR (default /var/cache/pipekit/hidctl-vm): Debian's 6.1
# kernel (hidraw built in; xhci, usbhid, hid-generic and uhid as modules), busybox-static,
# and QEMU itself. QEMU is NOT installed with apt: Debian's qemu-system-x86 would replace
# the newer qemu-utils this machine ships, so only its shared-library dependencies are
# installed. Idempotent: a finished step leaves a stamp file.
hidctl_vm_deps() {
    local dir="${PIPEKIT_VM_DIR:-/var/cache/pipekit/hidctl-vm}"
    mkdir -p "$dir/debs"
    # apt-get download fetches as the _apt user when it can write the folder.
    chown _apt "$dir/debs" 2>/dev/null || true
    if [ ! -f "$dir/.apt-lists" ] && [ -z "$PIPEKIT_APT_UPDATED" ]; then
        apt-get update -qq
        PIPEKIT_APT_UPDATED=1
    fi
    touch "$dir/.apt-lists"

    # The kernel: the version linux-image-amd64 points at.
    if [ ! -f "$dir/kernel.stamp" ]; then
        local kpkg
        kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6/ {print $2; exit}')
        [ -n "$kpkg" ] || { echo "40-hidctl: cannot resolve linux-image-amd64" >&2; return 1; }
        (cd "$dir/debs" && apt-get download -qq "$kpkg")
        rm -rf "$dir/kernel"
        dpkg -x "$dir"/debs/"$kpkg"_*.deb "$dir/kernel"
        touch "$dir/kernel.stamp"
    fi

    if [ ! -f "$dir/busybox.stamp" ]; then
        (cd "$dir/debs" && apt-get download -qq busybox-static)
        rm -rf "$dir/busybox"
        dpkg -x "$dir"/debs/busybox-static_*.deb "$dir/busybox"
        touch "$dir/busybox.stamp"
    fi

    # QEMU, its TCG accelerator module (qemu-system-common) and the firmware it loads
    # (SeaBIOS; the guest has no NIC, so no iPXE ROM).
    if [ ! -f "$dir/qemu.stamp" ]; then
        (cd "$dir/debs" && apt-get download -qq qemu-system-x86 qemu-system-common qemu-system-data seabios)
        rm -rf "$dir/qemu"
        for p in qemu-system-x86 qemu-system-common qemu-system-data seabios; do
            dpkg -x "$dir"/debs/"$p"_*.deb "$dir/qemu"
        done
        touch "$dir/qemu.stamp"
    fi

    # Shared libraries qemu-system-x86 links against (libraries only; nothing replaced).
    local libs
    libs=$(apt-cache depends qemu-system-x86 | awk '/^  Depends: lib/ {print $2}' | sort -u)
    # shellcheck disable=SC2086
    apt_install $libs
    if "$dir/qemu/usr/bin/qemu-system-x86_64" --version >/dev/null 2>&1; then
        :
    else
        echo "40-hidctl: the unpacked qemu-system-x86_64 does not start:" >&2
        ldd "$dir/qemu/usr/bin/qemu-system-x86_64" | grep 'not found' >&2 || true
        return 1
    fi
}
# strip (binutils) slims the binaries copied into the guest's initramfs.
apt_install binutils
# hid-tools judges hidctl's hid-recorder files (hid-decode and its report parser), and
# its hid-replay plays hidctl's recordings in the guest (pyudev and libevdev, which
# loads libevdev.so.2, are what hid-replay imports beyond hid-tools' own dependencies).
apt_install libevdev2
pip_install hid-tools==0.12 pyudev==0.24.5
hidctl_vm_deps
