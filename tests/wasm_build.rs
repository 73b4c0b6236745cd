//! wasm-build end to end: the example crates are built for the real wasm32-wasip1 target,
//! audited, run through real shell pipes in wasmtime, and bundled for the browser and
//! loaded in headless Chromium.
#![cfg(feature = "wasm-build")]

#[path = "support/chromium.rs"]
mod chromium;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

const WASM_BUILD: &str = env!("CARGO_BIN_EXE_wasm-build");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A compiled-module cache private to this test binary.
fn cache_home() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// Runs a bash script with $WB set to the binary.
fn sh(dir: &Path, script: &str) -> Output {
    Command::new("bash")
        .arg("-c")
        .arg(format!("set -o pipefail; {script}"))
        .current_dir(dir)
        .env("WB", WASM_BUILD)
        .env("XDG_CACHE_HOME", cache_home())
        .env_remove("PIPEKIT_OUTPUT")
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(dir: &Path, script: &str) -> String {
    let out = sh(dir, script);
    assert!(
        out.status.success(),
        "{script}\nstatus {:?}\nstderr: {}",
        out.status,
        text(&out.stderr)
    );
    text(&out.stdout)
}

fn records(t: &str) -> Vec<Value> {
    t.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Builds an example crate once (release, stripped) and returns its build report.
fn example(name: &str) -> Value {
    static BUILT: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    let built = BUILT.get_or_init(Default::default);
    // One build at a time: the examples share nothing, but the machine is small.
    let mut map = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = map.get(name) {
        return v.clone();
    }
    let out = ok(
        root(),
        &format!("\"$WB\" build examples/wasm/{name} --release --strip -o ndjson"),
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "one module from {name}: {out}");
    map.insert(name.to_string(), recs[0].clone());
    recs[0].clone()
}

fn module(name: &str) -> PathBuf {
    PathBuf::from(example(name)["path"].as_str().unwrap())
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

/// Bytes of custom sections (names, producers, DWARF) in a core module, headers included:
/// each section runs from the end of the one before it to the end of its contents.
fn custom_section_bytes(bytes: &[u8]) -> usize {
    let mut end_of_previous = 8; // the magic number and version
    let mut total = 0;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let payload = payload.unwrap();
        if let Some((_, range)) = payload.as_section() {
            if matches!(payload, wasmparser::Payload::CustomSection(_)) {
                total += range.end - end_of_previous;
            }
            end_of_previous = range.end;
        }
    }
    total
}

#[test]
fn build_reports_the_module_it_wrote() {
    let rec = example("ndjson-filter");
    let path = module("ndjson-filter");
    let bytes = std::fs::read(&path).unwrap();
    assert!(path
        .to_string_lossy()
        .contains("wasm32-wasip1/release/stripped/"));
    assert_eq!(rec["size"].as_u64().unwrap(), bytes.len() as u64);
    assert_eq!(&bytes[..4], b"\0asm");
    let sum = ok(root(), &format!("sha256sum '{}'", path.display()));
    assert_eq!(rec["sha256"].as_str().unwrap(), &sum[..64]);
    assert!(strings(&rec["exports"]).contains(&"_start".to_string()));
    let mut imports = strings(&rec["imports"]);
    imports.sort();
    assert_eq!(
        imports,
        [
            "wasi_snapshot_preview1.fd_read",
            "wasi_snapshot_preview1.fd_write"
        ]
    );
    assert_eq!(strings(&rec["capabilities"]), vec!["stdio"]);
    assert_eq!(rec["kind"], "module");

    // The stripped copy has no custom sections left and still validates; stripped_bytes
    // is exactly what the custom sections of cargo's file (left as built) took.
    assert_eq!(custom_section_bytes(&bytes), 0);
    wasmparser::Validator::new().validate_all(&bytes).unwrap();
    let built = std::fs::read(
        path.parent()
            .unwrap()
            .parent()
            .unwrap()
            .join(path.file_name().unwrap()),
    )
    .unwrap();
    let stripped = rec["stripped_bytes"].as_u64().unwrap();
    assert!(
        stripped > 0,
        "a release build still has name and producers sections"
    );
    assert_eq!(stripped, custom_section_bytes(&built) as u64);
    assert_eq!(built.len() as u64, bytes.len() as u64 + stripped);
}

/// --strip must not rewrite cargo's output: a later build without it reports the module
/// as cargo built it, not a file some earlier build stripped.
#[test]
fn a_later_build_without_strip_reports_cargos_module() {
    let stripped = example("ndjson-filter");
    let out = ok(
        root(),
        "\"$WB\" build examples/wasm/ndjson-filter --release -o ndjson",
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "{out}");
    let rec = &recs[0];
    let path = PathBuf::from(rec["path"].as_str().unwrap());
    assert!(!path.to_string_lossy().contains("/stripped/"), "{rec}");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(rec["stripped_bytes"], 0);
    assert_eq!(rec["size"].as_u64().unwrap(), bytes.len() as u64);
    assert_eq!(
        rec["size"].as_u64().unwrap(),
        stripped["size"].as_u64().unwrap() + stripped["stripped_bytes"].as_u64().unwrap()
    );
    assert!(custom_section_bytes(&bytes) > 0);
    assert_eq!(rec["imports"], stripped["imports"]);
    // The stripped copy is still there for whoever is using it.
    assert!(module("ndjson-filter").is_file());
}

/// A directory whose `rustc` reports a library directory without the standard library,
/// as rustc does for a target that is not installed, and optionally a `rustup` script.
/// It is the whole PATH for `wasm-build build`, so nothing real is found or downloaded.
struct FakeToolchain {
    dir: tempfile::TempDir,
}

impl FakeToolchain {
    fn new(rustc: bool) -> FakeToolchain {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("bin")).unwrap();
        std::fs::create_dir_all(d.join("sysroot-without-std")).unwrap();
        std::fs::create_dir_all(d.join("crate")).unwrap();
        std::fs::write(d.join("crate/Cargo.toml"), "").unwrap();
        if rustc {
            Self::script(
                d,
                "rustc",
                &format!("echo '{}'", d.join("sysroot-without-std").display()),
            );
        }
        FakeToolchain { dir }
    }

    /// A `/bin/sh` script on the fake PATH.
    fn script(d: &Path, name: &str, body: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = d.join("bin").join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// A `rustup` that records its arguments, prints `stderr` there and exits with `code`.
    fn rustup(self, stderr: &str, code: i32) -> FakeToolchain {
        let d = self.dir.path();
        Self::script(
            d,
            "rustup",
            &format!(
                "echo \"$@\" > '{}'\necho '{stderr}' >&2\nexit {code}",
                d.join("rustup-args").display()
            ),
        );
        self
    }

    fn rustup_args(&self) -> Option<String> {
        std::fs::read_to_string(self.dir.path().join("rustup-args")).ok()
    }

    /// `wasm-build build` of the fake crate with only the fake tools on PATH: exit status
    /// and stderr.
    fn build(&self) -> (Option<i32>, String) {
        let d = self.dir.path();
        let out = Command::new(WASM_BUILD)
            .args(["build", "crate", "-o", "ndjson"])
            .current_dir(d)
            .env_clear()
            .env("PATH", d.join("bin"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(text(&out.stdout), "", "no report without a build");
        (out.status.code(), text(&out.stderr))
    }
}

/// The one error line on stderr (after any warnings and the tools' own output).
fn error_line(stderr: &str) -> &str {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("wasm-build: error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert_eq!(stderr.lines().last(), Some(errors[0]), "{stderr}");
    errors[0]
}

#[test]
fn build_without_the_target_and_without_rustup_fails_in_one_line() {
    let fake = FakeToolchain::new(true);
    let (code, err) = fake.build();
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains(
            "the wasm32-wasip1 target is not installed; running 'rustup target add wasm32-wasip1'"
        ),
        "{err}"
    );
    let line = error_line(&err);
    assert!(
        line.contains("cannot run rustup to install the wasm32-wasip1 target"),
        "{line}"
    );
    assert!(
        line.contains("install rustup, or the target by other means"),
        "{line}"
    );

    // Without rustc at all, that is what the line says.
    let fake = FakeToolchain::new(false);
    let (code, err) = fake.build();
    assert_eq!(code, Some(1), "{err}");
    let line = error_line(&err);
    assert!(
        line.starts_with("wasm-build: error: rustc: cannot run rustc: "),
        "{line}"
    );
    assert_eq!(line.matches("No such file").count(), 1, "said once: {line}");
}

#[test]
fn build_fails_in_one_line_when_rustup_fails() {
    let fake = FakeToolchain::new(true).rustup("error: could not download the component", 1);
    let (code, err) = fake.build();
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(
        fake.rustup_args().as_deref(),
        Some("target add wasm32-wasip1\n")
    );
    // rustup's own reason is shown, then ours.
    assert!(
        err.contains("error: could not download the component"),
        "{err}"
    );
    let line = error_line(&err);
    assert!(
        line.contains("rustup: 'rustup target add wasm32-wasip1' failed (exit status: 1)"),
        "{line}"
    );

    // rustup succeeding for some other toolchain does not make the target appear.
    let fake = FakeToolchain::new(true).rustup("info: component already installed", 0);
    let (code, err) = fake.build();
    assert_eq!(code, Some(1), "{err}");
    assert!(fake.rustup_args().is_some());
    let line = error_line(&err);
    assert!(
        line.contains("rustc still has no standard library for wasm32-wasip1"),
        "{line}"
    );
}

#[test]
fn audit_maps_imports_to_capabilities() {
    let d = root();
    let filter = records(&ok(
        d,
        &format!(
            "\"$WB\" audit '{}' -o ndjson",
            module("ndjson-filter").display()
        ),
    ));
    assert!(!filter.is_empty());
    for r in &filter {
        assert_eq!(r["capability"], "stdio", "{r}");
        assert_eq!(r["module"], "wasi_snapshot_preview1");
    }
    let env = records(&ok(
        d,
        &format!(
            "\"$WB\" audit '{}' -o ndjson",
            module("env-reader").display()
        ),
    ));
    assert!(env
        .iter()
        .any(|r| r["name"] == "environ_get" && r["capability"] == "env"));
    let file = records(&ok(
        d,
        &format!(
            "\"$WB\" audit '{}' -o ndjson",
            module("file-reader").display()
        ),
    ));
    assert!(file
        .iter()
        .any(|r| r["name"] == "path_open" && r["capability"] == "fs-read"));
}

#[test]
fn a_policy_denies_by_default_and_lists_violations() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("stdio.toml"), "allow = [\"stdio\"]\n").unwrap();
    ok(
        d,
        &format!(
            "\"$WB\" audit '{}' --policy stdio.toml > /dev/null",
            module("ndjson-filter").display()
        ),
    );
    let out = sh(
        d,
        &format!(
            "\"$WB\" audit '{}' --policy stdio.toml -o ndjson",
            module("env-reader").display()
        ),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("environ_get (env)"), "{err}");
    assert!(err.contains("violate the policy"), "{err}");
    // The records still come out, each marked.
    let recs = records(&text(&out.stdout));
    assert!(recs
        .iter()
        .any(|r| r["capability"] == "env" && r["allowed"] == false));
    // An empty policy allows nothing, not even stdio.
    std::fs::write(d.join("empty.toml"), "").unwrap();
    let out = sh(
        d,
        &format!(
            "\"$WB\" audit '{}' --policy empty.toml > /dev/null",
            module("ndjson-filter").display()
        ),
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn diff_lists_capabilities_gained_and_lost() {
    let out = ok(
        root(),
        &format!(
            "\"$WB\" audit '{}' --diff '{}' -o ndjson",
            module("env-reader").display(),
            module("ndjson-filter").display()
        ),
    );
    let recs = records(&out);
    let gained: Vec<&str> = recs
        .iter()
        .filter(|r| r["change"] == "gained")
        .map(|r| r["capability"].as_str().unwrap())
        .collect();
    assert!(gained.contains(&"env"), "{out}");
    assert!(!gained.contains(&"stdio"), "{out}");
    let out = ok(
        root(),
        &format!(
            "\"$WB\" audit '{}' --diff '{}' -o ndjson",
            module("ndjson-filter").display(),
            module("env-reader").display()
        ),
    );
    assert!(records(&out)
        .iter()
        .any(|r| r["capability"] == "env" && r["change"] == "lost"));
}

#[test]
fn the_filter_transforms_ndjson_in_a_pipe() {
    let f = module("ndjson-filter");
    let out = ok(
        root(),
        &format!(
            "printf '{{\"a\":1}}\\n{{}}\\nnot json\\n{{\"b\":\"x\"}}' | \"$WB\" run '{}' | cat",
            f.display()
        ),
    );
    let recs = records(&out);
    assert_eq!(recs.len(), 3, "{out}");
    assert_eq!(recs[0]["line"], 1);
    assert_eq!(recs[0]["bytes"], 7);
    assert_eq!(recs[0]["a"], 1);
    assert_eq!(recs[1], serde_json::json!({"line": 2, "bytes": 2}));
    assert_eq!(recs[2]["line"], 4);
    assert_eq!(recs[2]["b"], "x");
    // The skipped line is named on stderr, and nothing is said about capabilities.
    let out = sh(
        root(),
        &format!("printf 'nope\\n' | \"$WB\" run '{}'", f.display()),
    );
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("line 1: not a JSON object"), "{err}");
    assert!(!err.contains("imports"), "{err}");
}

#[test]
fn the_env_reader_sees_only_granted_variables() {
    let m = module("env-reader");
    let out = sh(
        root(),
        &format!("GREETING=leaked \"$WB\" run '{}'", m.display()),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("GREETING is not set"), "{err}");
    assert!(err.contains("--env NAME[=VALUE]"), "{err}");
    assert!(!text(&out.stdout).contains("leaked"));

    let out = ok(
        root(),
        &format!("\"$WB\" run '{}' --env GREETING=hello", m.display()),
    );
    assert_eq!(
        records(&out),
        vec![serde_json::json!({"name": "GREETING", "value": "hello"})]
    );
    // NAME alone passes this process's value; arguments follow `--`.
    let out = ok(
        root(),
        &format!("WHO=world \"$WB\" run '{}' --env WHO -- WHO", m.display()),
    );
    assert_eq!(records(&out)[0]["value"], "world");

    let out = sh(root(), &format!("\"$WB\" run '{}' --strict", m.display()));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--strict"));
}

#[test]
fn a_read_only_dir_refuses_writes() {
    let m = module("file-reader");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("data")).unwrap();
    std::fs::write(d.join("data/in.txt"), "payload\n").unwrap();

    let out = sh(
        d,
        &format!(
            "\"$WB\" run '{}' --dir data::/data:ro -- /data/in.txt --copy-to /data/out.txt",
            m.display()
        ),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "payload\n", "reading is allowed");
    assert!(text(&out.stderr).contains("writing /data/out.txt"));
    assert!(!d.join("data/out.txt").exists(), "nothing was written");

    ok(
        d,
        &format!(
            "\"$WB\" run '{}' --dir data::/data -- /data/in.txt --copy-to /data/out.txt",
            m.display()
        ),
    );
    assert_eq!(
        std::fs::read_to_string(d.join("data/out.txt")).unwrap(),
        "payload\n"
    );

    // Without --dir it sees no files at all, and the note says how to grant them.
    let out = sh(d, &format!("\"$WB\" run '{}' -- /data/in.txt", m.display()));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--dir HOST::GUEST"));
}

#[test]
fn the_endless_loop_is_stopped_by_timeout_and_by_fuel() {
    let m = module("endless-loop");
    let out = sh(
        root(),
        &format!("\"$WB\" run '{}' --timeout 1s", m.display()),
    );
    assert_eq!(out.status.code(), Some(124));
    let err = text(&out.stderr);
    assert!(err.contains("stopped: --timeout 1s elapsed"), "{err}");

    let out = sh(
        root(),
        &format!("\"$WB\" run '{}' --fuel 20000000", m.display()),
    );
    assert_eq!(out.status.code(), Some(125));
    let err = text(&out.stderr);
    assert!(err.contains("used all its fuel (--fuel 20000000)"), "{err}");
}

/// Hand-encoded WebAssembly: just enough of the binary format for modules and components
/// the example crates cannot produce.
mod enc {
    pub fn leb(mut v: u32) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    pub fn name(s: &str) -> Vec<u8> {
        [leb(s.len() as u32), s.as_bytes().to_vec()].concat()
    }

    /// A vector: its length, then the items.
    pub fn vec(items: &[Vec<u8>]) -> Vec<u8> {
        [leb(items.len() as u32), items.concat()].concat()
    }

    pub fn section(id: u8, body: &[u8]) -> Vec<u8> {
        [vec![id], leb(body.len() as u32), body.to_vec()].concat()
    }

    pub const MODULE: &[u8] = b"\0asm\x01\0\0\0";
    pub const COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";
}

/// A core module whose `_start` grows its memory (one 64 KiB page to start) by `pages`
/// and traps with `unreachable` when the growth is refused, as Rust's allocator aborts.
fn growing_module(pages: u8) -> Vec<u8> {
    assert!(pages < 64, "one byte of signed LEB128");
    let code = [
        vec![0x00],             // no locals
        vec![0x41, pages],      // i32.const pages
        vec![0x40, 0x00],       // memory.grow 0
        vec![0x41, 0x7f],       // i32.const -1
        vec![0x46],             // i32.eq
        vec![0x04, 0x40, 0x00], // if unreachable
        vec![0x0b, 0x0b],       // end end
    ]
    .concat();
    [
        enc::MODULE.to_vec(),
        enc::section(1, &enc::vec(&[vec![0x60, 0, 0]])), // type 0: () -> ()
        enc::section(3, &enc::vec(&[vec![0]])),          // func 0: type 0
        enc::section(5, &enc::vec(&[vec![0x00, 1]])),    // memory: min 1 page
        enc::section(7, &enc::vec(&[[enc::name("_start"), vec![0, 0]].concat()])),
        enc::section(
            10,
            &enc::vec(&[[enc::leb(code.len() as u32), code].concat()]),
        ),
    ]
    .concat()
}

#[test]
fn max_memory_stops_a_module_that_grows_past_it_while_running() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 1 page + 48 pages = 3.06 MiB at run time; 64 KiB at start.
    let m = growing_module(48);
    wasmparser::Validator::new().validate_all(&m).unwrap();
    std::fs::write(d.join("grow.wasm"), &m).unwrap();

    let out = sh(d, "\"$WB\" run grow.wasm --max-memory 1M");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("grow.wasm stopped: it needed more memory than --max-memory 1048576 allows"),
        "{err}"
    );
    // The same growth under a higher cap, or none, is fine: the cap is what stopped it.
    ok(d, "\"$WB\" run grow.wasm --max-memory 4M");
    ok(d, "\"$WB\" run grow.wasm");
}

