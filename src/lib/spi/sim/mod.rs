//! Simulated chips behind `--device sim:...`, exact to their datasheets at the level of
//! the bytes on the wire, so that `make demo`, the tests and anyone without hardware
//! exercise the same code as a real bus. Every simulation names itself as one.

pub mod loopback;
pub mod mcp3x08;
pub mod nor;
pub mod regmap;

use std::path::PathBuf;

use super::bus::{BusConfig, BusInfo, ConfigChange, Segment, SpiBus};
use crate::error::{Error, Result};

/// A chip on the simulated bus. Chip select framing matters to every SPI chip (a
/// command starts when it is selected and takes effect when it is released), so the
/// bus tells the chip about both edges.
pub trait Chip {
    /// The part name, e.g. "W25Q128JV".
    fn part(&self) -> &'static str;
    /// Chip select asserted: a new command begins.
    fn select(&mut self);
    /// Bytes clocked while selected: `rx` gets what the chip drives on MISO.
    fn exchange(&mut self, tx: &[u8], rx: &mut [u8]);
    /// Chip select released: commands that act on release (program, erase) act now.
    fn deselect(&mut self) -> Result<()>;
    /// Refuses settings outside the datasheet (a real chip would just misbehave).
    fn check_config(&self, cfg: &BusConfig) -> std::result::Result<(), String>;
    /// Where the chip keeps its state between runs, if anywhere.
    fn state(&self) -> Option<String> {
        None
    }
    /// Whether the chip's interface is fixed at 8-bit words.
    fn eight_bit_only(&self) -> bool {
        true
    }
}

/// A simulated bus with one chip on it.
pub struct SimBus {
    spec: String,
    chip: Box<dyn Chip>,
    cfg: BusConfig,
}

impl SimBus {
    pub fn new(spec: &str, chip: Box<dyn Chip>) -> Self {
        SimBus {
            spec: spec.to_string(),
            chip,
            cfg: BusConfig::default(),
        }
    }

    /// Opens `sim:CHIP[=ARG]` (the text after `sim:`).
    pub fn open(spec: &str) -> Result<SimBus> {
        let rest = spec.strip_prefix("sim:").unwrap_or(spec);
        let (chip, arg) = match rest.split_once('=') {
            Some((c, a)) => (c, Some(a)),
            None => (rest, None),
        };
        let bad_arg = |what: &str| Error::Usage(format!("--device {spec}: {what}"));
        let chip: Box<dyn Chip> = match chip {
            "loopback" => {
                if arg.is_some() {
                    return Err(bad_arg("sim:loopback takes no argument"));
                }
                Box::new(loopback::Loopback)
            }
            "mcp3008" | "mcp3208" => {
                let signal = match arg {
                    Some(a) => mcp3x08::Signal::parse(a).map_err(|e| bad_arg(&e))?,
                    None => mcp3x08::Signal::default(),
                };
                let model = if chip == "mcp3008" {
                    mcp3x08::Model::Mcp3008
                } else {
                    mcp3x08::Model::Mcp3208
                };
                Box::new(mcp3x08::Mcp3x08::new(model, signal))
            }
            flash if nor::part(flash).is_some() => {
                let part = nor::part(flash).unwrap();
                Box::new(match arg {
                    Some("") => {
                        return Err(bad_arg(&format!("sim:{flash}= needs a file name")))
                    }
                    Some(path) => nor::NorFlash::with_file(part, PathBuf::from(path).as_path())?,
                    None => nor::NorFlash::in_memory(part),
                })
            }
            "regmap" => {
                let Some(arg) = arg.filter(|a| !a.is_empty()) else {
                    return Err(bad_arg("sim:regmap needs a register map: sim:regmap=MAP.toml"));
                };
                Box::new(regmap::RegmapChip::open(arg)?)
            }
            other => {
                return Err(Error::Usage(format!(
                    "--device {spec}: unknown simulated chip '{other}' (loopback, mcp3008, mcp3208, w25q128, w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b, regmap=FILE)"
                )))
            }
        };
        Ok(SimBus::new(spec, chip))
    }
}

fn reverse_bits(bytes: &mut [u8]) {
    for b in bytes {
        *b = b.reverse_bits();
    }
}

