//! Block protection of 25-series flash: which range the status register's protect bits
//! (BP, TB, SEC, CMP) cover, and which bits cover a range asked for. Two families:
//!
//! - Winbond with three BP bits (W25Q16 to W25Q128): BP2..0 in SR1 bits 4:2, TB bit 5,
//!   SEC bit 6; CMP in SR2 bit 6. BP = n (1-6) protects 2^(n-1)/64 of the array at the
//!   top (TB = 0) or the bottom (TB = 1); with SEC, 4 KiB x 2^(n-1) up to 32 KiB; BP = 7
//!   all. CMP protects the complement instead.
//! - Four BP bits (W25Q256, Macronix MX25L/MX66L): BP3..0 in SR1 bits 5:2; BP = n
//!   protects 64 KiB x 2^(n-1) at the top or bottom, everything once that reaches the
//!   size. W25Q256: TB in SR1 bit 6, CMP in SR2 bit 6. Macronix: TB is bit 3 of the
//!   configuration register and one-time programmable, and there is no CMP, so only
//!   ranges on the side TB already says can be set.
//!
//! The datasheets' protection tables (W25Q128JV section 7.1.4, W25Q256JV 7.1.5,
//! MX25L25645G "Protected Area Sizes") are these formulas.

/// How a part's protect bits are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// BP2..0, TB, SEC in SR1; CMP in SR2 bit 6.
    Winbond3,
    /// BP3..0 and TB in SR1 (TB bit 6); CMP in SR2 bit 6.
    Winbond4,
    /// BP3..0 in SR1; TB in the configuration register bit 3 (OTP); no CMP.
    Macronix4,
}

/// The protect bits, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits {
    pub bp: u8,
    pub tb: bool,
    pub sec: bool,
    pub cmp: bool,
    /// Status register protect (SRP/SRWD): with WP# low the register cannot be written.
    pub srp: bool,
}

impl Scheme {
    /// The protect bits from SR1 and the second register (SR2 for Winbond, the
    /// configuration register for Macronix).
    pub fn decode(self, sr1: u8, reg2: u8) -> Bits {
        match self {
            Scheme::Winbond3 => Bits {
                bp: (sr1 >> 2) & 7,
                tb: sr1 & 0x20 != 0,
                sec: sr1 & 0x40 != 0,
                cmp: reg2 & 0x40 != 0,
                srp: sr1 & 0x80 != 0,
            },
            Scheme::Winbond4 => Bits {
                bp: (sr1 >> 2) & 15,
                tb: sr1 & 0x40 != 0,
                sec: false,
                cmp: reg2 & 0x40 != 0,
                srp: sr1 & 0x80 != 0,
            },
            Scheme::Macronix4 => Bits {
                bp: (sr1 >> 2) & 15,
                tb: reg2 & 0x08 != 0,
                sec: false,
                cmp: false,
                srp: sr1 & 0x80 != 0,
            },
        }
    }

    /// SR1 and the second register with `bits` put in place of the protect bits; every
    /// other bit (WEL, QE, LB, the Macronix configuration) as it was.
    pub fn encode(self, bits: Bits, sr1: u8, reg2: u8) -> (u8, u8) {
        match self {
            Scheme::Winbond3 => (
                (sr1 & !0x7c) | (bits.bp & 7) << 2 | (bits.tb as u8) << 5 | (bits.sec as u8) << 6,
                (reg2 & !0x40) | (bits.cmp as u8) << 6,
            ),
            Scheme::Winbond4 => (
                (sr1 & !0x7c) | (bits.bp & 15) << 2 | (bits.tb as u8) << 6,
                (reg2 & !0x40) | (bits.cmp as u8) << 6,
            ),
            Scheme::Macronix4 => ((sr1 & !0x3c) | (bits.bp & 15) << 2, reg2),
        }
    }

    /// The protected range `[start, end)` of a `size`-byte part, `None` when nothing is.
    pub fn range(self, size: usize, b: Bits) -> Option<(usize, usize)> {
        let len = match self {
            Scheme::Winbond3 => match b.bp {
                0 => 0,
                7.. => size,
                n if b.sec => (4usize << 10) << (n.min(4) - 1),
                n => (size / 64) << (n - 1),
            },
            Scheme::Winbond4 | Scheme::Macronix4 => match b.bp.min(15) {
                0 => 0,
                n => (64usize << 10) << (n - 1),
            },
        }
        .min(size);
        let region = if b.tb { (0, len) } else { (size - len, size) };
        let (start, end) = if !b.cmp {
            region
        } else if len == 0 {
            (0, size)
        } else if len == size {
            (0, 0)
        } else if b.tb {
            (len, size)
        } else {
            (0, size - len)
        };
        (start < end).then_some((start, end))
    }

    /// Protect bits that protect exactly `want` (`None`: nothing), keeping SRP and,
    /// on Macronix, the one-time programmable TB as they are.
    pub fn bits_for(self, size: usize, want: Option<(usize, usize)>, now: Bits) -> Option<Bits> {
        let mut candidates = Vec::new();
        for bp in 0..self.bp_values() {
            for tb in [false, true] {
                for sec in [false, true] {
                    for cmp in [false, true] {
                        let b = Bits {
                            bp,
                            tb,
                            sec,
                            cmp,
                            srp: now.srp,
                        };
                        let legal = match self {
                            Scheme::Winbond3 => true,
                            Scheme::Winbond4 => !sec,
                            Scheme::Macronix4 => !sec && !cmp && tb == now.tb,
                        };
                        if legal && self.range(size, b) == want {
                            candidates.push(b);
                        }
                    }
                }
            }
        }
        // The plainest encoding: no CMP, no SEC, TB as it is.
        candidates
            .into_iter()
            .min_by_key(|b| (b.cmp, b.sec, b.tb != now.tb, b.bp))
    }

