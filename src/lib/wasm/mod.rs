//! `wasm-build`: build Rust crates into WASI modules, audit the capabilities their imports
//! need, run them sandboxed (wasmtime) as pipeline filters, and bundle them for the
//! browser. This module holds the command line; each command lives in its own module.

pub mod audit;
pub mod cache;
pub mod capability;
pub mod cargo;
pub mod inspect;
pub mod policy;
pub mod run;
pub mod strip;
pub mod web;

use clap::{Parser, Subcommand};

use crate::cli::{CommonArgs, Outcome, Tool};
use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  wasm-build build examples/wasm/ndjson-filter --release --strip
  wasm-build audit filter.wasm --policy stdio-only.toml
  wasm-build audit new.wasm --diff old.wasm
  netprobe tcp | wasm-build run filter.wasm | etl count
  wasm-build run env-reader.wasm --env GREETING=hello
  wasm-build run file-reader.wasm --dir ./data::/data:ro -- /data/in.txt
  wasm-build run endless-loop.wasm --timeout 2s
  wasm-build web filter.wasm -o site/ && (cd site && python3 -m http.server)

Capabilities (from a module's imports): stdio, args, env, clock, random, fs-read,
fs-write, sockets, poll, proc-exit, other.

Exit status: 0 success, 1 failure (a policy violation, a trap), 2 usage error. 'run'
exits with the module's own status, 124 when --timeout stopped it, 125 when --fuel ran
out.";

/// `audit --help`'s examples, with a policy file as it would be written: valid TOML
/// when copied (a test parses it).
const POLICY_EXAMPLE: &str = "\
Examples:
  wasm-build audit env-reader.wasm -o table
  wasm-build audit filter.wasm --policy policy.toml
  wasm-build audit new.wasm --diff old.wasm        capabilities gained and lost

A policy file (policy.toml):
  allow = [\"stdio\", \"clock\"]                            # capabilities
  allow_imports = [\"wasi_snapshot_preview1.proc_exit\"]  # single imports (module.name)";

/// Build WASI modules from Rust crates, audit their capabilities, run them sandboxed
#[derive(Debug, Parser)]
#[command(name = "wasm-build", version, long_version = crate::cli::LONG_VERSION, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a crate for wasm32-wasip1 with cargo and report each module: path, size,
    /// sha256, exports, imports, capabilities
    ///
    /// The target is installed with rustup when it is missing. --strip writes a copy without
    /// custom sections (names, producers, DWARF) to stripped/ beside cargo's output, without
    /// any external tool, and reports the copy.
    #[command(after_help = "\
Examples:
  wasm-build build examples/wasm/ndjson-filter --release
  wasm-build build . --release --strip -o table")]
    Build(cargo::BuildArgs),
    /// One record per import of a module, with the capability it needs; check a policy;
    /// compare two builds
    ///
    /// Core modules are read import by import. For a component (wasm32-wasip2) the
    /// top-level imports are WASI interfaces (wasi:cli/environment@0.2.x, ...) and are
    /// mapped to capabilities the same way; the core modules nested in it import from the
    /// component itself and are not listed.
    ///
    /// path_open counts as fs-read, not fs-write: whether a file is opened for writing is
    /// in its open flags, which are run-time values the import list cannot show. So a
    /// module that imports path_open and fd_write can write files although its audit
    /// shows no fs-write. Writes are limited at run time instead: under 'run', a directory
    /// mounted with --dir HOST::GUEST:ro refuses them.
    ///
    /// A policy is a TOML file, deny by default (see below): 'allow' names allowed
    /// capabilities, 'allow_imports' single imports. Each import it does not allow is
    /// listed on stderr and the exit status is 1.
    #[command(after_help = POLICY_EXAMPLE)]
    Audit(audit::AuditArgs),
    /// Run a WASI module with nothing granted unless asked: stdin/stdout/stderr piped,
    /// no environment, no directories, no network
    ///
    /// A capability the module imports but the command line does not grant is denied (an
    /// empty environment, no preopened directory, no sockets) with a note on stderr
    /// naming the flag that grants it; --strict refuses to start such a module instead.
    /// Clocks and random numbers are always available. Compiled code is cached in
    /// $XDG_CACHE_HOME/pipekit/wasm (or ~/.cache/pipekit/wasm), so later runs start fast.
    #[command(after_help = "\
Examples:
  printf '{\"a\":1}\\n' | wasm-build run ndjson-filter.wasm | etl convert -o table
  wasm-build run env-reader.wasm --env GREETING=hello --env HOME
  wasm-build run file-reader.wasm --dir ./data::/data:ro -- /data/in.txt
  wasm-build run endless-loop.wasm --fuel 100000000
  wasm-build run env-reader.wasm --env GREETING=hi --max-memory 64M --timeout 10s --strict")]
    Run(run::RunArgs),
    /// Write a static web page that runs the module in the browser with a small WASI shim
    ///
    /// The bundle is index.html, wasi.js and the module. The page grants only args, env,
    /// clock and random (what the audit found, minus --deny), feeds a text box to stdin
    /// and shows stdout and stderr. Serve the directory over HTTP (fetch does not work
    /// from file://). The page's URL can set ?arg=..&env=NAME=VALUE&stdin=..&deny=CAP.
    #[command(after_help = "\
Examples:
  wasm-build web ndjson-filter.wasm -o site --stdin sample.ndjson
  wasm-build web env-reader.wasm -o site --env GREETING=hello -- GREETING")]
    Web(web::WebArgs),
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(
                Error::Usage("a command is required; see 'wasm-build --help'".into()).into(),
            );
        };
        Ok(match command {
            Command::Build(a) => cargo::run(&a)?,
            Command::Audit(a) => audit::run(&a)?,
            Command::Run(a) => match run::run(&a)? {},
            Command::Web(a) => web::run(&a)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        crate::cli::assert_cli_conventions(Cli::command());
    }

    /// The policy shown in `audit --help` must work when pasted into a file.
    #[test]
    fn audit_help_policy_parses() {
        let help = Cli::command()
            .find_subcommand("audit")
            .and_then(|c| c.get_after_help().map(|h| h.to_string()))
            .unwrap();
        let toml: String = help
            .split("A policy file")
            .nth(1)
            .expect("audit --help shows a policy file")
            .lines()
            .skip(1)
            .map(|l| format!("{}\n", l.trim()))
            .collect();
        let policy = super::policy::Policy::parse(&toml).unwrap_or_else(|e| panic!("{e}: {toml}"));
        let allow: Vec<&str> = policy.allow.iter().map(|c| c.name()).collect();
        assert_eq!(allow, ["stdio", "clock"]);
        assert!(policy
            .allow_imports
            .contains("wasi_snapshot_preview1.proc_exit"));
    }
}
