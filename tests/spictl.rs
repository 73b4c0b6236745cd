//! spictl end to end: the built binary, run through real shell pipes against the
//! simulated chips (these machines have no SPI controller).
#![cfg(feature = "spictl")]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const SPICTL: &str = env!("CARGO_BIN_EXE_spictl");
const ETL: &str = env!("CARGO_BIN_EXE_etl");

/// Runs a shell pipeline in `dir` with $SPICTL and $ETL set.
fn sh(dir: &Path, script: &str) -> Output {
    let mut bash = Command::new("bash");
    signals::default_signals(&mut bash)
        .arg("-c")
        .arg(format!("set -o pipefail; {script}"))
        .current_dir(dir)
        .env("SPICTL", SPICTL)
        .env("ETL", ETL)
        .env_remove("SPICTL_DEVICE")
        .env_remove("PIPEKIT_OUTPUT")
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs")
}

fn ok(dir: &Path, script: &str) -> String {
    let out = sh(dir, script);
    assert!(
        out.status.success(),
        "{script}\nstatus {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn records(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Deterministic pseudo-random bytes.
fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

#[test]
fn flash_write_verify_round_trips_a_1mib_image() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = noise(1 << 20, 1);
    let b = noise(1 << 20, 2);
    std::fs::write(d.join("a.bin"), &a).unwrap();
    std::fs::write(d.join("b.bin"), &b).unwrap();

    // A fresh (erased) chip needs no erase: every byte is programmed.
    let out = ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash write a.bin -o ndjson | cat"#,
    );
    let w = &records(&out)[0];
    assert_eq!(w["op"], "write");
    assert_eq!(w["part"], "W25Q128JV (simulated)");
    assert_eq!(w["erased_bytes"], 0);
    assert_eq!(w["programmed_bytes"], 1 << 20);
    assert_eq!(w["verified"], true);
    assert_eq!(w["mismatches"], 0);

    // Over image A, image B needs every block erased first.
    let out = ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash write b.bin -o ndjson && "$SPICTL" --device sim:w25q128=chip.img flash verify b.bin -o ndjson"#,
    );
    let rs = records(&out);
    assert_eq!(rs[0]["erased_bytes"], 1 << 20);
    assert_eq!(rs[1]["op"], "verify");
    assert_eq!(rs[1]["verified"], true);
    assert_eq!(rs[1]["length"], 1 << 20);

    // The image file is the chip: B, then the erased rest. And flash read agrees.
    let img = std::fs::read(d.join("chip.img")).unwrap();
    assert_eq!(img.len(), 16 << 20);
    assert!(img[..1 << 20] == b[..]);
    assert!(img[1 << 20..].iter().all(|&x| x == 0xff));
    ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash read --length 1M - | cmp - b.bin"#,
    );
    // Above READ's 50 MHz limit the read goes through FAST_READ (0x0B) and its dummy
    // byte; the bytes must be the same.
    ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img --speed 80M flash read --length 1M - | cmp - b.bin"#,
    );

    // Verify against the other image fails, says where, exit status 1.
    let out = sh(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash verify a.bin -o ndjson"#,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("verify failed") && err.contains("first at 0x"),
        "{err}"
    );
    assert_eq!(
        records(&String::from_utf8(out.stdout).unwrap())[0]["verified"],
        false
    );
}

#[test]
fn no_erase_reproduces_bit_clearing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let old = noise(8192, 3);
    let new = noise(8192, 4);
    std::fs::write(d.join("old.bin"), &old).unwrap();
    std::fs::write(d.join("new.bin"), &new).unwrap();
    ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash write old.bin --offset 64K -o ndjson"#,
    );

    let out = sh(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash write new.bin --offset 64K --no-erase -o ndjson"#,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("verify failed") && err.contains("--no-erase"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one-line error: {err}");
    let rec = &records(&String::from_utf8(out.stdout).unwrap())[0];
    assert_eq!(rec["erased_bytes"], 0);
    let expected_bad = old.iter().zip(&new).filter(|(o, n)| *o & *n != **n).count();
    assert_eq!(rec["mismatches"], expected_bad as u64);

    ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash read --offset 64K --length 8K back.bin"#,
    );
    let back = std::fs::read(d.join("back.bin")).unwrap();
    let anded: Vec<u8> = old.iter().zip(&new).map(|(o, n)| o & n).collect();
    assert_eq!(back, anded, "programming can only clear bits");

    // Writing the AND again with --no-erase verifies fine (nothing needs a 1).
    std::fs::write(d.join("and.bin"), &anded).unwrap();
    ok(
        d,
        r#""$SPICTL" --device sim:w25q128=chip.img flash write and.bin --offset 0x10000 --no-erase -o ndjson"#,
    );
}

/// Parses an RFC 3339 `ts` into nanoseconds since the epoch.
fn ts_ns(r: &Value) -> i64 {
    let s = r["ts"].as_str().unwrap();
    assert!(s.ends_with('Z') && s.len() == 30, "{s}");
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_nanos_opt()
        .unwrap()
}

/// Slots in `etl agg ... --agg 'count(value), sum(missed)'` windows: samples plus
/// missed slots.
fn window_slots(windows: &[Value]) -> u64 {
    windows
        .iter()
        .map(|w| w["count(value)"].as_u64().unwrap() + w["sum(missed)"].as_u64().unwrap())
        .sum()
}

