//! `sim:mcp3008` and `sim:mcp3208`: Microchip's 8-channel 10- and 12-bit SAR ADCs,
//! simulated bit by bit as in datasheet section 5/6 (DS21295, DS21298): leading zeros,
//! a start bit, SGL/DIFF and D2..D0, one sample clock, a null bit, the result MSB first,
//! then (with more clocks) the result again LSB first, then zeros. Bits the chip does not
//! drive read as 1 here, as with a pull-up, so a decoder that forgets to mask shows it.
//!
//! The input voltage comes from a configurable signal: `sine[:HZ]` (the default, 1 Hz,
//! each channel shifted by 45°), `noise` (mid-scale plus pseudo-random noise) or
//! `file:PATH` (one conversion per line, values as fractions of Vref, one column per
//! channel or one for all).

use std::time::Instant;

use super::Chip;
use crate::error::Result;
use crate::spi::bus::BusConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Mcp3008,
    Mcp3208,
}

impl Model {
    pub fn bits(self) -> u32 {
        match self {
            Model::Mcp3008 => 10,
            Model::Mcp3208 => 12,
        }
    }
    pub fn part(self) -> &'static str {
        match self {
            Model::Mcp3008 => "MCP3008",
            Model::Mcp3208 => "MCP3208",
        }
    }
    /// Maximum clock at VDD = 5 V (datasheet table 1-1).
    pub fn max_speed_hz(self) -> u32 {
        match self {
            Model::Mcp3008 => 3_600_000,
            Model::Mcp3208 => 2_000_000,
        }
    }
}

/// What the analog inputs see, as fractions of Vref.
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    Sine { hz: f64 },
    Noise,
    File { rows: Vec<Vec<f64>> },
}

impl Default for Signal {
    fn default() -> Self {
        Signal::Sine { hz: 1.0 }
    }
}

impl Signal {
    pub fn parse(text: &str) -> std::result::Result<Signal, String> {
        if text == "sine" {
            return Ok(Signal::default());
        }
        if let Some(hz) = text.strip_prefix("sine:") {
            let hz: f64 = hz
                .parse()
                .ok()
                .filter(|h: &f64| h.is_finite() && *h >= 0.0)
                .ok_or_else(|| format!("'{hz}' is not a frequency in Hz"))?;
            return Ok(Signal::Sine { hz });
        }
        if text == "noise" {
            return Ok(Signal::Noise);
        }
        if let Some(path) = text.strip_prefix("file:") {
            let body = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read signal file {path}: {e}"))?;
            let mut rows = Vec::new();
            for (n, line) in body.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let row = line
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.parse::<f64>()
                            .ok()
                            .filter(|v| (0.0..=1.0).contains(v))
                            .ok_or_else(|| {
                                format!(
                                    "{path}:{}: '{s}' is not a fraction of Vref between 0 and 1",
                                    n + 1
                                )
                            })
                    })
                    .collect::<std::result::Result<Vec<f64>, String>>()?;
                rows.push(row);
            }
            if rows.is_empty() {
                return Err(format!("signal file {path} has no values"));
            }
            return Ok(Signal::File { rows });
        }
        Err(format!(
            "unknown signal '{text}' (sine, sine:HZ, noise or file:PATH)"
        ))
    }
}

enum Phase {
    /// Waiting for the start bit; MISO is not driven.
    WaitStart,
    /// Reading SGL/DIFF and D2..D0.
    Config { n: u8, cfg: u8 },
    /// Clocks after D0: sample clock, null bit, data.
    Output { k: u32, code: u16 },
}

pub struct Mcp3x08 {
    model: Model,
    signal: Signal,
    started: Instant,
    phase: Phase,
    file_pos: usize,
    noise: u64,
}

impl Mcp3x08 {
    pub fn new(model: Model, signal: Signal) -> Self {
        Mcp3x08 {
            model,
            signal,
            started: Instant::now(),
            phase: Phase::WaitStart,
            file_pos: 0,
            noise: 0x9e37_79b9_7f4a_7c15,
        }
    }

