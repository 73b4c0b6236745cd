//! What every binary shares at its edge: the common flags, running a command and
//! mapping its result to an exit status, one-line errors, closed-pipe handling, man
//! pages and completions, terminal detection and progress bars.

pub mod args;
pub mod generate;
pub mod multicall;
pub mod progress;
pub mod signals;

use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::record::rejects::{OnError, Rejects, Report, Reporting};

use clap::Parser;

pub use args::{CommonArgs, InputArgs, OutputArgs};

/// What `--version` says, for bug reports: the version, the commit it was built from, the
/// target triple and the enabled features (set by build.rs).
pub const LONG_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit:   ",
    env!("PIPEKIT_COMMIT"),
    "\ntarget:   ",
    env!("PIPEKIT_TARGET"),
    "\nfeatures: ",
    env!("PIPEKIT_FEATURES"),
);

/// How a command that did not fail ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit status 0.
    Complete,
    /// Exit status 3: it finished, but records were lost or skipped (and reported).
    Lossy,
}

/// Exit statuses of every pipekit binary.
pub mod exit {
    pub const OK: u8 = 0;
    pub const FAILURE: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const LOSSY: u8 = 3;
}

/// A pipekit binary: its clap definition plus what it runs.
pub trait Tool: Parser {
    fn common(&self) -> &CommonArgs;
    fn run(self) -> anyhow::Result<Outcome>;
}

/// The whole `main` of a binary: parse, handle `--generate`, run, report.
pub fn main<T: Tool>() -> ExitCode {
    main_from::<T>(std::env::args_os().collect())
}

/// The name errors and warnings are prefixed with: the tool's, also when it runs inside
/// the multicall binary (`pipekit etl ...`).
static PROGRAM: OnceLock<String> = OnceLock::new();

/// [`main`] over a given command line, `args[0]` being the tool's name.
pub fn main_from<T: Tool>(args: Vec<OsString>) -> ExitCode {
    if let Some(name) = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
    {
        let _ = PROGRAM.set(name.to_string_lossy().into_owned());
    }
    let tool = match T::try_parse_from(args) {
        Ok(t) => t,
        Err(e) => return parse_failed(e),
    };
    if let Some(what) = tool.common().generate {
        let mut cmd = <T as clap::CommandFactory>::command();
        let written = generate::write(&mut cmd, what, &mut std::io::stdout());
        return exit_status(written.map(|()| Outcome::Complete).map_err(Into::into));
    }
    let result = tool.run();
    let rejects = REJECTS.get();
    if let Some(text) = rejects.and_then(Rejects::summary) {
        warn(&text);
    }
    let result = result.map(|outcome| match outcome {
        Outcome::Complete if rejects.is_some_and(|r| r.count() > 0) => Outcome::Lossy,
        other => other,
    });
    exit_status(result)
}

/// The command's one `--on-error` policy: every reader it opens shares it (one count,
/// one dead-letter file), and `main_from` reads it at the end for the summary and the
/// exit status. Kept here, with the rest of what one process run owns, not in the
/// record layer.
static REJECTS: OnceLock<Rejects> = OnceLock::new();

/// Warnings from the record layer go to stderr as every other warning.
struct Stderr;

impl Report for Stderr {
    fn warn(&self, message: &str) {
        warn(message);
    }
}

/// The reporting readers are given: this command's rejects under `policy` (the first
/// call decides; later calls must ask for the same) and warnings on stderr.
pub fn reporting(policy: &OnError) -> Result<Reporting> {
    reporting_with(policy, || Rejects::new(policy))
}

/// [`reporting`] for a command that brings its own place for bad records (etl's Kafka
/// consumer: a ledger of set-aside messages and a dead-letter topic).
pub fn reporting_with(
    policy: &OnError,
    make: impl FnOnce() -> Result<Rejects>,
) -> Result<Reporting> {
    let rejects = match REJECTS.get() {
        Some(r) if r.policy() == *policy => r.clone(),
        Some(_) => return Err(Error::Usage("one --on-error per command".into())),
        None => {
            let made = make()?;
            REJECTS.get_or_init(|| made).clone()
        }
    };
    Ok(Reporting {
        rejects,
        report: stderr_report(),
    })
}

/// Warnings from the record layer on stderr, for readers that have no `--on-error`.
pub fn stderr_report() -> std::sync::Arc<dyn Report> {
    std::sync::Arc::new(Stderr)
}

/// The exit status of a command line clap refused, or of `--help`/`--version`, which it
/// prints (to stdout; a closed pipe there is not an error).
fn parse_failed(e: clap::Error) -> ExitCode {
    let code = e.exit_code();
    let _ = e.print();
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// The exit status of a finished command: 0, 3 when records were lost, 0 for a closed
/// stdout, otherwise the error reported on stderr.
fn exit_status(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Complete) => ExitCode::from(exit::OK),
        Ok(Outcome::Lossy) => ExitCode::from(exit::LOSSY),
        Err(e) if is_broken_pipe(&e) => ExitCode::from(exit::OK),
        Err(e) => report(&e),
    }
}

