//! `spictl flash`: 25-series SPI NOR flash (W25Q, MX25L, GD25Q, N25Q...) of any size,
//! through any `SpiBus`.
//!
//! A part describes itself through SFDP (JESD216, `sfdp.rs`): size, page size, erase
//! types with their times, and how it takes 4-byte addresses; the part table adds names
//! and, for SFDP older than JESD216B, the 4-byte method. Without SFDP the JEDEC id's
//! capacity byte gives the size. Above 16 MiB, commands use the 4-byte opcodes (0x13,
//! 0x0C, 0x12, 0x21, 0x5C, 0xDC) where the part has them, else 4-byte mode entered
//! (0xB7) for the command and always left (0xE9) again, after an error or a signal too.
//!
//! Commands used: JEDEC id 0x9F, READ SFDP 0x5A, read 0x03, fast read 0x0B, write enable
//! 0x06, page program 0x02, the erase opcodes (default: 0x20 4 KiB, 0x52 32 KiB, 0xD8
//! 64 KiB), chip erase 0xC7, read status 0x05 (polling WIP). Every read and program is one
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
use super::layout::{self, Region};
use super::num::size_arg;
use super::protect::{self, Scheme};
use super::sfdp::{self, Sfdp};
use super::BusArgs;
use crate::cli::{progress, Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, write_all, Records};
use crate::record::text::{now_ns, to_hex};
use crate::record::writer::{close, open_destination, writing};

/// The page size of parts whose SFDP does not give one.
pub const PAGE: usize = 256;
pub const SECTOR: usize = 4 << 10;

const RDID: u8 = 0x9f;
const RDSFDP: u8 = 0x5a;
const READ: u8 = 0x03;
const FAST_READ: u8 = 0x0b;
/// The fastest clock at which READ 0x03 is safe on 25-series parts (W25Q128JV fR).
pub const READ_MAX_HZ: u32 = 50_000_000;
const WREN: u8 = 0x06;
const WRDI: u8 = 0x04;
const PP: u8 = 0x02;
const RDSR: u8 = 0x05;
const CE: u8 = 0xc7;
const EN4B: u8 = 0xb7;
const EX4B: u8 = 0xe9;
/// Write and read the extended address register (address bits 31:24).
const WREAR: u8 = 0xc5;
const RDEAR: u8 = 0xc8;
/// Global block-protection unlock (SST26).
const ULBPR: u8 = 0x98;
/// What three address bytes reach: one segment of the extended address register.
const SEGMENT: usize = 1 << 24;

/// An erase operation: opcode (the 3-byte address form), size, datasheet maximum time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Erase {
    pub opcode: u8,
    pub size: usize,
    pub max: Duration,
}

/// The erases of parts without SFDP, largest first.
const ERASES: [Erase; 3] = [
    Erase {
        opcode: 0xd8,
        size: 64 << 10,
        max: Duration::from_secs(2),
    },
    Erase {
        opcode: 0x52,
        size: 32 << 10,
        max: Duration::from_millis(1600),
    },
    Erase {
        opcode: 0x20,
        size: SECTOR,
        max: Duration::from_millis(400),
    },
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
    /// What the part is and how spictl drives it: from its SFDP (JESD216) tables where
    /// it has them, else from its JEDEC id and spictl's part table
    ///
    /// One record: size, page size, erase types with their opcodes and maximum times,
    /// the page program and chip erase maximum times, how addresses above 16 MiB are
    /// sent (4-byte opcodes, or 4-byte mode entered and left around each command), the
    /// fast read modes the part lists, and the SFDP revision.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash info -o table
  spictl --device sim:w25q256 flash info -o ndjson")]
    Info {
        #[command(flatten)]
        flash: FlashArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Show or set the block protection: the status register's BP, TB, SEC and CMP bits
    /// as the range they protect
    ///
    /// Without --range or --none: one record with the registers, the bits and the
    /// protected range. Writes and erases into a protected range are refused up front
    /// (exit 2) with the range named. Known layouts: Winbond W25Q (3 and 4 BP bits) and
    /// Macronix MX25L/MX66L (whose TB bit is one-time programmable, so spictl never
    /// changes it).
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash protect -o table
  spictl --device /dev/spidev0.0 flash protect --range 0xfc0000..16M     the top 256 KiB
  spictl --device /dev/spidev0.0 flash protect --none")]
    Protect {
        /// Protect exactly START..END (K/M suffixes); one of the ranges the part's
        /// protect bits can express
        #[arg(long, value_name = "START..END", conflicts_with = "none")]
        range: Option<String>,
        /// Clear the protection
        #[arg(long)]
        none: bool,
        #[command(flatten)]
        flash: FlashArgs,
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
        regions: RegionArgs,
        #[command(flatten)]
        flash: FlashArgs,
    },
    /// Write an image: erase what it touches, program, verify
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 flash write firmware.bin
  spictl --device sim:w25q128=chip.img flash write image.bin --offset 1M
  spictl --device sim:w25q128=chip.img flash write patch.bin --no-erase --no-verify
  spictl --device /dev/spidev0.0 flash write coreboot.rom --region RW_SECTION_A    from its FMAP
  spictl --device /dev/spidev0.0 flash write bios.bin --layout layout.txt --region bios")]
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
        regions: RegionArgs,
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
        regions: RegionArgs,
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
        regions: RegionArgs,
        #[command(flatten)]
        flash: FlashArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// One named region instead of addresses, as flashrom's --layout/--image and --fmap.
#[derive(Debug, Args)]
pub struct RegionArgs {
    /// The regions: flashrom's layout text (START:END NAME, hex, END inclusive) or a
    /// file holding an FMAP, such as a coreboot image [default for write and verify:
    /// the image's own FMAP]
    #[arg(long, value_name = "FILE", requires = "region")]
    pub layout: Option<PathBuf>,
    /// Work on this region only; write and verify take an image of the whole flash
    /// (only the region's bytes are used) or of the region alone
    #[arg(long, value_name = "NAME", conflicts_with = "offset")]
    pub region: Option<String>,
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

/// How a part takes addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// Three address bytes: parts up to 16 MiB.
    Three,
    /// The dedicated 4-byte instruction set: every command used has a 4-byte twin
    /// (0x13, 0x0C, 0x12, 0x21, 0x5C, 0xDC), so the chip's mode never changes.
    Opcodes4,
    /// 4-byte address mode, entered with 0xB7 (after a write enable where the part
    /// wants one) and left with 0xE9 when spictl is done, also after an error or a
    /// signal.
    Mode4 { wren: bool },
    /// The part is always in 4-byte address mode.
    Always4,
    /// Three address bytes; the extended address register (write 0xC5 after a write
    /// enable, read 0xC8) holds address bits 31:24. spictl sets it before a command
    /// in another 16 MiB segment, cuts reads at segment boundaries, and sets it back to
    /// 0 when done (also after an error or a signal) so 3-byte tools find the bottom.
    ExtendedRegister,
}

impl Addressing {
    pub fn describe(&self) -> &'static str {
        match self {
            Addressing::Three => "3-byte",
            Addressing::Opcodes4 => "4-byte opcodes",
            Addressing::Mode4 { wren: false } => "4-byte mode (B7/E9)",
            Addressing::Mode4 { wren: true } => "4-byte mode (WREN+B7/E9)",
            Addressing::Always4 => "4-byte only",
            Addressing::ExtendedRegister => "extended address register (C5/C8)",
        }
    }

    fn bytes(&self) -> usize {
        match self {
            Addressing::Three | Addressing::ExtendedRegister => 3,
            _ => 4,
        }
    }
}

/// What the JEDEC id, the SFDP and the part table say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub jedec: [u8; 3],
    pub vendor: &'static str,
    pub name: Option<&'static str>,
    pub size: usize,
    pub page: usize,
    /// Largest first: every erase the part has.
    pub erases: Vec<Erase>,
    /// Where each erase may be used: one region over the whole part, or the sector
    /// map's layout in use (parameter sectors that only the small erase reaches,
    /// blocks whose size depends on the address).
    pub regions: Vec<EraseRegion>,
    /// The sector map configuration id in use, when the SFDP has a sector map.
    pub sector_map: Option<u8>,
    pub program_max: Duration,
    pub chip_erase_max: Duration,
    pub addressing: Addressing,
    /// The JESD216 revision of the part's SFDP, when it has one.
    pub sfdp: Option<String>,
    /// The fast read modes the SFDP lists ("1-1-4 0x6b 8 clocks").
    pub fast_reads: Vec<String>,
    /// How the status register's protect bits map to ranges, for parts spictl knows.
    pub protection: Option<Scheme>,
    /// With `Addressing::Opcodes4`: the 4-byte fast read (0x0C) exists. False when the
    /// 4-byte table leaves it out (Infineon's octal parts in single-line mode).
    pub fast_read_4byte: bool,
    /// The part powers up with every block write-locked (Microchip SST26): spictl sends
    /// the global unlock (ULBPR, 0x98) before its first program or erase, as flashrom
    /// and Linux do. The lock is volatile: it is back after a power cycle.
    pub global_unlock: bool,
}

