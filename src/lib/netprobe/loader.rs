//! Loading the kernel-side program: preflight checks that turn the usual failures (not
//! root, no BTF, no tracefs, old kernel) into one-line errors, then aya load and attach.

use std::path::Path;

use aya::maps::{MapData, PerCpuArray, RingBuf};
use aya::programs::TracePoint;
use aya::{include_bytes_aligned, Ebpf, EbpfLoader};

use super::filter::Filters;
use crate::error::{Error, Result};

/// The BPF object built by build.rs from ebpf/netprobe.bpf.c.
static BPF_OBJECT: &[u8] = include_bytes_aligned!(concat!(env!("OUT_DIR"), "/netprobe.bpf.o"));

const TRACEFS: &str = "/sys/kernel/tracing";
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

/// aya finds tracepoint ids through tracefs; mount it when it is not there yet.
fn ensure_tracefs() -> Result<()> {
    let have = |p: &str| Path::new(p).join("events").is_dir();
    if have(TRACEFS) || have("/sys/kernel/debug/tracing") {
        return Ok(());
    }
    let c = |s: &str| std::ffi::CString::new(s).expect("no NUL");
    let (src, target, fstype) = (c("tracefs"), c(TRACEFS), c("tracefs"));
    // SAFETY: all pointers are valid NUL-terminated strings; data may be NULL.
    let rc = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 && !have(TRACEFS) {
        let err = std::io::Error::last_os_error();
        return Err(Error::device(
            TRACEFS,
            format!("tracefs is not mounted and mounting it failed: {err}"),
        )
        .with_hint("mount -t tracefs tracefs /sys/kernel/tracing"));
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

/// A loaded and attached probe. Dropping it detaches the program.
pub struct Probe {
    pub ring: RingBuf<MapData>,
    pub lost: PerCpuArray<MapData, u64>,
    _ebpf: Ebpf,
}

impl Probe {
    /// Events the kernel dropped because the ring buffer was full, since load.
    pub fn lost_total(&self) -> Result<u64> {
        let v = self
            .lost
            .get(&0, 0)
            .map_err(|e| Error::device("netprobe lost-event map", e.to_string()))?;
        Ok(v.iter().sum())
    }
}

/// Loads the program with `filters` baked in and attaches it to
/// `sock:inet_sock_set_state`. `ring_bytes` must be a power of two multiple of the page
/// size. `states` also emits transitions other than connect, accept and close.
pub fn load(filters: &Filters, ring_bytes: u32, states: bool) -> Result<Probe> {
    check_privileges()?;
    check_btf()?;
    check_kernel_version()?;
    ensure_tracefs()?;
    raise_memlock();

    let pid = filters.pid.unwrap_or(0);
    let netns = filters.netns.unwrap_or(0);
    let port = filters.port.unwrap_or(0);
    let lport = filters.lport.unwrap_or(0);
    let rport = filters.rport.unwrap_or(0);
    let family = filters.family.map_or(0, |f| f.af());
    let comm = filters.comm_bytes()?;
    let comm_set = u8::from(comm.is_some());
    let comm = comm.unwrap_or([0; 16]);
    let states = u8::from(states);
    let mut ebpf = EbpfLoader::new()
        .override_global("filter_pid", &pid, true)
        .override_global("filter_netns", &netns, true)
        .override_global("filter_port", &port, true)
        .override_global("filter_lport", &lport, true)
        .override_global("filter_rport", &rport, true)
        .override_global("filter_family", &family, true)
        .override_global("filter_comm_set", &comm_set, true)
        .override_global("filter_comm", &comm, true)
        .override_global("emit_states", &states, true)
        .map_max_entries("events", ring_bytes)
        .load(BPF_OBJECT)
        .map_err(|e| Error::device("netprobe", format!("loading the eBPF program failed: {e}")))?;
    let prog: &mut TracePoint = ebpf
        .program_mut("inet_sock_set_state")
        .ok_or_else(|| {
            Error::device(
                "netprobe",
                "program inet_sock_set_state missing from the object",
            )
        })?
        .try_into()
        .map_err(|e| Error::device("netprobe", format!("{e}")))?;
    prog.load()
        .map_err(|e| Error::device("netprobe", format!("the kernel rejected the probe: {e}")))?;
    prog.attach("sock", "inet_sock_set_state").map_err(|e| {
        Error::device(
            "tracepoint sock:inet_sock_set_state",
            format!("attach failed: {e}"),
        )
    })?;
    let ring = ebpf
        .take_map("events")
        .ok_or_else(|| Error::device("netprobe", "ring buffer map missing"))
        .and_then(|m| {
            RingBuf::try_from(m).map_err(|e| Error::device("netprobe ring buffer", e.to_string()))
        })?;
    let lost = ebpf
        .take_map("lost")
        .ok_or_else(|| Error::device("netprobe", "lost-event map missing"))
        .and_then(|m| {
            PerCpuArray::try_from(m)
                .map_err(|e| Error::device("netprobe lost-event map", e.to_string()))
        })?;
    Ok(Probe {
        ring,
        lost,
        _ebpf: ebpf,
    })
}
