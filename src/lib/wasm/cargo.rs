//! `wasm-build build`: cargo for a WebAssembly target, the target installed with rustup
//! when it is missing, then one report record per built module (path, size, sha256,
//! exports, imports, capabilities), optionally of a copy with custom sections stripped.

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

    /// Write a copy of each module without custom sections (names, producers, DWARF debug
    /// info) to stripped/ beside cargo's output, and report that copy; the code is not
    /// changed, and cargo's own file is left as built
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

/// The report record of one module. With `strip`, the record is of the stripped copy
/// (see [`stripped_path`]) and `stripped_bytes` says how much smaller it is than cargo's
/// file. The copy is written elsewhere rather than over cargo's output so that a later
/// build without --strip reports the module cargo built, not one stripped earlier with
/// `stripped_bytes: 0`.
fn report(path: &Path, strip: bool) -> Result<Value> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let (path, bytes, stripped_bytes) = if strip {
        let out = strip_custom_sections(&bytes)
            .map_err(|m| Error::device(path.display().to_string(), m))?;
        let to = stripped_path(path);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        }
        write_atomically(&to, &out)?;
        let saved = (bytes.len() - out.len()) as u64;
        (to, out, saved)
    } else {
        (path.to_path_buf(), bytes, 0)
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

/// Where `--strip` writes the stripped copy of cargo's `DIR/NAME.wasm`: `DIR/stripped/
/// NAME.wasm`. The file name stays the same because `run` passes it as argv[0] and `web`
/// serves the module under it.
pub fn stripped_path(module: &Path) -> PathBuf {
    let name = module.file_name().unwrap_or(module.as_os_str());
    module
        .parent()
        .unwrap_or(Path::new(""))
        .join("stripped")
        .join(name)
}

/// Writes a file through a temporary sibling and a rename, so a failure never leaves half
/// a module behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("wasm.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("replacing {}", path.display()), e))
}

/// Makes sure the Rust standard library for `target` is installed for the toolchain cargo
/// will use in `dir` (rust-toolchain.toml there counts), adding it with rustup if not.
///
/// rustc and rustup are looked up on PATH. Each way this can fail ends in one
/// error line naming the tool and what to do, before cargo would fail with a screenful
/// of "can't find crate for `std`".
fn ensure_target(dir: &Path, target: &str) -> Result<()> {
    if target_installed(dir, target)? {
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
        Ok(s) if s.success() => {}
        Ok(s) => {
            let what = format!("'rustup target add {target}' failed ({s})");
            let hint = "install the target by hand, or check the network and the toolchain";
            return Err(Error::device("rustup", what).with_hint(hint));
        }
        Err(e) => {
            let what = format!("cannot run rustup to install the {target} target: {e}");
            let hint = format!(
                "install rustup, or the target by other means (a distro's rust-std-{target} package)"
            );
            return Err(Error::device("rustup", what).with_hint(hint));
        }
    }
    // rustup can succeed for a toolchain other than the rustc on PATH (a distro's rustc
    // next to a rustup install): look again rather than trust its status.
    if target_installed(dir, target)? {
        return Ok(());
    }
    Err(Error::device(
        "rustc",
        format!(
            "'rustup target add {target}' succeeded, but rustc still has no standard \
             library for {target}"
        ),
    )
    .with_hint("is the rustc on PATH the one rustup manages? (compare 'rustup which rustc')"))
}

/// Whether the rustc cargo will use in `dir` has the standard library for `target`.
fn target_installed(dir: &Path, target: &str) -> Result<bool> {
    let libdir = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", target])
        .current_dir(dir)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| {
            Error::device("rustc", format!("cannot run rustc: {e}"))
                .with_hint("install Rust (with rustup), or put rustc on PATH")
        })?;
    let path = String::from_utf8_lossy(&libdir.stdout).trim().to_string();
    Ok(libdir.status.success() && has_std(&path))
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
