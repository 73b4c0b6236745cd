//! Capability policies for `wasm-build audit --policy`: a TOML file that names what a
//! module may import. Anything not named is denied. (`run` takes no policy: it grants by
//! its flags, and `run --strict` refuses a module that imports more than they grant.)
//!
//! ```toml
//! # capabilities the module may use
//! allow = ["stdio", "args", "clock"]
//! # single imports allowed on top of those (module.name, or a component interface)
//! allow_imports = ["wasi_snapshot_preview1.proc_exit"]
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::capability::Capability;
use super::inspect::Import;
use crate::error::{Error, Location, Result};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    allow_imports: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub allow: BTreeSet<Capability>,
    pub allow_imports: BTreeSet<String>,
}

impl Policy {
    pub fn load(path: &Path) -> Result<Policy> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(format!("reading policy {}", path.display()), e))?;
        Policy::parse(&text).map_err(|msg| {
            Error::data(
                Location {
                    source: path.display().to_string(),
                    ..Default::default()
                },
                msg,
            )
            .with_hint("a policy has 'allow = [capabilities]' and 'allow_imports = [module.name]'")
        })
    }

    pub fn parse(text: &str) -> std::result::Result<Policy, String> {
        let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
        let allow = file
            .allow
            .iter()
            .map(|c| c.parse::<Capability>())
            .collect::<std::result::Result<_, _>>()?;
        Ok(Policy {
            allow,
            allow_imports: file.allow_imports.into_iter().collect(),
        })
    }

    pub fn permits(&self, import: &Import) -> bool {
        self.allow.contains(&import.capability) || self.allow_imports.contains(&import.qualified())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(name: &str, cap: Capability) -> Import {
        Import {
            module: "wasi_snapshot_preview1".into(),
            name: name.into(),
            kind: "func",
            capability: cap,
        }
    }

    #[test]
    fn deny_by_default() {
        let p = Policy::parse("").unwrap();
        assert!(!p.permits(&import("fd_write", Capability::Stdio)));
        let p = Policy::parse(
            "allow = [\"stdio\"]\nallow_imports = [\"wasi_snapshot_preview1.proc_exit\"]",
        )
        .unwrap();
        assert!(p.permits(&import("fd_write", Capability::Stdio)));
        assert!(p.permits(&import("proc_exit", Capability::ProcExit)));
        assert!(!p.permits(&import("environ_get", Capability::Env)));
    }

    #[test]
    fn bad_policies() {
        assert!(Policy::parse("allow = [\"network\"]").is_err());
        assert!(Policy::parse("alow = [\"stdio\"]").is_err());
    }
}
