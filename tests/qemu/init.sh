#!/bin/busybox sh
# The QEMU guest's /init for tests/hidctl_qemu.rs. Each step prints its output between
# "@@BEGIN name" and "@@END name rc=N" on the serial console; the host test parses those.
# "@@INJECT" asks the host to send key presses over QMP until "@@END keys".
/bin/busybox --install -s /bin
export PATH=/bin NO_COLOR=1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /tmp
step() { name="$1"; shift; echo "@@BEGIN $name"; "$@"; rc=$?; echo "@@END $name rc=$rc"; }
# Waits (up to 30 s) until hidapi lists VID:PID and devtmpfs has made its node: sysfs
# shows a new hidraw device a moment before /dev does.
wait_dev() {
    i=0
    while [ $i -lt 300 ]; do
        p=$(hidctl list --vid "$1" --pid "$2" -o ndjson | sed -n 's/.*"path":"\([^"]*\)".*/\1/p' | head -n 1)
        [ -n "$p" ] && [ -e "$p" ] && return 0
        sleep 0.1; i=$((i+1))
    done
}
# Replays FILE through uhid (with any further arguments to replay) and records, as
# step NAME, COUNT reports from the NODES new hidraw nodes it makes (the replayed
# devices may have the real ones' ids, so they are told apart as the nodes that were
# not there before).
replay_read() {
    name=$1; file=$2; count=$3; nodes=$4; shift 4
    before=" $(echo /dev/hidraw*) "
    hidctl replay --wait 10s "$@" "$file" 2>/tmp/$name.err &
    rep=$!
    new=""; i=0
    while [ "$(echo $new | wc -w)" -lt "$nodes" ] && [ $i -lt 300 ]; do
        new=""
        for n in /dev/hidraw*; do case "$before" in *" $n "*) ;; *) new="$new $n" ;; esac; done
        [ "$(echo $new | wc -w)" -lt "$nodes" ] && sleep 0.1
        i=$((i+1))
    done
    sleep 1
    step $name hidctl record $new --count $count --timeout 20s -o ndjson
    wait $rep
    echo "@@BEGIN $name-stderr"; cat /tmp/$name.err; echo "@@END $name-stderr rc=0"
}
for m in usb-common usbcore xhci-hcd xhci-pci hid usbhid hid-generic uhid evdev; do
    insmod /lib/modules/$m.ko || echo "@@MODULE-FAILED $m"
