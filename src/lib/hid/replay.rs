//! `hidctl replay`: plays a recording back through /dev/uhid: hidctl's own (`hidctl
//! record`, NDJSON or Arrow) or hid-recorder's text (hid-tools), told apart by content.
//! A device with each recorded descriptor, bus, VID and PID appears, and the recorded
//! input reports are sent with their original spacing (scaled by --speed) and, with
//! several devices, their original interleaving.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, TimeUnit, TimestampNanosecondType};
use clap::Args;

use super::cmd::{split_report, DecodedReports, When};
use super::descriptor::{self, Descriptor, Direction};
use super::emulate::{stop_on_signals, stopped};
use super::recorder::{self, Device, Event as Report, BUS_USB};
use super::uhid::{CreateParams, Event, Uhid};
use crate::cli::Outcome;
use crate::error::{Error, Location, Result};
use crate::record::text::from_hex;
use crate::record::{ReadOptions, RecordReader, Source};

#[derive(Debug, Clone, Args)]
pub struct ReplayArgs {
    /// The recording ('-' or none: stdin): hidctl's records (NDJSON, Arrow) or a
    /// hid-recorder file
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Play faster (2 = twice as fast); 0 sends everything at once
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    pub speed: f64,
    /// Send the reports one after another without the recorded spacing (--speed 0)
    #[arg(long, conflicts_with = "speed")]
    pub no_wait: bool,
    /// Create no device: print the recording's input reports decoded with their
    /// device's descriptor, as records like read's with the device number and the time
    /// in the recording (seconds after its first report)
    #[arg(long)]
    pub dry_run: bool,
    /// Wait this long after creating the devices before the first report, so readers
    /// can open their hidraw nodes (uhid's open event cannot tell a reader from the
    /// kernel's own input handler, which opens a keyboard at once)
    #[arg(long, default_value = "500ms", value_name = "DURATION", value_parser = crate::cli::args::parse_duration)]
    pub wait: Duration,
    /// Where --dry-run's records go
    #[command(flatten)]
    pub output: crate::cli::OutputArgs,
}

/// A recording: its devices, and their input reports in the order they came.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub devices: Vec<Device>,
    pub reports: Vec<Report>,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    Descriptor {
        device: usize,
        bytes: Vec<u8>,
        name: String,
        phys: String,
        bus: u16,
        vid: u16,
        pid: u16,
    },
    Input {
        device: usize,
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

/// Reads a recording, hidctl's or hid-recorder's (sniffed from its first bytes).
pub fn load(file: Option<&PathBuf>) -> Result<Recording> {
    let source_name = file.map_or("<stdin>".to_string(), |f| f.display().to_string());
    let stdin = file.is_none_or(|f| f.as_os_str() == "-");
    let read_err = |e| Error::io(format!("reading {source_name}"), e);
    let mut head = Vec::new();
    let mut input: Box<dyn Read> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(file.unwrap()).map_err(read_err)?)
    };
    input
        .by_ref()
        .take(4096)
        .read_to_end(&mut head)
        .map_err(read_err)?;
    if recorder::sniff(&head) {
        input.read_to_end(&mut head).map_err(read_err)?;
        let text = String::from_utf8(head).map_err(|e| {
            Error::data(
                Location {
                    source: source_name.clone(),
                    offset: Some(e.utf8_error().valid_up_to() as u64),
                    ..Default::default()
                },
                "a hid-recorder file is text, and this is not UTF-8",
            )
        })?;
        let (devices, reports) = recorder::parse(&text, &source_name)?;
        return Ok(Recording { devices, reports });
    }
    // hidctl's records: the record layer reads them from the file; stdin, whose first
    // bytes are taken, is read whole and handed over through a private file.
    let spool;
    let path = if stdin {
        input.read_to_end(&mut head).map_err(read_err)?;
        spool = Spool::new(&head)?;
        spool.path.clone()
    } else {
        file.unwrap().clone()
    };
    recording_of(load_records(&path, &source_name)?, &source_name)
}

/// A private copy of stdin in the temporary directory, removed when dropped.
struct Spool {
    path: PathBuf,
}

