//! `netprobe`: TCP connection lifecycle from the kernel, without touching the traced
//! programs. An eBPF program on the `sock:inet_sock_set_state` tracepoint reports
//! connects, accepts and closes through a ring buffer; without BPF rights the same
//! records are sampled from NETLINK_SOCK_DIAG snapshots. This module holds the command
//! line; loading, decoding, filtering, metrics and the fallback live in submodules.

pub mod diag;
pub mod event;
pub mod filter;
pub mod loader;
pub mod metrics;
pub mod stream;

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::args::parse_duration;
use crate::cli::{CommonArgs, Outcome, OutputArgs, Tool};
use crate::error::{Error, Result};
use crate::record::writer::open_sink;
use filter::Filters;
use stream::{Backend, Emitter, Limits};

const EXAMPLES: &str = "\
Examples:
  sudo netprobe tcp                                 live connect/accept/close records
  sudo netprobe tcp --port 443 --count 100 -o table
  sudo netprobe tcp --duration 60s | etl convert --out conns.parquet
  netprobe conns -o table                           current TCP sockets, like ss -tin
  sudo netprobe serve --listen 127.0.0.1:9464       Prometheus metrics on /metrics

Exit status: 0 success, 1 failure, 2 usage error, 3 finished but events were lost (each
loss is reported as a {\"type\":\"lost\",\"count\":N} record: events the full ring buffer
could not take, and runs of the probe the kernel skipped because another BPF program was
running on that CPU, counted before any filter).";

/// Trace TCP connections from the kernel (eBPF) and stream them as records or metrics.
#[derive(Debug, Parser)]
#[command(name = "netprobe", version, long_version = crate::cli::LONG_VERSION, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BackendChoice {
    /// eBPF when permitted, otherwise sock_diag with a notice on stderr
    Auto,
    /// The eBPF probe; fail if it cannot load
    Ebpf,
    /// Diff sock_diag snapshots: no privileges, but sampled (short connections are
    /// missed) and without pid/comm
    Diag,
}

/// How events are captured, shared by `tcp` and `serve`.
#[derive(Debug, Clone, Args)]
pub struct CaptureArgs {
    #[command(flatten)]
    pub filters: Filters,

    /// Event source
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto, value_name = "BACKEND")]
    pub backend: BackendChoice,

    /// Stop after this long (e.g. 500ms, 10s, 5m, 1h; a bare number is seconds)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,

    /// Also report other state transitions (event "state"), e.g. ESTABLISHED ->
    /// FIN_WAIT1 (eBPF backend)
    #[arg(long)]
    pub states: bool,

    /// Kernel ring buffer size in KiB (a power of two, at least 4); events that do not
    /// fit while the reader is behind are counted as lost
    #[arg(long, default_value_t = 8192, value_name = "KIB", value_parser = parse_ring_kib)]
    pub ring_kib: u32,

    /// Snapshot interval of the sock_diag backend
    #[arg(long, default_value = "100ms", value_name = "DURATION", value_parser = parse_duration)]
    pub interval: Duration,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Stream one record per TCP connect, accept and close
    ///
    /// Fields: ts, type ("tcp", or "lost" with a count), event (connect, accept, close,
    /// state), pid and comm of the process that connected or listened, family, saddr,
    /// sport (local), daddr, dport (remote), oldstate, newstate, netns, and at close
    /// duration_ms, rx_bytes, tx_bytes and srtt_us. Filters run in the
    /// kernel. Records are flushed as they arrive, so pipes see them live.
    ///
    /// rx_bytes and tx_bytes are payload bytes, read from the socket at close like bcc's
    /// tcplife but without the SYN and FIN sequence numbers tcplife's counters include;
    /// retransmitted bytes count once.
    #[command(after_help = "\
Examples:
  sudo netprobe tcp --count 10 -o table
  sudo netprobe tcp --comm curl --family ipv6
  sudo netprobe tcp --lport 8080 --duration 30s --out accepts.parquet
  sudo netprobe tcp --states | etl count
  netprobe tcp --backend diag                       no root needed; sampled, no pid")]
    Tcp {
        #[command(flatten)]
        capture: CaptureArgs,
        /// Stop after N events (lost-event notices do not count)
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the current TCP sockets (one snapshot through NETLINK_SOCK_DIAG)
    ///
    /// Works without privileges, like `ss -tin`: state, addresses, ports, uid, inode,
    /// queues, smoothed RTT and byte counters of every TCP socket in this network
    /// namespace.
    #[command(after_help = "\
Examples:
  netprobe conns -o table
  netprobe conns | etl convert -o csv > sockets.csv")]
    Conns {
        /// Only this address family
        #[arg(long, value_enum, value_name = "FAMILY")]
        family: Option<filter::Family>,
        /// Only sockets in this state (e.g. ESTABLISHED, LISTEN, TIME_WAIT)
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Serve Prometheus metrics on http://ADDR/metrics while tracing
    ///
    /// Metrics: netprobe_connections_total{direction,family}, netprobe_closes_total
    /// {family,oldstate}, netprobe_connection_duration_seconds (histogram),
    /// netprobe_rx_bytes_total, netprobe_tx_bytes_total, netprobe_lost_events_total,
    /// netprobe_events_total, netprobe_probe_up and netprobe_sampled. The bound address
    /// is printed on stderr (useful with port 0).
    #[command(after_help = "\
Examples:
  sudo netprobe serve --listen 127.0.0.1:9464
  sudo netprobe serve --listen [::1]:0 --port 443
  sudo netprobe serve --listen 0.0.0.0:9464 --tcp | etl convert --out events.parquet")]
    Serve {
        /// Address to serve metrics on
        #[arg(long, value_name = "ADDR")]
        listen: SocketAddr,
        /// Also stream the event records to stdout (or --out)
        #[arg(long)]
        tcp: bool,
        #[command(flatten)]
        capture: CaptureArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(Error::Usage("a command is required; see 'netprobe --help'".into()).into());
        };
        Ok(match command {
            Command::Tcp {
                capture,
                count,
                output,
            } => tcp(&capture, count, &output)?,
            Command::Conns {
                family,
                state,
                output,
            } => conns(family, state.as_deref(), &output)?,
            Command::Serve {
                listen,
                tcp,
                capture,
                output,
            } => serve(listen, tcp, &capture, &output)?,
        })
    }
}

