//! `sim:w25q128[=FILE]`: a Winbond W25Q128JV 128 Mbit (16 MiB) SPI NOR flash, as its
//! datasheet describes it on the wire:
//!
//! - JEDEC id (0x9F) EF 40 18; manufacturer/device id (0x90) EF 17; release power-down
//!   id (0xAB) 17.
//! - Read (0x03) and fast read (0x0B, one dummy byte) from any address, wrapping at the
//!   end of the array.
//! - Write enable (0x06) sets the WEL latch, write disable (0x04) clears it; program and
//!   erase are ignored without it and clear it when they finish.
//! - Page program (0x02) latches up to 256 bytes; past the end of the page the address
//!   wraps to the start of the same page; programming can only clear bits (new = old & data).
//! - Sector (0x20, 4 KiB), block (0x52, 32 KiB; 0xD8, 64 KiB) and chip (0xC7/0x60) erase
//!   set every byte to 0xFF; like program they act when chip select goes high, and only
//!   if the command was exactly the opcode plus its address.
//! - While busy the status register (0x05) shows WIP (and WEL), every other
//!   instruction is ignored, for the datasheet's typical times (tPP 0.7 ms, tSE 45 ms,
//!   tBE1 120 ms, tBE2 150 ms, tCE 40 s).
//!
//! Status register writes, suspend/resume, QPI, SFDP and security registers are not
//! simulated; like unknown opcodes they are ignored. Undriven MISO reads 0xFF.
//!
//! With a FILE the array lives there (created erased when missing) and every program or
//! erase is written through, so separate commands see one chip; the file is locked while
//! open so that two commands cannot interleave on it.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::Chip;
use crate::error::{Error, Result};
use crate::spi::bus::BusConfig;

pub const SIZE: usize = 16 << 20;
pub const PAGE: usize = 256;
pub const JEDEC_ID: [u8; 3] = [0xef, 0x40, 0x18];

pub const T_PP: Duration = Duration::from_micros(700);
pub const T_SE: Duration = Duration::from_millis(45);
pub const T_BE32: Duration = Duration::from_millis(120);
pub const T_BE64: Duration = Duration::from_millis(150);
pub const T_CE: Duration = Duration::from_secs(40);

/// What a completed frame does when chip select goes high.
enum Action {
    None,
    SetWel(bool),
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

pub struct W25q {
    mem: Vec<u8>,
    file: Option<(File, PathBuf)>,
    wel: bool,
    busy_until: Option<Instant>,
    /// Bytes of the current frame seen so far (opcode included).
    n: usize,
    opcode: u8,
    /// Ignored frame: opcode sent while busy, or unknown.
    ignored: bool,
    addr: u32,
    page_buf: Box<[u8; PAGE]>,
    page_bytes: usize,
}

impl W25q {
    pub fn in_memory() -> Self {
        Self::with_mem(vec![0xff; SIZE], None)
    }

    fn with_mem(mem: Vec<u8>, file: Option<(File, PathBuf)>) -> Self {
        W25q {
            mem,
            file,
            wel: false,
            busy_until: None,
            n: 0,
            opcode: 0,
            ignored: false,
            addr: 0,
            page_buf: Box::new([0xff; PAGE]),
            page_bytes: 0,
        }
    }

