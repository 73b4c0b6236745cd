//! `netprobe`: TCP connection lifecycle from the kernel, without touching the traced
//! programs. An eBPF program on the `sock:inet_sock_set_state` tracepoint reports
//! connects, accepts and closes through a ring buffer; without BPF rights the same
//! records are sampled from NETLINK_SOCK_DIAG snapshots. This module holds the command
//! line; loading, decoding, filtering, metrics and the fallback live in submodules.

pub mod btf;
pub mod diag;
pub mod event;
pub mod filter;
pub mod loader;
pub mod metrics;
pub mod names;
pub mod privs;
pub mod procs;
pub mod stats;
pub mod stream;
pub mod top;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::cli::args::parse_duration;
use crate::cli::{CommonArgs, Outcome, OutputArgs, Tool};
use crate::error::{Error, Result};
use crate::record::writer::open_sink;
use filter::{parse_events, EventSet, Filters};
use stream::{Backend, Emitter, Limits};

const EXAMPLES: &str = "\
Examples:
  sudo netprobe tcp                                 live connect/accept/close records
  sudo netprobe tcp --port 443 --count 100 -o table
  sudo netprobe tcp --duration 60s | etl convert --out conns.parquet
  sudo netprobe tcp --events retransmit,reset,drop  why connections are slow or fail
  sudo netprobe top                                 live per-process throughput, like tcptop
  netprobe conns -o table                           current TCP sockets, like ss -tin
  sudo netprobe serve --user nobody                 Prometheus metrics on 127.0.0.1:9464

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

/// Extra labels for `serve`'s counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricsBy {
    /// The socket's cgroup path
    Cgroup,
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

    /// Events to report, comma-separated: connect, accept, close (together:
    /// lifecycle), state (other transitions, e.g. ESTABLISHED -> FIN_WAIT1),
    /// retransmit, reset, drop, rtt, or all. Each beyond the lifecycle attaches one
    /// more kernel probe (eBPF backend)
    #[arg(long, value_name = "LIST", value_parser = parse_events, default_value = "lifecycle")]
    pub events: EventSet,

    /// Also report other state transitions: the same as adding "state" to --events
    #[arg(long)]
    pub states: bool,

    /// With --events rtt: at most one rtt record per connection this often
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1s")]
    pub rtt_every: Duration,

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
    /// Live table of who uses the network: throughput, connections, retransmits and
    /// drops per process (or flow, remote address, cgroup), like tcptop
    ///
    /// The kernel keeps per-socket totals (bytes from every send and receive, and the
    /// connections, retransmitted segments and drops of each socket); every --interval
    /// they are read and the growth is shown, busiest first. On a terminal the table is
    /// redrawn in place, cut to the terminal's size; q or Ctrl-C quits. On a pipe (or
    /// with -o) each interval writes one record per active row: ts, interval_s, the
    /// group's fields (pid, comm; saddr, sport, daddr, dport; cgroup), tx_bytes,
    /// rx_bytes, tx_bps, rx_bps, conns, retransmits, drops, sockets. Needs the eBPF
    /// backend.
    #[command(after_help = "\