    /// How many values the BP field has.
    fn bp_values(self) -> u8 {
        if self == Scheme::Winbond3 {
            8
        } else {
            16
        }
    }

    /// Every range the scheme can protect on a `size`-byte part (for error messages).
    pub fn ranges(self, size: usize, now: Bits) -> Vec<(usize, usize)> {
        let mut out: Vec<(usize, usize)> = (0..self.bp_values())
            .flat_map(|bp| {
                [(false, false), (false, true), (true, false), (true, true)]
                    .into_iter()
                    .flat_map(move |(tb, sec)| {
                        [false, true].into_iter().map(move |cmp| Bits {
                            bp,
                            tb,
                            sec,
                            cmp,
                            srp: false,
                        })
                    })
            })
            .filter(|b| self.bits_for(size, self.range(size, *b), now).is_some())
            .filter_map(|b| self.range(size, b))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// A range as text: "0xfc0000..0x1000000 (256 KiB)".
pub fn describe(r: Option<(usize, usize)>) -> String {
    match r {
        None => "none".into(),
        Some((a, b)) => format!("{a:#x}..{b:#x} ({})", size_text(b - a)),
    }
}

fn size_text(n: usize) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{} KiB", n >> 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M16: usize = 16 << 20;

    #[test]
    fn winbond_128_table() {
        let w = Scheme::Winbond3;
        let b = |sr1: u8, sr2: u8| w.range(M16, w.decode(sr1, sr2));
        assert_eq!(b(0x00, 0), None);
        // BP=1: upper 256 KiB (1/64); TB: lower; BP=6: upper half; BP=7: all.
        assert_eq!(b(0x04, 0), Some((M16 - (256 << 10), M16)));
        assert_eq!(b(0x24, 0), Some((0, 256 << 10)));
        assert_eq!(b(0x18, 0), Some((M16 / 2, M16)));
        assert_eq!(b(0x1c, 0), Some((0, M16)));
        // SEC: 4 KiB steps, at most 32 KiB.
        assert_eq!(b(0x44, 0), Some((M16 - 4096, M16)));
        assert_eq!(b(0x54, 0), Some((M16 - (32 << 10), M16)));
        // CMP: the complement.
        assert_eq!(b(0x04, 0x40), Some((0, M16 - (256 << 10))));
        assert_eq!(b(0x00, 0x40), Some((0, M16)));
        assert_eq!(b(0x1c, 0x40), None);
    }

    #[test]
    fn four_bit_schemes() {
        let m32 = 32 << 20;
        let w = Scheme::Winbond4;
        assert_eq!(
            w.range(m32, w.decode(0x04, 0)),
            Some((m32 - (64 << 10), m32))
        );
        assert_eq!(
            w.range(m32, w.decode(0x24, 0)),
            Some((m32 / 2, m32)),
            "BP=9"
        );
        assert_eq!(w.range(m32, w.decode(0x28, 0)), Some((0, m32)), "BP=10");
        assert_eq!(w.range(m32, w.decode(0x44, 0)), Some((0, 64 << 10)), "TB");
        let m = Scheme::Macronix4;
        assert_eq!(
            m.range(m32, m.decode(0x04, 0x08)),
            Some((0, 64 << 10)),
            "TB in CR"
        );
        assert_eq!(
            m.range(m32, m.decode(0x04, 0x40)),
            Some((m32 - (64 << 10), m32)),
            "no CMP"
        );
    }

    /// Whatever the registers hold, the range is inside the part.
    #[test]
    fn every_register_value_gives_a_range_inside_the_part() {
        for scheme in [Scheme::Winbond3, Scheme::Winbond4, Scheme::Macronix4] {
            for size in [64usize << 10, 1 << 20, M16, 128 << 20] {
                for sr1 in 0..=255u8 {
                    for reg2 in [0u8, 0x08, 0x40, 0xff] {
                        if let Some((a, b)) = scheme.range(size, scheme.decode(sr1, reg2)) {
                            assert!(a < b && b <= size, "{scheme:?} {size} {sr1:x} {reg2:x}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn bits_for_ranges_round_trip() {
        for (scheme, size) in [
            (Scheme::Winbond3, M16),
            (Scheme::Winbond4, 32 << 20),
            (Scheme::Macronix4, 32 << 20),
        ] {
            let now = Bits::default();
            for r in scheme.ranges(size, now) {
                let b = scheme.bits_for(size, Some(r), now).unwrap();
                assert_eq!(scheme.range(size, b), Some(r), "{scheme:?}");
                let (sr1, reg2) = scheme.encode(b, 0x02, 0x02);
                assert_eq!(scheme.decode(sr1, reg2), b, "{scheme:?}");
                assert_eq!(sr1 & 3, 2, "WEL kept, WIP clear");
            }
            assert_eq!(
                scheme.bits_for(size, None, now).map(|b| b.bp),
                Some(0),
                "{scheme:?}"
            );
        }
        // Not a protectable range.
        assert_eq!(
            Scheme::Winbond3.bits_for(M16, Some((4096, 8192)), Bits::default()),
            None
        );
        // Macronix keeps its OTP TB: bottom ranges only when TB is already set.
        let m = Scheme::Macronix4;
        assert_eq!(
            m.bits_for(32 << 20, Some((0, 64 << 10)), Bits::default()),
            None
        );
        let tb = Bits {
            tb: true,
            ..Bits::default()
        };
        assert!(m.bits_for(32 << 20, Some((0, 64 << 10)), tb).is_some());
    }
}
