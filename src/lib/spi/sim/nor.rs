//! `sim:w25q128`, `sim:w25q256`, `sim:mx25l25635e`, `sim:mx25l25645g`, `sim:mx66l1g45g`,
//! `sim:sst26vf064b` (each `[=FILE]`):
//! 25-series SPI NOR flashes as their datasheets describe them on the wire.
//!
//! - JEDEC id (0x9F); manufacturer/device id (0x90) and release power-down id (0xAB)
//!   on the parts that have them (not the SST26).
//! - READ SFDP (0x5A, 3-byte address, 8 dummy clocks): the part's JESD216 tables, as
//!   read from real parts (the dumps in QEMU's hw/block/m25p80_sfdp.c, in Project
//!   Cerberus' SFDP tests and in Linux's spi-nor documentation; each table says which;
//!   the W25Q128JV is simulated without SFDP).
//! - The SST26VF064B: its block erase (0xD8) erases 8 KiB blocks in the lowest and
//!   highest 32 KiB, 32 KiB blocks next to those, 64 KiB elsewhere (what its SFDP
//!   sector map says); it has no 0x52. It powers up with every block write-locked:
//!   program and erase are ignored until a global unlock (0x98, ULBPR, after a write
//!   enable). Its block-protection and configuration registers are not readable here.
//! - Read (0x03) and fast read (0x0B, one dummy byte), wrapping at the end of the array.
//! - Write enable (0x06) sets the WEL latch, write disable (0x04) clears it; program and
//!   erase are ignored without it and clear it when they finish.
//! - Page program (0x02) latches up to 256 bytes; past the end of the page the address
//!   wraps to the start of the same page; programming only clears bits.
//! - Sector (0x20, 4 KiB), block (0x52, 32 KiB; 0xD8, 64 KiB) and chip (0xC7/0x60)
//!   erase; like program they act when chip select goes high, and only if the command
//!   was exactly the opcode plus its address.
//! - Parts above 16 MiB: enter/exit 4-byte address mode (0xB7/0xE9), after which the
//!   commands above take 4 address bytes; in 3-byte mode addresses reach the lower
//!   16 MiB only. The current mode shows in status register 3 bit 0 (ADS, Winbond) or
//!   the configuration register bit 5 (4BYTE, Macronix), both read with 0x15. Parts with
//!   the 4-byte instruction set also take 0x13 (read), 0x0C (fast read), 0x12 (page
//!   program), 0x21/0x5C/0xDC (4/32/64 KiB erase) with 4 address bytes in either mode.
//! - The extended address register of the W25Q256JV and Macronix's G parts: written
//!   with 0xC5 and one byte after a write enable (which it clears), read with 0xC8,
//!   volatile (0 at power-up); in 3-byte mode it selects the 16 MiB segment that 3-byte
//!   addresses reach, and a read wraps at that segment's end.
//! - While busy the status register (0x05) shows WIP (and WEL), every other
//!   instruction is ignored, for the datasheet's typical times.
//!
//! Status register writes, suspend/resume, QPI and security registers are not
//! simulated; like unknown opcodes they are ignored. Undriven MISO reads 0xFF.
//!
//! With a FILE the array lives there (created erased when missing) and every program or
//! erase is written through, so separate commands see one chip; the file is locked while
//! open so that two commands cannot interleave on it. The chip stays powered between
//! commands: its address mode is kept in FILE.state (a real part keeps 4-byte mode until
//! it is told otherwise or loses power, which is why an interrupted tool must restore it).

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Chip;
use crate::error::{Error, Result};
use crate::spi::bus::BusConfig;
use crate::spi::protect::Scheme;

pub const PAGE: usize = 256;

/// Which register 0x15 reads, and where the address mode shows in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vendor {
    /// Status register 3, ADS in bit 0.
    Winbond,
    /// Configuration register, 4BYTE in bit 5.
    Macronix,
    /// SST26: no 0x15; its configuration and block-protection registers are not
    /// simulated beyond the power-up lock (`Part::power_up_lock`).
    Microchip,
}

/// How the block erases' sizes depend on the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocks {
    /// 0x52 erases 32 KiB and 0xD8 64 KiB everywhere.
    Uniform,
    /// SST26VF: 0xD8 erases the block holding the address: 8 KiB in the lowest and
    /// highest 32 KiB, 32 KiB in the next 32 KiB either side, 64 KiB elsewhere; no 0x52.
    Sst26,
}

/// Typical times from the datasheet: page program, 4K/32K/64K erase, chip erase.
#[derive(Debug, Clone, Copy)]
pub struct Times {
    pub pp: Duration,
    pub se: Duration,
    pub be32: Duration,
    pub be64: Duration,
    pub ce: Duration,
}

/// What a simulated part is.
#[derive(Debug, Clone, Copy)]
pub struct Part {
    pub sim_name: &'static str,
    pub name: &'static str,
    pub vendor: Vendor,
    pub jedec: [u8; 3],
    /// The ids 0x90 (manufacturer, device) and 0xAB (device) return, on parts that
    /// answer them.
    pub rems: Option<[u8; 2]>,
    pub size: usize,
    /// The SFDP area from address 0; empty: no SFDP (reads 0xFF).
    pub sfdp: &'static [u8],
    /// The dedicated 4-byte instruction set (0x13, 0x0C, 0x12, 0x21, 0x5C, 0xDC).
    pub four_byte_opcodes: bool,
    /// The extended address register: address bits 31:24 in 3-byte mode, written with
    /// 0xC5 after a write enable, read with 0xC8.
    pub ear: bool,
    pub max_hz: u32,
    pub times: Times,
    /// The block protection bits' layout (`spi::protect`), on parts with BP bits.
    pub protect: Option<Scheme>,
    pub blocks: Blocks,
    /// The whole array is write-locked at power-up until a global block-protection
    /// unlock (0x98 after a write enable), as on SST26 parts.
    pub power_up_lock: bool,
}

