//! `hidctl record DEVICE...`: several hidraw nodes recorded at once (a tablet's pen and
//! touch nodes, a keyboard and its media keys), as hid-recorder does: every node is
//! polled together, so each report is stamped when it arrives and the recording keeps
//! the order in which the devices sent their reports. Reads the nodes directly (one
//! report per read(2)); identities and descriptors come through the backend.

use std::fs::File;
use std::io::Read;
use std::os::fd::AsRawFd;

use super::backend::{hidraw_uevent, HidBackend};
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
            let uevent = |key| hidraw_uevent(&info.path, key);
            let decoded = descriptor::decode(&descriptor);
            Ok(Node {
                decoded,
                path: info.path.clone(),
                file,
                device: Device {
                    name: uevent("HID_NAME").unwrap_or_else(|| info.product.clone()),
                    phys: uevent("HID_PHYS").unwrap_or_default(),
                    bus: recorder::bus_number(&info.bus),
                    vid: info.vid,
                    pid: info.pid,
                    descriptor,
                },
            })
        })
        .collect()
}

/// Where the recording goes: hidctl's records or hid-recorder's text.
enum Sink {
    Records(Records),
    Text(recorder::Writer<crate::record::writer::Out>, String),
}

impl Sink {
    fn device(&mut self, index: usize, d: &Device) -> Result<()> {
        match self {
            Sink::Records(r) => r.write_rows(&[descriptor_row(index, d)]),
            Sink::Text(w, what) => w.header(index, d).map_err(|e| Error::io(&*what, e)),
        }
    }

    fn report(&mut self, index: usize, ts: i64, us: u64, node: &Node, data: &[u8]) -> Result<()> {
        match self {
            Sink::Records(r) => {
                let (id, payload) = split_report(&node.decoded, data);
                r.write_rows(&[input_row(index, ts, id, payload)])
            }
            Sink::Text(w, what) => w.event(index, us, data).map_err(|e| Error::io(&*what, e)),
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Sink::Records(r) => r.finish(),
            Sink::Text(w, what) => {
                crate::record::writer::close(w.into_inner()).map_err(|e| Error::io(what, e))
            }
        }
    }
}

/// Records the devices `a.devices` names until --count reports, or --timeout without
/// one from any of them.
pub fn record_several(backend: &dyn HidBackend, a: &RecordArgs) -> Result<Outcome> {
    let mut nodes = open_nodes(backend, a)?;
    let opts = a.read.output.sink_options();
    let mut sink = match a.format {
        RecordFormat::HidRecorder => Sink::Text(
            recorder::Writer::new(crate::record::writer::open_output(&opts)?, nodes.len()),
            crate::record::writer::writing(opts.path.as_deref()),
        ),
        RecordFormat::Records => Sink::Records(Records::checked(&a.read.output, record_schema())?),
    };
    for (i, n) in nodes.iter().enumerate() {
        sink.device(i, &n.device)?;
    }
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
    let (mut got, mut first_ts) = (0u64, None);
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
            let ts = now_ns();
            let us = (ts - *first_ts.get_or_insert(ts)).max(0) as u64 / 1000;
            sink.report(i, ts, us, node, &buf[..n])?;
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
