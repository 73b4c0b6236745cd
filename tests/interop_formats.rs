//! Format interop against the tools people actually exchange files with. etl must read
//! what pyarrow, Polars and DuckDB write (every Parquet codec and page version, Arrow IPC
//! with buffer compression, JSON arrays, pretty-printed JSON, CSV/TSV, NDJSON under each
//! stream compression), and they must read what etl writes; a cut-short gzip, a closed
//! pipe, bad JSON, CSV dialects and mixed inputs must behave as documented.
//!
//! The Python side is tests/interop/formats.py (pyarrow, DuckDB, Polars, zstd and lz4 are
//! installed by `make deps`; Polars is skipped with a note when absent unless
//! PIPEKIT_REQUIRE_POLARS=1). It writes the same 20,000 records every time, and
//! `ref.ndjson`, those records as etl's NDJSON output should hold them.
#![cfg(feature = "etl")]

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const ETL: &str = env!("CARGO_BIN_EXE_etl");
const FORMATS_PY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/formats.py");

/// Runs a formats.py subcommand; its notes (stderr) are passed on.
fn python(args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg(FORMATS_PY)
        .args(args)
        .output()
        .expect("python3 runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "formats.py {args:?} failed (run `make deps` for pyarrow, duckdb, polars, zstd, lz4): {err}"
    );
    eprint!("{err}");
    String::from_utf8(out.stdout).unwrap()
}

/// Runs etl: exit code, stdout, stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(ETL).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs etl, which must succeed; its stdout.
fn etl(args: &[&str]) -> String {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "etl {args:?}: {err}");
    out
}

fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// `dir/ref.ndjson` (written by `formats.py ref` or `gen`), parsed.
fn reference(dir: &str) -> Vec<Value> {
    parse_lines(&std::fs::read_to_string(format!("{dir}/ref.ndjson")).unwrap())
}

/// The same records in the same order; names the first that differs.
fn assert_records(what: &str, got: &[Value], want: &[Value]) {
    if let Some(i) = (0..got.len().min(want.len())).find(|&i| got[i] != want[i]) {
        panic!(
            "{what}: record {i} differs:\n got  {}\n want {}",
            got[i], want[i]
        );
    }
    assert_eq!(got.len(), want.len(), "{what}: number of records");
}

fn sorted_by_id(mut records: Vec<Value>) -> Vec<Value> {
    records.sort_by_key(|r| r["id"].as_i64());
    records
}

/// Rows, sum(id) and the number of non-null `n`, what every peer is asked for.
fn stats(records: &[Value]) -> (u64, i64, u64) {
    let sum = records.iter().map(|r| r["id"].as_i64().unwrap()).sum();
    let n = records.iter().filter(|r| !r["n"].is_null()).count();
    (records.len() as u64, sum, n as u64)
}

#[test]
fn etl_reads_what_pyarrow_polars_and_duckdb_write() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let names = python(&["gen", d]);
    let want = reference(d);
    assert_eq!(want.len(), 20_000);
    let names: Vec<&str> = names.lines().collect();
    assert!(names.len() >= 30, "formats.py gen wrote only {names:?}");
    for name in names {
        let path = format!("{d}/{name}");
        let out = etl(&["convert", &path, "-o", "ndjson"]);
        assert_records(name, &parse_lines(&out), &want);
    }
    // Both gzip members are read, not just the first.
    let count = etl(&["count", &format!("{d}/multi.ndjson.gz")]);
    assert_eq!(count, "{\"count\":20000}\n");
}

