//! `spictl xfer` (segments given as hex, results as records) and `spictl pipe` (raw
//! bytes through the bus), the two ways to talk to a chip the tool knows nothing about.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{ArrayRef, BinaryArray, BooleanArray, StringArray, UInt16Array, UInt32Array};
use arrow::datatypes::{DataType, Field};
use clap::Args;

use super::bus::Segment;
use super::BusArgs;
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, write_all, Records};
use crate::record::text::{from_hex, now_ns};

#[derive(Debug, Args)]
pub struct XferArgs {
    /// Segments as hex ('9f000000', 'de ad', '0x0102'), each optionally followed by
    /// @cs, @delay=US, @speed=HZ
    #[arg(
        value_name = "HEX",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub segments: Vec<String>,

    /// Send the bytes of this file as one segment ('-': stdin)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct PipeArgs {
    /// Bytes per message [default: spidev's bufsiz, 4096 for simulations]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=(1 << 24)))]
    pub block_size: Option<u64>,
}

/// Parses `HEX[@cs][@delay=US][@speed=HZ]`.
pub fn parse_segment(index: usize, text: &str) -> Result<Segment> {
    let bad = |msg: String| Error::Usage(format!("xfer: segment {index} '{text}': {msg}"));
    let mut parts = text.split('@');
    let hex = parts.next().unwrap_or("");
    let mut seg = Segment::new(from_hex(hex).map_err(bad)?);
    let mut has_suffix = false;
    for opt in parts {
        has_suffix = true;
        if opt == "cs" {
            seg.cs_change = true;
        } else if let Some(us) = opt.strip_prefix("delay=") {
            seg.delay_us = us
                .parse()
                .map_err(|_| bad(format!("delay '{us}' is not 0-65535 microseconds")))?;
        } else if let Some(hz) = opt.strip_prefix("speed=") {
            seg.speed_hz = Some(super::hz_arg(hz).map_err(bad)?);
        } else {
            return Err(bad(format!(
                "unknown suffix '@{opt}' (@cs, @delay=US, @speed=HZ)"
            )));
        }
    }
    if seg.tx.is_empty() && !has_suffix {
        return Err(bad("no bytes".into()));
    }
    Ok(seg)
}

fn read_input(path: &std::path::Path) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    if super::is_stdio(path) {
        std::io::stdin()
            .read_to_end(&mut data)
            .map_err(|e| Error::io("reading stdin", e))?;
    } else {
        data =
            std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    }
    Ok(data)
}

pub fn xfer(bus_args: &BusArgs, args: &XferArgs) -> Result<Outcome> {
    let mut segments = match &args.file {
        Some(path) => {
            let data = read_input(path)?;
            if data.is_empty() {
                return Err(Error::data(
                    Location::of(path.display().to_string()),
                    "xfer --file: the file is empty",
                ));
            }
            vec![Segment::new(data)]
        }
        None => args
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| parse_segment(i, s))
            .collect::<Result<Vec<_>>>()?,
    };
    Records::check(&args.output)?;
    let mut bus = bus_args.open()?;
    let ts = now_ns();
    bus.transfer(&mut segments)?;
    let device = bus.info().device;
    let s = schema(vec![
        ts_field(),
        Field::new("device", DataType::Utf8, false),
        Field::new("segment", DataType::UInt32, false),
        Field::new("len", DataType::UInt32, false),
        Field::new("tx", DataType::Binary, false),
        Field::new("rx", DataType::Binary, false),
        Field::new("cs_change", DataType::Boolean, false),
        Field::new("delay_us", DataType::UInt16, false),
        Field::new("speed_hz", DataType::UInt32, true),
    ]);
    let n = segments.len();
    let cols: Vec<ArrayRef> = vec![
        ts_array(vec![ts; n]),
        Arc::new(StringArray::from(vec![device; n])),
        Arc::new(UInt32Array::from_iter_values(0..n as u32)),
        Arc::new(UInt32Array::from_iter_values(
            segments.iter().map(|s| s.tx.len() as u32),
        )),
        Arc::new(BinaryArray::from_iter_values(
            segments.iter().map(|s| &s.tx),
        )),
        Arc::new(BinaryArray::from_iter_values(
            segments.iter().map(|s| &s.rx),
        )),
        Arc::new(BooleanArray::from_iter(
            segments.iter().map(|s| Some(s.cs_change)),
        )),
        Arc::new(UInt16Array::from_iter_values(
            segments.iter().map(|s| s.delay_us),
        )),
        Arc::new(UInt32Array::from_iter(segments.iter().map(|s| s.speed_hz))),
    ];
    write_all(&args.output, &batch(&s, cols)?)?;
    Ok(Outcome::Complete)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

pub fn pipe(bus_args: &BusArgs, args: &PipeArgs) -> Result<Outcome> {
    let mut bus = bus_args.open()?;
    let block = match args.block_size {
        Some(n) => n as usize,
        None => bus.info().max_transfer.min(4096),
    };
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut buf = vec![0u8; block];
    loop {
        let n = fill(&mut input, &mut buf).map_err(|e| Error::io("reading stdin", e))?;
        if n == 0 {
            break;
        }
        let rx = bus.xfer(&buf[..n])?;
        out.write_all(&rx)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("writing stdout", e))?;
        if n < block {
            break;
        }
    }
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_syntax() {
        let s = parse_segment(0, "de ad@cs@delay=10@speed=2M").unwrap();
        assert_eq!(s.tx, vec![0xde, 0xad]);
        assert!(s.cs_change);
        assert_eq!(s.delay_us, 10);
        assert_eq!(s.speed_hz, Some(2_000_000));
        assert_eq!(parse_segment(0, "@delay=5").unwrap().tx, Vec::<u8>::new());
        for bad in ["abc", "zz", "", "01@bogus", "01@delay=70000"] {
            let e = parse_segment(3, bad).unwrap_err();
            assert!(matches!(e, Error::Usage(_)), "{bad}");
            assert!(e.to_string().starts_with("xfer: segment 3"), "{e}");
        }
    }
}
