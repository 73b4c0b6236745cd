//! Names for the numbers the probe reports: drop and reset reasons from the running
//! kernel's BTF enums, and cgroup paths (as `/system.slice/nginx.service`) from cgroup
//! ids, found by walking the cgroup v2 hierarchy. Both are resolved in userspace, once
//! per distinct number, so the kernel side only copies integers.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::btf::Enums;
use super::event::{Kind, TcpEvent};
use crate::error::{Error, Result};

/// Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup on a pure v2 system,
/// /sys/fs/cgroup/unified on a hybrid one (the hierarchy a socket's cgroup is in either
/// way), from /proc/self/mounts.
pub fn cgroup2_root() -> Option<PathBuf> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    mounts.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        let (_, dir, fstype) = (f.next()?, f.next()?, f.next()?);
        (fstype == "cgroup2").then(|| PathBuf::from(dir.replace("\\040", " ")))
    })
}
const DROP_ENUM: &str = "skb_drop_reason";
const RESET_ENUM: &str = "sk_rst_reason";
/// A cgroup id not found is looked for again at most this often (cgroups come and go,
/// and a walk of a big hierarchy is not free).
const RESCAN_EVERY: Duration = Duration::from_secs(1);

/// A cgroup as the kernel identifies it: its id (the directory's inode number on
/// 64-bit kernels, as `bpf_get_current_cgroup_id` returns) and depth below the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CgroupId {
    pub id: u64,
    pub level: u32,
}

/// Resolves `path` (in the hierarchy, e.g. `/system.slice` as /proc/PID/cgroup shows
/// it, or a directory under the cgroup2 mount point) to the cgroup's id and level.
pub fn cgroup_id(path: &str) -> Result<CgroupId> {
    let root = cgroup2_root().ok_or_else(|| {
        Error::Usage(format!(
            "--cgroup {path}: no cgroup v2 hierarchy is mounted (see /proc/self/mounts)"
        ))
    })?;
    let rel = Path::new(path)
        .strip_prefix(&root)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string());
    let rel = rel.trim_matches('/');
    let dir = root.join(rel);
    let meta = std::fs::metadata(&dir).map_err(|e| {
        Error::Usage(format!(
            "--cgroup {path}: {} ({e}); give a cgroup v2 path as /proc/PID/cgroup shows it, \
             like /system.slice/ssh.service",
            dir.display()
        ))
    })?;
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "--cgroup {path}: {} is not a cgroup directory",
            dir.display()
        )));
    }
    let level = rel.split('/').filter(|c| !c.is_empty()).count() as u32;
    Ok(CgroupId {
        id: meta.ino(),
        level,
    })
}

/// Names for events' reason codes and cgroup ids.
pub struct Names {
    enums: Enums,
    cgroups: HashMap<u64, Arc<str>>,
    reasons: HashMap<(bool, u16), Arc<str>>,
    root: Option<PathBuf>,
    last_scan: Option<Instant>,
}

impl Names {
    /// Reads the reason enums from the kernel's BTF. Without BTF (the sock_diag
    /// backend on an old kernel) reasons are given as numbers.
    pub fn new() -> Names {
        Names {
            enums: Enums::from_kernel(&[DROP_ENUM, RESET_ENUM]).unwrap_or_default(),
            cgroups: HashMap::new(),
            reasons: HashMap::new(),
            root: cgroup2_root(),
            last_scan: None,
        }
    }

    /// The value of `SKB_CONSUMED`: reasons at or below it are not drops.
    pub fn drop_reason_min(&self) -> u32 {
        self.enums
            .value(DROP_ENUM, "SKB_CONSUMED")
            .map_or(2, |v| v as u32 + 1)
    }

    /// Fills `e.more.reason` and `e.more.cgroup` from their numbers.
    pub fn annotate(&mut self, e: &mut TcpEvent) {
        if let Some(code) = e.more.reason_code {
            e.more.reason = Some(self.reason(e.kind == Kind::Drop, code));
        }
        if let Some(id) = e.more.cgroup_id {
            e.more.cgroup = self.cgroup(id);
        }
    }

    /// The name of a drop reason (`drop`) or a sent reset's reason, without the enum's
    /// prefix; the number when this kernel's BTF does not name it.
    pub fn reason(&mut self, drop: bool, code: u16) -> Arc<str> {
        let enums = &self.enums;
        self.reasons
            .entry((drop, code))
            .or_insert_with(|| {
                let (en, prefix) = if drop {
                    (DROP_ENUM, "SKB_DROP_REASON_")
                } else {
                    (RESET_ENUM, "SK_RST_REASON_")
                };
                enums
                    .name(en, i64::from(code), prefix)
                    .map_or_else(|| Arc::from(code.to_string()), Arc::from)
            })
            .clone()
    }

    /// The path of cgroup `id`, walking the hierarchy again when it is new.
    pub fn cgroup(&mut self, id: u64) -> Option<Arc<str>> {
        if let Some(p) = self.cgroups.get(&id) {
            return Some(p.clone());
        }
        if self.last_scan.is_some_and(|t| t.elapsed() < RESCAN_EVERY) {
            return None;
        }
        self.last_scan = Some(Instant::now());
        self.scan();
        self.cgroups.get(&id).cloned()
    }

    fn scan(&mut self) {
        let Some(root) = self.root.clone() else {
            return;
        };
        let mut stack = vec![(root, String::new())];
        while let Some((dir, rel)) = stack.pop() {
            if let Ok(meta) = std::fs::metadata(&dir) {
                let path = if rel.is_empty() {
                    "/".to_string()
                } else {
                    rel.clone()
                };
                self.cgroups.insert(meta.ino(), Arc::from(path));
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    stack.push((entry.path(), format!("{rel}/{name}")));
                }
            }
        }
    }
}

impl Default for Names {
    fn default() -> Self {
        Names::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cgroup_and_our_own_resolve_both_ways() {
        if cgroup2_root().is_none() {
            return; // cgroup v1 only: --cgroup refuses to run
        }
        let root = cgroup_id("/").unwrap();
        assert_eq!(root.level, 0);
        let mut names = Names::new();
        assert_eq!(names.cgroup(root.id).as_deref(), Some("/"));
        // Our own cgroup, from /proc/self/cgroup ("0::/path").
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
        let path = own.lines().find_map(|l| l.strip_prefix("0::")).unwrap();
        let id = cgroup_id(path).unwrap();
        assert_eq!(
            id.level as usize,
            path.split('/').filter(|c| !c.is_empty()).count()
        );
        assert_eq!(names.cgroup(id.id).as_deref(), Some(path));
        assert!(cgroup_id("/no/such/cgroup/here").is_err());
    }
}
