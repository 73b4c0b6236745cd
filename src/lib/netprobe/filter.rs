//! Which events to keep. The eBPF backend compiles these into the program's read-only
//! globals so the kernel drops unwanted events before they reach the ring buffer; the
//! sock_diag backend applies the same rules in userspace with [`Filters::matches`].

use clap::{Args, ValueEnum};

use super::event::{Kind, TcpEvent, AF_INET, AF_INET6};
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn af(self) -> u16 {
        match self {
            Family::Ipv4 => AF_INET,
            Family::Ipv6 => AF_INET6,
        }
    }
}

/// Which kinds of event to report (`--events`), as a bit per [`Kind::raw`], the form
/// the probe's `emit_mask` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSet(u32);

impl EventSet {
    /// connect, accept and close: what `netprobe tcp` reports without `--events`.
    pub const LIFECYCLE: EventSet = EventSet(1 << 1 | 1 << 2 | 1 << 3);

    pub fn contains(self, k: Kind) -> bool {
        self.0 & (1 << k.raw()) != 0
    }

    pub fn with(self, k: Kind) -> EventSet {
        EventSet(self.0 | 1 << k.raw())
    }

    pub fn mask(self) -> u32 {
        self.0
    }

    /// Kinds beyond the lifecycle, which need probes of their own.
    pub fn beyond_lifecycle(self) -> impl Iterator<Item = Kind> {
        Kind::ALL
            .into_iter()
            .filter(move |k| !k.is_lifecycle() && self.contains(*k))
    }
}

impl Default for EventSet {
    fn default() -> Self {
        EventSet::LIFECYCLE
    }
}

/// `--events`: a comma-separated list of event names, `lifecycle` (connect, accept,
/// close) or `all`.
pub fn parse_events(s: &str) -> std::result::Result<EventSet, String> {
    let mut set = EventSet(0);
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        set = match name {
            "lifecycle" => EventSet(set.0 | EventSet::LIFECYCLE.0),
            "all" => Kind::ALL.into_iter().fold(set, EventSet::with),
            _ => match Kind::ALL.into_iter().find(|k| k.as_str() == name) {
                Some(k) => set.with(k),
                None => {
                    return Err(format!(
                        "unknown event '{name}': choose from lifecycle, connect, accept, close, \
                         state, retransmit, reset, drop, rtt, all"
                    ))
                }
            },
        };
    }
    if set.0 == 0 {
        return Err("--events needs at least one event name".into());
    }
    Ok(set)
}

/// Event filters shared by `netprobe tcp` and `netprobe serve`.
#[derive(Debug, Clone, Default, Args)]
pub struct Filters {
    /// Only sockets owned by this process id (the process that connected or listened)
    #[arg(long, value_name = "PID", value_parser = clap::value_parser!(u32).range(1..))]
    pub pid: Option<u32>,

    /// Only sockets owned by a process with this command name (as in /proc/PID/comm, at
    /// most 15 bytes)
    #[arg(long, value_name = "NAME")]
    pub comm: Option<String>,

    /// Only connections with this local or remote port
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,

    /// Only connections with this local port
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub lport: Option<u16>,

    /// Only connections with this remote port
    #[arg(long, value_name = "PORT", value_parser = clap::value_parser!(u16).range(1..))]
    pub rport: Option<u16>,

    /// Only this address family
    #[arg(long, value_enum, value_name = "FAMILY")]
    pub family: Option<Family>,

    /// Only sockets in this network namespace (inode number, as in
    /// `readlink /proc/PID/ns/net`)
    #[arg(long, value_name = "INODE", value_parser = clap::value_parser!(u32).range(1..))]
    pub netns: Option<u32>,

    /// Only sockets made by this user (a name or a number)
    #[arg(long, value_name = "USER", value_parser = parse_uid)]
    pub uid: Option<u32>,

    /// Only sockets made in this cgroup or one below it (a cgroup v2 path, e.g.
    /// /system.slice/nginx.service, as in /proc/PID/cgroup; eBPF backend)
    #[arg(long, value_name = "PATH")]
    pub cgroup: Option<String>,
}

/// A user name or number, as `--uid` takes it.
fn parse_uid(s: &str) -> std::result::Result<u32, String> {
    super::privs::parse_user(s)
        .map(|u| u.uid)
        .map_err(|e| e.to_string())
}