/// A component that imports two WASI interfaces (as instances of an empty instance type)
/// and nests a core module that imports wasi_snapshot_preview1.fd_write.
fn component() -> Vec<u8> {
    let core = [
        enc::MODULE.to_vec(),
        enc::section(1, &enc::vec(&[vec![0x60, 0, 0]])),
        enc::section(
            2,
            &enc::vec(&[[
                enc::name("wasi_snapshot_preview1"),
                enc::name("fd_write"),
                vec![0x00, 0x00],
            ]
            .concat()]),
        ),
    ]
    .concat();
    let import = |name: &str| [vec![0x00], enc::name(name), vec![0x05, 0x00]].concat();
    [
        enc::COMPONENT.to_vec(),
        enc::section(1, &core), // a nested core module
        enc::section(7, &enc::vec(&[vec![0x42, 0x00]])), // type 0: instance {}
        enc::section(
            10,
            &enc::vec(&[
                import("wasi:cli/environment@0.2.0"),
                import("wasi:sockets/tcp@0.2.0"),
            ]),
        ),
    ]
    .concat()
}

#[test]
fn a_component_is_audited_by_its_interfaces_and_refused_by_run_and_web() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let c = component();
    wasmparser::Validator::new().validate_all(&c).unwrap();
    std::fs::write(d.join("comp.wasm"), &c).unwrap();

    let recs = records(&ok(d, "\"$WB\" audit comp.wasm -o ndjson"));
    let got: Vec<(&str, &str, &str, &str)> = recs
        .iter()
        .map(|r| {
            (
                r["module"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["kind"].as_str().unwrap(),
                r["capability"].as_str().unwrap(),
            )
        })
        .collect();
    // The nested module's fd_write is not a host import, so it is not listed.
    assert_eq!(
        got,
        [
            ("", "wasi:cli/environment@0.2.0", "instance", "env"),
            ("", "wasi:sockets/tcp@0.2.0", "instance", "sockets"),
        ]
    );
    // A policy applies to interface names as to core imports.
    std::fs::write(d.join("env.toml"), "allow = [\"env\"]\n").unwrap();
    let out = sh(d, "\"$WB\" audit comp.wasm --policy env.toml > /dev/null");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("violation: comp.wasm imports wasi:sockets/tcp@0.2.0 (sockets)"),
        "{err}"
    );
    assert!(!err.contains("environment"), "{err}");

    let out = sh(d, "\"$WB\" run comp.wasm");
    assert_eq!(out.status.code(), Some(1));
    let line = error_line(&text(&out.stderr)).to_string();
    assert!(
        line.contains(
            "comp.wasm: is a WebAssembly component; 'run' runs WASI preview 1 core modules"
        ),
        "{line}"
    );
    assert!(line.contains("--target wasm32-wasip1"), "{line}");

    let out = sh(d, "\"$WB\" web comp.wasm -o site");
    assert_eq!(out.status.code(), Some(1));
    let line = error_line(&text(&out.stderr)).to_string();
    assert!(
        line.contains(
            "comp.wasm: is a WebAssembly component; the page's shim implements WASI preview 1"
        ),
        "{line}"
    );
    assert!(!d.join("site").exists(), "no bundle is written");
}

