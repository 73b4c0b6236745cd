//! `wasm-build run`: a WASI preview 1 module in wasmtime with nothing granted unless the
//! command line asks: an empty environment, no preopened directories, no sockets. stdin,
//! stdout and stderr are the process's own, so the module is a filter in a pipeline.
//!
//! Limits: `--fuel` counts executed instructions (wasmtime fuel), `--timeout` interrupts
//! running code through epoch interruption (a watchdog thread bumps the epoch), and
//! `--max-memory` caps linear memory through a resource limiter. When one of them stops
//! the module, stderr says which and the exit status tells them apart.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use clap::Args;
use wasmtime::{Config, Engine, Linker, ResourceLimiter, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};

use super::cache;
use super::capability::{self, Capability};
use super::inspect::{inspect_file, Inspected, Kind};
use crate::cli::args::parse_duration;
use crate::error::{Error, Result};

/// Exit status when `--timeout` stopped the module (as timeout(1)).
pub const EXIT_TIMEOUT: u8 = 124;
/// Exit status when the module ran out of `--fuel`.
pub const EXIT_FUEL: u8 = 125;
/// Exit status when the module trapped (crashed), hit `--max-memory`, or could not start.
pub const EXIT_TRAP: u8 = 1;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The module (.wasm, wasm32-wasip1) to run
    #[arg(value_name = "MODULE.wasm")]
    pub module: PathBuf,

    /// Give the module an environment variable: NAME=VALUE, or NAME to pass this
    /// process's value. Nothing is inherited otherwise
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub env: Vec<String>,

    /// Mount a host directory in the guest at GUEST; with :ro the module can read but not
    /// create, write, rename or delete anything under it
    #[arg(long = "dir", value_name = "HOST::GUEST[:ro]", value_parser = parse_dir)]
    pub dirs: Vec<DirSpec>,

    /// Stop the module after about N executed WebAssembly instructions (exit status 125)
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Stop the module after this long (500ms, 10s, 2m; exit status 124)
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Cap the module's linear memory (bytes; k, M, G suffixes are powers of 1024)
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub max_memory: Option<u64>,

    /// Refuse to start a module that imports a capability the command line does not grant.
    /// Every module built with Rust's std imports environ_get (its panic hook reads
    /// RUST_BACKTRACE), so it passes only with at least one --env, e.g. --env
    /// RUST_BACKTRACE=0. fs-read needs a --dir, fs-write one without :ro; sockets and
    /// non-WASI imports never pass. A no_std module that imports only stdio
    /// (examples/wasm/ndjson-filter) needs nothing
    #[arg(long)]
    pub strict: bool,

    /// Compile the module again instead of using (and filling) the compiled-module cache
    #[arg(long)]
    pub no_cache: bool,

    /// Arguments for the module (its argv[0] is the module's file name)
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// A `--dir HOST::GUEST[:ro]` mount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirSpec {
    pub host: PathBuf,
    pub guest: String,
    pub read_only: bool,
}

fn parse_dir(s: &str) -> std::result::Result<DirSpec, String> {
    let (host, rest) = s
        .split_once("::")
        .ok_or_else(|| format!("'{s}': expected HOST::GUEST or HOST::GUEST:ro"))?;
    let (guest, read_only) = match rest.strip_suffix(":ro") {
        Some(g) => (g, true),
        None => (rest, false),
    };
    if host.is_empty() || guest.is_empty() {
        return Err(format!("'{s}': both HOST and GUEST are needed"));
    }
    Ok(DirSpec {
        host: PathBuf::from(host),
        guest: guest.to_string(),
        read_only,
    })
}

/// Bytes with optional k/M/G (powers of 1024) suffix.
fn parse_bytes(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1u64 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    num.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("'{s}' is not a size in bytes (e.g. 65536, 64k, 16M, 1G)"))
}

/// What the store carries: the WASI context and the memory limiter's state.
struct Host {
    wasi: WasiP1Ctx,
    max_memory: Option<u64>,
    /// Set when a memory growth was refused because of --max-memory.
    memory_refused: bool,
}

