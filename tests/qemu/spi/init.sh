#!/bin/busybox sh
# The riscv64 sifive_u guest's /init for tests/spictl_qemu.rs: spictl on a real kernel
# SPI controller (spi-sifive) and QEMU's is25wp256 (32 MiB, SFDP) through spidev, and
# the kernel's own spi-nor driver as the judge. Each step's output goes between
# "@@BEGIN name" and "@@END name rc=N" through the kernel log: QEMU's sifive UART drops
# characters written to the tty, printk's console path does not.
/bin/busybox --install -s /bin
export PATH=/bin NO_COLOR=1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp
say() { echo "<2>$*" > /dev/kmsg; }
step() {
    name=$1; shift
    "$@" >/tmp/step.out 2>&1
    rc=$?
    say "@@BEGIN $name"
    # /dev/kmsg refuses lines of more than about 1 KB.
    cut -c1-900 /tmp/step.out | while IFS= read -r line; do say "$line"; done
    say "@@END $name rc=$rc"
}
# Waits (up to 20 s) for a path to appear.
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done
}
dev=/sys/bus/spi/devices/spi0.0

insmod /lib/modules/spi-sifive.ko || say "@@MODULE-FAILED spi-sifive"
wait_for $dev
# The flash node says jedec,spi-nor; spidev takes it through driver_override.
echo spidev > $dev/driver_override
echo spi0.0 > /sys/bus/spi/drivers/spidev/bind
wait_for /dev/spidev0.0
S="spictl --device /dev/spidev0.0"

step info $S info -o ndjson
step bufsiz cat /sys/module/spidev/parameters/bufsiz
# Every SPI mode the controller takes (spi-sifive: CPOL and CPHA); the flash model
# answers in each.
for m in 0 1 2 3; do
    step "mode-$m" $S --mode $m xfer 9f000000 -o ndjson
done
# One READ of 6000 bytes: more than spidev's bufsiz (4096), so spictl splits it and
# warns that chip select goes high between the pieces.
zeros=$(printf '%012000d' 0)
step big-xfer sh -c "$S xfer 03000000$zeros -o ndjson >/tmp/big.ndjson; rc=\$?; wc -c </tmp/big.ndjson; exit \$rc"
step flash-id $S flash id -o ndjson
step flash-info $S flash info -o ndjson

# spictl writes 64 KiB across the 16 MiB boundary; spictl reads it back.
head -c 65536 /dev/urandom > /tmp/a.bin
step a-sum sha256sum /tmp/a.bin
step flash-write $S flash write /tmp/a.bin --offset 0xff8000 -o ndjson
step flash-read $S flash read --offset 0xff8000 --length 64K /tmp/a.back
step a-back-sum sha256sum /tmp/a.back

# The kernel's spi-nor driver reads what spictl wrote, from /dev/mtd0.
echo spi0.0 > /sys/bus/spi/drivers/spidev/unbind
echo > $dev/driver_override
insmod /lib/modules/mtd.ko || say "@@MODULE-FAILED mtd"
insmod /lib/modules/spi-nor.ko || say "@@MODULE-FAILED spi-nor"
wait_for /dev/mtd0
step mtd cat /proc/mtd
step mtd-sum sh -c "dd if=/dev/mtd0 bs=4096 skip=$((0xff8000 / 4096)) count=16 2>/dev/null | sha256sum"

# The kernel writes 64 KiB at 0 through /dev/mtd0 (erased: nothing was written there;
# this busybox has no flash_erase), and spictl reads it.
head -c 65536 /dev/urandom > /tmp/k.bin
step k-sum sha256sum /tmp/k.bin
step mtd-write dd if=/tmp/k.bin of=/dev/mtd0 bs=4096
echo spi0.0 > /sys/bus/spi/drivers/spi-nor/unbind
echo spidev > $dev/driver_override
echo spi0.0 > /sys/bus/spi/drivers/spidev/bind
wait_for /dev/spidev0.0
step k-read $S flash read --length 64K /tmp/k.back
step k-back-sum sha256sum /tmp/k.back
say "@@DONE"
# No poweroff device on sifive_u: reboot, and QEMU's -no-reboot ends the run.
reboot -f