Examples:
  sudo netprobe top
  sudo netprobe top --by flow --port 443
  sudo netprobe top --by cgroup --interval 5s
  sudo netprobe top --interval 1s --duration 1m -o ndjson | etl agg --by comm --agg 'sum(tx_bytes)'")]
    Top {
        #[command(flatten)]
        filters: Filters,
        /// Group rows by
        #[arg(long, value_enum, default_value_t = top::By::Process, value_name = "BY")]
        by: top::By,
        /// Refresh (and record) interval
        #[arg(long, default_value = "1s", value_name = "DURATION", value_parser = parse_duration)]
        interval: Duration,
        /// Stop after this long
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        duration: Option<Duration>,
        /// Stop after N intervals
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Stream one record per TCP connect, accept and close, and with --events per
    /// retransmit, reset, drop and RTT sample
    ///
    /// Fields: ts, type ("tcp", or "lost" with a count), event (connect, accept, close,
    /// state, retransmit, reset, drop, rtt), pid and comm of the process that connected
    /// or listened, uid and cgroup (path, and cgroup_id) the socket was made in, family,
    /// saddr, sport (local), daddr, dport (remote), netns; oldstate and newstate for
    /// connect, accept, close and state; for the other events the socket's state.
    /// At close: duration_ms, rx_bytes, tx_bytes, srtt_us, min_rtt_us, retransmits.
    /// Retransmit: kind (data, syn, synack, tlp = tail loss probe, rto = after a
    /// timeout, fast = fast recovery), segs (the unit of the kernel's TcpRetransSegs),
    /// err (non-zero when it failed), srtt_us, snd_cwnd, retransmits so far. Reset:
    /// kind (sent, received), reason for sent ones (the kernel's sk_rst_reason). Drop:
    /// reason (the kernel's skb_drop_reason, by the name this kernel's BTF gives it,
    /// e.g. NETFILTER_DROP); the flow is the socket's when the packet belongs to one,
    /// else the packet's source (saddr) and destination (daddr). Rtt: srtt_us,
    /// rttvar_us, snd_cwnd, ssthresh, retransmits. Filters run in the kernel. Records
    /// are flushed as they arrive, so pipes see them live.
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
  sudo netprobe tcp --events retransmit,drop | etl agg --window 10s --by reason --agg 'count(*)'
  sudo netprobe tcp --events all --cgroup /system.slice/nginx.service
  sudo netprobe tcp --events rtt --rtt-every 100ms --dport 443
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
    /// namespace; with --processes also who holds it, like `ss -tinp`.
    #[command(after_help = "\
Examples:
  netprobe conns -o table
  netprobe conns --processes --state listen -o table
  netprobe conns | etl convert -o csv > sockets.csv")]
    Conns {
        /// Only this address family
        #[arg(long, value_enum, value_name = "FAMILY")]
        family: Option<filter::Family>,
        /// Only sockets in this state (e.g. ESTABLISHED, LISTEN, TIME_WAIT)
        #[arg(long, value_name = "STATE")]
        state: Option<String>,
        /// Add pid and comm of the process holding each socket, like `ss -p` (found
        /// through /proc/PID/fd: without root, only the user's own processes)
        #[arg(long, short = 'p')]
        processes: bool,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Serve Prometheus metrics on http://ADDR/metrics while tracing
    ///
    /// Metrics: netprobe_connections_total{direction,family}, netprobe_closes_total
    /// {family,oldstate}, netprobe_connection_duration_seconds (histogram),
    /// netprobe_rx_bytes_total, netprobe_tx_bytes_total, and with --events
    /// netprobe_retransmit_segments_total{family,kind}, netprobe_resets_total
    /// {direction,reason}, netprobe_drops_total{reason}, netprobe_rtt_seconds
    /// (histogram); netprobe_lost_events_total, netprobe_events_total, netprobe_probe_up
    /// and netprobe_sampled. Listens on 127.0.0.1:9464 unless --listen says otherwise;
    /// the bound address is printed on stderr (useful with port 0). Once the probe is
    /// attached it drops every capability (and with --user becomes that user), so
    /// /proc/PID/status shows empty capability sets.
    #[command(after_help = "\
Examples:
  sudo netprobe serve --user nobody
  sudo netprobe serve --listen [::1]:0 --port 443 --events all
  sudo netprobe serve --metrics-by cgroup --cgroup /kubepods --metrics-cgroups-max 500
  sudo netprobe serve --listen 0.0.0.0:9464 --tcp | etl convert --out events.parquet")]
    Serve {
        /// Address to serve metrics on (another host's view needs e.g. 0.0.0.0:9464)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
        listen: SocketAddr,
        /// After attaching, become this user (a name or number; its primary group too)
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        /// Also label the connection, close, retransmit, reset and drop counters by the
        /// socket's cgroup (counted from the event stream rather than in the kernel)
        #[arg(long, value_enum, value_name = "LABEL")]
        metrics_by: Option<MetricsBy>,
        /// With --metrics-by cgroup: at most this many cgroups get series of their own;
        /// the rest are counted under cgroup="other" and in
        /// netprobe_cgroup_label_overflow_total
        #[arg(long, default_value_t = 100, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        metrics_cgroups_max: u64,
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
            Command::Top {
                filters,
                by,
                interval,
                duration,
                count,
                output,
            } => top(
                &filters,
                top::Plan {
                    by,
                    interval,
                    duration,
                    count,
                },
                &output,
            )?,
            Command::Conns {
                family,
                state,
                processes,
                output,
            } => conns(family, state.as_deref(), processes, &output)?,
            Command::Serve {
                listen,
                user,
                metrics_by,
                metrics_cgroups_max,
                tcp,
                capture,
                output,
            } => {
                let cgroup_cap = metrics_by.map(|MetricsBy::Cgroup| metrics_cgroups_max as usize);
                serve(listen, user.as_deref(), cgroup_cap, tcp, &capture, &output)?
            }
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
/// `aggregate`: count events in the kernel for metrics instead of streaming them.
fn backend(c: &CaptureArgs, aggregate: bool) -> Result<Backend> {
    c.filters.comm_bytes()?;
    // Resolved first: a cgroup that does not exist is a usage error, not a reason to
    // fall back to sock_diag.
    let cgroup = c.filters.cgroup_id()?;
    let events = if c.states {
        c.events.with(event::Kind::State)
    } else {
        c.events
    };
    let diag = || -> Result<Backend> {
        if let Some(why) = c.filters.needs_ebpf() {
            return Err(Error::Usage(why.into()));
        }
        if events != EventSet::LIFECYCLE {
            return Err(Error::Usage(
                "--events beyond connect, accept and close (and --states) need the eBPF backend"
                    .into(),
            ));
        }
        Ok(Backend::Diag {
            diag: diag::Diag::open()?,
            interval: c.interval,
            filters: c.filters.clone(),
        })
    };
    let load = || {
        let kernel = loader::Config {
            filters: &c.filters,
            cgroup,
            events,
            rtt_every: c.rtt_every,
            ring_bytes: c.ring_kib * 1024,
            aggregate,
            top: false,
        };
        let (probe, names) = load_probe(kernel)?;
        Ok(Backend::Ebpf {
            probe: Box::new(probe),
            names,
        })
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
    let backend = backend(capture, false)?;
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

fn top(filters: &Filters, plan: top::Plan, output: &OutputArgs) -> Result<Outcome> {
    if plan.interval < Duration::from_millis(10) {
        return Err(Error::Usage("--interval must be at least 10ms".into()));
    }
    let opts = output.sink_options();
    let screen = opts.path.is_none()
        && opts.resolve()? == crate::record::OutputFormat::Table
        && std::io::stdout().is_terminal();
    // Opened before the probe loads, so a bad --out fails first.
    let sink = (!screen)
        .then(|| open_sink(&opts, &top::schema()))
        .transpose()?;
    let events = EventSet::LIFECYCLE
        .with(event::Kind::Retransmit)
        .with(event::Kind::Drop);
    let (probe, names) = load_probe(loader::Config {
        filters,
        cgroup: filters.cgroup_id()?,
        events,
        rtt_every: Duration::from_secs(1),
        ring_bytes: 4096,
        aggregate: false,
        top: true,
    })?;
    let view = match sink {
        Some(sink) => top::View::Records(sink),
        None => top::View::Screen {
            keys: crate::cli::RawKeys::new(),
        },
    };
    runtime()?.block_on(top::run(Box::new(probe), names, plan, view))
}

/// Loads the eBPF probe `cfg` asks for, its drop reasons bounded by this kernel's
/// BTF, with the names its numbers will be given; says on stderr what it attached to.
fn load_probe(cfg: loader::Config) -> Result<(loader::Probe, names::Names)> {
    cfg.filters.comm_bytes()?;
    let names = names::Names::new();
    let probe = loader::load(&cfg, names.drop_reason_min())?;
    // Like bpftrace's "Attaching 1 probe...": says when events start to count.
    eprintln!(
        "netprobe: eBPF probe attached to {}",
        probe.attached().join(", ")
    );
    Ok((probe, names))
}

fn conns(
    family: Option<filter::Family>,
    state: Option<&str>,
    processes: bool,
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
    let holders = processes.then(procs::socket_holders);
    let batch = diag::conns_batch(&socks, event::now_epoch_ns(), d.netns, holders.as_ref())?;
    let mut sink = open_sink(&output.sink_options(), &batch.schema())?;
    sink.write(&batch)?;
    sink.finish()?;
    Ok(Outcome::Complete)
}

fn serve(
    listen: SocketAddr,
    user: Option<&str>,
    cgroup_cap: Option<usize>,
    tcp: bool,
    capture: &CaptureArgs,
    output: &OutputArgs,
) -> Result<Outcome> {
    // Looked up first: a wrong name is a usage error before anything is loaded.
    let user = user.map(privs::parse_user).transpose()?;
    let sink = if tcp {
        Some(open_sink(&output.sink_options(), &event::tcp_schema())?)
    } else {
        None
    };
    let rt = runtime()?;
    let (listener, bound) = rt.block_on(metrics::bind(listen))?;
    eprintln!("netprobe: serving metrics on http://{bound}/metrics");
    // Without a record stream the events are counted in the kernel: no ring buffer
    // traffic, no per-event userspace work. Cgroup labels need each event's cgroup.
    let backend = backend(capture, !tcp && cgroup_cap.is_none())?;
    // The probe is attached and the socket bound: nothing below needs a privilege.
    privs::drop_privileges(user)?;
    let m = metrics::Metrics::new(matches!(backend, Backend::Diag { .. }), cgroup_cap);
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
