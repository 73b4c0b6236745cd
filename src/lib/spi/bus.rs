//! The `SpiBus` seam: everything above it (xfer, registers, flash, sampling) talks to a
//! bus through this trait, so real spidev hardware and the simulated chips run the same
//! code paths.

use crate::error::{Error, Result};

/// Bus settings, as spidev keeps them per device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusConfig {
    /// SPI mode 0-3 (CPOL << 1 | CPHA).
    pub mode: u8,
    /// Bits per word; 8 for almost every chip.
    pub bits: u8,
    /// Default clock for transfers that do not override it.
    pub speed_hz: u32,
    pub lsb_first: bool,
    pub cs_high: bool,
    pub three_wire: bool,
}

impl Default for BusConfig {
    fn default() -> Self {
        BusConfig {
            mode: 0,
            bits: 8,
            speed_hz: 1_000_000,
            lsb_first: false,
            cs_high: false,
            three_wire: false,
        }
    }
}

/// A change to the bus settings: only the fields given are touched, the way spidev
/// leaves unset options alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConfigChange {
    pub mode: Option<u8>,
    pub bits: Option<u8>,
    pub speed_hz: Option<u32>,
    pub lsb_first: Option<bool>,
    pub cs_high: Option<bool>,
    pub three_wire: Option<bool>,
}

impl ConfigChange {
    pub fn is_empty(&self) -> bool {
        *self == ConfigChange::default()
    }

    pub fn apply(&self, mut cfg: BusConfig) -> BusConfig {
        cfg.mode = self.mode.unwrap_or(cfg.mode);
        cfg.bits = self.bits.unwrap_or(cfg.bits);
        cfg.speed_hz = self.speed_hz.unwrap_or(cfg.speed_hz);
        cfg.lsb_first = self.lsb_first.unwrap_or(cfg.lsb_first);
        cfg.cs_high = self.cs_high.unwrap_or(cfg.cs_high);
        cfg.three_wire = self.three_wire.unwrap_or(cfg.three_wire);
        cfg
    }
}

/// Bytes per word on the wire for a word size: spidev pads words to 1, 2 or 4 bytes.
pub fn word_bytes(bits: u8) -> usize {
    match bits {
        0..=8 => 1,
        9..=16 => 2,
        _ => 4,
    }
}

/// One `spi_ioc_transfer`: bytes out, the same number of bytes in, and what happens
/// after it (chip select toggle, delay) plus an optional clock override.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Segment {
    pub tx: Vec<u8>,
    /// Filled by the bus with `tx.len()` bytes.
    pub rx: Vec<u8>,
    /// Deselect the chip after this segment (before the next one starts).
    pub cs_change: bool,
    /// Wait this long after the segment, before any chip select change.
    pub delay_us: u16,
    /// Clock for this segment only.
    pub speed_hz: Option<u32>,
}

impl Segment {
    pub fn new(tx: Vec<u8>) -> Self {
        Segment {
            tx,
            ..Segment::default()
        }
    }
}

/// What kind of thing is behind a bus, for `info` and for naming simulations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusInfo {
    /// The `--device` text.
    pub device: String,
    /// "spidev" or "simulation".
    pub kind: &'static str,
    /// The simulated chip, or None for real hardware (spidev cannot tell what is wired).
    pub chip: Option<String>,
    /// Largest message the bus takes in one go (spidev's bufsiz); larger ones are split.
    pub max_transfer: usize,
    /// Where a simulated chip's state lives, if anywhere.
    pub state: Option<String>,
}

pub trait SpiBus {
    fn info(&self) -> BusInfo;
    /// The settings in force now.
    fn config(&self) -> Result<BusConfig>;
    /// Changes the settings; backends refuse what their hardware cannot do.
    fn configure(&mut self, change: &ConfigChange) -> Result<()>;
    /// One message: the segments run back to back with chip select held (unless a
    /// segment asks for `cs_change`), and chip select is released at the end.
    fn transfer(&mut self, segments: &mut [Segment]) -> Result<()>;

    /// Full duplex transfer of one segment, returning what came back.
    fn xfer(&mut self, tx: &[u8]) -> Result<Vec<u8>> {
        let mut seg = [Segment::new(tx.to_vec())];
        self.transfer(&mut seg)?;
        let [seg] = seg;
        Ok(seg.rx)
    }
}

/// Checks segment lengths against the word size, which spidev would reject with EINVAL.
pub fn check_word_alignment(device: &str, bits: u8, segments: &[Segment]) -> Result<()> {
    let wb = word_bytes(bits);
    for (i, s) in segments.iter().enumerate() {
        if s.tx.len() % wb != 0 {
            return Err(Error::Usage(format!(
                "{device}: segment {i} is {} bytes, not a multiple of the {wb}-byte words that {bits}-bit transfers use",
                s.tx.len()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_touches_only_given_fields() {
        let base = BusConfig::default();
        let c = ConfigChange {
            mode: Some(3),
            speed_hz: Some(10_000_000),
            ..ConfigChange::default()
        };
        let n = c.apply(base);
        assert_eq!((n.mode, n.speed_hz, n.bits), (3, 10_000_000, 8));
        assert!(!c.is_empty());
        assert!(ConfigChange::default().is_empty());
    }

    #[test]
    fn word_sizes() {
        assert_eq!(word_bytes(8), 1);
        assert_eq!(word_bytes(9), 2);
        assert_eq!(word_bytes(16), 2);
        assert_eq!(word_bytes(17), 4);
        let segs = [Segment::new(vec![1, 2, 3])];
        assert!(check_word_alignment("d", 8, &segs).is_ok());
        let e = check_word_alignment("d", 16, &segs).unwrap_err();
        assert!(
            e.to_string().contains("not a multiple of the 2-byte"),
            "{e}"
        );
    }
}
