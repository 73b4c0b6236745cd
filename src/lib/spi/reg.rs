//! `spictl reg read|write`: register access with the usual SPI conventions (address
//! width, read/write flag bits, auto-increment for multi-byte registers), decoded into
//! named bit fields when a TOML register map is given. Output is one record for the
//! register and one per field, in one schema, so tables and `etl` handle both.

use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, StringArray, UInt32Array, UInt64Array};
use arrow::datatypes::{DataType, Field as ArrowField};
use clap::{Args, Subcommand};

use super::bus::SpiBus;
use super::num::{number_arg, parse_u64};
use super::regmap::{Access, Protocol, RegMap, Register};
use super::BusArgs;
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, write_all, Records};
use crate::record::text::now_ns;

#[derive(Debug, Subcommand)]
pub enum RegCommand {
    /// Read registers by address or by name from a map, decoding bit fields
    ///
    /// Without REG and with a map, every readable register of the map is read.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 reg read 0xd0                    one byte, BME280 conventions
  spictl --device /dev/spidev0.0 reg read --map bme280.toml ctrl_meas id
  spictl --device sim:regmap=bme280.toml reg read -o table        every register of the map
  spictl --device /dev/spidev1.0 reg read --addr-bytes 2 --read-flag 0 --write-flag 0x8000 0x0123")]
    Read {
        /// Register names (with --map) or addresses (0xd0, 208)
        #[arg(value_name = "REG")]
        regs: Vec<String>,
        #[command(flatten)]
        proto: ProtoArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write a register: a whole value, or named fields (read-modify-write) with a map
    ///
    /// The register is read back afterwards (unless the map says it is write-only) and a
    /// difference is reported on stderr.
    #[command(after_help = "\
Examples:
  spictl --device /dev/spidev0.0 reg write 0xf4 0x27
  spictl --device /dev/spidev0.0 reg write --map bme280.toml ctrl_meas osrs_t=x2,mode=normal
  spictl --device sim:regmap=bme280.toml reg write ctrl_meas mode=forced -o table")]
    Write {
        /// Register name (with --map) or address
        #[arg(value_name = "REG")]
        reg: String,
        /// A number, or FIELD=VALUE[,FIELD=VALUE...] with a map (values by number or name)
        #[arg(value_name = "VALUE")]
        value: String,
        #[command(flatten)]
        proto: ProtoArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

/// Addressing conventions; a map sets them, these flags override.
#[derive(Debug, Args)]
pub struct ProtoArgs {
    /// TOML register map (defaults to the map of a sim:regmap device)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Register width in bytes for registers not in a map
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=8))]
    pub bytes: u8,
    /// Address header width in bytes [default: 1]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=4))]
    pub addr_bytes: Option<u8>,
    /// Bits set in the address header for reads [default: 0x80]
    #[arg(long, value_name = "MASK", value_parser = number_arg)]
    pub read_flag: Option<u64>,
    /// Bits set in the address header for writes [default: 0]
    #[arg(long, value_name = "MASK", value_parser = number_arg)]
    pub write_flag: Option<u64>,
    /// Address bits kept [default: every bit but the flags]
    #[arg(long, value_name = "MASK", value_parser = number_arg)]
    pub addr_mask: Option<u64>,
    /// Multi-byte registers are little-endian
    #[arg(long)]
    pub little_endian: bool,
}

fn to_u32(what: &str, v: Option<u64>) -> Result<Option<u32>> {
    v.map(|v| {
        u32::try_from(v).map_err(|_| Error::Usage(format!("--{what} {v:#x} is wider than 32 bits")))
    })
    .transpose()
}

impl ProtoArgs {
    fn resolve(&self, device: Option<&str>) -> Result<(Option<RegMap>, Protocol)> {
        let map_path = self.map.clone().or_else(|| {
            device
                .and_then(|d| d.strip_prefix("sim:regmap="))
                .map(PathBuf::from)
        });
        let map = map_path.as_deref().map(RegMap::load).transpose()?;
        let base = map.as_ref().map(|m| m.protocol).unwrap_or_default();
        let read_flag = to_u32("read-flag", self.read_flag)?.unwrap_or(base.read_flag);
        let write_flag = to_u32("write-flag", self.write_flag)?.unwrap_or(base.write_flag);
        let addr_bytes = self.addr_bytes.unwrap_or(base.addr_bytes);
        let flags_changed =
            self.read_flag.is_some() || self.write_flag.is_some() || self.addr_bytes.is_some();
        let addr_mask = match to_u32("addr-mask", self.addr_mask)? {
            Some(m) => Some(m),
            None if flags_changed => None,
            None => Some(base.addr_mask),
        };
        let p = Protocol::new(
            addr_bytes,
            read_flag,
            write_flag,
            addr_mask,
            self.little_endian || base.little_endian,
        );
        p.validate().map_err(Error::Usage)?;
        Ok((map, p))
    }
}

