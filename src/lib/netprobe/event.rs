//! Events as they come out of the kernel (`struct event` in `ebpf/netprobe.bpf.c`) and
//! as records: the one Arrow schema every `netprobe tcp` output uses, whatever the
//! backend. Lost-event notices share that schema (`type: "lost"`, `count`) so that
//! fixed-schema outputs (Arrow, CSV, Parquet) can carry them too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, StringBuilder, TimestampNanosecondBuilder,
    UInt16Builder, UInt32Builder, UInt64Builder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;

/// Size of `struct event` (the C side asserts the same number).
pub const EVENT_SIZE: usize = 112;

pub const AF_INET: u16 = 2;
pub const AF_INET6: u16 = 10;

/// What happened to the socket, as decided in the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Active open completed (SYN_SENT -> ESTABLISHED).
    Connect,
    /// Passive open completed (SYN_RECV -> ESTABLISHED).
    Accept,
    /// Any state -> CLOSE; carries duration, bytes and RTT.
    Close,
    /// Any other transition (only with `--states`).
    State,
}

impl Kind {
    fn from_raw(k: u8) -> Option<Kind> {
        Some(match k {
            1 => Kind::Connect,
            2 => Kind::Accept,
            3 => Kind::Close,
            4 => Kind::State,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Connect => "connect",
            Kind::Accept => "accept",
            Kind::Close => "close",
            Kind::State => "state",
        }
    }
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

fn addr(family: u16, bytes: &[u8]) -> IpAddr {
    let b: [u8; 16] = bytes.try_into().expect("16 bytes");
    if family == AF_INET6 {
        IpAddr::V6(Ipv6Addr::from(b))
    } else {
        IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
    }
}

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
            netns: Some(u32_at(b, 48)),
            duration_ms: (close && duration_ns != 0).then(|| duration_ns as f64 / 1e6),
            rx_bytes: close.then(|| u64_at(b, 24)),
            tx_bytes: close.then(|| u64_at(b, 32)),
            srtt_us: close.then(|| u32_at(b, 44)),
            sampled: false,
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

/// The schema of `netprobe tcp` output.
pub fn tcp_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("ts", timestamp_type(), false),
        Field::new("type", DataType::Utf8, false),
        Field::new("event", DataType::Utf8, true),
        Field::new("pid", DataType::UInt32, true),
        Field::new("comm", DataType::Utf8, true),
        Field::new("family", DataType::Utf8, true),
        Field::new("saddr", DataType::Utf8, true),
        Field::new("sport", DataType::UInt16, true),
        Field::new("daddr", DataType::Utf8, true),
        Field::new("dport", DataType::UInt16, true),
        Field::new("oldstate", DataType::Utf8, true),
        Field::new("newstate", DataType::Utf8, true),
        Field::new("netns", DataType::UInt32, true),
        Field::new("duration_ms", DataType::Float64, true),
        Field::new("rx_bytes", DataType::UInt64, true),
        Field::new("tx_bytes", DataType::UInt64, true),
        Field::new("srtt_us", DataType::UInt32, true),
        Field::new("sampled", DataType::Boolean, true),
        Field::new("count", DataType::UInt64, true),
    ]))
}

/// Accumulates events and lost notices into one batch of [`tcp_schema`].
pub struct BatchBuilder {
    rows: usize,
    ts: TimestampNanosecondBuilder,
    typ: StringBuilder,
    event: StringBuilder,
    pid: UInt32Builder,
    comm: StringBuilder,
    family: StringBuilder,
    saddr: StringBuilder,
    sport: UInt16Builder,
    daddr: StringBuilder,
    dport: UInt16Builder,
    oldstate: StringBuilder,
    newstate: StringBuilder,
    netns: UInt32Builder,
    duration_ms: Float64Builder,
    rx_bytes: UInt64Builder,
    tx_bytes: UInt64Builder,
    srtt_us: UInt32Builder,
    sampled: BooleanBuilder,
    count: UInt64Builder,
}