/// SFDP of a W25Q256JV (JESD216A, rev 1.5: the basic table of 16 DWORDs at 0x80, whose
/// DWORD 16 says 0xB7 and the 4-byte instruction set), as read from the part (Project
/// Cerberus' spi_flash_sfdp tests carry the dump).
const SFDP_W25Q256JV: &[u8] = &[
    0x53, 0x46, 0x44, 0x50, 0x05, 0x01, 0x00, 0xff, 0x00, 0x05, 0x01, 0x10, 0x80, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xe5, 0x20, 0xfb, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x44, 0xeb, 0x08, 0x6b, 0x08, 0x3b, 0x42, 0xbb,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff, 0xff, 0x40, 0xeb, 0x0c, 0x20, 0x0f, 0x52,
    0x10, 0xd8, 0x00, 0x00, 0x36, 0x02, 0xa6, 0x00, 0x82, 0xea, 0x14, 0xd3, 0xe9, 0x63, 0x76, 0x33,
    0x7a, 0x75, 0x7a, 0x75, 0xf7, 0xa2, 0xd5, 0x5c, 0x19, 0xf7, 0x4d, 0xff, 0xe9, 0x70, 0xf9, 0xa5,
];

/// SFDP of an MX25L25635E (JESD216 1.0: basic table at 0x30, Macronix's table at 0x60;
/// no 4-byte instruction set: 4-byte addressing is EN4B/EX4B only).
const SFDP_MX25L25635E: &[u8] = &[
    0x53, 0x46, 0x44, 0x50, 0x00, 0x01, 0x01, 0xff, 0x00, 0x00, 0x01, 0x09, 0x30, 0x00, 0x00, 0xff,
    0xc2, 0x00, 0x01, 0x04, 0x60, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xe5, 0x20, 0xf3, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x44, 0xeb, 0x08, 0x6b, 0x08, 0x3b, 0x04, 0xbb,
    0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0x00, 0xff, 0x0c, 0x20, 0x0f, 0x52,
    0x10, 0xd8, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x36, 0x00, 0x27, 0xf7, 0x4f, 0xff, 0xff, 0xd9, 0xc8,
];

/// SFDP of an MX25L25645G (JESD216B, rev 1.6: the basic table of 16 DWORDs at 0x30,
/// Macronix's table at 0x110, the 4-byte address instruction table at 0xC0). The header
/// and the basic table are the part's (Project Cerberus' dump); the 4-byte table is the
/// MX66L1G45G's of the same G family (read 0x13, fast read 0x0C, PP 0x12, erases
/// 0x21/0x5C/0xDC), as the MX25L25645G datasheet lists those instructions; Macronix's
/// own table is not simulated (0xFF).
const SFDP_MX25L25645G: &[u8] = &[
    0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x02, 0xff, 0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xff,
    0xc2, 0x00, 0x01, 0x04, 0x10, 0x01, 0x00, 0xff, 0x84, 0x00, 0x01, 0x02, 0xc0, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xe5, 0x20, 0xfb, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x44, 0xeb, 0x08, 0x6b, 0x08, 0x3b, 0x04, 0xbb,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0x44, 0xeb, 0x0c, 0x20, 0x0f, 0x52,
    0x10, 0xd8, 0x00, 0xff, 0xd6, 0x59, 0xdd, 0x00, 0x82, 0x9f, 0x03, 0xdb, 0x44, 0x03, 0x67, 0x38,
    0x30, 0xb0, 0x30, 0xb0, 0xf7, 0xbd, 0xd5, 0x5c, 0x4a, 0x9e, 0x29, 0xff, 0xf0, 0x50, 0xf9, 0x85,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x7f, 0xef, 0xff, 0xff, 0x21, 0x5c, 0xdc,
];

/// SFDP of an MX66L1G45G (JESD216B: basic table of 16 DWORDs at 0x30, the 4-byte
/// address instruction table at 0xC0, Macronix's table at 0x110).
const SFDP_MX66L1G45G: &[u8] = &[
    0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x02, 0xff, 0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xff,
    0xc2, 0x00, 0x01, 0x04, 0x10, 0x01, 0x00, 0xff, 0x84, 0x00, 0x01, 0x02, 0xc0, 0x00, 0x00, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xe5, 0x20, 0xfb, 0xff, 0xff, 0xff, 0xff, 0x3f, 0x44, 0xeb, 0x08, 0x6b, 0x08, 0x3b, 0x04, 0xbb,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0x44, 0xeb, 0x0c, 0x20, 0x0f, 0x52,
    0x10, 0xd8, 0x00, 0xff, 0xd6, 0x49, 0xc5, 0x00, 0x85, 0xdf, 0x04, 0xe3, 0x44, 0x03, 0x67, 0x38,
    0x30, 0xb0, 0x30, 0xb0, 0xf7, 0xbd, 0xd5, 0x5c, 0x4a, 0x9e, 0x29, 0xff, 0xf0, 0x50, 0xf9, 0x85,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x7f, 0xef, 0xff, 0xff, 0x21, 0x5c, 0xdc, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x36, 0x00, 0x27, 0x9d, 0xf9, 0xc0, 0x64, 0x85, 0xcb,
];