    fn next_noise(&mut self) -> f64 {
        // xorshift64*: deterministic, so runs are repeatable.
        let mut x = self.noise;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.noise = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The input of each channel at this instant, as fractions of Vref.
    fn inputs(&mut self) -> [f64; 8] {
        let mut v = [0.0; 8];
        match &self.signal {
            Signal::Sine { hz } => {
                let t = self.started.elapsed().as_secs_f64();
                for (ch, x) in v.iter_mut().enumerate() {
                    let phase = std::f64::consts::FRAC_PI_4 * ch as f64;
                    *x = 0.5 + 0.45 * (std::f64::consts::TAU * hz * t + phase).sin();
                }
            }
            Signal::Noise => {
                for x in v.iter_mut() {
                    // Sum of four uniforms: roughly normal around mid-scale.
                    let s: f64 = (0..4).map(|_| self.next_noise()).sum::<f64>() / 4.0;
                    *x = (0.5 + (s - 0.5) * 0.5).clamp(0.0, 1.0);
                }
            }
            Signal::File { rows } => {
                let row = &rows[self.file_pos % rows.len()];
                for (ch, x) in v.iter_mut().enumerate() {
                    *x = row[ch % row.len()];
                }
                self.file_pos += 1;
            }
        }
        v
    }

    /// The conversion for a configuration nibble (SGL/DIFF, D2, D1, D0), datasheet
    /// table 5-2: in differential mode the pair is (2p, 2p+1) and D0 picks the polarity,
    /// and IN- above IN+ reads as zero.
    fn convert(&mut self, cfg: u8) -> u16 {
        let v = self.inputs();
        let d = (cfg & 7) as usize;
        let x = if cfg & 8 != 0 {
            v[d]
        } else {
            let plus = (d & !1) + (d & 1);
            let minus = (d & !1) + 1 - (d & 1);
            (v[plus] - v[minus]).max(0.0)
        };
        let full = 1u32 << self.model.bits();
        ((x * full as f64) as u32).min(full - 1) as u16
    }

    fn clock(&mut self, mosi: u8) -> u8 {
        let bits = self.model.bits();
        match &mut self.phase {
            Phase::WaitStart => {
                if mosi == 1 {
                    self.phase = Phase::Config { n: 0, cfg: 0 };
                }
                1
            }
            Phase::Config { n, cfg } => {
                *cfg = (*cfg << 1) | mosi;
                *n += 1;
                if *n == 4 {
                    let cfg = *cfg;
                    let code = self.convert(cfg);
                    self.phase = Phase::Output { k: 0, code };
                }
                1
            }
            Phase::Output { k, code } => {
                let (kk, code) = (*k, *code as u32);
                *k += 1;
                match kk {
                    0 => 1, // sample clock: MISO still not driven
                    1 => 0, // null bit
                    _ if kk < 2 + bits => ((code >> (bits - 1 - (kk - 2))) & 1) as u8,
                    // Then LSB first, starting at B1 (B0 is shared), and zeros after.
                    _ if kk < 2 + bits + bits - 1 => ((code >> (kk - (2 + bits) + 1)) & 1) as u8,
                    _ => 0,
                }
            }
        }
    }
}

impl Chip for Mcp3x08 {
    fn part(&self) -> &'static str {
        self.model.part()
    }
    fn select(&mut self) {
        self.phase = Phase::WaitStart;
    }
    fn exchange(&mut self, tx: &[u8], rx: &mut [u8]) {
        for (t, r) in tx.iter().zip(rx.iter_mut()) {
            let mut out = 0u8;
            for bit in (0..8).rev() {
                out = (out << 1) | self.clock((t >> bit) & 1);
            }
            *r = out;
        }
    }
    fn deselect(&mut self) -> Result<()> {
        self.phase = Phase::WaitStart;
        Ok(())
    }
    fn check_config(&self, cfg: &BusConfig) -> std::result::Result<(), String> {
        let part = self.model.part();
        if cfg.mode != 0 && cfg.mode != 3 {
            return Err(format!(
                "the {part} works in SPI modes 0 and 3 only, not {}",
                cfg.mode
            ));
        }
        if cfg.cs_high || cfg.three_wire {
            return Err(format!(
                "the {part} has an active-low chip select and separate DIN/DOUT pins"
            ));
        }
        if cfg.speed_hz > self.model.max_speed_hz() {
            return Err(format!(
                "{} Hz is above the {part}'s {} Hz maximum clock (at VDD 5 V)",
                cfg.speed_hz,
                self.model.max_speed_hz()
            ));
        }
        Ok(())
    }
}

/// The 3-byte frame that asks for one single-ended (or differential) conversion,
/// aligned so that the result ends in the last byte (datasheet figures 6-1).
pub fn frame(model: Model, channel: u8, differential: bool) -> [u8; 3] {
    let sgl = if differential { 0 } else { 1 };
    match model {
        Model::Mcp3008 => [0x01, (sgl << 7) | ((channel & 7) << 4), 0x00],
        Model::Mcp3208 => [
            0x04 | (sgl << 1) | ((channel & 7) >> 2),
            (channel & 3) << 6,
            0x00,
        ],
    }
}

