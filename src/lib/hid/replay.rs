//! `hidctl replay`: plays a recording (`hidctl record`) back through /dev/uhid. A device
//! with the recorded descriptor, VID and PID appears, and sends the recorded input
//! reports with their original spacing (scaled by --speed).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampNanosecondType};
use clap::Args;

use super::emulate::{stop_on_signals, stopped};
use super::uhid::{CreateParams, Event, Uhid, BUS_USB};
use crate::cli::Outcome;
use crate::error::{Error, Location, Result};
use crate::record::text::from_hex;
use crate::record::{ReadOptions, RecordReader, Source};

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The recording ('-' or none: stdin), NDJSON or Arrow
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Play faster (2 = twice as fast); 0 sends everything at once
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Wait this long after creating the device before the first report, so readers
    /// can open its hidraw node (uhid's open event cannot tell a reader from the
    /// kernel's own input handler, which opens a keyboard at once)
    #[arg(long, default_value = "500ms", value_name = "DURATION", value_parser = crate::cli::args::parse_duration)]
    pub wait: Duration,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Descriptor {
        bytes: Vec<u8>,
        name: String,
        vid: u16,
        pid: u16,
    },
    Input {
        ts: i64,
        report_id: u8,
        payload: Vec<u8>,
    },
}

fn col_utf8(
    b: &arrow::record_batch::RecordBatch,
    name: &str,
) -> Result<Option<Vec<Option<String>>>> {
    let Some(c) = b.column_by_name(name) else {
        return Ok(None);
    };
    let c = cast(c, &DataType::Utf8).map_err(|e| Error::arrow(format!("column '{name}'"), e))?;
    let a = c.as_string::<i32>();
    Ok(Some(
        (0..a.len())
            .map(|i| (!a.is_null(i)).then(|| a.value(i).to_string()))
            .collect(),
    ))
}

/// Reads a recording.
pub fn load(file: Option<&PathBuf>) -> Result<Vec<Recorded>> {
    let files: Vec<PathBuf> = file.cloned().into_iter().collect();
    let source_name = file.map_or("<stdin>".to_string(), |f| f.display().to_string());
    let reader = RecordReader::open(Source::from_args(&files)?, ReadOptions::default())?;
    let mut out = Vec::new();
    let bad = |row: usize, msg: String| {
        Error::data(
            Location {
                source: source_name.clone(),
                line: Some(row as u64 + 1),
                ..Default::default()
            },
            msg,
        )
    };
    let mut row = 0usize;
    for batch in reader {
        let b = batch?;
        let kinds = col_utf8(&b, "type")?
            .ok_or_else(|| bad(row, "no 'type' column: not a hidctl recording".into()))?;
        let hexes = col_utf8(&b, "hex")?.ok_or_else(|| bad(row, "no 'hex' column".into()))?;
        let names = col_utf8(&b, "name")?;
        let vids = col_utf8(&b, "vid")?;
        let pids = col_utf8(&b, "pid")?;
        let ts = match b.column_by_name("ts") {
            Some(c) => Some(
                cast(
                    c,
                    &DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
                )
                .map_err(|e| Error::arrow("column 'ts'", e))?,
            ),
            None => None,
        };
        let ids = match b.column_by_name("report_id") {
            Some(c) => {
                Some(cast(c, &DataType::Int64).map_err(|e| Error::arrow("column 'report_id'", e))?)
            }
            None => None,
        };
        for i in 0..b.num_rows() {
            let hex = hexes[i].clone().unwrap_or_default();
            let bytes = from_hex(&hex).map_err(|e| bad(row, format!("hex: {e}")))?;
            match kinds[i].as_deref() {
                Some("descriptor") => {
                    let id16 = |v: &Option<Vec<Option<String>>>| {
                        v.as_ref()
                            .and_then(|v| v[i].as_deref())
                            .and_then(|s| u16::from_str_radix(s, 16).ok())
                            .unwrap_or(0)
                    };
                    out.push(Recorded::Descriptor {
                        bytes,
                        name: names
                            .as_ref()
                            .and_then(|n| n[i].clone())
                            .unwrap_or_else(|| "hidctl replay".into()),
                        vid: id16(&vids),
                        pid: id16(&pids),
                    });
                }
                Some("input") => {
                    let t = ts
                        .as_ref()
                        .map(|c| c.as_primitive::<TimestampNanosecondType>())
                        .filter(|a| !a.is_null(i))
                        .map(|a| a.value(i))
                        .ok_or_else(|| bad(row, "an input record without ts".into()))?;
                    let id = ids
                        .as_ref()
                        .map(|c| c.as_primitive::<Int64Type>())
                        .filter(|a| !a.is_null(i))
                        .map(|a| a.value(i))
                        .unwrap_or(0);
                    let report_id = u8::try_from(id)
                        .map_err(|_| bad(row, format!("report_id {id} is outside 0-255")))?;
                    out.push(Recorded::Input {
                        ts: t,
                        report_id,
                        payload: bytes,
                    });
                }
                other => {
                    return Err(bad(
                        row,
                        format!(
                        "record type {other:?}; a recording has 'descriptor' and 'input' records"
                    ),
                    ))
                }
            }
            row += 1;
        }
    }
    match out.first() {
        Some(Recorded::Descriptor { .. }) => Ok(out),
        _ => Err(bad(
            0,
            "a recording starts with its 'descriptor' record".into(),
        )),
    }
}