/// Checks what `sample --rate 1000 --count N` promises about its records, overruns or
/// not: one schema, and every slot of the N accounted for exactly once (sampled, or
/// inside an overrun record), each sample on its slot of the grid that starts on a
/// whole second. Returns the number of slots missed.
fn check_slots(rs: &[Value], n: u64) -> u64 {
    let samples: Vec<&Value> = rs.iter().filter(|r| r["type"] == "sample").collect();
    let overruns: Vec<&Value> = rs.iter().filter(|r| r["type"] == "overrun").collect();
    assert_eq!(
        samples.len() + overruns.len(),
        rs.len(),
        "only samples and overruns"
    );
    // One schema from the first record on: missed is always there (0 on samples).
    assert!(samples.iter().all(|r| r["missed"] == 0), "{:?}", samples[0]);
    assert!(overruns.iter().all(|r| r["missed"].as_u64() > Some(0)));
    let missed: u64 = overruns.iter().map(|r| r["missed"].as_u64().unwrap()).sum();
    assert_eq!(samples.len() as u64 + missed, n, "--count counts slots");

    let mut covered = vec![0u32; n as usize];
    for r in &samples {
        covered[r["seq"].as_u64().unwrap() as usize] += 1;
    }
    for r in &overruns {
        let seq = r["seq"].as_u64().unwrap();
        for k in seq..seq + r["missed"].as_u64().unwrap() {
            covered[k as usize] += 1;
        }
    }
    assert!(covered.iter().all(|&c| c == 1), "every slot exactly once");

    // ts minus lag_ns is the slot's scheduled time: slot 0 on a whole second, then one
    // period apart. A sample is never a whole period late (that slot would have been
    // reported missed instead), so every one falls inside the N periods of the run.
    let start = ts_ns(samples[0])
        - samples[0]["lag_ns"].as_i64().unwrap()
        - samples[0]["seq"].as_i64().unwrap() * 1_000_000;
    assert_eq!(start % 1_000_000_000, 0, "slot 0 is on a whole second");
    let ts: Vec<i64> = samples.iter().map(|r| ts_ns(r)).collect();
    assert!(ts.windows(2).all(|w| w[1] > w[0]), "timestamps increase");
    for (r, t) in samples.iter().zip(&ts) {
        let (lag, seq) = (r["lag_ns"].as_i64().unwrap(), r["seq"].as_i64().unwrap());
        assert_eq!(t - lag, start + seq * 1_000_000, "{r}");
        assert!((0..1_000_000).contains(&lag), "{r}");
    }
    assert!(*ts.last().unwrap() < start + n as i64 * 1_000_000);
    missed
}

#[test]
fn sample_5000_at_1khz() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = sh(
        d,
        r#""$SPICTL" --device sim:mcp3008 sample --channel 0 --rate 1000 --count 5000 -o ndjson | tee s.ndjson | "$ETL" count -o ndjson"#,
    );
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(3),
        "{:?} {}",
        code,
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("5000 slots at 1000 Hz"), "{stderr}");
    assert!(!stderr.contains("schema widened"), "{stderr}");
    let text = std::fs::read_to_string(d.join("s.ndjson")).unwrap();
    let rs = records(&text);
    assert_eq!(
        records(&String::from_utf8(out.stdout).unwrap())[0]["count"],
        rs.len()
    );
    let missed = check_slots(&rs, 5000);
    // Overruns are reported, never hidden: exit 3 exactly when there are overrun records.
    assert_eq!(code == Some(3), missed > 0);
    assert!(
        stderr.contains(&format!("{} sampled, {missed} missed", 5000 - missed)),
        "{stderr}"
    );

    let samples: Vec<&Value> = rs.iter().filter(|r| r["type"] == "sample").collect();
    for r in &samples {
        let raw = r["raw"].as_u64().unwrap();
        assert!(raw < 1024);
        let v = r["value"].as_f64().unwrap();
        assert!((v - raw as f64 / 1024.0 * 3.3).abs() < 1e-9);
        assert_eq!(r["device"], "sim:mcp3008");
        assert_eq!(r["chip"], "MCP3008 (simulated)");
    }
    // The default 1 Hz sine spans most of the range over five seconds.
    let max = samples
        .iter()
        .map(|r| r["raw"].as_u64().unwrap())
        .max()
        .unwrap();
    let min = samples
        .iter()
        .map(|r| r["raw"].as_u64().unwrap())
        .min()
        .unwrap();
    assert!(max > 900 && min < 120, "{min}..{max}");
}

