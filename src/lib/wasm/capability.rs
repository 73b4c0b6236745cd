//! What an import lets a module do. WASI preview 1 functions (and the component-model
//! interfaces of WASI preview 2) are mapped to a small set of capabilities, so an audit
//! and a policy speak of "env" or "fs-write" instead of forty function names.

use std::fmt;
use std::str::FromStr;

/// One kind of access to the world outside the sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Capability {
    /// stdin/stdout/stderr (fd_read, fd_write and friends on descriptors the host hands in).
    Stdio,
    Args,
    Env,
    Clock,
    Random,
    /// Opening, reading and listing files in preopened directories.
    FsRead,
    /// Creating, renaming, deleting and resizing files in preopened directories.
    FsWrite,
    Sockets,
    Poll,
    ProcExit,
    /// Anything else: other host modules, or WASI calls outside the list.
    Other,
}

impl Capability {
    pub const ALL: [Capability; 11] = [
        Capability::Stdio,
        Capability::Args,
        Capability::Env,
        Capability::Clock,
        Capability::Random,
        Capability::FsRead,
        Capability::FsWrite,
        Capability::Sockets,
        Capability::Poll,
        Capability::ProcExit,
        Capability::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Capability::Stdio => "stdio",
            Capability::Args => "args",
            Capability::Env => "env",
            Capability::Clock => "clock",
            Capability::Random => "random",
            Capability::FsRead => "fs-read",
            Capability::FsWrite => "fs-write",
            Capability::Sockets => "sockets",
            Capability::Poll => "poll",
            Capability::ProcExit => "proc-exit",
            Capability::Other => "other",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Capability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Capability::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
                format!("unknown capability '{s}' (one of {})", names.join(", "))
            })
    }
}

/// The WASI preview 1 module names (the current one and the older snapshot).
pub fn is_wasi_p1(module: &str) -> bool {
    module == "wasi_snapshot_preview1" || module == "wasi_unstable"
}

/// The capability a core-module import (module, name) needs.
///
/// `path_open` counts as fs-read: whether an opened file may also be written is decided at
/// run time by the directory's permissions (`--dir ...:ro`), not by the import list.
/// fd_* calls that only make sense on opened files (seek, pread, readdir, ...) count with
/// the filesystem; plain fd_read/fd_write/fd_close/fd_fdstat_get count as stdio, because a
/// module without path_open and preopens can only reach the descriptors it was given.
pub fn of_core_import(module: &str, name: &str) -> Capability {
    if !is_wasi_p1(module) {
        return Capability::Other;
    }
    match name {
        "fd_read"
        | "fd_write"
        | "fd_close"
        | "fd_fdstat_get"
        | "fd_fdstat_set_flags"
        | "fd_sync"
        | "fd_datasync" => Capability::Stdio,
        "args_get" | "args_sizes_get" => Capability::Args,
        "environ_get" | "environ_sizes_get" => Capability::Env,
        "clock_time_get" | "clock_res_get" => Capability::Clock,
        "random_get" => Capability::Random,
        "path_open"
        | "fd_prestat_get"
        | "fd_prestat_dir_name"
        | "fd_readdir"
        | "fd_seek"
        | "fd_tell"
        | "fd_pread"
        | "fd_advise"
        | "fd_filestat_get"
        | "path_filestat_get"
        | "path_readlink"
        | "fd_renumber"
        | "fd_fdstat_set_rights" => Capability::FsRead,
        "fd_pwrite"
        | "fd_allocate"
        | "fd_filestat_set_size"
        | "fd_filestat_set_times"
        | "path_filestat_set_times"
        | "path_create_directory"
        | "path_remove_directory"
        | "path_unlink_file"
        | "path_rename"
        | "path_link"
        | "path_symlink" => Capability::FsWrite,
        "sock_accept" | "sock_recv" | "sock_send" | "sock_shutdown" => Capability::Sockets,
        "poll_oneoff" | "sched_yield" => Capability::Poll,
        "proc_exit" | "proc_raise" => Capability::ProcExit,
        _ => Capability::Other,
    }
}

/// The capability a component import (a WASI preview 2 interface such as
/// `wasi:cli/environment@0.2.0`) needs.
pub fn of_component_import(name: &str) -> Capability {
    let iface = name.split('@').next().unwrap_or(name);
    match iface {
        "wasi:cli/stdin"
        | "wasi:cli/stdout"
        | "wasi:cli/stderr"
        | "wasi:cli/terminal-input"
        | "wasi:cli/terminal-output"
        | "wasi:cli/terminal-stdin"
        | "wasi:cli/terminal-stdout"
        | "wasi:cli/terminal-stderr"
        | "wasi:io/streams"
        | "wasi:io/error" => Capability::Stdio,
        "wasi:cli/environment" => Capability::Env,
        "wasi:cli/exit" => Capability::ProcExit,
        "wasi:clocks/wall-clock" | "wasi:clocks/monotonic-clock" => Capability::Clock,
        "wasi:random/random" | "wasi:random/insecure" | "wasi:random/insecure-seed" => {
            Capability::Random
        }
        "wasi:io/poll" => Capability::Poll,
        // The preview 2 filesystem interface carries both reading and writing.
        "wasi:filesystem/preopens" | "wasi:filesystem/types" => Capability::FsWrite,
        i if i.starts_with("wasi:sockets/") || i.starts_with("wasi:http/") => Capability::Sockets,
        _ => Capability::Other,
    }
}