impl ResourceLimiter for Host {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match self.max_memory {
            Some(max) if desired as u64 > max => {
                self.memory_refused = true;
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

/// Runs the module and exits the process with the module's status (or 124/125/1 when a
/// limit or a trap stopped it). Returns only on errors before the module started.
pub fn run(args: &RunArgs) -> Result<std::convert::Infallible> {
    let (bytes, info) = inspect_file(&args.module)?;
    let where_ = short_name(&args.module);
    if info.kind == Kind::Component {
        return Err(Error::device(
            where_,
            "is a WebAssembly component; 'run' runs WASI preview 1 core modules",
        )
        .with_hint("build it for wasm32-wasip1 ('wasm-build build --target wasm32-wasip1')"));
    }
    let env = env_pairs(&args.env)?;
    let denied = denied_capabilities(&info, args);
    for (cap, note) in &denied {
        crate::cli::warn(&format!("{where_} imports {cap}: {note}"));
    }
    if args.strict && !denied.is_empty() {
        let caps: Vec<&str> = denied.iter().map(|(c, _)| c.name()).collect();
        return Err(Error::Usage(format!(
            "--strict: {where_} needs capabilities the command line does not grant: {}",
            caps.join(", ")
        )));
    }

    let mut config = Config::new();
    config.consume_fuel(args.fuel.is_some());
    config.epoch_interruption(args.timeout.is_some());
    let engine = Engine::new(&config)
        .map_err(|e| Error::device("wasmtime", format!("creating the engine: {e:#}")))?;
    let (module, _) = cache::load(&engine, &bytes, &info.sha256, !args.no_cache)?;

    let mut wasi = WasiCtxBuilder::new();
    wasi.inherit_stdio().allow_blocking_current_thread(true);
    wasi.arg(&where_);
    wasi.args(&args.args);
    for (k, v) in &env {
        wasi.env(k, v);
    }
    for d in &args.dirs {
        let perms = if d.read_only {
            FsPerms::ReadOnly
        } else {
            FsPerms::ReadWrite
        };
        wasi.preopened_dir(&d.host, &d.guest, perms).map_err(|e| {
            Error::io(
                format!(
                    "--dir {}::{}: cannot open {}",
                    d.host.display(),
                    d.guest,
                    d.host.display()
                ),
                std::io::Error::other(format!("{e:#}")),
            )
        })?;
    }
    let host = Host {
        wasi: wasi.build_p1(),
        max_memory: args.max_memory,
        memory_refused: false,
    };
    let mut store = Store::new(&engine, host);
    store.limiter(|h| h as &mut dyn ResourceLimiter);
    if let Some(fuel) = args.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| Error::device("wasmtime", format!("{e:#}")))?;
    }
    let _watchdog = args.timeout.map(|t| {
        store.set_epoch_deadline(1);
        store.epoch_deadline_trap();
        Watchdog::start(engine.clone(), t)
    });

    let mut linker: Linker<Host> = Linker::new(&engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |h: &mut Host| &mut h.wasi)
        .map_err(|e| Error::device("wasmtime", format!("{e:#}")))?;
    let result = linker
        .instantiate(&mut store, &module)
        .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
        .and_then(|start| start.call(&mut store, ()));
    let code = match result {
        Ok(()) => 0,
        Err(e) => status_of(&e, args, &where_, store.data().memory_refused),
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code.into())
}

/// The exit status for how the module ended, with the note that says why on stderr.
fn status_of(e: &wasmtime::Error, args: &RunArgs, what: &str, memory_refused: bool) -> u8 {
    if let Some(exit) = e.downcast_ref::<I32Exit>() {
        return exit.0.clamp(0, 255) as u8;
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => {
            crate::cli::warn(&format!(
                "{what} stopped: it used all its fuel (--fuel {}); exit status {EXIT_FUEL}",
                args.fuel.unwrap_or(0)
            ));
            EXIT_FUEL
        }
        Some(Trap::Interrupt) => {
            crate::cli::warn(&format!(
                "{what} stopped: --timeout {} elapsed; exit status {EXIT_TIMEOUT}",
                format_duration(args.timeout.unwrap_or_default())
            ));
            EXIT_TIMEOUT
        }
        _ if memory_refused => {
            crate::cli::warn(&format!(
                "{what} stopped: it needed more memory than --max-memory {} allows ({e}); exit status {EXIT_TRAP}",
                args.max_memory.unwrap_or(0)
            ));
            EXIT_TRAP
        }
        _ => {
            crate::cli::warn(&format!(
                "{what} failed: {}; exit status {EXIT_TRAP}",
                format!("{e:#}").replace('\n', " ")
            ));
            EXIT_TRAP
        }
    }
}

fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `--env` values as pairs; a bare NAME takes this process's value.
fn env_pairs(specs: &[String]) -> Result<Vec<(String, String)>> {
    specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some(("", _)) => Err(Error::Usage(format!("--env '{s}': the name is empty"))),
            Some((k, v)) => Ok((k.to_string(), v.to_string())),
            None => std::env::var(s).map(|v| (s.clone(), v)).map_err(|_| {
                Error::Usage(format!(
                    "--env {s}: {s} is not set in this environment; give --env {s}=VALUE"
                ))
            }),
        })
        .collect()
}

