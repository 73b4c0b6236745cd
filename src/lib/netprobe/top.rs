//! `netprobe top`: who is using the network right now, like bcc's tcptop. The probe keeps
//! per-socket totals in the kernel (`sockstats` in ebpf/netprobe.bpf.c: bytes from
//! the sock_send_length/sock_recv_length tracepoints, connections, retransmitted
//! segments and drops); every interval this module reads them, takes the growth since
//! the last read, groups it by process, flow, remote address or cgroup, and either
//! redraws a sorted table on the terminal or writes one record per row.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{
    ArrayRef, Float64Builder, StringBuilder, TimestampNanosecondBuilder, UInt16Builder,
    UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use clap::ValueEnum;

use super::event::{family_name, now_epoch_ns};
use super::names::Names;
use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;

/// One socket's totals as the kernel keeps them (`struct sockstat`).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SockStat {
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub cgroup_id: u64,
    pub pid: u32,
    pub uid: u32,
    pub retrans_segs: u32,
    pub drops: u32,
    pub opened: u32,
    pub closed: u32,
    pub family: u16,
    pub sport: u16,
    pub dport: u16,
    pub pad: u16,
    pub saddr: [u8; 16],
    pub daddr: [u8; 16],
    pub comm: [u8; 16],
}

// SAFETY: plain old data, `repr(C)` with no padding (104 bytes, as the C side asserts).
unsafe impl aya::Pod for SockStat {}

impl SockStat {
    fn same_socket(&self, other: &SockStat) -> bool {
        (self.family, self.sport, self.dport, self.saddr, self.daddr)
            == (
                other.family,
                other.sport,
                other.dport,
                other.saddr,
                other.daddr,
            )
    }

    fn comm(&self) -> Option<String> {
        let len = self.comm.iter().position(|&c| c == 0).unwrap_or(16);
        (self.pid != 0).then(|| String::from_utf8_lossy(&self.comm[..len]).into_owned())
    }

    fn addr(&self, b: &[u8; 16]) -> IpAddr {
        super::event::addr(self.family, b)
    }
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum By {
    /// One row per process (pid and command)
    Process,
    /// One row per connection (local and remote address and port)
    Flow,
    /// One row per remote address
    Remote,
    /// One row per cgroup (container, systemd unit)
    Cgroup,
}

/// The growth of one group in one interval.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    pub pid: Option<u32>,
    pub comm: Option<String>,
    pub family: Option<&'static str>,
    pub saddr: Option<String>,
    pub sport: Option<u16>,
    pub daddr: Option<String>,
    pub dport: Option<u16>,
    pub cgroup: Option<Arc<str>>,
    pub tx_bytes: u64,
    pub rx_bytes: u64,
    pub conns: u64,
    pub retransmits: u64,
    pub drops: u64,
    pub sockets: u64,
}

impl Row {
    fn active(&self) -> bool {
        self.tx_bytes + self.rx_bytes + self.conns + self.retransmits + self.drops > 0
    }
}

/// Turns successive reads of the kernel's table into per-interval rows.
#[derive(Default)]
pub struct Tracker {
    last: HashMap<u64, SockStat>,
}