impl Filters {
    /// The comm filter as the kernel compares it: NUL padded, 16 bytes.
    pub fn comm_bytes(&self) -> Result<Option<[u8; 16]>> {
        let Some(c) = &self.comm else { return Ok(None) };
        if c.is_empty() || c.len() > 15 || c.contains('\0') {
            return Err(Error::Usage(format!(
                "--comm '{c}': a command name is 1 to 15 bytes (the kernel truncates longer names)"
            )));
        }
        let mut b = [0u8; 16];
        b[..c.len()].copy_from_slice(c.as_bytes());
        Ok(Some(b))
    }

    /// The `--cgroup` filter resolved to the kernel's id (a usage error when the path
    /// is not a cgroup).
    pub fn cgroup_id(&self) -> Result<Option<super::names::CgroupId>> {
        self.cgroup
            .as_deref()
            .map(super::names::cgroup_id)
            .transpose()
    }

    /// Filters the sock_diag backend cannot apply: it knows neither the owning process
    /// nor the socket's cgroup.
    pub fn needs_ebpf(&self) -> Option<&'static str> {
        if self.pid.is_some() || self.comm.is_some() {
            Some("--pid and --comm need the eBPF backend: sock_diag does not know the owning process")
        } else if self.cgroup.is_some() {
            Some("--cgroup needs the eBPF backend: sock_diag does not report the socket's cgroup")
        } else {
            None
        }
    }

    /// The userspace form of the in-kernel filter.
    pub fn matches(&self, e: &TcpEvent) -> bool {
        if self.pid.is_some() && e.pid != self.pid {
            return false;
        }
        if self.comm.is_some() && e.comm != self.comm {
            return false;
        }
        if self.uid.is_some() && e.more.uid != self.uid {
            return false;
        }
        if let Some(n) = self.netns {
            if e.netns != Some(n) {
                return false;
            }
        }
        if let Some(f) = self.family {
            if e.family != f.af() {
                return false;
            }
        }
        if self.lport.is_some_and(|p| e.sport != p) || self.rport.is_some_and(|p| e.dport != p) {
            return false;
        }
        if let Some(p) = self.port {
            if e.sport != p && e.dport != p {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::event::Kind;
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};

    fn ev(sport: u16, dport: u16) -> TcpEvent {
        TcpEvent {
            ts_ns: 0,
            kind: Kind::Connect,
            pid: Some(10),
            comm: Some("curl".into()),
            family: AF_INET,
            saddr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            sport,
            daddr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            dport,
            oldstate: 2,
            newstate: 1,
            netns: Some(1),
            duration_ms: None,
            rx_bytes: None,
            tx_bytes: None,
            srtt_us: None,
            sampled: false,
            more: Default::default(),
        }
    }

    #[test]
    fn ports_and_owner() {
        let f = Filters {
            port: Some(80),
            ..Default::default()
        };
        assert!(f.matches(&ev(80, 5000)) && f.matches(&ev(5000, 80)) && !f.matches(&ev(1, 2)));
        let f = Filters {
            lport: Some(80),
            ..Default::default()
        };
        assert!(f.matches(&ev(80, 5000)) && !f.matches(&ev(5000, 80)));
        let f = Filters {
            comm: Some("curl".into()),
            pid: Some(10),
            family: Some(Family::Ipv4),
            ..Default::default()
        };
        assert!(f.matches(&ev(1, 2)));
        let f = Filters {
            family: Some(Family::Ipv6),
            ..Default::default()
        };
        assert!(!f.matches(&ev(1, 2)));
    }

    #[test]
    fn comm_is_checked() {
        let long = Filters {
            comm: Some("a-very-long-command-name".into()),
            ..Default::default()
        };
        assert!(long.comm_bytes().is_err());
        let ok = Filters {
            comm: Some("nc".into()),
            ..Default::default()
        };
        assert_eq!(&ok.comm_bytes().unwrap().unwrap()[..3], b"nc\0");
    }

    #[test]
    fn event_lists_parse_into_the_probe_mask() {
        let set = parse_events("lifecycle,retransmit").unwrap();
        assert!(set.contains(Kind::Close) && set.contains(Kind::Retransmit));
        assert!(!set.contains(Kind::Drop) && !set.contains(Kind::State));
        assert_eq!(
            set.beyond_lifecycle().collect::<Vec<_>>(),
            vec![Kind::Retransmit]
        );
        let all = parse_events("all").unwrap();
        assert!(Kind::ALL.iter().all(|&k| all.contains(k)));
        assert_eq!(parse_events("drop").unwrap().mask(), 1 << 7);
        assert!(parse_events("nope")
            .unwrap_err()
            .contains("unknown event 'nope'"));
        assert!(parse_events(",").is_err());
        assert_eq!(
            EventSet::default(),
            parse_events("connect,accept,close").unwrap()
        );
    }
}