fn parse_ring_kib(s: &str) -> Result<u32, String> {
    let n: u32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if n < 4 || !n.is_power_of_two() || n > (1 << 20) {
        return Err(format!(
            "{n}: the ring buffer size must be a power of two between 4 and 1048576 KiB"
        ));
    }
    Ok(n)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Error::io("starting the event loop", e))
}

/// Picks the event source for `--backend`, falling back loudly under `auto`.
fn backend(c: &CaptureArgs) -> Result<Backend> {
    c.filters.comm_bytes()?;
    let diag = || -> Result<Backend> {
        if c.filters.needs_owner() {
            return Err(Error::Usage(
                "--pid and --comm need the eBPF backend: sock_diag does not know the owning process"
                    .into(),
            ));
        }
        if c.states {
            return Err(Error::Usage("--states needs the eBPF backend".into()));
        }
        Ok(Backend::Diag {
            diag: diag::Diag::open()?,
            interval: c.interval,
            filters: c.filters.clone(),
        })
    };
    let load = || {
        let probe = loader::load(&c.filters, c.ring_kib * 1024, c.states)?;
        // Like bpftrace's "Attaching 1 probe...": says when events start to count.
        eprintln!("netprobe: eBPF probe attached to sock:inet_sock_set_state");
        Ok(Backend::Ebpf(Box::new(probe)))
    };
    match c.backend {
        BackendChoice::Ebpf => load(),
        BackendChoice::Diag => diag(),
        BackendChoice::Auto => match load() {
            Ok(b) => Ok(b),
            Err(e) => {
                let b = diag()?;
                crate::cli::warn(&format!(
                    "eBPF unavailable ({e}); falling back to sock_diag snapshots every {:?}: \
                     events are sampled (marked \"sampled\":true), short connections are missed, \
                     no pid/comm",
                    c.interval
                ));
                Ok(b)
            }
        },
    }
}

fn tcp(capture: &CaptureArgs, count: Option<u64>, output: &OutputArgs) -> Result<Outcome> {
    let sink = open_sink(&output.sink_options(), &event::tcp_schema())?;
    let backend = backend(capture)?;
    let limits = Limits {
        count,
        duration: capture.duration,
    };
    runtime()?.block_on(stream::run(
        backend,
        limits,
        Emitter::new(Some(sink), None, count),
    ))
}

fn conns(
    family: Option<filter::Family>,
    state: Option<&str>,
    output: &OutputArgs,
) -> Result<Outcome> {
    let mut d = diag::Diag::open()?;
    let mut socks = d.snapshot()?;
    if let Some(f) = family {
        socks.retain(|s| s.family == f.af());
    }
    if let Some(st) = state {
        let want = st.to_ascii_uppercase().replace('-', "_");
        if !(1..=12).any(|n| event::state_name(n) == want) {
            return Err(Error::Usage(format!(
                "--state {st}: unknown TCP state (ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, \
                 FIN_WAIT2, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, CLOSING)"
            )));
        }
        socks.retain(|s| event::state_name(s.state) == want);
    }
    let batch = diag::conns_batch(&socks, event::now_epoch_ns(), d.netns)?;
    let mut sink = open_sink(&output.sink_options(), &batch.schema())?;
    sink.write(&batch)?;
    sink.finish()?;
    Ok(Outcome::Complete)
}

fn serve(
    listen: SocketAddr,
    tcp: bool,
    capture: &CaptureArgs,
    output: &OutputArgs,
) -> Result<Outcome> {
    let sink = if tcp {
        Some(open_sink(&output.sink_options(), &event::tcp_schema())?)
    } else {
        None
    };
    let rt = runtime()?;
    let (listener, bound) = rt.block_on(metrics::bind(listen))?;
    eprintln!("netprobe: serving metrics on http://{bound}/metrics");
    let backend = backend(capture)?;
    let m = metrics::Metrics::new(matches!(backend, Backend::Diag { .. }));
    rt.spawn(metrics::serve(listener, m.clone()));
    let limits = Limits {
        count: None,
        duration: capture.duration,
    };
    rt.block_on(stream::run(
        backend,
        limits,
        Emitter::new(sink, Some(m), None),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_sizes() {
        assert_eq!(parse_ring_kib("4").unwrap(), 4);
        assert!(parse_ring_kib("3").is_err());
        assert!(parse_ring_kib("2").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        crate::cli::assert_cli_conventions(<Cli as clap::CommandFactory>::command());
    }
}