/// The register a REG argument names: from the map, or an unnamed one at an address.
fn lookup(map: Option<&RegMap>, key: &str, bytes: u8) -> Result<Register> {
    if let Some(r) = map.and_then(|m| m.find(key)) {
        return Ok(r.clone());
    }
    match parse_u64(key) {
        Ok(addr) => Ok(Register {
            name: String::new(),
            address: u32::try_from(addr)
                .map_err(|_| Error::Usage(format!("register address {addr:#x} is too large")))?,
            bytes: bytes as usize,
            reset: 0,
            access: Access::ReadWrite,
            fields: Vec::new(),
        }),
        Err(_) => Err(Error::Usage(match map {
            Some(m) => format!(
                "no register '{key}' in map {} (registers: {})",
                m.name,
                m.registers
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => format!("'{key}' is not an address; register names need --map FILE"),
        })),
    }
}

/// How messages name a register: "register ctrl_meas (0xf4)" from a map, "register
/// 0x12" for a bare address (which has no name to show).
fn describe(r: &Register) -> String {
    if r.name.is_empty() {
        format!("register {:#x}", r.address)
    } else {
        format!("register {} ({:#x})", r.name, r.address)
    }
}

fn read_reg(bus: &mut dyn SpiBus, p: &Protocol, r: &Register) -> Result<(u64, Vec<u8>)> {
    let rx = bus.xfer(&p.read_frame(r.address, r.bytes))?;
    let raw = rx[rx.len() - r.bytes..].to_vec();
    Ok((p.decode(&raw), raw))
}

struct Row {
    reg: Option<String>,
    addr: u32,
    field: Option<String>,
    bits: String,
    value: u64,
    raw: Option<Vec<u8>>,
    meaning: Option<String>,
}

fn rows_for(r: &Register, value: u64, raw: Vec<u8>) -> Vec<Row> {
    let name = (!r.name.is_empty()).then(|| r.name.clone());
    let mut rows = vec![Row {
        reg: name.clone(),
        addr: r.address,
        field: None,
        bits: format!("{}:0", r.bytes * 8 - 1),
        value,
        raw: Some(raw),
        meaning: None,
    }];
    for f in &r.fields {
        let v = f.extract(value);
        rows.push(Row {
            reg: name.clone(),
            addr: r.address,
            field: Some(f.name.clone()),
            bits: f.bits(),
            value: v,
            raw: None,
            meaning: f.values.get(&v).cloned(),
        });
    }
    rows
}

fn emit(output: &OutputArgs, device: &str, rows: Vec<Row>) -> Result<()> {
    let s = schema(vec![
        ts_field(),
        ArrowField::new("device", DataType::Utf8, false),
        ArrowField::new("reg", DataType::Utf8, true),
        ArrowField::new("addr", DataType::UInt32, false),
        ArrowField::new("field", DataType::Utf8, true),
        ArrowField::new("bits", DataType::Utf8, false),
        ArrowField::new("value", DataType::UInt64, false),
        ArrowField::new("raw", DataType::Binary, true),
        ArrowField::new("meaning", DataType::Utf8, true),
    ]);
    let n = rows.len();
    let cols: Vec<ArrayRef> = vec![
        ts_array(vec![now_ns(); n]),
        Arc::new(StringArray::from(vec![device; n])),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.reg.as_deref()),
        )),
        Arc::new(UInt32Array::from_iter_values(rows.iter().map(|r| r.addr))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.field.as_deref()),
        )),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.bits.as_str()),
        )),
        Arc::new(UInt64Array::from_iter_values(rows.iter().map(|r| r.value))),
        Arc::new(BinaryArray::from_iter(
            rows.iter().map(|r| r.raw.as_deref()),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.meaning.as_deref()),
        )),
    ];
    write_all(output, &batch(&s, cols)?)
}

