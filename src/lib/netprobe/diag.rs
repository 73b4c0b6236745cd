//! TCP sockets through NETLINK_SOCK_DIAG, the interface `ss` uses. It needs no
//! privileges, so it backs `netprobe conns` and the fallback `--backend diag`, which
//! diffs successive snapshots into (sampled) connect/accept/close events.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, StringBuilder, TimestampNanosecondBuilder, UInt16Builder, UInt32Builder,
    UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::event::{family_name, now_epoch_ns, state_name, Kind, TcpEvent, AF_INET, AF_INET6};
use super::procs::Holder;
use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const INET_DIAG_INFO: u16 = 2;
const NLMSG_HDR: usize = 16;
const DIAG_MSG: usize = 72;
const TCP_LISTEN: u8 = 10;
const TCP_TIME_WAIT: u8 = 6;

/// One socket as sock_diag reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct SockInfo {
    pub family: u16,
    pub state: u8,
    pub saddr: IpAddr,
    pub sport: u16,
    pub daddr: IpAddr,
    pub dport: u16,
    pub cookie: u64,
    pub uid: u32,
    pub inode: u32,
    pub rx_queue: u32,
    pub tx_queue: u32,
    /// From tcp_info (absent for TIME_WAIT sockets).
    pub srtt_us: Option<u32>,
    pub rx_bytes: Option<u64>,
    pub tx_bytes: Option<u64>,
}

/// A NETLINK_SOCK_DIAG socket for repeated dumps.
pub struct Diag {
    fd: OwnedFd,
    seq: u32,
    buf: Vec<u8>,
    /// Inode of our network namespace: sock_diag only sees this one.
    pub netns: Option<u32>,
}

impl Diag {
    pub fn open() -> Result<Diag> {
        // SAFETY: plain socket(2) call; the result is checked.
        let fd = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_SOCK_DIAG,
            )
        };
        if fd < 0 {
            return Err(Error::io(
                "opening a NETLINK_SOCK_DIAG socket",
                std::io::Error::last_os_error(),
            ));
        }
        // SAFETY: fd is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let netns = std::fs::metadata("/proc/self/ns/net")
            .ok()
            .map(|m| m.ino() as u32);
        Ok(Diag {
            fd,
            seq: 0,
            buf: vec![0; 1 << 16],
            netns,
        })
    }

    /// Every TCP socket (all states) of both address families.
    pub fn snapshot(&mut self) -> Result<Vec<SockInfo>> {
        let mut out = Vec::new();
        for family in [AF_INET, AF_INET6] {
            self.dump(family, &mut out)?;
        }
        Ok(out)
    }

    fn dump(&mut self, family: u16, out: &mut Vec<SockInfo>) -> Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let mut req = [0u8; NLMSG_HDR + 56];
        let len = req.len() as u32;
        req[0..4].copy_from_slice(&len.to_ne_bytes());
        req[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
        req[6..8].copy_from_slice(&flags.to_ne_bytes());
        req[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        req[16] = family as u8;
        req[17] = libc::IPPROTO_TCP as u8;
        req[18] = 1 << (INET_DIAG_INFO - 1);
        req[20..24].copy_from_slice(&u32::MAX.to_ne_bytes());
        let what = || format!("sock_diag dump ({})", family_name(family));
        // SAFETY: req is a valid buffer; the kernel's netlink address is all zeros.
        let n = unsafe {
            let mut addr: libc::sockaddr_nl = std::mem::zeroed();
            addr.nl_family = libc::AF_NETLINK as u16;
            libc::sendto(
                self.fd.as_raw_fd(),
                req.as_ptr().cast(),
                req.len(),
                0,
                (&addr as *const libc::sockaddr_nl).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as u32,
            )
        };
        if n < 0 {
            return Err(Error::io(what(), std::io::Error::last_os_error()));
        }
        loop {
            // SAFETY: buf is valid for writes of its length.
            let n = unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    self.buf.as_mut_ptr().cast(),
                    self.buf.len(),
                    0,
                )
            };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(Error::io(what(), e));
            }
            let mut msgs = &self.buf[..n as usize];
            while msgs.len() >= NLMSG_HDR {
                let len = u32::from_ne_bytes(msgs[0..4].try_into().unwrap()) as usize;
                let typ = u16::from_ne_bytes(msgs[4..6].try_into().unwrap());
                if len < NLMSG_HDR || len > msgs.len() {
                    return Err(Error::device(what(), "malformed netlink message"));
                }
                match typ {
                    NLMSG_DONE => return Ok(()),
                    NLMSG_ERROR => {
                        let errno = i32::from_ne_bytes(msgs[16..20].try_into().unwrap());
                        return Err(Error::io(what(), std::io::Error::from_raw_os_error(-errno)));
                    }
                    SOCK_DIAG_BY_FAMILY => {
                        if let Some(s) = parse_msg(&msgs[NLMSG_HDR..len]) {
                            out.push(s);
                        }
                    }
                    _ => {}
                }
                msgs = &msgs[((len + 3) & !3).min(msgs.len())..];
            }
        }
    }
}