#[test]
fn peers_read_what_etl_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    python(&["ref", d]);
    let src = format!("{d}/ref.ndjson");
    let (rows, sum_id, non_null_n) = stats(&reference(d));
    std::fs::create_dir(format!("{d}/out")).unwrap();

    // (--compression, the codec pyarrow then reports for the column chunks)
    let parquet = [
        ("snappy", "SNAPPY"),
        ("zstd", "ZSTD"),
        ("zstd:9", "ZSTD"),
        ("gzip", "GZIP"),
        ("lz4", "LZ4"), // LZ4_RAW, which pyarrow 26 reports as LZ4
        ("brotli", "BROTLI"),
        ("none", "UNCOMPRESSED"),
    ];
    let mut codecs = BTreeMap::new();
    for (codec, reported) in parquet {
        let file = format!("{}.parquet", codec.replace(':', "-"));
        let out = format!("{d}/out/{file}");
        etl(&[
            "convert",
            &src,
            "--out",
            &out,
            "--compression",
            codec,
            "--row-group-size",
            "5000",
        ]);
        codecs.insert(file, reported);
    }
    let mut others = Vec::new();
    for codec in ["lz4", "zstd"] {
        for ext in ["arrows", "arrow"] {
            let file = format!("{codec}.{ext}");
            etl(&[
                "convert",
                &src,
                "--out",
                &format!("{d}/out/{file}"),
                "--ipc-compression",
                codec,
            ]);
            others.push(file);
        }
    }
    for ext in [
        "ndjson.gz",
        "ndjson.zst",
        "ndjson.bz2",
        "ndjson.xz",
        "ndjson.lz4",
        "csv.gz",
    ] {
        let file = format!("x.{ext}");
        etl(&["convert", &src, "--out", &format!("{d}/out/{file}")]);
        others.push(file);
    }

    let report = parse_lines(&python(&["check", &format!("{d}/out")]));
    let polars = report[0]["polars"]
        .as_bool()
        .expect("first line says whether polars ran");
    let read_by = |file: &str, reader: &str| {
        report
            .iter()
            .find(|r| r["file"] == file && r["reader"] == reader)
            .unwrap_or_else(|| panic!("{reader} did not read {file}"))
    };
    let expect_read = |file: &str, reader: &str| {
        let r = read_by(file, reader);
        assert_eq!(
            (r["rows"].as_u64(), r["sum_id"].as_i64(), r["n"].as_u64()),
            (Some(rows), Some(sum_id), Some(non_null_n)),
            "{reader} reading {file}: rows, sum(id), count(n)"
        );
        if !r["same"].is_null() {
            assert_eq!(
                r["same"], true,
                "{reader} reading {file}: values differ from ref.ndjson"
            );
        }
    };
    for (file, codec) in &codecs {
        for reader in ["pyarrow", "duckdb"]
            .into_iter()
            .chain(polars.then_some("polars"))
        {
            expect_read(file.as_str(), reader);
        }
        let meta = report
            .iter()
            .find(|r| r["file"] == file.as_str() && r["codec"].is_string())
            .unwrap_or_else(|| panic!("no metadata for {file}"));
        let written = meta["codec"].as_str().unwrap();
        assert!(written.starts_with(*codec), "{file} is {written}");
        assert_eq!(
            meta["row_groups"],
            json!([5000, 5000, 5000, 5000]),
            "{file}"
        );
        assert_eq!(meta["min_max"], true, "{file}: column chunk statistics");
        assert_eq!(meta["column_index"], true, "{file}: column index");
        assert_eq!(meta["offset_index"], true, "{file}: offset index");
    }
    for file in others.iter().map(String::as_str) {
        if file.contains(".ndjson") {
            expect_read(file, "python");
        } else {
            expect_read(file, "pyarrow");
        }
        if file.ends_with(".gz") || file.ends_with(".zst") {
            expect_read(file, "duckdb");
        }
        if polars && file.contains(".arrow") {
            expect_read(file, "polars");
        }
    }
}

