//! Events as they come out of the kernel (`struct event` in `ebpf/netprobe.bpf.c`) and
//! as records: the one Arrow schema every `netprobe tcp` output uses, whatever the
//! backend. Lost-event notices share that schema (`type: "lost"`, `count`) so that
//! fixed-schema outputs (Arrow, CSV, Parquet) can carry them too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, StringBuilder,
    TimestampNanosecondBuilder, UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;

/// Size of `struct event` (the C side asserts the same number).
pub const EVENT_SIZE: usize = 136;

pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

/// What happened, as decided in the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Active open completed (SYN_SENT -> ESTABLISHED).
    Connect,
    /// Passive open completed (SYN_RECV -> ESTABLISHED).
    Accept,
    /// Any state -> CLOSE; carries duration, bytes, RTT and retransmits.
    Close,
    /// Any other transition (only with `--events state`).
    State,
    /// A segment sent again (tcp:tcp_retransmit_skb, tcp:tcp_retransmit_synack).
    Retransmit,
    /// A reset sent or received (tcp:tcp_send_reset, tcp:tcp_receive_reset).
    Reset,
    /// A TCP packet the kernel dropped, with its reason (skb:kfree_skb).
    Drop,
    /// A per-socket sample of RTT and congestion window (tcp:tcp_probe).
    Rtt,
}

impl Kind {
    /// Every kind, in the order of the C side's numbering (1-based).
    pub const ALL: [Kind; 8] = [
        Kind::Connect,
        Kind::Accept,
        Kind::Close,
        Kind::State,
        Kind::Retransmit,
        Kind::Reset,
        Kind::Drop,
        Kind::Rtt,
    ];

    /// The number the C side uses (`KIND_*`).
    pub fn raw(self) -> u8 {
        Kind::ALL.iter().position(|&k| k == self).expect("listed") as u8 + 1
    }

    fn from_raw(k: u8) -> Option<Kind> {
        Kind::ALL.get(usize::from(k).checked_sub(1)?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Connect => "connect",
            Kind::Accept => "accept",
            Kind::Close => "close",
            Kind::State => "state",
            Kind::Retransmit => "retransmit",
            Kind::Reset => "reset",
            Kind::Drop => "drop",
            Kind::Rtt => "rtt",
        }
    }

    /// Lifecycle kinds carry oldstate/newstate; the others the socket's `state`.
    pub fn is_lifecycle(self) -> bool {
        matches!(
            self,
            Kind::Connect | Kind::Accept | Kind::Close | Kind::State
        )
    }
}

/// Retransmit kinds (`sub` of a retransmit event), as the C side numbers them.
pub fn retransmit_kind(sub: u8) -> Option<&'static str> {
    Some(match sub {
        1 => "data",
        2 => "syn",
        3 => "synack",
        4 => "tlp",
        5 => "rto",
        6 => "fast",
        _ => return None,
    })
}

/// Reset directions (`sub` of a reset event).
fn reset_direction(sub: u8) -> Option<&'static str> {
    Some(match sub {
        1 => "sent",
        2 => "received",
        _ => return None,
    })
}

/// Linux TCP state names (include/net/tcp_states.h), as `ss` prints them.
pub fn state_name(state: u8) -> &'static str {
    match state {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        12 => "NEW_SYN_RECV",
        _ => "UNKNOWN",
    }
}

pub fn family_name(family: u16) -> &'static str {
    match family {
        AF_INET => "ipv4",
        AF_INET6 => "ipv6",
        _ => "other",
    }
}

/// One decoded TCP event. `pid`/`comm` are `None` when the socket's owner was not seen
/// (it predates the probe) or the backend cannot know it (sock_diag).
#[derive(Debug, Clone, PartialEq)]
pub struct TcpEvent {
    /// Nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    pub kind: Kind,
    pub pid: Option<u32>,
    pub comm: Option<String>,
    pub family: u16,
    pub saddr: IpAddr,
    pub sport: u16,
    pub daddr: IpAddr,
    pub dport: u16,
    /// Lifecycle events: the transition. Other events: both are the socket's state.
    pub oldstate: u8,
    pub newstate: u8,
    pub netns: Option<u32>,
    /// At close only.
    pub duration_ms: Option<f64>,
    pub rx_bytes: Option<u64>,
    pub tx_bytes: Option<u64>,
    pub srtt_us: Option<u32>,
    /// True when the event was inferred from periodic snapshots (sock_diag backend).
    pub sampled: bool,
    /// Who owns the socket and why the connection is slow or failing.
    pub more: Detail,
}

