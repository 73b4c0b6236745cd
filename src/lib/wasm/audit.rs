//! `wasm-build audit`: one record per host import with the capability it needs; with a
//! policy, the imports it does not allow are violations (listed on stderr, exit 1); with
//! `--diff`, the capabilities gained and lost against another build instead.
//!
//! Core modules (wasm32-wasip1) are read import by import. For a component (wasm32-wasip2)
//! its top-level imports are WASI interfaces (`wasi:cli/environment@0.2.0`, ...) and are
//! mapped the same way; the core modules nested inside it are not listed, because they
//! import from the component's own instances, not from the host.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use clap::Args;
use serde_json::{json, Value};

use super::capability::Capability;
use super::inspect::{inspect_file, Inspected};
use super::policy::Policy;
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::rows as records;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The module (.wasm) to audit
    #[arg(value_name = "MODULE.wasm")]
    pub module: PathBuf,

    /// A TOML policy: 'allow = [capabilities]', 'allow_imports = [module.name]'. Every
    /// import it does not allow is a violation: listed on stderr, exit status 1
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,

    /// Compare with another build: one record per capability gained (MODULE has it, OTHER
    /// does not) or lost
    #[arg(long, value_name = "OTHER.wasm")]
    pub diff: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &AuditArgs) -> Result<Outcome> {
    args.output.sink_options().resolve()?;
    let policy = args.policy.as_deref().map(Policy::load).transpose()?;
    let (_, info) = inspect_file(&args.module)?;
    if let Some(other) = &args.diff {
        let (_, base) = inspect_file(other)?;
        let rows = diff_rows(&info, &base);
        records::write_rows(&args.output, diff_schema(), &rows)?;
    } else {
        let rows: Vec<Value> = info
            .imports
            .iter()
            .map(|i| {
                json!({
                    "module": i.module,
                    "name": i.name,
                    "kind": i.kind,
                    "capability": i.capability.name(),
                    "allowed": policy.as_ref().map(|p| p.permits(i)),
                })
            })
            .collect();
        records::write_rows(&args.output, import_schema(), &rows)?;
    }
    if let Some(policy) = &policy {
        check(&info, policy, &args.module.display().to_string())?;
    }
    Ok(Outcome::Complete)
}

fn import_schema() -> arrow::datatypes::SchemaRef {
    records::schema(vec![
        records::utf8("module"),
        records::utf8("name"),
        records::utf8("kind"),
        records::utf8("capability"),
        arrow::datatypes::Field::new("allowed", arrow::datatypes::DataType::Boolean, true),
    ])
}

fn diff_schema() -> arrow::datatypes::SchemaRef {
    records::schema(vec![
        records::utf8("capability"),
        records::utf8("change"),
        records::list_utf8("imports"),
    ])
}

/// Imports grouped by capability.
fn by_capability(info: &Inspected) -> BTreeMap<Capability, BTreeSet<String>> {
    let mut m: BTreeMap<Capability, BTreeSet<String>> = BTreeMap::new();
    for i in &info.imports {
        m.entry(i.capability).or_default().insert(i.qualified());
    }
    m
}

/// Capabilities `new` has and `old` lacks ("gained", with the imports that bring them) and
/// the reverse ("lost"). Capabilities both have are not listed.
pub fn diff_rows(new: &Inspected, old: &Inspected) -> Vec<Value> {
    let (n, o) = (by_capability(new), by_capability(old));
    let mut rows = Vec::new();
    for (cap, imports) in &n {
        if !o.contains_key(cap) {
            rows.push(json!({"capability": cap.name(), "change": "gained", "imports": imports}));
        }
    }
    for (cap, imports) in &o {
        if !n.contains_key(cap) {
            rows.push(json!({"capability": cap.name(), "change": "lost", "imports": imports}));
        }
    }
    rows
}

/// Every import the policy does not allow: one stderr line each, then an error.
fn check(info: &Inspected, policy: &Policy, what: &str) -> Result<()> {
    let violations: Vec<_> = info.imports.iter().filter(|i| !policy.permits(i)).collect();
    if violations.is_empty() {
        return Ok(());
    }
    for v in &violations {
        eprintln!(
            "violation: {what} imports {} ({}), which the policy does not allow",
            v.qualified(),
            v.capability
        );
    }
    let caps: BTreeSet<&str> = violations.iter().map(|v| v.capability.name()).collect();
    Err(Error::device(
        what,
        format!(
            "{} import(s) violate the policy: {}",
            violations.len(),
            caps.into_iter().collect::<Vec<_>>().join(", ")
        ),
    )
    .with_hint("add the capabilities to 'allow' in the policy, or rebuild without them"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::inspect::{inspect, Import, Kind};

    #[test]
    fn diff_lists_gained_and_lost() {
        let a = inspect(&crate::wasm::inspect::tests::tiny_module()).unwrap();
        let mut b = a.clone();
        b.kind = Kind::Module;
        b.imports = vec![Import {
            module: "wasi_snapshot_preview1".into(),
            name: "random_get".into(),
            kind: "func",
            capability: Capability::Random,
        }];
        let rows = diff_rows(&a, &b);
        let got: Vec<(String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r["capability"].as_str().unwrap().into(),
                    r["change"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("stdio".into(), "gained".into()),
                ("env".into(), "gained".into()),
                ("random".into(), "lost".into())
            ]
        );
    }
}