/// A stretch of the array and the erases that work in it, largest first. An erase
/// larger than the region it is allowed in (a 256 KiB block erase next to 4 KiB
/// parameter sectors) erases just the region; its size here is the region's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EraseRegion {
    pub start: usize,
    pub end: usize,
    pub erases: Vec<Erase>,
}

impl Part {
    fn region_at(&self, addr: usize) -> &EraseRegion {
        self.regions
            .iter()
            .find(|r| (r.start..r.end).contains(&addr))
            .unwrap_or(&self.regions[self.regions.len() - 1])
    }

    /// The smallest erasable unit holding `addr`, as `start..end`: what a partial write
    /// erases and rewrites there.
    pub fn unit_at(&self, addr: usize) -> std::ops::Range<usize> {
        let r = self.region_at(addr);
        let size = r.erases.last().map_or(SECTOR, |e| e.size);
        let start = r.start + (addr - r.start) / size * size;
        start..(start + size).min(r.end)
    }

    /// Each region as text: "0x0..0x8000: 4 KiB 0x20, 8 KiB 0xd8".
    pub fn describe_regions(&self) -> Vec<String> {
        self.regions
            .iter()
            .map(|r| {
                let erases: Vec<String> = r
                    .erases
                    .iter()
                    .map(|e| format!("{} KiB 0x{:02x}", e.size >> 10, e.opcode))
                    .collect();
                format!("{:#x}..{:#x}: {}", r.start, r.end, erases.join(", "))
            })
            .collect()
    }
}

/// The layout of a sector map configuration: each region's erases are the basic
/// table's erase types its bits name.
fn map_regions(
    map: &sfdp::SectorMapConfig,
    types: &[sfdp::EraseType],
    size: usize,
) -> std::result::Result<Vec<EraseRegion>, String> {
    let mut regions = Vec::new();
    let mut start = 0usize;
    for (i, r) in map.regions.iter().enumerate() {
        let end = start + r.size as usize;
        let mut erases: Vec<Erase> = types
            .iter()
            .filter(|t| r.erase_types & (1 << (t.number - 1)) != 0)
            .map(|t| Erase {
                opcode: t.opcode,
                // A block erase larger than its region, or not dividing it, erases
                // the region (the part's "overlaid" region).
                size: if !r.size.is_multiple_of(t.size) {
                    r.size as usize
                } else {
                    t.size as usize
                },
                max: t.max.unwrap_or_else(|| default_erase_max(t.size as usize)),
            })
            .collect();
        if erases.is_empty() {
            return Err(format!(
                "SFDP sector map {:#04x}: region {} ({start:#x}..{end:#x}) names no erase type the basic table has",
                map.id,
                i + 1
            ));
        }
        erases.sort_by_key(|e| std::cmp::Reverse(e.size));
        erases.dedup_by_key(|e| e.size);
        regions.push(EraseRegion { start, end, erases });
        start = end;
    }
    if start != size {
        return Err(format!(
            "SFDP sector map {:#04x}: its regions cover {start:#x} bytes, the part has {size:#x}",
            map.id
        ));
    }
    Ok(regions)
}

/// What the part table knows beyond the SFDP: names, and how a part above 16 MiB takes
/// 4-byte addresses when its SFDP (JESD216 before revision B) does not say.
#[derive(Clone, Copy)]
enum FourByte {
    Unknown,
    Opcodes,
    Mode { wren: bool },
}