#[test]
fn five_seconds_of_samples_make_five_one_second_windows() {
    let dir = tempfile::tempdir().unwrap();
    let out = sh(
        dir.path(),
        r#"{ "$SPICTL" --device sim:mcp3008 sample --rate 1000 --count 5000 || test $? -eq 3; } | tee s.ndjson | "$ETL" agg --window 1s --time ts --agg 'avg(value), max(value)' -o ndjson"#,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("schema widened"), "{stderr}");
    let windows = records(&String::from_utf8(out.stdout).unwrap());
    // Five seconds of slots from a whole second: five windows, overruns or not (missed
    // slots count towards --count, so they cannot push samples into a sixth second).
    assert_eq!(windows.len(), 5, "{windows:?}");
    let text = std::fs::read_to_string(dir.path().join("s.ndjson")).unwrap();
    let rs = records(&text);
    check_slots(&rs, 5000);
    // Per-second maximum, computed here from the samples themselves.
    let mut seconds: std::collections::BTreeMap<i64, f64> = Default::default();
    for r in rs.iter().filter(|r| r["type"] == "sample") {
        let entry = seconds
            .entry(ts_ns(r).div_euclid(1_000_000_000))
            .or_insert(f64::MIN);
        *entry = entry.max(r["value"].as_f64().unwrap());
    }
    assert_eq!(seconds.len(), 5);
    for (w, (second, max)) in windows.iter().zip(&seconds) {
        let start = chrono::DateTime::parse_from_rfc3339(w["window_start"].as_str().unwrap())
            .unwrap()
            .timestamp();
        assert_eq!(start, *second, "{w:?}");
        assert_eq!(w["max(value)"].as_f64().unwrap(), *max, "{w:?}");
    }
    // etl's own per-window counts: samples plus missed slots make the 5000.
    let out = ok(
        dir.path(),
        r#""$ETL" agg --window 1s --time ts --agg 'count(value), sum(missed)' -o ndjson < s.ndjson"#,
    );
    let counts = records(&out);
    assert_eq!(counts.len(), 5, "{counts:?}");
    assert_eq!(window_slots(&counts), 5000, "{counts:?}");
}

/// A sampler that is stopped for a while (SIGSTOP, as a long preemption would) misses
/// slots: they are reported in overrun records of the same schema, they count towards
/// --count, and the run still ends on its last slot, so the windows stay whole.
#[test]
fn missed_slots_are_reported_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 1000 --count 3000 -o ndjson > s.ndjson 2> err.txt & pid=$!
           until [ -s s.ndjson ] || ! kill -0 $pid 2>/dev/null; do sleep 0.01; done
           kill -STOP $pid; sleep 0.2; kill -CONT $pid
           wait $pid; echo "status $?"
           "$ETL" agg --window 1s --time ts --agg 'count(value), sum(missed)' -o ndjson < s.ndjson"#,
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let spictl_err = std::fs::read_to_string(dir.path().join("err.txt")).unwrap();
    let (status, windows) = stdout.split_once('\n').unwrap();
    assert_eq!(status, "status 3", "lossy run: {spictl_err}");
    assert!(spictl_err.contains("overrun at slot"), "{spictl_err}");
    assert!(!stderr.contains("schema widened"), "{stderr}");
    let rs = records(&std::fs::read_to_string(dir.path().join("s.ndjson")).unwrap());
    let missed = check_slots(&rs, 3000);
    assert!(missed >= 100, "stopped for 0.2 s at 1 kHz: {missed} missed");
    let windows = records(windows);
    assert_eq!(windows.len(), 3, "{windows:?}");
    assert_eq!(window_slots(&windows), 3000);
}

#[test]
fn sample_realtime_priority() {
    let dir = tempfile::tempdir().unwrap();
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 1000 --count 200 --rt-priority 20 -o ndjson"#,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        assert!(matches!(out.status.code(), Some(0 | 3)), "{err}");
        // 200 slots, sampled or reported missed.
        let missed = check_slots(&records(&String::from_utf8(out.stdout).unwrap()), 200);
        assert_eq!(out.status.code() == Some(3), missed > 0, "{err}");
    } else {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("SCHED_FIFO"), "{err}");
    }
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 10 --rt-priority 0"#,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn endless_sample_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 200 --align 0 -o ndjson > s.ndjson & pid=$!; sleep 0.5; kill -TERM $pid; wait $pid"#,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 3)), "{err}");
    assert!(err.contains("slots at 200 Hz"), "{err}");
    let text = std::fs::read_to_string(dir.path().join("s.ndjson")).unwrap();
    assert!(text.ends_with('\n'));
    let n = records(&text)
        .iter()
        .filter(|r| r["type"] == "sample")
        .count();
    assert!(
        (40..=200).contains(&n),
        "{n} samples in about 0.5 s at 200 Hz"
    );
}

/// An endless capture into a file ended by Ctrl-C or a service stop is a whole file
/// (Parquet needs its footer) holding what was sampled; one killed outright leaves the
/// previous capture as it was.
#[test]
fn a_capture_to_a_file_ended_by_a_signal_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    for (signal, after) in [("INT", "0.3"), ("TERM", "0.7")] {
        let out = sh(
            dir.path(),
            &format!(
                // Job control on, as in an interactive shell: without it bash starts
                // `cmd &` with SIGINT ignored, and spictl keeps an ignored signal ignored.
                // At most 30 s (15,000 samples) if the signal went unseen.
                r#"set -m; "$SPICTL" --device sim:mcp3008 sample --rate 500 --count 15000 --align 0 --out cap.parquet & pid=$!; sleep {after}; kill -{signal} $pid; wait $pid"#
            ),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(0 | 3)), "{signal}: {err}");
        let count = ok(dir.path(), r#""$ETL" count cap.parquet"#);
        let n = records(&count)[0]["count"].as_u64().unwrap_or(0);
        assert!(
            n > 20 && n < 15000,
            "{signal} after {after} s: {n} records in the file: {count}"
        );
    }
    let before = std::fs::read(dir.path().join("cap.parquet")).unwrap();
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 500 --align 0 --out cap.parquet & pid=$!; sleep 0.3; kill -KILL $pid; wait $pid"#,
    );
    assert_eq!(out.status.code(), Some(137), "killed by SIGKILL");
    assert!(
        std::fs::read(dir.path().join("cap.parquet")).unwrap() == before,
        "the previous capture changed"
    );
    // The next capture clears what the killed one left and commits its own file. On a
    // loaded machine a slot may be missed: that is reported (exit 3), not an error.
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:mcp3008 sample --rate 500 --count 50 --align 0 --out cap.parquet"#,
    );
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["cap.parquet"]);
}

#[test]
fn sample_reads_the_signal_file_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("sig.txt"), "0.25, 0.5\n0.75, 1.0\n").unwrap();
    let out = ok(
        d,
        r#""$SPICTL" --device sim:mcp3208=file:sig.txt sample --chip mcp3208 --channel 0,1 --rate 100 --count 2 -o ndjson"#,
    );
    let raws: Vec<u64> = records(&out)
        .iter()
        .map(|r| r["raw"].as_u64().unwrap())
        .collect();
    // One line per conversion: ch0 of line 1, ch1 of line 2, ch0 of line 1, ch1 of line 2.
    assert_eq!(raws, vec![1024, 4095, 1024, 4095]);
}

