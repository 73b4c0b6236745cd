//! `spictl info` and `spictl config`: one record describing the device and its
//! settings, so scripts can check a bus before using it.

use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, StringArray, UInt32Array, UInt64Array, UInt8Array};
use arrow::datatypes::{DataType, Field};

use super::bus::SpiBus;
use super::spidev::{read_bufsiz, BUFSIZ_PATH};
use super::BusArgs;
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows::{batch, schema, ts_array, ts_field, write_all, Records};
use crate::record::text::now_ns;

pub fn info(args: &BusArgs, output: &OutputArgs) -> Result<Outcome> {
    Records::check(output)?;
    let bus = args.open()?;
    emit(bus.as_ref(), output)
}

pub fn config(args: &BusArgs, output: &OutputArgs) -> Result<Outcome> {
    if args.change().is_empty() {
        return Err(Error::Usage(
            "nothing to configure: give --mode, --speed, --bits, --lsb-first, --cs-high or --3wire ('spictl info' shows the settings)".into(),
        ));
    }
    Records::check(output)?;
    let bus = args.open()?;
    emit(bus.as_ref(), output)
}

fn emit(bus: &dyn SpiBus, output: &OutputArgs) -> Result<Outcome> {
    let info = bus.info();
    let cfg = bus.config()?;
    // bufsiz belongs to the spidev driver; simulations have no such limit.
    let (bufsiz, bufsiz_source) = if info.kind == "spidev" {
        let (n, from_kernel) = read_bufsiz(std::path::Path::new(BUFSIZ_PATH));
        (
            Some(n as u64),
            Some(if from_kernel {
                BUFSIZ_PATH.to_string()
            } else {
                format!("default ({BUFSIZ_PATH} unreadable)")
            }),
        )
    } else {
        (None, None)
    };
    let s = schema(vec![
        ts_field(),
        Field::new("device", DataType::Utf8, false),
        Field::new("kind", DataType::Utf8, false),
        Field::new("chip", DataType::Utf8, true),
        Field::new("mode", DataType::UInt8, false),
        Field::new("bits", DataType::UInt8, false),
        Field::new("speed_hz", DataType::UInt32, false),
        Field::new("lsb_first", DataType::Boolean, false),
        Field::new("cs_high", DataType::Boolean, false),
        Field::new("three_wire", DataType::Boolean, false),
        Field::new("bufsiz", DataType::UInt64, true),
        Field::new("bufsiz_source", DataType::Utf8, true),
        Field::new("state", DataType::Utf8, true),
    ]);
    let cols: Vec<ArrayRef> = vec![
        ts_array(vec![now_ns()]),
        Arc::new(StringArray::from(vec![info.device])),
        Arc::new(StringArray::from(vec![info.kind])),
        Arc::new(StringArray::from(vec![info.chip])),
        Arc::new(UInt8Array::from(vec![cfg.mode])),
        Arc::new(UInt8Array::from(vec![cfg.bits])),
        Arc::new(UInt32Array::from(vec![cfg.speed_hz])),
        Arc::new(BooleanArray::from(vec![cfg.lsb_first])),
        Arc::new(BooleanArray::from(vec![cfg.cs_high])),
        Arc::new(BooleanArray::from(vec![cfg.three_wire])),
        Arc::new(UInt64Array::from(vec![bufsiz])),
        Arc::new(StringArray::from(vec![bufsiz_source])),
        Arc::new(StringArray::from(vec![info.state])),
    ];
    write_all(output, &batch(&s, cols)?)?;
    Ok(Outcome::Complete)
}