#[test]
fn duckdb_reads_a_partitioned_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    python(&["ref", d]);
    let want = reference(d);
    let part = format!("{d}/by_g");
    etl(&[
        "convert",
        &format!("{d}/ref.ndjson"),
        "-o",
        "parquet",
        "--partition-by",
        "g",
        "--out",
        &part,
    ]);

    let mut dirs: Vec<String> = std::fs::read_dir(&part)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    dirs.sort();
    assert_eq!(dirs, ["g=alpha", "g=beta", "g=gamma"]);
    for sub in &dirs {
        assert!(
            Path::new(&format!("{part}/{sub}/part-0.parquet")).is_file(),
            "{sub}"
        );
    }

    let mut groups = BTreeMap::new();
    for r in &want {
        *groups
            .entry(r["g"].as_str().unwrap().to_string())
            .or_insert(0u64) += 1;
    }
    let (rows, sum_id, _) = stats(&want);
    let duck: Value = serde_json::from_str(&python(&["partitions", &part])).unwrap();
    assert_eq!(duck["rows"], rows);
    assert_eq!(duck["sum_id"], sum_id);
    assert_eq!(duck["groups"], json!(groups));
    assert!(
        !duck["file_columns"]
            .as_array()
            .unwrap()
            .contains(&json!("g")),
        "the partition column is in the directory names, not the files: {}",
        duck["file_columns"]
    );

    // Read back whole: the directory names give the column back.
    let back = parse_lines(&etl(&["convert", &part, "-o", "ndjson"]));
    assert_records("by_g read back", &sorted_by_id(back), &sorted_by_id(want));
}

#[test]
fn a_truncated_gzip_passes_whole_records_then_fails() {
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.ndjson");
    // Written as etl writes it, so that passing records through is byte for byte.
    let lines: Vec<String> = (0..20_000)
        .map(|i| format!("{{\"id\":{i},\"s\":\"x{i}\"}}"))
        .collect();
    std::fs::write(&full, lines.join("\n") + "\n").unwrap();
    let gz = Command::new("gzip").arg("-c").arg(&full).output().unwrap();
    assert!(gz.status.success());
    let cut = dir.path().join("cut.ndjson.gz");
    std::fs::write(&cut, &gz.stdout[..gz.stdout.len() * 6 / 10]).unwrap();
    let cut = cut.to_str().unwrap();

    let (code, out, err) = run(&["convert", cut, "-o", "ndjson"]);
    assert_eq!(code, 1, "stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line of error: {err}"
    );
    assert!(
        err.contains(cut) && err.contains("byte"),
        "names the file and the byte: {err}"
    );
    assert!(
        out.is_empty() || out.ends_with('\n'),
        "no cut record at the end"
    );
    let got: Vec<&str> = out.lines().collect();
    assert!(
        got.len() > 1000 && got.len() < lines.len(),
        "{} records passed on",
        got.len()
    );
    for (i, line) in got.iter().enumerate() {
        assert!(
            serde_json::from_str::<Value>(line).is_ok_and(|v| v.is_object()),
            "{line}"
        );
        assert_eq!(*line, lines[i], "record {}", i + 1);
    }
}

#[test]
fn a_closed_pipe_on_compressed_stdin_is_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let err = dir.path().join("etl.err");
    let script = format!(
        "yes '{{\"a\":1}}' | gzip | '{ETL}' convert -o ndjson 2>'{}' | head -1",
        err.display()
    );
    // Its own process group, so that a hang can be killed whole.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
            panic!("the pipeline still runs 60 s after head closed it: etl did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "{\"a\":1}\n");
    assert_eq!(std::fs::read_to_string(&err).unwrap(), "", "etl's stderr");
}