#[test]
fn xfer_loopback_and_adc_frame() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = ok(
        d,
        r#""$SPICTL" --device sim:loopback xfer 'de ad be ef' 0x0102@cs 03@delay=10@speed=2M -o ndjson | cat"#,
    );
    let rs = records(&out);
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0]["tx"], "deadbeef");
    assert_eq!(rs[0]["rx"], "deadbeef");
    assert_eq!(rs[1]["cs_change"], true);
    assert_eq!(rs[2]["delay_us"], 10);
    assert_eq!(rs[2]["speed_hz"], 2_000_000);

    std::fs::write(d.join("sig.txt"), "0.5\n").unwrap();
    let out = ok(
        d,
        r#""$SPICTL" --device sim:mcp3008=file:sig.txt xfer 018000 -o ndjson"#,
    );
    // 0.5 of 1024 = 512 = 0b10_0000_0000: B9 at bit 1 of byte 2.
    assert_eq!(records(&out)[0]["rx"], "fffa00");

    let data = noise(100_000, 9);
    std::fs::write(d.join("r.bin"), &data).unwrap();
    ok(
        d,
        r#"cat r.bin | "$SPICTL" --device sim:loopback pipe --block-size 333 | cmp - r.bin"#,
    );
    let out = ok(
        d,
        r#""$SPICTL" --device sim:loopback xfer --file r.bin -o ndjson"#,
    );
    assert_eq!(records(&out)[0]["len"], 100_000);
}

const BME280: &str = r#"
name = "BME280"
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
fields.osrs_t = { bits = "7:5", values = { 0 = "skipped", 1 = "x1", 2 = "x2", 5 = "x16" } }
fields.osrs_p = { bits = "4:2", values = { 0 = "skipped", 1 = "x1" } }
fields.mode = { bits = "1:0", values = { 0 = "sleep", 1 = "forced", 3 = "normal" } }
"#;

#[test]
fn reg_read_and_write_with_a_toml_map() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bme280.toml"), BME280).unwrap();
    let out = ok(
        d,
        r#""$SPICTL" --device sim:regmap=bme280.toml reg read --map bme280.toml ctrl_meas -o ndjson | cat"#,
    );
    let rs = records(&out);
    assert_eq!(rs.len(), 4);
    assert_eq!(rs[0]["reg"], "ctrl_meas");
    assert_eq!(rs[0]["addr"], 0xf4);
    assert_eq!(rs[0]["value"], 0x27);
    assert_eq!(rs[0]["raw"], "27");
    assert_eq!(
        (&rs[1]["field"], &rs[1]["value"], &rs[1]["meaning"]),
        (&Value::from("osrs_t"), &Value::from(1), &Value::from("x1"))
    );
    assert_eq!(
        (&rs[3]["field"], &rs[3]["meaning"]),
        (&Value::from("mode"), &Value::from("normal"))
    );

    // Field write: read-modify-write, then read back (one command: the sim keeps no state).
    let out = ok(
        d,
        r#""$SPICTL" --device sim:regmap=bme280.toml reg write ctrl_meas osrs_t=x16,mode=forced -o ndjson"#,
    );
    let rs = records(&out);
    assert_eq!(rs[0]["value"], 0xa5);
    assert_eq!(rs[3]["meaning"], "forced");

    // Every register of the map, by address order.
    let out = ok(
        d,
        r#""$SPICTL" --device sim:regmap=bme280.toml reg read -o ndjson"#,
    );
    let regs: Vec<String> = records(&out)
        .iter()
        .filter(|r| r["field"].is_null())
        .map(|r| r["reg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(regs, ["id", "ctrl_meas"]);

    let out = sh(
        d,
        r#""$SPICTL" --device sim:regmap=bme280.toml reg write id 1"#,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read-only"));
}

#[test]
fn info_names_the_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        r#""$SPICTL" --device sim:w25q128 --mode 3 --speed 50M info -o ndjson"#,
    );
    let r = &records(&out)[0];
    assert_eq!(r["kind"], "simulation");
    assert_eq!(r["chip"], "W25Q128JV (simulated)");
    assert_eq!(r["mode"], 3);
    assert_eq!(r["speed_hz"], 50_000_000);
    let out = ok(
        dir.path(),
        r#""$SPICTL" --device sim:w25q128 flash id -o ndjson"#,
    );
    let r = &records(&out)[0];
    assert_eq!(r["jedec"], "ef4018");
    assert_eq!(r["size_bytes"], 16 << 20);
}

#[test]
fn simulated_chips_behind_the_hid_bridge_are_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        r#""$SPICTL" --device hid:sim:w25q128 flash id -o ndjson"#,
    );
    let r = &records(&out)[0];
    assert_eq!(r["part"], "W25Q128JV (simulated)");
    assert_eq!(r["device"], "hid:sim:w25q128");
}