impl Spool {
    fn new(bytes: &[u8]) -> Result<Spool> {
        let path = std::env::temp_dir().join(format!("hidctl-replay-{}.rec", std::process::id()));
        let what = |e| Error::io(format!("writing {}", path.display()), e);
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(what)?;
        std::io::Write::write_all(&mut f, bytes).map_err(what)?;
        Ok(Spool { path })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// hidctl's recording records as devices and reports: a report's bytes get its report
/// id in front when its device numbers reports, and its time is taken from the first
/// report's.
fn recording_of(records: Vec<Recorded>, source: &str) -> Result<Recording> {
    let mut devices: Vec<Device> = Vec::new();
    let mut numbered = Vec::new();
    let mut reports = Vec::new();
    let mut first_ts = None;
    for r in records {
        match r {
            Recorded::Descriptor {
                device,
                bytes,
                name,
                phys,
                bus,
                vid,
                pid,
            } => {
                if devices.len() <= device {
                    devices.resize(device + 1, Device::default());
                    numbered.resize(device + 1, false);
                }
                numbered[device] = descriptor::decode(&bytes).numbered();
                devices[device] = Device {
                    name,
                    phys,
                    bus,
                    vid,
                    pid,
                    descriptor: bytes,
                };
            }
            Recorded::Input {
                device,
                ts,
                report_id,
                payload,
            } => {
                if devices.get(device).is_none_or(|d| d.descriptor.is_empty()) {
                    return Err(Error::data(
                        Location::of(source),
                        format!("an input record of device {device} comes before its 'descriptor' record"),
                    ));
                }
                let t0 = *first_ts.get_or_insert(ts);
                let mut data = Vec::with_capacity(payload.len() + 1);
                if numbered[device] {
                    data.push(report_id);
                }
                data.extend_from_slice(&payload);
                reports.push(Report {
                    device,
                    us: (ts.saturating_sub(t0).max(0) / 1000) as u64,
                    data,
                });
            }
        }
    }
    Ok(Recording { devices, reports })
}

/// Reads hidctl's recording records.
fn load_records(path: &std::path::Path, source_name: &str) -> Result<Vec<Recorded>> {
    let reader = RecordReader::open(
        vec![Source::Path(path.to_path_buf())],
        ReadOptions::default(),
    )?;
    let mut out = Vec::new();
    let bad = |row: usize, msg: String| {
        Error::data(
            Location {
                source: source_name.to_string(),
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
        let physs = col_utf8(&b, "phys")?;
        let vids = col_utf8(&b, "vid")?;
        let pids = col_utf8(&b, "pid")?;
        let buses = col_utf8(&b, "bus")?;
        let device_nos = match b.column_by_name("device") {
            Some(c) => {
                Some(cast(c, &DataType::Int64).map_err(|e| Error::arrow("column 'device'", e))?)
            }
            None => None,
        };
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
            // Recordings of one device, and older ones, have no 'device' column.
            let device = device_nos
                .as_ref()
                .map(|c| c.as_primitive::<Int64Type>())
                .filter(|a| !a.is_null(i))
                .map_or(Ok(0), |a| usize::try_from(a.value(i)))
                .ok()
                .filter(|&d| d < recorder::MAX_DEVICES)
                .ok_or_else(|| {
                    bad(
                        row,
                        format!(
                            "device: expected a number from 0 to {}",
                            recorder::MAX_DEVICES - 1
                        ),
                    )
                })?;
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
                        device,
                        bytes,
                        name: names
                            .as_ref()
                            .and_then(|n| n[i].clone())
                            .unwrap_or_else(|| "hidctl replay".into()),
                        phys: physs
                            .as_ref()
                            .and_then(|p| p[i].clone())
                            .unwrap_or_default(),
                        // Recordings older than the 'bus' column: all were USB.
                        bus: buses
                            .as_ref()
                            .and_then(|b| b[i].as_deref())
                            .map_or(Some(BUS_USB), |s| u16::from_str_radix(s, 16).ok())
                            .ok_or_else(|| bad(row, "bus: expected a hex number".into()))?,
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
                        device,
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
    let speed = if a.no_wait { 0.0 } else { a.speed };
    let rec = load(a.file.as_ref())?;
    if rec.devices.is_empty() {
        return Err(Error::data(
            Location::of("the recording"),
            "it holds no device (no descriptor)",
        ));
    }
    if a.dry_run {
        return print_decoded(&rec, &a.output);
    }
    stop_on_signals();
    let uhids = rec
        .devices
        .iter()
        .map(|d| {
            Uhid::create(&CreateParams {
                name: d.name.clone(),
                phys: if d.phys.is_empty() {
                    "pipekit-hidctl-replay".into()
                } else {
                    d.phys.clone()
                },
                uniq: String::new(),
                bus: d.bus,
                vendor: d.vid.into(),
                product: d.pid.into(),
                version: 1,
                descriptor: d.descriptor.clone(),
            })
        })
        .collect::<Result<Vec<Uhid>>>()?;
    let mut closed = vec![false; uhids.len()];
    // Serves the kernel's events on every device until `until` (or, `until_closed`,
    // until a reader closed each device).
    let mut drain_until = |until: Instant, until_closed: bool| -> Result<()> {
        let slice = Duration::from_millis(20) / uhids.len() as u32;
        let all_closed = |closed: &[bool]| until_closed && closed.iter().all(|c| *c);
        while !stopped() && !all_closed(&closed) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            for (u, closed) in uhids.iter().zip(closed.iter_mut()) {
                match u.next_event(Some(left.min(slice)))? {
                    Some(Event::Close) => *closed = true,
                    Some(Event::Open) => *closed = false,
                    _ => {}
                }
            }
        }
        Ok(())
    };
    drain_until(Instant::now() + a.wait, false)?;
    let start = Instant::now();
    let mut sent = 0u64;
    for r in &rec.reports {
        if stopped() {
            break;
        }
        if speed > 0.0 {
            let offset = Duration::from_micros(r.us).div_f64(speed);
            drain_until(start + offset, false)?;
        }
        uhids[r.device].input(&r.data)?;
        sent += 1;
    }
    // Give readers time to take the last reports (until they close the devices, at
    // most a second) before the devices go away.
    drain_until(Instant::now() + Duration::from_secs(1), true)?;
    let ids: Vec<String> = rec
        .devices
        .iter()
        .map(|d| format!("{:04x}:{:04x}", d.vid, d.pid))
        .collect();
    eprintln!(
        "hidctl: replayed {sent} input reports as {}",
        ids.join(", ")
    );
    Ok(Outcome::Complete)
}

/// `--dry-run`: the recording's reports decoded, as `read` decodes what a device
/// sends; a report shorter than its descriptor says is named on stderr and makes the
/// outcome lossy, as in `read`.
fn print_decoded(rec: &Recording, output: &crate::cli::OutputArgs) -> Result<Outcome> {
    let descs: Vec<Descriptor> = rec
        .devices
        .iter()
        .map(|d| descriptor::decode(&d.descriptor))
        .collect();
    let mut rows = DecodedReports::open(output, true)?;
    let mut short = 0u64;
    for (n, r) in rec.reports.iter().enumerate() {
        let desc = &descs[r.device];
        let (id, payload) = split_report(desc, &r.data);
        let layout = desc.report(id, Direction::Input);
        if let Some(l) = layout.filter(|l| (payload.len() as u64) < l.bytes()) {
            short += 1;
            crate::cli::warn(&format!(
                "report {} (device {}): input report {id} has {} bytes, the descriptor says {}",
                n + 1,
                r.device,
                payload.len(),
                l.bytes()
            ));
        }
        let when = When::Recorded {
            device: r.device,
            time: r.us as f64 / 1e6,
        };
        rows.write(when, id, payload, layout)?;
    }
    rows.finish()?;
    Ok(if short > 0 {
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_a_recording() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rec.ndjson");
        // As hidctl recorded before the device, phys and bus columns: one USB device.
        std::fs::write(
            &p,
            "{\"type\":\"descriptor\",\"ts\":\"2026-01-01T00:00:00.000000000Z\",\"report_id\":null,\"hex\":\"05010906a101c0\",\"name\":\"kbd\",\"vid\":\"0627\",\"pid\":\"0001\"}\n\
             {\"type\":\"input\",\"ts\":\"2026-01-01T00:00:00.500000000Z\",\"report_id\":0,\"hex\":\"0000040000000000\",\"name\":null,\"vid\":null,\"pid\":null}\n",
        )
        .unwrap();
        let r = load(Some(&p)).unwrap();
        assert_eq!(r.devices.len(), 1);
        assert_eq!(
            (r.devices[0].bus, r.devices[0].vid, r.devices[0].pid),
            (BUS_USB, 0x627, 1)
        );
        assert_eq!(r.reports.len(), 1);
        assert_eq!((r.reports[0].device, r.reports[0].us), (0, 0));
        assert_eq!(r.reports[0].data[2], 4);
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

    /// Two devices in hidctl's records (a numbered one gets its report id back in
    /// front) and in hid-recorder's text: the same recording either way.
    #[test]
    fn several_devices_in_either_format() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rec.ndjson");
        let numbered = "05010902a1018501750895018102c0";
        std::fs::write(
            &p,
            format!(
                "{{\"type\":\"descriptor\",\"device\":0,\"ts\":\"2026-01-01T00:00:00Z\",\"hex\":\"05010906a101c0\",\"name\":\"pen\",\"phys\":\"i2c-X\",\"bus\":\"0018\",\"vid\":\"056a\",\"pid\":\"5000\"}}\n\
                 {{\"type\":\"descriptor\",\"device\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"hex\":\"{numbered}\",\"name\":\"touch\",\"phys\":\"i2c-Y\",\"bus\":\"0018\",\"vid\":\"056a\",\"pid\":\"5001\"}}\n\
                 {{\"type\":\"input\",\"device\":1,\"ts\":\"2026-01-01T00:00:01Z\",\"report_id\":1,\"hex\":\"0a\"}}\n\
                 {{\"type\":\"input\",\"device\":0,\"ts\":\"2026-01-01T00:00:01.25Z\",\"report_id\":0,\"hex\":\"0b0c\"}}\n"
            ),
        )
        .unwrap();
        let ours = load(Some(&p)).unwrap();
        let h = dir.path().join("rec.hid");
        let mut w = recorder::Writer::new(Vec::new(), 2);
        for (i, d) in ours.devices.iter().enumerate() {
            w.header(i, d).unwrap();
        }
        for r in &ours.reports {
            w.event(r.device, r.us, &r.data).unwrap();
        }
        std::fs::write(&h, w.into_inner()).unwrap();
        let theirs = load(Some(&h)).unwrap();
        assert_eq!(ours, theirs);
        assert_eq!(theirs.devices[1].bus, recorder::BUS_I2C);
        assert_eq!(theirs.devices[0].phys, "i2c-X");
        assert_eq!(
            theirs.reports,
            vec![
                Report {
                    device: 1,
                    us: 0,
                    data: vec![1, 0x0a]
                },
                Report {
                    device: 0,
                    us: 250_000,
                    data: vec![0x0b, 0x0c]
                },
            ]
        );
    }
}
