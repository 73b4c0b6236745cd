//! Loading the kernel-side program: preflight checks that turn the usual failures (not
//! root, no BTF, old kernel) into one-line errors, then aya load and attach.

use std::os::fd::{AsFd, AsRawFd};
use std::path::Path;
use std::time::Duration;

use aya::maps::{HashMap as AyaHashMap, MapData, PerCpuArray, RingBuf};
use aya::programs::BtfTracePoint;
use aya::Btf;
use aya::{include_bytes_aligned, Ebpf, EbpfLoader};

use super::event::Kind;
use super::filter::{EventSet, Filters};
use super::names::CgroupId;
use super::stats::Totals;
use super::top::SockStat;
use crate::error::{Error, Result};

/// The BPF object built by build.rs from ebpf/netprobe.bpf.c.
static BPF_OBJECT: &[u8] = include_bytes_aligned!(concat!(env!("OUT_DIR"), "/netprobe.bpf.o"));

const BTF: &str = "/sys/kernel/btf/vmlinux";

/// Capability bits (linux/capability.h).
const CAP_SYS_ADMIN: u32 = 21;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

/// Why the eBPF backend cannot run here; `auto` falls back to sock_diag on these.
pub fn unavailable_reason() -> Option<Error> {
    check_privileges().err().or_else(|| check_btf().err())
}

fn effective_caps() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .unwrap_or(0)
}

fn check_privileges() -> Result<()> {
    let caps = effective_caps();
    let has = |c: u32| caps & (1u64 << c) != 0;
    if has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON)) {
        return Ok(());
    }
    Err(Error::device(
        "netprobe",
        "loading the eBPF probe needs root (or CAP_BPF and CAP_PERFMON)",
    )
    .with_hint("run with sudo, or use --backend diag for sampled events without BPF"))
}

fn check_btf() -> Result<()> {
    if Path::new(BTF).exists() {
        return Ok(());
    }
    Err(Error::device(
        BTF,
        "missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF), which the CO-RE probe needs",
    )
    .with_hint("use --backend diag"))
}

/// The BPF ring buffer arrived in Linux 5.8.
fn check_kernel_version() -> Result<()> {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release
        .trim()
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse::<u32>().ok());
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if (major, minor) < (5, 8) && major != 0 {
        return Err(Error::device(
            "kernel",
            format!(
                "{} is too old: netprobe needs Linux 5.8 or newer (BPF ring buffer)",
                release.trim()
            ),
        )
        .with_hint("use --backend diag"));
    }
    Ok(())
}

/// Older kernels charge BPF maps to RLIMIT_MEMLOCK; newer ones use memcg accounting.
/// Raising the limit fails without CAP_SYS_RESOURCE, which is fine on the latter.
fn raise_memlock() {
    let lim = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: lim is a valid rlimit.
    let _ = unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &lim) };
}

/// The lifecycle program: always attached, as it also records each socket's owner for
/// the other events.
const LIFECYCLE: &str = "inet_sock_set_state";

/// The programs (named after their tracepoints) that report `kind`.
fn programs_for(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Retransmit => &["tcp_retransmit_skb", "tcp_retransmit_synack"],
        Kind::Reset => &["tcp_send_reset", "tcp_receive_reset"],
        Kind::Drop => &["kfree_skb"],
        Kind::Rtt => &["tcp_probe"],
        Kind::Connect | Kind::Accept | Kind::Close | Kind::State => &[],
    }
}

/// A loaded and attached probe. Dropping it detaches the programs.
pub struct Probe {
    pub ring: RingBuf<MapData>,
    pub lost: PerCpuArray<MapData, u64>,
    /// In-kernel aggregates, when loaded with `aggregate` (see [`super::stats`]).
    pub stats: Option<PerCpuArray<MapData, u64>>,
    /// Per-socket totals, when loaded for `top` (see [`super::top`]).
    pub sockstats: Option<AyaHashMap<MapData, u64, SockStat>>,
    attached: Vec<&'static str>,
    ebpf: Ebpf,
}

impl Probe {
    /// Events lost since load: the ring buffer was full (counted by the programs), or
    /// a program could not run at all because another BPF program was running on the
    /// same CPU, e.g. a softirq's state change arriving while a syscall's ran (the
    /// kernel's `recursion_misses` per program). The latter are counted before any
    /// filter, so they may include events the filters would have dropped: an upper
    /// bound, never an undercount.
    pub fn lost_total(&self) -> Result<u64> {
        let v = self
            .lost
            .get(&0, 0)
            .map_err(|e| Error::device("netprobe lost-event map", e.to_string()))?;
        let mut total = v.iter().sum::<u64>();
        for name in &self.attached {
            total += self.recursion_misses(name)?;
        }
        Ok(total)
    }