const KNOWN: &[([u8; 3], &str, FourByte, Option<Scheme>)] = &[
    (
        [0xef, 0x40, 0x18],
        "W25Q128JV",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    (
        [0xef, 0x70, 0x18],
        "W25Q128JV-M",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    (
        [0xef, 0x40, 0x17],
        "W25Q64JV",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    (
        [0xef, 0x40, 0x16],
        "W25Q32JV",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    (
        [0xef, 0x40, 0x15],
        "W25Q16JV",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    (
        [0xef, 0x40, 0x14],
        "W25Q80DV",
        FourByte::Unknown,
        Some(Scheme::Winbond3),
    ),
    // W25Q256FV and JV both have the 4-byte instruction set.
    (
        [0xef, 0x40, 0x19],
        "W25Q256",
        FourByte::Opcodes,
        Some(Scheme::Winbond4),
    ),
    (
        [0xef, 0x70, 0x19],
        "W25Q256JV-M",
        FourByte::Opcodes,
        Some(Scheme::Winbond4),
    ),
    (
        [0xc2, 0x20, 0x18],
        "MX25L12835F",
        FourByte::Unknown,
        Some(Scheme::Macronix4),
    ),
    (
        [0xc2, 0x20, 0x17],
        "MX25L6433F",
        FourByte::Unknown,
        Some(Scheme::Macronix4),
    ),
    (
        [0xc2, 0x20, 0x16],
        "MX25L3233F",
        FourByte::Unknown,
        Some(Scheme::Macronix4),
    ),
    // MX25L25635E/F and MX25L25645G share the id; only the E lacks the 4-byte
    // instruction set, so EN4B/EX4B, which all three have.
    (
        [0xc2, 0x20, 0x19],
        "MX25L256",
        FourByte::Mode { wren: false },
        Some(Scheme::Macronix4),
    ),
    (
        [0xc2, 0x20, 0x1b],
        "MX66L1G45G",
        FourByte::Opcodes,
        Some(Scheme::Macronix4),
    ),
    // Parameter blocks at both ends (their SFDP sector map); locked at power-up.
    ([0xbf, 0x26, 0x43], "SST26VF064B", FourByte::Unknown, None),
    ([0xbf, 0x26, 0x42], "SST26VF032B", FourByte::Unknown, None),
    ([0xbf, 0x26, 0x41], "SST26VF016B", FourByte::Unknown, None),
    ([0xc8, 0x40, 0x18], "GD25Q128C", FourByte::Unknown, None),
    ([0xc8, 0x40, 0x17], "GD25Q64C", FourByte::Unknown, None),
    ([0x20, 0xba, 0x18], "N25Q128A", FourByte::Unknown, None),
    // Micron wants a write enable before entering and leaving 4-byte mode.
    (
        [0x20, 0xba, 0x19],
        "N25Q256A",
        FourByte::Mode { wren: true },
        None,
    ),
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

/// The 4-byte twin of a 3-byte address opcode.
fn opcode_4byte(op: u8) -> u8 {
    match op {
        READ => 0x13,
        FAST_READ => 0x0c,
        PP => 0x12,
        0x20 => 0x21,
        0x52 => 0x5c,
        0xd8 => 0xdc,
        other => other,
    }
}

/// A maximum erase time for a size when the SFDP gives none: the default table's, or
/// 2 s per 64 KiB.
fn default_erase_max(size: usize) -> Duration {
    ERASES.iter().find(|e| e.size == size).map_or(
        Duration::from_secs(2) * (size.div_ceil(64 << 10) as u32),
        |e| e.max,
    )
}

/// Names the part and derives its parameters: from the SFDP when the part has one
/// (size, page, erase types and times, address mode), else from the JEDEC id's
/// capacity byte (2^n bytes) or `--size`; the part table adds names and 4-byte quirks.
pub fn identify(
    jedec: [u8; 3],
    size: Option<u64>,
    sfdp: Option<&Sfdp>,
) -> std::result::Result<Part, String> {
    if jedec == [0xff; 3] || jedec == [0; 3] {
        return Err(format!(
            "no flash answered (JEDEC id {}): check wiring, chip select, power and --mode (0 or 3)",
            to_hex(&jedec)
        ));
    }
    let known = KNOWN.iter().find(|k| k.0 == jedec);
    let quirk = known.map_or(FourByte::Unknown, |k| k.2);
    let from_sfdp = sfdp.map(|s| s.bfpt.size);
    let size = match (size, from_sfdp) {
        (Some(s), _) => s,
        (None, Some(s)) => s,
        (None, None) if (0x10..=0x19).contains(&jedec[2]) => 1u64 << jedec[2],
        (None, None) => {
            return Err(format!(
                "JEDEC id {}: cannot tell the size (no SFDP); give --size",
                to_hex(&jedec)
            ))
        }
    };
    if !(SECTOR as u64..=1 << 32).contains(&size) || !size.is_power_of_two() {
        return Err(format!(
            "size {size}: must be a power of two from 4 KiB to 4 GiB"
        ));
    }
    let size = size as usize;
    let mut part = Part {
        jedec,
        vendor: vendor(jedec[0]),
        name: known.map(|k| k.1),
        size,
        page: PAGE,
        erases: ERASES.to_vec(),
        regions: Vec::new(),
        sector_map: None,
        program_max: T_PP_MAX,
        chip_erase_max: T_CE_MAX.max(T_CE_MAX * (size >> 24) as u32),
        addressing: Addressing::Three,
        sfdp: None,
        fast_reads: Vec::new(),
        protection: known.and_then(|k| k.3),
        global_unlock: jedec[..2] == [0xbf, 0x26],
        fast_read_4byte: true,
    };
    if let Some(s) = sfdp {
        let b = &s.bfpt;
        part.sfdp = Some(s.revision());
        part.page = b.page_size.map_or(PAGE, |p| p as usize);
        if !(1..=4096).contains(&part.page) {
            return Err(format!("SFDP: a page of {} bytes", part.page));
        }
        let mut erases: Vec<Erase> = b
            .erase_types
            .iter()
            .filter(|e| e.size <= 1 << 24)
            .map(|e| Erase {
                opcode: e.opcode,
                size: e.size as usize,
                max: e.max.unwrap_or_else(|| default_erase_max(e.size as usize)),
            })
            .collect();
        erases.sort_by_key(|e| std::cmp::Reverse(e.size));
        erases.dedup_by_key(|e| e.size);
        if !erases.is_empty() {
            part.erases = erases;
        }
        part.program_max = b.page_program_max.unwrap_or(T_PP_MAX);
        part.chip_erase_max = b.chip_erase_max.unwrap_or(part.chip_erase_max);
        part.fast_reads = b
            .fast_reads
            .iter()
            .map(|f| format!("{} 0x{:02x} {} clocks", f.mode, f.opcode, f.dummy_clocks))
            .collect();
    }
    part.regions = vec![EraseRegion {
        start: 0,
        end: size,
        erases: part.erases.clone(),
    }];
    if let Some(ops) = sfdp.and_then(|s| s.four_byte.as_ref()) {
        part.fast_read_4byte = ops.fast_read.is_some();
    }
    if size > 16 << 20 {
        part.addressing = four_byte_addressing(&part, sfdp, quirk).ok_or_else(|| {
            format!(
                "JEDEC id {}: a {} MiB part needs 4-byte addresses, and neither its SFDP nor spictl's part table says how it takes them",
                to_hex(&jedec),
                size >> 20
            )
        })?;
    }
    Ok(part)
}

/// How a part above 16 MiB takes 4-byte addresses: the 4-byte address instruction
/// table (JESD216B) when it covers every command spictl sends, else BFPT DWORD 16's
/// entry methods, else the part table, else (an SFDP that says 3- or 4-byte) EN4B
/// after a write enable, which every 25-series part accepts.
fn four_byte_addressing(part: &Part, sfdp: Option<&Sfdp>, quirk: FourByte) -> Option<Addressing> {
    if let Some(s) = sfdp {
        if s.bfpt.address_bytes == sfdp::AddressBytes::Four
            || s.bfpt.enter_4byte.is_some_and(|e| e.always)
        {
            return Some(Addressing::Always4);
        }
        if let Some(ops) = &s.four_byte {
            let erases_covered = part.erases.iter().all(|e| {
                s.bfpt
                    .erase_types
                    .iter()
                    .find(|t| t.opcode == e.opcode)
                    .is_some_and(|t| {
                        ops.erase[usize::from(t.number) - 1] == Some(opcode_4byte(e.opcode))
                    })
            });
            // Fast read (0x0C) is not needed: without it reads use 0x13 (`Flash::probe`).
            if ops.read.is_some() && ops.page_program.is_some() && erases_covered {
                return Some(Addressing::Opcodes4);
            }
        }
    }
    if let FourByte::Opcodes = quirk {
        return Some(Addressing::Opcodes4);
    }
    // DWORD 16 names the 4-byte instruction set but there is no table of which ones.
    if sfdp.is_some_and(|s| s.four_byte.is_none())
        && sfdp
            .and_then(|s| s.bfpt.enter_4byte)
            .is_some_and(|e| e.opcodes)
    {
        return Some(Addressing::Opcodes4);
    }
    if let Some(e) = sfdp.and_then(|s| s.bfpt.enter_4byte) {
        if e.b7 || e.wren_b7 {
            return Some(Addressing::Mode4 { wren: !e.b7 });
        }
        if e.ear {
            return Some(Addressing::ExtendedRegister);
        }
    }
    // A JESD216B table that lists its entry methods without EN4B or the extended
    // address register (a bank register or a non-volatile setting only, which spictl
    // does not drive) is not second-guessed; an older table that just says "3- or
    // 4-byte" gets EN4B after a write enable.
    let lists_methods = sfdp.is_some_and(|s| s.bfpt.enter_4byte.is_some());
    match quirk {
        FourByte::Mode { wren } => Some(Addressing::Mode4 { wren }),
        _ if !lists_methods
            && sfdp.is_some_and(|s| s.bfpt.address_bytes == sfdp::AddressBytes::ThreeOrFour) =>
        {
            Some(Addressing::Mode4 { wren: true })
        }
        _ => None,
    }
}

/// Erase operations for a range of whole erase units (`Part::unit_at`): in each region
/// the largest erase that is aligned there and ends inside both the range and the
/// region.
pub fn erase_plan(part: &Part, start: usize, len: usize) -> Vec<(Erase, usize)> {
    let mut ops = Vec::new();
    let (mut a, end) = (start, start + len);
    while a < end {
        let r = part.region_at(a);
        let fits =
            |e: &&Erase| (a - r.start).is_multiple_of(e.size) && a + e.size <= end.min(r.end);
        let e = match r.erases.iter().find(fits) {
            Some(&e) => e,
            None => *r.erases.last().unwrap_or(&ERASES[2]),
        };
        ops.push((e, a));
        a += e.size.min(r.end - a);
    }
    ops
}

/// A part's protection state.
#[derive(Debug, Clone)]
pub struct Protection {
    pub scheme: Scheme,
    pub sr1: u8,
    pub reg2: u8,
    pub bits: protect::Bits,
    pub range: Option<(usize, usize)>,
}

/// A 25-series flash on a bus. A part in 4-byte address mode is returned to 3-byte
/// mode when this is dropped, so an error or a signal (SIGINT, SIGTERM: checked between
/// commands) leaves it as spictl found it.
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
    /// spictl put the part in 4-byte mode and must take it out.
    entered_4byte: bool,
    /// The extended address register's value, once spictl has written it
    /// (`Addressing::ExtendedRegister`): set back to 0 when done.
    ear: Option<u8>,
    /// spictl set the write enable latch at least once: it clears it when done.
    wrote: bool,
    /// The global unlock was sent (`Part::global_unlock`).
    unlocked: bool,
}

pub fn read_jedec(bus: &mut dyn SpiBus) -> Result<[u8; 3]> {
    let rx = bus.xfer(&[RDID, 0, 0, 0])?;
    Ok([rx[1], rx[2], rx[3]])
}

/// Reads the SFDP tables (READ SFDP 0x5A: 3-byte address, one dummy byte) in messages
/// the bus takes; `None` when the part has none.
pub fn read_sfdp(bus: &mut dyn SpiBus) -> Result<Option<Sfdp>> {
    let device = bus.info().device;
    let chunk = bus.info().max_transfer.saturating_sub(5).clamp(1, 256);
    let reader = |addr: u32, out: &mut [u8]| -> std::result::Result<(), String> {
        for (i, piece) in out.chunks_mut(chunk).enumerate() {
            let a = addr as usize + i * chunk;
            if a + piece.len() > 1 << 24 {
                return Err(format!(
                    "SFDP: a table at {a:#x} is past the 16 MiB SFDP space"
                ));
            }
            let mut tx = vec![RDSFDP, (a >> 16) as u8, (a >> 8) as u8, a as u8, 0];
            tx.resize(5 + piece.len(), 0);
            let rx = bus.xfer(&tx).map_err(|e| e.to_string())?;
            piece.copy_from_slice(&rx[5..]);
        }
        Ok(())
    };
    sfdp::read(reader).map_err(|m| Error::device(device, m))
}

/// The read command for a clock: (opcode, header bytes before the data) with 3
/// address bytes. FAST_READ's header is the opcode, the address and one dummy byte.
pub fn read_command(speed_hz: u32) -> (u8, usize) {
    if speed_hz > READ_MAX_HZ {
        (FAST_READ, 5)
    } else {
        (READ, 4)
    }
}

fn interrupted(device: &str) -> Error {
    Error::device(device, "interrupted by a signal").with_hint(
        "the flash was left in 3-byte address mode; what was written before the signal stays written",
    )
}

impl<'a> Flash<'a> {
    pub fn probe(bus: &'a mut dyn SpiBus, size: Option<u64>) -> Result<Flash<'a>> {
        let device = bus.info().device;
        let part = identify_on(bus, size)?;
        let max = bus.info().max_transfer;
        let (mut read_op, mut header) = read_command(bus.config()?.speed_hz);
        if read_op == FAST_READ && part.addressing == Addressing::Opcodes4 && !part.fast_read_4byte
        {
            // 0x13 at any clock: the part's 4-byte table lists no 0x0C.
            (read_op, header) = (READ, 4);
        }
        let header = header + part.addressing.bytes() - 3;
        if max <= header + 1 {
            return Err(Error::device(
                device,
                format!("the bus takes only {max} bytes per message"),
            ));
        }
        let program_chunk = (max - 1 - part.addressing.bytes()).min(part.page);
        let f = Flash {
            bus,
            part,
            read_op,
            read_header: header,
            read_chunk: (max - header).min(64 << 10),
            program_chunk,
            entered_4byte: false,
            ear: None,
            wrote: false,
            unlocked: false,
        };
        if matches!(
            f.part.addressing,
            Addressing::Mode4 { .. } | Addressing::ExtendedRegister
        ) {
            // From here a signal is a flag: the mode is restored on the way out.
            crate::cli::signals::stop_on_signals();
        }
        Ok(f)
    }

    fn check_signals(&self) -> Result<()> {
        if crate::cli::signals::stopped() {
            return Err(interrupted(&self.bus.info().device));
        }
        Ok(())
    }

    /// A command with its address: the 4-byte twin of the opcode and 4 address bytes
    /// where the part takes them.
    fn addr_cmd(&self, op: u8, addr: usize) -> Vec<u8> {
        match self.part.addressing {
            Addressing::Three | Addressing::ExtendedRegister => {
                vec![op, (addr >> 16) as u8, (addr >> 8) as u8, addr as u8]
            }
            a => {
                let op = if a == Addressing::Opcodes4 {
                    opcode_4byte(op)
                } else {
                    op
                };
                let b = (addr as u32).to_be_bytes();
                vec![op, b[0], b[1], b[2], b[3]]
            }
        }
    }

    /// Puts the part where a command at `addr` needs it, before the first command that
    /// sends an address (so `flash info` and `protect` leave the mode alone): 4-byte
    /// mode entered once, or the extended address register pointed at the 16 MiB
    /// segment holding `addr` (read back to be sure).
    fn address_mode(&mut self, addr: usize) -> Result<()> {
        let want = (addr >> 24) as u8;
        match self.part.addressing {
            Addressing::Mode4 { wren } if !self.entered_4byte => {
                if wren {
                    self.bus.xfer(&[WREN])?;
                }
                self.bus.xfer(&[EN4B])?;
                self.entered_4byte = true;
                if wren {
                    self.bus.xfer(&[WRDI])?;
                }
                return Ok(());
            }
            Addressing::ExtendedRegister if self.ear != Some(want) => {}
            _ => return Ok(()),
        }
        self.write_enable()?;
        self.bus.xfer(&[WREAR, want])?;
        let got = self.bus.xfer(&[RDEAR, 0])?[1];
        self.ear = Some(got);
        if got != want {
            return Err(Error::device(
                self.bus.info().device,
                format!("the extended address register reads {got:#04x} after writing {want:#04x}"),
            ));
        }
        Ok(())
    }

    pub fn read(&mut self, addr: usize, out: &mut [u8]) -> Result<()> {
        let mut done = 0;
        while done < out.len() {
            self.check_signals()?;
            let a = addr + done;
            let mut n = self.read_chunk.min(out.len() - done);
            if self.part.addressing == Addressing::ExtendedRegister {
                // A 3-byte read wraps inside its segment: stop at the boundary.
                n = n.min(SEGMENT - a % SEGMENT);
            }
            self.address_mode(a)?;
            // Zeros after the address: FAST_READ's dummy byte, then one per data byte.
            let mut tx = self.addr_cmd(self.read_op, a);
            tx.resize(self.read_header + n, 0);
            let rx = self.bus.xfer(&tx)?;
            out[done..done + n].copy_from_slice(&rx[self.read_header..]);
            done += n;
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
        self.check_signals()?;
        if self.part.global_unlock && !self.unlocked {
            self.bus.xfer(&[WREN])?;
            self.bus.xfer(&[ULBPR])?;
            self.unlocked = true;
        }
        self.bus.xfer(&[WREN])?;
        self.wrote = true;
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
        let page = self.part.page;
        let max = self.part.program_max;
        let mut off = 0;
        while off < data.len() {
            let a = addr + off;
            let room = (page - a % page).min(self.program_chunk);
            let n = room.min(data.len() - off);
            self.address_mode(a)?;
            self.write_enable()?;
            let mut tx = self.addr_cmd(PP, a);
            tx.extend_from_slice(&data[off..off + n]);
            self.bus.xfer(&tx)?;
            self.wait_ready("page program", max / 4, max)?;
            off += n;
        }
        Ok(())
    }

    pub fn erase(&mut self, e: Erase, addr: usize) -> Result<()> {
        self.address_mode(addr)?;
        self.write_enable()?;
        let cmd = self.addr_cmd(e.opcode, addr);
        self.bus.xfer(&cmd)?;
        self.wait_ready(
            &format!("erasing {} KiB at {addr:#x}", e.size >> 10),
            e.max / 10,
            e.max,
        )
    }

    /// The status register and the second protection register (Winbond SR2 0x35,
    /// Macronix configuration register 0x15), with what they protect.
    pub fn protection(&mut self) -> Result<Option<Protection>> {
        let Some(scheme) = self.part.protection else {
            return Ok(None);
        };
        let sr1 = self.status()?;
        let reg2_op = if scheme == Scheme::Macronix4 {
            0x15
        } else {
            0x35
        };
        let reg2 = self.bus.xfer(&[reg2_op, 0])?[1];
        let bits = scheme.decode(sr1, reg2);
        Ok(Some(Protection {
            scheme,
            sr1,
            reg2,
            bits,
            range: scheme.range(self.part.size, bits),
        }))
    }

    /// Writes the protect bits (WRSR 0x01 with both registers), keeping the rest of
    /// both registers, and reads back what the part took.
    pub fn set_protection(&mut self, p: &Protection, bits: protect::Bits) -> Result<Protection> {
        let (sr1, reg2) = p.scheme.encode(bits, p.sr1, p.reg2);
        self.write_enable()?;
        self.bus.xfer(&[0x01, sr1 & 0xfc, reg2])?;
        self.wait_ready(
            "writing the status register",
            Duration::from_millis(10),
            Duration::from_millis(15),
        )?;
        let now = self
            .protection()?
            .expect("the part has a protection scheme");
        if now.bits != bits {
            let device = self.bus.info().device;
            return Err(Error::device(
                device,
                format!(
                    "the status register did not take the protect bits (now {}); with SRP set, the WP# pin may be holding it",
                    protect::describe(now.range)
                ),
            ));
        }
        Ok(now)
    }

    /// Refuses a program or erase of `[start, start + len)` that touches the protected
    /// range, up front: the chip would ignore the commands and leave a half-written
    /// image.
    pub fn check_unprotected(&mut self, start: usize, len: usize) -> Result<()> {
        let Some(p) = self.protection()? else {
            return Ok(());
        };
        if let Some((a, b)) = p.range {
            if start < b && a < start + len {
                let device = self.bus.info().device;
                return Err(Error::Usage(format!(
                    "{device}: {start:#x}..{:#x} is write-protected: the status register protects {}; clear it with: spictl --device {device} flash protect --none",
                    start + len,
                    protect::describe(p.range)
                )));
            }
        }
        Ok(())
    }

    pub fn chip_erase(&mut self) -> Result<()> {
        self.write_enable()?;
        self.bus.xfer(&[CE])?;
        let max = self.part.chip_erase_max;
        self.wait_ready("chip erase", max / 5, max)
    }
}

impl Drop for Flash<'_> {
    fn drop(&mut self) {
        if !self.wrote && !self.entered_4byte {
            return;
        }
        // A program or erase still running ignores what follows: wait it out (bounded).
        let _ = self.wait_ready(
            "finishing",
            Duration::from_millis(1),
            self.part.chip_erase_max,
        );
        // A part clears WEL when a program or erase ends, but not after a refused
        // command, and QEMU's model never does: leave it clear for the next driver
        // (Linux's spi-nor fails to probe a part with WEL set).
        if self.ear.is_some_and(|v| v != 0) {
            let restored = self.bus.xfer(&[WREN]).and_then(|_| {
                self.bus.xfer(&[WREAR, 0])?;
                Ok(self.bus.xfer(&[RDEAR, 0])?[1])
            });
            if !matches!(restored, Ok(0)) {
                crate::cli::warn(&format!(
                    "{}: could not set the extended address register back to 0; power-cycle the flash before 3-byte tools use it",
                    self.bus.info().device
                ));
            }
        }
        if self.wrote {
            let _ = self.bus.xfer(&[WRDI]);
        }
        if !self.entered_4byte {
            return;
        }
        let wren = matches!(self.part.addressing, Addressing::Mode4 { wren: true });
        if wren {
            let _ = self.bus.xfer(&[WREN]);
        }
        if let Err(e) = self.bus.xfer(&[EX4B]) {
            crate::cli::warn(&format!(
                "{}: could not leave 4-byte address mode ({e}); power-cycle the flash before other tools use it",
                self.bus.info().device
            ));
        }
        if wren {
            let _ = self.bus.xfer(&[WRDI]);
        }
    }
}

/// The part on a bus: its JEDEC id, its SFDP if it has one, the part table, and the
/// sector map's layout in use, read with its detection commands.
fn identify_on(bus: &mut dyn SpiBus, size: Option<u64>) -> Result<Part> {
    let device = bus.info().device;
    let jedec = read_jedec(bus)?;
    let table = if jedec == [0xff; 3] || jedec == [0; 3] {
        None
    } else {
        read_sfdp(bus)?
    };
    let mut part = identify(jedec, size, table.as_ref()).map_err(|m| Error::device(&device, m))?;
    if let Some(t) = &table {
        if let Some(map) = &t.sector_map {
            apply_sector_map(bus, &mut part, map, &t.bfpt.erase_types)?;
        }
    }
    Ok(part)
}

/// Sector map quirks by JEDEC id: (dummy clocks for a "variable" latency, id bits to
/// set). Infineon's S25FS-S registers read with RDAR (0x65) after 8 dummy clocks by
/// default, and their table's third detection bit (CR3NV[1]) is reserved and reads 0 on
/// current parts though every map id has it set (as Linux's spansion driver does it).
fn sector_map_quirks(jedec: [u8; 3]) -> (u8, u8) {
    match jedec {
        [0x01, 0x02, 0x20] => (8, 0x01),
        _ => (0, 0),
    }
}

/// Runs the sector map's detection commands and takes the layout they select; a
/// configuration the table has no map for keeps the uniform layout, with a warning.
fn apply_sector_map(
    bus: &mut dyn SpiBus,
    part: &mut Part,
    map: &sfdp::SectorMap,
    types: &[sfdp::EraseType],
) -> Result<()> {
    let device = bus.info().device;
    let (variable_dummy, force) = sector_map_quirks(part.jedec);
    let mut bytes = Vec::new();
    for d in &map.detect {
        let n = match d.address_bytes {
            sfdp::DetectAddress::None => 0,
            sfdp::DetectAddress::Three => 3,
            sfdp::DetectAddress::Four => 4,
            sfdp::DetectAddress::Current => part.addressing.bytes(),
        };
        let dummy = usize::from(d.dummy_clocks.unwrap_or(variable_dummy)).div_ceil(8);
        let mut tx = vec![d.opcode];
        tx.extend_from_slice(&d.address.to_be_bytes()[4 - n..]);
        tx.resize(tx.len() + dummy + 1, 0);
        let rx = bus.xfer(&tx)?;
        bytes.push(rx[rx.len() - 1]);
    }
    match map.select(&bytes, force) {
        Ok(config) => {
            part.regions = map_regions(config, types, part.size)
                .map_err(|m| Error::device(&device, m))?;
            part.sector_map = Some(config.id);
        }
        Err(id) => crate::cli::warn(&format!(
            "{device}: the SFDP sector map has no layout for configuration {id:#04x} (read {}); erasing as if the part were uniform",
            to_hex(&bytes)
        )),
    }
    Ok(())
}

/// The region `--region` names: from `--layout`, else from the image's FMAP.
fn region_of(args: &RegionArgs, image: Option<&[u8]>, part: &Part) -> Result<Option<Region>> {
    let Some(name) = &args.region else {
        return Ok(None);
    };
    let (regions, source) = match (&args.layout, image) {
        (Some(l), _) => (layout::load(l)?, l.display().to_string()),
        (None, Some(img)) => match layout::find_fmap(img) {
            Some((_, r)) => (r, "the image's FMAP".to_string()),
            None => {
                return Err(Error::Usage(format!(
                    "--region {name}: the image has no FMAP; give --layout FILE"
                )))
            }
        },
        (None, None) => {
            return Err(Error::Usage(format!(
            "--region {name}: needs --layout FILE (flashrom layout text, or a file with an FMAP)"
        )))
        }
    };
    layout::pick(&regions, name, part.size, &source).map(Some)
}

/// Where read and erase work: the region, or --offset/--length (default: to the end).
fn span(range: &RangeArgs, regions: &RegionArgs, part: &Part) -> Result<(usize, usize)> {
    if let Some(r) = region_of(regions, None, part)? {
        return Ok((r.start, r.end - r.start));
    }
    let offset = range.offset.unwrap_or(0);
    let len = range
        .length
        .unwrap_or((part.size as u64).saturating_sub(offset));
    check_range(part, offset, len)
}

/// Where write and verify put the image: at --offset, or the region's bytes of an image
/// of the whole flash (or an image of just the region) at the region's start.
fn image_span(
    regions: &RegionArgs,
    offset: u64,
    image: Vec<u8>,
    part: &Part,
) -> Result<(usize, Vec<u8>)> {
    let Some(r) = region_of(regions, Some(&image), part)? else {
        return Ok((offset as usize, image));
    };
    let len = r.end - r.start;
    if image.len() == part.size {
        Ok((r.start, image[r.start..r.end].to_vec()))
    } else if image.len() == len {
        Ok((r.start, image))
    } else {
        Err(Error::Usage(format!(
            "--region {}: the image is {} bytes; give one of the whole flash ({}) or of the region alone ({len})",
            r.name,
            image.len(),
            part.size
        )))
    }
}

/// One record of single-value columns (spictl builds Arrow arrays directly: the serde
/// path would add arrow-json's decoder to a binary that goes onto small boards).
fn write_columns(output: &OutputArgs, columns: Vec<(Field, ArrayRef)>) -> Result<()> {
    let (fields, arrays): (Vec<Field>, Vec<ArrayRef>) = columns.into_iter().unzip();
    write_all(output, &batch(&schema(fields), arrays)?)
}

fn utf8_col(name: &str, v: &str) -> (Field, ArrayRef) {
    (
        Field::new(name, DataType::Utf8, false),
        Arc::new(StringArray::from(vec![v])),
    )
}

fn u64_col(name: &str, v: u64) -> (Field, ArrayRef) {
    (
        Field::new(name, DataType::UInt64, false),
        Arc::new(UInt64Array::from(vec![v])),
    )
}

fn f64_col(name: &str, v: f64) -> (Field, ArrayRef) {
    (
        Field::new(name, DataType::Float64, false),
        Arc::new(Float64Array::from(vec![v])),
    )
}

fn list_col(name: &str, items: &[String]) -> (Field, ArrayRef) {
    let mut b = arrow::array::ListBuilder::new(arrow::array::StringBuilder::new());
    for i in items {
        b.values().append_value(i);
    }
    b.append(true);
    (crate::record::rows::list_utf8(name), Arc::new(b.finish()))
}

/// `START..END` with K/M suffixes, inside a `size`-byte part.
fn parse_range(text: &str, size: usize) -> Result<(usize, usize)> {
    let bad = |why: &str| Error::Usage(format!("--range {text}: {why}"));
    let (a, b) = text
        .split_once("..")
        .ok_or_else(|| bad("expected START..END, e.g. 0..1M"))?;
    let a = size_arg(a.trim()).map_err(|e| bad(&e))? as usize;
    let b = size_arg(b.trim()).map_err(|e| bad(&e))? as usize;
    if a >= b || b > size {
        return Err(bad(&format!(
            "must be a non-empty range inside the {} MiB part",
            size >> 20
        )));
    }
    Ok((a, b))
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
    // The erase units the image touches (their size can change along the way).
    let mut units = vec![f.part.unit_at(offset)];
    while units[units.len() - 1].end < offset + image.len() {
        let next = f.part.unit_at(units[units.len() - 1].end);
        units.push(next);
    }
    let (start, end) = (units[0].start, units[units.len() - 1].end);
    let mut current = vec![0u8; end - start];
    let bar = progress::bytes(Some(current.len() as u64));
    for (i, chunk) in current.chunks_mut(64 << 10).enumerate() {
        f.read(start + i * (64 << 10), chunk)?;
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let mut desired = current.clone();
    desired[offset - start..offset - start + image.len()].copy_from_slice(image);

    // Which units need an erase (a 0 that must become 1), which only programming.
    let needs_erase: Vec<bool> = units
        .iter()
        .map(|u| {
            let r = u.start - start..u.end - start;
            current[r.clone()]
                .iter()
                .zip(&desired[r])
                .any(|(c, d)| c & d != *d)
        })
        .collect();
    // Runs of units needing erase become erase plans with the largest blocks.
    let mut ops = Vec::new();
    let mut s = 0;
    while s < units.len() {
        if !needs_erase[s] {
            s += 1;
            continue;
        }
        let run_start = units[s].start;
        while s < units.len() && needs_erase[s] {
            s += 1;
        }
        ops.extend(erase_plan(&f.part, run_start, units[s - 1].end - run_start));
    }
    let erase_bar = progress::items(ops.len() as u64, "erase blocks");
    let mut erased = 0u64;
    for (e, addr) in ops {
        f.erase(e, addr)?;
        let erased_end = (addr + e.size).min(f.part.region_at(addr).end);
        current[addr - start..erased_end - start].fill(0xff);
        erased += (erased_end - addr) as u64;
        erase_bar.inc(1);
    }
    erase_bar.finish_and_clear();

    // Program pages that differ from what is there now (erased or not).
    let bar = progress::bytes(Some(desired.len() as u64));
    let mut programmed = 0u64;
    let page = f.part.page;
    for (p, (cur, want)) in current.chunks(page).zip(desired.chunks(page)).enumerate() {
        if cur != want {
            f.program(start + p * page, want)?;
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
    let page = f.part.page;
    let mut off = 0;
    while off < image.len() {
        let a = offset + off;
        let n = (page - a % page).min(image.len() - off);
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
            let part = identify_on(bus.as_mut(), None)?;
            let jedec = part.jedec;
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
        FlashCommand::Info { flash, output } => {
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let part = identify_on(bus.as_mut(), flash.size)?;
            let erases: Vec<String> = part
                .erases
                .iter()
                .map(|e| {
                    format!(
                        "{} KiB 0x{:02x} max {} ms",
                        e.size >> 10,
                        e.opcode,
                        e.max.as_millis()
                    )
                })
                .collect();
            let columns: Vec<(Field, ArrayRef)> = vec![
                (ts_field(), ts_array(vec![now_ns()])),
                utf8_col("device", &info.device),
                (
                    Field::new("jedec", DataType::Binary, false),
                    Arc::new(BinaryArray::from_vec(vec![&part.jedec[..]])),
                ),
                utf8_col("vendor", part.vendor),
                utf8_col("part", &part_name(&part, &info)),
                u64_col("size_bytes", part.size as u64),
                u64_col("page_bytes", part.page as u64),
                list_col("erases", &erases),
                list_col("erase_regions", &part.describe_regions()),
                (
                    Field::new("sector_map", DataType::UInt64, true),
                    Arc::new(UInt64Array::from(vec![part.sector_map.map(u64::from)])),
                ),
                f64_col("page_program_max_ms", part.program_max.as_secs_f64() * 1e3),
                f64_col("chip_erase_max_s", part.chip_erase_max.as_secs_f64()),
                utf8_col("addressing", part.addressing.describe()),
                list_col("fast_reads", &part.fast_reads),
                (
                    Field::new("sfdp", DataType::Utf8, true),
                    Arc::new(StringArray::from(vec![part.sfdp.as_deref()])),
                ),
            ];
            write_columns(output, columns)?;
        }
        FlashCommand::Protect {
            range,
            none,
            flash,
            output,
        } => {
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let Some(mut p) = f.protection()? else {
                return Err(Error::device(
                    &info.device,
                    format!(
                        "spictl does not know the protect bits of {} (JEDEC id {})",
                        part_name(&f.part, &info),
                        to_hex(&f.part.jedec)
                    ),
                ));
            };
            let want = match (range, none) {
                (_, true) => Some(None),
                (Some(r), _) => Some(Some(parse_range(r, f.part.size)?)),
                (None, false) => None,
            };
            if let Some(want) = want {
                let bits = p
                    .scheme
                    .bits_for(f.part.size, want, p.bits)
                    .ok_or_else(|| {
                        let options: Vec<String> = p
                            .scheme
                            .ranges(f.part.size, p.bits)
                            .into_iter()
                            .map(|(a, b)| format!("{a:#x}..{b:#x}"))
                            .collect();
                        Error::Usage(format!(
                        "--range {}: the {} protect bits cannot express it; they can protect {}",
                        range.as_deref().unwrap_or(""),
                        part_name(&f.part, &info),
                        options.join(", ")
                    ))
                    })?;
                p = f.set_protection(&p, bits)?;
            }
            let b = p.bits;
            let bool_col = |name: &str, v: bool| -> (Field, ArrayRef) {
                (
                    Field::new(name, DataType::Boolean, false),
                    Arc::new(BooleanArray::from(vec![v])),
                )
            };
            let opt_col = |name: &str, v: Option<usize>| -> (Field, ArrayRef) {
                (
                    Field::new(name, DataType::UInt64, true),
                    Arc::new(UInt64Array::from(vec![v.map(|x| x as u64)])),
                )
            };
            let columns: Vec<(Field, ArrayRef)> = vec![
                (ts_field(), ts_array(vec![now_ns()])),
                utf8_col("device", &info.device),
                utf8_col("part", &part_name(&f.part, &info)),
                utf8_col("sr1", &format!("{:02x}", p.sr1)),
                utf8_col("reg2", &format!("{:02x}", p.reg2)),
                u64_col("bp", b.bp.into()),
                bool_col("tb", b.tb),
                bool_col("sec", b.sec),
                bool_col("cmp", b.cmp),
                bool_col("srp", b.srp),
                utf8_col("protected", &protect::describe(p.range)),
                opt_col("protected_start", p.range.map(|r| r.0)),
                opt_col("protected_end", p.range.map(|r| r.1)),
            ];
            write_columns(output, columns)?;
        }
        FlashCommand::Read {
            file,
            range,
            regions,
            flash,
        } => {
            let to_stdout = super::is_stdio(file);
            if to_stdout && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Error::Usage(
                    "refusing to write flash contents to a terminal; give a file or redirect stdout".into(),
                ));
            }
            let mut bus = bus_args.open()?;
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, len) = span(range, regions, &f.part)?;
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
            regions,
            flash,
            output,
        } => {
            let data = read_image(image)?;
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let device = info.device.clone();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, data) = image_span(regions, *offset, data, &f.part)?;
            let (offset, len) = check_range(&f.part, offset as u64, data.len() as u64)?;
            f.check_unprotected(offset, len)?;
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
            regions,
            flash,
            output,
        } => {
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, len) = span(range, regions, &f.part)?;
            f.check_unprotected(offset, len)?;
            let first = f.part.unit_at(offset);
            let last = f.part.unit_at((offset + len).max(1) - 1);
            if len == 0 || first.start != offset || last.end != offset + len {
                return Err(Error::Usage(format!(
                    "flash erase: --offset {offset:#x} and --length {len:#x} must cover whole erase units: the smallest erase there spans {:#x}..{:#x} and {:#x}..{:#x}",
                    first.start, first.end, last.start, last.end
                )));
            }
            if offset == 0 && len == f.part.size {
                let bar = progress::bytes(None);
                bar.enable_steady_tick(Duration::from_millis(200));
                f.chip_erase()?;
                bar.finish_and_clear();
            } else {
                let ops = erase_plan(&f.part, offset, len);
                let bar = progress::items(ops.len() as u64, "erase blocks");
                for (e, addr) in ops {
                    f.erase(e, addr)?;
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
            regions,
            flash,
            output,
        } => {
            let data = read_image(image)?;
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let info = bus.info();
            let device = info.device.clone();
            let mut f = Flash::probe(bus.as_mut(), flash.size)?;
            let (offset, data) = image_span(regions, *offset, data, &f.part)?;
            let (offset, len) = check_range(&f.part, offset as u64, data.len() as u64)?;
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
        let p = identify([0xef, 0x40, 0x18], None, None).unwrap();
        assert_eq!(
            (p.vendor, p.name, p.size),
            ("Winbond", Some("W25Q128JV"), 16 << 20)
        );
        assert!(identify([0xff; 3], None, None)
            .unwrap_err()
            .contains("no flash answered"));
        // 32 MiB from the capacity byte; the part table knows its 4-byte opcodes.
        let w = identify([0xef, 0x40, 0x19], None, None).unwrap();
        assert_eq!((w.size, w.addressing), (32 << 20, Addressing::Opcodes4));
        assert!(identify([0x12, 0x34, 0x19], None, None)
            .unwrap_err()
            .contains("4-byte"));
        assert!(identify([0x12, 0x34, 0x56], None, None)
            .unwrap_err()
            .contains("--size"));
        assert_eq!(
            identify([0x12, 0x34, 0x56], Some(1 << 20), None)
                .unwrap()
                .size,
            1 << 20
        );
    }

    #[test]
    fn erase_plan_uses_largest_aligned_blocks() {
        // 4K at 60K, then a 64K block, then 32K + 4K.
        let part = identify([0xef, 0x40, 0x18], None, None).unwrap();
        let ops = erase_plan(&part, 60 << 10, 4096 + (64 << 10) + (36 << 10));
        let sizes: Vec<(u8, usize)> = ops.iter().map(|o| (o.0.opcode, o.0.size)).collect();
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

    /// A simulated flash that notes the opcode of every message it is sent, and fails
    /// messages with the opcode `fail_on` holds.
    struct Recording {
        inner: SimBus,
        ops: Vec<u8>,
        fail_on: std::rc::Rc<std::cell::Cell<Option<u8>>>,
    }

    impl Recording {
        fn new(inner: SimBus) -> Self {
            Recording {
                inner,
                ops: Vec::new(),
                fail_on: Default::default(),
            }
        }
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
            let op = segments.first().and_then(|s| s.tx.first()).copied();
            if op.is_some() && op == self.fail_on.get() {
                return Err(Error::device("sim", "the test fails this message"));
            }
            self.ops.extend(op);
            self.inner.transfer(segments)
        }
    }

    #[test]
    fn reads_use_fast_read_above_the_read_limit() {
        assert_eq!(read_command(READ_MAX_HZ), (READ, 4));
        assert_eq!(read_command(READ_MAX_HZ + 1), (FAST_READ, 5));
        let mut bus = Recording::new(SimBus::open("sim:w25q128").unwrap());
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

    /// What the SFDP tables of the simulated parts (dumped from real chips) give, field
    /// by field as JESD216 defines them.
    #[test]
    fn parameters_from_sfdp() {
        let part = |chip: &str| identify_on(&mut SimBus::open(chip).unwrap(), None).unwrap();
        let ms = Duration::from_millis;
        // W25Q256JV, JESD216A (16 DWORDs): size, erase types and times (typical x 2 x
        // (6 + 1)), page program 704 us and chip erase 80 s typical (the datasheet's
        // 0.7 ms and 80 s) x 2 x (2 + 1); 4-byte opcodes (DWORD 16 and the table).
        let w = part("sim:w25q256");
        assert_eq!(
            (w.size, w.page, w.sfdp.as_deref(), w.addressing),
            (32 << 20, 256, Some("1.5"), Addressing::Opcodes4)
        );
        let ops: Vec<(u8, usize, Duration)> =
            w.erases.iter().map(|e| (e.opcode, e.size, e.max)).collect();
        assert_eq!(
            ops,
            vec![
                (0xd8, 64 << 10, ms(160 * 14)),
                (0x52, 32 << 10, ms(128 * 14)),
                (0x20, 4 << 10, ms(64 * 14))
            ]
        );
        assert_eq!(w.program_max, Duration::from_micros(704 * 6));
        assert_eq!(w.chip_erase_max, Duration::from_secs(80 * 6));
        assert_eq!(
            w.fast_reads,
            vec![
                "1-1-2 0x3b 8 clocks",
                "1-2-2 0xbb 4 clocks",
                "1-1-4 0x6b 8 clocks",
                "1-4-4 0xeb 6 clocks",
                "4-4-4 0xeb 2 clocks"
            ]
        );
        // No 4-byte instruction set, no DWORD 16: EN4B/EX4B from the part table.
        let m = part("sim:mx25l25635e");
        assert_eq!(m.addressing, Addressing::Mode4 { wren: false });
        // MX25L25645G, JESD216B: the same id as the MX25L25635E, told apart by its
        // SFDP, whose 4-byte address instruction table gives the 4-byte opcodes.
        let g = part("sim:mx25l25645g");
        assert_eq!(
            (g.size, g.sfdp.as_deref(), g.addressing),
            (32 << 20, Some("1.6"), Addressing::Opcodes4)
        );
        assert_eq!(
            g.erases[2].max,
            ms(30 * 14),
            "4 KiB: 30 ms typical, the datasheet's"
        );
        // JESD216B (16 DWORDs, rev 1.6): erase times (typical x 2 x (6 + 1)), page
        // size and program time (256 us x 2 x (5 + 1)), and the 4-byte address
        // instruction table's opcodes for every erase type.
        let g = part("sim:mx66l1g45g");
        assert_eq!(
            (g.size, g.page, g.sfdp.as_deref()),
            (128 << 20, 256, Some("1.6"))
        );
        let times: Vec<(usize, Duration)> = g.erases.iter().map(|e| (e.size, e.max)).collect();
        assert_eq!(
            times,
            vec![
                (64 << 10, ms(288 * 14)),
                (32 << 10, ms(160 * 14)),
                (4 << 10, ms(30 * 14))
            ]
        );
        assert_eq!(g.program_max, Duration::from_micros(256 * 12));
        assert_eq!(g.chip_erase_max, Duration::from_secs(256 * 12));
        assert_eq!(g.addressing, Addressing::Opcodes4);
        // The 16 MiB part without SFDP: the JEDEC capacity byte and the defaults.
        let q = part("sim:w25q128");
        assert_eq!(
            (q.size, q.sfdp, q.addressing),
            (16 << 20, None, Addressing::Three)
        );
    }

    /// A 32 MiB part whose DWORD 16 names only a bank register: refused, not driven
    /// with a guessed EN4B.
    #[test]
    fn four_byte_methods_are_not_guessed_past_dword_16() {
        let mut t = SimBus::open("sim:mx25l25645g").unwrap();
        let mut s = read_sfdp(&mut t).unwrap().unwrap();
        s.four_byte = None;
        s.bfpt.enter_4byte = Some(sfdp::Enter4Byte::default());
        let e = identify([0x12, 0x34, 0x19], None, Some(&s)).unwrap_err();
        assert!(e.contains("needs 4-byte addresses"), "{e}");
        s.bfpt.enter_4byte = Some(sfdp::Enter4Byte {
            ear: true,
            ..Default::default()
        });
        let p = identify([0x12, 0x34, 0x19], None, Some(&s)).unwrap();
        assert_eq!(p.addressing, Addressing::ExtendedRegister);
        // Without DWORD 16 (JESD216 before B), "3- or 4-byte" means EN4B after WREN.
        s.bfpt.enter_4byte = None;
        let p = identify([0x12, 0x34, 0x19], None, Some(&s)).unwrap();
        assert_eq!(p.addressing, Addressing::Mode4 { wren: true });
    }

    /// A W25Q256JV whose SFDP lists only the extended address register (its table with
    /// DWORD 16's entry methods cut to that, an unknown id, no 4-byte opcodes): writes
    /// across 16 MiB go through the register, reads are cut at the boundary, and the
    /// register is 0 again after the session, also after an error inside it.
    #[test]
    fn extended_address_register_addressing() {
        use crate::spi::sim::nor;
        let base = nor::part("w25q256").unwrap();
        let mut table = base.sfdp.to_vec();
        table[0x80 + 4 * 15 + 3] = 0x04; // DWORD 16 bits 31:24: the EAR only
        let part: &'static nor::Part = Box::leak(Box::new(nor::Part {
            sfdp: Box::leak(table.into_boxed_slice()),
            // An id the part table does not know (it knows the W25Q256's opcodes).
            jedec: [0x12, 0x34, 0x19],
            four_byte_opcodes: false,
            ..*base
        }));
        let mut bus = Recording::new(SimBus::new(
            "sim:ear",
            Box::new(nor::NorFlash::in_memory(part)),
        ));
        let data: Vec<u8> = (0..9000u32).map(|i| (i * 7 + 1) as u8).collect();
        let at = (16 << 20) - 5000;
        {
            let mut f = Flash::probe(&mut bus, None).unwrap();
            assert_eq!(f.part.addressing, Addressing::ExtendedRegister);
            write_erasing(&mut f, at, &data).unwrap();
            let mut back = vec![0; data.len()];
            f.read(at, &mut back).unwrap();
            assert_eq!(back, data);
            assert_eq!(f.bus.xfer(&[RDEAR, 0]).unwrap()[1], 1);
        }
        assert!(bus.ops.contains(&WREAR) && !bus.ops.contains(&EN4B));
        assert_eq!(bus.xfer(&[RDEAR, 0]).unwrap()[1], 0, "back to segment 0");
        // What 3-byte tools see now: the part below 16 MiB.
        let mut tx = vec![READ, 0xff, 0xec, 0x78];
        tx.resize(4 + 5000, 0);
        assert_eq!(bus.xfer(&tx).unwrap()[4..], data[..5000]);
        // An error while segment 1 is selected: the register is still set back.
        let fail = bus.fail_on.clone();
        {
            let mut f = Flash::probe(&mut bus, None).unwrap();
            f.program(at + 8192, &[0; 16]).unwrap();
            fail.set(Some(PP));
            assert!(f.program(at + 8192, &[0; 16]).is_err());
            fail.set(None);
        }
        assert_eq!(bus.xfer(&[RDEAR, 0]).unwrap()[1], 0);
    }

    /// The SST26VF064B's SFDP sector map (one layout: 8 and 32 KiB blocks at both
    /// ends) gives the regions Linux's debugfs prints for the part; writes and erases
    /// that cross them leave exactly the bytes asked for, after the global unlock.
    #[test]
    fn sector_map_regions_drive_erases() {
        let mut bus = Recording::new(SimBus::open("sim:sst26vf064b").unwrap());
        let p = identify_on(&mut bus, None).unwrap();
        assert_eq!(
            (p.size, p.sector_map, p.global_unlock),
            (8 << 20, Some(0), true)
        );
        assert_eq!(
            p.describe_regions(),
            vec![
                "0x0..0x8000: 8 KiB 0xd8, 4 KiB 0x20",
                "0x8000..0x10000: 32 KiB 0xd8, 4 KiB 0x20",
                "0x10000..0x7f0000: 64 KiB 0xd8, 4 KiB 0x20",
                "0x7f0000..0x7f8000: 32 KiB 0xd8, 4 KiB 0x20",
                "0x7f8000..0x800000: 8 KiB 0xd8, 4 KiB 0x20"
            ]
        );
        let blocks: Vec<(usize, usize)> = erase_plan(&p, 0x6000, 0x1b000)
            .iter()
            .map(|(e, a)| (*a, e.size))
            .collect();
        assert_eq!(
            blocks,
            vec![
                (0x6000, 8 << 10),
                (0x8000, 32 << 10),
                (0x10000, 64 << 10),
                (0x20000, 4 << 10)
            ]
        );
        let mut f = Flash::probe(&mut bus, None).unwrap();
        let ones = vec![0x00; 0x30000];
        write_erasing(&mut f, 0, &ones).unwrap();
        let top = (8 << 20) - 0x30000;
        write_erasing(&mut f, top, &ones).unwrap();
        // Rewrite the middle of each end: the erases must not take their neighbours.
        let data: Vec<u8> = (0..0x11000u32).map(|i| (i % 251) as u8 | 1).collect();
        for at in [0x7000, top + 0x1f000] {
            write_erasing(&mut f, at, &data).unwrap();
            let mut back = vec![0; data.len() + 0x2000];
            f.read(at - 0x1000, &mut back).unwrap();
            assert_eq!(&back[..0x1000], &[0; 0x1000], "{at:#x}: below");
            assert_eq!(&back[0x1000..0x1000 + data.len()], &data[..], "{at:#x}");
            assert_eq!(&back[0x1000 + data.len()..], &[0; 0x1000], "{at:#x}: above");
        }
        drop(f);
        assert_eq!(bus.ops.iter().filter(|&&o| o == ULBPR).count(), 1);
    }

    /// The S28HS02GT's detection commands read each die's registers (RDAR 0x65 with 4
    /// address bytes): the map they select is taken; a configuration without a map
    /// keeps the uniform layout.
    #[test]
    fn sector_map_detection_on_the_bus() {
        struct S28 {
            regs: [(u32, u8); 4],
        }
        impl SpiBus for S28 {
            fn info(&self) -> BusInfo {
                SimBus::open("sim:loopback").unwrap().info()
            }
            fn config(&self) -> Result<crate::spi::bus::BusConfig> {
                SimBus::open("sim:loopback").unwrap().config()
            }
            fn configure(&mut self, _: &crate::spi::bus::ConfigChange) -> Result<()> {
                Ok(())
            }
            fn transfer(&mut self, segments: &mut [crate::spi::bus::Segment]) -> Result<()> {
                let dump = include_bytes!("../../../tests/data/sfdp/s28hs02gt.sfdp");
                let seg = &mut segments[0];
                let tx = seg.tx.clone();
                let rx = &mut seg.rx;
                *rx = vec![0xff; tx.len()];
                match tx[0] {
                    RDID => rx[1..4].copy_from_slice(&[0x34, 0x5b, 0x1c]),
                    RDSFDP => {
                        let a = u32::from_be_bytes([0, tx[1], tx[2], tx[3]]) as usize;
                        for (i, r) in rx[5..].iter_mut().enumerate() {
                            *r = dump.get(a + i).copied().unwrap_or(0xff);
                        }
                    }
                    0x65 => {
                        assert_eq!(tx.len(), 6, "opcode, 4 address bytes, the byte");
                        let a = u32::from_be_bytes([tx[1], tx[2], tx[3], tx[4]]);
                        rx[5] = self.regs.iter().find(|r| r.0 == a).unwrap().1;
                    }
                    _ => {}
                }
                Ok(())
            }
        }
        // Die 0 hybrid (CFR3V[3] = 0) with 4 KiB sectors at the bottom, die 1 uniform.
        let mut bus = S28 {
            regs: [
                (0x0080_0004, 0x00),
                (0x0080_0002, 0x00),
                (0x0880_0004, 0x08),
                (0x0880_0002, 0x00),
            ],
        };
        let p = identify_on(&mut bus, None).unwrap();
        assert_eq!(p.sector_map, Some(0x02));
        assert_eq!(
            p.describe_regions(),
            vec![
                "0x0..0x20000: 4 KiB 0x21",
                "0x20000..0x40000: 128 KiB 0xdc",
                "0x40000..0x10000000: 256 KiB 0xdc"
            ]
        );
        assert_eq!(p.unit_at(0x21000), 0x20000..0x40000);
        assert!(erase_plan(&p, 0x1f000, 0x21000)
            .iter()
            .map(|(e, a)| (*a, e.size))
            .eq([(0x1f000, 4096), (0x20000, 128 << 10)]));
        // Both dies hybrid at the bottom: id 0, no map: uniform.
        bus.regs[2].1 = 0;
        let p = identify_on(&mut bus, None).unwrap();
        assert_eq!((p.sector_map, p.regions.len()), (None, 1));
    }

    /// A command that fails in 4-byte mode still leaves the part in 3-byte mode.
    #[test]
    fn four_byte_mode_is_left_on_error() {
        let mut bus = SimBus::open("sim:mx25l25635e").unwrap();
        {
            let mut f = Flash::probe(&mut bus, None).unwrap();
            assert_eq!(
                f.bus.xfer(&[0x15, 0]).unwrap()[1],
                0x00,
                "not before a command"
            );
            f.program(0x1ff_fff0, &[0x5a; 32]).unwrap();
            assert_eq!(f.bus.xfer(&[0x15, 0]).unwrap()[1], 0x20, "in 4-byte mode");
            let mut back = [0u8; 32];
            f.read(0x1ff_fff0, &mut back).unwrap();
            assert_eq!(back, [0x5a; 32], "across the page at the top of the array");
        }
        assert_eq!(
            bus.xfer(&[0x15, 0]).unwrap()[1],
            0x00,
            "back in 3-byte mode"
        );
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
