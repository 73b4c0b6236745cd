//! Which events to keep. The eBPF backend compiles these into the program's read-only
//! globals so the kernel drops unwanted events before they reach the ring buffer; the
//! sock_diag backend applies the same rules in userspace with [`Filters::matches`].

use clap::{Args, ValueEnum};

use super::event::{TcpEvent, AF_INET, AF_INET6};
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

    /// Filters that need to know the owning process.
    pub fn needs_owner(&self) -> bool {
        self.pid.is_some() || self.comm.is_some()
    }

    /// The userspace form of the in-kernel filter.
    pub fn matches(&self, e: &TcpEvent) -> bool {
        if self.pid.is_some() && e.pid != self.pid {
            return false;
        }
        if self.comm.is_some() && e.comm != self.comm {
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
}