/// SFDP of an SST26VF064B (JESD216B, rev 1.6: the basic table of 16 DWORDs at 0x30,
/// a sector map at 0x100 with one layout and no detection commands, Microchip's table
/// at 0x200), as Linux's Documentation/driver-api/mtd/spi-nor.rst prints it from a part
/// (sha256 428f34d0...898ed1, which these bytes have).
const SFDP_SST26VF064B: &[u8] = &[
    0x53, 0x46, 0x44, 0x50, 0x06, 0x01, 0x02, 0xff, 0x00, 0x06, 0x01, 0x10, 0x30, 0x00, 0x00, 0xff,
    0x81, 0x00, 0x01, 0x06, 0x00, 0x01, 0x00, 0xff, 0xbf, 0x00, 0x01, 0x18, 0x00, 0x02, 0x00, 0x01,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xfd, 0x20, 0xf1, 0xff, 0xff, 0xff, 0xff, 0x03, 0x44, 0xeb, 0x08, 0x6b, 0x08, 0x3b, 0x80, 0xbb,
    0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff, 0xff, 0xff, 0x44, 0x0b, 0x0c, 0x20, 0x0d, 0xd8,
    0x0f, 0xd8, 0x10, 0xd8, 0x20, 0x91, 0x48, 0x24, 0x80, 0x6f, 0x1d, 0x81, 0xed, 0x0f, 0x77, 0x38,
    0x30, 0xb0, 0x30, 0xb0, 0xf7, 0xff, 0xff, 0xff, 0x29, 0xc2, 0x5c, 0xff, 0xf0, 0x30, 0xc0, 0x80,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0x00, 0x04, 0xff, 0xf3, 0x7f, 0x00, 0x00, 0xf5, 0x7f, 0x00, 0x00, 0xf9, 0xff, 0x7d, 0x00,
    0xf5, 0x7f, 0x00, 0x00, 0xf3, 0x7f, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbf, 0x26, 0x43, 0xff, 0xb9, 0x5f, 0xfd, 0xff, 0x30, 0xf2, 0x60, 0xf3, 0x32, 0xff, 0x0a, 0x12,
    0x23, 0x46, 0xff, 0x0f, 0x19, 0x32, 0x0f, 0x19, 0x19, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x00, 0x66, 0x99, 0x38, 0xff, 0x05, 0x01, 0x35, 0x06, 0x04, 0x02, 0x32, 0xb0, 0x30, 0x72, 0x42,
    0x8d, 0xe8, 0x98, 0x88, 0xa5, 0x85, 0xc0, 0x9f, 0xaf, 0x5a, 0xff, 0xff, 0x06, 0xec, 0x06, 0x0c,
    0x00, 0x03, 0x08, 0x0b, 0xff, 0xff, 0xff, 0xff, 0xff, 0x07, 0xff, 0xff, 0x02, 0x02, 0xff, 0x06,
    0x03, 0x00, 0xfd, 0xfd, 0x04, 0x07, 0x00, 0xfc, 0x03, 0x00, 0xfe, 0xfe, 0x02, 0x02, 0x07, 0x0e,
];

const WINBOND_TIMES: Times = Times {
    pp: Duration::from_micros(700),
    se: Duration::from_millis(45),
    be32: Duration::from_millis(120),
    be64: Duration::from_millis(150),
    ce: Duration::from_secs(40),
};

/// Macronix's G family (MX25L25645G, MX66L1G45G): typical times; the chip erase
/// grows with the size (MX66L1G45G: 250 s).
const MACRONIX_G_TIMES: Times = Times {
    pp: Duration::from_micros(330),
    se: Duration::from_millis(30),
    be32: Duration::from_millis(150),
    be64: Duration::from_millis(280),
    ce: Duration::from_secs(250),
};

pub const PARTS: &[Part] = &[
    Part {
        sim_name: "w25q128",
        name: "W25Q128JV",
        vendor: Vendor::Winbond,
        jedec: [0xef, 0x40, 0x18],
        rems: Some([0xef, 0x17]),
        size: 16 << 20,
        sfdp: &[],
        four_byte_opcodes: false,
        ear: false,
        max_hz: 133_000_000,
        times: WINBOND_TIMES,
        protect: Some(Scheme::Winbond3),
        blocks: Blocks::Uniform,
        power_up_lock: false,
    },
    Part {
        sim_name: "w25q256",
        name: "W25Q256JV",
        vendor: Vendor::Winbond,
        jedec: [0xef, 0x40, 0x19],
        rems: Some([0xef, 0x18]),
        size: 32 << 20,
        sfdp: SFDP_W25Q256JV,
        four_byte_opcodes: true,
        ear: true,
        max_hz: 104_000_000,
        times: Times {
            ce: Duration::from_secs(80),
            ..WINBOND_TIMES
        },
        protect: Some(Scheme::Winbond4),
        blocks: Blocks::Uniform,
        power_up_lock: false,
    },
    Part {
        sim_name: "mx25l25635e",
        name: "MX25L25635E",
        vendor: Vendor::Macronix,
        jedec: [0xc2, 0x20, 0x19],
        rems: Some([0xc2, 0x18]),
        size: 32 << 20,
        sfdp: SFDP_MX25L25635E,
        four_byte_opcodes: false,
        ear: false,
        max_hz: 80_000_000,
        times: Times {
            pp: Duration::from_micros(1400),
            se: Duration::from_millis(60),
            be32: Duration::from_millis(500),
            be64: Duration::from_millis(700),
            ce: Duration::from_secs(200),
        },
        protect: Some(Scheme::Macronix4),
        blocks: Blocks::Uniform,
        power_up_lock: false,
    },
    Part {
        sim_name: "mx25l25645g",
        name: "MX25L25645G",
        vendor: Vendor::Macronix,
        jedec: [0xc2, 0x20, 0x19],
        rems: Some([0xc2, 0x18]),
        size: 32 << 20,
        sfdp: SFDP_MX25L25645G,
        four_byte_opcodes: true,
        ear: true,
        max_hz: 133_000_000,
        times: Times {
            ce: Duration::from_secs(80),
            ..MACRONIX_G_TIMES
        },
        protect: Some(Scheme::Macronix4),
        blocks: Blocks::Uniform,
        power_up_lock: false,
    },
    Part {
        sim_name: "mx66l1g45g",
        name: "MX66L1G45G",
        vendor: Vendor::Macronix,
        jedec: [0xc2, 0x20, 0x1b],
        rems: Some([0xc2, 0x1a]),
        size: 128 << 20,
        sfdp: SFDP_MX66L1G45G,
        four_byte_opcodes: true,
        ear: true,
        max_hz: 133_000_000,
        times: MACRONIX_G_TIMES,
        protect: Some(Scheme::Macronix4),
        blocks: Blocks::Uniform,
        power_up_lock: false,
    },
    Part {
        sim_name: "sst26vf064b",
        name: "SST26VF064B",
        vendor: Vendor::Microchip,
        jedec: [0xbf, 0x26, 0x43],
        rems: None,
        size: 8 << 20,
        sfdp: SFDP_SST26VF064B,
        four_byte_opcodes: false,
        ear: false,
        max_hz: 104_000_000,
        // The typical times its SFDP gives.
        times: Times {
            pp: Duration::from_micros(1024),
            se: Duration::from_millis(19),
            be32: Duration::from_millis(19),
            be64: Duration::from_millis(19),
            ce: Duration::from_millis(32),
        },
        protect: None,
        blocks: Blocks::Sst26,
        power_up_lock: true,
    },
];