fn parse_addr(family: u16, b: &[u8]) -> IpAddr {
    if family == AF_INET6 {
        IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&b[..16]).unwrap()))
    } else {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

/// Parses one `inet_diag_msg` and its attributes.
fn parse_msg(m: &[u8]) -> Option<SockInfo> {
    if m.len() < DIAG_MSG {
        return None;
    }
    let u32_at = |o: usize| u32::from_ne_bytes(m[o..o + 4].try_into().unwrap());
    let family = m[0] as u16;
    let id = &m[4..52];
    let mut s = SockInfo {
        family,
        state: m[1],
        sport: u16::from_be_bytes([id[0], id[1]]),
        dport: u16::from_be_bytes([id[2], id[3]]),
        saddr: parse_addr(family, &id[4..20]),
        daddr: parse_addr(family, &id[20..36]),
        cookie: u64::from(u32_at(44)) | (u64::from(u32_at(48)) << 32),
        rx_queue: u32_at(56),
        tx_queue: u32_at(60),
        uid: u32_at(64),
        inode: u32_at(68),
        srtt_us: None,
        rx_bytes: None,
        tx_bytes: None,
    };
    let mut attrs = &m[DIAG_MSG..];
    while attrs.len() >= 4 {
        let len = u16::from_ne_bytes([attrs[0], attrs[1]]) as usize;
        let typ = u16::from_ne_bytes([attrs[2], attrs[3]]);
        if len < 4 || len > attrs.len() {
            break;
        }
        if typ == INET_DIAG_INFO {
            // struct tcp_info: tcpi_rtt at 68, tcpi_bytes_acked at 120, _received at 128.
            let info = &attrs[4..len];
            if info.len() >= 72 {
                s.srtt_us = Some(u32::from_ne_bytes(info[68..72].try_into().unwrap()));
            }
            if info.len() >= 136 {
                s.tx_bytes = Some(u64::from_ne_bytes(info[120..128].try_into().unwrap()));
                s.rx_bytes = Some(u64::from_ne_bytes(info[128..136].try_into().unwrap()));
            }
        }
        attrs = &attrs[((len + 3) & !3).min(attrs.len())..];
    }
    Some(s)
}

/// The schema of `netprobe conns`; `processes` adds pid and comm (`--processes`).
pub fn conns_schema(processes: bool) -> SchemaRef {
    let mut fields = vec![
        Field::new("ts", timestamp_type(), false),
        Field::new("family", DataType::Utf8, false),
        Field::new("state", DataType::Utf8, false),
        Field::new("saddr", DataType::Utf8, false),
        Field::new("sport", DataType::UInt16, false),
        Field::new("daddr", DataType::Utf8, false),
        Field::new("dport", DataType::UInt16, false),
        Field::new("uid", DataType::UInt32, false),
        Field::new("inode", DataType::UInt32, false),
        Field::new("rx_queue", DataType::UInt32, false),
        Field::new("tx_queue", DataType::UInt32, false),
        Field::new("srtt_us", DataType::UInt32, true),
        Field::new("rx_bytes", DataType::UInt64, true),
        Field::new("tx_bytes", DataType::UInt64, true),
        Field::new("netns", DataType::UInt32, true),
        Field::new("cookie", DataType::UInt64, false),
    ];
    if processes {
        fields.push(Field::new("pid", DataType::UInt32, true));
        fields.push(Field::new("comm", DataType::Utf8, true));
    }
    Arc::new(Schema::new(fields))
}

/// One batch of `netprobe conns` records taken at `ts_ns`, with the process holding
/// each socket when `holders` is given.
pub fn conns_batch(
    socks: &[SockInfo],
    ts_ns: i64,
    netns: Option<u32>,
    holders: Option<&HashMap<u32, Holder>>,
) -> Result<RecordBatch> {
    let mut ts = TimestampNanosecondBuilder::new().with_timezone("UTC");
    let (mut family, mut state, mut saddr, mut daddr) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut sport, mut dport) = (UInt16Builder::new(), UInt16Builder::new());
    let (mut uid, mut inode, mut rxq, mut txq, mut srtt, mut ns) = (
        UInt32Builder::new(),
        UInt32Builder::new(),
        UInt32Builder::new(),
        UInt32Builder::new(),
        UInt32Builder::new(),
        UInt32Builder::new(),
    );
    let (mut rx, mut tx, mut cookie) = (
        UInt64Builder::new(),
        UInt64Builder::new(),
        UInt64Builder::new(),
    );
    for s in socks {
        ts.append_value(ts_ns);
        family.append_value(family_name(s.family));
        state.append_value(state_name(s.state));
        saddr.append_value(s.saddr.to_string());
        sport.append_value(s.sport);
        daddr.append_value(s.daddr.to_string());
        dport.append_value(s.dport);
        uid.append_value(s.uid);
        inode.append_value(s.inode);
        rxq.append_value(s.rx_queue);
        txq.append_value(s.tx_queue);
        srtt.append_option(s.srtt_us);
        rx.append_option(s.rx_bytes);
        tx.append_option(s.tx_bytes);
        ns.append_option(netns);
        cookie.append_value(s.cookie);
    }
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(ts.finish()),
        Arc::new(family.finish()),
        Arc::new(state.finish()),
        Arc::new(saddr.finish()),
        Arc::new(sport.finish()),
        Arc::new(daddr.finish()),
        Arc::new(dport.finish()),
        Arc::new(uid.finish()),
        Arc::new(inode.finish()),
        Arc::new(rxq.finish()),
        Arc::new(txq.finish()),
        Arc::new(srtt.finish()),
        Arc::new(rx.finish()),
        Arc::new(tx.finish()),
        Arc::new(ns.finish()),
        Arc::new(cookie.finish()),
    ];
    if let Some(holders) = holders {
        let (mut pid, mut comm) = (UInt32Builder::new(), StringBuilder::new());
        for s in socks {
            // Time-wait sockets have no inode and no holder.
            let h = (s.inode != 0).then(|| holders.get(&s.inode)).flatten();
            pid.append_option(h.map(|h| h.pid));
            comm.append_option(h.map(|h| h.comm.as_str()));
        }
        cols.push(Arc::new(pid.finish()));
        cols.push(Arc::new(comm.finish()));
    }
    RecordBatch::try_new(conns_schema(holders.is_some()), cols)
        .map_err(|e| Error::arrow("building conns records", e))
}

