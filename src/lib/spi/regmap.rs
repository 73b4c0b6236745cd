//! Register maps in TOML and the register access conventions of SPI peripherals: how
//! many address bytes, which address bits flag a read or a write, register widths and
//! byte order, and named bit fields with named values. One map both drives
//! `spictl reg` against real chips and defines the registers of `sim:regmap=FILE`.
//!
//! ```toml
//! name = "BME280"
//! addr_bytes = 1        # address header width in bytes
//! read_flag = 0x80      # OR'd into the header for reads
//! write_flag = 0x00     # OR'd into the header for writes
//! addr_mask = 0x7f      # address bits kept (default: all but the flags)
//! endian = "big"        # byte order of multi-byte registers
//!
//! [registers.id]
//! address = 0xD0
//! access = "ro"         # ro, rw or wo
//! reset = 0x60
//!
//! [registers.ctrl_meas]
//! address = 0xF4
//! fields.osrs_t = { bits = "7:5", values = { 0 = "skipped", 1 = "x1", 2 = "x2" } }
//! fields.mode = { bits = "1:0", values = { 0 = "sleep", 1 = "forced", 3 = "normal" } }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::num::parse_u64;
use crate::error::{Error, Location, Result};

/// How a register address travels on the bus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protocol {
    pub addr_bytes: u8,
    pub addr_mask: u32,
    pub read_flag: u32,
    pub write_flag: u32,
    pub little_endian: bool,
}

impl Default for Protocol {
    /// The most common convention (BME280, many sensors): one address byte, bit 7 set
    /// for reads and clear for writes.
    fn default() -> Self {
        Protocol::new(1, 0x80, 0x00, None, false)
    }
}

impl Protocol {
    pub fn new(
        addr_bytes: u8,
        read_flag: u32,
        write_flag: u32,
        addr_mask: Option<u32>,
        little_endian: bool,
    ) -> Self {
        let width = Self::width_mask(addr_bytes);
        Protocol {
            addr_bytes,
            addr_mask: addr_mask.unwrap_or(width & !(read_flag | write_flag)),
            read_flag,
            write_flag,
            little_endian,
        }
    }

    fn width_mask(addr_bytes: u8) -> u32 {
        if addr_bytes >= 4 {
            u32::MAX
        } else {
            (1u32 << (8 * addr_bytes as u32)) - 1
        }
    }

    pub fn validate(&self) -> std::result::Result<(), String> {
        if !(1..=4).contains(&self.addr_bytes) {
            return Err(format!(
                "address width {} bytes: must be 1-4",
                self.addr_bytes
            ));
        }
        if self.read_flag == self.write_flag {
            return Err(format!(
                "read flag and write flag are both {:#x}: the chip could not tell reads from writes",
                self.read_flag
            ));
        }
        let width = Self::width_mask(self.addr_bytes);
        if (self.read_flag | self.write_flag | self.addr_mask) & !width != 0 {
            return Err(format!(
                "flags or address mask do not fit in {} address byte(s)",
                self.addr_bytes
            ));
        }
        Ok(())
    }

    fn header(&self, addr: u32, flag: u32) -> Vec<u8> {
        let h = (addr & self.addr_mask) | flag;
        let n = self.addr_bytes as usize;
        h.to_be_bytes()[4 - n..].to_vec()
    }

    /// The bytes to clock out to read `nbytes` from `addr`; the value is the last `nbytes`
    /// bytes of the answer.
    pub fn read_frame(&self, addr: u32, nbytes: usize) -> Vec<u8> {
        let mut f = self.header(addr, self.read_flag);
        f.resize(f.len() + nbytes, 0);
        f
    }

    pub fn write_frame(&self, addr: u32, value: &[u8]) -> Vec<u8> {
        let mut f = self.header(addr, self.write_flag);
        f.extend_from_slice(value);
        f
    }

    /// For a chip receiving a header: (address, is_read).
    pub fn parse_header(&self, header: u32) -> (u32, bool) {
        let is_read = if self.read_flag != 0 {
            header & self.read_flag == self.read_flag
        } else {
            header & self.write_flag != self.write_flag
        };
        (header & self.addr_mask, is_read)
    }