/// The simulated part `sim:NAME` names.
pub fn part(sim_name: &str) -> Option<&'static Part> {
    PARTS.iter().find(|p| p.sim_name == sim_name)
}

/// Write status register time (W25Q128JV tW typical 10 ms).
const T_W: Duration = Duration::from_millis(10);

/// What the chip keeps while powered between commands (FILE.state): the address mode
/// and the status registers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct State {
    four_byte: bool,
    ear: u8,
    sr1: u8,
    reg2: u8,
    /// Locked by the power-up block protection (SST26).
    locked: bool,
}

impl State {
    fn power_up(part: &Part) -> State {
        State {
            locked: part.power_up_lock,
            ..State::default()
        }
    }

    fn parse(text: &str, part: &Part) -> State {
        let mut s = State::power_up(part);
        for (k, v) in text.split_whitespace().filter_map(|kv| kv.split_once('=')) {
            let n = u8::from_str_radix(v.trim_start_matches("0x"), 16).unwrap_or(0);
            match k {
                "four_byte" => s.four_byte = n == 1,
                "ear" => s.ear = n,
                "sr1" => s.sr1 = n,
                "reg2" => s.reg2 = n,
                "locked" => s.locked = n == 1,
                _ => {}
            }
        }
        s
    }

    fn text(&self) -> String {
        format!(
            "four_byte={} ear=0x{:02x} sr1=0x{:02x} reg2=0x{:02x} locked={}\n",
            self.four_byte as u8, self.ear, self.sr1, self.reg2, self.locked as u8
        )
    }
}

/// What a completed frame does when chip select goes high.
enum Action {
    None,
    SetWel(bool),
    FourByte(bool),
    WriteEar(u8),
    Unlock,
    WriteStatus(Vec<u8>),
    Program {
        page: usize,
        data: Box<[u8; PAGE]>,
    },
    Erase {
        start: usize,
        len: usize,
        time: Duration,
    },
}

pub struct NorFlash {
    part: &'static Part,
    mem: Vec<u8>,
    file: Option<(File, PathBuf)>,
    wel: bool,
    four_byte: bool,
    /// The extended address register (0 at power-up).
    ear: u8,
    /// The power-up block lock is still on.
    locked: bool,
    /// Status register 1's non-volatile bits (BP, TB, SEC, SRP) and the second
    /// register: Winbond's SR2 (CMP, QE), Macronix's configuration register (TB).
    sr1: u8,
    reg2: u8,
    /// Bytes after the opcode of a write status register command.
    status_bytes: Vec<u8>,
    busy_until: Option<Instant>,
    /// Bytes of the current frame seen so far (opcode included).
    n: usize,
    opcode: u8,
    /// Ignored frame: opcode sent while busy, or unknown.
    ignored: bool,
    /// Address bytes the current command takes (0 for none).
    addr_len: usize,
    addr: u32,
    page_buf: Box<[u8; PAGE]>,
}

impl NorFlash {
    pub fn in_memory(part: &'static Part) -> Self {
        Self::with_mem(part, vec![0xff; part.size], None, State::power_up(part))
    }

    fn with_mem(
        part: &'static Part,
        mem: Vec<u8>,
        file: Option<(File, PathBuf)>,
        state: State,
    ) -> Self {
        NorFlash {
            part,
            mem,
            file,
            wel: false,
            four_byte: state.four_byte,
            ear: state.ear,
            locked: state.locked,
            sr1: state.sr1,
            reg2: state.reg2,
            status_bytes: Vec::new(),
            busy_until: None,
            n: 0,
            opcode: 0,
            ignored: false,
            addr_len: 0,
            addr: 0,
            page_buf: Box::new([0xff; PAGE]),
        }
    }

    fn state_path(path: &Path) -> PathBuf {
        let mut s = path.as_os_str().to_owned();
        s.push(".state");
        PathBuf::from(s)
    }

