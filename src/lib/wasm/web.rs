//! `wasm-build web`: a static bundle that runs a WASI preview 1 module in the browser:
//! index.html, our WASI shim (web/wasi.js) and the module. The page grants at most args,
//! env, clock and random (each only if the audit found the module uses it, and each can be
//! switched off), connects stdin to a text box and shows stdout and stderr. Files, sockets
//! and polling are never granted there.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::{json, Value};

use super::capability::Capability;
use super::inspect::{inspect_file, Kind};
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows as records;

const INDEX: &str = include_str!("web/index.html");
const SHIM: &str = include_str!("web/wasi.js");

/// Capabilities a page can grant.
const GRANTABLE: [Capability; 4] = [
    Capability::Args,
    Capability::Env,
    Capability::Clock,
    Capability::Random,
];

#[derive(Debug, Args)]
pub struct WebArgs {
    /// The module (.wasm, wasm32-wasip1)
    #[arg(value_name = "MODULE.wasm")]
    pub module: PathBuf,

    /// The directory to write the bundle to (created if missing)
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub dir: PathBuf,

    /// An environment variable the page starts with (editable there)
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<String>,

    /// A file whose text the page starts with as stdin
    #[arg(long, value_name = "FILE")]
    pub stdin: Option<PathBuf>,

    /// A capability the page does not grant by default (args, env, clock, random)
    #[arg(long = "deny", value_name = "CAPABILITY", value_parser = grantable)]
    pub deny: Vec<Capability>,

    /// Page title (default: the module's file name)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,

    /// Arguments the page starts with (editable there)
    #[arg(last = true, value_name = "ARGS")]
    pub args: Vec<String>,
}

fn grantable(s: &str) -> std::result::Result<Capability, String> {
    let c: Capability = s.parse()?;
    if GRANTABLE.contains(&c) {
        Ok(c)
    } else {
        Err(format!(
            "'{s}' is never granted by the page; only args, env, clock and random can be denied"
        ))
    }
}

pub fn run(args: &WebArgs) -> Result<Outcome> {
    // -o is the bundle directory here (as in `cc -o`), so the report record uses the
    // default format: a table on a terminal, NDJSON on a pipe.
    let output = OutputArgs::default();
    output.sink_options().resolve()?;
    let (bytes, info) = inspect_file(&args.module)?;
    let name = args
        .module
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Usage(format!("{}: not a file", args.module.display())))?;
    if info.kind == Kind::Component {
        return Err(Error::device(
            &name,
            "is a WebAssembly component; the page's shim implements WASI preview 1",
        )
        .with_hint("build it for wasm32-wasip1"));
    }
    let foreign: Vec<String> = info
        .imports
        .iter()
        .filter(|i| !super::capability::is_wasi_p1(&i.module))
        .map(|i| i.qualified())
        .collect();
    if !foreign.is_empty() {
        return Err(Error::device(
            &name,
            format!(
                "imports {} which the page cannot provide (only WASI preview 1 is)",
                foreign.join(", ")
            ),
        ));
    }
    for e in &args.env {
        if !e.contains('=') || e.starts_with('=') {
            return Err(Error::Usage(format!("--env '{e}': expected NAME=VALUE")));
        }
    }
    let stdin = match &args.stdin {
        Some(p) => std::fs::read_to_string(p)
            .map_err(|e| Error::io(format!("reading {}", p.display()), e))?,
        None => String::new(),
    };

    let found: BTreeSet<Capability> = info.capabilities();
    let grants: Vec<&str> = GRANTABLE
        .iter()
        .filter(|c| found.contains(c) && !args.deny.contains(c))
        .map(|c| c.name())
        .collect();
    let never: Vec<&str> = found
        .iter()
        .filter(|c| {
            !GRANTABLE.contains(c) && !matches!(c, Capability::Stdio | Capability::ProcExit)
        })
        .map(|c| c.name())
        .collect();
    let config = json!({
        "module": name,
        "sha256": info.sha256,
        "imports": info.imports.iter().map(|i| json!({
            "module": i.module, "name": i.name, "capability": i.capability.name(),
        })).collect::<Vec<_>>(),
        "grants": grants,
        "args": args.args,
        "env": args.env,
        "stdin": stdin,
    });
    let title = args.title.clone().unwrap_or_else(|| name.clone());
    let html = INDEX
        .replace("{{TITLE}}", &html_escape(&title))
        .replace("{{CONFIG}}", &script_json(&config));

    std::fs::create_dir_all(&args.dir)
        .map_err(|e| Error::io(format!("creating {}", args.dir.display()), e))?;
    write(&args.dir.join("index.html"), html.as_bytes())?;
    write(&args.dir.join("wasi.js"), SHIM.as_bytes())?;
    write(&args.dir.join(&name), &bytes)?;
    for cap in &never {
        crate::cli::warn(&format!(
            "{name} imports {cap}, which the page never grants: those calls fail there"
        ));
    }
    let row = json!({
        "dir": args.dir.display().to_string(),
        "index": args.dir.join("index.html").display().to_string(),
        "module": name,
        "grants": grants,
        "denied": never,
    });
    let schema = records::schema(vec![
        records::utf8("dir"),
        records::utf8("index"),
        records::utf8("module"),
        records::list_utf8("grants"),
        records::list_utf8("denied"),
    ]);
    records::write_rows(&output, schema, &[row])?;
    Ok(Outcome::Complete)
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON safe inside a <script> element: no `</script>` or `<!--` can appear.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_cannot_close_the_script() {
        let s = script_json(&json!({"stdin": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</"));
        let back: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["stdin"], "</script><script>alert(1)</script>");
    }
}
