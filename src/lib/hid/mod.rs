//! `hidctl`: USB HID from the shell. This module holds the command line; device
//! access, the descriptor decoder, the bridge protocol and uhid live in their own
//! modules, and `cmd` runs each command.

pub mod backend;
pub mod bridge;
pub mod capture;
pub mod cmd;
pub mod descriptor;
pub mod emulate;
pub mod out;
pub mod protocol;
pub mod recorder;
pub mod replay;
pub mod select;
pub mod sim;
pub mod spibus;
pub mod uhid;
pub mod units;
pub mod usage;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cli::{CommonArgs, Outcome, OutputArgs, Tool};
use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  hidctl list                                          every HID interface
  hidctl list --usage-page 1 --usage 6 -o ndjson       keyboards only
  hidctl --device 0627:0001:68284 read --count 10      ten input reports, decoded
  hidctl --device /dev/hidraw0 write 02                 output report (report id 0)
  hidctl --device 1234:5678 write --report-id 3 0102    numbered output report 3
  hidctl descriptor --hex '05010906a101...c0' --layout  decode a descriptor offline
  hidctl emulate bridge --backend sim:regmap=bme280.toml &
  hidctl --device 1209:0001 spi write 0xf4 0x27
  hidctl --device sim:w25q128 spi ping                 the bridge simulated in process

Devices (--device or HIDCTL_DEVICE): VID:PID[:SERIAL] in hex, a hidraw path, or
sim:CHIP, the HID-SPI bridge simulated in process in front of one of spictl's simulated
chips (sim:loopback, sim:mcp3008, sim:w25q128[=IMAGE], sim:regmap=MAP.toml).

Report ids: HEX arguments and the 'hex' column never contain the report id byte. It is
given with --report-id N (default 0, meaning the device does not number its reports)
and shown in the 'report_id' column. hidctl checks it against the report descriptor.

Exit status: 0 success, 1 failure, 2 usage error, 3 finished but data was lost or
skipped (short reports, malformed descriptor items, bridge requests that failed after
their retries).";

const BRIDGE_PROTOCOL: &str = "\
The HID-SPI bridge protocol

Every report is 8 bytes, without a report id, in both directions. Host to bridge
(output report): byte 0 command, byte 1 sequence number, bytes 2-6 arguments, byte 7
CRC-8 over bytes 0-6. Bridge to host (input report): byte 0 is 0x80|command for an ACK
or 0x7f for a NACK, byte 1 the request's sequence number, bytes 2-6 data (a NACK: byte 2
error code, byte 3 the command), byte 7 CRC-8.

CRC-8/SMBUS: polynomial 0x07, initial value 0x00, not reflected, no final XOR; the
check value over the ASCII bytes \"123456789\" is 0xF4.

Commands:
  0x01 REG_WRITE   args: address, value. SPI frame [address & 0x7f, value].
  0x02 REG_READ    args: address, count 1-5. SPI frame [address | 0x80, 0 x count];
                   data: the values.
  0x03 CONFIG      args: flags (bits 0-1 SPI mode, bit 2 LSB first, bit 3 chip select
                   active high, bit 4 3-wire), bits per word, clock in kHz (24-bit
                   little endian, 0 keeps it). data: the configuration in force.
  0x04 XFER        one chip-select frame sent in chunks: args: control (bits 0-2
                   length 0-4, bit 6 first chunk, bit 7 last chunk: run the frame with
                   chip select held throughout), up to 4 data bytes. data: bytes
                   buffered (16-bit little endian); after the last chunk, bytes clocked.
                   A frame holds at most 4096 bytes.
  0x05 PING        data: protocol version (1), XFER chunk size (4), flags (bit 0: the
                   SPI side is a simulation).
  0x06 GET_CONFIG  data: the configuration, as CONFIG answers.
  0x07 XFER_READ   args: offset (16-bit little endian) into the bytes the last frame
                   clocked in. data: count 1-4, the bytes.

