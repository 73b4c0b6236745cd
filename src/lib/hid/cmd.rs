//! Runs each hidctl command: opens what it needs through the backend seam and writes
//! records through the shared record layer.

use arrow::datatypes::SchemaRef;
use serde::Serialize;

use super::backend::{DeviceInfo, HidBackend, HidDevice, Hidraw};
use super::bridge::{Client, Responder};
use super::descriptor::{self, Descriptor, Direction};
use super::emulate::{self, BridgeOptions};
use super::out;
use super::protocol::{self, crc8, REPORT_LEN};
use super::sim::DevicePort;
use super::{
    recorder, select, usage, Command, DescriptorArgs, DeviceArgs, EmulateCommand, FeatureCommand,
    LinkArgs, ListArgs, ReadArgs, ReadCommandArgs, RecordArgs, RecordFormat, SpiCommand, WriteArgs,
    XferArgs,
};
use crate::cli::{warn, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows::{self, schema, ts_field, Records};
use crate::record::text::{from_hex, now_ns, to_hex};
use crate::record::OutputFormat;

pub fn run(dev: &DeviceArgs, command: Command) -> Result<Outcome> {
    let backend = Hidraw;
    match command {
        Command::List(a) => list(&backend, &a),
        Command::Read(a) => read(&backend, dev, &a),
        Command::Record(a) => record(&backend, dev, &a),
        Command::Write(a) => write(&backend, dev, &a, false),
        Command::Xfer(a) => xfer(&backend, dev, &a),
        Command::Feature(FeatureCommand::Set(a)) => write(&backend, dev, &a, true),
        Command::Feature(FeatureCommand::Get {
            report_id,
            len,
            output,
        }) => feature_get(&backend, dev, report_id, len, &output),
        Command::Descriptor(a) => descriptor_cmd(&backend, dev, &a),
        Command::Replay(a) => super::replay::run(&a),
        Command::Spi(c) => spi(&backend, dev, c),
        Command::Emulate(EmulateCommand::Bridge {
            backend: spec,
            vid,
            pid,
            name,
            count,
        }) => {
            let bus = crate::spi::device::open(Some(&spec))?;
            emulate::run_bridge(
                Responder::new(bus),
                &BridgeOptions {
                    vid,
                    pid,
                    name,
                    count,
                },
            )
        }
    }
}

fn open(backend: &dyn HidBackend, dev: &DeviceArgs) -> Result<(DeviceInfo, Box<dyn HidDevice>)> {
    let Some(spec) = dev.device.as_deref() else {
        return Err(Error::Usage(format!(
            "no device given: use --device (or HIDCTL_DEVICE) with {}",
            select::DEVICE_HELP
        )));
    };
    select::open(backend, spec, dev.sim_faults.unwrap_or_default())
}

// ---------------------------------------------------------------- list

#[derive(Serialize)]
struct ListRow {
    path: String,
    vid: String,
    pid: String,
    serial: String,
    manufacturer: String,
    product: String,
    bus: String,
    interface: i64,
    usage_page: String,
    usage: String,
    usages: Vec<String>,
}

/// --usage-page and --usage name one top-level collection: both must hold for the same
/// usage, so `--usage-page 1 --usage 6` (keyboards) does not match a mouse (1, 2) that
/// also has a consumer collection with usage 6.
fn usage_matches(a: &ListArgs, usages: &[(u16, u16)]) -> bool {
    if a.usage_page.is_none() && a.usage.is_none() {
        return true;
    }
    usages.iter().any(|&(page, usage)| {
        a.usage_page.is_none_or(|p| p == page) && a.usage.is_none_or(|u| u == usage)
    })
}

pub fn list(backend: &dyn HidBackend, a: &ListArgs) -> Result<Outcome> {
    let rows: Vec<ListRow> = backend
        .list()?
        .into_iter()
        .filter(|d| a.vid.is_none_or(|v| d.vid == v))
        .filter(|d| a.pid.is_none_or(|p| d.pid == p))
        .filter(|d| a.serial.as_ref().is_none_or(|s| &d.serial == s))
        .filter(|d| usage_matches(a, &d.usages))
        .map(|d| {
            let (p, u) = d.usages.first().copied().unwrap_or((0, 0));
            ListRow {
                vid: format!("{:04x}", d.vid),
                pid: format!("{:04x}", d.pid),
                usage_page: format!("{p:04x}"),
                usage: format!("{u:04x}"),
                usages: d
                    .usages
                    .iter()
                    .map(|&(p, u)| usage::full_name(p, u))
                    .collect(),
                path: d.path,
                serial: d.serial,
                manufacturer: d.manufacturer,
                product: d.product,
                bus: d.bus,
                interface: d.interface.into(),
            }
        })
        .collect();
    let s = schema(vec![
        rows::utf8("path"),
        rows::utf8("vid"),
        rows::utf8("pid"),
        rows::utf8("serial"),
        rows::utf8("manufacturer"),
        rows::utf8("product"),
        rows::utf8("bus"),
        rows::int("interface"),
        rows::utf8("usage_page"),
        rows::utf8("usage"),
        rows::list_utf8("usages"),
    ]);
    rows::write_rows(&a.output, s, &rows)?;
    Ok(Outcome::Complete)
}

// ---------------------------------------------------------------- read / record

#[derive(Serialize)]
struct ReadRow<F> {
    ts: Option<i64>,
    device: Option<i64>,
    time: Option<f64>,
    report_id: i64,
    len: i64,
    hex: String,
    fields: Option<F>,
}

/// When a decoded report came: read now (`ts`), or from a recording (`device` and
/// `time`, seconds after the recording's first report).
#[derive(Debug, Clone, Copy)]
pub(super) enum When {
    Now(i64),
    Recorded { device: usize, time: f64 },
}

/// The records of decoded input reports (`read`, `replay --dry-run`): each element's
/// usage, code, value and physical value as a list of structs, or, in a table for
/// people, as one line of text ("X=1200 (12 cm), Y=...").
pub(super) struct DecodedReports {
    rows: Records,
    text: bool,
}

impl DecodedReports {
    /// `recorded`: the rows say which device of a recording and when in it, not `ts`.
    pub(super) fn open(output: &OutputArgs, recorded: bool) -> Result<DecodedReports> {
        let text = output.sink_options().resolve()? == OutputFormat::Table;
        let fields = if text {
            rows::utf8_opt("fields")
        } else {
            out::decoded_fields("fields")
        };
        let mut columns = if recorded {
            vec![
                rows::int("device"),
                arrow::datatypes::Field::new("time", arrow::datatypes::DataType::Float64, false),
            ]
        } else {
            vec![ts_field()]
        };
        columns.extend([
            rows::int("report_id"),
            rows::int("len"),
            rows::utf8("hex"),
            fields,
        ]);
        Ok(DecodedReports {
            rows: Records::checked(output, schema(columns))?,
            text,
        })
    }

    /// One input report, decoded with its layout if the descriptor has one.
    pub(super) fn write(
        &mut self,
        when: When,
        id: u8,
        payload: &[u8],
        layout: Option<&descriptor::Report>,
    ) -> Result<()> {
        let fields = layout.map(|r| descriptor::decode_report(r, payload));
        let (ts, device, time) = match when {
            When::Now(ts) => (Some(ts), None, None),
            When::Recorded { device, time } => (None, Some(device as i64), Some(time)),
        };
        let row = ReadRow {
            ts,
            device,
            time,
            report_id: id.into(),
            len: payload.len() as i64,
            hex: to_hex(payload),
            fields,
        };
        if self.text {
            self.rows.write_rows(&[ReadRow {
                fields: row.fields.as_deref().map(fields_text),
                ts: row.ts,
                device: row.device,
                time: row.time,
                report_id: row.report_id,
                len: row.len,
                hex: row.hex,
            }])
        } else {
            self.rows.write_rows(&[row])
        }
    }

    pub(super) fn finish(self) -> Result<()> {
        self.rows.finish()
    }
}

/// Decoded elements as one line: the usage's own name (its page left out),
/// `=value`, and the physical value with its unit in parentheses.
fn fields_text(values: &[descriptor::Value]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|v| {
            let name = v
                .code
                .and_then(|c| usage::usage_name((c >> 16) as u16, c as u16))
                .unwrap_or_else(|| v.usage.clone());
            let value = match (v.value, v.value_u64) {
                (Some(x), _) => x.to_string(),
                (None, Some(x)) => x.to_string(),
                (None, None) => "?".into(),
            };
            match (v.physical, &v.unit) {
                (Some(p), Some(u)) => format!("{name}={value} ({} {u})", short_number(p)),
                _ => format!("{name}={value}"),
            }
        })
        .collect();
    parts.join(", ")
}

