//! `spictl`: Linux spidev control. This module holds the command line; the bus seam,
//! its backends and each command live in modules of their own.

pub mod bus;
pub mod device;
pub mod flash;
pub mod info;
pub mod layout;
pub mod num;
pub mod protect;
pub mod reg;
pub mod regmap;
pub mod sample;
pub mod sfdp;
pub mod sim;
pub mod spidev;
pub mod xfer;

use clap::{Args, Parser, Subcommand};

use crate::cli::{CommonArgs, Outcome, OutputArgs, Tool};
use crate::error::Error;
use bus::{ConfigChange, SpiBus};

const EXAMPLES: &str = "\
Examples:
  spictl --device /dev/spidev0.0 info                      mode, bits, speed, bufsiz
  spictl --device /dev/spidev0.0 --mode 3 --speed 10M xfer 9f000000
  spictl --device sim:w25q128=chip.img flash write image.bin
  spictl --device sim:mcp3008 sample --channel 0 --rate 1000 --count 5000 | etl count
  spictl --device sim:regmap=bme280.toml reg read ctrl_meas
  spictl --device hid:1209:0001 flash id                     through a HID-SPI bridge

Devices: /dev/spidevB.C (or spidevB.C) is real hardware through spidev. sim:loopback,
sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL] (SIGNAL: sine, sine:HZ, noise, file:PATH),
the flashes sim:w25q128, sim:w25q256, sim:mx25l25635e, sim:mx25l25645g,
sim:mx66l1g45g (each [=IMAGE]; the 32 and 128 MiB ones with SFDP and 4-byte addressing)
and sim:sst26vf064b (an SFDP sector map: 8 and 32 KiB blocks at both ends; locked at
power-up), and sim:regmap=MAP.toml
are simulated chips, named as such in the output; an IMAGE file keeps the simulated
flash between commands. hid:VID:PID[:SERIAL]
(or hid:/dev/hidrawN) drives the bus through a HID-SPI bridge speaking hidctl's bridge
protocol (see hidctl(1); 'hidctl emulate bridge' makes one); hid:sim:CHIP is that
bridge simulated in process in front of a simulated chip.

Exit status: 0 success, 1 failure, 2 usage error, 3 finished but samples were lost (overruns).";

/// Drive SPI devices through Linux spidev: transfers, registers, ADC sampling, SPI NOR flash
#[derive(Debug, Parser)]
#[command(name = "spictl", version, long_version = crate::cli::LONG_VERSION, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub bus: BusArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which bus, and settings to apply before the command runs.
#[derive(Debug, Clone, Args)]
pub struct BusArgs {
    /// The SPI device: /dev/spidevB.C, a HID-SPI bridge hid:VID:PID[:SERIAL] (or
    /// hid:/dev/hidrawN, see hidctl(1)), or a simulated chip sim:loopback,
    /// sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256,
    /// mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml
    #[arg(
        short = 'd',
        long,
        global = true,
        env = "SPICTL_DEVICE",
        value_name = "DEVICE"
    )]
    pub device: Option<String>,

    /// SPI mode 0-3 (CPOL<<1 | CPHA)
    #[arg(long, global = true, value_name = "0-3", value_parser = clap::value_parser!(u8).range(0..=3))]
    pub mode: Option<u8>,

    /// Clock in Hz (k and M suffixes: 500k, 10M)
    #[arg(long, global = true, value_name = "HZ", value_parser = hz_arg)]
    pub speed: Option<u32>,

    /// Bits per word
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=32))]
    pub bits: Option<u8>,

    /// Shift bits out least significant first (=false to turn off)
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub lsb_first: Option<bool>,

    /// Chip select active high (=false to turn off)
    #[arg(long, global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub cs_high: Option<bool>,

    /// 3-wire mode: one shared data line (=false to turn off)
    #[arg(long = "3wire", global = true, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub three_wire: Option<bool>,
}

impl BusArgs {
    pub fn change(&self) -> ConfigChange {
        ConfigChange {
            mode: self.mode,
            bits: self.bits,
            speed_hz: self.speed,
            lsb_first: self.lsb_first,
            cs_high: self.cs_high,
            three_wire: self.three_wire,
        }
    }

    /// Opens the device and applies the settings given on the command line.
    pub fn open(&self) -> crate::error::Result<Box<dyn SpiBus>> {
        let mut bus = device::open(self.device.as_deref())?;
        bus.configure(&self.change())?;
        Ok(bus)
    }
}