/// The fields beyond the lifecycle: ownership (uid, cgroup) and the per-kind details of
/// retransmit, reset, drop and rtt events. `cgroup` and `reason` are names filled in
/// by [`super::names::Names`] from `cgroup_id` and `reason_code`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail {
    pub uid: Option<u32>,
    pub cgroup_id: Option<u64>,
    pub cgroup: Option<Arc<str>>,
    /// Retransmit kind (data, syn, synack, tlp, rto, fast) or reset direction (sent,
    /// received).
    pub kind: Option<&'static str>,
    /// The drop's `enum skb_drop_reason` or the sent reset's `enum sk_rst_reason`.
    pub reason_code: Option<u16>,
    pub reason: Option<Arc<str>>,
    /// Close and retransmit: the socket's retransmitted segments so far.
    pub retransmits: Option<u32>,
    pub min_rtt_us: Option<u32>,
    pub rttvar_us: Option<u32>,
    pub snd_cwnd: Option<u32>,
    pub ssthresh: Option<u32>,
    /// Retransmit: segments sent again (the unit of the kernel's TcpRetransSegs).
    pub segs: Option<u32>,
    /// Retransmit: 0, or the negative errno the retransmission failed with.
    pub err: Option<i32>,
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_ne_bytes(b[off..off + 8].try_into().expect("8 bytes"))
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_ne_bytes(b[off..off + 4].try_into().expect("4 bytes"))
}
fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_ne_bytes(b[off..off + 2].try_into().expect("2 bytes"))
}