/// The README's --strict recipe runs as written, with the example module's real path.
#[test]
fn the_readme_strict_recipe_runs_as_shown() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let recipes: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("wasm-build run ") && l.contains("--strict"))
        .collect();
    assert!(!recipes.is_empty(), "README shows run --strict");
    for line in recipes {
        let command = line.split(" # ").next().unwrap().trim();
        let mut words: Vec<String> = command.split_whitespace().map(String::from).collect();
        let name = words[2]
            .strip_suffix(".wasm")
            .expect("wasm-build run NAME.wasm")
            .to_string();
        words[0] = "\"$WB\"".into();
        words[2] = format!("'{}'", module(&name).display());
        let out = ok(root(), &format!("{} < /dev/null", words.join(" ")));
        assert!(!out.is_empty(), "{line}: no output");
    }
}

#[test]
fn max_memory_is_enforced() {
    // A std module starts with more than a megabyte of linear memory.
    let out = sh(
        root(),
        &format!(
            "\"$WB\" run '{}' --env GREETING=x --max-memory 64k",
            module("env-reader").display()
        ),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--max-memory 65536"));
}

#[test]
fn compiled_modules_are_cached() {
    let cache = tempfile::tempdir().unwrap();
    let m = module("ndjson-filter");
    let run = |extra: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "echo '{{}}' | \"$WB\" run '{}' {extra}",
                m.display()
            ))
            .env("WB", WASM_BUILD)
            .env("XDG_CACHE_HOME", cache.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "{\"line\":1,\"bytes\":2}\n");
    };
    let entries = || -> Vec<PathBuf> {
        std::fs::read_dir(cache.path().join("pipekit/wasm"))
            .map(|r| r.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    run("--no-cache");
    assert!(entries().is_empty());
    run("");
    let first = entries();
    assert_eq!(first.len(), 1);
    assert!(first[0].to_string_lossy().ends_with(".cwasm"));
    let sha = example("ndjson-filter")["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(first[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with(&sha));
    run("");
    assert_eq!(entries(), first, "the second run reuses the entry");
    // A different engine configuration (fuel instrumentation) is its own entry.
    run("--fuel 1000000");
    assert_eq!(entries().len(), 2);
    // A corrupt entry is compiled again, not trusted.
    std::fs::write(&first[0], b"garbage").unwrap();
    run("");
}

/// Serves `dir` over HTTP on localhost until the test ends; returns the base URL.
fn serve(dir: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            // Skip the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/");
            let path = path.split('?').next().unwrap().trim_start_matches('/');
            let path = if path.is_empty() { "index.html" } else { path };
            let (status, body, ctype) = match std::fs::read(dir.join(path)) {
                Ok(b) if !path.contains("..") => {
                    let ctype = match path.rsplit('.').next() {
                        Some("html") => "text/html; charset=utf-8",
                        Some("js") => "text/javascript",
                        Some("wasm") => "application/wasm",
                        _ => "application/octet-stream",
                    };
                    ("200 OK", b, ctype)
                }
                _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
            };
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(&body);
            let _ = conn.flush();
            let mut rest = Vec::new();
            let _ = reader.read_to_end(&mut rest);
        }
    });
    format!("http://{addr}")
}

