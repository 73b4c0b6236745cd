//! `sim:regmap=MAP.toml`: a register-file chip built from a register map. It decodes
//! the address header with the map's conventions (width, read/write flag, mask), then
//! reads or writes bytes with auto-increment, the way most SPI sensors do. Registers
//! start at their reset values; read-only registers ignore writes and undefined
//! addresses read 0x00. State lasts for one command.

use std::collections::BTreeMap;
use std::path::Path;

use super::Chip;
use crate::error::Result;
use crate::spi::bus::BusConfig;
use crate::spi::regmap::{Access, RegMap};

pub struct RegmapChip {
    map: RegMap,
    mem: BTreeMap<u32, u8>,
    read_only: std::collections::BTreeSet<u32>,
    n: usize,
    header: u32,
    addr: u32,
    is_read: bool,
}

impl RegmapChip {
    pub fn open(path: &str) -> Result<Self> {
        Ok(Self::new(RegMap::load(Path::new(path))?))
    }

    pub fn new(map: RegMap) -> Self {
        let mut mem = BTreeMap::new();
        let mut read_only = std::collections::BTreeSet::new();
        for r in &map.registers {
            let bytes = map.protocol.encode(r.reset, r.bytes);
            for (i, b) in bytes.iter().enumerate() {
                let a = (r.address + i as u32) & map.protocol.addr_mask;
                mem.insert(a, *b);
                if r.access == Access::ReadOnly {
                    read_only.insert(a);
                }
            }
        }
        RegmapChip {
            map,
            mem,
            read_only,
            n: 0,
            header: 0,
            addr: 0,
            is_read: false,
        }
    }

    pub fn map(&self) -> &RegMap {
        &self.map
    }

    fn byte(&mut self, mosi: u8) -> u8 {
        let hb = self.map.protocol.addr_bytes as usize;
        let i = self.n;
        self.n += 1;
        if i < hb {
            self.header = (self.header << 8) | mosi as u32;
            if i + 1 == hb {
                let (addr, is_read) = self.map.protocol.parse_header(self.header);
                self.addr = addr;
                self.is_read = is_read;
            }
            return 0xff;
        }
        let a = self.addr;
        self.addr = self.addr.wrapping_add(1) & self.map.protocol.addr_mask;
        if self.is_read {
            self.mem.get(&a).copied().unwrap_or(0)
        } else {
            if !self.read_only.contains(&a) {
                self.mem.insert(a, mosi);
            }
            0xff
        }
    }
}

impl Chip for RegmapChip {
    fn part(&self) -> &'static str {
        "register map chip"
    }
    fn select(&mut self) {
        self.n = 0;
        self.header = 0;
    }
    fn exchange(&mut self, tx: &[u8], rx: &mut [u8]) {
        for (t, r) in tx.iter().zip(rx.iter_mut()) {
            *r = self.byte(*t);
        }
    }
    fn deselect(&mut self) -> Result<()> {
        self.n = 0;
        Ok(())
    }
    fn check_config(&self, cfg: &BusConfig) -> std::result::Result<(), String> {
        let max = self.map.max_speed_hz.unwrap_or(10_000_000);
        if cfg.speed_hz > max {
            return Err(format!(
                "{} Hz is above the {} map's {max} Hz maximum clock",
                cfg.speed_hz, self.map.name
            ));
        }
        if cfg.cs_high {
            return Err(format!("the {} chip select is active low", self.map.name));
        }
        Ok(())
    }
    fn state(&self) -> Option<String> {
        Some(format!(
            "{} registers from map {}, in memory (lost at exit)",
            self.map.registers.len(),
            self.map.name
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spi::bus::SpiBus;
    use crate::spi::regmap::tests::BME280;
    use crate::spi::sim::SimBus;

    #[test]
    fn reads_resets_writes_and_auto_increments() {
        let map = RegMap::parse(BME280, "bme280.toml").unwrap();
        let p = map.protocol;
        let mut bus = SimBus::new("sim:regmap", Box::new(RegmapChip::new(map)));
        assert_eq!(bus.xfer(&p.read_frame(0xd0, 1)).unwrap()[1], 0x60);
        // dig_t1 is big-endian 0x706b here: two bytes with auto-increment.
        assert_eq!(bus.xfer(&p.read_frame(0x88, 2)).unwrap()[1..], [0x70, 0x6b]);
        bus.xfer(&p.write_frame(0xf4, &[0x55])).unwrap();
        assert_eq!(bus.xfer(&p.read_frame(0xf4, 1)).unwrap()[1], 0x55);
        bus.xfer(&p.write_frame(0xd0, &[0x00])).unwrap();
        assert_eq!(bus.xfer(&p.read_frame(0xd0, 1)).unwrap()[1], 0x60, "ro");
        assert_eq!(bus.xfer(&p.read_frame(0x10, 1)).unwrap()[1], 0x00);
    }
}