pub fn addr(family: u16, bytes: &[u8]) -> IpAddr {
    let b: [u8; 16] = bytes.try_into().expect("16 bytes");
    if family == AF_INET6 {
        IpAddr::V6(Ipv6Addr::from(b))
    } else {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

/// `struct event`'s flags: uid and cgroup were read from a full socket.
const F_OWNER_SOCK: u32 = 1;

impl TcpEvent {
    /// Decodes one ring-buffer record. `mono_to_epoch_ns` converts the kernel's
    /// CLOCK_MONOTONIC stamp to wall time (see [`mono_to_epoch_offset`]).
    pub fn decode(b: &[u8], mono_to_epoch_ns: i64) -> Result<TcpEvent> {
        if b.len() < EVENT_SIZE {
            return Err(Error::device(
                "netprobe ring buffer",
                format!("short event: {} bytes, expected {EVENT_SIZE}", b.len()),
            ));
        }
        let kind = Kind::from_raw(b[60]).ok_or_else(|| {
            Error::device(
                "netprobe ring buffer",
                format!("unknown event kind {}", b[60]),
            )
        })?;
        let family = u16_at(b, 52);
        let pid = u32_at(b, 40);
        let comm_raw = &b[96..112];
        let comm_len = comm_raw.iter().position(|&c| c == 0).unwrap_or(16);
        let close = kind == Kind::Close;
        let duration_ns = u64_at(b, 16);
        let (sub, reason) = (b[61], u16_at(b, 62));
        let owned = u32_at(b, 132) & F_OWNER_SOCK != 0;
        let (rtx, rtt) = (kind == Kind::Retransmit, kind == Kind::Rtt);
        let more = Detail {
            uid: owned.then(|| u32_at(b, 120)),
            cgroup_id: Some(u64_at(b, 112)).filter(|&id| owned && id != 0),
            cgroup: None,
            kind: match kind {
                Kind::Retransmit => retransmit_kind(sub),
                Kind::Reset => reset_direction(sub),
                _ => None,
            },
            reason_code: (kind == Kind::Drop || (kind == Kind::Reset && sub == 1))
                .then_some(reason),
            reason: None,
            retransmits: (close || rtx || rtt).then(|| u32_at(b, 124)),
            // The kernel's minimum starts at ~0: no RTT was ever measured.
            min_rtt_us: close.then(|| u32_at(b, 128)).filter(|&v| v != u32::MAX),
            rttvar_us: rtt.then(|| u32_at(b, 16)),
            snd_cwnd: if rtt {
                Some(u32_at(b, 20))
            } else if rtx {
                Some(u32_at(b, 24)).filter(|&c| c != 0)
            } else {
                None
            },
            ssthresh: rtt.then(|| u32_at(b, 24)),
            segs: rtx.then(|| u32_at(b, 16)),
            err: rtx.then(|| u32_at(b, 20) as i32),
        };
        Ok(TcpEvent {
            ts_ns: u64_at(b, 0) as i64 + mono_to_epoch_ns,
            kind,
            pid: (pid != 0).then_some(pid),
            comm: (pid != 0).then(|| String::from_utf8_lossy(&comm_raw[..comm_len]).into_owned()),
            family,
            saddr: addr(family, &b[64..80]),
            sport: u16_at(b, 54),
            daddr: addr(family, &b[80..96]),
            dport: u16_at(b, 56),
            oldstate: b[58],
            newstate: b[59],
            netns: Some(u32_at(b, 48)).filter(|&n| n != 0),
            duration_ms: (close && duration_ns != 0).then(|| duration_ns as f64 / 1e6),
            rx_bytes: close.then(|| u64_at(b, 24)),
            tx_bytes: close.then(|| u64_at(b, 32)),
            srtt_us: (close || rtx || rtt)
                .then(|| u32_at(b, 44))
                .filter(|&s| s != 0 || close),
            sampled: false,
            more,
        })
    }
}

/// CLOCK_REALTIME - CLOCK_MONOTONIC in nanoseconds, sampled now.
pub fn mono_to_epoch_offset() -> i64 {
    fn now(clock: libc::clockid_t) -> i64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: ts is a valid timespec we own.
        unsafe { libc::clock_gettime(clock, &mut ts) };
        ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
    now(libc::CLOCK_REALTIME) - now(libc::CLOCK_MONOTONIC)
}

/// Wall-clock time in nanoseconds since the epoch.
pub fn now_epoch_ns() -> i64 {
    chrono::Utc::now()
        .timestamp_nanos_opt()
        .expect("time fits in i64 until 2262")
}

/// Declares the record columns once: the schema, the builder holding one Arrow builder
/// per column, and the batch it finishes into all follow from this list.
macro_rules! columns {
    ($($field:ident($name:literal, $dtype:expr): $builder:ty = $new:expr;)*) => {
        /// The schema of `netprobe tcp` output.
        pub fn tcp_schema() -> SchemaRef {
            Arc::new(Schema::new(vec![
                $(Field::new($name, $dtype, $name != "ts" && $name != "type"),)*
            ]))
        }

        /// Accumulates events and lost notices into one batch of [`tcp_schema`].
        pub struct BatchBuilder {
            rows: usize,
            $($field: $builder,)*
        }

        impl Default for BatchBuilder {
            fn default() -> Self {
                BatchBuilder { rows: 0, $($field: $new,)* }
            }
        }

        impl BatchBuilder {
            /// A null in every column not named in `skip`.
            fn nulls(&mut self, skip: &[&str]) {
                $(if !skip.contains(&$name) {
                    self.$field.append_null();
                })*
            }

            /// Takes the rows so far as a batch and starts over.
            pub fn finish(&mut self) -> Result<RecordBatch> {
                self.rows = 0;
                let cols: Vec<ArrayRef> = vec![$(Arc::new(self.$field.finish()),)*];
                RecordBatch::try_new(tcp_schema(), cols)
                    .map_err(|e| Error::arrow("building netprobe records", e))
            }
        }
    };
}

columns! {
    ts("ts", timestamp_type()): TimestampNanosecondBuilder =
        TimestampNanosecondBuilder::new().with_timezone("UTC");
    typ("type", DataType::Utf8): StringBuilder = StringBuilder::new();
    event("event", DataType::Utf8): StringBuilder = StringBuilder::new();
    pid("pid", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    comm("comm", DataType::Utf8): StringBuilder = StringBuilder::new();
    uid("uid", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    cgroup("cgroup", DataType::Utf8): StringBuilder = StringBuilder::new();
    family("family", DataType::Utf8): StringBuilder = StringBuilder::new();
    saddr("saddr", DataType::Utf8): StringBuilder = StringBuilder::new();
    sport("sport", DataType::UInt16): UInt16Builder = UInt16Builder::new();
    daddr("daddr", DataType::Utf8): StringBuilder = StringBuilder::new();
    dport("dport", DataType::UInt16): UInt16Builder = UInt16Builder::new();
    oldstate("oldstate", DataType::Utf8): StringBuilder = StringBuilder::new();
    newstate("newstate", DataType::Utf8): StringBuilder = StringBuilder::new();
    state("state", DataType::Utf8): StringBuilder = StringBuilder::new();
    kind("kind", DataType::Utf8): StringBuilder = StringBuilder::new();
    reason("reason", DataType::Utf8): StringBuilder = StringBuilder::new();
    netns("netns", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    duration_ms("duration_ms", DataType::Float64): Float64Builder = Float64Builder::new();
    rx_bytes("rx_bytes", DataType::UInt64): UInt64Builder = UInt64Builder::new();
    tx_bytes("tx_bytes", DataType::UInt64): UInt64Builder = UInt64Builder::new();
    srtt_us("srtt_us", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    rttvar_us("rttvar_us", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    min_rtt_us("min_rtt_us", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    snd_cwnd("snd_cwnd", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    ssthresh("ssthresh", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    retransmits("retransmits", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    segs("segs", DataType::UInt32): UInt32Builder = UInt32Builder::new();
    err("err", DataType::Int32): Int32Builder = Int32Builder::new();
    cgroup_id("cgroup_id", DataType::UInt64): UInt64Builder = UInt64Builder::new();
    sampled("sampled", DataType::Boolean): BooleanBuilder = BooleanBuilder::new();
    count("count", DataType::UInt64): UInt64Builder = UInt64Builder::new();
}

/// Appends `a` as text without a String per address (every event has two): IPv4 digit
/// by digit, IPv6 through its Display (compressed, as `to_string` writes it).
fn push_addr(b: &mut StringBuilder, a: &IpAddr) {
    match a {
        IpAddr::V4(v4) => {
            let mut buf = [0u8; 15];
            let mut n = 0;
            for (i, o) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    buf[n] = b'.';
                    n += 1;
                }
                if o >= 100 {
                    buf[n] = b'0' + o / 100;
                    n += 1;
                }
                if o >= 10 {
                    buf[n] = b'0' + o / 10 % 10;
                    n += 1;
                }
                buf[n] = b'0' + o % 10;
                n += 1;
            }
            b.append_value(std::str::from_utf8(&buf[..n]).expect("ASCII digits and dots"));
        }
        IpAddr::V6(_) => {
            use std::fmt::Write;
            // A StringBuilder's Write appends to the value `append_value` then ends.
            let _ = write!(b, "{a}");
            b.append_value("");
        }
    }
}

impl BatchBuilder {
    pub fn len(&self) -> usize {
        self.rows
    }
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn push(&mut self, e: &TcpEvent) {
        self.rows += 1;
        let m = &e.more;
        self.ts.append_value(e.ts_ns);
        self.typ.append_value("tcp");
        self.event.append_value(e.kind.as_str());
        self.pid.append_option(e.pid);
        self.comm.append_option(e.comm.as_deref());
        self.uid.append_option(m.uid);
        self.cgroup.append_option(m.cgroup.as_deref());
        self.family.append_value(family_name(e.family));
        push_addr(&mut self.saddr, &e.saddr);
        self.sport.append_value(e.sport);
        push_addr(&mut self.daddr, &e.daddr);
        self.dport.append_value(e.dport);
        if e.kind.is_lifecycle() {
            self.oldstate.append_value(state_name(e.oldstate));
            self.newstate.append_value(state_name(e.newstate));
            self.state.append_null();
        } else {
            self.oldstate.append_null();
            self.newstate.append_null();
            // A drop of a packet no socket claimed has no state.
            self.state
                .append_option((e.newstate != 0).then(|| state_name(e.newstate)));
        }
        self.kind.append_option(m.kind);
        self.reason.append_option(m.reason.as_deref());
        self.netns.append_option(e.netns);
        self.duration_ms.append_option(e.duration_ms);
        self.rx_bytes.append_option(e.rx_bytes);
        self.tx_bytes.append_option(e.tx_bytes);
        self.srtt_us.append_option(e.srtt_us);
        self.rttvar_us.append_option(m.rttvar_us);
        self.min_rtt_us.append_option(m.min_rtt_us);
        self.snd_cwnd.append_option(m.snd_cwnd);
        self.ssthresh.append_option(m.ssthresh);
        self.retransmits.append_option(m.retransmits);
        self.segs.append_option(m.segs);
        self.err.append_option(m.err);
        self.cgroup_id.append_option(m.cgroup_id);
        self.sampled.append_option(e.sampled.then_some(true));
        self.count.append_null();
    }

    /// A `{"type":"lost","count":N}` record: N events the kernel could not deliver
    /// since the previous notice.
    pub fn push_lost(&mut self, ts_ns: i64, count: u64) {
        self.rows += 1;
        self.ts.append_value(ts_ns);
        self.typ.append_value("lost");
        self.count.append_value(count);
        self.nulls(&["ts", "type", "count"]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(kind: u8, family: u16) -> Vec<u8> {
        let mut b = vec![0u8; EVENT_SIZE];
        b[0..8].copy_from_slice(&1_000u64.to_ne_bytes());
        b[16..24].copy_from_slice(&2_500_000u64.to_ne_bytes());
        b[24..32].copy_from_slice(&7u64.to_ne_bytes());
        b[32..40].copy_from_slice(&9u64.to_ne_bytes());
        b[40..44].copy_from_slice(&4242u32.to_ne_bytes());
        b[44..48].copy_from_slice(&33u32.to_ne_bytes());
        b[48..52].copy_from_slice(&4026531840u32.to_ne_bytes());
        b[52..54].copy_from_slice(&family.to_ne_bytes());
        b[54..56].copy_from_slice(&8080u16.to_ne_bytes());
        b[56..58].copy_from_slice(&50000u16.to_ne_bytes());
        b[58] = 1;
        b[59] = 7;
        b[60] = kind;
        if family == AF_INET {
            b[64..68].copy_from_slice(&[127, 0, 0, 1]);
            b[80..84].copy_from_slice(&[10, 1, 2, 3]);
        } else {
            b[79] = 1;
            b[95] = 1;
        }
        b[96..101].copy_from_slice(b"curl\0");
        b
    }

    #[test]
    fn decodes_a_close_event() {
        let e = TcpEvent::decode(&raw(3, AF_INET), 5).unwrap();
        assert_eq!(e.ts_ns, 1_005);
        assert_eq!(e.kind, Kind::Close);
        assert_eq!(e.pid, Some(4242));
        assert_eq!(e.comm.as_deref(), Some("curl"));
        assert_eq!(e.saddr.to_string(), "127.0.0.1");
        assert_eq!(e.daddr.to_string(), "10.1.2.3");
        assert_eq!((e.sport, e.dport), (8080, 50000));
        assert_eq!(
            (state_name(e.oldstate), state_name(e.newstate)),
            ("ESTABLISHED", "CLOSE")
        );
        assert_eq!(e.duration_ms, Some(2.5));
        assert_eq!(
            (e.rx_bytes, e.tx_bytes, e.srtt_us),
            (Some(7), Some(9), Some(33))
        );
    }

    #[test]
    fn non_close_events_carry_no_close_metrics_and_v6_decodes() {
        let e = TcpEvent::decode(&raw(1, AF_INET6), 0).unwrap();
        assert_eq!(e.kind, Kind::Connect);
        assert_eq!(e.saddr.to_string(), "::1");
        assert_eq!((e.duration_ms, e.rx_bytes, e.srtt_us), (None, None, None));
    }

    #[test]
    fn rejects_short_and_unknown() {
        assert!(TcpEvent::decode(&[0u8; 10], 0).is_err());
        assert!(TcpEvent::decode(&raw(9, AF_INET), 0).is_err());
    }

    #[test]
    fn addresses_are_written_as_their_display_text() {
        let addrs: Vec<IpAddr> = [
            "0.0.0.0",
            "127.0.0.1",
            "10.1.20.255",
            "192.168.100.9",
            "::",
            "::1",
            "fe80::1:2",
            "2001:db8::ff00:42:8329",
            "::ffff:10.0.0.1",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .chain((0..=255u8).map(|o| IpAddr::V4(Ipv4Addr::new(o, 255 - o, o / 2, 7))))
        .collect();
        let mut b = StringBuilder::new();
        for a in &addrs {
            push_addr(&mut b, a);
        }
        let got = b.finish();
        for (i, a) in addrs.iter().enumerate() {
            assert_eq!(got.value(i), a.to_string());
        }
    }

    #[test]
    fn lost_rows_share_the_schema() {
        let mut b = BatchBuilder::default();
        b.push(&TcpEvent::decode(&raw(2, AF_INET), 0).unwrap());
        b.push_lost(10, 17);
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.schema(), tcp_schema());
        assert!(b.is_empty());
    }

    #[test]
    fn kinds_are_numbered_as_the_probe_numbers_them() {
        let c = include_str!("../../../ebpf/netprobe.bpf.c");
        for k in Kind::ALL {
            let line = format!("KIND_{} = {},", k.as_str().to_ascii_uppercase(), k.raw());
            assert!(c.contains(&line), "{line} missing from ebpf/netprobe.bpf.c");
        }
        assert!(c.contains(&format!("sizeof(struct event) == {EVENT_SIZE}")));
    }

    #[test]
    fn decodes_retransmit_drop_and_rtt_details() {
        let mut b = raw(5, AF_INET);
        b[16..20].copy_from_slice(&3u32.to_ne_bytes()); // segs
        b[20..24].copy_from_slice(&0i32.to_ne_bytes()); // err
        b[24..28].copy_from_slice(&10u32.to_ne_bytes()); // snd_cwnd
        b[61] = 4; // tlp
        b[112..120].copy_from_slice(&77u64.to_ne_bytes());
        b[120..124].copy_from_slice(&1000u32.to_ne_bytes());
        b[124..128].copy_from_slice(&5u32.to_ne_bytes());
        b[132..136].copy_from_slice(&1u32.to_ne_bytes());
        let e = TcpEvent::decode(&b, 0).unwrap();
        assert_eq!(e.kind, Kind::Retransmit);
        let m = &e.more;
        assert_eq!(
            (m.kind, m.segs, m.err, m.snd_cwnd),
            (Some("tlp"), Some(3), Some(0), Some(10))
        );
        assert_eq!(
            (m.uid, m.cgroup_id, m.retransmits),
            (Some(1000), Some(77), Some(5))
        );
        assert_eq!(
            (e.rx_bytes, e.duration_ms, m.reason_code),
            (None, None, None)
        );

        let mut b = raw(7, AF_INET);
        b[62..64].copy_from_slice(&12u16.to_ne_bytes());
        b[59] = 0;
        let e = TcpEvent::decode(&b, 0).unwrap();
        assert_eq!(e.kind, Kind::Drop);
        // No full socket (flags 0): no uid or cgroup, even if the bytes are set.
        assert_eq!(
            (e.more.reason_code, e.more.uid, e.more.segs),
            (Some(12), None, None)
        );
        let mut builder = BatchBuilder::default();
        builder.push(&e);
        let batch = builder.finish().unwrap();
        let col = |n: &str| batch.column_by_name(n).unwrap().is_null(0);
        assert!(col("oldstate") && col("newstate") && col("state") && col("kind"));

        let mut b = raw(8, AF_INET6);
        b[16..20].copy_from_slice(&250u32.to_ne_bytes());
        b[20..24].copy_from_slice(&42u32.to_ne_bytes());
        b[24..28].copy_from_slice(&64u32.to_ne_bytes());
        let e = TcpEvent::decode(&b, 0).unwrap();
        let m = &e.more;
        assert_eq!(
            (e.srtt_us, m.rttvar_us, m.snd_cwnd, m.ssthresh),
            (Some(33), Some(250), Some(42), Some(64))
        );
    }
}