    /// What the kernel has counted so far (zero when not aggregating).
    pub fn totals(&self) -> Totals {
        match &self.stats {
            Some(m) => {
                Totals::read(|slot| m.get(&slot, 0).ok().map(|v| v.iter().copied().collect()))
            }
            None => Totals::default(),
        }
    }

    /// Every socket's totals (`top`). A socket closed and removed while this reads is
    /// skipped; it has nothing left to count.
    pub fn sockstats(&self) -> Vec<(u64, SockStat)> {
        let Some(m) = &self.sockstats else {
            return Vec::new();
        };
        m.keys()
            .filter_map(|k| k.ok())
            .filter_map(|k| m.get(&k, 0).ok().map(|v| (k, v)))
            .collect()
    }

    /// Removes closed sockets' totals from the kernel's table (after they were read).
    pub fn forget_sockets(&mut self, sks: &[u64]) {
        if let Some(m) = &mut self.sockstats {
            for sk in sks {
                // Already gone is fine: nothing else removes entries, but a reused
                // address may have been re-initialised meanwhile and is dropped too.
                let _ = m.remove(sk);
            }
        }
    }

    /// The tracepoints attached, for the notice on stderr.
    pub fn attached(&self) -> &[&'static str] {
        &self.attached
    }

    /// The kernel's count of a program's skipped runs, from its fd's fdinfo (kernel
    /// 5.12 and later; older kernels do not count them, and give 0).
    fn recursion_misses(&self, program: &str) -> Result<u64> {
        let fd = self
            .ebpf
            .program(program)
            .ok_or_else(|| Error::device("netprobe", "the loaded program is gone"))?
            .fd()
            .map_err(|e| Error::device("netprobe", e.to_string()))?
            .as_fd()
            .as_raw_fd();
        let path = format!("/proc/self/fdinfo/{fd}");
        let info = std::fs::read_to_string(&path).map_err(|e| Error::io(path.clone(), e))?;
        Ok(info
            .lines()
            .find_map(|l| l.strip_prefix("recursion_misses:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0))
    }
}

/// What to load: which events, filtered how, into how big a ring.
pub struct Config<'a> {
    pub filters: &'a Filters,
    /// The `--cgroup` filter, resolved.
    pub cgroup: Option<CgroupId>,
    pub events: EventSet,
    pub rtt_every: Duration,
    /// A power of two multiple of the page size.
    pub ring_bytes: u32,
    /// Count events in the kernel (for metrics) instead of sending them.
    pub aggregate: bool,
    /// Keep per-socket totals in the kernel for `top` instead of sending events.
    pub top: bool,
}

/// Takes map `name` out of the loaded object as the map type `T`.
fn take_map<T>(ebpf: &mut Ebpf, name: &str) -> Result<T>
where
    T: TryFrom<aya::maps::Map, Error = aya::maps::MapError>,
{
    let m = ebpf
        .take_map(name)
        .ok_or_else(|| Error::device("netprobe", format!("map {name} missing from the object")))?;
    T::try_from(m).map_err(|e| Error::device(format!("netprobe map {name}"), e.to_string()))
}

/// Loads and attaches the program `name` to its tracepoint as a BTF tracepoint: its
/// typed arguments are read with plain loads (every program runs per packet or per
/// state change), checked against the running kernel's BTF, which `check_btf` found.
fn attach(ebpf: &mut Ebpf, btf: &Btf, name: &'static str) -> Result<()> {
    let prog: &mut BtfTracePoint = ebpf
        .program_mut(name)
        .ok_or_else(|| {
            Error::device(
                "netprobe",
                format!("program {name} missing from the object"),
            )
        })?
        .try_into()
        .map_err(|e| Error::device("netprobe", format!("{e}")))?;
    prog.load(name, btf).map_err(|e| {
        Error::device(
            "netprobe",
            format!(
                "the kernel rejected the {name} probe: {:#}",
                anyhow::Error::new(e)
            ),
        )
    })?;
    prog.attach().map_err(|e| {
        Error::device(
            format!("BTF tracepoint {name}"),
            format!("attach failed: {e}"),
        )
        .with_hint("this kernel may lack the tracepoint (tcp ones since 4.15-5.10, kfree_skb reasons since 5.17); leave that event out of --events")
    })?;
    Ok(())
}

/// Bytes of one event in the ring buffer: `struct event` and the ring's record header.
const RING_RECORD: u64 = super::event::EVENT_SIZE as u64 + 8;

/// How much the probe lets pend in a ring of `ring_bytes` before it wakes the reader:
/// an eighth of the ring, at most 1,024 events. Fewer wakeups mean fewer context
/// switches and bigger batches (each costs its builders and encoders once); the reader
/// also polls every 10 ms, so a quiet probe's events are not held longer than that.
fn wakeup_bytes(ring_bytes: u32) -> u64 {
    (u64::from(ring_bytes) / 8).clamp(RING_RECORD, 1024 * RING_RECORD)
}

/// Loads the programs for `cfg.events` with the filters baked in and attaches each to
/// its tracepoint (BTF tracepoints: no tracefs needed). Drop reasons below
/// `drop_reason_min` are not drops (SKB_CONSUMED and before, as this kernel's BTF
/// numbers them).
pub fn load(cfg: &Config, drop_reason_min: u32) -> Result<Probe> {
    check_privileges()?;
    check_btf()?;
    check_kernel_version()?;
    raise_memlock();

    let filters = cfg.filters;
    let pid = filters.pid.unwrap_or(0);
    let netns = filters.netns.unwrap_or(0);
    let port = filters.port.unwrap_or(0);
    let lport = filters.lport.unwrap_or(0);
    let rport = filters.rport.unwrap_or(0);
    let family = filters.family.map_or(0, |f| f.af());
    let comm = filters.comm_bytes()?;
    let comm_set = u8::from(comm.is_some());
    let comm = comm.unwrap_or([0; 16]);
    let uid_set = u8::from(filters.uid.is_some());
    let uid = filters.uid.unwrap_or(0);
    let cgroup_id = cfg.cgroup.map_or(0, |c| c.id);
    let cgroup_level = cfg.cgroup.map_or(0, |c| c.level);
    let mask = cfg.events.mask();
    let rtt_every = u64::try_from(cfg.rtt_every.as_nanos()).unwrap_or(u64::MAX);
    let aggregate = u8::from(cfg.aggregate);
    let top_mode = u8::from(cfg.top);
    let wakeup_bytes = wakeup_bytes(cfg.ring_bytes);
    let mut ebpf = EbpfLoader::new()
        .override_global("filter_pid", &pid, true)
        .override_global("filter_netns", &netns, true)
        .override_global("filter_port", &port, true)
        .override_global("filter_lport", &lport, true)
        .override_global("filter_rport", &rport, true)
        .override_global("filter_family", &family, true)
        .override_global("filter_comm_set", &comm_set, true)
        .override_global("filter_comm", &comm, true)
        .override_global("filter_uid_set", &uid_set, true)
        .override_global("filter_uid", &uid, true)
        .override_global("filter_cgroup_id", &cgroup_id, true)
        .override_global("filter_cgroup_level", &cgroup_level, true)
        .override_global("emit_mask", &mask, true)
        .override_global("rtt_every_ns", &rtt_every, true)
        .override_global("drop_reason_min", &drop_reason_min, true)
        .override_global("aggregate", &aggregate, true)
        .override_global("top_mode", &top_mode, true)
        .override_global("wakeup_bytes", &wakeup_bytes, true)
        .map_max_entries("events", cfg.ring_bytes)
        .load(BPF_OBJECT)
        .map_err(|e| {
            Error::device(
                "netprobe",
                format!(
                    "loading the eBPF program failed: {:#}",
                    anyhow::Error::new(e)
                ),
            )
        })?;
    let mut attached = vec![LIFECYCLE];
    attached.extend(
        cfg.events
            .beyond_lifecycle()
            .flat_map(|k| programs_for(k).iter().copied()),
    );
    if cfg.top {
        attached.extend(["sock_send_length", "sock_recv_length"]);
    }
    let btf = Btf::from_sys_fs().map_err(|e| Error::device(BTF, format!("reading BTF: {e}")))?;
    for name in &attached {
        attach(&mut ebpf, &btf, name)?;
    }
    let ring = take_map(&mut ebpf, "events")?;
    let lost = take_map(&mut ebpf, "lost")?;
    let stats = cfg
        .aggregate
        .then(|| take_map(&mut ebpf, "stats"))
        .transpose()?;
    let sockstats = cfg
        .top
        .then(|| take_map(&mut ebpf, "sockstats"))
        .transpose()?;
    Ok(Probe {
        ring,
        lost,
        stats,
        sockstats,
        attached,
        ebpf,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_is_woken_at_an_eighth_of_the_ring_up_to_1024_events() {
        assert_eq!(wakeup_bytes(4096), 512);
        assert_eq!(wakeup_bytes(64 * 1024), 8192);
        assert_eq!(wakeup_bytes(8 << 20), 1024 * RING_RECORD);
        // Never below one event, so a crossing can happen at all.
        assert_eq!(wakeup_bytes(0), RING_RECORD);
    }
}