/// Hz with optional k/M suffix (decimal, as clocks are quoted).
fn hz_arg(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1e3),
        Some('M') => (&t[..t.len() - 1], 1e6),
        _ => (t, 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("'{text}' is not a clock in Hz (e.g. 1000000, 500k, 10M)"))?;
    let hz = v * mult;
    if !(1.0..=u32::MAX as f64).contains(&hz) || hz.fract() != 0.0 {
        return Err(format!(
            "'{text}': the clock must be a whole number of Hz, 1 to {}",
            u32::MAX
        ));
    }
    Ok(hz as u32)
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the device and its settings: mode, bits, speed, flags and spidev's bufsiz
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 info
  spictl --device sim:w25q128=chip.img info -o ndjson")]
    Info {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Change the bus settings given as options and show them
    ///
    /// The options are --mode, --speed, --bits, --lsb-first, --cs-high and --3wire.
    /// spidev keeps settings per device until they are changed again, so later commands
    /// inherit them; a simulation keeps them for this one command only.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 config --mode 3 --speed 10M --bits 8
  spictl --device /dev/spidev0.0 config --cs-high=false --lsb-first=false")]
    Config {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Full-duplex transfer: one record per segment with the bytes sent and received (hex)
    ///
    /// Each HEX argument is one segment of a single message: chip select stays active
    /// across segments unless a segment ends in @cs. Suffixes per segment: @cs
    /// (deselect after it), @delay=US (wait after it), @speed=HZ (its own clock).
    /// Messages larger than spidev's bufsiz are split, with a warning, because chip
    /// select then toggles between the pieces.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 xfer 9f000000             JEDEC id of a SPI flash
  spictl --device sim:loopback xfer 'de ad be ef' 0102@cs 03@delay=10
  spictl --device sim:mcp3008 xfer 018000 -o table          one ADC conversion, channel 0
  spictl --device sim:loopback xfer --file frame.bin")]
    Xfer(xfer::XferArgs),
    /// Raw bytes: stdin goes out on the bus in blocks, what comes back goes to stdout
    #[command(after_help = "\
Examples:
  printf '\\x9f\\0\\0\\0' | spictl --device /dev/spidev0.0 pipe --block-size 4 | xxd
  head -c 1M /dev/urandom > r.bin; spictl --device sim:loopback pipe < r.bin | cmp - r.bin")]
    Pipe(xfer::PipeArgs),
    /// Read and write registers, optionally decoded with a TOML register map
    #[command(subcommand)]
    Reg(reg::RegCommand),
    /// Sample an MCP3008/MCP3208 ADC at a fixed rate: timestamped records
    ///
    /// Samples are scheduled on a fixed grid of slots (rate HZ). Each record carries its
    /// slot (seq) and its lag behind schedule (lag_ns); when the program falls more than
    /// one period behind, the missed slots are reported as an `overrun` record (seq: the
    /// first missed slot, missed: how many) and on stderr, and the exit status is 3.
    /// Every record has the same fields (missed is 0 on samples), so etl never has to
    /// widen the schema mid-stream. --count N counts slots, sampled or missed, so a run
    /// covers exactly N/rate seconds from its start and `etl agg --window` gets whole
    /// windows. A summary of the timing goes to stderr at the end. Without --count it
    /// runs until the output closes or SIGINT/SIGTERM, and then ends the stream cleanly.
    #[command(after_help = "\
Examples:
  spictl --device sim:mcp3008 sample --channel 0 --rate 1000 --count 5000 | etl count
  spictl --device /dev/spidev0.0 sample --chip mcp3208 --channel 0,1 --rate 200 --out adc.parquet
  spictl --device sim:mcp3008=noise sample --channel 3 --rate 50 -o table
  spictl --device /dev/spidev0.0 sample --channel 0 --rate 5000 --rt-priority 50 | etl count")]
    Sample(sample::SampleArgs),
    /// 25-series SPI NOR flash: id, read, write, erase, verify
    #[command(subcommand)]
    Flash(flash::FlashCommand),
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(Error::Usage("a command is required; see 'spictl --help'".into()).into());
        };
        Ok(match command {
            Command::Info { output } => info::info(&self.bus, &output)?,
            Command::Config { output } => info::config(&self.bus, &output)?,
            Command::Xfer(a) => xfer::xfer(&self.bus, &a)?,
            Command::Pipe(a) => xfer::pipe(&self.bus, &a)?,
            Command::Reg(c) => reg::run(&self.bus, &c)?,
            Command::Sample(a) => sample::run(&self.bus, &a)?,
            Command::Flash(c) => flash::run(&self.bus, &c)?,
        })
    }
}

/// A file argument where `-` means stdin/stdout.
pub fn is_stdio(path: &std::path::Path) -> bool {
    path == std::path::Path::new("-")
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
    fn hz_suffixes() {
        assert_eq!(hz_arg("10M").unwrap(), 10_000_000);
        assert_eq!(hz_arg("500k").unwrap(), 500_000);
        assert_eq!(hz_arg("1.5M").unwrap(), 1_500_000);
        assert!(hz_arg("0").is_err());
        assert!(hz_arg("fast").is_err());
    }
}