Feature report (unnumbered, 5 bytes): the SPI configuration in the CONFIG encoding
(flags, bits per word, clock in kHz). GET_REPORT reads the configuration in force and
SET_REPORT applies one, as CP2112-style bridges configure their bus; `hidctl feature
get` and `hidctl feature set 0308401f00` (mode 3, 8 bits, 8000 kHz) use it.

NACK error codes: 0x01 bad CRC (the request arrived damaged; the host retries), 0x02
unknown command, 0x03 bad argument, 0x04 SPI bus error, 0x05 report not 8 bytes.

Sequence numbers and retries: the host numbers each request (1-255, wrapping). When no
answer arrives within --timeout, or the answer's CRC is wrong, or the bridge NACKs with
bad CRC, the host sends the SAME request again, up to --retries times. A bridge that
sees the same request (same sequence number and bytes) again answers from its cache
without repeating the SPI transaction, so a retried read or transfer never runs twice.
Answers with an old sequence number are counted as stale and skipped. Timeouts,
retries, CRC failures, NACKs and failed requests are counted and reported on stderr;
requests that fail after all retries are reported as 'lost' records and make the exit
status 3.";

/// USB HID control: list, read, write, feature reports, descriptors, record/replay, and
/// the HID-to-SPI bridge
#[derive(Debug, Parser)]
#[command(
    name = "hidctl",
    version,
    long_version = crate::cli::LONG_VERSION,
    after_help = EXAMPLES,
    after_long_help = format!("{EXAMPLES}\n\n{BRIDGE_PROTOCOL}"),
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub dev: DeviceArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct DeviceArgs {
    /// The device: VID:PID[:SERIAL] (hex), a hidraw path, or sim:CHIP (the bridge
    /// simulated in process); list, replay and emulate do not use it
    #[arg(
        short = 'd',
        long,
        global = true,
        env = "HIDCTL_DEVICE",
        value_name = "DEVICE"
    )]
    pub device: Option<String>,

    /// Faults for the simulated bridge only, to see retries at work: every Nth report
    /// dropped, damaged or cut short, e.g. drop=5,corrupt-request=7,corrupt-response=11,short-response=13
    #[arg(long, global = true, value_name = "FAULTS", value_parser = sim::Faults::parse)]
    pub sim_faults: Option<sim::Faults>,
}

#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// Only this vendor id (hex)
    #[arg(long, value_parser = hex_u16)]
    pub vid: Option<u16>,
    /// Only this product id (hex)
    #[arg(long, value_parser = hex_u16)]
    pub pid: Option<u16>,
    /// Only interfaces with a top-level collection on this usage page (hex)
    #[arg(long, value_parser = hex_u16)]
    pub usage_page: Option<u16>,
    /// Only interfaces with this top-level usage (hex)
    #[arg(long, value_parser = hex_u16)]
    pub usage: Option<u16>,
    /// Only this serial number
    #[arg(long)]
    pub serial: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    /// Only reports with this report id (numbered devices)
    #[arg(long, value_name = "N")]
    pub report_id: Option<u8>,
    /// Stop when no report arrives for this long (e.g. 500ms, 2s); without it, wait
    #[arg(long, value_name = "DURATION", value_parser = crate::cli::args::parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Stop after N reports
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct ReadCommandArgs {
    /// Ask for input report N (a GET_REPORT request, HIDIOCGINPUT) instead of waiting
    /// for reports; --count times, default once
    #[arg(long, value_name = "N")]
    pub get_report: Option<u8>,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// What `hidctl record` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// hidctl's records (in the -o format): a 'descriptor' record, then 'input' records
    Records,
    /// hid-recorder's text (hid-tools), which hid-replay and 'hidctl replay' play back
    HidRecorder,
}

