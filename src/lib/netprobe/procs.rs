//! Which process holds which socket, as `ss -p` finds it: every `/proc/PID/fd/N` that
//! is a link to `socket:[INODE]`. A user can read only their own processes' fd tables
//! (root reads all), so an unprivileged `netprobe conns --processes` names the owners
//! of the user's own sockets and leaves the others blank, as `ss -p` does.

use std::collections::HashMap;

/// A process holding a socket: the lowest pid when several share it (after fork).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub comm: String,
}

/// Socket inode -> the process holding it, from every /proc/PID/fd this user can read.
pub fn socket_holders() -> HashMap<u32, Holder> {
    let mut out: HashMap<u32, Holder> = HashMap::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    let mut pids: Vec<u32> = procs
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        // Unreadable (another user's) or gone meanwhile: not ours to name.
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let mut comm = None;
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            let Some(inode) = target
                .to_str()
                .and_then(|t| t.strip_prefix("socket:["))
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse::<u32>().ok())
            else {
                continue;
            };
            let comm = comm
                .get_or_insert_with(|| {
                    std::fs::read_to_string(format!("/proc/{pid}/comm"))
                        .map(|c| c.trim_end().to_string())
                        .unwrap_or_default()
                })
                .clone();
            out.entry(inode).or_insert(Holder { pid, comm });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn finds_our_own_socket() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&l);
        let inode = std::fs::metadata(format!("/proc/self/fd/{fd}"))
            .unwrap()
            .ino() as u32;
        let holders = socket_holders();
        let h = holders.get(&inode).expect("our listener's inode");
        assert_eq!(h.pid, std::process::id());
        assert!(!h.comm.is_empty());
    }
}