    /// Opens (or creates, erased) the chip image in `path`.
    pub fn with_file(part: &'static Part, path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
        let device = format!("sim:{}={shown}", part.sim_name);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| Error::io(format!("opening flash image {shown}"), e))?;
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(Error::device(
                device,
                "the image is in use by another process",
            ));
        }
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {shown}"), e))?
            .len() as usize;
        let mem = if len == 0 {
            let mem = vec![0xff; part.size];
            file.write_all_at(&mem, 0)
                .map_err(|e| Error::io(format!("creating flash image {shown}"), e))?;
            mem
        } else if len == part.size {
            let mut mem = Vec::with_capacity(part.size);
            file.read_to_end(&mut mem)
                .map_err(|e| Error::io(format!("reading flash image {shown}"), e))?;
            mem
        } else {
            return Err(Error::device(
                device,
                format!(
                    "the image is {len} bytes but a {} holds {}",
                    part.name, part.size
                ),
            )
            .with_hint("remove it to start from an erased chip"));
        };
        let state = std::fs::read_to_string(Self::state_path(path))
            .map(|s| State::parse(&s, part))
            .unwrap_or_else(|_| State::power_up(part));
        Ok(Self::with_mem(
            part,
            mem,
            Some((file, path.to_path_buf())),
            state,
        ))
    }

    /// Ends a busy period that has run out; WEL clears when program/erase finish.
    fn tick(&mut self) {
        if let Some(t) = self.busy_until {
            if Instant::now() >= t {
                self.busy_until = None;
                self.wel = false;
            }
        }
    }

    fn busy(&self) -> bool {
        self.busy_until.is_some()
    }

    fn status1(&mut self) -> u8 {
        self.tick();
        (self.busy() as u8) | ((self.wel as u8) << 1) | (self.sr1 & 0xfc)
    }

    /// Register 0x15: Winbond's SR3 (ADS, the address mode, in bit 0), Macronix's
    /// configuration register (TB bit 3, 4BYTE bit 5).
    fn register_15(&self) -> u8 {
        match self.part.vendor {
            Vendor::Winbond => self.four_byte as u8,
            Vendor::Macronix => (self.reg2 & !0x20) | (self.four_byte as u8) << 5,
            Vendor::Microchip => 0xff,
        }
    }

    /// The range the protect bits (or the power-up lock) cover now.
    fn protected(&self) -> Option<(usize, usize)> {
        if self.locked {
            return Some((0, self.part.size));
        }
        let p = self.part.protect?;
        p.range(self.part.size, p.decode(self.sr1, self.reg2))
    }

    /// Whether a program or erase of `[start, start + len)` touches protected memory
    /// (the chip then ignores it, as the datasheets say).
    fn is_protected(&self, start: usize, len: usize) -> bool {
        self.protected()
            .is_some_and(|(a, b)| start < b && a < start + len)
    }

    fn persist(&mut self, start: usize, len: usize) -> Result<()> {
        if let Some((file, path)) = &self.file {
            file.write_all_at(&self.mem[start..start + len], start as u64)
                .map_err(|e| Error::io(format!("writing flash image {}", path.display()), e))?;
        }
        Ok(())
    }

    fn persist_state(&self) -> Result<()> {
        if let Some((_, path)) = &self.file {
            let p = Self::state_path(path);
            let s = State {
                four_byte: self.four_byte,
                ear: self.ear,
                locked: self.locked,
                sr1: self.sr1,
                reg2: self.reg2,
            };
            std::fs::write(&p, s.text())
                .map_err(|e| Error::io(format!("writing {}", p.display()), e))?;
        }
        Ok(())
    }

    /// Address bytes an opcode takes in the current mode; `None` for opcodes this part
    /// does not know.
    fn address_bytes(&self, op: u8) -> Option<usize> {
        let mode = if self.four_byte { 4 } else { 3 };
        let sst = self.part.vendor == Vendor::Microchip;
        match op {
            0x03 | 0x0b | 0x02 | 0x20 | 0xd8 => Some(mode),
            0x52 if self.part.blocks == Blocks::Uniform => Some(mode),
            0x13 | 0x0c | 0x12 | 0x21 | 0x5c | 0xdc if self.part.four_byte_opcodes => Some(4),
            0x5a => Some(3),
            0x90 | 0xab if self.part.rems.is_some() => Some(3),
            0x9f | 0x05 | 0x06 | 0x04 | 0xc7 | 0x60 => Some(0),
            0x15 | 0x01 if !sst => Some(0),
            0x98 if self.part.power_up_lock => Some(0),
            0x35 if self.part.vendor == Vendor::Winbond => Some(0),
            0xb7 | 0xe9 if self.part.size > 16 << 20 => Some(0),
            0xc5 | 0xc8 if self.part.ear => Some(0),
            _ => None,
        }
    }

    fn byte(&mut self, mosi: u8) -> u8 {
        let i = self.n;
        self.n += 1;
        if i == 0 {
            self.opcode = mosi;
            self.addr = 0;
            self.tick();
            let len = self.address_bytes(mosi);
            self.addr_len = len.unwrap_or(0);
            self.ignored = len.is_none() || (self.busy() && !matches!(mosi, 0x05 | 0x35 | 0x15));
            return 0xff;
        }
        if self.ignored {
            return 0xff;
        }
        if i <= self.addr_len {
            self.addr = (self.addr << 8) | u32::from(mosi);
            return 0xff;
        }
        // Bytes after the opcode and address: j counts from 0.
        let j = i - 1 - self.addr_len;
        match self.opcode {
            0x9f => self.part.jedec.get(j).copied().unwrap_or(0xff),
            0x05 => self.status1(),
            0x15 => self.register_15(),
            0x35 => self.reg2,
            0x01 | 0xc5 => {
                self.status_bytes.push(mosi);
                0xff
            }
            0xc8 => self.ear,
            0x90 => self
                .part
                .rems
                .map_or(0xff, |r| r[(j + (self.addr & 1) as usize) % 2]),
            0xab => self.part.rems.map_or(0xff, |r| r[1]),
            0x5a => {
                // One dummy byte, then the table from the address.
                if j == 0 {
                    0xff
                } else {
                    let a = self.addr as usize + j - 1;
                    self.part.sfdp.get(a).copied().unwrap_or(0xff)
                }
            }
            0x03 | 0x13 => {
                let a = self.locate(self.addr as usize + j);
                self.mem[a]
            }
            0x0b | 0x0c => {
                if j == 0 {
                    0xff
                } else {
                    let a = self.locate(self.addr as usize + j - 1);
                    self.mem[a]
                }
            }
            0x02 | 0x12 => {
                let col = (self.addr as usize + j) % PAGE;
                self.page_buf[col] = mosi;
                0xff
            }
            _ => 0xff,
        }
    }

    /// Where an address of the current command falls in the array: anywhere with 4
    /// address bytes (wrapping at the end); with 3, inside the 16 MiB segment the
    /// extended address register selects (the lowest on parts without one), wrapping
    /// at the segment's end.
    fn locate(&self, a: usize) -> usize {
        let size = self.part.size;
        if self.addr_len == 4 {
            return a % size;
        }
        let segment = size.min(16 << 20);
        let base = (usize::from(self.ear) << 24) % size;
        base + a % segment
    }

    /// What the frame just ended asks for, judged as the datasheet does at CS high.
    fn action(&mut self) -> Action {
        if self.n == 0 || self.ignored {
            return Action::None;
        }
        let exact = |len: usize| self.n == len;
        let with_addr = 1 + self.addr_len;
        let t = self.part.times;
        match self.opcode {
            0x06 if exact(1) => Action::SetWel(true),
            0x04 if exact(1) => Action::SetWel(false),
            0x01 if self.wel && (2..=3).contains(&self.n) => {
                Action::WriteStatus(std::mem::take(&mut self.status_bytes))
            }
            0xc5 if self.wel && exact(2) => Action::WriteEar(self.status_bytes[0]),
            0x98 if self.wel && exact(1) => Action::Unlock,
            0xb7 if exact(1) => Action::FourByte(true),
            0xe9 if exact(1) => Action::FourByte(false),
            0x02 | 0x12 if self.wel && self.n > with_addr => {
                let page = self.locate(self.addr as usize) & !(PAGE - 1);
                if self.is_protected(page, PAGE) {
                    return Action::None;
                }
                let data = std::mem::replace(&mut self.page_buf, Box::new([0xff; PAGE]));
                Action::Program { page, data }
            }
            0x20 | 0x52 | 0xd8 | 0x21 | 0x5c | 0xdc if self.wel && exact(with_addr) => {
                let (len, time) = match self.opcode {
                    0x20 | 0x21 => (4 << 10, t.se),
                    0x52 | 0x5c => (32 << 10, t.be32),
                    _ if self.part.blocks == Blocks::Sst26 => {
                        let a = self.locate(self.addr as usize);
                        let from_edge = a.min(self.part.size - 1 - a);
                        let len = match from_edge {
                            e if e < 32 << 10 => 8 << 10,
                            e if e < 64 << 10 => 32 << 10,
                            _ => 64 << 10,
                        };
                        (len, t.be64)
                    }
                    _ => (64 << 10, t.be64),
                };
                let start = self.locate(self.addr as usize) & !(len - 1);
                if self.is_protected(start, len) {
                    return Action::None;
                }
                Action::Erase { start, len, time }
            }
            0xc7 | 0x60 if self.wel && exact(1) && self.protected().is_none() => Action::Erase {
                start: 0,
                len: self.part.size,
                time: t.ce,
            },
            _ => Action::None,
        }
    }
}

