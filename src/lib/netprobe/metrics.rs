//! `netprobe serve`: the same events folded into Prometheus counters and a histogram,
//! exposed as text on `/metrics` by a minimal HTTP/1 server (hyper), so a scraper gets
//! connection rates without anyone reading the record stream.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::event::{family_name, state_name, Kind, TcpEvent, AF_INET, AF_INET6};
use super::names::Names;
use super::stats::{self, Buckets, Totals};
use crate::error::{Error, Result};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpenLabels {
    direction: &'static str,
    family: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CloseLabels {
    family: &'static str,
    oldstate: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RetransmitLabels {
    family: &'static str,
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResetLabels {
    direction: &'static str,
    reason: Arc<str>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DropLabels {
    reason: Arc<str>,
}

/// A series' labels with, under `--metrics-by cgroup`, the event's cgroup.
type Labeled<L> = (L, Vec<(&'static str, Arc<str>)>);

/// `--metrics-by cgroup`: the cgroups given their own series, at most `cap`; events of
/// any further cgroup are counted under `cgroup="other"` and in `overflow`, so a host
/// with thousands of short-lived cgroups cannot blow up the scrape.
#[derive(Debug)]
struct CgroupLabels {
    cap: usize,
    seen: std::sync::Mutex<std::collections::HashSet<Arc<str>>>,
    overflow: Counter,
}

/// Every metric netprobe exports. All fields are atomics, shared with the HTTP task.
pub struct Metrics {
    registry: Registry,
    opened: Family<Labeled<OpenLabels>, Counter>,
    closed: Family<Labeled<CloseLabels>, Counter>,
    duration: Buckets,
    rx_bytes: Counter,
    tx_bytes: Counter,
    lost: Counter,
    events: Counter,
    retransmits: Family<Labeled<RetransmitLabels>, Counter>,
    resets: Family<Labeled<ResetLabels>, Counter>,
    drops: Family<Labeled<DropLabels>, Counter>,
    rtt: Buckets,
    probe_up: Gauge,
    sampled: Gauge,
    by_cgroup: Option<CgroupLabels>,
}

impl Metrics {
    /// `sampled` tells scrapers the counts come from sock_diag snapshots, not the probe.
    /// `cgroup_cap`: label the counters with the event's cgroup, for at most that many
    /// cgroups (`--metrics-by cgroup`).
    pub fn new(sampled: bool, cgroup_cap: Option<usize>) -> Arc<Metrics> {
        let mut registry = Registry::with_prefix("netprobe");
        let opened = Family::<Labeled<OpenLabels>, Counter>::default();
        let closed = Family::<Labeled<CloseLabels>, Counter>::default();
        // 0.1 ms .. ~ 1.8 h in powers of 4.
        let duration = Buckets::new(stats::duration_bounds());
        let (rx_bytes, tx_bytes, lost, events) = (
            Counter::default(),
            Counter::default(),
            Counter::default(),
            Counter::default(),
        );
        let probe_up = Gauge::default();
        let sampled_g = Gauge::default();
        let retransmits = Family::<Labeled<RetransmitLabels>, Counter>::default();
        let resets = Family::<Labeled<ResetLabels>, Counter>::default();
        let drops = Family::<Labeled<DropLabels>, Counter>::default();
        // 10 us .. ~5 s in powers of 2.
        let rtt = Buckets::new(stats::rtt_bounds());
        registry.register(
            "retransmit_segments",
            "TCP segments retransmitted (the kernel's TcpRetransSegs), by kind: data, syn, \
             synack, tlp (tail loss probe), rto (after a timeout), fast (recovery)",
            retransmits.clone(),
        );
        registry.register(
            "resets",
            "TCP resets sent and received; reason is the kernel's sk_rst_reason for sent ones",
            resets.clone(),
        );
        registry.register(
            "drops",
            "TCP packets the kernel dropped, by its skb_drop_reason",
            drops.clone(),
        );
        registry.register(
            "rtt_seconds",
            "Smoothed RTT of TCP connections, sampled per connection (--events rtt) and at close",
            rtt.clone(),
        );
        registry.register(
            "connections",
            "TCP connections established, by direction (connect = active, accept = passive)",
            opened.clone(),
        );
        registry.register(
            "closes",
            "TCP sockets closed, by the state they closed from",
            closed.clone(),
        );
        registry.register(
            "connection_duration_seconds",
            "Lifetime of closed TCP connections, from connect/accept to close",
            duration.clone(),
        );
        registry.register(
            "rx_bytes",
            "Bytes received on TCP connections, counted when they close",
            rx_bytes.clone(),
        );
        registry.register(
            "tx_bytes",
            "Bytes sent and acknowledged on TCP connections, counted when they close",
            tx_bytes.clone(),
        );
        registry.register(
            "lost_events",
            "Events the kernel dropped because the ring buffer was full",
            lost.clone(),
        );
        registry.register("events", "TCP events received", events.clone());
        registry.register(
            "probe_up",
            "1 while the event source (eBPF probe or sock_diag poller) is running",
            probe_up.clone(),
        );
        registry.register(
            "sampled",
            "1 when events come from sock_diag snapshots (missing short connections)",
            sampled_g.clone(),
        );
        sampled_g.set(i64::from(sampled));
        let by_cgroup = cgroup_cap.map(|cap| {
            let overflow = Counter::default();
            registry.register(
                "cgroup_label_overflow",
                "Events of cgroups past --metrics-cgroups-max, counted under cgroup=\"other\"",
                overflow.clone(),
            );
            CgroupLabels {
                cap,
                seen: Default::default(),
                overflow,
            }
        });
        Arc::new(Metrics {
            registry,
            opened,
            closed,
            duration,
            rx_bytes,
            tx_bytes,
            lost,
            events,
            retransmits,
            resets,
            drops,
            rtt,
            probe_up,
            sampled: sampled_g,
            by_cgroup,
        })
    }

    pub fn set_up(&self, up: bool) {
        self.probe_up.set(i64::from(up));
    }

    pub fn is_sampled(&self) -> bool {
        self.sampled.get() == 1
    }

    /// The cgroup label of `e` under `--metrics-by cgroup` (none otherwise).
    fn extra(&self, e: &TcpEvent) -> Vec<(&'static str, Arc<str>)> {
        let Some(c) = &self.by_cgroup else {
            return Vec::new();
        };
        // A socket whose cgroup is unknown (not a full socket, or gone) is "".
        let path = e.more.cgroup.clone().unwrap_or_else(|| Arc::from(""));
        let mut seen = c.seen.lock().unwrap_or_else(|p| p.into_inner());
        let label = if seen.contains(&path) || seen.len() < c.cap {
            seen.insert(path.clone());
            path
        } else {
            c.overflow.inc();
            Arc::from("other")
        };
        vec![("cgroup", label)]
    }

    pub fn observe(&self, e: &TcpEvent) {
        self.events.inc();
        let extra = self.extra(e);
        let family = family_name(e.family);
        match e.kind {
            Kind::Connect | Kind::Accept => {
                let direction = e.kind.as_str();
                self.opened
                    .get_or_create(&(OpenLabels { direction, family }, extra.clone()))
                    .inc();
            }
            Kind::Close => {
                self.closed
                    .get_or_create(&(
                        CloseLabels {
                            family,
                            oldstate: state_name(e.oldstate),
                        },
                        extra.clone(),
                    ))
                    .inc();
                if let Some(ms) = e.duration_ms {
                    self.duration.observe(ms / 1000.0);
                }
                self.rx_bytes.inc_by(e.rx_bytes.unwrap_or(0));
                self.tx_bytes.inc_by(e.tx_bytes.unwrap_or(0));
                self.observe_rtt(e);
            }
            Kind::State => {}
            Kind::Retransmit => {
                if e.more.err == Some(0) {
                    let kind = e.more.kind.unwrap_or("data");
                    self.retransmits
                        .get_or_create(&(RetransmitLabels { family, kind }, extra.clone()))
                        .inc_by(u64::from(e.more.segs.unwrap_or(1)));
                }
            }
            Kind::Reset => {
                let direction = e.more.kind.unwrap_or("sent");
                let reason = e.more.reason.clone().unwrap_or_else(|| Arc::from(""));
                self.resets
                    .get_or_create(&(ResetLabels { direction, reason }, extra.clone()))
                    .inc();
            }
            Kind::Drop => {
                let reason = e.more.reason.clone().unwrap_or_else(|| Arc::from(""));
                self.drops
                    .get_or_create(&(DropLabels { reason }, extra.clone()))
                    .inc();
            }
            Kind::Rtt => self.observe_rtt(e),
        }
    }

    fn observe_rtt(&self, e: &TcpEvent) {
        if let Some(us) = e.srtt_us.filter(|&us| us > 0) {
            self.rtt.observe(f64::from(us) / 1e6);
        }
    }

    /// Folds what the kernel counted since the last call (`d`, see [`stats`]) into
    /// the metrics: the in-kernel form of [`Metrics::observe`], giving the same series.
    pub fn add_aggregates(&self, d: &Totals, names: &mut Names) {
        self.events.inc_by(d.get(stats::S_EVENTS));
        let families = [(0, AF_INET), (1, AF_INET6)];
        for (v6, af) in families {
            let family = family_name(af);
            for (accept, direction) in [(0, "connect"), (2, "accept")] {
                let n = d.get(stats::S_OPENED + accept + v6);
                if n > 0 {
                    self.opened
                        .get_or_create(&(OpenLabels { direction, family }, Vec::new()))
                        .inc_by(n);
                }
            }
            for state in 0..16 {
                let n = d.get(stats::S_CLOSED + v6 * 16 + state);
                if n > 0 {
                    let oldstate = state_name(state as u8);
                    self.closed
                        .get_or_create(&(CloseLabels { family, oldstate }, Vec::new()))
                        .inc_by(n);
                }
            }
            for sub in 1..=6u8 {
                let n = d.get(stats::S_RETRANS_SEGS + v6 * 8 + usize::from(sub));
                if n > 0 {
                    let kind = super::event::retransmit_kind(sub).unwrap_or("data");
                    self.retransmits
                        .get_or_create(&(RetransmitLabels { family, kind }, Vec::new()))
                        .inc_by(n);
                }
            }
        }
        let durations = stats::S_DURATION_SUM_NS - stats::S_DURATION;
        let sum = d.get(stats::S_DURATION_SUM_NS) as f64 / 1e9;
        add_histogram(&self.duration, d, stats::S_DURATION, durations, sum);
        let rtts = stats::S_RTT_SUM_US - stats::S_RTT;
        let sum = d.get(stats::S_RTT_SUM_US) as f64 / 1e6;
        add_histogram(&self.rtt, d, stats::S_RTT, rtts, sum);
        self.rx_bytes.inc_by(d.get(stats::S_RX_BYTES));
        self.tx_bytes.inc_by(d.get(stats::S_TX_BYTES));
        let received = d.get(stats::S_RESET_RECEIVED);
        if received > 0 {
            let reason = Arc::from("");
            self.resets
                .get_or_create(&(
                    ResetLabels {
                        direction: "received",
                        reason,
                    },
                    Vec::new(),
                ))
                .inc_by(received);
        }
        for (base, slots, drop) in [
            (stats::S_RESET_SENT, stats::S_RESET_SENT_SLOTS, false),
            (stats::S_DROP, stats::S_DROP_SLOTS, true),
        ] {
            for code in 0..slots {
                let n = d.get(base + code);
                if n == 0 {
                    continue;
                }
                // The last slot holds every reason past the others.
                let reason = if code == slots - 1 {
                    Arc::from("other")
                } else {
                    names.reason(drop, code as u16)
                };
                if drop {
                    self.drops
                        .get_or_create(&(DropLabels { reason }, Vec::new()))
                        .inc_by(n);
                } else {
                    self.resets
                        .get_or_create(&(
                            ResetLabels {
                                direction: "sent",
                                reason,
                            },
                            Vec::new(),
                        ))
                        .inc_by(n);
                }
            }
        }
    }

    pub fn add_lost(&self, n: u64) {
        self.lost.inc_by(n);
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Adds the `n` bucket counts at `d[base..base + n]`, which sum to `sum`, to `h`.
fn add_histogram(h: &Buckets, d: &Totals, base: usize, n: usize, sum: f64) {
    let counts: Vec<u64> = (0..n).map(|i| d.get(base + i)).collect();
    h.add(&counts, sum);
}

/// Binds `addr` now (so a bad address fails before the probe loads) and returns the
/// listener and its actual address (port 0 picks a free one).
pub async fn bind(addr: SocketAddr) -> Result<(tokio::net::TcpListener, SocketAddr)> {
    let l = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Error::io(format!("listening on {addr}"), e))?;
    let local = l
        .local_addr()
        .map_err(|e| Error::io(format!("listening on {addr}"), e))?;
    Ok((l, local))
}

/// Serves `/metrics` until the runtime shuts down.
pub async fn serve(listener: tokio::net::TcpListener, metrics: Arc<Metrics>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let m = metrics.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let m = m.clone();
                async move { Ok::<_, Infallible>(respond(&req, &m)) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            // A client hanging up mid-response is its own business.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

fn respond(req: &Request<hyper::body::Incoming>, m: &Metrics) -> Response<Full<Bytes>> {
    let (status, ctype, body) = match (req.method(), req.uri().path()) {
        (&hyper::Method::GET, "/metrics") => (
            200,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            m.encode(),
        ),
        (&hyper::Method::GET, "/") => (
            200,
            "text/plain; charset=utf-8",
            "netprobe: metrics at /metrics\n".to_string(),
        ),
        _ => (404, "text/plain; charset=utf-8", "not found\n".to_string()),
    };
    Response::builder()
        .status(status)
        .header("content-type", ctype)
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

#[cfg(test)]
mod tests {
    use super::super::event::AF_INET6;
    use super::*;
    use std::net::{IpAddr, Ipv6Addr};

    #[test]
    fn counts_connections_and_bytes() {
        let m = Metrics::new(false, None);
        let mut e = TcpEvent {
            ts_ns: 0,
            kind: Kind::Accept,
            pid: Some(1),
            comm: Some("x".into()),
            family: AF_INET6,
            saddr: IpAddr::V6(Ipv6Addr::LOCALHOST),
            sport: 80,
            daddr: IpAddr::V6(Ipv6Addr::LOCALHOST),
            dport: 5000,
            oldstate: 3,
            newstate: 1,
            netns: None,
            duration_ms: None,
            rx_bytes: None,
            tx_bytes: None,
            srtt_us: None,
            sampled: false,
            more: Default::default(),
        };
        m.observe(&e);
        e.kind = Kind::Close;
        e.oldstate = 1;
        e.newstate = 7;
        e.duration_ms = Some(3.0);
        e.rx_bytes = Some(100);
        e.tx_bytes = Some(7);
        m.observe(&e);
        m.add_lost(2);
        let text = m.encode();
        assert!(
            text.contains(r#"netprobe_connections_total{direction="accept",family="ipv6"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"netprobe_closes_total{family="ipv6",oldstate="ESTABLISHED"} 1"#),
            "{text}"
        );
        assert!(text.contains("netprobe_rx_bytes_total 100"), "{text}");
        assert!(text.contains("netprobe_lost_events_total 2"), "{text}");
        assert!(
            text.contains("netprobe_connection_duration_seconds_count 1"),
            "{text}"
        );

        e.kind = Kind::Retransmit;
        e.more.kind = Some("rto");
        e.more.segs = Some(3);
        e.more.err = Some(0);
        m.observe(&e);
        e.more.err = Some(-11); // failed: not a TcpRetransSegs segment
        m.observe(&e);
        e.kind = Kind::Drop;
        e.more.reason = Some("NETFILTER_DROP".into());
        m.observe(&e);
        e.kind = Kind::Rtt;
        e.srtt_us = Some(120);
        m.observe(&e);
        let text = m.encode();
        for want in [
            r#"netprobe_retransmit_segments_total{family="ipv6",kind="rto"} 3"#,
            r#"netprobe_drops_total{reason="NETFILTER_DROP"} 1"#,
            "netprobe_rtt_seconds_count 1",
        ] {
            assert!(text.contains(want), "{want} missing from {text}");
        }
    }
}