/// A physical value with at most four decimals and no trailing zeros.
fn short_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

#[derive(Serialize)]
pub(super) struct RecordRow {
    #[serde(rename = "type")]
    kind: &'static str,
    /// Which device of the recording (hidctl replay plays several).
    device: i64,
    ts: i64,
    report_id: Option<i64>,
    hex: String,
    name: Option<String>,
    phys: Option<String>,
    bus: Option<String>,
    vid: Option<String>,
    pid: Option<String>,
}

pub fn record_schema() -> SchemaRef {
    schema(vec![
        rows::utf8("type"),
        rows::int("device"),
        ts_field(),
        rows::int_opt("report_id"),
        rows::utf8("hex"),
        rows::utf8_opt("name"),
        rows::utf8_opt("phys"),
        rows::utf8_opt("bus"),
        rows::utf8_opt("vid"),
        rows::utf8_opt("pid"),
    ])
}

/// A recording's 'descriptor' record for device `index`.
pub(super) fn descriptor_row(index: usize, d: &recorder::Device) -> RecordRow {
    RecordRow {
        kind: "descriptor",
        device: index as i64,
        ts: now_ns(),
        report_id: None,
        hex: to_hex(&d.descriptor),
        name: Some(d.name.clone()),
        phys: Some(d.phys.clone()),
        bus: Some(format!("{:04x}", d.bus)),
        vid: Some(format!("{:04x}", d.vid)),
        pid: Some(format!("{:04x}", d.pid)),
    }
}

/// A recording's 'input' record for device `index`: report id and payload.
pub(super) fn input_row(index: usize, ts: i64, report_id: u8, payload: &[u8]) -> RecordRow {
    RecordRow {
        kind: "input",
        device: index as i64,
        ts,
        report_id: Some(report_id.into()),
        hex: to_hex(payload),
        name: None,
        phys: None,
        bus: None,
        vid: None,
        pid: None,
    }
}

/// Splits a raw input report into (report id, payload) with the descriptor's
/// numbering.
pub(super) fn split_report<'a>(desc: &Descriptor, data: &'a [u8]) -> (u8, &'a [u8]) {
    if desc.numbered() {
        match data.split_first() {
            Some((id, rest)) => (*id, rest),
            None => (0, data),
        }
    } else {
        (0, data)
    }
}