impl Chip for NorFlash {
    fn part(&self) -> &'static str {
        self.part.name
    }

    fn select(&mut self) {
        self.n = 0;
        self.page_buf.fill(0xff);
        self.status_bytes.clear();
    }

    fn exchange(&mut self, tx: &[u8], rx: &mut [u8]) {
        for (t, r) in tx.iter().zip(rx.iter_mut()) {
            *r = self.byte(*t);
        }
    }

    fn deselect(&mut self) -> Result<()> {
        let action = self.action();
        self.n = 0;
        match action {
            Action::None => {}
            Action::SetWel(on) => self.wel = on,
            Action::FourByte(on) => {
                self.four_byte = on;
                self.persist_state()?;
            }
            Action::Unlock => {
                self.locked = false;
                self.wel = false;
                self.persist_state()?;
            }
            Action::WriteEar(v) => {
                // Bits above the part's size read back as written; only the ones
                // that select a segment matter (locate).
                self.ear = v;
                self.wel = false;
                self.persist_state()?;
            }
            Action::WriteStatus(bytes) => {
                // SR1: BP, TB, SEC, SRP (WIP and WEL are the chip's own).
                self.sr1 = bytes[0] & 0xfc;
                if let Some(&b) = bytes.get(1) {
                    self.reg2 = match self.part.vendor {
                        // SR2: QE and CMP (the lock bits are one-time: left alone).
                        Vendor::Winbond => (self.reg2 & !0x42) | (b & 0x42),
                        // CR: TB is one-time programmable: it can be set, never cleared.
                        Vendor::Macronix => self.reg2 | (b & 0x08),
                        Vendor::Microchip => self.reg2,
                    };
                }
                self.busy_until = Some(Instant::now() + T_W);
                self.persist_state()?;
            }
            Action::Program { page, data } => {
                for (m, d) in self.mem[page..page + PAGE].iter_mut().zip(data.iter()) {
                    *m &= d;
                }
                self.busy_until = Some(Instant::now() + self.part.times.pp);
                self.persist(page, PAGE)?;
            }
            Action::Erase { start, len, time } => {
                self.mem[start..start + len].fill(0xff);
                self.busy_until = Some(Instant::now() + time);
                self.persist(start, len)?;
            }
        }
        Ok(())
    }

    fn check_config(&self, cfg: &BusConfig) -> std::result::Result<(), String> {
        let name = self.part.name;
        if cfg.mode != 0 && cfg.mode != 3 {
            return Err(format!(
                "the {name} works in SPI modes 0 and 3 only, not {}",
                cfg.mode
            ));
        }
        if cfg.cs_high {
            return Err(format!("the {name}'s chip select is active low"));
        }
        if cfg.three_wire {
            return Err(format!(
                "the {name} has separate DI and DO pins (no 3-wire mode)"
            ));
        }
        if cfg.speed_hz > self.part.max_hz {
            return Err(format!(
                "{} Hz is above the {name}'s {} MHz maximum clock",
                cfg.speed_hz,
                self.part.max_hz / 1_000_000
            ));
        }
        Ok(())
    }

    fn state(&self) -> Option<String> {
        Some(match &self.file {
            Some((_, p)) => format!("{} ({} MiB image)", p.display(), self.part.size >> 20),
            None => "in memory (lost at exit)".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(c: &mut NorFlash, tx: &[u8]) -> Vec<u8> {
        let mut rx = vec![0; tx.len()];
        c.select();
        c.exchange(tx, &mut rx);
        c.deselect().unwrap();
        rx
    }

    fn wait_ready(c: &mut NorFlash) {
        while frame(c, &[0x05, 0])[1] & 1 != 0 {
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    fn read(c: &mut NorFlash, addr: u32, len: usize) -> Vec<u8> {
        let mut tx = vec![0x03, (addr >> 16) as u8, (addr >> 8) as u8, addr as u8];
        tx.resize(4 + len, 0);
        frame(c, &tx)[4..].to_vec()
    }

    fn w25q128() -> NorFlash {
        NorFlash::in_memory(part("w25q128").unwrap())
    }

    #[test]
    fn ids() {
        let mut c = w25q128();
        assert_eq!(
            frame(&mut c, &[0x9f, 0, 0, 0]),
            vec![0xff, 0xef, 0x40, 0x18]
        );
        assert_eq!(frame(&mut c, &[0x90, 0, 0, 0, 0, 0])[4..], [0xef, 0x17]);
        assert_eq!(frame(&mut c, &[0x90, 0, 0, 1, 0, 0])[4..], [0x17, 0xef]);
        assert_eq!(frame(&mut c, &[0xab, 0, 0, 0, 0])[4], 0x17);
        // No SFDP on this one; the 32 MiB Winbond answers its table.
        assert_eq!(frame(&mut c, &[0x5a, 0, 0, 0, 0, 0, 0])[5..], [0xff, 0xff]);
        let mut c = NorFlash::in_memory(part("w25q256").unwrap());
        assert_eq!(
            frame(&mut c, &[0x5a, 0, 0, 0, 0, 0, 0, 0, 0])[5..],
            *b"SFDP"
        );
    }

    #[test]
    fn fast_read_has_one_dummy_byte_after_the_address() {
        let mut c = w25q128();
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x02, 0x00, 0x12, 0x34, 0xaa, 0xbb, 0xcc]);
        wait_ready(&mut c);
        let rx = frame(&mut c, &[0x0b, 0x00, 0x12, 0x34, 0x00, 0, 0, 0]);
        assert_eq!(
            rx[..5],
            [0xff; 5],
            "nothing driven during address and dummy"
        );
        assert_eq!(rx[5..], [0xaa, 0xbb, 0xcc]);
        // READ 0x03 from the same address has its data one byte earlier.
        assert_eq!(read(&mut c, 0x1234, 3), vec![0xaa, 0xbb, 0xcc]);
    }

    #[test]
    fn program_needs_wel_and_only_clears_bits() {
        let mut c = w25q128();
        frame(&mut c, &[0x02, 0, 0, 0, 0x12]);
        assert_eq!(read(&mut c, 0, 1), vec![0xff], "no WEL: ignored");
        frame(&mut c, &[0x06]);
        assert_eq!(frame(&mut c, &[0x05, 0])[1], 0x02, "WEL set");
        frame(&mut c, &[0x02, 0, 0, 0, 0xf0, 0x0f]);
        assert_eq!(frame(&mut c, &[0x05, 0])[1] & 3, 3, "busy with WEL");
        // Ignored while busy: even a write enable or a read.
        assert_eq!(read(&mut c, 0, 2), vec![0xff, 0xff]);
        wait_ready(&mut c);
        assert_eq!(
            frame(&mut c, &[0x05, 0])[1],
            0x00,
            "WEL cleared after program"
        );
        assert_eq!(read(&mut c, 0, 2), vec![0xf0, 0x0f]);
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x02, 0, 0, 0, 0x3c, 0xff]);
        wait_ready(&mut c);
        assert_eq!(read(&mut c, 0, 2), vec![0x30, 0x0f], "AND of old and new");
    }

    #[test]
    fn page_program_wraps_inside_the_page() {
        let mut c = w25q128();
        frame(&mut c, &[0x06]);
        // Start at column 0xfe of page 0x000100: 4 bytes -> fe, ff, then 00, 01 of the same page.
        frame(&mut c, &[0x02, 0x00, 0x01, 0xfe, 1, 2, 3, 4]);
        wait_ready(&mut c);
        assert_eq!(read(&mut c, 0x1fe, 2), vec![1, 2]);
        assert_eq!(read(&mut c, 0x100, 2), vec![3, 4]);
        assert_eq!(read(&mut c, 0x200, 1), vec![0xff], "next page untouched");
        // More than 256 bytes: the last 256 win.
        frame(&mut c, &[0x06]);
        let mut tx = vec![0x02, 0x00, 0x10, 0x00];
        tx.extend((0..300u32).map(|i| if i < 44 { 0x00 } else { 0xa5 }));
        frame(&mut c, &tx);
        wait_ready(&mut c);
        assert!(read(&mut c, 0x1000, 256).iter().all(|&b| b == 0xa5));
    }

    #[test]
    fn erases_set_ff_and_need_exact_framing() {
        let mut c = w25q128();
        c.mem[0..(128 << 10)].fill(0);
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x20, 0x00, 0x10, 0x00, 0x00]); // five bytes: not executed
        assert_eq!(read(&mut c, 0x1000, 1), vec![0]);
        assert_eq!(frame(&mut c, &[0x05, 0])[1], 0x02, "WEL still set");
        frame(&mut c, &[0x20, 0x00, 0x1a, 0xbc]); // any address inside the sector
        wait_ready(&mut c);
        assert_eq!(read(&mut c, 0x0fff, 3), vec![0, 0xff, 0xff]);
        assert_eq!(read(&mut c, 0x1fff, 2), vec![0xff, 0]);
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0xd8, 0x01, 0x23, 0x45]);
        let t = Instant::now();
        wait_ready(&mut c);
        assert!(t.elapsed() >= WINBOND_TIMES.be64 - Duration::from_millis(5));
        assert_eq!(read(&mut c, 0xffff, 2), vec![0, 0xff]);
        assert_eq!(read(&mut c, 0x1ffff, 2), vec![0xff, 0xff]);
    }

    /// Above 16 MiB: 3-byte commands reach the lower 16 MiB only; 4-byte mode (B7)
    /// makes them take 4 address bytes, shown in register 0x15; the 4-byte opcodes
    /// work in either mode where the part has them.
    #[test]
    fn four_byte_addressing() {
        let mut c = NorFlash::in_memory(part("mx25l25635e").unwrap());
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x02, 0x00, 0x00, 0x10, 0x11]);
        wait_ready(&mut c);
        assert_eq!(frame(&mut c, &[0x15, 0])[1], 0x00);
        frame(&mut c, &[0xb7]);
        assert_eq!(frame(&mut c, &[0x15, 0])[1], 0x20, "4BYTE set");
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x02, 0x01, 0x00, 0x00, 0x10, 0x22]);
        wait_ready(&mut c);
        assert_eq!(frame(&mut c, &[0x03, 0x01, 0x00, 0x00, 0x10, 0])[5], 0x22);
        assert_eq!(frame(&mut c, &[0x03, 0x00, 0x00, 0x00, 0x10, 0])[5], 0x11);
        // No 4-byte instruction set on this part: 0x13 is ignored.
        assert_eq!(frame(&mut c, &[0x13, 0x01, 0x00, 0x00, 0x10, 0])[5], 0xff);
        frame(&mut c, &[0xe9]);
        assert_eq!(read(&mut c, 0x10, 1), vec![0x11], "3-byte mode again");

        let mut w = NorFlash::in_memory(part("w25q256").unwrap());
        frame(&mut w, &[0x06]);
        frame(&mut w, &[0x12, 0x01, 0xff, 0xff, 0x00, 0x33]);
        wait_ready(&mut w);
        assert_eq!(frame(&mut w, &[0x13, 0x01, 0xff, 0xff, 0x00, 0])[5], 0x33);
        assert_eq!(frame(&mut w, &[0x15, 0])[1], 0x00, "still 3-byte mode");
        assert_eq!(read(&mut w, 0xffff00, 1), vec![0xff], "the lower 16 MiB");
    }

    /// The extended address register: ignored without WEL, then selects the segment
    /// 3-byte addresses reach; a read wraps at the segment's end; MX25L25635E has none.
    #[test]
    fn extended_address_register() {
        let mut w = NorFlash::in_memory(part("w25q256").unwrap());
        frame(&mut w, &[0x06]);
        frame(&mut w, &[0x12, 0x01, 0x00, 0x00, 0x00, 0x44]);
        wait_ready(&mut w);
        frame(&mut w, &[0xc5, 0x01]);
        assert_eq!(frame(&mut w, &[0xc8, 0])[1], 0x00, "no WEL: ignored");
        frame(&mut w, &[0x06]);
        frame(&mut w, &[0xc5, 0x01]);
        assert_eq!(frame(&mut w, &[0xc8, 0])[1], 0x01);
        assert_eq!(frame(&mut w, &[0x05, 0])[1] & 2, 0, "WEL cleared");
        assert_eq!(read(&mut w, 0, 1), vec![0x44], "segment 1");
        frame(&mut w, &[0x06]);
        frame(&mut w, &[0x02, 0xff, 0xff, 0xff, 0x55]);
        wait_ready(&mut w);
        assert_eq!(
            frame(&mut w, &[0x13, 0x01, 0xff, 0xff, 0xff, 0])[5],
            0x55,
            "programmed at 0x1ffffff"
        );
        assert_eq!(
            read(&mut w, 0xffffff, 2),
            vec![0x55, 0x44],
            "wraps in its segment"
        );
        let mut m = NorFlash::in_memory(part("mx25l25635e").unwrap());
        frame(&mut m, &[0x06]);
        frame(&mut m, &[0xc5, 0x01]);
        assert_eq!(frame(&mut m, &[0xc8, 0])[1], 0xff, "no such register");
    }

    /// WRSR (with WEL) sets the protect bits; program and erase into the protected
    /// range are ignored, outside it they act; the bits survive in the state file.
    #[test]
    fn protect_bits_guard_the_array() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("chip.img");
        let w25q128 = part("w25q128").unwrap();
        {
            let mut c = NorFlash::with_file(w25q128, &p).unwrap();
            frame(&mut c, &[0x01, 0x04, 0x00]);
            assert_eq!(frame(&mut c, &[0x05, 0])[1], 0x00, "no WEL: ignored");
            frame(&mut c, &[0x06]);
            frame(&mut c, &[0x01, 0x04, 0x00]);
            wait_ready(&mut c);
            assert_eq!(frame(&mut c, &[0x05, 0])[1], 0x04, "BP0 set, WEL cleared");
        }
        let mut c = NorFlash::with_file(w25q128, &p).unwrap();
        assert_eq!(frame(&mut c, &[0x05, 0])[1], 0x04, "kept across commands");
        for addr in [0xff_ff00u32, 0x00_0000] {
            frame(&mut c, &[0x06]);
            frame(
                &mut c,
                &[0x02, (addr >> 16) as u8, (addr >> 8) as u8, 0, 0x00],
            );
            wait_ready(&mut c);
        }
        assert_eq!(read(&mut c, 0xff_ff00, 1), vec![0xff], "protected: ignored");
        assert_eq!(read(&mut c, 0, 1), vec![0x00], "outside: programmed");
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0xc7]);
        assert_eq!(
            read(&mut c, 0, 1),
            vec![0x00],
            "no chip erase while protected"
        );
        // CMP (SR2 bit 6) flips it: everything but the top 256 KiB.
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x01, 0x04, 0x40]);
        wait_ready(&mut c);
        assert_eq!(frame(&mut c, &[0x35, 0])[1], 0x40);
        frame(&mut c, &[0x06]);
        frame(&mut c, &[0x02, 0xff, 0xff, 0x00, 0x11]);
        wait_ready(&mut c);
        assert_eq!(read(&mut c, 0xff_ff00, 1), vec![0x11]);
    }

    #[test]
    fn image_file_keeps_state_and_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("chip.img");
        let w25q128 = part("w25q128").unwrap();
        {
            let mut c = NorFlash::with_file(w25q128, &p).unwrap();
            assert!(
                NorFlash::with_file(w25q128, &p).is_err(),
                "second open while locked"
            );
            frame(&mut c, &[0x06]);
            frame(&mut c, &[0x02, 0x12, 0x34, 0x56, 0x77]);
        }
        let mut c = NorFlash::with_file(w25q128, &p).unwrap();
        assert_eq!(read(&mut c, 0x123456, 2), vec![0x77, 0xff]);
        std::fs::write(dir.path().join("small.img"), [0u8; 10]).unwrap();
        let e = NorFlash::with_file(w25q128, &dir.path().join("small.img"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("holds 16777216"), "{e}");
        // The address mode outlives the process, as the powered chip's would.
        let q = dir.path().join("big.img");
        let mx = part("mx25l25635e").unwrap();
        frame(&mut NorFlash::with_file(mx, &q).unwrap(), &[0xb7]);
        let mut again = NorFlash::with_file(mx, &q).unwrap();
        assert_eq!(frame(&mut again, &[0x15, 0])[1], 0x20);
    }
}