    /// Opens (or creates, erased) the chip image in `path`.
    pub fn with_file(path: &Path) -> Result<Self> {
        let shown = path.display().to_string();
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
                format!("sim:w25q128={shown}"),
                "the image is in use by another process",
            ));
        }
        let len = file
            .metadata()
            .map_err(|e| Error::io(format!("reading {shown}"), e))?
            .len() as usize;
        let mem = if len == 0 {
            let mem = vec![0xff; SIZE];
            file.write_all_at(&mem, 0)
                .map_err(|e| Error::io(format!("creating flash image {shown}"), e))?;
            mem
        } else if len == SIZE {
            let mut mem = Vec::with_capacity(SIZE);
            file.read_to_end(&mut mem)
                .map_err(|e| Error::io(format!("reading flash image {shown}"), e))?;
            mem
        } else {
            return Err(Error::device(
                format!("sim:w25q128={shown}"),
                format!("the image is {len} bytes but a W25Q128 holds {SIZE}"),
            )
            .with_hint("remove it to start from an erased chip"));
        };
        Ok(Self::with_mem(mem, Some((file, path.to_path_buf()))))
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
        (self.busy() as u8) | ((self.wel as u8) << 1)
    }

    fn persist(&mut self, start: usize, len: usize) -> Result<()> {
        if let Some((file, path)) = &self.file {
            file.write_all_at(&self.mem[start..start + len], start as u64)
                .map_err(|e| Error::io(format!("writing flash image {}", path.display()), e))?;
        }
        Ok(())
    }

    fn byte(&mut self, mosi: u8) -> u8 {
        let i = self.n;
        self.n += 1;
        if i == 0 {
            self.opcode = mosi;
            self.addr = 0;
            self.page_bytes = 0;
            self.tick();
            self.ignored = self.busy() && !matches!(mosi, 0x05 | 0x35);
            return 0xff;
        }
        if self.ignored {
            return 0xff;
        }
        match self.opcode {
            0x9f => JEDEC_ID.get(i - 1).copied().unwrap_or(0xff),
            0x05 => self.status1(),
            0x35 => 0x00,
            0x90 => {
                if i <= 3 {
                    self.addr = (self.addr << 8) | mosi as u32;
                    0xff
                } else {
                    let ids = [0xef, 0x17];
                    ids[(i - 4 + (self.addr & 1) as usize) % 2]
                }
            }
            0xab => {
                if i <= 3 {
                    0xff
                } else {
                    0x17
                }
            }
            0x03 | 0x0b => {
                let first_data = if self.opcode == 0x03 { 4 } else { 5 };
                if i <= 3 {
                    self.addr = (self.addr << 8) | mosi as u32;
                    0xff
                } else if i < first_data {
                    0xff
                } else {
                    let a = (self.addr as usize + (i - first_data)) % SIZE;
                    self.mem[a]
                }
            }
            0x02 => {
                if i <= 3 {
                    self.addr = (self.addr << 8) | mosi as u32;
                } else {
                    let col = (self.addr as usize + (i - 4)) % PAGE;
                    self.page_buf[col] = mosi;
                    self.page_bytes += 1;
                }
                0xff
            }
            0x20 | 0x52 | 0xd8 => {
                if i <= 3 {
                    self.addr = (self.addr << 8) | mosi as u32;
                }
                0xff
            }
            _ => 0xff,
        }
    }

    /// What the frame just ended asks for, judged as the datasheet does at CS high.
    fn action(&mut self) -> Action {
        if self.n == 0 || self.ignored {
            return Action::None;
        }
        let exact = |len: usize| self.n == len;
        match self.opcode {
            0x06 if exact(1) => Action::SetWel(true),
            0x04 if exact(1) => Action::SetWel(false),
            0x02 if self.wel && self.n >= 5 => {
                let page = (self.addr as usize % SIZE) & !(PAGE - 1);
                let data = std::mem::replace(&mut self.page_buf, Box::new([0xff; PAGE]));
                Action::Program { page, data }
            }
            0x20 | 0x52 | 0xd8 if self.wel && exact(4) => {
                let (len, time) = match self.opcode {
                    0x20 => (4 << 10, T_SE),
                    0x52 => (32 << 10, T_BE32),
                    _ => (64 << 10, T_BE64),
                };
                let start = (self.addr as usize % SIZE) & !(len - 1);
                Action::Erase { start, len, time }
            }
            0xc7 | 0x60 if self.wel && exact(1) => Action::Erase {
                start: 0,
                len: SIZE,
                time: T_CE,
            },
            _ => Action::None,
        }
    }
}

