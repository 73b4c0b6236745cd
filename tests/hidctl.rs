//! hidctl end to end on the host, through real pipes: descriptor decoding offline, the
//! bridge protocol against the simulated bridge (with injected faults), and spictl
//! using the bridge as its bus. The kernel paths (hidraw, uhid) run in the QEMU guest:
//! tests/hidctl_qemu.rs.
#![cfg(feature = "hidctl")]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const HIDCTL: &str = env!("CARGO_BIN_EXE_hidctl");
const SPICTL: &str = env!("CARGO_BIN_EXE_spictl");

const KEYBOARD: &str = "05010906a10175019508050719e029e715002501810295017508810195057501050819012905910295017503910195067508150025ff0507190029ff8100c0";

const BME280: &str = r#"name = "BME280"
read_flag = 0x80
write_flag = 0x00
addr_mask = 0x7f

[registers.id]
address = 0xD0
access = "ro"
reset = 0x60

[registers.ctrl_meas]
address = 0xF4
reset = 0x27
"#;

fn sh(dir: &Path, script: &str) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail; {script}"))
        .current_dir(dir)
        .env("HIDCTL", HIDCTL)
        .env("SPICTL", SPICTL)
        .env_remove("HIDCTL_DEVICE")
        .env_remove("SPICTL_DEVICE")
        .env_remove("PIPEKIT_OUTPUT")
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs")
}

