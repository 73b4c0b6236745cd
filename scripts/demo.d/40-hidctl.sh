# hidctl: decode QEMU's USB keyboard report descriptor offline, then run the HID-SPI
# bridge protocol against the bridge simulated in process (in front of a simulated
# BME280 register file and a W25Q128 flash), with lost and damaged reports injected so
# the retries and counters show. The real-kernel path (hidraw, /dev/uhid) runs in the
# QEMU guest of tests/hidctl_qemu.rs.
set -euo pipefail
d="$DEMO_DIR/hidctl"
mkdir -p "$d"
kbd=05010906a10175019508050719e029e715002501810295017508810195057501050819012905910295017503910195067508150025ff0507190029ff8100c0
hidctl descriptor --hex "$kbd" --layout | etl convert -o table
cat > "$d/bme280.toml" <<'TOML'
name = "BME280"
read_flag = 0x80
write_flag = 0x00
addr_mask = 0x7f

[registers.id]
address = 0xD0
access = "ro"
reset = 0x60

[registers.ctrl_meas]
address = 0xF4
reset = 0x27
TOML
bridge="sim:regmap=$d/bme280.toml"
hidctl --device "$bridge" spi ping | etl convert -o table
# Every 2nd answer lost, every 3rd request damaged on the way: the reads still arrive,
# and the link's counters go to stderr.
hidctl --device "$bridge" --sim-faults drop=2,corrupt-request=3 spi read 0xd0 --count 20 --timeout 20ms |
    etl convert -o table
# A report with a wrong CRC byte: the bridge answers with a NACK.
hidctl --device "$bridge" spi raw 0501000000000000 | etl convert -o table
# spictl with the bridge as its bus: the flash's JEDEC id through 8-byte HID reports.
spictl --device "hid:sim:w25q128=$d/chip.img" flash id | etl convert -o table