#[test]
fn hid_bridge_splits_transfers_larger_than_its_buffer() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("big.bin"), noise(10_000, 5)).unwrap();
    let out = sh(
        d,
        r#""$SPICTL" --device hid:sim:loopback xfer --file big.bin -o ndjson"#,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r = &records(&String::from_utf8(out.stdout).unwrap())[0];
    assert_eq!(r["len"], 10_000);
    assert_eq!(r["rx"], r["tx"], "the pieces come back in order");
    assert_eq!(
        err.trim_end(),
        "spictl: warning: hid:sim:loopback: a 10000-byte message is larger than the HID bridge's buffer (4096 bytes); it is split into 3 messages and chip select toggles between them",
        "exactly one warning"
    );
    // Within the buffer: one frame, no warning.
    let out = sh(
        d,
        r#"head -c 4096 big.bin > fits.bin; "$SPICTL" --device hid:sim:loopback xfer --file fits.bin -o ndjson"#,
    );
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn io_errors_name_the_os_error_once() {
    let dir = tempfile::tempdir().unwrap();
    let os = std::io::Error::from_raw_os_error(libc::ENOENT).to_string();
    for (script, what) in [
        (
            r#""$SPICTL" --device sim:w25q128 flash verify nope.bin"#,
            "reading nope.bin",
        ),
        (r#""$ETL" convert nope.ndjson"#, "nope.ndjson"),
    ] {
        let out = sh(dir.path(), script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{script}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{script}: {err}");
        assert!(err.contains(what), "{script}: {err}");
        assert_eq!(err.matches(&os).count(), 1, "{script}: {err}");
    }
}

#[test]
fn reg_write_names_an_unnamed_register_by_its_address() {
    let dir = tempfile::tempdir().unwrap();
    // The loopback echoes the read command, so the read-back differs from the write.
    let out = sh(
        dir.path(),
        r#""$SPICTL" --device sim:loopback reg write 0x12 0x34 -o ndjson"#,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.trim_end(),
        "spictl: warning: register 0x12: wrote 0x34 but reads back 0x0"
    );
}

#[test]
fn config_echoes_every_setting_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(
        dir.path(),
        r#""$SPICTL" --device sim:loopback config --mode 3 --speed 2M --lsb-first --cs-high --3wire -o ndjson"#,
    );
    let rs = records(&out);
    assert_eq!(rs.len(), 1);
    let r = &rs[0];
    assert_eq!(r["device"], "sim:loopback");
    assert_eq!(r["kind"], "simulation");
    assert_eq!(r["mode"], 3);
    assert_eq!(r["speed_hz"], 2_000_000);
    assert_eq!(r["bits"], 8);
    assert_eq!(r["lsb_first"], true);
    assert_eq!(r["cs_high"], true);
    assert_eq!(r["three_wire"], true);
    // Settings not given keep their defaults; =false turns a flag off again.
    let out = ok(
        dir.path(),
        r#""$SPICTL" --device sim:loopback config --cs-high=false -o ndjson"#,
    );
    let r = &records(&out)[0];
    assert_eq!(
        (&r["mode"], &r["cs_high"]),
        (&Value::from(0), &Value::from(false))
    );
}

#[test]
fn bad_arguments_give_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: &[(&str, i32, &str)] = &[
        (
            r#""$SPICTL" --device sim:loopback xfer abc"#,
            2,
            "odd number of hex digits",
        ),
        (r#""$SPICTL" --device sim:loopback xfer 0g"#, 2, "not hex"),
        (
            r#""$SPICTL" --device sim:loopback --mode 4 info"#,
            2,
            "0..=3",
        ),
        (r#""$SPICTL" xfer 00"#, 2, "no device given"),
        (
            r#""$SPICTL" --device hid:1234:5678 info"#,
            1,
            "no such HID device",
        ),
        (
            r#""$SPICTL" --device sim:eeprom info"#,
            2,
            "unknown simulated chip",
        ),
        (r#""$SPICTL" --device /dev/spidev9.9 info"#, 1, "spidev"),
        (
            r#""$SPICTL" --device sim:mcp3008 --mode 1 xfer 00"#,
            1,
            "modes 0 and 3",
        ),
        (
            r#""$SPICTL" --device sim:w25q128 flash erase --offset 100 --length 4K"#,
            2,
            "must cover whole erase units: the smallest erase there spans 0x0..0x1000",
        ),
        (
            r#""$SPICTL" --device sim:w25q128 flash write missing.bin"#,
            1,
            "missing.bin",
        ),
        (
            r#""$SPICTL" --device sim:mcp3008 sample --rate 0 --count 1"#,
            2,
            "rate",
        ),
        (
            r#""$SPICTL" --device sim:loopback config"#,
            2,
            "nothing to configure",
        ),
    ];
    for (script, code, needle) in cases {
        let out = sh(d, script);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{script}: {err}");
        let first = err.lines().next().unwrap_or("");
        assert!(first.contains(needle), "{script}: {err}");
        // clap's own errors add a "try --help" line; ours are exactly one line.
        if !err.contains("For more information, try '--help'") {
            assert_eq!(err.trim_end().lines().count(), 1, "{script}: {err}");
        }
    }
}

#[test]
fn help_and_man_page_cover_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let help = ok(dir.path(), r#""$SPICTL" --help"#);
    assert!(
        help.contains("hid:VID:PID"),
        "the HID bridge bus is documented: {help}"
    );
    let man = ok(dir.path(), r#""$SPICTL" --generate man"#);
    for cmd in [
        "info",
        "config",
        "xfer",
        "pipe",
        "reg read",
        "reg write",
        "sample",
        "flash id",
        "flash read",
        "flash write",
        "flash erase",
        "flash verify",
    ] {
        assert!(
            man.contains(&format!(".SS \"spictl {cmd}\"")),
            "man page lacks {cmd}"
        );
    }
    assert!(man.contains("hid:"), "man page names the HID bridge bus");
}

#[path = "support/small_disk.rs"]
mod small_disk;

#[path = "support/signals.rs"]
mod signals;
#[path = "support/tmux.rs"]
mod tmux;

#[test]
fn a_flash_read_onto_a_full_disk_leaves_no_cut_image() {
    let disk = small_disk::SmallDisk::mount(256 << 10);
    let d = disk.path();
    std::fs::write(d.join("old.bin"), b"the old image").unwrap();
    // 1 MiB of a 16 MiB chip does not fit in 256 KiB.
    let out = sh(
        d,
        "$SPICTL -d sim:w25q128 flash read --length 1M old.bin && echo done",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("old.bin") && err.contains("No space left"),
        "{err}"
    );
    // The old file is untouched and the partial one is gone.
    assert_eq!(std::fs::read(d.join("old.bin")).unwrap(), b"the old image");
    assert_eq!(disk.names(), ["old.bin"]);
}

/// 32 MiB parts: an image written across the 16 MiB boundary comes back whole and lands
/// above the boundary, not wrapped into the lower half: with the 4-byte opcodes
/// (W25Q256) and with 4-byte mode entered and left around the command (MX25L25635E,
/// which lacks the 4-byte instruction set), the chip back in 3-byte mode afterwards.
/// The 128 MiB MX66L1G45G takes its 4-byte opcodes from its SFDP's 4-byte address
/// instruction table.
#[test]
fn four_byte_parts_round_trip_across_16_mib() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.bin"), noise(96 << 10, 7)).unwrap();
    for (chip, addressing, sfdp) in [
        ("w25q256", "4-byte opcodes", "1.5"),
        ("mx25l25645g", "4-byte opcodes", "1.6"),
        ("mx25l25635e", "4-byte mode (B7/E9)", "1.0"),
    ] {
        let info = records(&ok(
            d,
            &format!(r#""$SPICTL" -d sim:{chip} flash info -o ndjson"#),
        ));
        assert_eq!(info[0]["size_bytes"], 32 << 20, "{chip}");
        assert_eq!(info[0]["addressing"], addressing, "{chip}");
        assert_eq!(info[0]["sfdp"], sfdp, "{chip}");
        let w = records(&ok(
            d,
            &format!(
                r#""$SPICTL" -d sim:{chip}={chip}.img flash write a.bin --offset 0xff0000 -o ndjson"#
            ),
        ));
        assert_eq!(w[0]["verified"], true, "{chip}: {w:?}");
        ok(
            d,
            &format!(
                r#""$SPICTL" -d sim:{chip}={chip}.img flash read --offset 0xff0000 --length 96K - | cmp - a.bin"#
            ),
        );
        // The upper 32 KiB are at 16 MiB, and the image's lower 16 MiB holds nothing
        // at 0 (a 3-byte address would have wrapped there).
        let img = std::fs::read(d.join(format!("{chip}.img"))).unwrap();
        assert_eq!(img.len(), 32 << 20);
        assert_eq!(
            &img[16 << 20..(16 << 20) + (32 << 10)],
            &noise(96 << 10, 7)[64 << 10..]
        );
        assert!(img[..64 << 10].iter().all(|&b| b == 0xff), "{chip}");
        // Register 0x15 (W25Q SR3 ADS, MX CR 4BYTE): 3-byte mode after the command.
        let reg = records(&ok(
            d,
            &format!(r#""$SPICTL" -d sim:{chip}={chip}.img xfer 1500 -o ndjson"#),
        ));
        assert_eq!(reg[0]["rx"], "ff00", "{chip}");
    }
    let big = records(&ok(
        d,
        r#""$SPICTL" -d sim:mx66l1g45g flash info -o ndjson && "$SPICTL" -d sim:mx66l1g45g flash write a.bin --offset 0x3ff0000 -o ndjson"#,
    ));
    assert_eq!(
        (
            big[0]["size_bytes"].as_u64(),
            big[0]["addressing"].as_str(),
            big[0]["sfdp"].as_str()
        ),
        (Some(128 << 20), Some("4-byte opcodes"), Some("1.6"))
    );
    assert_eq!(big[1]["verified"], true, "{big:?}");
}

/// SIGINT in the middle of a write in 4-byte mode: spictl stops between commands, says
/// so (exit 1), and leaves the chip in 3-byte mode, as the next tool expects it.
#[test]
fn an_interrupted_4_byte_session_leaves_3_byte_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("big.bin"), noise(4 << 20, 3)).unwrap();
    // 4 MiB at the simulated MX25L25635E's typical times takes ~10 s; stopped at 1 s.
    let out = sh(
        d,
        // set -m: a background job of a shell without job control ignores SIGINT.
        r#"set -m; "$SPICTL" -d sim:mx25l25635e=m.img flash write big.bin --offset 14M -o ndjson & pid=$!; sleep 1; kill -INT $pid; wait $pid"#,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("interrupted by a signal"), "{err}");
    assert!(err.contains("3-byte address mode"), "{err}");
    let reg = records(&ok(
        d,
        r#""$SPICTL" -d sim:mx25l25635e=m.img xfer 1500 -o ndjson"#,
    ));
    assert_eq!(reg[0]["rx"], "ff00");
}

/// Block protection: the status register's bits as a range; a write into a protected
/// range is refused before anything is sent (exit 2, the range named, the command to
/// clear it), a write outside it goes through; after --none the first write succeeds.
/// A range the bits cannot express is a usage error listing the ones they can.
#[test]
fn protected_ranges_refuse_writes_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("s.bin"), noise(8 << 10, 5)).unwrap();
    let dev = "sim:w25q128=chip.img";
    let p = records(&ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash protect -o ndjson"#),
    ));
    assert_eq!(p[0]["protected"], "none");
    let p = records(&ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash protect --range 0xfc0000..16M -o ndjson"#),
    ));
    assert_eq!(
        (p[0]["bp"].as_u64(), p[0]["sr1"].as_str()),
        (Some(1), Some("04"))
    );
    assert_eq!(p[0]["protected"], "0xfc0000..0x1000000 (256 KiB)");
    let out = sh(
        d,
        &format!(r#""$SPICTL" -d {dev} flash write s.bin --offset 0xffe000 -o ndjson"#),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("0xffe000..0x1000000 is write-protected"),
        "{err}"
    );
    assert!(err.contains("0xfc0000..0x1000000"), "{err}");
    assert!(err.contains("flash protect --none"), "{err}");
    assert!(out.stdout.is_empty());
    // Outside the range: written. An erase into it: refused too.
    ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash write s.bin --offset 0 -o ndjson"#),
    );
    let out = sh(
        d,
        &format!(r#""$SPICTL" -d {dev} flash erase --offset 0xff0000 --length 64K"#),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = sh(
        d,
        &format!(r#""$SPICTL" -d {dev} flash protect --range 0x1000..0x3000"#),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("cannot express it") && err.contains("0xff8000..0x1000000"),
        "{err}"
    );
    let p = records(&ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash protect --none -o ndjson"#),
    ));
    assert_eq!(p[0]["protected"], "none");
    let w = records(&ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash write s.bin --offset 0xffe000 -o ndjson"#),
    ));
    assert_eq!(w[0]["verified"], true);
    // Macronix: TB is one-time programmable, so only the top ranges; 4 BP bits.
    let p = records(&ok(
        d,
        r#""$SPICTL" -d sim:mx25l25635e flash protect --range 0x1ff0000..32M -o ndjson"#,
    ));
    assert_eq!(
        (p[0]["bp"].as_u64(), p[0]["tb"].as_bool()),
        (Some(1), Some(false))
    );
    let out = sh(
        d,
        r#""$SPICTL" -d sim:mx25l25635e flash protect --range 0..64K"#,
    );
    assert_eq!(out.status.code(), Some(2));
}

/// An FMAP as coreboot's tools lay it out: header, then (offset, size, name, flags)
/// areas, little endian, packed.
fn fmap(flash_size: u32, areas: &[(&str, u32, u32)]) -> Vec<u8> {
    let name = |n: &str| {
        let mut b = [0u8; 32];
        b[..n.len()].copy_from_slice(n.as_bytes());
        b
    };
    let mut v = b"__FMAP__".to_vec();
    v.extend([1, 1]);
    v.extend(0u64.to_le_bytes());
    v.extend(flash_size.to_le_bytes());
    v.extend(name("FLASH"));
    v.extend((areas.len() as u16).to_le_bytes());
    for (n, off, size) in areas {
        v.extend(off.to_le_bytes());
        v.extend(size.to_le_bytes());
        v.extend(name(n));
        v.extend(0u16.to_le_bytes());
    }
    v
}

/// Regions by name: from the image's own FMAP (write, verify), from a file with an
/// FMAP or flashrom's layout text (read, erase); only the region's bytes are touched.
#[test]
fn regions_from_an_fmap_or_a_layout_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let size = 16usize << 20;
    let mut rom = noise(0x30000, 9);
    let map = fmap(
        size as u32,
        &[
            ("RO", 0, 0x10000),
            ("RW_A", 0x10000, 0x10000),
            ("FMAP", 0x20000, 0x1000),
        ],
    );
    rom[0x20000..0x20000 + map.len()].copy_from_slice(&map);
    rom.resize(size, 0xff);
    std::fs::write(d.join("cb.rom"), &rom).unwrap();
    std::fs::write(
        d.join("layout.txt"),
        "# flashrom layout\n00000000:0000ffff ro\n00010000:0001ffff rw\n",
    )
    .unwrap();
    let dev = "sim:w25q128=chip.img";
    let w = records(&ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash write cb.rom --region RW_A -o ndjson"#),
    ));
    assert_eq!(
        (w[0]["offset"].as_u64(), w[0]["length"].as_u64()),
        (Some(0x10000), Some(0x10000))
    );
    assert_eq!(w[0]["verified"], true);
    let img = std::fs::read(d.join("chip.img")).unwrap();
    assert_eq!(&img[0x10000..0x20000], &rom[0x10000..0x20000]);
    assert!(img[..0x10000].iter().all(|&b| b == 0xff), "RO untouched");
    ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash verify cb.rom --region RW_A -o ndjson"#),
    );
    ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash read --layout layout.txt --region rw rw.bin"#),
    );
    assert_eq!(
        std::fs::read(d.join("rw.bin")).unwrap(),
        &rom[0x10000..0x20000]
    );
    // An image of the region alone works too; an image of another size does not.
    std::fs::write(d.join("rw_only.bin"), &rom[0x10000..0x20000]).unwrap();
    ok(
        d,
        &format!(
            r#""$SPICTL" -d {dev} flash verify rw_only.bin --layout cb.rom --region RW_A -o ndjson"#
        ),
    );
    let out = sh(
        d,
        &format!(r#""$SPICTL" -d {dev} flash write layout.txt --layout cb.rom --region RW_A"#),
    );
    assert_eq!(out.status.code(), Some(2));
    ok(
        d,
        &format!(r#""$SPICTL" -d {dev} flash erase --layout layout.txt --region rw -o ndjson"#),
    );
    let img = std::fs::read(d.join("chip.img")).unwrap();
    assert!(
        img[0x10000..0x20000].iter().all(|&b| b == 0xff),
        "rw erased"
    );
    let out = sh(
        d,
        &format!(r#""$SPICTL" -d {dev} flash read --layout layout.txt --region nope x.bin"#),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("it has ro, rw"), "{err}");
}

/// A part whose erase sizes depend on the address (the SST26VF064B: its SFDP sector map
/// gives 8 and 32 KiB blocks at both ends, 64 KiB between; it powers up locked): both
/// ends of an image written, verified and read back whole, then parts of them erased
/// through `flash erase`, which must take nothing else; a range that splits the smallest
/// erase is refused (exit 2) with the units named.
#[test]
fn sector_map_part_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The ends of an image (each page takes the part 1 ms): the middle stays erased.
    let mut all = vec![0xff; 8 << 20];
    let ends = noise(512 << 10, 11);
    all[..256 << 10].copy_from_slice(&ends[..256 << 10]);
    all[(8 << 20) - (256 << 10)..].copy_from_slice(&ends[256 << 10..]);
    std::fs::write(d.join("head.bin"), &all[..256 << 10]).unwrap();
    std::fs::write(d.join("tail.bin"), &all[(8 << 20) - (256 << 10)..]).unwrap();
    std::fs::write(d.join("all.bin"), &all).unwrap();
    let info = records(&ok(
        d,
        r#""$SPICTL" -d sim:sst26vf064b flash info -o ndjson"#,
    ));
    assert_eq!(info[0]["sector_map"], 0);
    assert_eq!(
        info[0]["erase_regions"][0],
        "0x0..0x8000: 8 KiB 0xd8, 4 KiB 0x20"
    );
    let w = records(&ok(
        d,
        r#""$SPICTL" -d sim:sst26vf064b=c.img flash write head.bin -o ndjson && "$SPICTL" -d sim:sst26vf064b=c.img flash write tail.bin --offset 0x7c0000 -o ndjson"#,
    ));
    assert!(w.iter().all(|r| r["verified"] == true), "{w:?}");
    ok(
        d,
        r#""$SPICTL" -d sim:sst26vf064b=c.img flash read - | cmp - all.bin"#,
    );
    // 0x6000..0x10000: an 8 KiB block and the 32 KiB block; the top 40 KiB likewise;
    // 32 KiB at 0x10000, where 0xD8 erases 64 KiB: eight 4 KiB erases.
    let erase = |offset: usize, len: usize| {
        ok(
            d,
            &format!(
                r#""$SPICTL" -d sim:sst26vf064b=c.img flash erase --offset {offset:#x} --length {len:#x} -o ndjson"#
            ),
        )
    };
    let erased = [(0x6000, 0x10000), (0x10000, 0x18000), (0x7f0000, 0x7fa000)];
    for (a, b) in erased {
        erase(a, b - a);
    }
    let img = std::fs::read(d.join("c.img")).unwrap();
    for (a, b) in erased {
        assert!(
            img[a..b].iter().all(|&x| x == 0xff),
            "{a:#x}..{b:#x} erased"
        );
    }
    for (a, b) in [(0, 0x6000), (0x18000, 0x7f0000), (0x7fa000, 8 << 20)] {
        assert!(img[a..b] == all[a..b], "{a:#x}..{b:#x} kept");
    }
    let out = sh(
        d,
        r#""$SPICTL" -d sim:sst26vf064b=c.img flash erase --offset 0x8800 --length 0x1000"#,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("0x8000..0x9000 and 0x9000..0xa000"), "{err}");
}

/// #23's terminal chart: under tmux, 5,000 ADC samples piped into `etl plot` draw the
/// simulated sine: the pane's braille trace rises and falls over several periods, the y
/// axis has its labels and the x axis its times, and the pipeline exits 0.
#[test]
fn adc_samples_plot_as_a_sine_in_the_terminal() {
    let cmd = format!(
        "'{SPICTL}' --device sim:mcp3008 sample --rate 1000 --count 5000 | '{ETL}' plot --kind line --x ts --y value; echo plot-exited-$?; sleep 60"
    );
    let term = tmux::Tmux::start("plot", 100, 30, &["NO_COLOR=1"], &cmd);
    let pane = term.capture_until("plot-exited-", std::time::Duration::from_secs(30));
    drop(term);
    assert!(pane.contains("plot-exited-0"), "{pane}");
    let rows: Vec<Vec<char>> = pane
        .lines()
        .filter(|l| l.contains('⠀') || l.chars().any(|c| ('\u{2801}'..='\u{28ff}').contains(&c)))
        .map(|l| l.chars().collect())
        .collect();
    assert!(rows.len() >= 10, "{pane}");
    // The trace's top in each character column (0 = top row).
    let width = rows.iter().map(Vec::len).min().unwrap();
    let tops: Vec<usize> = (2..width)
        .filter_map(|c| {
            rows.iter()
                .position(|r| ('\u{2801}'..='\u{28ff}').contains(&r[c]))
        })
        .collect();
    let (mut rises, mut falls) = (0, 0);
    for w in tops.windows(6) {
        if w[5] + 3 <= w[0] {
            rises += 1;
        }
        if w[0] + 3 <= w[5] {
            falls += 1;
        }
    }
    assert!(
        rises >= 5 && falls >= 5,
        "rises {rises}, falls {falls}:\n{pane}"
    );
    assert!(pane.contains("value (ts)"), "{pane}");
    let axis = pane
        .lines()
        .find(|l| l.matches(':').count() >= 4)
        .unwrap_or("");
    assert!(!axis.is_empty(), "the time axis: {pane}");
    // Every sample is a point, or a null (a gap record the sampler reports).
    let note = pane
        .lines()
        .find(|l| l.contains("points drawn"))
        .unwrap_or("");
    let read: u64 = note
        .split(" of ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!((4900..=5000).contains(&read), "{pane}");
}
