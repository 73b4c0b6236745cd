//! wasm-build end to end: the example crates are built for the real wasm32-wasip1 target,
//! audited, run through real shell pipes in wasmtime, and bundled for the browser and
//! loaded in headless Chromium.
#![cfg(feature = "wasm-build")]

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

#[test]
fn build_reports_the_module_it_wrote() {
    let rec = example("ndjson-filter");
    let path = module("ndjson-filter");
    let bytes = std::fs::read(&path).unwrap();
    assert!(path.to_string_lossy().contains("wasm32-wasip1/release"));
    assert_eq!(rec["size"].as_u64().unwrap(), bytes.len() as u64);
    assert_eq!(&bytes[..4], b"\0asm");
    let sum = ok(root(), &format!("sha256sum '{}'", path.display()));
    assert_eq!(rec["sha256"].as_str().unwrap(), &sum[..64]);
    assert!(strings(&rec["exports"]).contains(&"_start".to_string()));
    assert_eq!(strings(&rec["capabilities"]), vec!["stdio"]);
    assert_eq!(rec["kind"], "module");
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
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-quic",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .expect("chromium runs (scripts/deps.d/60-wasm.sh installs it)");
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