#[derive(Debug, Clone, Args)]
pub struct RecordArgs {
    /// Record several devices at once (hidraw paths or VID:PID[:SERIAL]), as one
    /// recording that keeps the order their reports came in [default: --device]
    #[arg(value_name = "DEVICE")]
    pub devices: Vec<String>,
    /// What to write: hidctl's records, or the text hid-tools' hid-recorder writes
    #[arg(long, value_enum, default_value = "records")]
    pub format: RecordFormat,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// The report payload in hex, without the report id byte
    #[arg(value_name = "HEX")]
    pub hex: String,
    /// Report id (0: the device does not number its reports)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub report_id: u8,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct XferArgs {
    /// The output report's payload in hex, without the report id byte
    #[arg(value_name = "HEX")]
    pub hex: String,
    /// Report id of the output report (0: the device does not number its reports)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub report_id: u8,
    /// Input reports to read after sending
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub read: u64,
    /// Fail if they have not all come within this long of the last one (e.g. 500ms)
    #[arg(long, default_value = "1s", value_name = "DURATION", value_parser = crate::cli::args::parse_duration)]
    pub timeout: std::time::Duration,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Subcommand)]
pub enum FeatureCommand {
    /// Read a feature report
    #[command(after_help = "\
Examples:
  hidctl --device 046d:c52b feature get --report-id 16
  hidctl --device /dev/hidraw2 feature get --report-id 3 --len 32 -o ndjson")]
    Get {
        /// Report id (0: the device does not number its reports)
        #[arg(long, default_value_t = 0, value_name = "N")]
        report_id: u8,
        /// Payload bytes to ask for [default: the size in the report descriptor]
        #[arg(long, value_name = "N")]
        len: Option<usize>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Send a feature report
    #[command(after_help = "\
Examples:
  hidctl --device 046d:c52b feature set --report-id 16 ff0901
  hidctl --device /dev/hidraw2 feature set 00ff")]
    Set(WriteArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DescriptorArgs {
    /// Decode this descriptor (hex) instead of asking a device
    #[arg(long, value_name = "HEX", conflicts_with = "file")]
    pub hex: Option<String>,
    /// Decode a descriptor file: raw bytes (e.g. /sys/class/hidraw/hidraw0/device/report_descriptor) or hex text
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// One record per report field (report id, direction, bit offset, size, usages as
    /// names and as 32-bit codes, logical and physical ranges, unit) instead of one per
    /// item
    #[arg(long, conflicts_with = "raw")]
    pub layout: bool,
    /// One record with the descriptor's bytes in hex
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Args)]
pub struct LinkArgs {
    /// How long to wait for each answer (e.g. 250ms)
    #[arg(long, default_value = "250ms", value_name = "DURATION", value_parser = crate::cli::args::parse_duration)]
    pub timeout: std::time::Duration,
    /// Times to repeat a request (same sequence number) that got no good answer
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub retries: u32,
}

#[derive(Debug, Subcommand)]
pub enum SpiCommand {
    /// Check that the device is a bridge: protocol version, chunk size
    #[command(after_help = "\
Examples:
  hidctl --device 1209:0001 spi ping
  hidctl --device sim:loopback spi ping -o ndjson")]
    Ping {
        #[command(flatten)]
        link: LinkArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Read registers ADDR, ADDR+1, ...: one record each
    #[command(after_help = "\
Examples:
  hidctl --device 1209:0001 spi read 0xd0                  BME280 chip id
  hidctl --device 1209:0001 spi read 0xf7 --count 8 -o ndjson")]
    Read {
        /// Register address (0x.. hex or decimal); on the wire bit 7 is the read/write
        /// flag, so 0xd0 and 0x50 name the same register, as in sensor datasheets
        #[arg(value_parser = byte_arg)]
        addr: u8,
        /// Registers to read
        #[arg(long, default_value_t = 1, value_name = "N")]
        count: u32,
        #[command(flatten)]
        link: LinkArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write VALUE... to registers ADDR, ADDR+1, ...: one record each
    #[command(after_help = "\
Examples:
  hidctl --device 1209:0001 spi write 0xf4 0x27
  hidctl --device sim:regmap=bme280.toml spi write 0xf4 0x27")]
    Write {
        /// Register address (0x.. hex or decimal); bit 7 is replaced by the write flag
        #[arg(value_parser = byte_arg)]
        addr: u8,
        /// Values, one byte each
        #[arg(required = true, value_parser = byte_arg)]
        values: Vec<u8>,
        #[command(flatten)]
        link: LinkArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// One raw report for protocol debugging: 7 bytes get the CRC appended, 8 bytes are
    /// sent as given (a wrong CRC byte shows the bridge's NACK); no retries
    #[command(after_help = "\
Examples:
  hidctl --device 1209:0001 spi raw 05010000000000          PING, CRC added
  hidctl --device 1209:0001 spi raw 0501000000000000        PING with a wrong CRC: NACK")]
    Raw {
        /// The report in hex
        hex: String,
        #[command(flatten)]
        link: LinkArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmulateCommand {
    /// A HID-SPI bridge through /dev/uhid, answering the bridge protocol
    ///
    /// Creates a USB HID device (vendor page 0xff00, 8-byte input and output reports)
    /// through Linux uhid; the kernel binds hid-generic and a hidraw node appears, so
    /// 'hidctl spi' and 'spictl --device hid:VID:PID' reach it like hardware. The SPI
    /// side is --backend: one of spictl's simulated chips (sim:...) or a spidev node.
    /// Runs until SIGINT or SIGTERM. Needs root (or access to /dev/uhid) and a kernel
    /// with uhid.
    #[command(after_help = "\
Examples:
  hidctl emulate bridge --backend sim:regmap=bme280.toml &
  hidctl emulate bridge --backend sim:w25q128=chip.img --pid 0002
  hidctl emulate bridge --backend /dev/spidev0.0")]
    Bridge {
        /// The SPI side: sim:loopback, sim:mcp3008, sim:w25q128[=IMAGE],
        /// sim:regmap=MAP.toml, or /dev/spidevB.C
        #[arg(long, default_value = "sim:loopback", value_name = "DEVICE")]
        backend: String,
        /// Vendor id (hex) [default: 1209, pid.codes]
        #[arg(long, value_parser = hex_u16, default_value = "1209")]
        vid: u16,
        /// Product id (hex) [default: 0001, the pid.codes test PID]
        #[arg(long, value_parser = hex_u16, default_value = "0001")]
        pid: u16,
        /// Device name the kernel shows
        #[arg(long, default_value = "pipekit HID-SPI bridge")]
        name: String,
        /// Stop after this many requests
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List HID interfaces: one record per hidraw node, with all its top-level usages
    #[command(after_help = "\
Examples:
  hidctl list
  hidctl list --vid 0627 -o ndjson | etl count
  hidctl list --usage-page ff00")]
    List(ListArgs),
    /// Read input reports: timestamped records with the report id, hex and decoded fields
    ///
    /// Each record: ts, report_id, len, hex (payload without the report id byte) and
    /// fields (per element: the usage's name from the HID Usage Tables and its 32-bit
    /// code, the value, and the physical value and unit where the descriptor gives a
    /// unit; for array fields such as keyboard keys, the usages held down). On a
    /// terminal the fields are one line of text: "X=1200 (12 cm), Y=...". A report
    /// shorter than the descriptor says is reported and makes the exit status 3.
    #[command(after_help = "\
Examples:
  hidctl --device 0627:0001:68284 read --count 4
  hidctl --device /dev/hidraw0 read --timeout 2s -o ndjson | etl count
  hidctl --device 046d:c52b read --report-id 2
  hidctl --device /dev/hidraw0 read --get-report 1 --count 3    ask for input report 1")]
    Read(ReadCommandArgs),
    /// Send an output report
    ///
    /// HEX is the payload without the report id; --report-id gives the id (default
    /// 0 for devices that do not number reports). A payload shorter than the
    /// descriptor's report is padded with zeros (with a warning); a longer one is
    /// refused.
    #[command(after_help = "\
Examples:
  hidctl --device 0627:0001:68284 write 02           keyboard LEDs: Caps Lock on
  hidctl --device 1234:5678 write --report-id 2 '01 ff'")]
    Write(WriteArgs),
    /// Send an output report and read the input reports that answer it, on one open
    ///
    /// For request/response devices: the answer is read on the same open device, so one
    /// that comes before reading starts is not lost. Records as 'read' writes them; fewer
    /// than --read answers within --timeout is an error.
    #[command(after_help = "\
Examples:
  hidctl --device 1209:0001 xfer 0501000000000083              a bridge PING, its answer
  hidctl --device 1234:5678 xfer --report-id 2 0110 --read 3 --timeout 2s")]
    Xfer(XferArgs),
    /// Get or set feature reports
    #[command(subcommand)]
    Feature(FeatureCommand),
    /// The report descriptor: items, or the report layout, from a device or offline
    ///
    /// Default: one record per item (offset, kind, tag, name, data, value, meaning).
    /// --layout: one record per report field. --raw: the bytes. Malformed parts
    /// (truncated items, long items, pop without push, unclosed collections) are
    /// reported on stderr and make the exit status 3; the rest is still decoded.
    #[command(after_help = "\
Examples:
  hidctl --device /dev/hidraw0 descriptor
  hidctl --device 0627:0001:68284 descriptor --layout -o table
  hidctl descriptor --file /sys/class/hidraw/hidraw0/device/report_descriptor --layout
  hidctl descriptor --hex '05 01 09 06 a1 01 c0'")]
    Descriptor(DescriptorArgs),
    /// Record a device: its descriptor, then its input reports, as records
    ///
    /// The first record has type 'descriptor' (hex: the report descriptor, name, phys,
    /// bus, vid, pid); each further record type 'input' with ts, report_id and hex.
    /// --format hid-recorder writes hid-tools' text instead (R:, N:, P:, I: and one E:
    /// line per report), as kernel and libinput bug reports ask for. 'hidctl replay'
    /// plays either back through uhid, and hid-replay plays the text.
    #[command(after_help = "\
Examples:
  hidctl --device 0627:0001:68284 record --count 100 > keys.ndjson
  hidctl --device /dev/hidraw1 record --timeout 5s --out mouse.ndjson
  hidctl --device /dev/hidraw1 record --format hid-recorder --timeout 10s > mouse.hid
  hidctl record /dev/hidraw3 /dev/hidraw4 --format hid-recorder > tablet.hid    pen and touch")]
    Record(RecordArgs),
    /// Replay a recording through /dev/uhid: a device with the recorded descriptor
    /// sends the recorded input reports with their original spacing
    #[command(after_help = "\
Examples:
  hidctl replay keys.ndjson
  hidctl replay --speed 10 mouse.ndjson
  hidctl replay --wait 1s keys.ndjson          let readers open the new node first
  hidctl replay tablet.hid                      a hid-recorder file (hid-tools)
  hidctl replay --dry-run mouse.hid -o ndjson   the reports decoded, no device")]
    Replay(replay::ReplayArgs),
    /// The HID-to-SPI bridge protocol, from the host side
    #[command(subcommand)]
    Spi(SpiCommand),
    /// Create emulated HID devices through /dev/uhid
    #[command(subcommand)]
    Emulate(EmulateCommand),
}

fn hex_u16(s: &str) -> Result<u16, String> {
    let t = s.trim().trim_start_matches("0x");
    if t.is_empty() || t.len() > 4 {
        return Err(format!("'{s}': expected 1-4 hex digits"));
    }
    u16::from_str_radix(t, 16).map_err(|_| format!("'{s}': expected 1-4 hex digits"))
}

/// A byte: 0x.. hex or decimal.
fn byte_arg(s: &str) -> Result<u8, String> {
    let t = s.trim();
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        u8::from_str_radix(h, 16)
    } else {
        t.parse()
    };
    v.map_err(|_| format!("'{s}': expected a byte, 0-255 or 0x00-0xff"))
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(Error::Usage("a command is required; see 'hidctl --help'".into()).into());
        };
        Ok(cmd::run(&self.dev, command)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        crate::cli::assert_cli_conventions(Cli::command());
    }

    #[test]
    fn arg_parsers() {
        assert_eq!(hex_u16("0627"), Ok(0x627));
        assert_eq!(hex_u16("0xff00"), Ok(0xff00));
        assert!(hex_u16("12345").is_err());
        assert_eq!(byte_arg("0x7f"), Ok(0x7f));
        assert_eq!(byte_arg("200"), Ok(200));
        assert!(byte_arg("256").is_err());
    }
}
