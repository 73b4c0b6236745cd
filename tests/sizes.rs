//! Binary size is a feature (the device tools go onto boards with small root
//! filesystems): a binary more than 10% larger than its recorded size in
//! `bench/sizes.tsv` fails here. Find what grew with `bash bench/sizes.sh BINARY`; when
//! the growth is worth it, record the new size in bench/sizes.tsv in the same commit.

use std::path::{Path, PathBuf};

const TOLERANCE: f64 = 1.10;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where a recorded binary is: `native` is this test's own release build, a target
/// triple is the `make dist` build for it (`make test` builds the aarch64 device tools).
fn binary(target: &str, tool: &str) -> PathBuf {
    if target == "native" {
        // This test runs as target/release/deps/sizes-HASH.
        let exe = std::env::current_exe().unwrap();
        exe.parent().unwrap().parent().unwrap().join(tool)
    } else {
        root().join("dist").join(target).join("bin").join(tool)
    }
}

/// Whether this build has the tool at all (a single-tool build has one binary).
fn built(tool: &str) -> bool {
    match tool {
        "etl" => cfg!(feature = "etl"),
        "spictl" => cfg!(feature = "spictl"),
        "hidctl" => cfg!(feature = "hidctl"),
        "vidx" => cfg!(feature = "vidx"),
        "netprobe" => cfg!(feature = "netprobe"),
        "wasm-build" => cfg!(feature = "wasm-build"),
        _ => true,
    }
}

#[test]
fn no_binary_grew_more_than_ten_percent() {
    let table = std::fs::read_to_string(root().join("bench/sizes.tsv")).unwrap();
    let mut checked = 0;
    let mut grown = Vec::new();
    for (n, line) in table.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            f.len(),
            3,
            "bench/sizes.tsv:{}: want TARGET TOOL BYTES",
            n + 1
        );
        let (target, tool, recorded) = (f[0], f[1], f[2].parse::<u64>().unwrap());
        let is_dist = target != "native";
        // The dist device tools are built by `make test` for the whole-feature build.
        if !built(tool) || (is_dist && !cfg!(all(feature = "spictl", feature = "hidctl"))) {
            continue;
        }
        let path = binary(target, tool);
        let size = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (make test builds it first)", path.display()))
            .len();
        checked += 1;
        if size as f64 > recorded as f64 * TOLERANCE {
            grown.push(format!(
                "{} is {size} bytes, {:.1}% more than the {recorded} recorded",
                path.display(),
                (size as f64 / recorded as f64 - 1.0) * 100.0
            ));
        }
    }
    assert!(checked > 0, "bench/sizes.tsv names no binary of this build");
    assert!(
        grown.is_empty(),
        "binaries grew past the 10% allowed (see `bash bench/sizes.sh`; record a wanted growth in bench/sizes.tsv):\n{}",
        grown.join("\n")
    );
}
