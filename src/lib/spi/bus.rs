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

/// One piece of a segment inside a planned message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub segment: usize,
    pub offset: usize,
    pub len: usize,
    /// The last piece of its segment (which then carries the segment's cs_change and
    /// delay).
    pub last_of_segment: bool,
}

/// Splits segments into messages of at most `max_bytes` bytes and `max_pieces` pieces,
/// cutting segments only at word boundaries. One message stays one message when it
/// fits. Every backend with a size limit (spidev's bufsiz, the HID bridge's buffer)
/// splits through this, so they cut the same way.
pub fn plan(lens: &[usize], max_bytes: usize, word: usize, max_pieces: usize) -> Vec<Vec<Piece>> {
    let cap = (max_bytes / word).max(1) * word;
    let max_pieces = max_pieces.max(1);
    let mut messages: Vec<Vec<Piece>> = Vec::new();
    let mut cur: Vec<Piece> = Vec::new();
    let mut used = 0usize;
    for (segment, &len) in lens.iter().enumerate() {
        let mut offset = 0;
        loop {
            if used == cap || cur.len() == max_pieces {
                messages.push(std::mem::take(&mut cur));
                used = 0;
            }
            let n = (len - offset).min(cap - used);
            offset += n;
            used += n;
            cur.push(Piece {
                segment,
                offset: offset - n,
                len: n,
                last_of_segment: offset == len,
            });
            if offset == len {
                break;
            }
        }
    }
    if !cur.is_empty() {
        messages.push(cur);
    }
    messages
}

/// A backend's message size limit and the one warning it gives when a message has to
/// be split. The warning matters because chip select is released between the pieces,
/// which most chips take as the end of a command; it is given once per bus so that a
/// stream of large transfers (`pipe`) does not repeat it.
#[derive(Debug, Clone)]
pub struct Splitter {
    max_bytes: usize,
    max_pieces: usize,
    /// The limit as the warning names it, e.g. "spidev's bufsiz (4096 bytes, ...)".
    limit: String,
    warned: bool,
}

impl Splitter {
    pub fn new(max_bytes: usize, max_pieces: usize, limit: impl Into<String>) -> Self {
        Splitter {
            max_bytes,
            max_pieces,
            limit: limit.into(),
            warned: false,
        }
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Plans one message of segments with these lengths (see [`plan`]). The first time
    /// a message needs more than one piece, the warning to print comes back too.
    pub fn plan(
        &mut self,
        device: &str,
        lens: &[usize],
        word: usize,
    ) -> (Vec<Vec<Piece>>, Option<String>) {
        let messages = plan(lens, self.max_bytes, word, self.max_pieces);
        let warning = (messages.len() > 1 && !self.warned).then(|| {
            self.warned = true;
            format!(
                "{device}: a {}-byte message is larger than {}; it is split into {} messages and chip select toggles between them",
                lens.iter().sum::<usize>(),
                self.limit,
                messages.len()
            )
        });
        (messages, warning)
    }
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

    #[test]
    fn plan_keeps_small_messages_whole_and_splits_large_ones() {
        let one = plan(&[4, 100, 3], 4096, 1, usize::MAX);
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].len(), 3);
        assert!(one[0].iter().all(|p| p.last_of_segment));

        let split = plan(&[4, 10_000], 4096, 1, usize::MAX);
        assert_eq!(split.len(), 3);
        assert!(split
            .iter()
            .all(|m| m.iter().map(|p| p.len).sum::<usize>() <= 4096));
        let total: usize = split.iter().flatten().map(|p| p.len).sum();
        assert_eq!(total, 10_004);
        assert_eq!(
            split[0][1],
            Piece {
                segment: 1,
                offset: 0,
                len: 4092,
                last_of_segment: false
            }
        );
        assert!(split[2].last().unwrap().last_of_segment);
        assert_eq!(
            split[2].last().unwrap().offset + split[2].last().unwrap().len,
            10_000
        );

        // 16-bit words: never cut a word in half.
        let w = plan(&[10], 5, 2, usize::MAX);
        assert!(w
            .iter()
            .flatten()
            .all(|p| p.len % 2 == 0 && p.offset % 2 == 0));

        // More pieces than a message takes: a new message even though the bytes fit.
        let many = plan(&vec![1; 600], 4096, 1, 511);
        assert_eq!(many.iter().map(Vec::len).collect::<Vec<_>>(), vec![511, 89]);
        assert_eq!(plan(&vec![1; 600], 4096, 1, usize::MAX).len(), 1);
    }

    #[test]
    fn splitter_warns_once_and_only_when_it_splits() {
        let mut s = Splitter::new(4096, usize::MAX, "the limit (4096 bytes)");
        let (m, w) = s.plan("dev", &[100], 1);
        assert_eq!((m.len(), w), (1, None));
        let (m, w) = s.plan("dev", &[10_000], 1);
        assert_eq!(m.len(), 3);
        assert_eq!(
            w.as_deref(),
            Some("dev: a 10000-byte message is larger than the limit (4096 bytes); it is split into 3 messages and chip select toggles between them")
        );
        let (m, w) = s.plan("dev", &[10_000], 1);
        assert_eq!((m.len(), w), (3, None), "the warning is given once");
    }
}
