//! The multicall binary `pipekit`: every tool this build has in one executable, chosen by
//! the name it was run as (a symlink `etl -> pipekit`, as busybox and uutils coreutils
//! do) or by its first argument (`pipekit etl convert ...`). The tools share the record
//! layer, Arrow and clap, so one binary holding all of them is barely larger than the
//! largest one, which is what a board with a small root filesystem wants.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, CommandFactory};

use super::generate::{self, Generate};
use super::{Outcome, Tool};

/// One tool the multicall binary can run.
pub struct Entry {
    pub name: &'static str,
    main: fn(Vec<OsString>) -> ExitCode,
    command: fn() -> Command,
}

fn entry<T: Tool>(name: &'static str) -> Entry {
    Entry {
        name,
        main: super::main_from::<T>,
        command: <T as CommandFactory>::command,
    }
}

/// The tools compiled into this build, in the order `--help` lists them.
pub fn tools() -> Vec<Entry> {
    vec![
        #[cfg(feature = "etl")]
        entry::<crate::etl::Cli>("etl"),
        #[cfg(feature = "vidx")]
        entry::<crate::vidx::Cli>("vidx"),
        #[cfg(feature = "netprobe")]
        entry::<crate::netprobe::Cli>("netprobe"),
        #[cfg(feature = "spictl")]
        entry::<crate::spi::Cli>("spictl"),
        #[cfg(feature = "hidctl")]
        entry::<crate::hid::Cli>("hidctl"),
        #[cfg(feature = "wasm-build")]
        entry::<crate::wasm::Cli>("wasm-build"),
    ]
}

const EXAMPLES: &str = "\
Examples:
  pipekit etl convert events.ndjson --out events.parquet
  pipekit --list
  pipekit --install-links /usr/local/bin     # then: etl, spictl, ... as commands
  ln -s pipekit spictl && ./spictl flash --help";

/// pipekit's own command line, used only when neither its name nor its first argument
/// is a tool: help, `--list`, `--install-links`, `--generate`. Each tool appears as a
/// subcommand for help and completions; its own page (`etl(1)`) documents it.
pub fn command() -> Command {
    let mut cmd = Command::new("pipekit")
        .version(env!("CARGO_PKG_VERSION"))
        .long_version(super::LONG_VERSION)
        .about("Every pipekit tool in one binary: run it as `pipekit TOOL ...` or through a symlink named after the tool")
        .after_help(EXAMPLES)
        .arg_required_else_help(true)
        .arg(
            Arg::new("list")
                .long("list")
                .action(ArgAction::SetTrue)
                .help("Print the tools this binary holds, one a line"),
        )
        .arg(
            Arg::new("install-links")
                .long("install-links")
                .value_name("DIR")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Create a symlink to this binary in DIR for every tool it holds (existing files are left alone and reported)"),
        )
        .arg(
            Arg::new("generate")
                .long("generate")
                .value_name("WHAT")
                .value_parser(clap::builder::EnumValueParser::<Generate>::new())
                .help("Print a man page or a shell completion script to stdout and exit"),
        );
    for tool in tools() {
        let about = (tool.command)()
            .get_about()
            .map(|a| format!("{a} (see {}(1))", tool.name))
            .unwrap_or_default();
        cmd = cmd.subcommand(
            Command::new(tool.name)
                .about(about)
                .disable_help_flag(true)
                .disable_version_flag(true)
                .arg(
                    Arg::new("args")
                        .num_args(0..)
                        .trailing_var_arg(true)
                        .allow_hyphen_values(true)
                        .value_name("ARGS"),
                ),
        );
    }
    cmd
}

/// The tool `name` (a file name, so `/usr/bin/etl` and `etl` alike) stands for.
fn find(name: &std::ffi::OsStr) -> Option<Entry> {
    let name = Path::new(name).file_name()?.to_str()?;
    tools().into_iter().find(|t| t.name == name)
}

/// `main` of the multicall binary.
pub fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(tool) = args.first().and_then(|a| find(a)) {
        return (tool.main)(args);
    }
    if let Some(tool) = args.get(1).and_then(|a| find(a)) {
        return (tool.main)(args[1..].to_vec());
    }
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return super::parse_failed(e),
    };
    let result = if let Some(what) = matches.get_one::<Generate>("generate") {
        generate::write(&mut command(), *what, &mut std::io::stdout()).map_err(anyhow::Error::from)
    } else if matches.get_flag("list") {
        list()
    } else if let Some(dir) = matches.get_one::<PathBuf>("install-links") {
        install_links(dir)
    } else {
        Ok(())
    };
    super::exit_status(result.map(|()| Outcome::Complete))
}

fn list() -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for tool in tools() {
        writeln!(out, "{}", tool.name)?;
    }
    Ok(())
}

/// `--install-links DIR`: DIR/TOOL -> this executable for every tool. A file already at
/// DIR/TOOL that is not that link is kept and named in the error, so a separately
/// installed tool is never replaced behind the user's back.
fn install_links(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .context("finding this executable's path (/proc/self/exe)")?;
    let mut kept = Vec::new();
    for tool in tools() {
        let link = dir.join(tool.name);
        match std::fs::read_link(&link) {
            Ok(target) if target == exe => continue,
            // Nothing there yet: make the link.
            Err(_) if link.symlink_metadata().is_err() => {}
            // Another link, or a file of its own.
            _ => {
                kept.push(link);
                continue;
            }
        }
        std::os::unix::fs::symlink(&exe, &link).with_context(|| {
            format!(
                "creating the symlink {} -> {}; check that {} exists and is writable",
                link.display(),
                exe.display(),
                dir.display()
            )
        })?;
        println!("{}", link.display());
    }
    if kept.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = kept.iter().map(|p| p.display().to_string()).collect();
    anyhow::bail!(
        "{} already exist and are not links to {}: left as they are; remove them first to link them",
        names.join(", "),
        exe.display()
    )
}
