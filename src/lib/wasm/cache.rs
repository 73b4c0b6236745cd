//! Compiled-module cache for `wasm-build run`: wasmtime compiles a module once, we keep its
//! serialized machine code under `$XDG_CACHE_HOME/pipekit/wasm` (else `~/.cache/...`),
//! keyed by the module's sha256 and a hash of everything in the engine configuration that
//! changes code generation (wasmtime's own compatibility hash: version, target, fuel and
//! epoch instrumentation, ...). A later run maps that file instead of compiling.
//!
//! A cache file is machine code that is executed, so it is only ever read from the user's
//! own cache directory and written through a private temporary file and a rename; a file
//! that wasmtime rejects (other version, corrupt) is compiled again and replaced.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::{Engine, Module};

use crate::error::{Error, Result};

/// Where compiled modules live, or None when neither XDG_CACHE_HOME nor HOME is set.
pub fn dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("pipekit").join("wasm"))
}

/// The cache file name of a module under an engine.
fn key(engine: &Engine, sha256: &str) -> String {
    // FNV-1a over wasmtime's compatibility hash: stable across our own builds, unlike
    // std's DefaultHasher, whose algorithm may change between Rust releases.
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    engine.precompile_compatibility_hash().hash(&mut h);
    format!("{sha256}-{:016x}.cwasm", h.0)
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

/// How the module was obtained, for the `--verbose` note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Cached,
    Compiled,
    /// Compiled, and the cache could not be written (reason warned).
    Uncached,
}

/// The compiled module: from the cache when it holds a usable copy, else compiled now and
/// stored. `use_cache = false` always compiles and stores nothing.
pub fn load(
    engine: &Engine,
    bytes: &[u8],
    sha256: &str,
    use_cache: bool,
) -> Result<(Module, Source)> {
    let compile = || {
        Module::new(engine, bytes)
            .map_err(|e| Error::device("wasmtime", format!("compiling the module: {e:#}")))
    };
    let Some(dir) = dir().filter(|_| use_cache) else {
        return Ok((compile()?, Source::Uncached));
    };
    let path = dir.join(key(engine, sha256));
    if path.is_file() {
        // SAFETY: the file is in the user's own cache directory and was written by
        // `store` below from wasmtime's `serialize`; wasmtime checks its header, version
        // and engine compatibility and returns an error (we then recompile) if they differ.
        if let Ok(m) = unsafe { Module::deserialize_file(engine, &path) } {
            return Ok((m, Source::Cached));
        }
    }
    let module = compile()?;
    match store(&module, &dir, &path) {
        Ok(()) => Ok((module, Source::Compiled)),
        Err(e) => {
            crate::cli::warn(&format!(
                "compiled module not cached ({e}); the next run compiles again"
            ));
            Ok((module, Source::Uncached))
        }
    }
}

fn store(module: &Module, dir: &Path, path: &Path) -> std::result::Result<(), String> {
    let bytes = module.serialize().map_err(|e| format!("{e}"))?;
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let tmp = dir.join(format!(".{}.tmp", std::process::id()));
    std::fs::write(&tmp, &bytes).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("renaming into {}: {e}", path.display())
    })
}