impl Tracker {
    /// `now`: every (socket address, totals) the kernel holds. Returns the rows with
    /// activity since the last call, busiest first, and the sockets that closed (for the
    /// caller to remove from the kernel's table).
    pub fn interval(
        &mut self,
        now: Vec<(u64, SockStat)>,
        by: By,
        names: &mut Names,
    ) -> (Vec<Row>, Vec<u64>) {
        let mut groups: HashMap<String, Row> = HashMap::new();
        let mut closed = Vec::new();
        let mut seen = HashMap::with_capacity(now.len());
        for (sk, st) in now {
            let before = self
                .last
                .get(&sk)
                .filter(|b| b.same_socket(&st))
                .copied()
                .unwrap_or_default();
            let d = |now: u64, then: u64| now.saturating_sub(then);
            let (key, template) = group_of(&st, by, names);
            let row = groups.entry(key).or_insert(template);
            row.tx_bytes += d(st.tx_bytes, before.tx_bytes);
            row.rx_bytes += d(st.rx_bytes, before.rx_bytes);
            row.conns += d(st.opened.into(), before.opened.into());
            row.retransmits += d(st.retrans_segs.into(), before.retrans_segs.into());
            row.drops += d(st.drops.into(), before.drops.into());
            row.sockets += 1;
            if st.closed != 0 {
                closed.push(sk);
            } else {
                seen.insert(sk, st);
            }
        }
        self.last = seen;
        let mut rows: Vec<Row> = groups.into_values().filter(Row::active).collect();
        rows.sort_by(|a, b| {
            (b.tx_bytes + b.rx_bytes, b.retransmits + b.drops, b.conns)
                .cmp(&(a.tx_bytes + a.rx_bytes, a.retransmits + a.drops, a.conns))
                .then_with(|| a.pid.cmp(&b.pid))
        });
        (rows, closed)
    }
}

/// The group a socket falls in: its key and a row with the key's fields set.
fn group_of(st: &SockStat, by: By, names: &mut Names) -> (String, Row) {
    let mut row = Row::default();
    let key = match by {
        By::Process => {
            row.pid = (st.pid != 0).then_some(st.pid);
            row.comm = st.comm();
            format!("{}", st.pid)
        }
        By::Flow => {
            row.pid = (st.pid != 0).then_some(st.pid);
            row.comm = st.comm();
            row.family = Some(family_name(st.family));
            row.saddr = Some(st.addr(&st.saddr).to_string());
            row.sport = Some(st.sport);
            row.daddr = Some(st.addr(&st.daddr).to_string());
            row.dport = Some(st.dport);
            format!("{:?} {} {:?} {}", st.saddr, st.sport, st.daddr, st.dport)
        }
        By::Remote => {
            row.family = Some(family_name(st.family));
            row.daddr = Some(st.addr(&st.daddr).to_string());
            format!("{:?}", st.daddr)
        }
        By::Cgroup => {
            row.cgroup = (st.cgroup_id != 0)
                .then(|| names.cgroup(st.cgroup_id))
                .flatten();
            format!("{}", st.cgroup_id)
        }
    };
    (key, row)
}

/// The records `netprobe top` writes on a pipe: one per row per interval.
pub fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("ts", timestamp_type(), false),
        Field::new("interval_s", DataType::Float64, false),
        Field::new("pid", DataType::UInt32, true),
        Field::new("comm", DataType::Utf8, true),
        Field::new("family", DataType::Utf8, true),
        Field::new("saddr", DataType::Utf8, true),
        Field::new("sport", DataType::UInt16, true),
        Field::new("daddr", DataType::Utf8, true),
        Field::new("dport", DataType::UInt16, true),
        Field::new("cgroup", DataType::Utf8, true),
        Field::new("tx_bytes", DataType::UInt64, false),
        Field::new("rx_bytes", DataType::UInt64, false),
        Field::new("tx_bps", DataType::Float64, false),
        Field::new("rx_bps", DataType::Float64, false),
        Field::new("conns", DataType::UInt64, false),
        Field::new("retransmits", DataType::UInt64, false),
        Field::new("drops", DataType::UInt64, false),
        Field::new("sockets", DataType::UInt64, false),
    ]))
}