impl Chip for W25q {
    fn part(&self) -> &'static str {
        "W25Q128JV"
    }

    fn select(&mut self) {
        self.n = 0;
        self.page_buf.fill(0xff);
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
            Action::Program { page, data } => {
                for (m, d) in self.mem[page..page + PAGE].iter_mut().zip(data.iter()) {
                    *m &= d;
                }
                self.busy_until = Some(Instant::now() + T_PP);
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
        if cfg.mode != 0 && cfg.mode != 3 {
            return Err(format!(
                "the W25Q128JV works in SPI modes 0 and 3 only, not {}",
                cfg.mode
            ));
        }
        if cfg.cs_high {
            return Err("the W25Q128JV's chip select is active low".into());
        }
        if cfg.three_wire {
            return Err("the W25Q128JV has separate DI and DO pins (no 3-wire mode)".into());
        }
        if cfg.speed_hz > 133_000_000 {
            return Err(format!(
                "{} Hz is above the W25Q128JV's 133 MHz maximum clock",
                cfg.speed_hz
            ));
        }
        Ok(())
    }

    fn state(&self) -> Option<String> {
        Some(match &self.file {
            Some((_, p)) => format!("{} (16 MiB image)", p.display()),
            None => "in memory (lost at exit)".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(c: &mut W25q, tx: &[u8]) -> Vec<u8> {
        let mut rx = vec![0; tx.len()];
        c.select();
        c.exchange(tx, &mut rx);
        c.deselect().unwrap();
        rx
    }

    fn wait_ready(c: &mut W25q) {
        while frame(c, &[0x05, 0])[1] & 1 != 0 {
            std::thread::sleep(Duration::from_micros(100));
        }
    }

    fn read(c: &mut W25q, addr: u32, len: usize) -> Vec<u8> {
        let mut tx = vec![0x03, (addr >> 16) as u8, (addr >> 8) as u8, addr as u8];
        tx.resize(4 + len, 0);
        frame(c, &tx)[4..].to_vec()
    }

    #[test]
    fn ids() {
        let mut c = W25q::in_memory();
        assert_eq!(
            frame(&mut c, &[0x9f, 0, 0, 0]),
            vec![0xff, 0xef, 0x40, 0x18]
        );
        assert_eq!(frame(&mut c, &[0x90, 0, 0, 0, 0, 0])[4..], [0xef, 0x17]);
        assert_eq!(frame(&mut c, &[0x90, 0, 0, 1, 0, 0])[4..], [0x17, 0xef]);
        assert_eq!(frame(&mut c, &[0xab, 0, 0, 0, 0])[4], 0x17);
    }

    #[test]
    fn fast_read_has_one_dummy_byte_after_the_address() {
        let mut c = W25q::in_memory();
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
        let mut c = W25q::in_memory();
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
        let mut c = W25q::in_memory();
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
        let mut c = W25q::in_memory();
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
        assert!(t.elapsed() >= T_BE64 - Duration::from_millis(5));
        assert_eq!(read(&mut c, 0xffff, 2), vec![0, 0xff]);
        assert_eq!(read(&mut c, 0x1ffff, 2), vec![0xff, 0xff]);
    }

    #[test]
    fn image_file_keeps_state_and_is_locked() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("chip.img");
        {
            let mut c = W25q::with_file(&p).unwrap();
            assert!(W25q::with_file(&p).is_err(), "second open while locked");
            frame(&mut c, &[0x06]);
            frame(&mut c, &[0x02, 0x12, 0x34, 0x56, 0x77]);
        }
        let mut c = W25q::with_file(&p).unwrap();
        assert_eq!(read(&mut c, 0x123456, 2), vec![0x77, 0xff]);
        std::fs::write(dir.path().join("small.img"), [0u8; 10]).unwrap();
        let e = W25q::with_file(&dir.path().join("small.img"))
            .err()
            .unwrap();
        assert!(e.to_string().contains("holds 16777216"), "{e}");
    }
}
