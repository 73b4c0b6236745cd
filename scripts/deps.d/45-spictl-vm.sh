# spictl: the real-kernel SPI tests boot a QEMU riscv64 `sifive_u` guest. It is the one
# board where both QEMU and a Debian kernel drive a real SPI controller (spi-sifive) with
# a flash behind it (is25wp256: 32 MiB, 4-byte opcodes, SFDP), usable through spidev and
# through spi-nor's /dev/mtd0. Kernels >= 6.8 need the part's SFDP table, which only
# QEMU >= 9 has, so QEMU 10 comes from bookworm-backports; the kernel (spi-sifive, mtd and
# spi-nor as modules), busybox-static, glibc (spictl's runtime) and OpenSBI come from
# trixie. All of it is fetched through a private apt state and unpacked into
# $PIPEKIT_SPI_VM_DIR (default /var/cache/pipekit/spictl-vm); the host's sources, dpkg
# architectures and packages are untouched, except that QEMU's shared libraries come
# from the host's own apt. Idempotent: a finished step leaves a stamp file.
spictl_vm_deps() {
    local dir="${PIPEKIT_SPI_VM_DIR:-/var/cache/pipekit/spictl-vm}"
    local a="$dir/apt"
    # Preferences are private too, so the host's pins cannot change what is picked here.
    local apt=(-o Dir::Etc::sourcelist="$a/sources.list" -o Dir::Etc::sourceparts="$a/sources.list.d"
        -o Dir::Etc::preferences="$a/preferences" -o Dir::Etc::preferencesparts="$a/preferences.d"
        -o Dir::State::Lists="$a/lists" -o Dir::Cache="$a/cache"
        -o APT::Architectures::=amd64 -o APT::Architectures::=riscv64
        -o Acquire::Languages=none -o Acquire::GzipIndexes=true
        -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false)
    mkdir -p "$a/sources.list.d" "$a/preferences.d" "$a/lists/partial" "$a/cache" "$dir/debs"
    # apt-get download fetches as the _apt user when it can write the folder.
    chown _apt "$dir/debs" 2>/dev/null || true
    if [ ! -f "$dir/apt.stamp" ]; then
        # trixie's riscv64 Packages also lists its arch-all packages (opensbi).
        local opt="signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
        printf '%s\n' \
            "deb [arch=riscv64 $opt] http://deb.debian.org/debian trixie main" \
            "deb [arch=amd64 $opt] http://deb.debian.org/debian bookworm-backports main" \
            > "$a/sources.list"
        apt-get "${apt[@]}" update -qq
        touch "$dir/apt.stamp"
    fi

    # The kernel linux-image-riscv64 points at (trixie's ABI name moves with point
    # releases). Only the image and the three modules are kept: the .deb is 112 MB.
    if [ ! -f "$dir/kernel.stamp" ]; then
        local kpkg kver m
        kpkg=$(apt-cache "${apt[@]}" depends linux-image-riscv64:riscv64 |
            awk '/Depends: linux-image-6/ {sub(/:riscv64$/, "", $2); print $2; exit}')
        [ -n "$kpkg" ] || { echo "45-spictl-vm: cannot resolve linux-image-riscv64" >&2; return 1; }
        kver=${kpkg#linux-image-}
        (cd "$dir/debs" && apt-get "${apt[@]}" download -qq "$kpkg:riscv64")
        rm -rf "$dir/kernel.tmp" "$dir/modules"
        dpkg -x "$dir"/debs/"$kpkg"_*_riscv64.deb "$dir/kernel.tmp"
        mkdir -p "$dir/modules" "$dir/kernel"
        for m in spi/spi-sifive mtd/mtd mtd/spi-nor/spi-nor; do
            xz -dc "$dir/kernel.tmp/usr/lib/modules/$kver/kernel/drivers/$m.ko.xz" \
                > "$dir/modules/${m##*/}.ko"
        done
        rm -f "$dir"/kernel/vmlinu*
        mv "$dir/kernel.tmp/boot/vmlinux-$kver" "$dir/kernel/"
        rm -rf "$dir/kernel.tmp" "$dir"/debs/"$kpkg"_*.deb
        echo "$kver" > "$dir/kernel.stamp"
    fi

    if [ ! -f "$dir/busybox.stamp" ]; then
        (cd "$dir/debs" && apt-get "${apt[@]}" download -qq busybox-static:riscv64)
        rm -rf "$dir/busybox"
        dpkg -x "$dir"/debs/busybox-static_*_riscv64.deb "$dir/busybox"
        rm -f "$dir"/debs/busybox-static_*.deb
        touch "$dir/busybox.stamp"
    fi

    # The guest's glibc for the dynamically linked riscv64gc-unknown-linux-gnu spictl:
    # its shared objects only (tests/qemu/spi/mkinitramfs.sh copies what spictl needs).
    if [ ! -f "$dir/glibc.stamp" ]; then
        (cd "$dir/debs" && apt-get "${apt[@]}" download -qq libc6:riscv64)
        rm -rf "$dir/glibc" "$dir/glibc.tmp"
        dpkg -x "$dir"/debs/libc6_*_riscv64.deb "$dir/glibc.tmp"
        mv "$dir/glibc.tmp/usr/lib/riscv64-linux-gnu" "$dir/glibc"
        rm -rf "$dir/glibc/gconv" "$dir/glibc.tmp" "$dir"/debs/libc6_*.deb
        touch "$dir/glibc.stamp"
    fi

    # QEMU and its data at the same backports version (trixie's arch-all qemu-system-data
    # is newer and would otherwise win), and the OpenSBI firmware its symlinks point at.
    # qemu-system-common (modules, helpers) is not needed for -display none.
    if [ ! -f "$dir/qemu.stamp" ]; then
        local qver
        qver=$(apt-cache "${apt[@]}" policy qemu-system-riscv | awk '/Candidate:/ {print $2}')
        (cd "$dir/debs" && apt-get "${apt[@]}" download -qq \
            "qemu-system-riscv=$qver" "qemu-system-data=$qver" opensbi/trixie)
        rm -rf "$dir/qemu"
        local p
        for p in qemu-system-riscv qemu-system-data opensbi; do
            dpkg -x "$dir"/debs/"$p"_*.deb "$dir/qemu"
        done
        # Half of the unpacked size is the riscv32 binary and the HTML docs.
        rm -rf "$dir"/debs/*.deb "$dir/qemu/usr/bin/qemu-system-riscv32" "$dir/qemu/usr/share/doc"
        echo "$qver" > "$dir/qemu.stamp"
    fi

    # Shared libraries qemu-system-riscv links against, as named by backports; bookworm has
    # them all (libraries only; nothing replaced).
    local libs
    libs=$(apt-cache "${apt[@]}" depends "qemu-system-riscv=$(cat "$dir/qemu.stamp")" |
        awk '/^  Depends: lib/ {print $2}' | sort -u)
    # shellcheck disable=SC2086
    apt_install $libs
    if "$dir/qemu/usr/bin/qemu-system-riscv64" --version >/dev/null 2>&1; then
        :
    else
        echo "45-spictl-vm: the unpacked qemu-system-riscv64 does not start:" >&2
        ldd "$dir/qemu/usr/bin/qemu-system-riscv64" | grep 'not found' >&2 || true
        return 1
    fi
}
# spictl for the guest links glibc: riscv64gc-unknown-linux-musl has no rust-std in the
# pinned toolchain (1.95.0's manifest, like 1.94.0's: "available = false").
rustup target list --installed | grep -qx riscv64gc-unknown-linux-gnu \
    || rustup target add riscv64gc-unknown-linux-gnu
spictl_vm_deps