fn run(dir: &Path, script: &str, code: i32) -> (String, String) {
    let out = sh(dir, script);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{script}\nstderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn descriptor_items_and_layout_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (out, _) = run(
        d,
        &format!(r#""$HIDCTL" descriptor --hex {KEYBOARD} | cat"#),
        0,
    );
    let items = records(&out);
    assert_eq!(items.len(), 32);
    assert_eq!(items[0]["name"], "Usage Page");
    assert_eq!(items[0]["meaning"], "Generic Desktop");
    assert_eq!(items[1]["meaning"], "Keyboard");
    assert_eq!(items[10]["name"], "Input");
    assert_eq!(items[10]["meaning"], "Data,Variable,Absolute");
    assert_eq!(items.last().unwrap()["offset"], 62);

    // The same bytes from a binary file (as sysfs has them) and as hex text.
    let bytes: Vec<u8> = (0..KEYBOARD.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&KEYBOARD[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(d.join("kbd.bin"), &bytes).unwrap();
    std::fs::write(d.join("kbd.hex"), format!("{KEYBOARD}\n")).unwrap();
    let (layout, _) = run(
        d,
        r#""$HIDCTL" descriptor --file kbd.bin --layout -o ndjson"#,
        0,
    );
    let (layout2, _) = run(
        d,
        r#""$HIDCTL" descriptor --file kbd.hex --layout -o ndjson"#,
        0,
    );
    assert_eq!(layout, layout2);
    let rows = records(&layout);
    let input: Vec<&Value> = rows.iter().filter(|r| r["direction"] == "input").collect();
    assert_eq!(input.len(), 3);
    assert_eq!(
        input[0]["usages"],
        "Keyboard/Keypad/Keyboard LeftControl..Keyboard Right GUI"
    );
    assert_eq!(input[2]["bit_offset"], 16);
    assert_eq!(input[2]["count"], 6);
    assert_eq!(input[2]["report_bits"], 64);
    let (raw, _) = run(
        d,
        r#""$HIDCTL" descriptor --file kbd.bin --raw -o ndjson"#,
        0,
    );
    assert_eq!(records(&raw)[0]["hex"], KEYBOARD);
    assert_eq!(records(&raw)[0]["top_level"][0], "Generic Desktop/Keyboard");
}

/// `replay --dry-run` decodes a hid-recorder file without creating a device: usage
/// names and codes, and physical values in the descriptor's unit (SMART Technologies'
/// touch screen: X 0..4095 over 0..142.80 cm), as records and as a table's text.
#[test]
fn replay_dry_run_decodes_with_units() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let desc = "05 01 09 02 a1 01 85 01 09 01 a1 00 05 09 19 01 29 03 15 00 25 01 95 03 75 01 81 02 95 05 81 03 05 01 15 00 26 ff 0f 55 0e 65 11 75 10 95 01 35 00 46 c8 37 09 30 81 02 46 68 1f 09 31 81 02 45 00 c0 c0";
    std::fs::write(
        d.join("touch.hid"),
        format!(
            "# a comment, as hid-recorder writes\nR: 67 {desc}\nN: SMART touch\nI: 3 0b8c 0092\n\
             E: 000000.000000 6 01 01 ff 0f 00 08\nE: 000000.250000 6 01 00 00 00 00 00\n"
        ),
    )
    .unwrap();
    let (out, _) = run(d, r#""$HIDCTL" replay --dry-run touch.hid"#, 0);
    let rows = records(&out);
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(
        (rows[0]["device"].as_i64(), rows[1]["time"].as_f64()),
        (Some(0), Some(0.25))
    );
    let x = &rows[0]["fields"][3];
    assert_eq!(x["usage"], "Generic Desktop/X", "{out}");
    assert_eq!(x["code"], 0x0001_0030);
    assert_eq!(
        (x["value"].as_i64(), x["unit"].as_str()),
        (Some(4095), Some("cm"))
    );
    assert!(
        (x["physical"].as_f64().unwrap() - 142.8).abs() < 1e-9,
        "{x}"
    );
    let y = &rows[0]["fields"][4];
    assert!((y["physical"].as_f64().unwrap() - 40.2).abs() < 0.01, "{y}");
    assert_eq!(rows[0]["fields"][0]["usage"], "Button/Button 1");
    let (table, _) = run(
        d,
        r#"COLUMNS=200 "$HIDCTL" replay --dry-run touch.hid -o table"#,
        0,
    );
    assert!(
        table
            .contains("Button 1=1, Button 2=0, Button 3=0, X=4095 (142.8 cm), Y=2048 (40.2098 cm)"),
        "{table}"
    );
    // A report shorter than its descriptor says: named, decoded as far as it goes, exit 3.
    std::fs::write(
        d.join("short.hid"),
        format!("R: 67 {desc}\nN: t\nI: 3 0b8c 0092\nE: 000000.000000 3 01 01 ff\n"),
    )
    .unwrap();
    let (_, err) = run(d, r#""$HIDCTL" replay --dry-run short.hid"#, 3);
    assert!(
        err.contains("input report 1 has 2 bytes, the descriptor says 5"),
        "{err}"
    );
}

/// hidctl's decoder against hid-tools' (hidtools.hid.ReportDescriptor, installed by make
/// deps) on the report descriptors of real devices in tests/data/hid-descriptors
/// (touchscreens, touchpads, pens, tablets, keyboards, mice, gamepads, vendor reports):
/// every report's id, direction and size and every field's bit offset, size, count,
/// usage page, usages, logical and physical ranges, unit and flags equal; 100 random
/// input reports per descriptor, decoded by `hidctl replay --dry-run` from a
/// hid-recorder file, give hid-tools' values. Where the HID spec says hid-tools is
/// wrong, tests/interop/hid_parity.py lists the departure with the spec section.
#[test]
fn decoder_agrees_with_hid_tools_on_real_descriptors() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hid-descriptors");
    let mut files: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hex"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{} descriptors", files.len());
    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/hid_parity.py"))
        .arg(HIDCTL)
        .args(&files)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let results = records(&text);
    assert_eq!(results.len(), files.len(), "{text}");
    for r in &results {
        assert_eq!(r["problems"], serde_json::json!([]), "{r}");
        if r["reports"].as_i64().unwrap() > 0 {
            assert!(r["fields"].as_i64().unwrap() > 0, "{r}");
        }
    }
    let decoded: i64 = results
        .iter()
        .map(|r| r["decoded_reports"].as_i64().unwrap())
        .sum();
    assert_eq!(decoded, 100 * files.len() as i64, "{text}");
}

#[test]
fn malformed_descriptors_exit_3_with_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Pop without push, then a Logical Maximum cut short.
    let (out, err) = run(
        d,
        r#""$HIDCTL" descriptor --hex 'b4 05 01 26 ff' -o ndjson"#,
        3,
    );
    assert_eq!(records(&out).len(), 2);
    assert!(err.contains("pop without a matching push"), "{err}");
    assert!(
        err.contains("byte 3: item 0x26 needs 2 data bytes"),
        "{err}"
    );
    // A long item is parsed and skipped.
    let (out, err) = run(
        d,
        r#""$HIDCTL" descriptor --hex 'fe 02 10 aa bb' -o ndjson"#,
        3,
    );
    assert_eq!(records(&out)[0]["kind"], "long");
    assert!(err.contains("long item"), "{err}");
    // Not hex at all: a usage error.
    let (_, err) = run(d, r#""$HIDCTL" descriptor --hex 'zz'"#, 2);
    assert!(err.contains("'zz'"), "{err}");
}

#[test]
fn bridge_protocol_against_the_simulated_bridge() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bme280.toml"), BME280).unwrap();
    let dev = "--device sim:regmap=bme280.toml";
    let (out, _) = run(d, &format!(r#""$HIDCTL" {dev} spi ping -o ndjson"#), 0);
    let p = &records(&out)[0];
    assert_eq!(p["version"], 1);
    assert_eq!(p["chunk"], 4);
    assert_eq!(p["simulated_spi"], true);
    let (out, _) = run(d, &format!(r#""$HIDCTL" {dev} spi read 0xd0 -o ndjson"#), 0);
    assert_eq!(records(&out)[0]["value"], 0x60);
    let (out, _) = run(
        d,
        &format!(r#""$HIDCTL" {dev} spi read 0xf4 --count 7 -o ndjson"#),
        0,
    );
    let r = records(&out);
    assert_eq!(r.len(), 7);
    assert_eq!(r[0]["value"], 0x27);
    assert_eq!(r[6]["addr"], 0xfa);
    // A damaged CRC gets a NACK; the right CRC an ACK.
    let (out, _) = run(
        d,
        &format!(r#""$HIDCTL" {dev} spi raw 0501000000000000 -o ndjson"#),
        0,
    );
    let m = records(&out)[0]["meaning"].as_str().unwrap().to_string();
    assert!(m.starts_with("NACK seq 1: bad CRC (command 0x05)"), "{m}");
    let (out, _) = run(
        d,
        &format!(r#""$HIDCTL" {dev} spi raw 05010000000000 -o ndjson"#),
        0,
    );
    let r = &records(&out)[0];
    assert!(
        r["meaning"].as_str().unwrap().starts_with("ACK ping seq 1"),
        "{r}"
    );
    assert_eq!(r["sent"].as_str().unwrap().len(), 16);
    let (_, err) = run(d, &format!(r#""$HIDCTL" {dev} spi raw 0501"#), 2);
    assert!(err.contains("give 7"), "{err}");
}

#[test]
fn lost_and_damaged_reports_are_retried_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bme280.toml"), BME280).unwrap();
    // Every 3rd response lost, every 4th request damaged: all reads still succeed,
    // and the link's trouble is on stderr.
    let (out, err) = run(
        d,
        r#""$HIDCTL" --device sim:regmap=bme280.toml --sim-faults drop=3,corrupt-request=4 spi read 0xd0 --count 12 --timeout 10ms -o ndjson"#,
        0,
    );
    let r = records(&out);
    assert_eq!(r.len(), 12);
    assert!(r.iter().all(|x| x["type"] == "read"));
    assert_eq!(r[0]["value"], 0x60);
    assert!(err.contains("retries") && err.contains("0 failed"), "{err}");
    assert!(!err.contains(" 0 retries"), "{err}");
    // Every 2nd response cut to 5 bytes (a short read): counted, retried, recovered.
    let (out, err) = run(
        d,
        r#""$HIDCTL" --device sim:regmap=bme280.toml --sim-faults short-response=2 spi read 0xd0 --count 12 --timeout 10ms -o ndjson"#,
        0,
    );
    assert_eq!(records(&out).len(), 12);
    assert!(
        err.contains(" 2 short reports") && err.contains(" 2 retries"),
        "{err}"
    );
    assert!(err.contains("0 failed"), "{err}");
    // A link that loses everything: lost records, exit 3.
    let (out, err) = run(
        d,
        r#""$HIDCTL" --device sim:loopback --sim-faults drop=1 spi write 0x10 1 2 --timeout 5ms --retries 1 -o ndjson"#,
        3,
    );
    let r = records(&out);
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|x| x["type"] == "lost"), "{r:?}");
    assert!(
        r[0]["error"]
            .as_str()
            .unwrap()
            .contains("failed after 2 tries"),
        "{r:?}"
    );
    assert!(err.contains("2 failed"), "{err}");
}

#[test]
fn spictl_uses_the_bridge_as_its_bus() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let img: Vec<u8> = (0..10_000u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::write(d.join("image.bin"), &img).unwrap();
    let (out, _) = run(
        d,
        r#""$SPICTL" --device hid:sim:w25q128=chip.img flash id -o ndjson"#,
        0,
    );
    assert!(out.contains("ef4018"), "{out}");
    run(
        d,
        r#""$SPICTL" --device hid:sim:w25q128=chip.img flash write image.bin -o ndjson"#,
        0,
    );
    // Verify both through the bridge and directly on the simulated chip's image.
    run(
        d,
        r#""$SPICTL" --device hid:sim:w25q128=chip.img flash verify image.bin -o ndjson"#,
        0,
    );
    run(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash verify image.bin -o ndjson"#,
        0,
    );
    let (out, _) = run(
        d,
        r#""$SPICTL" --device hid:sim:loopback xfer 'de ad be ef 01 02 03' 0405@cs -o ndjson"#,
        0,
    );
    let r = records(&out);
    assert_eq!(r[0]["rx"], "deadbeef010203");
    assert_eq!(r[1]["rx"], "0405");
    let (out, _) = run(
        d,
        r#""$SPICTL" --device hid:sim:loopback info -o ndjson"#,
        0,
    );
    assert!(out.contains("HID-SPI bridge"), "{out}");
}

#[test]
fn device_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, err) = run(d, r#""$HIDCTL" --device /dev/hidraw-none read"#, 1);
    assert!(err.contains("/dev/hidraw-none: no such device"), "{err}");
    let (_, err) = run(d, r#""$HIDCTL" read"#, 2);
    assert!(err.contains("no device given"), "{err}");
    let (_, err) = run(d, r#""$HIDCTL" --device 12345:1 read"#, 2);
    assert!(err.contains("1-4 hex digits"), "{err}");
    let (_, err) = run(d, r#""$HIDCTL" --device dead:beef read"#, 1);
    assert!(err.contains("no such HID device"), "{err}");
    let (_, err) = run(d, r#""$SPICTL" --device hid:dead:beef info"#, 1);
    assert!(err.contains("no such HID device"), "{err}");
    // The simulated bridge's reports are 8 bytes: a 9-byte payload is refused.
    let (_, err) = run(
        d,
        r#""$HIDCTL" --device sim:loopback write 010203040506070809"#,
        2,
    );
    assert!(err.contains("too long"), "{err}");
    // Listing works without any HID device (an empty table is still valid output).
    run(d, r#""$HIDCTL" list -o ndjson"#, 0);
}

#[test]
fn the_bridge_feature_report_is_its_spi_configuration() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The simulated loopback starts in mode 0, 8 bits per word.
    let (out, _) = run(
        d,
        r#""$HIDCTL" --device sim:loopback feature get -o ndjson"#,
        0,
    );
    let r = &records(&out)[0];
    assert_eq!(
        (r["kind"].as_str(), r["len"].as_i64()),
        (Some("feature"), Some(5)),
        "{r}"
    );
    assert_eq!(&r["hex"].as_str().unwrap()[..4], "0008", "{r}");
    // Set is accepted (a short one padded, with a warning); a long one or a numbered
    // one is refused.
    run(
        d,
        r#""$HIDCTL" --device sim:loopback feature set 0308401f00"#,
        0,
    );
    let (_, err) = run(d, r#""$HIDCTL" --device sim:loopback feature set 0308"#, 0);
    assert!(err.contains("padding"), "{err}");
    let (_, err) = run(
        d,
        r#""$HIDCTL" --device sim:loopback feature set 0308401f0000"#,
        2,
    );
    assert!(err.contains("too long"), "{err}");
    let (_, err) = run(
        d,
        r#""$HIDCTL" --device sim:loopback feature get --report-id 2 --len 5"#,
        1,
    );
    assert!(err.contains("one feature report"), "{err}");
}
