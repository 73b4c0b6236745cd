//! hidctl on a real kernel: boots a QEMU guest (Debian's 6.1 kernel, busybox, the
//! built hidctl and spictl with their shared libraries) with QEMU's USB keyboard, mouse
//! and tablet on an xHCI controller, injects key presses over QMP, and checks what the
//! guest's hidctl saw through hidraw and /dev/uhid. The host kernel has neither HID
//! hardware nor uhid, hence the guest. Set up by `make deps`
//! (scripts/deps.d/40-hidctl.sh); without it this test fails and says so.
#![cfg(feature = "hidctl")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/guest.rs"]
mod guest;
use guest::{parse_steps, Console, Next};

fn vm_dir() -> PathBuf {
    std::env::var_os("PIPEKIT_VM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/pipekit/hidctl-vm"))
}

struct Qmp {
    s: UnixStream,
    r: BufReader<UnixStream>,
}

impl Qmp {
    fn connect(path: &std::path::Path) -> Qmp {
        let start = Instant::now();
        let s = loop {
            match UnixStream::connect(path) {
                Ok(s) => break s,
                Err(e) if start.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!("cannot connect to QEMU's QMP socket: {e}"),
            }
        };
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut q = Qmp {
            r: BufReader::new(s.try_clone().unwrap()),
            s,
        };
        let mut greeting = String::new();
        q.r.read_line(&mut greeting).unwrap();
        assert!(greeting.contains("QMP"), "{greeting}");
        q.cmd(r#"{"execute":"qmp_capabilities"}"#);
        q
    }

    /// Sends a command and reads until its "return" (skipping events).
    fn cmd(&mut self, json: &str) {
        self.s.write_all(json.as_bytes()).unwrap();
        self.s.write_all(b"\n").unwrap();
        loop {
            let mut line = String::new();
            if self.r.read_line(&mut line).unwrap_or(0) == 0 {
                panic!("QMP closed while waiting for the answer to {json}");
            }
            if line.contains("\"return\"") {
                return;
            }
            assert!(!line.contains("\"error\""), "QMP {json}: {line}");
        }
    }
}

#[test]
fn hidctl_in_a_qemu_guest() {
    let vm = vm_dir();
    let qemu = vm.join("qemu/usr/bin/qemu-system-x86_64");
    let kernel = std::fs::read_dir(vm.join("kernel/boot"))
        .ok()
        .and_then(|d| {
            d.filter_map(|e| e.ok()).map(|e| e.path()).find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("vmlinuz-"))
            })
        });
    let (true, Some(kernel)) = (
        qemu.exists() && vm.join("busybox/bin/busybox").exists(),
        kernel,
    ) else {
        panic!(
            "the QEMU guest for the hidraw/uhid tests is not set up in {}: run `make deps` \
             (scripts/deps.d/40-hidctl.sh unpacks Debian's kernel, busybox and QEMU there), \
             or point PIPEKIT_VM_DIR at such a directory",
            vm.display()
        );
    };
    // The Python that has hid-tools (make deps), which the guest runs from the host's root.
    let python = String::from_utf8(
        Command::new("python3")
            .args(["-c", "import sys, hidtools; print(sys.executable)"])
            .output()
            .expect("python3 with hid-tools (make deps installs it)")
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();
    assert!(
        !python.is_empty(),
        "python3 cannot import hidtools: run make deps"
    );
    let tmp = tempfile::tempdir().unwrap();
    let initrd = tmp.path().join("initrd.gz");
    let st = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/qemu/mkinitramfs.sh"
        ))
        .arg(&initrd)
        .arg(env!("CARGO_BIN_EXE_hidctl"))
        .arg(env!("CARGO_BIN_EXE_spictl"))
        .env("PIPEKIT_VM_DIR", &vm)
        .status()
        .unwrap();
    assert!(st.success(), "mkinitramfs.sh failed");
    let qmp_path = tmp.path().join("qmp.sock");
    let share = vm.join("qemu/usr/share");
    let console = Console::start(
        Command::new(&qemu)
            .env(
                "QEMU_MODULE_DIR",
                vm.join("qemu/usr/lib/x86_64-linux-gnu/qemu"),
            )
            .arg("-L")
            .arg(share.join("seabios"))
            .arg("-L")
            .arg(share.join("qemu"))
            .args([
                "-accel", "tcg", "-m", "512", "-display", "none", "-vga", "none",
            ])
            .args([
                "-serial",
                "stdio",
                "-monitor",
                "none",
                "-no-reboot",
                "-nic",
                "none",
            ])
            .arg("-kernel")
            .arg(&kernel)
            .arg("-initrd")
            .arg(&initrd)
            // no_timer_check: under TCG on a busy host the IO-APIC timer check can fail.
            .args([
                "-append",
                &format!("console=ttyS0 panic=-1 quiet no_timer_check pipekit_python={python}"),
            ])
            // The host's root, read-only, for hid-tools run with the host's Python.
            .args([
                "-virtfs",
                "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap",
            ])
            .args([
                "-device",
                "qemu-xhci",
                "-device",
                "usb-kbd",
                "-device",
                "usb-mouse",
            ])
            .args(["-device", "usb-tablet"])
            .arg("-qmp")
            .arg(format!("unix:{},server=on,wait=off", qmp_path.display())),
    );

    // Generous: TCG on a machine shared with compilers.
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut log: Vec<String> = Vec::new();
    let mut qmp: Option<Qmp> = None;
    let mut injecting = false;
    let mut moving = false;
    let mut both = false;
    let mut turn = 0u32;
    let mut done = false;
    let mut last_key = Instant::now() - Duration::from_secs(10);
    while Instant::now() < deadline {
        match console.next(Duration::from_millis(100)) {
            Next::Line(l) => {
                if l == "@@INJECT" {
                    injecting = true;
                    qmp.get_or_insert_with(|| Qmp::connect(&qmp_path));
                }
                if l.starts_with("@@END keys") {
                    injecting = false;
                }
                if l == "@@INJECT-MOUSE" {
                    moving = true;
                    qmp.get_or_insert_with(|| Qmp::connect(&qmp_path));
                }
                if l.starts_with("@@END mouse-rec") || l.starts_with("@@END hr-rec") {
                    moving = false;
                }
                if l == "@@INJECT-MOUSE2" {
                    moving = true;
                }
                if l == "@@INJECT-BOTH" {
                    both = true;
                }
                if l.starts_with("@@END two-rec") {
                    both = false;
                }
                if l == "@@DONE" {
                    done = true;
                }
                log.push(l);
            }
            Next::Quiet => {}
            Next::Closed => break,
        }
        // Press and release 'h' (HID usage 0x0b) until the guest's reader has its two
        // reports; presses before it opened the node are simply not queued for it.
        // The mouse (relative) and the tablet (absolute) in turn, far enough apart that
        // their order is the order the guest sees.
        if both && last_key.elapsed() > Duration::from_millis(300) {
            if let Some(q) = qmp.as_mut() {
                turn += 1;
                if turn.is_multiple_of(2) {
                    q.cmd(r#"{"execute":"input-send-event","arguments":{"events":[{"type":"rel","data":{"axis":"x","value":7}}]}}"#);
                } else {
                    let x = 1000 + (turn % 10) * 2000;
                    q.cmd(&format!(r#"{{"execute":"input-send-event","arguments":{{"events":[{{"type":"abs","data":{{"axis":"x","value":{x}}}}},{{"type":"abs","data":{{"axis":"y","value":{x}}}}}]}}}}"#));
                }
            }
            last_key = Instant::now();
        }
        // Move the mouse right and down until the guest's recorder has its reports.
        if moving && last_key.elapsed() > Duration::from_millis(400) {
            if let Some(q) = qmp.as_mut() {
                q.cmd(r#"{"execute":"input-send-event","arguments":{"events":[{"type":"rel","data":{"axis":"x","value":10}},{"type":"rel","data":{"axis":"y","value":5}}]}}"#);
            }
            last_key = Instant::now();
        }
        if injecting && last_key.elapsed() > Duration::from_millis(700) {
            if let Some(q) = qmp.as_mut() {
                q.cmd(r#"{"execute":"send-key","arguments":{"keys":[{"type":"qcode","data":"h"}],"hold-time":50}}"#);
            }
            last_key = Instant::now();
        }
    }
    let stderr = console.finish(!done);
    let all = log.join("\n");
    // The whole console, for reading after a failure.
    let saved = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hidctl-guest.log");
    let _ = std::fs::write(&saved, &all);
    println!("guest console saved in {}", saved.display());
    assert!(
        done,
        "the guest stopped or ran past the deadline before finishing its steps.\nserial console:\n{all}\nqemu stderr:\n{stderr}"
    );
    assert!(!all.contains("@@MODULE-FAILED"), "{all}");
    let steps = parse_steps(&log);
    let step = |name: &str| {
        steps
            .get(name)
            .unwrap_or_else(|| panic!("guest step '{name}' missing.\nserial console:\n{all}"))
    };

    // hidctl list: keyboard, mouse, tablet with QEMU's ids and their usages.
    let list = step("list");
    assert_eq!(list.rc, 0, "{}", list.text());
    let devs = list.json();
    let find = |product: &str| {
        devs.iter()
            .find(|d| d["product"].as_str().is_some_and(|p| p.contains(product)))
            .unwrap_or_else(|| panic!("no {product} in {devs:?}"))
    };
    for (product, usage) in [
        ("QEMU USB Keyboard", "Generic Desktop/Keyboard"),
        ("QEMU USB Mouse", "Generic Desktop/Mouse"),
        ("QEMU USB Tablet", "Generic Desktop/Mouse"),
    ] {
        let d = find(product);
        assert_eq!(d["vid"], "0627", "{d}");
        assert_eq!(d["pid"], "0001", "{d}");
        assert_eq!(d["bus"], "usb", "{d}");
        let usages: Vec<&str> = d["usages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u.as_str())
            .collect();
        assert_eq!(usages, vec![usage], "{d}");
    }
    assert_eq!(devs.len(), 3, "one record per hidraw node: {devs:?}");

    // The descriptors the kernel holds are the ones the decoder's tests use.
    let descriptors: Vec<String> = steps
        .iter()
        .filter(|(k, _)| k.starts_with("descriptor-hidraw"))
        .flat_map(|(_, s)| s.json())
        .map(|v| v["hex"].as_str().unwrap().to_string())
        .collect();
    assert!(descriptors.contains(&"05010906a10175019508050719e029e715002501810295017508810195057501050819012905910295017503910195067508150025ff0507190029ff8100c0".to_string()), "{descriptors:?}");
    assert_eq!(descriptors.len(), 3, "{descriptors:?}");

    let layout = step("kbd-layout").json();
    let led = layout
        .iter()
        .find(|r| r["direction"] == "output" && r["usages"] == "LED/Num Lock..Kana")
        .unwrap_or_else(|| panic!("{layout:?}"));
    assert_eq!(led["report_bits"], 8);

    // Keys injected over QMP arrive as 8-byte boot keyboard reports.
    let keys = step("keys");
    assert_eq!(keys.rc, 0, "{}\n{all}", keys.text());
    let reports = keys.json();
    assert_eq!(reports.len(), 2, "{reports:?}");
    let press = reports
        .iter()
        .find(|r| r["hex"] == "00000b0000000000")
        .unwrap_or_else(|| panic!("no 'h' press in {reports:?}"));
    assert_eq!(press["report_id"], 0);
    assert_eq!(press["len"], 8);
    assert!(
        press["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["usage"] == "Keyboard/Keypad/Keyboard H"),
        "{press}"
    );

    // LED output report: accepted; one byte too many: refused before it is sent.
    let led = step("led");
    assert_eq!(led.rc, 0, "{}", led.text());
    assert_eq!(led.json()[0]["hex"], "02");
    let big = step("led-oversized");
    assert_eq!(big.rc, 2, "{}", big.text());

    // The bridge through /dev/uhid and hidraw.
    let bl = step("bridge-list").json();
    assert_eq!(bl.len(), 1, "{bl:?}");
    assert_eq!(bl[0]["usages"][0], "Vendor 0xff00/Vendor Usage 0x01");
    let ping = step("spi-ping");
    assert_eq!(ping.rc, 0, "{}", ping.text());
    assert_eq!(ping.json()[0]["version"], 1);
    assert_eq!(ping.json()[0]["simulated_spi"], true);
    assert_eq!(step("spi-write").rc, 0, "{}", step("spi-write").text());
    let read = step("spi-read");
    assert_eq!(read.rc, 0, "{}", read.text());
    let vals: Vec<(i64, i64)> = read
        .json()
        .iter()
        .map(|r| (r["addr"].as_i64().unwrap(), r["value"].as_i64().unwrap()))
        .collect();
    assert_eq!(vals, vec![(0xf4, 0x55), (0xf5, 0x66)]);
    assert_eq!(step("spi-id").json()[0]["value"], 0x60);
    let bad = step("spi-badcrc");
    assert_eq!(bad.rc, 0, "{}", bad.text());
    let meaning = bad.json()[0]["meaning"].as_str().unwrap().to_string();
    assert!(meaning.starts_with("NACK seq 1: bad CRC"), "{meaning}");
    let reg = step("spictl-reg");
    assert_eq!(reg.rc, 0, "{}", reg.text());
    assert!(reg.text().contains("ctrl_meas"), "{}", reg.text());
    let xfer = step("spictl-xfer");
    assert_eq!(xfer.rc, 0, "{}", xfer.text());
    // The register file drives 0xff while it takes the address byte, then the id.
    assert_eq!(xfer.json()[0]["rx"], "ff60", "{}", xfer.text());
    // The feature report carries the SPI configuration both ways.
    let fget = step("feature-get");
    assert_eq!(fget.rc, 0, "{}", fget.text());
    assert_eq!(fget.json()[0]["len"], 5, "{}", fget.text());
    let fset = step("feature-set");
    assert_eq!(fset.rc, 0, "{}", fset.text());
    let fget2 = step("feature-get2");
    assert_eq!(fget2.rc, 0, "{}", fget2.text());
    assert_eq!(fget2.json()[0]["hex"], "0308401f00", "{}", fget2.text());
    let info = step("feature-spictl");
    assert_eq!(info.rc, 0, "{}", info.text());
    assert_eq!(info.json()[0]["mode"], 3, "{}", info.text());
    assert_eq!(info.json()[0]["speed_hz"], 8_000_000, "{}", info.text());

    // Permission denied and a device that goes away mid-read: one clear line, exit 1.
    let perm = step("perm-denied");
    assert_eq!(perm.rc, 1, "{}", perm.text());
    assert!(
        perm.text().contains("permission denied") && perm.text().contains("udev rule"),
        "{}",
        perm.text()
    );
    let gone = step("vanish");
    assert_eq!(gone.rc, 1, "{}", gone.text());
    assert!(gone.text().contains("went away"), "{}", gone.text());
    assert!(!gone.text().contains("panicked"), "{}", gone.text());

    let emu = step("emulate-stderr").text();
    assert!(emu.contains("1 with a bad CRC"), "{emu}");

    // A recording replayed through uhid and recorded again through hidraw: the
    // descriptor first (as the kernel holds it, with the device's name and ids), then
    // the same reports.
    // read --get-report: two input reports asked for, the keyboard's idle state,
    // decoded; an id the descriptor lacks is a usage error naming the ids it has.
    let got = step("get-report");
    assert_eq!(got.rc, 0, "{}", got.text());
    let rows = got.json();
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        assert_eq!(
            (r["report_id"].as_i64(), r["len"].as_i64()),
            (Some(0), Some(8)),
            "{r}"
        );
        assert_eq!(r["hex"], "0000000000000000", "{r}");
        assert!(r["fields"].as_array().is_some_and(|f| !f.is_empty()), "{r}");
    }
    let bad = step("get-report-bad");
    assert_eq!(bad.rc, 2, "{}", bad.text());
    assert!(
        bad.text().contains("no input report with id 7"),
        "{}",
        bad.text()
    );

    // xfer: the bridge's PING answer (0x80|0x05, the request's sequence number 1,
    // protocol version 1) read on the handle the request went out on.
    let x = step("xfer");
    assert_eq!(x.rc, 0, "{}", x.text());
    let rows = x.json();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0]["hex"].as_str().unwrap().starts_with("850101"),
        "{rows:?}"
    );
    // The same report asked for with GET_REPORT (HIDIOCGINPUT through uhid).
    let g = step("bridge-get-report");
    assert_eq!(g.rc, 0, "{}", g.text());
    assert_eq!(g.json()[0]["hex"], rows[0]["hex"], "{}", g.text());

    let rep = step("replay");
    assert_eq!(
        rep.rc,
        0,
        "{}\n{}",
        rep.text(),
        step("replay-stderr").text()
    );
    let rows = rep.json();
    assert_eq!(rows[0]["type"], "descriptor", "{rows:?}");
    assert_eq!(rows[0]["vid"], "1209", "{rows:?}");
    assert_eq!(rows[0]["pid"], "0002", "{rows:?}");
    assert!(
        descriptors.contains(&rows[0]["hex"].as_str().unwrap().to_string()),
        "{rows:?}"
    );
    let hex: Vec<String> = rows[1..]
        .iter()
        .inspect(|r| assert_eq!(r["type"], "input", "{r}"))
        .map(|r| r["hex"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(hex, vec!["00000b0000000000", "0000000000000000"]);

    // The mouse recorded as hid-recorder text: its descriptor as the kernel holds it,
    // name, physical path, USB bus and ids, and four reports; judged by hid-tools.
    let rec = step("mouse-rec");
    assert_eq!(rec.rc, 0, "{}", rec.text());
    let text = step("mouse-hid").text();
    let lines: Vec<&str> = text.lines().collect();
    let tagged =
        |tag: &str| -> Vec<&str> { lines.iter().filter_map(|l| l.strip_prefix(tag)).collect() };
    assert_eq!(tagged("N: "), vec!["QEMU QEMU USB Mouse"], "{text}");
    assert_eq!(tagged("I: "), vec!["3 0627 0001"], "{text}");
    assert!(tagged("P: ")[0].starts_with("usb-"), "{text}");
    let rdesc: Vec<u8> = tagged("R: ")[0]
        .split_whitespace()
        .skip(1)
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    let rdesc_hex: String = rdesc.iter().map(|b| format!("{b:02x}")).collect();
    assert!(descriptors.contains(&rdesc_hex), "{text}");
    let events: Vec<String> = tagged("E: ")
        .iter()
        .map(|e| e.split_whitespace().skip(2).collect::<String>())
        .collect();
    assert_eq!(events.len(), 4, "{text}");
    assert!(tagged("E: ")[0].starts_with("000000.000000 4 "), "{text}");
    hid_tools_judge(&text, &events);

    // Replayed through uhid and read back from the new node: the same descriptor, bus
    // and reports.
    let back = step("mouse-replay");
    assert_eq!(
        back.rc,
        0,
        "{}\n{}",
        back.text(),
        step("mouse-replay-stderr").text()
    );
    let rows = back.json();
    assert_eq!(rows[0]["hex"], rdesc_hex.as_str(), "{rows:?}");
    assert_eq!(rows[0]["bus"], "0003", "{rows:?}");
    assert_eq!(rows[0]["name"], "QEMU QEMU USB Mouse", "{rows:?}");
    let replayed: Vec<String> = rows[1..]
        .iter()
        .map(|r| r["hex"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(replayed, events);

    // The same file played by hid-tools' hid-replay: a reader of its node sees the
    // descriptor, name and reports that hidctl replay's node gave.
    let theirs = step("hid-replay");
    assert_eq!(
        theirs.rc,
        0,
        "{}\n{}",
        theirs.text(),
        step("hid-replay-stderr").text()
    );
    let their_rows = theirs.json();
    for key in ["hex", "name", "bus", "vid", "pid"] {
        assert_eq!(their_rows[0][key], rows[0][key], "{key}: {their_rows:?}");
    }
    let their_reports: Vec<&str> = their_rows[1..]
        .iter()
        .map(|r| r["hex"].as_str().unwrap())
        .collect();
    assert_eq!(their_reports, events, "{}", theirs.text());

    // Two devices in one recording: a D: section each, reports of both; replayed as
    // two devices whose reports, read back from both nodes at once, come in the same
    // order with the same bytes (devices matched by their descriptors).
    let rec = step("two-rec");
    assert_eq!(rec.rc, 0, "{}", rec.text());
    let text = step("two-hid").text();
    let mut descs: Vec<String> = Vec::new();
    let mut sequence: Vec<(String, String)> = Vec::new();
    let mut current = 0usize;
    for l in text.lines() {
        if let Some(d) = l.strip_prefix("D: ") {
            current = d.parse().unwrap();
        } else if let Some(r) = l.strip_prefix("R: ") {
            let hex: String = r.split_whitespace().skip(1).collect();
            descs.push(hex);
            assert_eq!(descs.len(), current + 1, "{text}");
        } else if let Some(e) = l.strip_prefix("E: ") {
            let hex: String = e.split_whitespace().skip(2).collect();
            sequence.push((descs[current].clone(), hex));
        }
    }
    assert_eq!(descs.len(), 2, "{text}");
    assert!(text.contains("N: QEMU QEMU USB Tablet"), "{text}");
    assert_eq!(sequence.len(), 6, "{text}");
    for d in &descs {
        assert!(
            sequence.iter().any(|(e, _)| e == d),
            "reports of both devices: {text}"
        );
    }
    let back = step("two-replay");
    assert_eq!(
        back.rc,
        0,
        "{}\n{}",
        back.text(),
        step("two-replay-stderr").text()
    );
    let rows = back.json();
    let by_index: HashMap<i64, String> = rows
        .iter()
        .filter(|r| r["type"] == "descriptor")
        .map(|r| {
            (
                r["device"].as_i64().unwrap(),
                r["hex"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(by_index.len(), 2, "{rows:?}");
    let replayed: Vec<(String, String)> = rows
        .iter()
        .filter(|r| r["type"] == "input")
        .map(|r| {
            let d = &by_index[&r["device"].as_i64().unwrap()];
            // Report ids are not in 'hex': the QEMU devices do not number their reports.
            (d.clone(), r["hex"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(replayed, sequence, "{text}\n{rows:?}");

    // A recording made by hid-tools' hid-recorder, replayed by hidctl: the kernel sees
    // the recorded descriptor, name and reports.
    let text = step("hr-hid").text();
    let e_lines: Vec<String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("E: "))
        .map(|e| e.split_whitespace().skip(2).collect())
        .collect();
    assert!(e_lines.len() >= 4, "{text}\n{}", step("hr-err").text());
    assert!(text.contains("N: QEMU QEMU USB Mouse"), "{text}");
    let back = step("hr-replay");
    assert_eq!(
        back.rc,
        0,
        "{}\n{}",
        back.text(),
        step("hr-replay-stderr").text()
    );
    let rows = back.json();
    let r_line: String = text
        .lines()
        .find_map(|l| l.strip_prefix("R: "))
        .unwrap()
        .split_whitespace()
        .skip(1)
        .collect();
    assert_eq!(rows[0]["hex"], r_line.as_str(), "{rows:?}");
    assert_eq!(rows[0]["name"], "QEMU QEMU USB Mouse", "{rows:?}");
    let replayed: Vec<String> = rows[1..]
        .iter()
        .map(|r| r["hex"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(replayed, e_lines[..4], "{text}");
}

/// hid-tools reads the recording as hidctl wrote it: hid-decode decodes its `R:` line
/// to the same descriptor, and hid-tools' parser decodes every `E:` line's report
/// (a report that does not fit the descriptor raises).
fn hid_tools_judge(text: &str, events: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mouse.hid");
    std::fs::write(&file, text).unwrap();
    // hid-decode, through the Python that has hid-tools (PyPI, installed by make deps).
    let decoded = python(
        "import sys; from hidtools.cli.decode import main; sys.argv[0] = 'hid-decode'; main()",
        &file,
    );
    let r_line = text.lines().find(|l| l.starts_with("R: ")).unwrap();
    assert!(decoded.lines().any(|l| l == r_line), "{decoded}");
    let script = r#"
import sys
from hidtools.hid import ReportDescriptor
lines = open(sys.argv[1]).read().splitlines()
rdesc = [int(b, 16) for b in next(l for l in lines if l.startswith("R: ")).split()[2:]]
rd = ReportDescriptor.from_bytes(rdesc)
for l in lines:
    if l.startswith("E: "):
        data = [int(b, 16) for b in l.split()[3:]]
        print("".join(f"{b:02x}" for b in data), "|", rd.format_report(data).strip())
"#;
    let reports = python(script, &file);
    let got: Vec<&str> = reports
        .lines()
        .map(|l| l.split(" | ").next().unwrap())
        .collect();
    assert_eq!(got, events, "{reports}");
    // The host moved the mouse right and down: hid-tools sees X and Y in every report.
    assert!(
        reports
            .lines()
            .all(|l| l.contains("X:") && l.contains("Y:")),
        "{reports}"
    );
}

/// Runs a Python script on `file` and returns what it printed; it must succeed.
fn python(script: &str, file: &std::path::Path) -> String {
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