pub fn read(backend: &dyn HidBackend, dev: &DeviceArgs, a: &ReadCommandArgs) -> Result<Outcome> {
    let (info, mut d) = open(backend, dev)?;
    match a.get_report {
        Some(id) => get_input_reports(d.as_mut(), id, &a.read),
        None => read_from(&info, d.as_mut(), &a.read, None),
    }
}

/// `read --get-report ID`: asks the device for input report ID (a GET_REPORT request,
/// HIDIOCGINPUT) --count times (default once) instead of waiting for reports, as
/// hidapitester's --read-input-report does: for devices that answer requests and do
/// not send reports on their own.
fn get_input_reports(d: &mut dyn HidDevice, id: u8, a: &ReadArgs) -> Result<Outcome> {
    let desc = descriptor::decode(&d.descriptor()?);
    let layout = desc.report(id, Direction::Input).ok_or_else(|| {
        Error::Usage(format!(
            "{}: no input report with id {id} (the descriptor has {:?})",
            d.name(),
            desc.ids(Direction::Input)
        ))
    })?;
    let mut rows = DecodedReports::open(&a.output, false)?;
    // The report id byte first, as hidraw wants it, also for unnumbered reports (0).
    let mut buf = vec![0u8; layout.bytes() as usize + 1];
    for _ in 0..a.count.unwrap_or(1) {
        buf.fill(0);
        buf[0] = id;
        let n = d.get_input(&mut buf)?.clamp(1, buf.len());
        rows.write(When::Now(now_ns()), id, &buf[1..n], Some(layout))?;
    }
    rows.finish()?;
    Ok(Outcome::Complete)
}

pub fn record(backend: &dyn HidBackend, dev: &DeviceArgs, a: &RecordArgs) -> Result<Outcome> {
    if !a.devices.is_empty() {
        return super::capture::record_several(backend, a);
    }
    let (info, mut d) = open(backend, dev)?;
    read_from(&info, d.as_mut(), &a.read, Some(a.format))
}

/// Where `read_from` writes: decoded reports, or a recording.
enum Reports {
    Decoded(DecodedReports),
    Recorded(super::capture::Recording),
}

