//! Reading a module's header, imports and exports with wasmparser: the facts `build`
//! reports and `audit` and `run` decide on. Nothing here executes the module.

use std::collections::BTreeSet;
use std::path::Path;

use sha2::{Digest, Sha256};
use wasmparser::{Encoding, Parser, Payload, TypeRef};

use super::capability::{self, Capability};
use crate::error::{Error, Result};
use crate::record::text::to_hex;

/// Whether the binary is a core module (wasm32-wasip1) or a component (wasm32-wasip2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Module,
    Component,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Component => "component",
        }
    }
}

/// One host import and what it lets the module do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The import's module (`wasi_snapshot_preview1`); empty for a component import.
    pub module: String,
    /// The function or item name, or the component's interface name.
    pub name: String,
    /// func, memory, table, global, tag, or for components instance, func, type...
    pub kind: &'static str,
    pub capability: Capability,
}

impl Import {
    /// `module.name` for core imports, the interface name for component imports.
    pub fn qualified(&self) -> String {
        if self.module.is_empty() {
            self.name.clone()
        } else {
            format!("{}.{}", self.module, self.name)
        }
    }
}

/// What one binary is, imports and exports included.
#[derive(Debug, Clone)]
pub struct Inspected {
    pub kind: Kind,
    pub size: u64,
    pub sha256: String,
    pub imports: Vec<Import>,
    pub exports: Vec<String>,
    /// Bytes in custom sections (names, producers, DWARF): what `--strip` removes.
    pub custom_bytes: u64,
}

impl Inspected {
    /// The distinct capabilities the imports need, in a fixed order.
    pub fn capabilities(&self) -> BTreeSet<Capability> {
        self.imports.iter().map(|i| i.capability).collect()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// Reads and inspects a file; errors name the file.
pub fn inspect_file(path: &Path) -> Result<(Vec<u8>, Inspected)> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let info = inspect(&bytes).map_err(|msg| {
        Error::data(
            crate::error::Location {
                source: path.display().to_string(),
                ..Default::default()
            },
            msg,
        )
        .with_hint("is it a .wasm module built for wasm32-wasip1?")
    })?;
    Ok((bytes, info))
}

/// Imports, exports and custom-section bytes of a core module or component.
///
/// For a component only its own top-level imports reach the host; the core modules nested
/// inside import from the component's instances, so their imports are not listed.
pub fn inspect(bytes: &[u8]) -> std::result::Result<Inspected, String> {
    let mut kind = None;
    let mut depth = 0usize;
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    let mut custom_bytes = 0u64;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| format!("not a valid WebAssembly binary: {e}"))?;
        match payload {
            Payload::Version { encoding, .. } => {
                if depth == 0 {
                    kind = Some(match encoding {
                        Encoding::Module => Kind::Module,
                        Encoding::Component => Kind::Component,
                    });
                }
                depth += 1;
            }
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ImportSection(reader) if depth == 1 => {
                for imp in reader.into_imports() {
                    let imp = imp.map_err(|e| format!("import section: {e}"))?;
                    imports.push(Import {
                        module: imp.module.to_string(),
                        name: imp.name.to_string(),
                        kind: type_ref_kind(&imp.ty),
                        capability: capability::of_core_import(imp.module, imp.name),
                    });
                }
            }
            Payload::ExportSection(reader) if depth == 1 => {
                for exp in reader {
                    let exp = exp.map_err(|e| format!("export section: {e}"))?;
                    exports.push(exp.name.to_string());
                }
            }
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for imp in reader {
                    let imp = imp.map_err(|e| format!("component import section: {e}"))?;
                    let name = imp.name.name.to_string();
                    imports.push(Import {
                        module: String::new(),
                        capability: capability::of_component_import(&name),
                        name,
                        kind: component_kind(imp.ty.kind()),
                    });
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for exp in reader {
                    let exp = exp.map_err(|e| format!("component export section: {e}"))?;
                    exports.push(exp.name.name.to_string());
                }
            }
            Payload::CustomSection(c) => {
                let span = super::strip::section_span(bytes, c.range())?;
                custom_bytes += span.len() as u64;
            }
            _ => {}
        }
    }
    let kind = kind.ok_or("empty file: no WebAssembly header")?;
    Ok(Inspected {
        kind,
        size: bytes.len() as u64,
        sha256: sha256_hex(bytes),
        imports,
        exports,
        custom_bytes,
    })
}

fn type_ref_kind(t: &TypeRef) -> &'static str {
    match t {
        TypeRef::Func(_) | TypeRef::FuncExact(_) => "func",
        TypeRef::Table(_) => "table",
        TypeRef::Memory(_) => "memory",
        TypeRef::Global(_) => "global",
        TypeRef::Tag(_) => "tag",
    }
}

fn component_kind(k: wasmparser::ComponentExternalKind) -> &'static str {
    use wasmparser::ComponentExternalKind as K;
    match k {
        K::Module => "module",
        K::Func => "func",
        K::Value => "value",
        K::Type => "type",
        K::Instance => "instance",
        K::Component => "component",
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A hand-assembled module: imports wasi fd_write and environ_get, exports _start.
    pub fn tiny_module() -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        // type section: one type () -> ()
        m.extend([1, 4, 1, 0x60, 0, 0]);
        // import section: 2 imports of func type 0
        let mut imp = vec![2];
        for name in ["fd_write", "environ_get"] {
            let module = "wasi_snapshot_preview1";
            imp.push(module.len() as u8);
            imp.extend(module.as_bytes());
            imp.push(name.len() as u8);
            imp.extend(name.as_bytes());
            imp.extend([0, 0]);
        }
        m.push(2);
        m.push(imp.len() as u8);
        m.extend(imp);
        // function section: one function of type 0
        m.extend([3, 2, 1, 0]);
        // export section: "_start" func 2
        m.extend([7, 10, 1, 6]);
        m.extend(b"_start");
        m.extend([0, 2]);
        // custom section "x" with 3 bytes of payload
        m.extend([0, 5, 1, b'x', 1, 2, 3]);
        // code section: one body: no locals, end
        m.extend([10, 4, 1, 2, 0, 0x0b]);
        m
    }

    #[test]
    fn imports_exports_and_custom_bytes() {
        let info = inspect(&tiny_module()).unwrap();
        assert_eq!(info.kind, Kind::Module);
        assert_eq!(info.exports, vec!["_start"]);
        let caps: Vec<_> = info.imports.iter().map(|i| i.capability).collect();
        assert_eq!(caps, vec![Capability::Stdio, Capability::Env]);
        assert_eq!(info.custom_bytes, 7);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(inspect(b"not wasm").is_err());
        assert!(inspect(b"").is_err());
    }
}
