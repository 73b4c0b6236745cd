//! The real backend: Linux spidev (`/dev/spidevB.C`) through the `spidev` crate.
//!
//! Settings go through the crate's `configure`/`query_configuration`. Messages are
//! built from the crate's `spi_ioc_transfer` (the kernel's struct, 32 bytes) and sent
//! with `SPI_IOC_MESSAGE(n)` computed here, so that the request number the tests pin is
//! the one actually used. spidev refuses messages larger than its `bufsiz` module
//! parameter with EMSGSIZE; we split them instead, and say so once, because chip select
//! is released between the pieces and many chips treat that as the end of a command.

use std::os::unix::io::AsRawFd;
use std::path::Path;

use spidev::spidevioctl::spi_ioc_transfer;
use spidev::{SpiModeFlags, Spidev, SpidevOptions};

use super::bus::{
    check_word_alignment, word_bytes, BusConfig, BusInfo, ConfigChange, Segment, SpiBus, Splitter,
};
use crate::error::{Error, Result};

/// `/sys/module/spidev/parameters/bufsiz`: the largest message spidev accepts.
pub const BUFSIZ_PATH: &str = "/sys/module/spidev/parameters/bufsiz";
/// spidev's compiled-in default, used when the module parameter cannot be read.
pub const DEFAULT_BUFSIZ: usize = 4096;
/// SPI_IOC_MESSAGE's size field is 14 bits: at most 511 transfers of 32 bytes.
pub const MAX_TRANSFERS: usize = ((1 << 14) - 1) / 32;

/// ioctl request numbers from `include/uapi/linux/spi/spidev.h`, built as the
/// kernel's `_IOR`/`_IOW` macros do (asm-generic layout: dir in bits 30-31, size in
/// 16-29, type in 8-15, number in 0-7).
pub mod ioc {
    const WRITE: u32 = 1;
    const READ: u32 = 2;
    pub const SPI_IOC_MAGIC: u32 = b'k' as u32;

    pub const fn ioc(dir: u32, nr: u32, size: u32) -> u32 {
        (dir << 30) | (size << 16) | (SPI_IOC_MAGIC << 8) | nr
    }

    /// `SPI_IOC_MESSAGE(n)`: `_IOW('k', 0, char[n * sizeof(struct spi_ioc_transfer)])`,
    /// or 0 when `n` transfers do not fit the 14-bit size field (the kernel's
    /// SPI_MSGSIZE gives 0 then too).
    pub const fn spi_ioc_message(n: u32) -> u32 {
        let size = n * 32;
        if size >= 1 << 14 {
            return 0;
        }
        ioc(WRITE, 0, size)
    }

    pub const SPI_IOC_RD_MODE: u32 = ioc(READ, 1, 1);
    pub const SPI_IOC_WR_MODE: u32 = ioc(WRITE, 1, 1);
    pub const SPI_IOC_RD_LSB_FIRST: u32 = ioc(READ, 2, 1);
    pub const SPI_IOC_WR_LSB_FIRST: u32 = ioc(WRITE, 2, 1);
    pub const SPI_IOC_RD_BITS_PER_WORD: u32 = ioc(READ, 3, 1);
    pub const SPI_IOC_WR_BITS_PER_WORD: u32 = ioc(WRITE, 3, 1);
    pub const SPI_IOC_RD_MAX_SPEED_HZ: u32 = ioc(READ, 4, 4);
    pub const SPI_IOC_WR_MAX_SPEED_HZ: u32 = ioc(WRITE, 4, 4);
    pub const SPI_IOC_RD_MODE32: u32 = ioc(READ, 5, 4);
    pub const SPI_IOC_WR_MODE32: u32 = ioc(WRITE, 5, 4);
}

/// The mode word spidev takes for a configuration.
pub fn mode_flags(cfg: &BusConfig) -> SpiModeFlags {
    let mut m = match cfg.mode & 3 {
        0 => SpiModeFlags::SPI_MODE_0,
        1 => SpiModeFlags::SPI_MODE_1,
        2 => SpiModeFlags::SPI_MODE_2,
        _ => SpiModeFlags::SPI_MODE_3,
    };
    if cfg.cs_high {
        m |= SpiModeFlags::SPI_CS_HIGH;
    }
    if cfg.lsb_first {
        m |= SpiModeFlags::SPI_LSB_FIRST;
    }
    if cfg.three_wire {
        m |= SpiModeFlags::SPI_3WIRE;
    }
    m
}