/// Reads input reports (`read`), or records them (`record`, in `recording`'s format).
pub fn read_from(
    info: &DeviceInfo,
    d: &mut dyn HidDevice,
    a: &ReadArgs,
    recording: Option<RecordFormat>,
) -> Result<Outcome> {
    let raw_desc = d.descriptor()?;
    let desc = descriptor::decode(&raw_desc);
    if let Some(id) = a.report_id {
        if desc.report(id, Direction::Input).is_none() {
            return Err(Error::Usage(format!(
                "{}: no input report with id {id} (the descriptor has {:?})",
                d.name(),
                desc.ids(Direction::Input)
            )));
        }
    }
    let mut out = match recording {
        Some(format) => Reports::Recorded(super::capture::Recording::open(
            format,
            &a.output,
            [super::capture::recorded_device(info, raw_desc)].iter(),
        )?),
        None => Reports::Decoded(DecodedReports::open(&a.output, false)?),
    };
    let mut got = 0u64;
    let mut short = 0u64;
    let mut buf = vec![0u8; 4096];
    while a.count.is_none_or(|c| got < c) {
        let n = d.read(&mut buf, a.timeout)?;
        if n == 0 {
            // Timed out.
            break;
        }
        let ts = now_ns();
        let (id, payload) = split_report(&desc, &buf[..n]);
        if a.report_id.is_some_and(|want| want != id) {
            continue;
        }
        got += 1;
        let layout = desc.report(id, Direction::Input);
        if let Some(r) = layout {
            if (payload.len() as u64) < r.bytes() {
                short += 1;
                warn(&format!(
                    "{}: short input report {id}: {} bytes, the descriptor says {}",
                    d.name(),
                    payload.len(),
                    r.bytes()
                ));
            }
        }
        match &mut out {
            Reports::Recorded(r) => r.report(0, ts, &buf[..n], &desc)?,
            Reports::Decoded(rows) => rows.write(When::Now(ts), id, payload, layout)?,
        }
    }
    match out {
        Reports::Decoded(rows) => rows.finish()?,
        Reports::Recorded(r) => r.finish()?,
    }
    if let Some(c) = a.count {
        if got < c {
            return Err(Error::device(
                d.name(),
                format!(
                    "{got} of {c} reports arrived before the {} ms timeout",
                    a.timeout.map_or(0, |t| t.as_millis())
                ),
            ));
        }
    }
    Ok(if short > 0 {
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}

// ---------------------------------------------------------------- write / feature

#[derive(Serialize)]
struct WriteRow {
    ts: i64,
    kind: &'static str,
    report_id: i64,
    len: i64,
    hex: String,
}

/// Checks a payload against the descriptor and returns it with the report id byte in
/// front, padded to the report's size.
pub fn build_report(
    desc: &Descriptor,
    name: &str,
    dir: Direction,
    report_id: u8,
    payload: &[u8],
) -> Result<Vec<u8>> {
    let ids = desc.ids(dir);
    if desc.numbered() && report_id == 0 {
        return Err(Error::Usage(format!(
            "{name}: this device numbers its {} reports ({ids:?}); give --report-id",
            dir.as_str()
        )));
    }
    if !desc.numbered() && report_id != 0 && !desc.reports.is_empty() {
        return Err(Error::Usage(format!(
            "{name}: this device does not number its reports; leave out --report-id (it is 0)"
        )));
    }
    let mut data = vec![report_id];
    data.extend_from_slice(payload);
    match desc.report(report_id, dir) {
        Some(r) => {
            let size = r.bytes() as usize;
            if payload.len() > size {
                return Err(Error::Usage(format!(
                    "{name}: {} report {report_id} is {size} bytes; {} bytes is too long",
                    dir.as_str(),
                    payload.len()
                )));
            }
            if payload.len() < size {
                warn(&format!(
                    "{name}: {} report {report_id} is {size} bytes; padding the {} given with zeros",
                    dir.as_str(),
                    payload.len()
                ));
                data.resize(size + 1, 0);
            }
        }
        None if !desc.reports.is_empty() => {
            return Err(Error::Usage(format!(
                "{name}: no {} report with id {report_id} (the descriptor has {ids:?})",
                dir.as_str()
            )))
        }
        None => {}
    }
    Ok(data)
}

fn parse_payload(hex: &str) -> Result<Vec<u8>> {
    from_hex(hex).map_err(|e| Error::Usage(format!("'{hex}': {e}")))
}

/// Sends one output report (`data[0]` the report id); a short write is an error.
fn write_all(d: &mut dyn HidDevice, data: &[u8]) -> Result<()> {
    let n = d.write(data)?;
    if n != data.len() {
        return Err(Error::device(
            d.name(),
            format!("short write: {n} of {} bytes", data.len()),
        ));
    }
    Ok(())
}

/// `xfer`: an output report, then the input reports that answer it, read on the same
/// open device (a reply that comes before reading starts is queued for this handle),
/// as request/response devices need and hidapitester's --send-output --read-input do.
pub fn xfer(backend: &dyn HidBackend, dev: &DeviceArgs, a: &XferArgs) -> Result<Outcome> {
    let payload = parse_payload(&a.hex)?;
    let (info, mut d) = open(backend, dev)?;
    let desc = descriptor::decode(&d.descriptor()?);
    let data = build_report(&desc, &d.name(), Direction::Output, a.report_id, &payload)?;
    write_all(d.as_mut(), &data)?;
    let read = ReadArgs {
        report_id: None,
        timeout: Some(a.timeout),
        count: Some(a.read),
        output: a.output.clone(),
    };
    read_from(&info, d.as_mut(), &read, None)
}

pub fn write(
    backend: &dyn HidBackend,
    dev: &DeviceArgs,
    a: &WriteArgs,
    feature: bool,
) -> Result<Outcome> {
    let payload = parse_payload(&a.hex)?;
    let (_, mut d) = open(backend, dev)?;
    let desc = descriptor::decode(&d.descriptor()?);
    let dir = if feature {
        Direction::Feature
    } else {
        Direction::Output
    };
    let data = build_report(&desc, &d.name(), dir, a.report_id, &payload)?;
    if feature {
        d.set_feature(&data)?;
    } else {
        write_all(d.as_mut(), &data)?;
    }
    let s = schema(vec![
        ts_field(),
        rows::utf8("kind"),
        rows::int("report_id"),
        rows::int("len"),
        rows::utf8("hex"),
    ]);
    rows::write_rows(
        &a.output,
        s,
        &[WriteRow {
            ts: now_ns(),
            kind: dir.as_str(),
            report_id: a.report_id.into(),
            len: (data.len() - 1) as i64,
            hex: to_hex(&data[1..]),
        }],
    )?;
    Ok(Outcome::Complete)
}

fn feature_get(
    backend: &dyn HidBackend,
    dev: &DeviceArgs,
    report_id: u8,
    len: Option<usize>,
    output: &OutputArgs,
) -> Result<Outcome> {
    let (_, mut d) = open(backend, dev)?;
    let desc = descriptor::decode(&d.descriptor()?);
    let size = match (len, desc.report(report_id, Direction::Feature)) {
        (Some(n), _) => n,
        (None, Some(r)) => r.bytes() as usize,
        (None, None) => {
            return Err(Error::Usage(format!(
                "{}: no feature report with id {report_id} (the descriptor has {:?}); give --len to ask anyway",
                d.name(),
                desc.ids(Direction::Feature)
            )))
        }
    };
    let mut buf = vec![0u8; size + 1];
    buf[0] = report_id;
    let n = d.get_feature(&mut buf)?;
    // hidraw returns the report id byte first, also for unnumbered reports.
    let body = &buf[1..n.clamp(1, buf.len())];
    let s = schema(vec![
        ts_field(),
        rows::utf8("kind"),
        rows::int("report_id"),
        rows::int("len"),
        rows::utf8("hex"),
    ]);
    rows::write_rows(
        output,
        s,
        &[WriteRow {
            ts: now_ns(),
            kind: "feature",
            report_id: report_id.into(),
            len: body.len() as i64,
            hex: to_hex(body),
        }],
    )?;
    Ok(Outcome::Complete)
}

// ---------------------------------------------------------------- descriptor

#[derive(Serialize)]
struct ItemRow {
    offset: i64,
    kind: &'static str,
    tag: i64,
    name: &'static str,
    data: String,
    value: i64,
    meaning: Option<String>,
}

#[derive(Serialize)]
struct LayoutRow {
    report_id: i64,
    direction: &'static str,
    report_bits: i64,
    bit_offset: i64,
    size: i64,
    count: i64,
    usages: String,
    usage_page: i64,
    codes: String,
    logical_min: i64,
    logical_max: i64,
    physical_min: i64,
    physical_max: i64,
    unit: Option<String>,
    unit_code: i64,
    unit_exponent: i64,
    flags: String,
}

#[derive(Serialize)]
struct RawRow {
    len: i64,
    hex: String,
    top_level: Vec<String>,
}

/// Reads descriptor bytes from a file: raw binary, or hex text.
pub fn descriptor_from_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let as_text = std::str::from_utf8(&bytes).ok().filter(|t| {
        !t.trim().is_empty()
            && t.chars()
                .all(|c| c.is_ascii_hexdigit() || c.is_ascii_whitespace() || c == ',' || c == 'x')
    });
    match as_text {
        Some(t) => {
            let cleaned: String = t.replace("0x", "").replace(',', " ");
            from_hex(&cleaned).map_err(|e| {
                Error::data(
                    crate::error::Location {
                        source: path.display().to_string(),
                        ..Default::default()
                    },
                    format!("hex text that does not parse: {e}"),
                )
            })
        }
        None => Ok(bytes),
    }
}

pub fn descriptor_cmd(
    backend: &dyn HidBackend,
    dev: &DeviceArgs,
    a: &DescriptorArgs,
) -> Result<Outcome> {
    let (bytes, source) = if let Some(h) = &a.hex {
        (parse_payload(h)?, "--hex".to_string())
    } else if let Some(f) = &a.file {
        (descriptor_from_file(f)?, f.display().to_string())
    } else {
        let (_, d) = open(backend, dev)?;
        (d.descriptor()?, d.name())
    };
    let desc = descriptor::decode(&bytes);
    if a.raw {
        let s = schema(vec![
            rows::int("len"),
            rows::utf8("hex"),
            rows::list_utf8("top_level"),
        ]);
        rows::write_rows(
            &a.output,
            s,
            &[RawRow {
                len: bytes.len() as i64,
                hex: to_hex(&bytes),
                top_level: desc
                    .top_level
                    .iter()
                    .map(|t| usage::full_name(t.usage_page, t.usage))
                    .collect(),
            }],
        )?;
    } else if a.layout {
        let rows: Vec<LayoutRow> = desc
            .reports
            .iter()
            .flat_map(|r| {
                r.fields.iter().map(move |f| LayoutRow {
                    report_id: r.id.into(),
                    direction: r.direction.as_str(),
                    report_bits: r.bits.min(i64::MAX as u64) as i64,
                    bit_offset: f.bit_offset.min(i64::MAX as u64) as i64,
                    size: f.size.into(),
                    count: f.count.into(),
                    usages: f.usage_text(),
                    usage_page: f.usage_page.into(),
                    codes: f.usage_codes(),
                    logical_min: f.logical_min,
                    logical_max: f.logical_max,
                    physical_min: f.physical_min,
                    physical_max: f.physical_max,
                    unit: f.unit_text(),
                    unit_code: f.unit.into(),
                    unit_exponent: f.unit_exponent.into(),
                    flags: flags_text(f.flags),
                })
            })
            .collect();
        let s = schema(vec![
            rows::int("report_id"),
            rows::utf8("direction"),
            rows::int("report_bits"),
            rows::int("bit_offset"),
            rows::int("size"),
            rows::int("count"),
            rows::utf8("usages"),
            rows::int("usage_page"),
            rows::utf8("codes"),
            rows::int("logical_min"),
            rows::int("logical_max"),
            rows::int("physical_min"),
            rows::int("physical_max"),
            rows::utf8_opt("unit"),
            rows::int("unit_code"),
            rows::int("unit_exponent"),
            rows::utf8("flags"),
        ]);
        rows::write_rows(&a.output, s, &rows)?;
    } else {
        let rows: Vec<ItemRow> = desc
            .items
            .iter()
            .map(|i| ItemRow {
                offset: i.offset as i64,
                kind: i.kind,
                tag: i.tag.into(),
                name: i.name,
                data: to_hex(&i.data),
                value: i.value.into(),
                meaning: i.meaning.clone(),
            })
            .collect();
        let s = schema(vec![
            rows::int("offset"),
            rows::utf8("kind"),
            rows::int("tag"),
            rows::utf8("name"),
            rows::utf8("data"),
            rows::int("value"),
            rows::utf8_opt("meaning"),
        ]);
        rows::write_rows(&a.output, s, &rows)?;
    }
    for p in &desc.problems {
        warn(&format!("{source}: {p}"));
    }
    Ok(if desc.problems.is_empty() {
        Outcome::Complete
    } else {
        Outcome::Lossy
    })
}

fn flags_text(v: u32) -> String {
    let mut parts = vec![
        if v & 1 != 0 { "Constant" } else { "Data" },
        if v & 2 != 0 { "Variable" } else { "Array" },
        if v & 4 != 0 { "Relative" } else { "Absolute" },
    ];
    if v & 0x40 != 0 {
        parts.push("Null State");
    }
    parts.join(",")
}

// ---------------------------------------------------------------- spi (bridge host side)

#[derive(Serialize)]
struct PingRow {
    device: String,
    version: i64,
    chunk: i64,
    simulated_spi: bool,
}

#[derive(Serialize)]
struct RegRow {
    #[serde(rename = "type")]
    kind: &'static str,
    ts: i64,
    addr: i64,
    value: Option<i64>,
    hex: Option<String>,
    error: Option<String>,
}

#[derive(Serialize)]
struct RawReportRow {
    sent: String,
    received: Option<String>,
    meaning: String,
}

fn client(
    backend: &dyn HidBackend,
    dev: &DeviceArgs,
    link: &LinkArgs,
) -> Result<Client<DevicePort>> {
    let (_, d) = open(backend, dev)?;
    Ok(Client::new(
        DevicePort { dev: d },
        link.timeout,
        link.retries,
    ))
}

fn report_stats(c: &Client<DevicePort>) {
    if c.stats.eventful() {
        warn(&format!(
            "{}: bridge link: {}",
            c.port().dev.name(),
            c.stats.summary()
        ));
    }
}

fn reg_schema() -> SchemaRef {
    schema(vec![
        rows::utf8("type"),
        ts_field(),
        rows::int("addr"),
        rows::int_opt("value"),
        rows::utf8_opt("hex"),
        rows::utf8_opt("error"),
    ])
}

fn check_addr(addr: u8, n: u32) -> Result<()> {
    if n == 0 || u32::from(addr) + n > 0x100 {
        return Err(Error::Usage(format!(
            "registers 0x{addr:02x} + {n}: the bridge addresses registers 0x00-0xff"
        )));
    }
    Ok(())
}

pub fn spi(backend: &dyn HidBackend, dev: &DeviceArgs, c: SpiCommand) -> Result<Outcome> {
    match c {
        SpiCommand::Ping { link, output } => {
            let mut cl = client(backend, dev, &link)?;
            let (version, chunk, simulated) = cl.ping()?;
            report_stats(&cl);
            let s = schema(vec![
                rows::utf8("device"),
                rows::int("version"),
                rows::int("chunk"),
                arrow::datatypes::Field::new(
                    "simulated_spi",
                    arrow::datatypes::DataType::Boolean,
                    false,
                ),
            ]);
            rows::write_rows(
                &output,
                s,
                &[PingRow {
                    device: cl.port().dev.name(),
                    version: version.into(),
                    chunk: chunk.into(),
                    simulated_spi: simulated,
                }],
            )?;
            Ok(Outcome::Complete)
        }
        SpiCommand::Read {
            addr,
            count,
            link,
            output,
        } => {
            check_addr(addr, count)?;
            let mut cl = client(backend, dev, &link)?;
            let mut rows = Records::checked(&output, reg_schema())?;
            let mut lost = 0;
            let mut a = addr as u32;
            let end = addr as u32 + count;
            while a < end {
                let n = (end - a).min(protocol::MAX_READ as u32) as usize;
                match cl.reg_read(a as u8, n) {
                    Ok(vals) => {
                        let ts = now_ns();
                        let recs: Vec<RegRow> = vals
                            .iter()
                            .enumerate()
                            .map(|(i, v)| RegRow {
                                kind: "read",
                                ts,
                                addr: (a + i as u32).into(),
                                value: Some((*v).into()),
                                hex: Some(to_hex(&[*v])),
                                error: None,
                            })
                            .collect();
                        rows.write_rows(&recs)?;
                    }
                    Err(e @ Error::Device { .. }) if cl.stats.failed > lost => {
                        lost = cl.stats.failed;
                        warn(&e.to_string());
                        let recs: Vec<RegRow> = (0..n)
                            .map(|i| RegRow {
                                kind: "lost",
                                ts: now_ns(),
                                addr: (a + i as u32).into(),
                                value: None,
                                hex: None,
                                error: Some(e.to_string()),
                            })
                            .collect();
                        rows.write_rows(&recs)?;
                    }
                    Err(e) => return Err(e),
                }
                a += n as u32;
            }
            rows.finish()?;
            report_stats(&cl);
            Ok(if lost > 0 {
                Outcome::Lossy
            } else {
                Outcome::Complete
            })
        }
        SpiCommand::Write {
            addr,
            values,
            link,
            output,
        } => {
            check_addr(addr, values.len() as u32)?;
            let mut cl = client(backend, dev, &link)?;
            let mut rows = Records::checked(&output, reg_schema())?;
            let mut lost = 0;
            for (i, v) in values.iter().enumerate() {
                let a = addr + i as u8;
                let rec = match cl.reg_write(a, *v) {
                    Ok(()) => RegRow {
                        kind: "write",
                        ts: now_ns(),
                        addr: a.into(),
                        value: Some((*v).into()),
                        hex: Some(to_hex(&[*v])),
                        error: None,
                    },
                    Err(e @ Error::Device { .. }) if cl.stats.failed > lost => {
                        lost = cl.stats.failed;
                        warn(&e.to_string());
                        RegRow {
                            kind: "lost",
                            ts: now_ns(),
                            addr: a.into(),
                            value: Some((*v).into()),
                            hex: Some(to_hex(&[*v])),
                            error: Some(e.to_string()),
                        }
                    }
                    Err(e) => return Err(e),
                };
                rows.write_rows(&[rec])?;
            }
            rows.finish()?;
            report_stats(&cl);
            Ok(if lost > 0 {
                Outcome::Lossy
            } else {
                Outcome::Complete
            })
        }
        SpiCommand::Raw { hex, link, output } => {
            let bytes = parse_payload(&hex)?;
            let report: [u8; REPORT_LEN] = match bytes.len() {
                7 => {
                    let mut r = [0u8; REPORT_LEN];
                    r[..7].copy_from_slice(&bytes);
                    r[7] = crc8(&bytes);
                    r
                }
                8 => bytes.as_slice().try_into().unwrap_or([0; REPORT_LEN]),
                n => {
                    return Err(Error::Usage(format!(
                        "spi raw: {n} bytes; give 7 (the CRC is added) or 8 (sent as is)"
                    )))
                }
            };
            let mut cl = client(backend, dev, &link)?;
            let got = cl.raw(&report)?;
            let row = match &got {
                Some(r) => RawReportRow {
                    sent: to_hex(&report),
                    received: Some(to_hex(r)),
                    meaning: match <[u8; REPORT_LEN]>::try_from(r.as_slice()) {
                        Ok(a) => protocol::describe(&a),
                        Err(_) => format!("a {}-byte report, not a bridge answer", r.len()),
                    },
                },
                None => RawReportRow {
                    sent: to_hex(&report),
                    received: None,
                    meaning: format!("no answer within {} ms", link.timeout.as_millis()),
                },
            };
            let s = schema(vec![
                rows::utf8("sent"),
                rows::utf8_opt("received"),
                rows::utf8("meaning"),
            ]);
            rows::write_rows(&output, s, &[row])?;
            if got.is_none() {
                return Err(Error::device(
                    cl.port().dev.name(),
                    "no answer to the raw report",
                ));
            }
            Ok(Outcome::Complete)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hid::backend::ModelBackend;
    use crate::hid::descriptor::tests::QEMU_KEYBOARD;
    use crate::hid::Cli;
    use clap::Parser;
    use serde_json::{json, Value};

    /// Parses a hidctl command line with NDJSON output into a file in `dir`, runs it
    /// over the model backend, and returns the outcome and the records written.
    fn run_model(
        b: &ModelBackend,
        dir: &tempfile::TempDir,
        args: &[&str],
    ) -> (Outcome, Vec<Value>) {
        let out = dir.path().join("out.ndjson");
        let _ = std::fs::remove_file(&out);
        let out_s = out.to_str().unwrap();
        let argv = [&["hidctl"], args, &["-o", "ndjson", "--out", out_s]].concat();
        let cli = Cli::try_parse_from(argv).unwrap();
        let outcome = match cli.command.unwrap() {
            Command::List(a) => list(b, &a),
            Command::Read(a) => read(b, &cli.dev, &a),
            Command::Record(a) => record(b, &cli.dev, &a),
            c => panic!("not a model command: {c:?}"),
        }
        .unwrap();
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        let recs = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        (outcome, recs)
    }

    #[test]
    fn list_filters_and_merges_per_path() {
        let b = ModelBackend {
            devices: vec![
                // One interface listed twice (two top-level collections): a mouse with
                // a consumer collection whose usage is 6.
                (
                    DeviceInfo::model("/dev/hidraw0", 0x627, 1, "42", &[(1, 2)]),
                    vec![],
                    vec![],
                ),
                (
                    DeviceInfo::model("/dev/hidraw1", 0x627, 1, "68284", &[(1, 6)]),
                    vec![],
                    vec![],
                ),
                (
                    DeviceInfo::model("/dev/hidraw0", 0x627, 1, "42", &[(0xc, 6)]),
                    vec![],
                    vec![],
                ),
                (
                    DeviceInfo::model("/dev/hidraw2", 0x1209, 1, "", &[(0xff00, 1)]),
                    vec![],
                    vec![],
                ),
                (
                    DeviceInfo::model("/dev/hidraw3", 0x627, 2, "7", &[(0xc, 1)]),
                    vec![],
                    vec![],
                ),
            ],
        };
        let dir = tempfile::tempdir().unwrap();
        let paths = |flags: &[&str]| -> Vec<String> {
            let (outcome, recs) = run_model(&b, &dir, &[&["list"], flags].concat());
            assert_eq!(outcome, Outcome::Complete);
            recs.iter()
                .map(|r| r["path"].as_str().unwrap().to_string())
                .collect()
        };
        let (_, all) = run_model(&b, &dir, &["list"]);
        assert_eq!(all.len(), 4, "one record per path: {all:?}");
        assert_eq!(
            all[0]["usages"],
            json!(["Generic Desktop/Mouse", "Consumer/Graphic Equalizer"])
        );
        assert_eq!(all[0]["usage_page"], "0001");
        assert_eq!(all[0]["usage"], "0002");
        for (flags, want) in [
            (&["--vid", "1209"][..], &["/dev/hidraw2"][..]),
            (&["--pid", "2"], &["/dev/hidraw3"]),
            (
                &["--vid", "0627", "--pid", "0001"],
                &["/dev/hidraw0", "/dev/hidraw1"],
            ),
            (&["--serial", "68284"], &["/dev/hidraw1"]),
            (&["--usage-page", "1"], &["/dev/hidraw0", "/dev/hidraw1"]),
            (&["--usage", "6"], &["/dev/hidraw0", "/dev/hidraw1"]),
            (&["--usage-page", "ff00"], &["/dev/hidraw2"]),
            // The pair must be one collection: hidraw0 has page 1 and usage 6, but
            // not together.
            (&["--usage-page", "1", "--usage", "6"], &["/dev/hidraw1"]),
            (&["--usage-page", "c", "--usage", "6"], &["/dev/hidraw0"]),
            (&["--usage-page", "c", "--usage", "1"], &["/dev/hidraw3"]),
            (&["--vid", "0627", "--usage", "1"], &["/dev/hidraw3"]),
        ] {
            assert_eq!(paths(flags), want, "{flags:?}");
        }
        assert!(paths(&["--serial", "nope"]).is_empty());
    }

    /// Two top-level collections with report ids: a mouse (report 1: X, Y, signed) and
    /// consumer keys (report 2: Volume Increment, Volume Decrement bits, 6 bits pad).
    const NUMBERED: &[u8] = &[
        0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x81, 0x25,
        0x7f, 0x75, 0x08, 0x95, 0x02, 0x81, 0x06, 0xc0, 0x05, 0x0c, 0x09, 0x01, 0xa1, 0x01, 0x85,
        0x02, 0x09, 0xe9, 0x09, 0xea, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02,
        0x75, 0x06, 0x95, 0x01, 0x81, 0x01, 0xc0,
    ];

    fn model(desc: &[u8], inputs: &[&[u8]]) -> ModelBackend {
        ModelBackend {
            devices: vec![(
                DeviceInfo::model("/dev/hidraw5", 0x1234, 0x5678, "", &[(1, 2), (0xc, 1)]),
                desc.to_vec(),
                inputs.iter().map(|r| r.to_vec()).collect(),
            )],
        }
    }

    #[test]
    fn numbered_reports_are_split_and_decoded_with_their_report() {
        let inputs: &[&[u8]] = &[&[1, 0x05, 0xfb], &[2, 0x02], &[1, 0x80, 0x7f]];
        let dir = tempfile::tempdir().unwrap();
        let dev = ["--device", "/dev/hidraw5"];
        let (outcome, recs) = run_model(
            &model(NUMBERED, inputs),
            &dir,
            &[&dev[..], &["read", "--count", "3"]].concat(),
        );
        assert_eq!(outcome, Outcome::Complete);
        let got: Vec<Value> = recs
            .iter()
            .map(|r| json!([r["report_id"], r["len"], r["hex"], r["fields"]]))
            .collect();
        let (x, y) = (
            json!({"usage": "Generic Desktop/X", "code": 0x0001_0030}),
            json!({"usage": "Generic Desktop/Y", "code": 0x0001_0031}),
        );
        let up = json!({"usage": "Consumer/Volume Increment", "code": 0x000c_00e9});
        let down = json!({"usage": "Consumer/Volume Decrement", "code": 0x000c_00ea});
        let with = |u: &Value, v: i64| {
            let mut u = u.clone();
            u["value"] = json!(v);
            u
        };
        let want = [
            json!([1, 2, "05fb", [with(&x, 5), with(&y, -5)]]),
            json!([2, 1, "02", [with(&up, 0), with(&down, 1)]]),
            json!([1, 2, "807f", [with(&x, -128), with(&y, 127)]]),
        ];
        assert_eq!(got, want);

        // --report-id keeps one report; the others are read and skipped.
        let (_, recs) = run_model(
            &model(NUMBERED, inputs),
            &dir,
            &[&dev[..], &["read", "--count", "1", "--report-id", "2"]].concat(),
        );
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["report_id"], 2);
        assert_eq!(recs[0]["hex"], "02");

        // A recording keeps the id apart from the payload too, after the descriptor.
        let (outcome, recs) = run_model(
            &model(NUMBERED, inputs),
            &dir,
            &[&dev[..], &["record", "--count", "3"]].concat(),
        );
        assert_eq!(outcome, Outcome::Complete);
        assert_eq!(recs[0]["type"], "descriptor");
        assert_eq!(recs[0]["hex"], to_hex(NUMBERED));
        assert_eq!(recs[0]["vid"], "1234");
        let rows: Vec<_> = recs[1..]
            .iter()
            .map(|r| json!([r["type"], r["report_id"], r["hex"]]))
            .collect();
        assert_eq!(
            rows,
            [
                json!(["input", 1, "05fb"]),
                json!(["input", 2, "02"]),
                json!(["input", 1, "807f"])
            ]
        );
    }

    #[test]
    fn short_input_reports_are_kept_and_make_the_run_lossy() {
        let full: &[u8] = &[0, 0, 0x04, 0, 0, 0, 0, 0];
        let short: &[u8] = &[0, 0, 0x05];
        let dir = tempfile::tempdir().unwrap();
        for cmd in ["read", "record"] {
            let args = ["--device", "/dev/hidraw5", cmd, "--count", "2"];
            let (outcome, _) = run_model(&model(QEMU_KEYBOARD, &[full, full]), &dir, &args);
            assert_eq!(outcome, Outcome::Complete, "{cmd}");
            let (outcome, recs) = run_model(&model(QEMU_KEYBOARD, &[full, short]), &dir, &args);
            assert_eq!(outcome, Outcome::Lossy, "{cmd}");
            let last = recs.last().unwrap();
            assert_eq!(last["hex"], "000005", "{cmd}");
            if cmd == "read" {
                // Decoded as far as the bytes go: the one key held down.
                assert_eq!(last["len"], 3);
                let fields = last["fields"].as_array().unwrap();
                assert_eq!(fields.len(), 9, "8 modifiers and one key: {last}");
                assert_eq!(fields[8]["usage"], "Keyboard/Keypad/Keyboard B");
                assert_eq!(fields[8]["code"], 0x0007_0005);
                assert_eq!(fields[8]["value"], 1);
            }
        }
    }

    #[test]
    fn report_id_rules() {
        let kbd = descriptor::decode(QEMU_KEYBOARD);
        // LED report: 1 byte, unnumbered.
        assert_eq!(
            build_report(&kbd, "kbd", Direction::Output, 0, &[0x02]).unwrap(),
            vec![0, 2]
        );
        let e = build_report(&kbd, "kbd", Direction::Output, 0, &[1, 2]).unwrap_err();
        assert!(e.to_string().contains("too long"), "{e}");
        let e = build_report(&kbd, "kbd", Direction::Output, 3, &[1]).unwrap_err();
        assert!(e.to_string().contains("does not number"), "{e}");
        // Numbered device: id required, padding to the report size.
        let numbered = descriptor::decode(&[
            0x06, 0x00, 0xff, 0x09, 0x01, 0xa1, 0x01, 0x85, 0x02, 0x75, 0x08, 0x95, 0x03, 0x91,
            0x02, 0xc0,
        ]);
        let e = build_report(&numbered, "n", Direction::Output, 0, &[1]).unwrap_err();
        assert!(e.to_string().contains("give --report-id"), "{e}");
        assert_eq!(
            build_report(&numbered, "n", Direction::Output, 2, &[1]).unwrap(),
            vec![2, 1, 0, 0]
        );
        let e = build_report(&numbered, "n", Direction::Output, 5, &[1]).unwrap_err();
        assert!(e.to_string().contains("no output report with id 5"), "{e}");
    }
}