/// The new register value for a write argument: a number, or field assignments
/// applied to `current`.
fn new_value(r: &Register, text: &str, current: impl FnOnce() -> Result<u64>) -> Result<u64> {
    let bits = r.bytes as u32 * 8;
    let fits = |v: u64| bits >= 64 || v >> bits == 0;
    if let Ok(v) = parse_u64(text) {
        if !fits(v) {
            return Err(Error::Usage(format!(
                "{text} does not fit the {}-byte register",
                r.bytes
            )));
        }
        return Ok(v);
    }
    if r.fields.is_empty() {
        return Err(Error::Usage(format!(
            "'{text}' is not a number, and the register has no fields in a map to assign"
        )));
    }
    if r.access == Access::WriteOnly {
        return Err(Error::Usage(format!(
            "{} is write-only, so its fields cannot be read and modified: give the whole value",
            describe(r)
        )));
    }
    let mut v = current()?;
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        let (fname, fval) = part
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("'{part}' is not FIELD=VALUE")))?;
        let f = r
            .fields
            .iter()
            .find(|f| f.name == fname.trim())
            .ok_or_else(|| {
                Error::Usage(format!(
                    "{} has no field '{}' (fields: {})",
                    describe(r),
                    fname.trim(),
                    r.fields
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        let fv = f.value_of(fval.trim()).map_err(Error::Usage)?;
        v = (v & !f.mask()) | (fv << f.lo);
    }
    Ok(v)
}

pub fn run(bus_args: &BusArgs, cmd: &RegCommand) -> Result<Outcome> {
    match cmd {
        RegCommand::Read {
            regs,
            proto,
            output,
        } => {
            let (map, p) = proto.resolve(bus_args.device.as_deref())?;
            let targets: Vec<Register> = if regs.is_empty() {
                let Some(m) = &map else {
                    return Err(Error::Usage(
                        "reg read: name at least one register, or give --map to read them all"
                            .into(),
                    ));
                };
                m.registers
                    .iter()
                    .filter(|r| r.access != Access::WriteOnly)
                    .cloned()
                    .collect()
            } else {
                regs.iter()
                    .map(|k| lookup(map.as_ref(), k, proto.bytes))
                    .collect::<Result<_>>()?
            };
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let mut rows = Vec::new();
            for r in &targets {
                let (v, raw) = read_reg(bus.as_mut(), &p, r)?;
                rows.extend(rows_for(r, v, raw));
            }
            emit(output, &bus.info().device, rows)?;
        }
        RegCommand::Write {
            reg,
            value,
            proto,
            output,
        } => {
            let (map, p) = proto.resolve(bus_args.device.as_deref())?;
            let r = lookup(map.as_ref(), reg, proto.bytes)?;
            if r.access == Access::ReadOnly {
                return Err(Error::Usage(format!("{} is read-only", describe(&r))));
            }
            Records::check(output)?;
            let mut bus = bus_args.open()?;
            let v = new_value(&r, value, || Ok(read_reg(bus.as_mut(), &p, &r)?.0))?;
            bus.xfer(&p.write_frame(r.address, &p.encode(v, r.bytes)))?;
            let (shown, raw) = if r.access == Access::WriteOnly {
                (v, p.encode(v, r.bytes))
            } else {
                let (back, raw) = read_reg(bus.as_mut(), &p, &r)?;
                if back != v {
                    crate::cli::warn(&format!(
                        "{}: wrote {v:#x} but reads back {back:#x}",
                        describe(&r)
                    ));
                }
                (back, raw)
            };
            emit(output, &bus.info().device, rows_for(&r, shown, raw))?;
        }
    }
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spi::regmap::tests::BME280;

    #[test]
    fn field_assignment_is_read_modify_write() {
        let m = RegMap::parse(BME280, "m").unwrap();
        let r = m.find("ctrl_meas").unwrap();
        // 0x27 = osrs_t 1, osrs_p 1, mode 3; set osrs_t=x16 (5) and mode=forced (1).
        assert_eq!(
            new_value(r, "osrs_t=x16,mode=forced", || Ok(0x27)).unwrap(),
            0xa5
        );
        assert_eq!(new_value(r, "0x10", || unreachable!()).unwrap(), 0x10);
        assert!(new_value(r, "0x100", || Ok(0)).is_err());
        assert!(new_value(r, "speed=1", || Ok(0))
            .unwrap_err()
            .to_string()
            .contains("no field 'speed'"));
    }

    #[test]
    fn registers_are_named_by_name_and_address_or_address_alone() {
        let m = RegMap::parse(BME280, "m").unwrap();
        assert_eq!(
            describe(m.find("ctrl_meas").unwrap()),
            "register ctrl_meas (0xf4)"
        );
        assert_eq!(describe(&lookup(None, "0x12", 1).unwrap()), "register 0x12");
    }

    #[test]
    fn unknown_names_list_the_map() {
        let m = RegMap::parse(BME280, "m").unwrap();
        let e = lookup(Some(&m), "ctrl", 1).unwrap_err().to_string();
        assert!(e.contains("ctrl_meas"), "{e}");
        assert!(lookup(None, "ctrl", 1)
            .unwrap_err()
            .to_string()
            .contains("--map"));
        assert_eq!(lookup(None, "0x42", 2).unwrap().bytes, 2);
    }

    #[test]
    fn rows_decode_fields() {
        let m = RegMap::parse(BME280, "m").unwrap();
        let rows = rows_for(m.find("ctrl_meas").unwrap(), 0x27, vec![0x27]);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[3].field.as_deref(), Some("mode"));
        assert_eq!(rows[3].meaning.as_deref(), Some("normal"));
        assert_eq!(rows[1].bits, "7:5");
    }
}
