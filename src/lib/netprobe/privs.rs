//! Giving up privileges once the probe is in the kernel. Loading and attaching BPF
//! programs needs root (or CAP_BPF and CAP_PERFMON); reading the ring buffer and maps
//! through the file descriptors already open needs nothing. So a long-running
//! `netprobe serve` drops every capability (and the bounding set, so none can come
//! back through exec) and, when asked, becomes an unprivileged user, as a network-facing
//! daemon should.

use std::ffi::CString;

use crate::error::{Error, Result};

/// A user as the password database gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
}

/// A user given as a name (looked up) or a number (its group the same number, as
/// `setpriv --reuid N` without `--regid` would not give one).
pub fn parse_user(s: &str) -> Result<User> {
    match s.parse::<u32>() {
        Ok(uid) => Ok(User { uid, gid: uid }),
        Err(_) => lookup_user(s),
    }
}

/// Looks `name` up in the password database (files, or NSS as configured).
pub fn lookup_user(name: &str) -> Result<User> {
    let c = CString::new(name).map_err(|_| Error::Usage(format!("user '{name}': contains NUL")))?;
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf = vec![0 as libc::c_char; 16384];
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is to memory we own, sized as passed; getpwnam_r writes the
    // entry's strings into `buf` and points `found` at `pwd` or leaves it null.
    let rc = unsafe {
        libc::getpwnam_r(
            c.as_ptr(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut found,
        )
    };
    if rc != 0 || found.is_null() {
        return Err(Error::Usage(format!(
            "user '{name}' not found in the password database (give a name from /etc/passwd or a number)"
        )));
    }
    Ok(User {
        uid: pwd.pw_uid,
        gid: pwd.pw_gid,
    })
}

/// The capability header and data of capset(2), version 3 (64 capabilities).
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Default, Clone, Copy)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

const CAP_VERSION_3: u32 = 0x2008_0522;

fn last_cap() -> u32 {
    std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(40)
}

fn os_err(what: &str) -> Error {
    Error::io(what.to_string(), std::io::Error::last_os_error())
}

/// Drops every capability of this process for good (bounding, ambient, inheritable,
/// permitted, effective) and sets no_new_privs, after switching to `user` when given.
/// Call before any other thread exists: capabilities are per thread.
pub fn drop_privileges(user: Option<User>) -> Result<()> {
    // SAFETY (all calls below): plain syscalls on this process with valid arguments.
    unsafe {
        for cap in 0..=last_cap() {
            // EINVAL for capabilities this kernel does not know; EPERM without
            // CAP_SETPCAP, in which case the capset below still clears the rest.
            libc::prctl(libc::PR_CAPBSET_DROP, cap as libc::c_ulong, 0, 0, 0);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL as libc::c_ulong,
            0,
            0,
            0,
        );
        if let Some(u) = user {
            if libc::setgroups(1, &u.gid) != 0 {
                return Err(os_err("setgroups"));
            }
            if libc::setresgid(u.gid, u.gid, u.gid) != 0 {
                return Err(os_err("setresgid"));
            }
            if libc::setresuid(u.uid, u.uid, u.uid) != 0 {
                return Err(os_err("setresuid"));
            }
        }
        let mut header = CapHeader {
            version: CAP_VERSION_3,
            pid: 0,
        };
        let data = [CapData::default(); 2];
        if libc::syscall(libc::SYS_capset, &mut header, data.as_ptr()) != 0 {
            return Err(os_err("capset"));
        }
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(os_err("prctl(PR_SET_NO_NEW_PRIVS)"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_found_and_strangers_are_not() {
        assert_eq!(lookup_user("root").unwrap(), User { uid: 0, gid: 0 });
        let e = lookup_user("no-such-user-here").unwrap_err().to_string();
        assert!(e.contains("not found"), "{e}");
    }
}