/// The command-line flag of `wasm-build run` that grants a capability, if one does.
pub fn run_flag(cap: Capability) -> Option<&'static str> {
    match cap {
        Capability::Env => Some("--env NAME[=VALUE]"),
        Capability::FsRead => Some("--dir HOST::GUEST:ro"),
        Capability::FsWrite => Some("--dir HOST::GUEST"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Capability::ALL {
            assert_eq!(c.name().parse::<Capability>(), Ok(c));
        }
        assert!("network".parse::<Capability>().is_err());
    }

    /// Every function of WASI preview 1 (all 46 in wasi_snapshot_preview1.witx), with the
    /// capability an audit must show for it. None may fall through to `other`, and every
    /// capability but `other` must be reachable from some call.
    const PREVIEW1: [(&str, Capability); 46] = {
        use Capability::*;
        [
            ("args_get", Args),
            ("args_sizes_get", Args),
            ("environ_get", Env),
            ("environ_sizes_get", Env),
            ("clock_res_get", Clock),
            ("clock_time_get", Clock),
            ("random_get", Random),
            ("fd_read", Stdio),
            ("fd_write", Stdio),
            ("fd_close", Stdio),
            ("fd_fdstat_get", Stdio),
            ("fd_fdstat_set_flags", Stdio),
            ("fd_sync", Stdio),
            ("fd_datasync", Stdio),
            ("path_open", FsRead),
            ("fd_prestat_get", FsRead),
            ("fd_prestat_dir_name", FsRead),
            ("fd_readdir", FsRead),
            ("fd_seek", FsRead),
            ("fd_tell", FsRead),
            ("fd_pread", FsRead),
            ("fd_advise", FsRead),
            ("fd_filestat_get", FsRead),
            ("path_filestat_get", FsRead),
            ("path_readlink", FsRead),
            ("fd_renumber", FsRead),
            ("fd_fdstat_set_rights", FsRead),
            ("fd_pwrite", FsWrite),
            ("fd_allocate", FsWrite),
            ("fd_filestat_set_size", FsWrite),
            ("fd_filestat_set_times", FsWrite),
            ("path_filestat_set_times", FsWrite),
            ("path_create_directory", FsWrite),
            ("path_remove_directory", FsWrite),
            ("path_unlink_file", FsWrite),
            ("path_rename", FsWrite),
            ("path_link", FsWrite),
            ("path_symlink", FsWrite),
            ("sock_accept", Sockets),
            ("sock_recv", Sockets),
            ("sock_send", Sockets),
            ("sock_shutdown", Sockets),
            ("poll_oneoff", Poll),
            ("sched_yield", Poll),
            ("proc_exit", ProcExit),
            ("proc_raise", ProcExit),
        ]
    };

    #[test]
    fn every_preview1_call_maps_to_its_capability() {
        for module in ["wasi_snapshot_preview1", "wasi_unstable"] {
            for (name, cap) in PREVIEW1 {
                assert_eq!(of_core_import(module, name), cap, "{module}.{name}");
            }
        }
        let reached: std::collections::BTreeSet<Capability> =
            PREVIEW1.iter().map(|(_, c)| *c).collect();
        let expected: std::collections::BTreeSet<Capability> = Capability::ALL
            .into_iter()
            .filter(|c| *c != Capability::Other)
            .collect();
        assert_eq!(reached, expected);
        // `other`: a name outside preview 1, or any call from another host module.
        let p1 = "wasi_snapshot_preview1";
        assert_eq!(of_core_import(p1, "thread_spawn"), Capability::Other);
        assert_eq!(of_core_import("env", "fd_write"), Capability::Other);
        assert_eq!(of_core_import("wasi", "thread-spawn"), Capability::Other);
    }

    /// The table above is the preview 1 that `run` links: wasmtime-wasi provides exactly
    /// these functions, so an import it adds later shows up here instead of as `other`.
    #[test]
    fn the_table_is_what_run_provides() {
        use wasmtime_wasi::p1::WasiP1Ctx;
        let engine = wasmtime::Engine::default();
        let mut linker: wasmtime::Linker<WasiP1Ctx> = wasmtime::Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |c| c).unwrap();
        let mut store =
            wasmtime::Store::new(&engine, wasmtime_wasi::WasiCtxBuilder::new().build_p1());
        let provided: std::collections::BTreeSet<&str> = linker
            .iter(&mut store)
            .filter(|(module, _, _)| *module == "wasi_snapshot_preview1")
            .map(|(_, name, _)| name)
            .collect();
        let table: std::collections::BTreeSet<&str> = PREVIEW1.iter().map(|(n, _)| *n).collect();
        assert_eq!(provided, table);
    }

    #[test]
    fn component_interfaces() {
        assert_eq!(
            of_component_import("wasi:cli/environment@0.2.3"),
            Capability::Env
        );
        assert_eq!(
            of_component_import("wasi:sockets/tcp@0.2.0"),
            Capability::Sockets
        );
        assert_eq!(
            of_component_import("wasi:filesystem/types@0.2.0"),
            Capability::FsWrite
        );
        assert_eq!(of_component_import("acme:cache/store"), Capability::Other);
    }
}