impl Default for BatchBuilder {
    fn default() -> Self {
        BatchBuilder {
            rows: 0,
            ts: TimestampNanosecondBuilder::new().with_timezone("UTC"),
            typ: StringBuilder::new(),
            event: StringBuilder::new(),
            pid: UInt32Builder::new(),
            comm: StringBuilder::new(),
            family: StringBuilder::new(),
            saddr: StringBuilder::new(),
            sport: UInt16Builder::new(),
            daddr: StringBuilder::new(),
            dport: UInt16Builder::new(),
            oldstate: StringBuilder::new(),
            newstate: StringBuilder::new(),
            netns: UInt32Builder::new(),
            duration_ms: Float64Builder::new(),
            rx_bytes: UInt64Builder::new(),
            tx_bytes: UInt64Builder::new(),
            srtt_us: UInt32Builder::new(),
            sampled: BooleanBuilder::new(),
            count: UInt64Builder::new(),
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
        self.ts.append_value(e.ts_ns);
        self.typ.append_value("tcp");
        self.event.append_value(e.kind.as_str());
        self.pid.append_option(e.pid);
        self.comm.append_option(e.comm.as_deref());
        self.family.append_value(family_name(e.family));
        self.saddr.append_value(e.saddr.to_string());
        self.sport.append_value(e.sport);
        self.daddr.append_value(e.daddr.to_string());
        self.dport.append_value(e.dport);
        self.oldstate.append_value(state_name(e.oldstate));
        self.newstate.append_value(state_name(e.newstate));
        self.netns.append_option(e.netns);
        self.duration_ms.append_option(e.duration_ms);
        self.rx_bytes.append_option(e.rx_bytes);
        self.tx_bytes.append_option(e.tx_bytes);
        self.srtt_us.append_option(e.srtt_us);
        self.sampled.append_option(e.sampled.then_some(true));
        self.count.append_null();
    }

    /// A `{"type":"lost","count":N}` record: N events the kernel could not deliver
    /// since the previous notice.
    pub fn push_lost(&mut self, ts_ns: i64, count: u64) {
        self.rows += 1;
        self.ts.append_value(ts_ns);
        self.typ.append_value("lost");
        self.event.append_null();
        self.pid.append_null();
        self.comm.append_null();
        self.family.append_null();
        self.saddr.append_null();
        self.sport.append_null();
        self.daddr.append_null();
        self.dport.append_null();
        self.oldstate.append_null();
        self.newstate.append_null();
        self.netns.append_null();
        self.duration_ms.append_null();
        self.rx_bytes.append_null();
        self.tx_bytes.append_null();
        self.srtt_us.append_null();
        self.sampled.append_null();
        self.count.append_value(count);
    }

    /// Takes the rows so far as a batch and starts over.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        self.rows = 0;
        let cols: Vec<ArrayRef> = vec![
            Arc::new(self.ts.finish()),
            Arc::new(self.typ.finish()),
            Arc::new(self.event.finish()),
            Arc::new(self.pid.finish()),
            Arc::new(self.comm.finish()),
            Arc::new(self.family.finish()),
            Arc::new(self.saddr.finish()),
            Arc::new(self.sport.finish()),
            Arc::new(self.daddr.finish()),
            Arc::new(self.dport.finish()),
            Arc::new(self.oldstate.finish()),
            Arc::new(self.newstate.finish()),
            Arc::new(self.netns.finish()),
            Arc::new(self.duration_ms.finish()),
            Arc::new(self.rx_bytes.finish()),
            Arc::new(self.tx_bytes.finish()),
            Arc::new(self.srtt_us.finish()),
            Arc::new(self.sampled.finish()),
            Arc::new(self.count.finish()),
        ];
        RecordBatch::try_new(tcp_schema(), cols)
            .map_err(|e| Error::arrow("building netprobe records", e))
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
    fn lost_rows_share_the_schema() {
        let mut b = BatchBuilder::default();
        b.push(&TcpEvent::decode(&raw(2, AF_INET), 0).unwrap());
        b.push_lost(10, 17);
        let batch = b.finish().unwrap();
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch.schema(), tcp_schema());
        assert!(b.is_empty());
    }
}