/// Turns successive snapshots into sampled events. A connection that opens and closes
/// between two snapshots is not seen at all: that is why these events say `sampled`.
pub struct Differ {
    known: HashMap<u64, SockInfo>,
    netns: Option<u32>,
}

impl Differ {
    /// Starts from `baseline`: sockets that already exist produce no events.
    pub fn new(baseline: Vec<SockInfo>, netns: Option<u32>) -> Differ {
        let known = baseline
            .into_iter()
            .filter(tracked)
            .map(|s| (s.cookie, s))
            .collect();
        Differ { known, netns }
    }

    /// Events between the previous snapshot and `now`.
    pub fn diff(&mut self, now: Vec<SockInfo>, ts_ns: i64) -> Vec<TcpEvent> {
        let listening: HashSet<(u16, u16)> = now
            .iter()
            .filter(|s| s.state == TCP_LISTEN)
            .map(|s| (s.family, s.sport))
            .collect();
        let mut events = Vec::new();
        let mut next = HashMap::with_capacity(self.known.len());
        for s in now.into_iter().filter(tracked) {
            if !self.known.contains_key(&s.cookie) {
                let kind = if listening.contains(&(s.family, s.sport)) {
                    Kind::Accept
                } else {
                    Kind::Connect
                };
                events.push(self.event(&s, kind, ts_ns));
            }
            next.insert(s.cookie, s);
        }
        for (cookie, s) in &self.known {
            if !next.contains_key(cookie) {
                events.push(self.event(s, Kind::Close, ts_ns));
            }
        }
        self.known = next;
        events
    }

