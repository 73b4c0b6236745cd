//! `wasm-build build`: cargo for a WebAssembly target, the target installed with rustup
//! when it is missing, then one report record per built module (path, size, sha256,
//! exports, imports, capabilities), optionally with custom sections stripped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use clap::Args;
use serde_json::{json, Value};

use super::inspect::inspect;
use super::strip::strip_custom_sections;
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows as records;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The crate to build (a directory with Cargo.toml)
    #[arg(value_name = "CRATE_DIR", default_value = ".")]
    pub crate_dir: PathBuf,

    /// Build with cargo's release profile
    #[arg(long)]
    pub release: bool,

    /// The target triple
    #[arg(long, value_name = "TRIPLE", default_value = "wasm32-wasip1",
          value_parser = ["wasm32-wasip1", "wasm32-unknown-unknown"])]
    pub target: String,

    /// Remove custom sections (names, producers, DWARF debug info) from the built module,
    /// in place; the code is not changed
    #[arg(long)]
    pub strip: bool,

    /// Only this binary of the crate (cargo --bin)
    #[arg(long, value_name = "NAME")]
    pub bin: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &BuildArgs) -> Result<Outcome> {
    args.output.sink_options().resolve()?;
    let manifest = args.crate_dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Error::Usage(format!(
            "{} has no Cargo.toml; give the crate's directory",
            args.crate_dir.display()
        )));
    }
    ensure_target(&args.crate_dir, &args.target)?;
    let modules = cargo_build(args)?;
    if modules.is_empty() {
        return Err(Error::device(
            "cargo",
            format!("built no .wasm binary in {}", args.crate_dir.display()),
        )
        .with_hint("the crate needs a binary target (src/main.rs) or a cdylib"));
    }
    let mut rows = Vec::new();
    for path in modules {
        rows.push(report(&path, args.strip)?);
    }
    records::write_rows(&args.output, report_schema(), &rows)?;
    Ok(Outcome::Complete)
}

pub fn report_schema() -> arrow::datatypes::SchemaRef {
    records::schema(vec![
        records::utf8("path"),
        records::utf8("kind"),
        records::uint64("size"),
        records::uint64("stripped_bytes"),
        records::utf8("sha256"),
        records::list_utf8("exports"),
        records::list_utf8("imports"),
        records::list_utf8("capabilities"),
    ])
}

/// The report record of one module, stripping it first when asked.
fn report(path: &Path, strip: bool) -> Result<Value> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let mut stripped_bytes = 0;
    let bytes = if strip {
        let out = strip_custom_sections(&bytes)
            .map_err(|m| Error::device(path.display().to_string(), m))?;
        stripped_bytes = (bytes.len() - out.len()) as u64;
        write_atomically(path, &out)?;
        out
    } else {
        bytes
    };
    let info = inspect(&bytes).map_err(|m| Error::device(path.display().to_string(), m))?;
    let caps: Vec<String> = info
        .capabilities()
        .into_iter()
        .map(|c| c.name().to_string())
        .collect();
    Ok(json!({
        "path": path.display().to_string(),
        "kind": info.kind.name(),
        "size": info.size,
        "stripped_bytes": stripped_bytes,
        "sha256": info.sha256,
        "exports": info.exports,
        "imports": info.imports.iter().map(|i| i.qualified()).collect::<Vec<_>>(),
        "capabilities": caps,
    }))
}

/// Replaces a file through a temporary sibling and a rename, so a failure never leaves
/// half a module behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("wasm.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("replacing {}", path.display()), e))
}

/// Makes sure the Rust standard library for `target` is installed for the toolchain cargo
/// will use in `dir` (rust-toolchain.toml there counts), adding it with rustup if not.
fn ensure_target(dir: &Path, target: &str) -> Result<()> {
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", target])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Error::io("running rustc (is Rust installed?)", e))?;
    let path = String::from_utf8_lossy(&libdir.stdout).trim().to_string();
    if libdir.status.success() && has_std(&path) {
        return Ok(());
    }
    crate::cli::warn(&format!(
        "the {target} target is not installed; running 'rustup target add {target}'"
    ));
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .current_dir(dir)
        .stdout(Stdio::null())
        .status();
    match status {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(Error::device(
            "rustup",
            format!("'rustup target add {target}' failed ({s})"),
        )
        .with_hint("install the target by hand, or check the network and the toolchain")),
        Err(e) => Err(Error::device(
            "rustup",
            format!("cannot run rustup to install the {target} target: {e}"),
        )
        .with_hint(format!(
            "install rustup, or the target by other means (a distro's rust-std-{target} package)"
        ))),
    }
}

/// The target's library directory holds libstd when the target is installed.
fn has_std(libdir: &str) -> bool {
    std::fs::read_dir(libdir)
        .map(|entries| {
            entries.flatten().any(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with("libstd-") || n.starts_with("libcore-")
            })
        })
        .unwrap_or(false)
}

/// Runs cargo with JSON messages and returns the .wasm files it produced. cargo's own
/// diagnostics go to stderr as usual.
fn cargo_build(args: &BuildArgs) -> Result<Vec<PathBuf>> {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args([
        "build",
        "--target",
        &args.target,
        "--message-format=json-render-diagnostics",
    ])
    .current_dir(&args.crate_dir)
    .stdout(Stdio::piped())
    .stderr(Stdio::inherit());
    if args.release {
        cmd.arg("--release");
    }
    if let Some(bin) = &args.bin {
        cmd.args(["--bin", bin]);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::io("running cargo (is Rust installed?)", e))?;
    let mut wasm = Vec::new();
    let stdout = child.stdout.take().expect("piped stdout");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| Error::io("reading cargo's output", e))?;
        let Ok(msg) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        for f in msg["filenames"].as_array().into_iter().flatten() {
            if let Some(f) = f.as_str().filter(|f| f.ends_with(".wasm")) {
                wasm.push(PathBuf::from(f));
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error::io("waiting for cargo", e))?;
    if !status.success() {
        return Err(Error::device(
            "cargo",
            format!("build failed ({status}) in {}", args.crate_dir.display()),
        )
        .with_hint("cargo's messages are above"));
    }
    Ok(wasm)
}