pub fn run(a: &ReplayArgs) -> Result<Outcome> {
    if !(a.speed >= 0.0 && a.speed.is_finite()) {
        return Err(Error::Usage(format!(
            "--speed {}: must be 0 or more",
            a.speed
        )));
    }
    let events = load(a.file.as_ref())?;
    let Some(Recorded::Descriptor {
        bytes,
        name,
        vid,
        pid,
    }) = events.first()
    else {
        return Err(Error::data(
            Location::of("the recording"),
            "it holds no device (no descriptor event)",
        ));
    };
    stop_on_signals();
    let uhid = Uhid::create(&CreateParams {
        name: name.clone(),
        phys: "pipekit-hidctl-replay".into(),
        uniq: String::new(),
        bus: BUS_USB,
        vendor: (*vid).into(),
        product: (*pid).into(),
        version: 1,
        descriptor: bytes.clone(),
    })?;
    let numbered = super::descriptor::decode(bytes).numbered();
    // Serves the kernel's events until `until`, or until `stop_at` arrives.
    let drain_until = |until: Instant, stop_at: Option<&Event>| -> Result<()> {
        while !stopped() {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            let ev = uhid.next_event(Some(left.min(Duration::from_millis(100))))?;
            if ev.is_some() && ev.as_ref() == stop_at {
                break;
            }
        }
        Ok(())
    };
    drain_until(Instant::now() + a.wait, None)?;
    let start = Instant::now();
    let mut first_ts = None;
    let mut sent = 0u64;
    for e in &events[1..] {
        if stopped() {
            break;
        }
        let Recorded::Input {
            ts,
            report_id,
            payload,
        } = e
        else {
            continue;
        };
        let t0 = *first_ts.get_or_insert(*ts);
        if a.speed > 0.0 {
            let offset = Duration::from_nanos(ts.saturating_sub(t0).max(0) as u64).div_f64(a.speed);
            drain_until(start + offset, None)?;
        }
        let mut data = Vec::with_capacity(payload.len() + 1);
        if numbered {
            data.push(*report_id);
        }
        data.extend_from_slice(payload);
        uhid.input(&data)?;
        sent += 1;
    }
    // Give the reader time to take the last report (until it closes the device, at
    // most a second) before the device goes away.
    drain_until(Instant::now() + Duration::from_secs(1), Some(&Event::Close))?;
    eprintln!("hidctl: replayed {sent} input reports as {vid:04x}:{pid:04x}");
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_recording() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rec.ndjson");
        std::fs::write(
            &p,
            "{\"type\":\"descriptor\",\"ts\":\"2026-01-01T00:00:00.000000000Z\",\"report_id\":null,\"hex\":\"05010906a101c0\",\"name\":\"kbd\",\"vid\":\"0627\",\"pid\":\"0001\"}\n\
             {\"type\":\"input\",\"ts\":\"2026-01-01T00:00:00.500000000Z\",\"report_id\":0,\"hex\":\"0000040000000000\",\"name\":null,\"vid\":null,\"pid\":null}\n",
        )
        .unwrap();
        let r = load(Some(&p)).unwrap();
        assert_eq!(r.len(), 2);
        assert!(matches!(
            &r[0],
            Recorded::Descriptor {
                vid: 0x627,
                pid: 1,
                ..
            }
        ));
        match &r[1] {
            Recorded::Input {
                payload, report_id, ..
            } => {
                assert_eq!(payload[2], 4);
                assert_eq!(*report_id, 0);
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(
            &p,
            "{\"type\":\"input\",\"ts\":\"2026-01-01T00:00:00Z\",\"hex\":\"00\"}\n",
        )
        .unwrap();
        assert!(load(Some(&p))
            .unwrap_err()
            .to_string()
            .contains("starts with"));
    }
}
