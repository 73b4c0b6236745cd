//! The device tools where they run: the static aarch64 `spictl` and `hidctl` from
//! `make dist` (which `make test` builds first, TOOLS="spictl hidctl"), run under Debian's
//! qemu-user, must be static and give the same records as this machine's build: a
//! simulated W25Q128 written, verified and read back, an MCP3008 sample stream piped into
//! the x86 `etl agg`, and a HID descriptor decode.
#![cfg(all(feature = "spictl", feature = "hidctl", feature = "etl"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TARGET: &str = "aarch64-unknown-linux-musl";
const SPICTL: &str = env!("CARGO_BIN_EXE_spictl");
const HIDCTL: &str = env!("CARGO_BIN_EXE_hidctl");
const ETL: &str = env!("CARGO_BIN_EXE_etl");

/// The dist binary of `tool`, which must have been built.
fn dist(tool: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("dist")
        .join(TARGET)
        .join("bin")
        .join(tool);
    assert!(
        p.is_file(),
        "{} is missing: `make test` builds it (or: make dist TARGETS={TARGET} TOOLS=\"spictl hidctl\")",
        p.display()
    );
    p
}

/// Runs the aarch64 `tool` under qemu-user.
fn aarch64(tool: &str, args: &[&str]) -> Output {
    let out = Command::new("qemu-aarch64-static")
        .arg(dist(tool))
        .args(args)
        .output()
        .expect("qemu-aarch64-static runs (Debian qemu-user-static, from make deps)");
    assert!(
        out.status.success(),
        "aarch64 {tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn native(bin: &str, args: &[&str]) -> Output {
    let out = Command::new(bin).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{bin} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_binaries_are_static_aarch64_executables() {
    for tool in ["spictl", "hidctl"] {
        let out = Command::new("file").arg(dist(tool)).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("ARM aarch64"), "{text}");
        assert!(text.contains("statically linked"), "{text}");
        let version = String::from_utf8(aarch64(tool, &["--version"]).stdout).unwrap();
        assert!(
            version.contains(&format!("target:   {TARGET}")),
            "{version}"
        );
        let features = version
            .lines()
            .find_map(|l| l.strip_prefix("features:"))
            .unwrap_or_default();
        // Its own feature and what it needs (hidctl's bridge is backed by spictl's chips),
        // never the heavy ones.
        assert!(features.split_whitespace().any(|f| f == tool), "{version}");
        for heavy in ["etl", "kafka", "vidx", "wasm-build", "netprobe"] {
            assert!(
                !features.split_whitespace().any(|f| f == heavy),
                "{version}"
            );
        }
    }
}

#[test]
fn a_flash_round_trip_on_aarch64_matches_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let image: Vec<u8> = (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let firmware = d.join("firmware.bin");
    std::fs::write(&firmware, &image).unwrap();
    let fw = firmware.to_str().unwrap();
    let mut chips = Vec::new();
    for (who, run) in [("aarch64", true), ("native", false)] {
        let chip = d.join(format!("{who}.img"));
        let device = format!("sim:w25q128={}", chip.display());
        let write = ["--device", &device, "flash", "write", fw, "-o", "ndjson"];
        let read = [
            "--device", &device, "flash", "read", "--length", "300000", "-",
        ];
        let back = if run {
            aarch64("spictl", &write);
            aarch64("spictl", &read).stdout
        } else {
            native(SPICTL, &write);
            native(SPICTL, &read).stdout
        };
        assert_eq!(back, image, "{who}: what was written reads back");
        chips.push(std::fs::read(&chip).unwrap());
    }
    assert!(
        chips[0] == chips[1],
        "both builds leave the same chip image"
    );
}

#[test]
fn an_aarch64_sample_stream_feeds_the_native_etl() {
    let n = 2000;
    let mut sampler = Command::new("qemu-aarch64-static")
        .arg(dist("spictl"))
        .args(["--device", "sim:mcp3008", "sample", "--channel", "0"])
        .args(["--rate", "1000", "--count", &n.to_string(), "-o", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let agg = Command::new(ETL)
        .args([
            "agg",
            "--agg",
            "count(value), sum(missed), min(raw), max(raw)",
        ])
        .args(["-o", "ndjson"])
        .stdin(sampler.stdout.take().unwrap())
        .output()
        .unwrap();
    sampler.wait().unwrap();
    assert!(
        agg.status.success(),
        "{}",
        String::from_utf8_lossy(&agg.stderr)
    );
    let row: serde_json::Value = serde_json::from_slice(&agg.stdout).unwrap();
    // Under emulation slots may be missed, but each is accounted for exactly once.
    let slots = row["count(value)"].as_u64().unwrap() + row["sum(missed)"].as_u64().unwrap_or(0);
    assert_eq!(slots, n, "{row}");
    assert!(row["min(raw)"].as_u64().is_some_and(|v| v <= 1023), "{row}");
    assert!(row["max(raw)"].as_u64().is_some_and(|v| v <= 1023), "{row}");
}

#[test]
fn a_descriptor_decodes_the_same_on_aarch64() {
    // The boot keyboard's report descriptor (HID 1.11, appendix E.6).
    let desc: [u8; 63] = [
        0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x05, 0x07, 0x19, 0xe0, 0x29, 0xe7, 0x15, 0x00, 0x25,
        0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05,
        0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91,
        0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65,
        0x81, 0x00, 0xc0,
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keyboard.desc");
    std::fs::write(&file, desc).unwrap();
    let f = file.to_str().unwrap();
    for args in [
        &["descriptor", "--file", f, "-o", "ndjson"][..],
        &["descriptor", "--file", f, "--layout", "-o", "ndjson"][..],
    ] {
        let there = aarch64("hidctl", args).stdout;
        let here = native(HIDCTL, args).stdout;
        assert!(!here.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&there),
            String::from_utf8_lossy(&here),
            "{args:?}"
        );
    }
}