impl SpiBus for SimBus {
    fn info(&self) -> BusInfo {
        BusInfo {
            device: self.spec.clone(),
            kind: "simulation",
            chip: Some(format!("{} (simulated)", self.chip.part())),
            max_transfer: usize::MAX,
            state: self.chip.state(),
        }
    }

    fn config(&self) -> Result<BusConfig> {
        Ok(self.cfg)
    }

    fn configure(&mut self, change: &ConfigChange) -> Result<()> {
        let next = change.apply(self.cfg);
        if next.bits == 0 || next.bits > 32 {
            return Err(Error::Usage(format!("--bits {}: must be 1-32", next.bits)));
        }
        if next.bits != 8 && self.chip.eight_bit_only() {
            return Err(Error::device(
                &self.spec,
                format!(
                    "the simulated {} takes 8-bit words only, not {}",
                    self.chip.part(),
                    next.bits
                ),
            ));
        }
        self.chip
            .check_config(&next)
            .map_err(|msg| Error::device(&self.spec, msg))?;
        self.cfg = next;
        Ok(())
    }

    fn transfer(&mut self, segments: &mut [Segment]) -> Result<()> {
        super::bus::check_word_alignment(&self.spec, self.cfg.bits, segments)?;
        for seg in segments.iter() {
            if let Some(hz) = seg.speed_hz {
                let probe = BusConfig {
                    speed_hz: hz,
                    ..self.cfg
                };
                self.chip
                    .check_config(&probe)
                    .map_err(|msg| Error::device(&self.spec, msg))?;
            }
        }
        self.chip.select();
        let last = segments.len().saturating_sub(1);
        for (i, seg) in segments.iter_mut().enumerate() {
            // With LSB-first the controller shifts each byte out reversed; the chip
            // still reads MSB first, so it sees (and answers with) reversed bits.
            let mut tx = seg.tx.clone();
            if self.cfg.lsb_first {
                reverse_bits(&mut tx);
            }
            let mut rx = vec![0u8; tx.len()];
            self.chip.exchange(&tx, &mut rx);
            if self.cfg.lsb_first {
                reverse_bits(&mut rx);
            }
            seg.rx = rx;
            if seg.delay_us > 0 {
                std::thread::sleep(std::time::Duration::from_micros(seg.delay_us.into()));
            }
            if seg.cs_change && i != last {
                self.chip.deselect()?;
                self.chip.select();
            }
        }
        self.chip.deselect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_chip_and_missing_args_are_usage_errors() {
        for spec in ["sim:eeprom", "sim:regmap", "sim:w25q128=", "sim:loopback=x"] {
            let e = SimBus::open(spec).err().unwrap();
            assert!(matches!(e, Error::Usage(_)), "{spec}: {e}");
        }
    }

    #[test]
    fn simulations_name_themselves() {
        let bus = SimBus::open("sim:loopback").unwrap();
        let info = bus.info();
        assert_eq!(info.kind, "simulation");
        assert!(info.chip.unwrap().contains("simulated"));
    }

    #[test]
    fn lsb_first_reverses_what_the_chip_sees() {
        // Loopback returns exactly the wire bits, so LSB-first round-trips unchanged,
        // while a JEDEC id read sent LSB-first is not understood by the flash.
        let mut bus = SimBus::open("sim:w25q128").unwrap();
        assert_eq!(
            bus.xfer(&[0x9f, 0, 0, 0]).unwrap(),
            vec![0xff, 0xef, 0x40, 0x18]
        );
        bus.configure(&ConfigChange {
            lsb_first: Some(true),
            ..Default::default()
        })
        .unwrap();
        assert_ne!(bus.xfer(&[0x9f, 0, 0, 0]).unwrap()[1..], [0xef, 0x40, 0x18]);
    }

    #[test]
    fn chips_refuse_modes_outside_the_datasheet() {
        let mut bus = SimBus::open("sim:mcp3008").unwrap();
        let e = bus
            .configure(&ConfigChange {
                mode: Some(1),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("modes 0 and 3"), "{e}");
        bus.configure(&ConfigChange {
            mode: Some(3),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(bus.config().unwrap().mode, 3);
    }
}
