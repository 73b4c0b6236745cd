//! `spictl flash`: 25-series SPI NOR flash (W25Q, MX25L, GD25Q, N25Q...) with 3-byte
//! addresses, through any `SpiBus`.
//!
//! Commands used: JEDEC id 0x9F, read 0x03, fast read 0x0B, write enable 0x06, page
//! program 0x02, sector erase 0x20 (4 KiB), block erase 0x52 (32 KiB) and 0xD8 (64 KiB),
//! chip erase 0xC7, read status 0x05 (polling WIP). Every read and program is one
//! message no larger than the bus takes at once, so spidev never has to split a command
//! (which would release chip select in the middle of it).
//!
//! READ 0x03 has no dummy cycles, so the chip has to fetch each byte within half a
//! clock; 25-series parts allow it only up to about 50 MHz (W25Q128JV and MX25L12835F:
//! 50 MHz). Above that, reads use FAST_READ 0x0B, whose dummy byte after the address
//! gives the chip that time, up to its maximum clock (W25Q128JV: 133 MHz).
//!
//! `write` works as flashrom does: it reads the 4 KiB sectors the image touches, leaves
//! alone those that already hold the data, erases (with the largest blocks that fit)
//! only those that need a 0 bit turned back into 1, keeps the bytes of partly covered
//! sectors, programs the pages that differ, and verifies. `--no-erase` programs over
//! what is there, which can only clear bits, and the verify then shows where that fell
//! short.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::{ArrayRef, BinaryArray, BooleanArray, Float64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field};
use clap::{Args, Subcommand};

use super::bus::{BusInfo, SpiBus};
use super::num::size_arg;
use super::BusArgs;
use crate::cli::{progress, Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, write_all, Records};
use crate::record::text::{now_ns, to_hex};
use crate::record::writer::{close, open_destination, writing};

pub const PAGE: usize = 256;
pub const SECTOR: usize = 4 << 10;

const RDID: u8 = 0x9f;
const READ: u8 = 0x03;
const FAST_READ: u8 = 0x0b;
/// The fastest clock at which READ 0x03 is safe on 25-series parts (W25Q128JV fR).
pub const READ_MAX_HZ: u32 = 50_000_000;
const WREN: u8 = 0x06;
const PP: u8 = 0x02;
const RDSR: u8 = 0x05;
const CE: u8 = 0xc7;

/// Erase granularities, largest first: (opcode, size, datasheet max time).
const ERASES: [(u8, usize, Duration); 3] = [
    (0xd8, 64 << 10, Duration::from_secs(2)),
    (0x52, 32 << 10, Duration::from_millis(1600)),
    (0x20, SECTOR, Duration::from_millis(400)),
];
const T_PP_MAX: Duration = Duration::from_millis(3);
const T_CE_MAX: Duration = Duration::from_secs(200);