#[test]
fn json_array_and_pretty_objects_name_the_original_line() {
    let dir = tempfile::tempdir().unwrap();
    // In both, the bad record starts on line 4 of the file.
    for (name, text) in [
        (
            "array.json",
            "[\n {\"a\": 1},\n {\"a\": 2},\n {\"a\": tru}\n]\n",
        ),
        ("pretty.json", "{\n  \"a\": 1\n}\n{\"a\": tru}\n"),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let (code, _, err) = run(&["convert", path, "-o", "ndjson"]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(
            err.contains(&format!("{path}:4")),
            "{name}: names line 4: {err}"
        );
    }
}

#[test]
fn csv_dialects() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str, &[&str], &str); 5] = [
        // Times are `ts` as for NDJSON: nanoseconds, UTC (no offset is taken as UTC).
        (
            "times.csv",
            "ts,v\n2026-11-26T10:00:00.5Z,1\n2026-11-26 10:00:01,2\n",
            &[],
            "{\"ts\":\"2026-11-26T10:00:00.500000000Z\",\"v\":1}\n{\"ts\":\"2026-11-26T10:00:01.000000000Z\",\"v\":2}\n",
        ),
        // Semicolons, sniffed; the one inside quotes is data.
        (
            "semi.csv",
            "name;qty;note\na;1;\"x;y\"\nb;2;plain\n",
            &[],
            "{\"name\":\"a\",\"qty\":1,\"note\":\"x;y\"}\n{\"name\":\"b\",\"qty\":2,\"note\":\"plain\"}\n",
        ),
        (
            "bare.tsv",
            "1\tfoo\n2\tbar\n",
            &["-i", "tsv", "--no-header"],
            "{\"column_1\":1,\"column_2\":\"foo\"}\n{\"column_1\":2,\"column_2\":\"bar\"}\n",
        ),
        (
            "commented.csv",
            "# exported by a tool\nid,v\n1,a\n# a note between records\n2,b\n",
            &["--comment", "#"],
            "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n",
        ),
        // ',' and '|' both fit every line: only the flag can tell.
        (
            "pipes.csv",
            "a|b,c\n1|x,y\n2|z,w\n",
            &["--delimiter", "|"],
            "{\"a\":1,\"b,c\":\"x,y\"}\n{\"a\":2,\"b,c\":\"z,w\"}\n",
        ),
    ];
    for (name, text, flags, want) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let mut args = vec!["convert", path.to_str().unwrap(), "-o", "ndjson"];
        args.extend_from_slice(flags);
        assert_eq!(etl(&args), want, "{name}");
    }
}

#[test]
fn many_files_union_by_name_and_filename() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    std::fs::write(format!("{d}/a.ndjson"), "{\"x\":1}\n").unwrap();
    std::fs::write(format!("{d}/b.ndjson"), "{\"x\":2,\"y\":\"s\"}\n").unwrap();
    python(&["mixed", d]); // c.parquet: x int32, z string
    let pattern = format!("{d}/*"); // one argument: etl expands it, not a shell

    let out = etl(&[
        "convert",
        &pattern,
        "--union-by-name",
        "--filename",
        "-o",
        "ndjson",
    ]);
    assert_eq!(
        parse_lines(&out),
        [
            json!({"x": 1, "filename": format!("{d}/a.ndjson")}),
            json!({"x": 2, "y": "s", "filename": format!("{d}/b.ndjson")}),
            json!({"x": 3, "z": "t", "filename": format!("{d}/c.parquet")}),
        ]
    );

    // The inputs' schemas differing is about the data, not the command line: exit 1.
    let (code, _, err) = run(&["convert", &pattern, "-o", "ndjson"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--union-by-name"), "suggests the flag: {err}");
}

/// A 2 GB JSON array streams: it is rewritten element by element, never held. The
/// array is written into etl's stdin as it is generated, so nothing is stored on disk;
/// the peak RSS comes from the kernel (wait4).
#[test]
// The child is reaped by wait4 (which also gives its own peak RSS), not Child::wait.
#[allow(clippy::zombie_processes)]
fn a_two_gigabyte_json_array_converts_in_bounded_memory() {
    use std::io::Write;
    let mut child = Command::new(ETL)
        .args(["convert", "-o", "arrow"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut stdin = child.stdin.take().unwrap();
    let pad = "p".repeat(160);
    let mut chunk = String::with_capacity(1 << 20);
    let (mut written, mut id) = (0u64, 0u64);
    stdin.write_all(b"[\n").unwrap();
    while written < 2 << 30 {
        chunk.clear();
        while chunk.len() < (1 << 20) - 512 {
            chunk.push_str(&format!(
                "  {{\"id\": {id}, \"ok\": {}, \"s\": \"{pad}\"}},\n",
                id % 2 == 0
            ));
            id += 1;
        }
        stdin.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len() as u64;
    }
    stdin
        .write_all(format!("  {{\"id\": {id}}}\n]\n").as_bytes())
        .unwrap();
    drop(stdin);
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "etl failed: {err}"
    );
    let peak_mb = usage.ru_maxrss / 1024;
    assert!(
        peak_mb < 300,
        "peak RSS {peak_mb} MB converting a 2 GB JSON array"
    );
}