done
i=0
while [ "$(ls /dev/hidraw* 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
step list hidctl list -o ndjson
for n in /sys/class/hidraw/hidraw*; do
    step "descriptor-$(basename $n)" hidctl descriptor --file $n/device/report_descriptor --raw -o ndjson
done
kbd=$(hidctl list --usage-page 1 --usage 6 -o ndjson | sed -n 's/.*"path":"\([^"]*\)".*/\1/p' | head -n 1)
echo "@@KEYBOARD $kbd"
step kbd-layout hidctl --device "$kbd" descriptor --layout -o ndjson
echo "@@INJECT"
step keys hidctl --device "$kbd" read --count 2 --timeout 30s -o ndjson
step led hidctl --device "$kbd" write 02 -o ndjson
# Input reports on request: usbhid sends GET_REPORT, QEMU's keyboard answers its state.
step get-report hidctl --device "$kbd" read --get-report 0 --count 2 -o ndjson
step get-report-bad hidctl --device "$kbd" read --get-report 7 -o ndjson
step led-oversized hidctl --device "$kbd" write 0203 -o ndjson
# An unprivileged user on a root-only hidraw node (devtmpfs makes them 0600).
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> /etc/passwd
echo 'nogroup:x:65534:' >> /etc/group
step perm-denied su -s /bin/sh nobody -c "hidctl --device $kbd read --count 1 --timeout 1s -o ndjson"

# The bridge: a uhid device in front of a simulated BME280 register file.
hidctl emulate bridge --backend sim:regmap=/etc/bme280.toml 2>/tmp/emulate.err &
emu=$!
wait_dev 1209 0001
step bridge-list hidctl list --vid 1209 -o ndjson
step spi-ping hidctl --device 1209:0001 spi ping -o ndjson
step spi-write hidctl --device 1209:0001 spi write 0xf4 0x55 0x66 -o ndjson
step spi-read hidctl --device 1209:0001 spi read 0xf4 --count 2 -o ndjson
step spi-id hidctl --device 1209:0001 spi read 0xd0 -o ndjson
step spi-badcrc hidctl --device 1209:0001 spi raw 0501000000000000 -o ndjson
# A generic request/response on one open: the PING report with its CRC-8 (0x83), and
# the bridge's answer.
step xfer hidctl --device 1209:0001 xfer 0501000000000083 --timeout 5s -o ndjson
# GET_REPORT for the input report: the bridge answers with its last input report, the
# PING answer xfer read.
step bridge-get-report hidctl --device 1209:0001 read --get-report 0 -o ndjson
step spictl-reg spictl --device hid:1209:0001 reg read --map /etc/bme280.toml ctrl_meas -o ndjson
step spictl-xfer spictl --device hid:1209:0001 xfer d000 -o ndjson
# The bridge's SPI configuration as its feature report: read, set (mode 3, 8 bits,
# 8000 kHz), read back, and seen by the protocol's GET_CONFIG through spictl.
step feature-get hidctl --device 1209:0001 feature get -o ndjson
step feature-set hidctl --device 1209:0001 feature set 0308401f00 -o ndjson
step feature-get2 hidctl --device 1209:0001 feature get -o ndjson
step feature-spictl spictl --device hid:1209:0001 info -o ndjson
# A reader waiting on the bridge when the device goes away (3 s: under TCG the
# reader takes a while to start; killed earlier, it finds the node gone at open).
hidctl --device 1209:0001 read --count 1 --timeout 60s -o ndjson >/tmp/vanish.out 2>&1 &
rd=$!
sleep 3
kill -TERM $emu
wait $emu
wait $rd
vrc=$?
echo "@@BEGIN vanish"; cat /tmp/vanish.out; echo "@@END vanish rc=$vrc"
echo "@@BEGIN emulate-stderr"; cat /tmp/emulate.err; echo "@@END emulate-stderr rc=0"

# Replay a recording through uhid and record it again through hidraw.
replay_read replay /etc/keys.ndjson 2 1

# The mouse recorded in hid-recorder's text while the host moves it over QMP, then that
# file replayed through uhid and read back from the new node (the replayed mouse has
# the real one's ids, so it is told apart as the node that was not there before).
mouse=$(hidctl list -o ndjson | grep 'QEMU USB Mouse' | sed -n 's/.*"path":"\([^"]*\)".*/\1/p' | head -n 1)
echo "@@INJECT-MOUSE"
step mouse-rec hidctl --device "$mouse" record --format hid-recorder --count 4 --timeout 30s --out /tmp/mouse.hid
echo "@@BEGIN mouse-hid"; cat /tmp/mouse.hid; echo "@@END mouse-hid rc=0"
replay_read mouse-replay /tmp/mouse.hid 4 1

# Two devices at once: the mouse and the tablet, moved in turn over QMP, recorded as
# one hid-recorder file; replayed as two uhid devices and recorded again from both new
# nodes.
tablet=$(hidctl list -o ndjson | grep 'QEMU USB Tablet' | sed -n 's/.*"path":"\([^"]*\)".*/\1/p' | head -n 1)
echo "@@INJECT-BOTH"
step two-rec hidctl record "$mouse" "$tablet" --format hid-recorder --count 6 --timeout 30s --out /tmp/two.hid
echo "@@BEGIN two-hid"; cat /tmp/two.hid; echo "@@END two-hid rc=0"
replay_read two-replay /tmp/two.hid 6 2

# hid-tools' own hid-recorder, run from the host's root (shared read-only over 9p) with
# the host's Python, records the mouse while the host moves it; hidctl replays that file.
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p; do
    insmod /lib/modules/$m.ko || echo "@@MODULE-FAILED $m"
done
py=$(sed -n 's/.*pipekit_python=\([^ ]*\).*/\1/p' /proc/cmdline)
mkdir -p /host
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host
for d in dev proc sys; do mount --bind /$d /host/$d; done
echo "@@INJECT-MOUSE2"
chroot /host "$py" -c 'from hidtools.cli.record import main; main()' "$mouse" >/tmp/hr.hid 2>/tmp/hr.err &
hr=$!
i=0
events() { n=$(grep -c '^E: ' /tmp/hr.hid 2>/dev/null); echo "${n:-0}"; }
while [ "$(events)" -lt 4 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
# SIGTERM: a background job of this shell ignores SIGINT, and so would Python. Each
# event line is flushed as it is written.
kill $hr; wait $hr
echo "@@END hr-rec rc=0"
echo "@@BEGIN hr-hid"; cat /tmp/hr.hid; echo "@@END hr-hid rc=0"
echo "@@BEGIN hr-err"; cat /tmp/hr.err; echo "@@END hr-err rc=0"
replay_read hr-replay /tmp/hr.hid 4 1 --no-wait

# hid-tools' hid-replay plays hidctl's recording of the mouse (the file mouse-replay
# played above). It creates the device, waits for its event node, then replays at each
# Enter on stdin: a fifo gives the Enter once the reader has the new node open.
mount --bind /tmp /host/tmp
mkfifo /tmp/go
before=" $(echo /dev/hidraw*) "
chroot /host "$py" -c 'from hidtools.cli.replay import main; main()' /tmp/mouse.hid </tmp/go >/tmp/hp.out 2>&1 &
hp=$!
exec 3>/tmp/go
new=""; i=0
while [ -z "$new" ] && [ $i -lt 300 ]; do
    for n in /dev/hidraw*; do case "$before" in *" $n "*) ;; *) new="$n" ;; esac; done
    [ -z "$new" ] && sleep 0.1
    i=$((i+1))
done
hidctl record $new --count 4 --timeout 30s -o ndjson >/tmp/hp.rec 2>/tmp/hp.rec.err &
rd=$!
sleep 2
echo >&3
wait $rd; rc=$?
echo "@@BEGIN hid-replay"; cat /tmp/hp.rec; echo "@@END hid-replay rc=$rc"
kill $hp; wait $hp; exec 3>&-
echo "@@BEGIN hid-replay-stderr"; cat /tmp/hp.rec.err /tmp/hp.out; echo "@@END hid-replay-stderr rc=0"
echo "@@DONE"
poweroff -f