/// One interval's rows as a batch of [`schema`].
pub fn batch(rows: &[Row], interval: Duration) -> Result<RecordBatch> {
    let secs = interval.as_secs_f64();
    let ts = now_epoch_ns();
    let mut tsb = TimestampNanosecondBuilder::new().with_timezone("UTC");
    let mut iv = Float64Builder::new();
    let (mut pid, mut comm, mut family, mut saddr) = (
        UInt32Builder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut sport, mut daddr, mut dport, mut cgroup) = (
        UInt16Builder::new(),
        StringBuilder::new(),
        UInt16Builder::new(),
        StringBuilder::new(),
    );
    let mut counts: Vec<UInt64Builder> = (0..6).map(|_| UInt64Builder::new()).collect();
    let (mut txr, mut rxr) = (Float64Builder::new(), Float64Builder::new());
    for r in rows {
        tsb.append_value(ts);
        iv.append_value(secs);
        pid.append_option(r.pid);
        comm.append_option(r.comm.as_deref());
        family.append_option(r.family);
        saddr.append_option(r.saddr.as_deref());
        sport.append_option(r.sport);
        daddr.append_option(r.daddr.as_deref());
        dport.append_option(r.dport);
        cgroup.append_option(r.cgroup.as_deref());
        txr.append_value(r.tx_bytes as f64 / secs);
        rxr.append_value(r.rx_bytes as f64 / secs);
        let values = [
            r.tx_bytes,
            r.rx_bytes,
            r.conns,
            r.retransmits,
            r.drops,
            r.sockets,
        ];
        for (b, v) in counts.iter_mut().zip(values) {
            b.append_value(v);
        }
    }
    let mut c = counts
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef);
    let mut next = || c.next().expect("six count columns");
    let cols: Vec<ArrayRef> = vec![
        Arc::new(tsb.finish()),
        Arc::new(iv.finish()),
        Arc::new(pid.finish()),
        Arc::new(comm.finish()),
        Arc::new(family.finish()),
        Arc::new(saddr.finish()),
        Arc::new(sport.finish()),
        Arc::new(daddr.finish()),
        Arc::new(dport.finish()),
        Arc::new(cgroup.finish()),
        next(),
        next(),
        Arc::new(txr.finish()),
        Arc::new(rxr.finish()),
        next(),
        next(),
        next(),
        next(),
    ];
    RecordBatch::try_new(schema(), cols).map_err(|e| Error::arrow("building top records", e))
}

/// Bytes per second as people read them: 1.2K, 34.5M (powers of 1024, like top).
fn human(bps: f64) -> String {
    let units = ["", "K", "M", "G", "T"];
    let mut v = bps;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}{}", units[u])
    }
}

/// The terminal screen for one interval: a title line, column headers and as many
/// rows as fit in `height` lines, each cut to `width` columns.
pub fn screen(
    rows: &[Row],
    by: By,
    interval: Duration,
    lost: u64,
    width: usize,
    height: usize,
    bold: bool,
) -> String {
    let secs = interval.as_secs_f64();
    let key_header: &[(&str, usize)] = match by {
        By::Process => &[("PID", 8), ("COMM", 16)],
        By::Flow => &[("PID", 8), ("COMM", 16), ("LOCAL", 28), ("REMOTE", 28)],
        By::Remote => &[("REMOTE", 40)],
        By::Cgroup => &[("CGROUP", 48)],
    };
    let counts = [
        ("TX/s", 9),
        ("RX/s", 9),
        ("CONNS", 6),
        ("RETRANS", 8),
        ("DROPS", 6),
        ("SOCKS", 6),
    ];
    let mut out = String::new();
    let title = format!(
        "netprobe top by {} - {} - every {:?} - {} active{} - q quits",
        by.to_possible_value()
            .map_or("?".into(), |v| v.get_name().to_string()),
        chrono::Utc::now().format("%H:%M:%S"),
        interval,
        rows.len(),
        if lost > 0 {
            format!(" - {lost} events lost")
        } else {
            String::new()
        },
    );
    let cut = |s: String| -> String { s.chars().take(width).collect() };
    out.push_str(&cut(title));
    out.push('\n');
    let mut header = String::new();
    for (h, w) in key_header.iter().chain(counts.iter()) {
        header.push_str(&format!("{h:<w$} ", w = *w));
    }
    let header = cut(header.trim_end().to_string());
    if bold {
        out.push_str(&format!("\x1b[7m{header:<width$}\x1b[0m\n"));
    } else {
        out.push_str(&header);
        out.push('\n');
    }
    for r in rows.iter().take(height.saturating_sub(2)) {
        let mut line = String::new();
        let keys: Vec<String> = match by {
            By::Process => vec![opt(r.pid), r.comm.clone().unwrap_or_else(|| "?".into())],
            By::Flow => vec![
                opt(r.pid),
                r.comm.clone().unwrap_or_else(|| "?".into()),
                endpoint(r.saddr.as_deref(), r.sport),
                endpoint(r.daddr.as_deref(), r.dport),
            ],
            By::Remote => vec![r.daddr.clone().unwrap_or_default()],
            By::Cgroup => vec![r.cgroup.as_deref().unwrap_or("?").to_string()],
        };
        for ((_, w), k) in key_header.iter().zip(keys) {
            line.push_str(&format!("{k:<w$} ", w = *w));
        }
        let values = [
            human(r.tx_bytes as f64 / secs),
            human(r.rx_bytes as f64 / secs),
            r.conns.to_string(),
            r.retransmits.to_string(),
            r.drops.to_string(),
            r.sockets.to_string(),
        ];
        for ((_, w), v) in counts.iter().zip(values) {
            line.push_str(&format!("{v:<w$} ", w = *w));
        }
        out.push_str(&cut(line.trim_end().to_string()));
        out.push('\n');
    }
    out
}