    fn event(&self, s: &SockInfo, kind: Kind, ts_ns: i64) -> TcpEvent {
        let close = kind == Kind::Close;
        TcpEvent {
            ts_ns,
            kind,
            pid: None,
            comm: None,
            family: s.family,
            saddr: s.saddr,
            sport: s.sport,
            daddr: s.daddr,
            dport: s.dport,
            oldstate: if close { s.state } else { 0 },
            newstate: if close { 7 } else { s.state },
            netns: self.netns,
            duration_ms: None,
            rx_bytes: if close { s.rx_bytes } else { None },
            tx_bytes: if close { s.tx_bytes } else { None },
            srtt_us: if close { s.srtt_us } else { None },
            sampled: true,
            more: super::event::Detail {
                uid: Some(s.uid),
                ..Default::default()
            },
        }
    }
}

/// Full connections only: listeners and TIME_WAIT minisockets are not connections.
fn tracked(s: &SockInfo) -> bool {
    s.state != TCP_LISTEN && s.state != TCP_TIME_WAIT
}

/// `netprobe conns`: one snapshot.
pub fn snapshot_batch() -> Result<RecordBatch> {
    let mut d = Diag::open()?;
    let socks = d.snapshot()?;
    conns_batch(&socks, now_epoch_ns(), d.netns, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn snapshot_sees_our_listener_and_connection() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let mut d = Diag::open().unwrap();
        let base = d.snapshot().unwrap();
        assert!(base
            .iter()
            .any(|s| s.sport == port && s.state == TCP_LISTEN));
        let mut differ = Differ::new(base, d.netns);
        let c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        let (a, _) = l.accept().unwrap();
        let cport = c.local_addr().unwrap().port();
        let ev = differ.diff(d.snapshot().unwrap(), 1);
        let count = |ev: &[TcpEvent], k: Kind, sp: u16| {
            ev.iter().filter(|e| e.kind == k && e.sport == sp).count()
        };
        assert_eq!(count(&ev, Kind::Connect, cport), 1, "{ev:?}");
        assert_eq!(count(&ev, Kind::Accept, port), 1, "{ev:?}");
        assert!(ev.iter().all(|e| e.sampled));
        drop(c);
        drop(a);
        std::thread::sleep(std::time::Duration::from_millis(50));
        let ev = differ.diff(d.snapshot().unwrap(), 2);
        assert_eq!(count(&ev, Kind::Close, cport), 1, "{ev:?}");
        assert_eq!(count(&ev, Kind::Close, port), 1, "{ev:?}");
    }
}
