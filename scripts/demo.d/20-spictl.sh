# spictl: the simulated W25Q128 flash and MCP3008 ADC, through real pipelines into etl.
set -euo pipefail
d="$DEMO_DIR/spictl"
mkdir -p "$d"
chip="sim:w25q128=$d/chip.img"
head -c 256K /dev/urandom > "$d/firmware.bin"
spictl --device "$chip" flash id | etl convert -o table
# Fresh chip: program only; then a second image over it: erase + program + verify.
spictl --device "$chip" flash write "$d/firmware.bin" | etl convert -o table
head -c 256K /dev/urandom > "$d/firmware2.bin"
spictl --device "$chip" flash write "$d/firmware2.bin" | etl convert -o table
spictl --device "$chip" flash read --length 256K - | cmp - "$d/firmware2.bin" && echo "flash read matches firmware2.bin"
# 2000 ticks x 2 channels at 1 kHz as Arrow IPC: ts, raw, value (volts), lag_ns.
# Exit status 3 means the machine fell behind: the missed slots are in the stream as
# "overrun" records and on stderr, so the demo goes on.
# As root the sampling thread runs SCHED_FIFO, which keeps it on schedule on a busy machine.
rt=()
[ "$(id -u)" -eq 0 ] && rt=(--rt-priority 10)
{ spictl --device sim:mcp3008 sample --channel 0,1 --rate 1000 --count 2000 "${rt[@]}" -o arrow || test $? -eq 3; } |
    tee "$d/adc.arrows" | etl count -o table
etl convert "$d/adc.arrows" -o table | head -n 6
spictl --device sim:loopback xfer 'de ad be ef' 0102@cs 03@delay=10 | etl convert -o table
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
fields.osrs_t = { bits = "7:5", values = { 0 = "skipped", 1 = "x1", 2 = "x2", 3 = "x4", 4 = "x8", 5 = "x16" } }
fields.osrs_p = { bits = "4:2", values = { 0 = "skipped", 1 = "x1", 2 = "x2", 3 = "x4", 4 = "x8", 5 = "x16" } }
fields.mode = { bits = "1:0", values = { 0 = "sleep", 1 = "forced", 3 = "normal" } }
TOML
spictl --device "sim:regmap=$d/bme280.toml" reg write ctrl_meas osrs_t=x16,mode=forced | etl convert -o table
