//! `hidctl record DEVICE...`: several hidraw nodes recorded at once (a tablet's pen and
//! touch nodes, a keyboard and its media keys), as hid-recorder does: every node is
//! polled together, so each report is stamped when it arrives and the recording keeps
//! the order in which the devices sent their reports. Reads the nodes directly (one
//! report per read(2)); identities and descriptors come through the backend.

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;

use super::backend::{hidraw_uevent, DeviceInfo, HidBackend};
use super::cmd::{descriptor_row, input_row, record_schema, split_report};
use super::descriptor::{self, Descriptor};
use super::recorder::{self, Device};
use super::{select, RecordArgs, RecordFormat};
use crate::cli::Outcome;
use crate::error::{Error, Result};
use crate::record::rows::Records;
use crate::record::text::now_ns;

/// One node being recorded.
struct Node {
    path: String,
    file: File,
    device: Device,
    /// The descriptor decoded: whether reports carry an id byte.
    decoded: Descriptor,
}

/// What a recording says of a device: the kernel's name and physical path for a
/// hidraw node (`HID_NAME`, `HID_PHYS`, as hid-recorder's ioctls give them; else the
/// enumeration's product name), its bus, ids and report descriptor.
pub(super) fn recorded_device(info: &DeviceInfo, descriptor: Vec<u8>) -> Device {
    let uevent = |key| hidraw_uevent(&info.path, key);
    Device {
        name: uevent("HID_NAME").unwrap_or_else(|| info.product.clone()),
        phys: uevent("HID_PHYS").unwrap_or_default(),
        bus: recorder::bus_number(&info.bus),
        vid: info.vid,
        pid: info.pid,
        descriptor,
    }
}

/// Opens every device `a.devices` names: each must be a hidraw node (a path, or
/// VID:PID[:SERIAL] resolved to one).
fn open_nodes(backend: &dyn HidBackend, a: &RecordArgs) -> Result<Vec<Node>> {
    a.devices
        .iter()
        .map(|spec| {
            let (info, d) = select::open(backend, spec, Default::default())?;
            if !info.path.starts_with("/dev/hidraw") {
                return Err(Error::Usage(format!(
                    "{spec}: several devices are recorded from their hidraw nodes, and this is {}",
                    info.path
                )));
            }
            let descriptor = d.descriptor()?;
            drop(d);
            let file = File::open(&info.path)
                .map_err(|e| Error::io(format!("opening {}", info.path), e))?;
            Ok(Node {
                decoded: descriptor::decode(&descriptor),
                path: info.path.clone(),
                file,
                device: recorded_device(&info, descriptor),
            })
        })
        .collect()
}

/// Where a recording goes (`record`, of one device or several): hidctl's records or
/// hid-recorder's text. Report times in the text count from the first report.
pub(super) struct Recording {
    to: To,
    first_ts: Option<i64>,
}

enum To {
    Records(Records),
    Text(recorder::Writer<crate::record::writer::Out>, String),
}

impl Recording {
    /// Opens the output and writes each device's descriptor (record) or header (text).
    pub(super) fn open<'a>(
        format: RecordFormat,
        output: &crate::cli::OutputArgs,
        devices: impl ExactSizeIterator<Item = &'a Device>,
    ) -> Result<Recording> {
        let opts = output.sink_options();
        let mut to = match format {
            RecordFormat::HidRecorder => To::Text(
                recorder::Writer::new(crate::record::writer::open_output(&opts)?, devices.len()),
                crate::record::writer::writing(opts.path.as_deref()),
            ),
            RecordFormat::Records => To::Records(Records::checked(output, record_schema())?),
        };
        for (i, d) in devices.enumerate() {
            match &mut to {
                To::Records(r) => r.write_rows(&[descriptor_row(i, d)])?,
                To::Text(w, what) => w.header(i, d).map_err(|e| Error::io(&*what, e))?,
            }
        }
        Ok(Recording { to, first_ts: None })
    }

    /// One report of device `index` as read (report id first when `decoded` says the
    /// device numbers its reports), which arrived at `ts`.
    pub(super) fn report(
        &mut self,
        index: usize,
        ts: i64,
        data: &[u8],
        decoded: &Descriptor,
    ) -> Result<()> {
        match &mut self.to {
            To::Records(r) => {
                let (id, payload) = split_report(decoded, data);
                r.write_rows(&[input_row(index, ts, id, payload)])
            }
            To::Text(w, what) => {
                let us = (ts - *self.first_ts.get_or_insert(ts)).max(0) as u64 / 1000;
                w.event(index, us, data).map_err(|e| Error::io(&*what, e))
            }
        }
    }

    pub(super) fn finish(self) -> Result<()> {
        match self.to {
            To::Records(r) => r.finish(),
            To::Text(w, what) => {
                crate::record::writer::close(w.into_inner()).map_err(|e| Error::io(what, e))
            }
        }
    }
}

/// Records the devices `a.devices` names until --count reports, or --timeout without
/// one from any of them.
pub fn record_several(backend: &dyn HidBackend, a: &RecordArgs) -> Result<Outcome> {
    let mut nodes = open_nodes(backend, a)?;
    let mut sink = Recording::open(a.format, &a.read.output, nodes.iter().map(|n| &n.device))?;
    let timeout = a
        .read
        .timeout
        .map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
    let mut polls: Vec<libc::pollfd> = nodes
        .iter()
        .map(|n| libc::pollfd {
            fd: n.file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let mut got = 0u64;
    let mut buf = vec![0u8; 4096];
    'polling: while a.read.count.is_none_or(|c| got < c) && !super::emulate::stopped() {
        // SAFETY: poll(2) on pollfds of files this function holds open.
        let r = unsafe { libc::poll(polls.as_mut_ptr(), polls.len() as libc::nfds_t, timeout) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(Error::io("waiting on the hidraw nodes", e));
        }
        if r == 0 {
            break;
        }
        for (i, p) in polls.iter_mut().enumerate() {
            if p.revents == 0 {
                continue;
            }
            p.revents = 0;
            let node = &mut nodes[i];
            let n = node.file.read(&mut buf).map_err(|e| {
                Error::device(
                    &node.path,
                    format!("reading failed ({e}); was it unplugged?"),
                )
            })?;
            sink.report(i, now_ns(), &buf[..n], &node.decoded)?;
            got += 1;
            if a.read.count.is_some_and(|c| got >= c) {
                break 'polling;
            }
        }
    }
    sink.finish()?;
    match a.read.count {
        Some(c) if got < c => Err(Error::device(
            nodes
                .iter()
                .map(|n| n.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            format!(
                "{got} of {c} reports arrived before the {} ms timeout",
                a.read.timeout.map_or(0, |t| t.as_millis())
            ),
        )),
        _ => Ok(Outcome::Complete),
    }
}