/// Reads `bufsiz` from sysfs: (value, whether it came from the kernel).
pub fn read_bufsiz(path: &Path) -> (usize, bool) {
    match std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        Some(n) => (n, true),
        None => (DEFAULT_BUFSIZ, false),
    }
}

pub struct SpidevBus {
    path: String,
    dev: Spidev,
    /// Cuts messages to `bufsiz` bytes and `MAX_TRANSFERS` transfers.
    split: Splitter,
    bits: u8,
}

/// How spidev splits: at `bufsiz` bytes (EMSGSIZE above it) and at `MAX_TRANSFERS`
/// transfers (what one SPI_IOC_MESSAGE can carry).
pub fn splitter(bufsiz: usize) -> Splitter {
    Splitter::new(
        bufsiz,
        MAX_TRANSFERS,
        format!("spidev's bufsiz ({bufsiz} bytes, {BUFSIZ_PATH})"),
    )
}

impl SpidevBus {
    pub fn open(path: &str) -> Result<SpidevBus> {
        let dev = Spidev::open(path).map_err(|e| {
            let hint = match e.kind() {
                std::io::ErrorKind::NotFound => {
                    "no such device: is the spidev driver bound (ls /dev/spidev*), or did you mean --device sim:CHIP?"
                }
                std::io::ErrorKind::PermissionDenied => {
                    "permission denied: run as root or add a udev rule / group for spidev"
                }
                _ => "cannot open the spidev device",
            };
            Error::device(path, e.to_string()).with_hint(hint)
        })?;
        let (bufsiz, _) = read_bufsiz(Path::new(BUFSIZ_PATH));
        let mut bus = SpidevBus {
            path: path.to_string(),
            dev,
            split: splitter(bufsiz),
            bits: 8,
        };
        bus.bits = bus.config()?.bits;
        Ok(bus)
    }

    fn ioerr(&self, what: &str, e: std::io::Error) -> Error {
        Error::device(&self.path, format!("{what}: {e}"))
    }

    fn send(&self, transfers: &mut [spi_ioc_transfer]) -> Result<()> {
        let req = ioc::spi_ioc_message(transfers.len() as u32);
        // SAFETY: the transfers point at buffers that outlive the call, each `len`
        // bytes long, and the request's size field matches the array.
        let r = unsafe {
            libc::ioctl(
                self.dev.inner().as_raw_fd(),
                req as libc::Ioctl,
                transfers.as_mut_ptr(),
            )
        };
        if r < 0 {
            return Err(self.ioerr("SPI_IOC_MESSAGE", std::io::Error::last_os_error()));
        }
        Ok(())
    }
}

impl SpiBus for SpidevBus {
    fn info(&self) -> BusInfo {
        BusInfo {
            device: self.path.clone(),
            kind: "spidev",
            chip: None,
            max_transfer: self.split.max_bytes(),
            state: None,
        }
    }

    fn config(&self) -> Result<BusConfig> {
        let o = self
            .dev
            .query_configuration()
            .map_err(|e| self.ioerr("reading the configuration", e))?;
        let mode = o.spi_mode.unwrap_or(SpiModeFlags::SPI_MODE_0);
        Ok(BusConfig {
            mode: (mode.bits() & 3) as u8,
            bits: match o.bits_per_word {
                Some(0) | None => 8,
                Some(b) => b,
            },
            speed_hz: o.max_speed_hz.unwrap_or(0),
            lsb_first: o.lsb_first.unwrap_or(false),
            cs_high: mode.contains(SpiModeFlags::SPI_CS_HIGH),
            three_wire: mode.contains(SpiModeFlags::SPI_3WIRE),
        })
    }