/// The result from the answer to [`frame`].
pub fn decode(model: Model, rx: &[u8; 3]) -> u16 {
    match model {
        Model::Mcp3008 => (((rx[1] & 0x03) as u16) << 8) | rx[2] as u16,
        Model::Mcp3208 => (((rx[1] & 0x0f) as u16) << 8) | rx[2] as u16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chip(model: Model, rows: Vec<Vec<f64>>) -> Mcp3x08 {
        Mcp3x08::new(model, Signal::File { rows })
    }

    fn one(c: &mut Mcp3x08, tx: &[u8]) -> Vec<u8> {
        let mut rx = vec![0; tx.len()];
        c.select();
        c.exchange(tx, &mut rx);
        c.deselect().unwrap();
        rx
    }

    #[test]
    fn mcp3008_frame_matches_figure_6_1() {
        let mut c = chip(Model::Mcp3008, vec![vec![0.0, 0.0, 0.75]]);
        let rx = one(&mut c, &frame(Model::Mcp3008, 2, false));
        // 0.75 * 1024 = 768 = 0b11_0000_0000. Undriven bits read 1, the null bit 0.
        assert_eq!(rx, vec![0xff, 0b1111_1011, 0x00]);
        assert_eq!(decode(Model::Mcp3008, &[rx[0], rx[1], rx[2]]), 768);
    }

    #[test]
    fn mcp3208_frame_has_twelve_bits() {
        let mut c = chip(
            Model::Mcp3208,
            vec![vec![0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.999]],
        );
        let rx = one(&mut c, &frame(Model::Mcp3208, 7, false));
        assert_eq!(decode(Model::Mcp3208, &[rx[0], rx[1], rx[2]]), 4091);
        // Bits above B11: 2 sample/null clocks after D0 -> bit 5 undriven, bit 4 null.
        assert_eq!(rx[1] & 0xf0, 0b1110_0000);
    }

    #[test]
    fn leading_zeros_and_lsb_first_continuation() {
        // Start bit late in the first byte, then 32 clocks: the result MSB first,
        // then LSB first from B1, then zeros (datasheet figure 5-2).
        let mut c = chip(Model::Mcp3008, vec![vec![0.5]]);
        let code: u32 = 512;
        let rx = one(&mut c, &[0x00, 0x01, 0x80, 0x00, 0x00, 0x00]);
        let stream = u64::from_be_bytes([0, 0, rx[0], rx[1], rx[2], rx[3], rx[4], rx[5]]);
        // Bits after D0 start at bit 3 of rx[2]: sample(1) null(0) B9..B0 B1..B9 zeros.
        let after_d0 = (stream & ((1 << 28) - 1)) as u32; // rx[2] low 4 bits + 3 bytes
        let mut expect = 0b10u32; // sample clock reads 1, then null bit
        for b in (0..10).rev() {
            expect = (expect << 1) | ((code >> b) & 1);
        }
        for b in 1..10 {
            expect = (expect << 1) | ((code >> b) & 1);
        }
        expect <<= 28 - 2 - 10 - 9; // zeros
        assert_eq!(after_d0, expect);
    }

    #[test]
    fn differential_pairs_and_clamping() {
        let mut c = chip(Model::Mcp3008, vec![vec![0.75, 0.25], vec![0.75, 0.25]]);
        let rx = one(&mut c, &frame(Model::Mcp3008, 0, true));
        assert_eq!(decode(Model::Mcp3008, &[rx[0], rx[1], rx[2]]), 512); // CH0+ CH1-
        let rx = one(&mut c, &frame(Model::Mcp3008, 1, true));
        assert_eq!(decode(Model::Mcp3008, &[rx[0], rx[1], rx[2]]), 0); // CH0- CH1+
    }

    #[test]
    fn signals_parse_and_sine_stays_in_range() {
        assert_eq!(Signal::parse("sine:50").unwrap(), Signal::Sine { hz: 50.0 });
        assert!(Signal::parse("square").is_err());
        assert!(Signal::parse("sine:x").is_err());
        let mut c = Mcp3x08::new(Model::Mcp3008, Signal::Noise);
        let codes: Vec<u16> = (0..200).map(|i| c.convert(8 | (i % 8) as u8)).collect();
        assert!(codes.iter().all(|&v| v < 1024));
        assert!(codes.iter().collect::<std::collections::HashSet<_>>().len() > 50);
    }
}