#[derive(Debug, Subcommand)]
pub enum FlashCommand {
    /// Read the JEDEC id and name the part and its size
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash id
  spictl --device sim:w25q128 flash id -o table")]
    Id {
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Read the flash (or a range of it) into a file or stdout
    ///
    /// Up to 50 MHz reads use READ (0x03); above it, where READ is out of spec on
    /// 25-series parts, they use FAST_READ (0x0B) with its dummy byte. Verifying after a
    /// write and `flash verify` read the same way.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash read backup.bin
  spictl --device /dev/spidev0.0 --speed 80M flash read backup.bin    FAST_READ at 80 MHz
  spictl --device sim:w25q128=chip.img flash read --offset 0x10000 --length 4K - | xxd | head")]
    Read {
        /// Output file ('-': stdout)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        range: RangeArgs,
        #[command(flatten)]
        flash: FlashArgs,
    },
    /// Write an image: erase what it touches, program, verify
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash write firmware.bin
  spictl --device sim:w25q128=chip.img flash write image.bin --offset 1M
  spictl --device sim:w25q128=chip.img flash write patch.bin --no-erase --no-verify")]
    Write {
        /// The image ('-': stdin)
        #[arg(value_name = "IMAGE")]
        image: PathBuf,
        /// Where the image starts in the flash (K/M suffixes)
        #[arg(long, value_name = "ADDR", default_value = "0", value_parser = size_arg)]
        offset: u64,
        /// Program over the current contents without erasing (can only clear bits)
        #[arg(long)]
        no_erase: bool,
        /// Skip reading back and comparing
        #[arg(long)]
        no_verify: bool,
        #[command(flatten)]
        flash: FlashArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Erase the whole chip, or a 4 KiB-aligned range
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash erase                        chip erase (W25Q128: ~40 s)
  spictl --device sim:w25q128=chip.img flash erase --offset 64K --length 128K")]
    Erase {
        #[command(flatten)]
        range: RangeArgs,
        #[command(flatten)]
        flash: FlashArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Compare the flash with an image
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash verify firmware.bin
  spictl --device sim:w25q128=chip.img flash verify image.bin --offset 1M")]
    Verify {
        /// The image ('-': stdin)
        #[arg(value_name = "IMAGE")]
        image: PathBuf,
        /// Where the image starts in the flash (K/M suffixes)
        #[arg(long, value_name = "ADDR", default_value = "0", value_parser = size_arg)]
        offset: u64,
        #[command(flatten)]
        flash: FlashArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

#[derive(Debug, Args)]
pub struct RangeArgs {
    /// Start address (K/M suffixes)
    #[arg(long, value_name = "ADDR", value_parser = size_arg)]
    pub offset: Option<u64>,
    /// Bytes (K/M suffixes) [default: to the end of the flash]
    #[arg(long, value_name = "N", value_parser = size_arg)]
    pub length: Option<u64>,
}

#[derive(Debug, Args)]
pub struct FlashArgs {
    /// Flash size when the JEDEC id does not tell it (K/M suffixes)
    #[arg(long, value_name = "BYTES", value_parser = size_arg)]
    pub size: Option<u64>,
}

/// What the JEDEC id says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub jedec: [u8; 3],
    pub vendor: &'static str,
    pub name: Option<&'static str>,
    pub size: usize,
}

const KNOWN: &[([u8; 3], &str)] = &[
    ([0xef, 0x40, 0x18], "W25Q128JV"),
    ([0xef, 0x70, 0x18], "W25Q128JV-M"),
    ([0xef, 0x40, 0x17], "W25Q64JV"),
    ([0xef, 0x40, 0x16], "W25Q32JV"),
    ([0xef, 0x40, 0x15], "W25Q16JV"),
    ([0xef, 0x40, 0x14], "W25Q80DV"),
    ([0xc2, 0x20, 0x18], "MX25L12835F"),
    ([0xc2, 0x20, 0x17], "MX25L6433F"),
    ([0xc2, 0x20, 0x16], "MX25L3233F"),
    ([0xc8, 0x40, 0x18], "GD25Q128C"),
    ([0xc8, 0x40, 0x17], "GD25Q64C"),
    ([0x20, 0xba, 0x18], "N25Q128A"),
];

fn vendor(id: u8) -> &'static str {
    match id {
        0xef => "Winbond",
        0xc2 => "Macronix",
        0xc8 => "GigaDevice",
        0x20 => "Micron",
        0x01 => "Spansion/Infineon",
        0x1f => "Adesto",
        0xbf => "SST/Microchip",
        0x9d => "ISSI",
        _ => "unknown",
    }
}

/// Names the part; the size comes from the capacity byte (2^n bytes) or `--size`.
pub fn identify(jedec: [u8; 3], size: Option<u64>) -> std::result::Result<Part, String> {
    if jedec == [0xff; 3] || jedec == [0; 3] {
        return Err(format!(
            "no flash answered (JEDEC id {}): check wiring, chip select, power and --mode (0 or 3)",
            to_hex(&jedec)
        ));
    }
    let name = KNOWN.iter().find(|(id, _)| *id == jedec).map(|(_, n)| *n);
    let size = match size {
        Some(s) => s as usize,
        None if (0x10..=0x18).contains(&jedec[2]) => 1usize << jedec[2],
        None if jedec[2] > 0x18 && jedec[2] <= 0x22 => {
            return Err(format!(
                "JEDEC id {}: a {} MiB part needs 4-byte addressing, which spictl does not do",
                to_hex(&jedec),
                (1usize << jedec[2]) >> 20
            ))
        }
        None => {
            return Err(format!(
                "JEDEC id {}: cannot tell the size; give --size",
                to_hex(&jedec)
            ))
        }
    };
    if !(SECTOR..=16 << 20).contains(&size) || !size.is_power_of_two() {
        return Err(format!(
            "--size {size}: must be a power of two from 4 KiB to 16 MiB (3-byte addressing)"
        ));
    }
    Ok(Part {
        jedec,
        vendor: vendor(jedec[0]),
        name,
        size,
    })
}

/// Erase operations for a sector-aligned range, largest blocks first where aligned.
pub fn erase_plan(start: usize, len: usize) -> Vec<(u8, usize, usize)> {
    let mut ops = Vec::new();
    let (mut a, end) = (start, start + len);
    while a < end {
        let &(op, size, _) = ERASES
            .iter()
            .find(|(_, size, _)| a % size == 0 && a + size <= end)
            .unwrap_or(&ERASES[2]);
        ops.push((op, a, size));
        a += size;
    }
    ops
}

/// A 25-series flash on a bus.
pub struct Flash<'a> {
    bus: &'a mut dyn SpiBus,
    pub part: Part,
    /// READ, or FAST_READ when the clock is above `READ_MAX_HZ`.
    read_op: u8,
    /// Bytes of a read message before the data: opcode, address (and dummy byte).
    read_header: usize,
    /// Data bytes per read message.
    read_chunk: usize,
    /// Data bytes per page program message.
    program_chunk: usize,
}

pub fn read_jedec(bus: &mut dyn SpiBus) -> Result<[u8; 3]> {
    let rx = bus.xfer(&[RDID, 0, 0, 0])?;
    Ok([rx[1], rx[2], rx[3]])
}

fn addr_cmd(op: u8, addr: usize) -> Vec<u8> {
    vec![op, (addr >> 16) as u8, (addr >> 8) as u8, addr as u8]
}

/// The read command for a clock: (opcode, header bytes before the data). FAST_READ's
/// header is the opcode, the address and one dummy byte.
pub fn read_command(speed_hz: u32) -> (u8, usize) {
    if speed_hz > READ_MAX_HZ {
        (FAST_READ, 5)
    } else {
        (READ, 4)
    }
}

impl<'a> Flash<'a> {
    pub fn probe(bus: &'a mut dyn SpiBus, size: Option<u64>) -> Result<Flash<'a>> {
        let device = bus.info().device;
        let jedec = read_jedec(bus)?;
        let part = identify(jedec, size).map_err(|m| Error::device(&device, m))?;
        let max = bus.info().max_transfer;
        let (read_op, header) = read_command(bus.config()?.speed_hz);
        if max <= header {
            return Err(Error::device(
                device,
                format!("the bus takes only {max} bytes per message"),
            ));
        }
        Ok(Flash {
            bus,
            part,
            read_op,
            read_header: header,
            read_chunk: (max - header).min(64 << 10),
            program_chunk: (max - 4).min(PAGE),
        })
    }

    pub fn read(&mut self, addr: usize, out: &mut [u8]) -> Result<()> {
        for (i, chunk) in out.chunks_mut(self.read_chunk).enumerate() {
            let a = addr + i * self.read_chunk;
            // Zeros after the address: FAST_READ's dummy byte, then one per data byte.
            let mut tx = addr_cmd(self.read_op, a);
            tx.resize(self.read_header + chunk.len(), 0);
            let rx = self.bus.xfer(&tx)?;
            chunk.copy_from_slice(&rx[self.read_header..]);
        }
        Ok(())
    }

    fn status(&mut self) -> Result<u8> {
        Ok(self.bus.xfer(&[RDSR, 0])?[1])
    }

    /// Polls WIP until clear; `max` is the datasheet maximum (we allow twice that).
    fn wait_ready(&mut self, what: &str, typical: Duration, max: Duration) -> Result<()> {
        let start = Instant::now();
        let poll = (typical / 10).clamp(Duration::from_micros(20), Duration::from_millis(5));
        loop {
            if self.status()? & 1 == 0 {
                return Ok(());
            }
            if start.elapsed() > max * 2 {
                return Err(Error::device(
                    self.bus.info().device,
                    format!(
                        "flash still busy (WIP) {} ms after {what}",
                        start.elapsed().as_millis()
                    ),
                ));
            }
            std::thread::sleep(poll);
        }
    }

    fn write_enable(&mut self) -> Result<()> {
        self.bus.xfer(&[WREN])?;
        if self.status()? & 2 == 0 {
            return Err(Error::device(
                self.bus.info().device,
                "write enable did not set WEL: the flash is write-protected (WP# pin or status register)",
            ));
        }
        Ok(())
    }

    /// Programs `data` at `addr`, cutting at page boundaries (the chip would wrap).
    pub fn program(&mut self, addr: usize, data: &[u8]) -> Result<()> {
        let mut off = 0;
        while off < data.len() {
            let a = addr + off;
            let room = (PAGE - a % PAGE).min(self.program_chunk);
            let n = room.min(data.len() - off);
            self.write_enable()?;
            let mut tx = addr_cmd(PP, a);
            tx.extend_from_slice(&data[off..off + n]);
            self.bus.xfer(&tx)?;
            self.wait_ready("page program", Duration::from_micros(700), T_PP_MAX)?;
            off += n;
        }
        Ok(())
    }

    pub fn erase(&mut self, op: u8, addr: usize) -> Result<()> {
        let &(_, size, max) = ERASES
            .iter()
            .find(|e| e.0 == op)
            .expect("known erase opcode");
        self.write_enable()?;
        self.bus.xfer(&addr_cmd(op, addr))?;
        self.wait_ready(
            &format!("erasing {} KiB at {addr:#x}", size >> 10),
            max / 10,
            max,
        )
    }

    pub fn chip_erase(&mut self) -> Result<()> {
        self.write_enable()?;
        self.bus.xfer(&[CE])?;
        self.wait_ready("chip erase", T_CE_MAX / 5, T_CE_MAX)
    }
}

fn check_range(part: &Part, offset: u64, len: u64) -> Result<(usize, usize)> {
    if offset
        .checked_add(len)
        .is_none_or(|end| end > part.size as u64)
    {
        return Err(Error::Usage(format!(
            "range {offset:#x}+{len:#x} is outside the {} MiB flash",
            part.size >> 20
        )));
    }
    Ok((offset as usize, len as usize))
}

fn read_image(path: &std::path::Path) -> Result<Vec<u8>> {
    let data = if super::is_stdio(path) {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut v)
            .map_err(|e| Error::io("reading stdin", e))?;
        v
    } else {
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?
    };
    if data.is_empty() {
        return Err(Error::data(
            Location::of(path.display().to_string()),
            "the image is empty",
        ));
    }
    Ok(data)
}

/// What an operation did, as one record.
#[derive(Default)]
struct Summary {
    op: &'static str,
    offset: usize,
    length: usize,
    erased: u64,
    programmed: u64,
    verified: Option<bool>,
    mismatches: Option<u64>,
    first_mismatch: Option<u64>,
}

fn emit(
    output: &OutputArgs,
    bus: &BusInfo,
    part: &Part,
    s: &Summary,
    started: Instant,
) -> Result<()> {
    let sc = schema(vec![
        ts_field(),
        Field::new("device", DataType::Utf8, false),
        Field::new("part", DataType::Utf8, false),
        Field::new("op", DataType::Utf8, false),
        Field::new("offset", DataType::UInt64, false),
        Field::new("length", DataType::UInt64, false),
        Field::new("erased_bytes", DataType::UInt64, false),
        Field::new("programmed_bytes", DataType::UInt64, false),
        Field::new("verified", DataType::Boolean, true),
        Field::new("mismatches", DataType::UInt64, true),
        Field::new("first_mismatch", DataType::UInt64, true),
        Field::new("seconds", DataType::Float64, false),
    ]);
    let cols: Vec<ArrayRef> = vec![
        ts_array(vec![now_ns()]),
        Arc::new(StringArray::from(vec![bus.device.as_str()])),
        Arc::new(StringArray::from(vec![part_name(part, bus)])),
        Arc::new(StringArray::from(vec![s.op])),
        Arc::new(UInt64Array::from(vec![s.offset as u64])),
        Arc::new(UInt64Array::from(vec![s.length as u64])),
        Arc::new(UInt64Array::from(vec![s.erased])),
        Arc::new(UInt64Array::from(vec![s.programmed])),
        Arc::new(BooleanArray::from(vec![s.verified])),
        Arc::new(UInt64Array::from(vec![s.mismatches])),
        Arc::new(UInt64Array::from(vec![s.first_mismatch])),
        Arc::new(Float64Array::from(vec![started.elapsed().as_secs_f64()])),
    ];
    write_all(output, &batch(&sc, cols)?)
}

/// The part's name, labelled when the bus is a simulation (`sim:` or a simulated HID
/// bridge), so output from a simulation is never mistaken for hardware.
fn part_name(part: &Part, bus: &BusInfo) -> String {
    let name = part.name.unwrap_or("unknown part");
    if bus.kind == "simulation" {
        format!("{name} (simulated)")
    } else {
        name.to_string()
    }
}

/// Compares in chunks with a progress bar: (mismatching bytes, first mismatch address).
fn compare(f: &mut Flash, offset: usize, image: &[u8]) -> Result<(u64, Option<u64>)> {
    let bar = progress::bytes(Some(image.len() as u64));
    let (mut bad, mut first) = (0u64, None);
    let mut buf = vec![0u8; 64 << 10];
    for (i, want) in image.chunks(buf.len()).enumerate() {
        let got = &mut buf[..want.len()];
        f.read(offset + i * (64 << 10), got)?;
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            if g != w {
                bad += 1;
                first.get_or_insert((offset + i * (64 << 10) + j) as u64);
            }
        }
        bar.inc(want.len() as u64);
    }
    bar.finish_and_clear();
    Ok((bad, first))
}

fn mismatch_error(device: &str, bad: u64, first: Option<u64>, hint: &str) -> Error {
    Error::device(
        device,
        format!(
            "verify failed: {bad} bytes differ, the first at {:#x}",
            first.unwrap_or(0)
        ),
    )
    .with_hint(hint)
}

/// Plans and runs an erase-program of `image` at `offset`: returns (erased, programmed).
fn write_erasing(f: &mut Flash, offset: usize, image: &[u8]) -> Result<(u64, u64)> {
    let start = offset / SECTOR * SECTOR;
    let end = (offset + image.len()).div_ceil(SECTOR) * SECTOR;
    let mut current = vec![0u8; end - start];
    let bar = progress::bytes(Some(current.len() as u64));
    for (i, chunk) in current.chunks_mut(64 << 10).enumerate() {
        f.read(start + i * (64 << 10), chunk)?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let mut desired = current.clone();
    desired[offset - start..offset - start + image.len()].copy_from_slice(image);

    // Which sectors need an erase (a 0 that must become 1), which only programming.
    let sectors = current.len() / SECTOR;
    let needs_erase: Vec<bool> = (0..sectors)
        .map(|s| {
            let r = s * SECTOR..(s + 1) * SECTOR;
            current[r.clone()]
                .iter()
                .zip(&desired[r])
                .any(|(c, d)| c & d != *d)
        })
        .collect();
    // Runs of sectors needing erase become erase plans with the largest blocks.
    let mut ops = Vec::new();
    let mut s = 0;
    while s < sectors {
        if !needs_erase[s] {
            s += 1;
            continue;
        }
        let run_start = s;
        while s < sectors && needs_erase[s] {
            s += 1;
        }
        ops.extend(erase_plan(
            start + run_start * SECTOR,
            (s - run_start) * SECTOR,
        ));
    }
    let erase_bar = progress::items(ops.len() as u64, "erase blocks");
    let mut erased = 0u64;
    for (op, addr, size) in ops {
        f.erase(op, addr)?;
        current[addr - start..addr - start + size].fill(0xff);
        erased += size as u64;
        erase_bar.inc(1);
    }
    erase_bar.finish_and_clear();

    // Program pages that differ from what is there now (erased or not).
    let bar = progress::bytes(Some(desired.len() as u64));
    let mut programmed = 0u64;
    for (p, (cur, want)) in current.chunks(PAGE).zip(desired.chunks(PAGE)).enumerate() {
        if cur != want {
            f.program(start + p * PAGE, want)?;
            programmed += want.len() as u64;
        }
        bar.inc(want.len() as u64);
    }
    bar.finish_and_clear();
    Ok((erased, programmed))
}

/// Programs the image as is, over whatever the flash holds; all-0xFF pages are
/// skipped because programming 0xFF changes nothing.
fn write_no_erase(f: &mut Flash, offset: usize, image: &[u8]) -> Result<u64> {
    let bar = progress::bytes(Some(image.len() as u64));
    let mut programmed = 0u64;
    let mut off = 0;
    while off < image.len() {
        let a = offset + off;
        let n = (PAGE - a % PAGE).min(image.len() - off);
        let piece = &image[off..off + n];
        if piece.iter().any(|&b| b != 0xff) {
            f.program(a, piece)?;
            programmed += n as u64;
        }
        off += n;
        bar.inc(n as u64);
    }
    bar.finish_and_clear();
    Ok(programmed)
}

pub fn run(bus_args: &BusArgs, cmd: &FlashCommand) -> Result<Outcome> {
    let started = Instant::now();
    match cmd {
        FlashCommand::Id { output } => {
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let device = info.device.clone();
            let jedec = read_jedec(bus.as_mut())?;
            let part = identify(jedec, None).map_err(|m| Error::device(&device, m))?;
            let s = schema(vec![
                ts_field(),
                Field::new("device", DataType::Utf8, false),
                Field::new("jedec", DataType::Binary, false),
                Field::new("vendor", DataType::Utf8, false),
                Field::new("part", DataType::Utf8, false),
                Field::new("size_bytes", DataType::UInt64, false),
            ]);
            let cols: Vec<ArrayRef> = vec![
                ts_array(vec![now_ns()]),
                Arc::new(StringArray::from(vec![device.as_str()])),
                Arc::new(BinaryArray::from_vec(vec![&jedec[..]])),
                Arc::new(StringArray::from(vec![part.vendor])),
                Arc::new(StringArray::from(vec![part_name(&part, &info)])),
                Arc::new(UInt64Array::from(vec![part.size as u64])),
            ];
            write_all(output, &batch(&s, cols)?)?;
        }
        FlashCommand::Read { file, range, flash } => {
            let to_stdout = super::is_stdio(file);
            if to_stdout && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Error::Usage(
                    "refusing to write flash contents to a terminal; give a file or redirect stdout".into(),
                ));
            }
            let mut bus = bus_args.open()?;
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let offset = range.offset.unwrap_or(0);
            let len = range
                .length
                .unwrap_or((f.part.size as u64).saturating_sub(offset));
            let (offset, len) = check_range(&f.part, offset, len)?;
            let dest = (!to_stdout).then_some(file.as_path());
            let mut out = open_destination(dest)?;
            let what = writing(dest);
            let bar = progress::bytes(Some(len as u64));
            let mut buf = vec![0u8; 64 << 10];
            let mut done = 0;
            while done < len {
                let n = buf.len().min(len - done);
                f.read(offset + done, &mut buf[..n])?;
                out.write_all(&buf[..n])
                    .map_err(|e| Error::io(what.clone(), e))?;
                done += n;
                bar.inc(n as u64);
            }
            close(out).map_err(|e| Error::io(what, e))?;
            bar.finish_and_clear();
        }
        FlashCommand::Write {
            image,
            offset,
            no_erase,
            no_verify,
            flash,
            output,
        } => {
            let data = read_image(image)?;
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let device = info.device.clone();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, len) = check_range(&f.part, *offset, data.len() as u64)?;
            let mut s = Summary {
                op: "write",
                offset,
                length: len,
                ..Summary::default()
            };
            if *no_erase {
                s.programmed = write_no_erase(&mut f, offset, &data)?;
            } else {
                (s.erased, s.programmed) = write_erasing(&mut f, offset, &data)?;
            }
            if !*no_verify {
                let (bad, first) = compare(&mut f, offset, &data)?;
                s.verified = Some(bad == 0);
                s.mismatches = Some(bad);
                s.first_mismatch = first;
                let part = f.part.clone();
                emit(output, &info, &part, &s, started)?;
                if bad > 0 {
                    let hint = if *no_erase {
                        "--no-erase programs over the old contents and can only turn 1 bits into 0; write without it to erase first"
                    } else {
                        "the flash did not keep what was programmed: check write protection, power and the clock"
                    };
                    return Err(mismatch_error(&device, bad, first, hint));
                }
            } else {
                let part = f.part.clone();
                emit(output, &info, &part, &s, started)?;
            }
        }
        FlashCommand::Erase {
            range,
            flash,
            output,
        } => {
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let offset = range.offset.unwrap_or(0);
            let len = range
                .length
                .unwrap_or((f.part.size as u64).saturating_sub(offset));
            let (offset, len) = check_range(&f.part, offset, len)?;
            if offset % SECTOR != 0 || len % SECTOR != 0 || len == 0 {
                return Err(Error::Usage(format!(
                    "flash erase: --offset {offset:#x} and --length {len:#x} must be non-empty multiples of 4 KiB (0x1000)"
                )));
            }
            if offset == 0 && len == f.part.size {
                let bar = progress::bytes(None);
                bar.enable_steady_tick(Duration::from_millis(200));
                f.chip_erase()?;
                bar.finish_and_clear();
            } else {
                let ops = erase_plan(offset, len);
                let bar = progress::items(ops.len() as u64, "erase blocks");
                for (op, addr, _) in ops {
                    f.erase(op, addr)?;
                    bar.inc(1);
                }
                bar.finish_and_clear();
            }
            let part = f.part.clone();
            let s = Summary {
                op: "erase",
                offset,
                length: len,
                erased: len as u64,
                ..Summary::default()
            };
            emit(output, &info, &part, &s, started)?;
        }
        FlashCommand::Verify {
            image,
            offset,
            flash,
            output,
        } => {
            let data = read_image(image)?;
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let device = info.device.clone();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, len) = check_range(&f.part, *offset, data.len() as u64)?;
            let (bad, first) = compare(&mut f, offset, &data)?;
            let part = f.part.clone();
            let s = Summary {
                op: "verify",
                offset,
                length: len,
                verified: Some(bad == 0),
                mismatches: Some(bad),
                first_mismatch: first,
                ..Summary::default()
            };
            emit(output, &info, &part, &s, started)?;
            if bad > 0 {
                return Err(mismatch_error(
                    &device,
                    bad,
                    first,
                    "the flash does not hold this image",
                ));
            }
        }
    }
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spi::sim::SimBus;

    #[test]
    fn identify_parts() {
        let p = identify([0xef, 0x40, 0x18], None).unwrap();
        assert_eq!(
            (p.vendor, p.name, p.size),
            ("Winbond", Some("W25Q128JV"), 16 << 20)
        );
        assert!(identify([0xff; 3], None)
            .unwrap_err()
            .contains("no flash answered"));
        assert!(identify([0xef, 0x40, 0x19], None)
            .unwrap_err()
            .contains("4-byte"));
        assert!(identify([0x12, 0x34, 0x56], None)
            .unwrap_err()
            .contains("--size"));
        assert_eq!(
            identify([0x12, 0x34, 0x56], Some(1 << 20)).unwrap().size,
            1 << 20
        );
    }

    #[test]
    fn erase_plan_uses_largest_aligned_blocks() {
        // 4K at 60K, then a 64K block, then 32K + 4K.
        let ops = erase_plan(60 << 10, 4096 + (64 << 10) + (36 << 10));
        let sizes: Vec<(u8, usize)> = ops.iter().map(|o| (o.0, o.2)).collect();
        assert_eq!(
            sizes,
            vec![
                (0x20, 4096),
                (0xd8, 64 << 10),
                (0x52, 32 << 10),
                (0x20, 4096)
            ]
        );
        assert_eq!(ops[1].1, 64 << 10);
    }

    #[test]
    fn partial_sector_write_keeps_neighbours() {
        let mut bus = SimBus::open("sim:w25q128").unwrap();
        let mut f = Flash::probe(&mut bus, None).unwrap();
        f.program(0x1000, &[0x11; 64]).unwrap();
        // Rewrite 16 bytes in the middle: needs an erase (0x11 -> 0x22 sets bits).
        let (erased, programmed) = write_erasing(&mut f, 0x1010, &[0x22; 16]).unwrap();
        assert_eq!((erased, programmed), (4096, 256));
        let mut back = vec![0; 64];
        f.read(0x1000, &mut back).unwrap();
        assert_eq!(&back[..16], &[0x11; 16]);
        assert_eq!(&back[16..32], &[0x22; 16]);
        assert_eq!(&back[32..], &[0x11; 32]);
        // Same data again: nothing to do.
        assert_eq!(write_erasing(&mut f, 0x1010, &[0x22; 16]).unwrap(), (0, 0));
        // Only clearing bits: programmed without erase.
        assert_eq!(
            write_erasing(&mut f, 0x1010, &[0x20; 16]).unwrap(),
            (0, 256)
        );
    }

    /// A simulated flash that notes the opcode of every message it is sent.
    struct Recording {
        inner: SimBus,
        ops: Vec<u8>,
    }

    impl SpiBus for Recording {
        fn info(&self) -> BusInfo {
            self.inner.info()
        }
        fn config(&self) -> Result<crate::spi::bus::BusConfig> {
            self.inner.config()
        }
        fn configure(&mut self, change: &crate::spi::bus::ConfigChange) -> Result<()> {
            self.inner.configure(change)
        }
        fn transfer(&mut self, segments: &mut [crate::spi::bus::Segment]) -> Result<()> {
            self.ops.extend(segments.first().and_then(|s| s.tx.first()));
            self.inner.transfer(segments)
        }
    }

    #[test]
    fn reads_use_fast_read_above_the_read_limit() {
        assert_eq!(read_command(READ_MAX_HZ), (READ, 4));
        assert_eq!(read_command(READ_MAX_HZ + 1), (FAST_READ, 5));
        let mut bus = Recording {
            inner: SimBus::open("sim:w25q128").unwrap(),
            ops: Vec::new(),
        };
        let data: Vec<u8> = (0..700u32).map(|i| (i * 13) as u8).collect();
        Flash::probe(&mut bus, None)
            .unwrap()
            .program(0x2010, &data)
            .unwrap();
        for (speed, op, other) in [(50_000_000, READ, FAST_READ), (80_000_000, FAST_READ, READ)] {
            bus.configure(&crate::spi::bus::ConfigChange {
                speed_hz: Some(speed),
                ..Default::default()
            })
            .unwrap();
            bus.ops.clear();
            let mut back = vec![0; data.len()];
            Flash::probe(&mut bus, None)
                .unwrap()
                .read(0x2010, &mut back)
                .unwrap();
            assert_eq!(back, data, "{speed} Hz");
            assert!(
                bus.ops.contains(&op) && !bus.ops.contains(&other),
                "{speed} Hz: {:x?}",
                bus.ops
            );
        }
    }

    #[test]
    fn program_splits_at_page_boundaries() {
        let mut bus = SimBus::open("sim:w25q128").unwrap();
        let mut f = Flash::probe(&mut bus, None).unwrap();
        let data: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        f.program(0xf0, &data).unwrap();
        let mut back = vec![0; 600];
        f.read(0xf0, &mut back).unwrap();
        assert_eq!(back, data);
    }
}