fn report(e: &anyhow::Error) -> ExitCode {
    let name = program_name();
    let usage = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<crate::error::Error>(),
            Some(crate::error::Error::Usage(_))
        )
    });
    let text = format!("{e:#}").replace('\n', " ");
    if color_enabled_on_stderr() {
        eprintln!("{name}: \x1b[31merror\x1b[0m: {text}");
    } else {
        eprintln!("{name}: error: {text}");
    }
    ExitCode::from(if usage { exit::USAGE } else { exit::FAILURE })
}

/// A closed stdout (`| head`) shows up as EPIPE somewhere in the error chain.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::BrokenPipe;
        }
        if let Some(ours) = c.downcast_ref::<crate::error::Error>() {
            return ours.is_broken_pipe();
        }
        false
    })
}

fn program_name() -> String {
    if let Some(name) = PROGRAM.get() {
        return name.clone();
    }
    std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "pipekit".into())
}

/// One warning line on stderr, prefixed with the program name.
pub fn warn(msg: &str) {
    let name = program_name();
    if color_enabled_on_stderr() {
        eprintln!("{name}: \x1b[33mwarning\x1b[0m: {msg}");
    } else {
        eprintln!("{name}: warning: {msg}");
    }
}

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Colour on stdout: only on a terminal and only without `NO_COLOR`.
pub fn color_enabled() -> bool {
    !no_color() && std::io::stdout().is_terminal()
}

fn color_enabled_on_stderr() -> bool {
    !no_color() && std::io::stderr().is_terminal()
}

/// The terminal's width in columns: `COLUMNS`, else the tty's size, else 100.
pub fn terminal_width() -> usize {
    terminal_size("COLUMNS", |ws| ws.ws_col).unwrap_or(100)
}

/// The terminal's height in lines: `LINES`, else the tty's size, else 24.
pub fn terminal_height() -> usize {
    terminal_size("LINES", |ws| ws.ws_row).unwrap_or(24)
}

fn terminal_size(var: &str, pick: fn(&libc::winsize) -> u16) -> Option<usize> {
    if let Some(n) = std::env::var(var).ok().and_then(|c| c.parse().ok()) {
        return Some(n);
    }
    // SAFETY: TIOCGWINSZ fills a winsize struct we own.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) == 0 && pick(&ws) > 0 {
            return Some(pick(&ws) as usize);
        }
    }
    None
}

/// Single keypresses from a terminal on stdin (no line buffering, no echo), for
/// full-screen views that quit on `q`; the terminal's settings come back on drop.
/// Ctrl-C still sends SIGINT.
pub struct RawKeys {
    saved: libc::termios,
    pub keys: std::sync::mpsc::Receiver<u8>,
}

impl RawKeys {
    /// `None` when stdin is not a terminal.
    pub fn new() -> Option<RawKeys> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        // SAFETY: tcgetattr/tcsetattr on fd 0 with termios structs we own.
        let saved = unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return None;
            }
            let saved = t;
            t.c_lflag &= !(libc::ICANON | libc::ECHO);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            saved
        };
        let (tx, keys) = std::sync::mpsc::channel();
        // A blocking reader: it ends with the process (or when nobody listens).
        std::thread::spawn(move || {
            use std::io::Read;
            let mut b = [0u8; 1];
            while std::io::stdin().read(&mut b).is_ok_and(|n| n == 1) {
                if tx.send(b[0]).is_err() {
                    break;
                }
            }
        });
        Some(RawKeys { saved, keys })
    }
}

impl RawKeys {
    /// Whether `q` (or `Q`) was pressed since the last call.
    pub fn quit_pressed(&self) -> bool {
        self.keys.try_iter().any(|k| k == b'q' || k == b'Q')
    }
}

impl Drop for RawKeys {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `new`.
        unsafe { libc::tcsetattr(0, libc::TCSANOW, &self.saved) };
    }
}

/// The command-line conventions every tool's unit tests check: clap's own consistency
/// checks, and an `Examples:` section in the help of every leaf subcommand.
#[cfg(test)]
pub fn assert_cli_conventions(cmd: clap::Command) {
    fn walk(cmd: &clap::Command, path: &str) {
        for sub in cmd.get_subcommands() {
            let p = format!("{path} {}", sub.get_name());
            if sub.has_subcommands() {
                walk(sub, &p);
            } else {
                let after = sub
                    .get_after_help()
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                assert!(after.contains("Examples:"), "{p} has no examples");
            }
        }
    }
    cmd.clone().debug_assert();
    walk(&cmd, cmd.get_name());
}