fn opt(v: Option<u32>) -> String {
    v.map_or_else(|| "?".into(), |v| v.to_string())
}

fn endpoint(addr: Option<&str>, port: Option<u16>) -> String {
    match (addr, port) {
        (Some(a), Some(p)) if a.contains(':') => format!("[{a}]:{p}"),
        (Some(a), Some(p)) => format!("{a}:{p}"),
        _ => String::new(),
    }
}

/// Where each interval goes: redrawn on the terminal, or written as records.
pub enum View {
    Screen { keys: Option<crate::cli::RawKeys> },
    Records(Box<dyn crate::record::RecordSink>),
}

/// How long to run and how to group.
pub struct Plan {
    pub by: By,
    pub interval: Duration,
    pub duration: Option<Duration>,
    /// Stop after this many intervals.
    pub count: Option<u64>,
}

/// Reads the probe's table every interval until `q`, a signal, --duration or --count.
pub async fn run(
    mut probe: Box<super::loader::Probe>,
    mut names: Names,
    plan: Plan,
    mut view: View,
) -> Result<crate::cli::Outcome> {
    use tokio::signal::unix::{signal, SignalKind};
    use tokio::time::{interval, sleep_until, Instant, MissedTickBehavior};
    let sig = |k: SignalKind| signal(k).map_err(|e| Error::io("installing a signal handler", e));
    let (mut sigint, mut sigterm) = (sig(SignalKind::interrupt())?, sig(SignalKind::terminate())?);
    let deadline = plan.duration.map(|d| Instant::now() + d);
    let stop = async move {
        match deadline {
            Some(d) => sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(stop);
    let mut tick = interval(plan.interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick.tick().await; // the first tick is immediate: the first interval starts now
    let mut keys = interval(Duration::from_millis(50));
    let mut tracker = Tracker::default();
    let mut shown = 0u64;
    let mut lost = 0;
    if let View::Screen { .. } = view {
        print!("\x1b[H\x1b[2J");
    }
    loop {
        tokio::select! {
            _ = tick.tick() => {
                let (rows, closed) = tracker.interval(probe.sockstats(), plan.by, &mut names);
                probe.forget_sockets(&closed);
                lost = probe.lost_total()?;
                match &mut view {
                    View::Screen { .. } => {
                        use std::io::Write;
                        let bold = crate::cli::color_enabled();
                        let frame = screen(&rows, plan.by, plan.interval, lost,
                            crate::cli::terminal_width(), crate::cli::terminal_height(), bold);
                        let mut out = std::io::stdout().lock();
                        let _ = write!(out, "\x1b[H\x1b[2J{frame}");
                        let _ = out.flush();
                    }
                    View::Records(sink) => {
                        if !rows.is_empty() {
                            sink.write(&batch(&rows, plan.interval)?)?;
                        }
                    }
                }
                shown += 1;
                if plan.count.is_some_and(|c| shown >= c) {
                    break;
                }
            }
            _ = keys.tick() => {
                if let View::Screen { keys: Some(k) } = &view {
                    if k.quit_pressed() {
                        break;
                    }
                }
            }
            _ = &mut stop => break,
            _ = sigint.recv() => break,
            _ = sigterm.recv() => break,
        }
    }
    if let View::Records(sink) = view {
        sink.finish()?;
    }
    Ok(if lost > 0 {
        crate::cli::Outcome::Lossy
    } else {
        crate::cli::Outcome::Complete
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sock(pid: u32, sport: u16, tx: u64) -> SockStat {
        let mut s = SockStat {
            pid,
            family: 2,
            sport,
            dport: 80,
            tx_bytes: tx,
            ..Default::default()
        };
        s.comm[..4].copy_from_slice(b"curl");
        s.saddr[..4].copy_from_slice(&[127, 0, 0, 1]);
        s.daddr[..4].copy_from_slice(&[10, 0, 0, 1]);
        s
    }

    #[test]
    fn rows_are_the_growth_per_group_busiest_first() {
        let mut t = Tracker::default();
        let mut names = Names::new();
        let (rows, _) = t.interval(
            vec![(1, sock(7, 1000, 100)), (2, sock(8, 1001, 10))],
            By::Process,
            &mut names,
        );
        assert_eq!(
            rows.iter().map(|r| (r.pid, r.tx_bytes)).collect::<Vec<_>>(),
            [(Some(7), 100), (Some(8), 10)]
        );
        // Socket 1 quiet, socket 2 busy and then closed; a new socket at address 1's
        // place (another port) counts from zero, not as growth of the old one.
        let mut closed = sock(8, 1001, 500);
        closed.closed = 1;
        let (rows, gone) = t.interval(
            vec![(1, sock(7, 1000, 100)), (2, closed), (3, sock(7, 1002, 5))],
            By::Process,
            &mut names,
        );
        assert_eq!(
            rows.iter().map(|r| (r.pid, r.tx_bytes)).collect::<Vec<_>>(),
            [(Some(8), 490), (Some(7), 5)]
        );
        assert_eq!(gone, [2]);
        let (rows, _) = t.interval(vec![(1, sock(7, 2000, 30))], By::Flow, &mut names);
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].sport, rows[0].tx_bytes), (Some(2000), 30));
        assert_eq!(rows[0].daddr.as_deref(), Some("10.0.0.1"));
    }

    #[test]
    fn the_screen_fits_the_terminal() {
        let rows: Vec<Row> = (0..50)
            .map(|i| Row {
                pid: Some(i),
                comm: Some("x".repeat(40)),
                tx_bytes: 5_000_000,
                ..Default::default()
            })
            .collect();
        let s = screen(&rows, By::Process, Duration::from_secs(1), 0, 40, 10, false);
        assert_eq!(s.lines().count(), 10);
        assert!(s.lines().all(|l| l.chars().count() <= 40), "{s}");
        assert!(s.lines().nth(2).unwrap().starts_with("0 "), "{s}");
        assert_eq!(human(5_000_000.0), "4.8M");
        let b = batch(&rows[..2], Duration::from_millis(500)).unwrap();
        assert_eq!(b.num_rows(), 2);
        let tx_bps = b.column_by_name("tx_bps").unwrap();
        let tx_bps = tx_bps
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        assert_eq!(tx_bps.value(0), 10_000_000.0);
    }
}