/// The page's DOM after headless Chromium has run it.
fn chromium_dom(url: &str) -> String {
    let out = chromium::headless(&[
        "--virtual-time-budget=10000".into(),
        "--dump-dom".into(),
        url.into(),
    ]);
    assert!(out.status.success(), "chromium: {}", text(&out.stderr));
    text(&out.stdout)
}

/// The text of the element with this id in a dumped DOM (unescaped).
fn element(dom: &str, id: &str) -> String {
    let start = dom
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {dom}"));
    let open = start + dom[start..].find('>').unwrap() + 1;
    let close = open + dom[open..].find("</").unwrap();
    dom[open..close]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn the_web_bundle_runs_in_headless_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("in.ndjson"), "{\"a\":1}\n{\"b\":2}\n").unwrap();
    let rec = records(&ok(
        d,
        &format!(
            "\"$WB\" web '{}' -o site --stdin in.ndjson --title 'filter demo' | cat",
            module("ndjson-filter").display()
        ),
    ));
    assert_eq!(rec[0]["module"], "ndjson-filter.wasm");
    for f in ["index.html", "wasi.js", "ndjson-filter.wasm"] {
        assert!(d.join("site").join(f).is_file(), "{f}");
    }
    let url = serve(d.join("site"));
    let dom = chromium_dom(&format!("{url}/index.html"));
    assert!(dom.contains("data-state=\"done\""), "{dom}");
    let out = records(&element(&dom, "stdout"));
    assert_eq!(
        out,
        vec![
            serde_json::json!({"line": 1, "bytes": 7, "a": 1}),
            serde_json::json!({"line": 2, "bytes": 7, "b": 2})
        ]
    );
    assert_eq!(element(&dom, "status"), "exit status 0");

    // The env reader: granted from the page's URL, then denied.
    ok(
        d,
        &format!(
            "\"$WB\" web '{}' -o env-site > /dev/null",
            module("env-reader").display()
        ),
    );
    let url = serve(d.join("env-site"));
    let dom = chromium_dom(&format!("{url}/index.html?env=GREETING%3Dfrom-the-page"));
    assert_eq!(
        records(&element(&dom, "stdout")),
        vec![serde_json::json!({"name": "GREETING", "value": "from-the-page"})]
    );
    let dom = chromium_dom(&format!("{url}/index.html?env=GREETING%3Dx&deny=env"));
    assert_eq!(element(&dom, "stdout"), "");
    assert!(element(&dom, "stderr").contains("GREETING is not set"));
    assert_eq!(element(&dom, "status"), "exit status 1");
}