    pub fn encode(&self, value: u64, nbytes: usize) -> Vec<u8> {
        let be = value.to_be_bytes();
        let mut v = be[8 - nbytes..].to_vec();
        if self.little_endian {
            v.reverse();
        }
        v
    }

    pub fn decode(&self, bytes: &[u8]) -> u64 {
        let mut v = 0u64;
        let mut push = |b: &u8| v = (v << 8) | *b as u64;
        if self.little_endian {
            bytes.iter().rev().for_each(&mut push);
        } else {
            bytes.iter().for_each(&mut push);
        }
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    ReadWrite,
    WriteOnly,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub hi: u32,
    pub lo: u32,
    pub values: BTreeMap<u64, String>,
}

impl Field {
    pub fn mask(&self) -> u64 {
        let width = self.hi - self.lo + 1;
        let ones = if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        };
        ones << self.lo
    }
    pub fn extract(&self, reg: u64) -> u64 {
        (reg & self.mask()) >> self.lo
    }
    pub fn bits(&self) -> String {
        if self.hi == self.lo {
            self.hi.to_string()
        } else {
            format!("{}:{}", self.hi, self.lo)
        }
    }
    /// A value given by number or by its name in `values`.
    pub fn value_of(&self, text: &str) -> std::result::Result<u64, String> {
        let v = match self.values.iter().find(|(_, n)| n.as_str() == text) {
            Some((v, _)) => *v,
            None => parse_u64(text).map_err(|_| {
                let names: Vec<&str> = self.values.values().map(String::as_str).collect();
                format!(
                    "field {}: '{text}' is neither a number nor one of its values ({})",
                    self.name,
                    names.join(", ")
                )
            })?,
        };
        if v > self.mask() >> self.lo {
            return Err(format!(
                "field {} (bits {}): {v} does not fit",
                self.name,
                self.bits()
            ));
        }
        Ok(v)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Register {
    pub name: String,
    pub address: u32,
    pub bytes: usize,
    pub reset: u64,
    pub access: Access,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegMap {
    pub name: String,
    pub protocol: Protocol,
    pub max_speed_hz: Option<u32>,
    /// In address order.
    pub registers: Vec<Register>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    name: Option<String>,
    addr_bytes: Option<u8>,
    addr_mask: Option<u32>,
    read_flag: Option<u32>,
    write_flag: Option<u32>,
    endian: Option<String>,
    max_speed_hz: Option<u32>,
    #[serde(default)]
    registers: BTreeMap<String, RegFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegFile {
    address: u32,
    bytes: Option<usize>,
    reset: Option<u64>,
    access: Option<String>,
    #[allow(dead_code)] // documentation for people reading the map
    description: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, FieldFile>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Bits {
    One(u32),
    Range(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    bits: Bits,
    #[serde(default)]
    values: BTreeMap<String, String>,
    #[allow(dead_code)] // documentation for people reading the map
    description: Option<String>,
}

impl RegMap {
    pub fn load(path: &Path) -> Result<RegMap> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading register map {shown}"), e))?;
        Self::parse(&text, &shown)
    }

    pub fn parse(text: &str, source: &str) -> Result<RegMap> {
        let at = |field: Option<String>| Location {
            source: source.to_string(),
            field,
            ..Location::default()
        };
        let file: MapFile = toml::from_str(text).map_err(|e| {
            // Where in the file: the line and byte offset of the span toml points at.
            let offset = e.span().map(|s| s.start);
            let line = offset.map(|o| {
                let before = &text.as_bytes()[..o.min(text.len())];
                before.iter().filter(|&&b| b == b'\n').count() as u64 + 1
            });
            Error::data(
                Location {
                    line,
                    offset: offset.map(|o| o as u64),
                    ..at(None)
                },
                e.message().to_string(),
            )
        })?;
        let endian = file.endian.as_deref().unwrap_or("big");
        let little_endian = match endian {
            "big" => false,
            "little" => true,
            other => {
                return Err(Error::data(
                    at(Some("endian".into())),
                    format!("'{other}' is not big or little"),
                ))
            }
        };
        let protocol = Protocol::new(
            file.addr_bytes.unwrap_or(1),
            file.read_flag.unwrap_or(0x80),
            file.write_flag.unwrap_or(0),
            file.addr_mask,
            little_endian,
        );
        protocol.validate().map_err(|m| Error::data(at(None), m))?;
        let mut registers = Vec::new();
        for (name, r) in file.registers {
            let here = |f: &str| at(Some(format!("registers.{name}{f}")));
            let bytes = r.bytes.unwrap_or(1);
            if !(1..=8).contains(&bytes) {
                return Err(Error::data(here(".bytes"), "must be 1-8"));
            }
            let access = match r.access.as_deref().unwrap_or("rw") {
                "ro" => Access::ReadOnly,
                "rw" => Access::ReadWrite,
                "wo" => Access::WriteOnly,
                other => {
                    return Err(Error::data(
                        here(".access"),
                        format!("'{other}' is not ro, rw or wo"),
                    ))
                }
            };
            let reg_bits = 8 * bytes as u32;
            let reset = r.reset.unwrap_or(0);
            if reg_bits < 64 && reset >> reg_bits != 0 {
                return Err(Error::data(
                    here(".reset"),
                    format!("{reset:#x} does not fit in {bytes} byte(s)"),
                ));
            }
            let mut fields: Vec<Field> = Vec::new();
            for (fname, f) in r.fields {
                let fat = || here(&format!(".fields.{fname}"));
                let (hi, lo) = match &f.bits {
                    Bits::One(b) => (*b, *b),
                    Bits::Range(s) => parse_bits(s).map_err(|m| Error::data(fat(), m))?,
                };
                if hi >= reg_bits {
                    return Err(Error::data(
                        fat(),
                        format!("bit {hi} is outside the {reg_bits}-bit register"),
                    ));
                }
                let mut values = BTreeMap::new();
                for (k, v) in f.values {
                    let n = parse_u64(&k).map_err(|m| Error::data(fat(), m))?;
                    values.insert(n, v);
                }
                let field = Field {
                    name: fname.clone(),
                    hi,
                    lo,
                    values,
                };
                if let Some(other) = fields.iter().find(|o| o.mask() & field.mask() != 0) {
                    return Err(Error::data(
                        fat(),
                        format!("bits {} overlap field {}", field.bits(), other.name),
                    ));
                }
                fields.push(field);
            }
            fields.sort_by_key(|f| std::cmp::Reverse(f.hi));
            registers.push(Register {
                name,
                address: r.address,
                bytes,
                reset,
                access,
                fields,
            });
        }
        registers.sort_by_key(|r| r.address);
        Ok(RegMap {
            name: file.name.unwrap_or_else(|| source.to_string()),
            protocol,
            max_speed_hz: file.max_speed_hz,
            registers,
        })
    }

    /// A register by name, or by address (numeric text).
    pub fn find(&self, key: &str) -> Option<&Register> {
        if let Some(r) = self.registers.iter().find(|r| r.name == key) {
            return Some(r);
        }
        let addr = parse_u64(key).ok()?;
        self.registers.iter().find(|r| r.address as u64 == addr)
    }
}

fn parse_bits(s: &str) -> std::result::Result<(u32, u32), String> {
    let bad = || format!("bits '{s}': expected 'HI:LO' or a bit number");
    let (hi, lo) = match s.split_once(':') {
        Some((h, l)) => (h.trim(), l.trim()),
        None => (s.trim(), s.trim()),
    };
    let hi: u32 = hi.parse().map_err(|_| bad())?;
    let lo: u32 = lo.parse().map_err(|_| bad())?;
    if hi < lo {
        return Err(format!("bits '{s}': high bit first, as in 7:5"));
    }
    Ok((hi, lo))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn a_syntax_error_names_its_line_and_byte() {
        let text = "name = \"X\"\n\n[registers.A]\naddress = = 1\n";
        let err = RegMap::parse(text, "map.toml").unwrap_err().to_string();
        assert!(err.starts_with("map.toml:4 (byte "), "{err}");
    }

    pub const BME280: &str = r#"
name = "BME280"
addr_bytes = 1
read_flag = 0x80
write_flag = 0x00
addr_mask = 0x7f

[registers.id]
address = 0xD0
access = "ro"
reset = 0x60

[registers.ctrl_meas]
address = 0xF4
reset = 0x27
fields.osrs_t = { bits = "7:5", values = { 0 = "skipped", 1 = "x1", 2 = "x2", 3 = "x4", 4 = "x8", 5 = "x16" } }
fields.osrs_p = { bits = "4:2", values = { 0 = "skipped", 1 = "x1", 2 = "x2", 3 = "x4", 4 = "x8", 5 = "x16" } }
fields.mode = { bits = "1:0", values = { 0 = "sleep", 1 = "forced", 3 = "normal" } }

[registers.dig_t1]
address = 0x88
bytes = 2
access = "ro"
reset = 0x706b
"#;

    #[test]
    fn parses_the_bme280_map() {
        let m = RegMap::parse(BME280, "bme280.toml").unwrap();
        assert_eq!(m.name, "BME280");
        assert_eq!(
            m.registers
                .iter()
                .map(|r| r.name.as_str())
                .collect::<Vec<_>>(),
            ["dig_t1", "id", "ctrl_meas"]
        );
        let r = m.find("ctrl_meas").unwrap();
        assert_eq!(r.fields[0].name, "osrs_t");
        assert_eq!(r.fields[0].extract(0x27), 1);
        assert_eq!(r.fields[2].extract(0x27), 3);
        assert_eq!(r.fields[2].values[&3], "normal");
        assert_eq!(m.find("0xd0").unwrap().name, "id");
        assert_eq!(r.fields[2].value_of("forced").unwrap(), 1);
        assert!(r.fields[2].value_of("turbo").is_err());
        assert!(r.fields[2].value_of("4").is_err());
    }

    #[test]
    fn bme280_address_convention() {
        let m = RegMap::parse(BME280, "m").unwrap();
        let p = m.protocol;
        assert_eq!(p.read_frame(0xf4, 1), vec![0xf4, 0x00]);
        assert_eq!(p.write_frame(0xf4, &[0x27]), vec![0x74, 0x27]);
        assert_eq!(p.parse_header(0xf4), (0x74, true));
        assert_eq!(p.parse_header(0x74), (0x74, false));
    }

    #[test]
    fn wide_addresses_and_endianness() {
        let p = Protocol::new(2, 0x0000, 0x8000, None, true);
        p.validate().unwrap();
        assert_eq!(p.read_frame(0x0123, 2), vec![0x01, 0x23, 0, 0]);
        assert_eq!(
            p.write_frame(0x0123, &p.encode(0xbeef, 2)),
            vec![0x81, 0x23, 0xef, 0xbe]
        );
        assert_eq!(p.decode(&[0xef, 0xbe]), 0xbeef);
        assert_eq!(p.parse_header(0x0123), (0x0123, true));
        assert!(Protocol::new(1, 0x80, 0x80, None, false)
            .validate()
            .is_err());
        assert!(Protocol::new(1, 0x100, 0, None, false).validate().is_err());
    }

    #[test]
    fn map_errors_name_the_place() {
        let bad = "[registers.x]\naddress = 1\nfields.a = { bits = \"3:0\" }\nfields.b = { bits = \"4:3\" }\n";
        let e = RegMap::parse(bad, "m.toml").unwrap_err().to_string();
        assert!(
            e.contains("registers.x.fields.b") && e.contains("overlap"),
            "{e}"
        );
        let e = RegMap::parse(
            "[registers.x]\naddress = 1\nfields.a = { bits = \"9:8\" }",
            "m",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("outside the 8-bit"), "{e}");
        let e = RegMap::parse("bogus = 1", "m").unwrap_err().to_string();
        assert!(e.contains("bogus"), "{e}");
    }
}