    fn configure(&mut self, change: &ConfigChange) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        let next = change.apply(self.config()?);
        let mut o = SpidevOptions::new();
        if change.bits.is_some() {
            o.bits_per_word(next.bits);
        }
        if change.speed_hz.is_some() {
            o.max_speed_hz(next.speed_hz);
        }
        if change.mode.is_some()
            || change.cs_high.is_some()
            || change.lsb_first.is_some()
            || change.three_wire.is_some()
        {
            o.mode(mode_flags(&next));
        }
        if change.lsb_first.is_some() {
            o.lsb_first(next.lsb_first);
        }
        self.dev
            .configure(&o.build())
            .map_err(|e| self.ioerr("the controller refused the configuration", e))?;
        self.bits = next.bits;
        Ok(())
    }

    fn transfer(&mut self, segments: &mut [Segment]) -> Result<()> {
        check_word_alignment(&self.path, self.bits, segments)?;
        for s in segments.iter_mut() {
            s.rx = vec![0; s.tx.len()];
        }
        let lens: Vec<usize> = segments.iter().map(|s| s.tx.len()).collect();
        let (messages, warning) = self.split.plan(&self.path, &lens, word_bytes(self.bits));
        if let Some(w) = warning {
            crate::cli::warn(&w);
        }
        for msg in messages {
            // Raw pointers into the segments' buffers; the Vecs are not touched (no
            // reallocation) until the ioctl has returned.
            let mut transfers: Vec<spi_ioc_transfer> = Vec::with_capacity(msg.len());
            for p in &msg {
                let seg = &mut segments[p.segment];
                let (tx, rx) = (
                    &seg.tx[p.offset..p.offset + p.len],
                    &mut seg.rx[p.offset..p.offset + p.len],
                );
                // SAFETY: tx and rx are disjoint buffers of equal length that live until
                // after `send`; the lifetimes are widened only for the ioctl.
                let mut t = unsafe {
                    spi_ioc_transfer::read_write(
                        std::slice::from_raw_parts(tx.as_ptr(), tx.len()),
                        std::slice::from_raw_parts_mut(rx.as_mut_ptr(), rx.len()),
                    )
                };
                t.speed_hz = seg.speed_hz.unwrap_or(0);
                t.bits_per_word = 0;
                if p.last_of_segment {
                    t.delay_usecs = seg.delay_us;
                    t.cs_change = seg.cs_change as u8;
                }
                transfers.push(t);
            }
            self.send(&mut transfers)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// `struct spi_ioc_transfer` from include/uapi/linux/spi/spidev.h: tx_buf@0 (u64),
    /// rx_buf@8 (u64), len@16 (u32), speed_hz@20 (u32), delay_usecs@24 (u16),
    /// bits_per_word@26, cs_change@27, tx_nbits@28, rx_nbits@29,
    /// word_delay_usecs@30, pad@31 (u8 each): 32 bytes.
    #[test]
    fn spi_ioc_transfer_layout_matches_the_kernel() {
        assert_eq!(size_of::<spi_ioc_transfer>(), 32);
        assert_eq!(offset_of!(spi_ioc_transfer, speed_hz), 20);
        assert_eq!(offset_of!(spi_ioc_transfer, delay_usecs), 24);
        assert_eq!(offset_of!(spi_ioc_transfer, bits_per_word), 26);
        assert_eq!(offset_of!(spi_ioc_transfer, cs_change), 27);
        // tx_nbits, rx_nbits, word_delay_usecs and pad are one u32 in the crate.
        assert_eq!(offset_of!(spi_ioc_transfer, pad), 28);

        // The private fields (tx_buf, rx_buf, len): look at the bytes the kernel gets.
        let tx = [1u8, 2, 3];
        let mut rx = [0u8; 3];
        let (txp, rxp) = (tx.as_ptr() as u64, rx.as_mut_ptr() as u64);
        let mut t = spi_ioc_transfer::read_write(&tx, &mut rx);
        t.speed_hz = 0x0102_0304;
        t.delay_usecs = 0x0506;
        t.bits_per_word = 7;
        t.cs_change = 1;
        // SAFETY: the struct is repr(C), 32 bytes, without padding holes.
        let raw: [u8; 32] = unsafe { std::mem::transmute_copy(&t) };
        assert_eq!(u64::from_ne_bytes(raw[0..8].try_into().unwrap()), txp);
        assert_eq!(u64::from_ne_bytes(raw[8..16].try_into().unwrap()), rxp);
        assert_eq!(u32::from_ne_bytes(raw[16..20].try_into().unwrap()), 3);
        assert_eq!(
            u32::from_ne_bytes(raw[20..24].try_into().unwrap()),
            0x0102_0304
        );
        assert_eq!(u16::from_ne_bytes(raw[24..26].try_into().unwrap()), 0x0506);
        assert_eq!(raw[26], 7);
        assert_eq!(raw[27], 1);
        assert_eq!(&raw[28..32], &[0, 0, 0, 0]);
    }

    /// SPI_CPHA 0x01, SPI_CPOL 0x02, SPI_MODE_0..3 = 0..3, SPI_CS_HIGH 0x04,
    /// SPI_LSB_FIRST 0x08, SPI_3WIRE 0x10 (include/uapi/linux/spi/spi.h).
    #[test]
    fn mode_bits_match_the_kernel() {
        assert_eq!(SpiModeFlags::SPI_CPHA.bits(), 0x01);
        assert_eq!(SpiModeFlags::SPI_CPOL.bits(), 0x02);
        assert_eq!(SpiModeFlags::SPI_CS_HIGH.bits(), 0x04);
        assert_eq!(SpiModeFlags::SPI_LSB_FIRST.bits(), 0x08);
        assert_eq!(SpiModeFlags::SPI_3WIRE.bits(), 0x10);
        for mode in 0..4u8 {
            let cfg = BusConfig {
                mode,
                ..BusConfig::default()
            };
            assert_eq!(mode_flags(&cfg).bits(), mode as u32);
        }
        let all = BusConfig {
            mode: 3,
            cs_high: true,
            lsb_first: true,
            three_wire: true,
            ..BusConfig::default()
        };
        assert_eq!(mode_flags(&all).bits(), 0x1f);
    }

    /// The values of the kernel's macros on x86, arm and arm64 (asm-generic ioctl.h).
    #[test]
    fn ioctl_request_numbers_match_the_kernel() {
        assert_eq!(ioc::spi_ioc_message(1), 0x4020_6b00);
        assert_eq!(ioc::spi_ioc_message(2), 0x4040_6b00);
        assert_eq!(ioc::spi_ioc_message(511), 0x7fe0_6b00);
        assert_eq!(ioc::spi_ioc_message(512), 0);
        assert_eq!(ioc::SPI_IOC_RD_MODE, 0x8001_6b01);
        assert_eq!(ioc::SPI_IOC_WR_MODE, 0x4001_6b01);
        assert_eq!(ioc::SPI_IOC_RD_LSB_FIRST, 0x8001_6b02);
        assert_eq!(ioc::SPI_IOC_WR_LSB_FIRST, 0x4001_6b02);
        assert_eq!(ioc::SPI_IOC_RD_BITS_PER_WORD, 0x8001_6b03);
        assert_eq!(ioc::SPI_IOC_WR_BITS_PER_WORD, 0x4001_6b03);
        assert_eq!(ioc::SPI_IOC_RD_MAX_SPEED_HZ, 0x8004_6b04);
        assert_eq!(ioc::SPI_IOC_WR_MAX_SPEED_HZ, 0x4004_6b04);
        assert_eq!(ioc::SPI_IOC_RD_MODE32, 0x8004_6b05);
        assert_eq!(ioc::SPI_IOC_WR_MODE32, 0x4004_6b05);
    }

    /// What spidev does with a message above bufsiz, without a spidev device: the
    /// splitter it opens with cuts at bufsiz and at 511 transfers, and warns once.
    #[test]
    fn spidev_splits_large_messages_with_one_warning() {
        let mut s = splitter(4096);
        let (messages, warning) = s.plan("/dev/spidev0.0", &[4, 10_000], 1);
        assert_eq!(messages.len(), 3);
        let w = warning.expect("a split message warns");
        assert!(
            w.starts_with("/dev/spidev0.0: a 10004-byte message is larger than spidev's bufsiz (4096 bytes, /sys/module/spidev/parameters/bufsiz)")
                && w.ends_with("split into 3 messages and chip select toggles between them"),
            "{w}"
        );
        assert_eq!(s.plan("/dev/spidev0.0", &[10_000], 1).1, None);
        let (many, _) = splitter(1 << 20).plan("d", &vec![1; 600], 1);
        assert_eq!(many.iter().map(Vec::len).collect::<Vec<_>>(), vec![511, 89]);
    }

    #[test]
    fn bufsiz_from_sysfs_or_default() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bufsiz");
        std::fs::write(&p, "65536\n").unwrap();
        assert_eq!(read_bufsiz(&p), (65536, true));
        assert_eq!(
            read_bufsiz(&dir.path().join("missing")),
            (DEFAULT_BUFSIZ, false)
        );
    }

    #[test]
    fn missing_device_says_what_to_do() {
        let e = SpidevBus::open("/dev/spidev9.9").err().unwrap().to_string();
        assert!(
            e.starts_with("/dev/spidev9.9: ") && e.contains("sim:CHIP"),
            "{e}"
        );
    }
}
