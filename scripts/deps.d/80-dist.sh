# make dist and the aarch64 device-tool tests: the musl targets, zig as the cross C
# compiler with cargo-zigbuild driving it (both from PyPI), qemu-user to run aarch64
# binaries here, and `file` to check they are static.
rustup target list --installed | grep -qx aarch64-unknown-linux-musl \
    || rustup target add aarch64-unknown-linux-musl x86_64-unknown-linux-musl
rustup target list --installed | grep -qx x86_64-unknown-linux-musl \
    || rustup target add x86_64-unknown-linux-musl
pip_install ziglang cargo-zigbuild
apt_install qemu-user-static file
