//! Fuzz targets: one function per parser of bytes pipekit does not control.
//!
//! Each target takes arbitrary bytes, returns normally whenever the code under test
//! handles them (an error is handling them) and panics when that code breaks its
//! contract: a panic of its own, an answer that differs from the reference, a corrupted
//! file accepted with contents other than what was written, an error that does not
//! say where. The targets live in the library so that two drivers share them:
//!
//! - `fuzz/` (cargo-fuzz: libFuzzer with AddressSanitizer), run long by `make fuzz`;
//! - the unit test in `replay.rs`, run by `make test`: every committed corpus file
//!   under `fuzz/corpus/TARGET/`, then a fixed number of seeded mutations of them, so
//!   a finding saved into the corpus stays a regression test in the one release build.
//!
//! Hidden from the documentation: this is test machinery, not API.

#[cfg(feature = "hidctl")]
mod hid;
mod record;
#[cfg(test)]
mod replay;
#[cfg(feature = "spictl")]
mod spi;
#[cfg(feature = "vidx")]
mod vidx;
#[cfg(feature = "wasm-build")]
mod wasm;

/// A fuzz target: its name (the cargo-fuzz target and the corpus directory) and body.
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every target this build has (the targets of tools not built are left out).
pub fn targets() -> Vec<Target> {
    // Extended below by each tool built; an etl-only build leaves it as it is.
    #[allow(unused_mut)]
    let mut all = vec![
        Target {
            name: "ndjson_direct",
            run: record::ndjson_direct,
        },
        Target {
            name: "records",
            run: record::records,
        },
        Target {
            name: "csv",
            run: record::csv,
        },
        Target {
            name: "json_array",
            run: record::json_array,
        },
    ];
    #[cfg(feature = "hidctl")]
    all.extend([
        Target {
            name: "hid_descriptor",
            run: hid::descriptor,
        },
        Target {
            name: "hid_bridge",
            run: hid::bridge,
        },
    ]);
    #[cfg(feature = "spictl")]
    all.push(Target {
        name: "spi_regmap",
        run: spi::regmap,
    });
    #[cfg(feature = "wasm-build")]
    all.push(Target {
        name: "wasm_audit",
        run: wasm::audit,
    });
    #[cfg(feature = "vidx")]
    all.extend([
        Target {
            name: "vidx_segment",
            run: vidx::segment,
        },
        Target {
            name: "vidx_wal",
            run: vidx::wal,
        },
        Target {
            name: "vidx_manifest",
            run: vidx::manifest,
        },
    ]);
    all
}

/// Runs the target called `name` on `data`; `false` when this build has no such target.
pub fn run(name: &str, data: &[u8]) -> bool {
    match targets().into_iter().find(|t| t.name == name) {
        Some(t) => {
            (t.run)(data);
            true
        }
        None => false,
    }
}

/// A scratch directory of this process for targets that must read files (readers take
/// paths, and vidx maps its segments), made once and reused by every input.
fn scratch_dir() -> &'static std::path::Path {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("pipekit-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creating the fuzz scratch directory");
        dir
    })
}

/// The error's text, which must name `place` (a file path): every error about a
/// corrupt input says where it is.
fn assert_names(err: &crate::error::Error, place: &str) {
    let text = err.to_string();
    assert!(
        text.contains(place),
        "the error does not name {place}: {text}"
    );
}