/// Capabilities the module imports that this command line leaves denied, each with a
/// note naming the flag that would grant it (or saying that nothing can).
pub fn denied_capabilities(info: &Inspected, args: &RunArgs) -> Vec<(Capability, String)> {
    let caps: BTreeSet<Capability> = info.capabilities();
    let mut out = Vec::new();
    for cap in caps {
        let note = match cap {
            Capability::Env if args.env.is_empty() => format!(
                "its environment is empty; grant variables with {}",
                capability::run_flag(cap).unwrap_or_default()
            ),
            Capability::FsRead | Capability::FsWrite if args.dirs.is_empty() => format!(
                "no directory is mounted; grant one with {}",
                capability::run_flag(cap).unwrap_or_default()
            ),
            Capability::FsWrite if args.dirs.iter().all(|d| d.read_only) => format!(
                "every --dir is :ro, so writes are refused; grant writing with {}",
                capability::run_flag(cap).unwrap_or_default()
            ),
            Capability::Sockets => {
                "sockets are never granted: wasm-build run has no network access".to_string()
            }
            Capability::Other => {
                let names: Vec<String> = info
                    .imports
                    .iter()
                    .filter(|i| i.capability == Capability::Other)
                    .map(|i| i.qualified())
                    .collect();
                format!(
                    "{} are not WASI preview 1 calls wasm-build provides; the module will not start",
                    names.join(", ")
                )
            }
            _ => continue,
        };
        out.push((cap, note));
    }
    out
}

/// Bumps the engine's epoch when the timeout elapses, which traps the running module at
/// its next loop head or call. If the module is blocked in the host (e.g. reading stdin)
/// it cannot see the trap, so one second later the watchdog ends the process itself.
struct Watchdog {
    done: Option<mpsc::Sender<()>>,
}

impl Watchdog {
    fn start(engine: Engine, timeout: Duration) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            if rx.recv_timeout(timeout) != Err(mpsc::RecvTimeoutError::Timeout) {
                return;
            }
            engine.increment_epoch();
            if rx.recv_timeout(Duration::from_secs(1)) == Err(mpsc::RecvTimeoutError::Timeout) {
                crate::cli::warn(&format!(
                    "stopped: --timeout {} elapsed while the module waited in a host call; exit status {EXIT_TIMEOUT}",
                    format_duration(timeout)
                ));
                let _ = std::io::stdout().flush();
                std::process::exit(EXIT_TIMEOUT.into());
            }
        });
        Watchdog { done: Some(tx) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        if let Some(tx) = self.done.take() {
            let _ = tx.send(());
        }
    }
}

/// The module's file name: argv[0] for the guest and the subject of notes.
pub fn short_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_specs() {
        assert_eq!(
            parse_dir("data::/data:ro").unwrap(),
            DirSpec {
                host: "data".into(),
                guest: "/data".into(),
                read_only: true
            }
        );
        assert!(!parse_dir("/tmp/x::/x").unwrap().read_only);
        assert!(parse_dir("/tmp/x:/x").is_err());
        assert!(parse_dir("::/x").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_bytes("64k"), Ok(65536));
        assert_eq!(parse_bytes("16M"), Ok(16 << 20));
        assert_eq!(parse_bytes("1000"), Ok(1000));
        assert!(parse_bytes("lots").is_err());
    }
}
