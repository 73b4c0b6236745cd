//! etl through real shell pipes: the contract every binary follows (exit codes, closed
//! pipes, one-line errors, live streaming) and convert/schema/count end to end.
#![cfg(feature = "etl")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ETL: &str = env!("CARGO_BIN_EXE_etl");

#[path = "support/chromium.rs"]
mod chromium;
#[path = "support/tmux.rs"]
mod tmux;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs a shell pipeline with `etl` on PATH.
fn sh(script: &str) -> Run {
    let dir = std::path::Path::new(ETL).parent().unwrap();
    let path = format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-o", "pipefail", "-c", script])
        .env("PATH", path)
        .env_remove("PIPEKIT_OUTPUT")
        .output()
        .expect("bash runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn closed_pipe_is_quiet() {
    // `yes` itself dies of SIGPIPE, so report etl's own status on stderr.
    let r = sh("yes '{\"a\":1}' | { etl convert -o ndjson; echo \"etl=$?\" >&2; } | head -1");
    assert_eq!(r.stdout, "{\"a\":1}\n");
    assert_eq!(
        r.stderr, "etl=0\n",
        "etl must write nothing to stderr on a closed pipe"
    );
    let r =
        sh("yes '{\"a\":1}' | head -50000 | etl convert -o arrow | etl convert -o csv | head -2");
    assert_eq!(r.stdout, "a\n1\n");
    assert_eq!(r.stderr, "");
}

#[test]
fn malformed_third_line_is_named() {
    let r = sh("printf '{\"a\":1}\\n{\"a\":2}\\n{\"a\":,}\\n' | etl convert -o ndjson");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("etl: error: <stdin>:3 "),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    // Past the inference window, in a file: names the file too.
    let d = tmp();
    let p = d.path().join("x.ndjson");
    let mut text: String = (0..3000).map(|i| format!("{{\"a\":{i}}}\n")).collect();
    text.push_str("{\"a\":\"oops\"}\n");
    std::fs::write(&p, text).unwrap();
    let r = sh(&format!("etl convert {} -o arrow > /dev/null", p.display()));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("x.ndjson:3001") && r.stderr.contains("field 'a'"),
        "{}",
        r.stderr
    );
}

#[test]
fn usage_errors_exit_2_and_bad_input_1() {
    assert_eq!(sh("etl convert --bogus").code, 2);
    assert_eq!(sh("etl convert --schema 'a:int65' < /dev/null").code, 2);
    // Exit status 2 is for the command line only: what the input holds is a failure (1).
    // Text with no delimiter to sniff (CSV with one is read as CSV).
    let r = sh("printf 'hello world\\nagain\\n' | etl convert");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--input csv"), "{}", r.stderr);
    let r = sh("etl convert /nonexistent.ndjson");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("/nonexistent.ndjson"), "{}", r.stderr);
    let d = tmp();
    let dir = d.path().display();
    // Two Parquet inputs whose schemas differ, without --union-by-name.
    let r = sh(&format!(
        "echo '{{\"a\":1}}' | etl convert -o parquet --out {dir}/a.parquet && \
         echo '{{\"b\":\"x\"}}' | etl convert -o parquet --out {dir}/b.parquet && \
         etl convert {dir}/a.parquet {dir}/b.parquet"
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--union-by-name"), "{}", r.stderr);
    // A sum past int64.
    let r = sh("printf '{\"x\":9223372036854775807}\\n{\"x\":1}\\n' | etl agg --agg 'sum(x)'");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("overflows int64"), "{}", r.stderr);
    // An empty directory and a pattern that matches nothing are missing files.
    std::fs::create_dir(d.path().join("empty")).unwrap();
    assert_eq!(sh(&format!("etl convert {dir}/empty")).code, 1);
    assert_eq!(sh(&format!("etl convert '{dir}/*.csv'")).code, 1);
}

#[test]
fn every_format_round_trips_through_pipes() {
    let d = tmp();
    let src = d.path().join("in.ndjson");
    std::fs::write(
        &src,
        "{\"id\":1,\"name\":\"ä \\\"q\\\"\",\"v\":1.5,\"ts\":\"2026-11-26T10:00:00.000000001Z\",\"tags\":[\"x\"]}\n\
         {\"id\":2,\"name\":null,\"v\":2,\"ts\":\"2026-11-26T10:00:01Z\",\"tags\":[]}\n",
    )
    .unwrap();
    let expected = sh(&format!("etl convert {} -o ndjson", src.display())).stdout;
    assert!(
        expected.contains("\"ts\":\"2026-11-26T10:00:00.000000001Z\""),
        "{expected}"
    );
    let dp = d.path().display();
    for (step, back) in [
        (
            format!("etl convert {} -o arrow", src.display()),
            "etl convert -o ndjson".to_string(),
        ),
        (
            format!(
                "etl convert {} --out {dp}/f.arrow && cat {dp}/f.arrow",
                src.display()
            ),
            "etl convert -o ndjson".into(),
        ),
        (
            format!(
                "etl convert {} --out {dp}/p.parquet && cat {dp}/p.parquet",
                src.display()
            ),
            "etl convert -o ndjson".into(),
        ),
        (
            format!("etl convert {} -o arrow-file", src.display()),
            "etl convert - -o ndjson".into(),
        ),
    ] {
        let r = sh(&format!("{step} | {back}"));
        assert_eq!(r.code, 0, "{step}: {}", r.stderr);
        assert_eq!(r.stdout, expected, "{step}");
    }
    // CSV has no lists: project to flat columns first with a schema, then read it back.
    let flat = d.path().join("flat.ndjson");
    std::fs::write(
        &flat,
        "{\"id\":1,\"name\":\"a,b\"}\n{\"id\":2,\"name\":null}\n",
    )
    .unwrap();
    let r = sh(&format!(
        "etl convert {} -o csv | etl convert -i csv -o ndjson",
        flat.display()
    ));
    assert_eq!(
        r.stdout, "{\"id\":1,\"name\":\"a,b\"}\n{\"id\":2}\n",
        "{}",
        r.stderr
    );
}

#[test]
fn several_inputs_are_concatenated() {
    let d = tmp();
    let a = d.path().join("a.ndjson");
    let b = d.path().join("b.ndjson");
    std::fs::write(&a, "{\"x\":1}\n{\"x\":2}\n").unwrap();
    std::fs::write(&b, "{\"x\":3}\n").unwrap();
    let r = sh(&format!(
        "echo '{{\"x\":9}}' | etl count {} - {} -o ndjson",
        a.display(),
        b.display()
    ));
    assert_eq!(r.stdout, "{\"count\":4}\n", "{}", r.stderr);
    let r = sh(&format!(
        "etl convert {} {} -o ndjson",
        a.display(),
        b.display()
    ));
    assert_eq!(r.stdout, "{\"x\":1}\n{\"x\":2}\n{\"x\":3}\n");
}

#[test]
fn schema_prints_json_that_schema_accepts() {
    let d = tmp();
    let src = d.path().join("in.ndjson");
    std::fs::write(
        &src,
        "{\"a\":1,\"b\":{\"c\":[1.5]},\"ts\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    let s = d.path().join("s.json");
    let r = sh(&format!("etl schema {} > {}", src.display(), s.display()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&s).unwrap()).unwrap();
    assert_eq!(doc["fields"][1]["type"], "struct<c:list<float64>>");
    assert_eq!(doc["fields"][2]["type"], "timestamp[ns, UTC]");
    // A given schema coerces: "a" becomes a string column.
    let r = sh(&format!(
        "etl convert --schema 'a:utf8,b:struct<c:list<float64>>,ts:timestamp' {} -o ndjson",
        src.display()
    ));
    assert!(
        r.stdout.starts_with("{\"a\":\"1\","),
        "{} {}",
        r.stdout,
        r.stderr
    );
    let r = sh(&format!(
        "etl convert --schema {} {} -o arrow | etl schema",
        s.display(),
        src.display()
    ));
    let back: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(back, doc);
}

#[test]
fn widening_is_reported_and_lossless_on_ndjson() {
    let r = sh("printf '{\"a\":1}\\n{\"a\":2.5,\"b\":true}\\n' | etl convert --infer-rows 1 --batch-size 1 -o ndjson");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "{\"a\":1}\n{\"a\":2.5,\"b\":true}\n");
    assert!(r.stderr.contains("schema widened"), "{}", r.stderr);
    // Arrow cannot change its schema mid-stream: a clear error instead of silent loss.
    let r = sh("printf '{\"a\":1}\\n{\"a\":2.5}\\n' | etl convert --infer-rows 1 --batch-size 1 -o arrow > /dev/null");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("--infer-rows"), "{}", r.stderr);
}

#[test]
fn live_input_streams_record_by_record() {
    // The producer writes one record, then waits: etl must pass it on before the producer ends.
    let mut child = Command::new("bash")
        .args([
            "-c",
            &format!("(echo '{{\"n\":1}}'; sleep 5; echo '{{\"n\":2}}') | {ETL} convert -o ndjson"),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let waited = started.elapsed();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(line, "{\"n\":1}\n");
    assert!(
        waited < Duration::from_secs(4),
        "the first record waited for the producer to finish"
    );
}

#[test]
fn table_and_count_output() {
    let r = sh("printf '{\"a\":1,\"s\":\"x\"}\\n' | etl convert -o table");
    assert_eq!(r.stdout, "a  s\n1  x\n");
    let r = sh("printf '' | etl count -o csv");
    assert_eq!(r.stdout, "count\n0\n");
}

#[test]
fn binary_output_is_refused_on_a_terminal_only() {
    // Not a terminal here: arrow goes to the pipe.
    let r = sh("echo '{\"a\":1}' | etl convert -o arrow | wc -c");
    assert!(r.stdout.trim().parse::<u32>().unwrap() > 100);
}

#[test]
fn head_tail_and_flatten() {
    let r = sh("seq 1 50000 | sed 's/.*/{\"i\":&,\"o\":{\"x\":&,\"y\":{\"z\":\"s&\"}}}/' > /tmp/pipekit-shape.ndjson && etl head -n 2 /tmp/pipekit-shape.ndjson -o ndjson");
    assert_eq!(r.stdout, "{\"i\":1,\"o\":{\"x\":1,\"y\":{\"z\":\"s1\"}}}\n{\"i\":2,\"o\":{\"x\":2,\"y\":{\"z\":\"s2\"}}}\n", "{}", r.stderr);
    let r = sh("etl tail -n 3 /tmp/pipekit-shape.ndjson -o ndjson --batch-size 7");
    assert_eq!(
        r.stdout.lines().next(),
        Some("{\"i\":49998,\"o\":{\"x\":49998,\"y\":{\"z\":\"s49998\"}}}"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout.lines().count(), 3);
    let r = sh("etl flatten /tmp/pipekit-shape.ndjson -o csv | etl tail -n 1 -i csv -o ndjson");
    assert_eq!(
        r.stdout, "{\"i\":50000,\"o.x\":50000,\"o.y.z\":\"s50000\"}\n",
        "{}",
        r.stderr
    );
    // head stops reading an endless input.
    let r = sh("yes '{\"a\":1}' | etl head -n 2 -o ndjson");
    assert_eq!(r.stdout, "{\"a\":1}\n{\"a\":1}\n");
    let r = sh("printf '{\"a\":{\"b\":1},\"a_b\":2}\\n' | etl flatten --separator _ -o ndjson");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("two columns named 'a_b'"), "{}", r.stderr);
    std::fs::remove_file("/tmp/pipekit-shape.ndjson").ok();
}

#[test]
fn on_error_skip_and_dead_letter_keep_the_good_records() {
    let d = tmp();
    let input = d.path().join("in.ndjson");
    // Line 2 is not JSON, line 4 not an object, line 5 a string where a number was
    // inferred, line 6 only widens (kept), line 7 is cut short.
    std::fs::write(
        &input,
        "{\"a\":1,\"b\":\"x\"}\n{\"a\":,}\n{\"a\":3,\"b\":\"y\"}\n[1,2]\n{\"a\":\"five\"}\n{\"a\":6.5}\n{\"a\":7",
    )
    .unwrap();
    let r = sh(&format!("etl convert {} -o ndjson", input.display()));
    assert_eq!(r.code, 1, "fail is the default: {}", r.stderr);
    let r = sh(&format!(
        "etl convert --on-error skip {} -o ndjson",
        input.display()
    ));
    assert_eq!(r.code, 3, "{}", r.stderr);
    let a: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["a"].clone())
        .collect();
    assert_eq!(a, [1.0, 3.0, 6.5].map(serde_json::Value::from));
    assert!(
        r.stderr.contains("skipped 4 bad input records"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("in.ndjson:2"), "{}", r.stderr);

    let dead = d.path().join("dead.ndjson");
    let r = sh(&format!(
        "cat {} | etl count --on-error dead-letter={} -o ndjson",
        input.display(),
        dead.display()
    ));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "{\"count\":3}");
    let letters: Vec<serde_json::Value> = std::fs::read_to_string(&dead)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let lines: Vec<u64> = letters
        .iter()
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [2, 4, 5, 7]);
    assert_eq!(letters[1]["record"], "[1,2]");
    assert_eq!(letters[2]["field"], "a");
    assert!(letters
        .iter()
        .all(|l| l["source"] == "<stdin>" && l["error"].is_string()));
}

#[test]
fn on_error_skip_on_a_large_file_counts_every_bad_line() {
    // Large enough for the parallel decoder: bad lines land in many chunks.
    let d = tmp();
    let input = d.path().join("big.ndjson");
    let mut text = String::new();
    for i in 0..60_000 {
        if i % 1000 == 999 {
            text += "{\"id\": oops}\n";
        } else {
            text += &format!("{{\"id\":{i},\"v\":\"r{i}\"}}\n");
        }
    }
    std::fs::write(&input, text).unwrap();
    let dead = d.path().join("dead.ndjson");
    let r = sh(&format!(
        "etl convert --on-error dead-letter={} {} -o csv | tail -n +2 | wc -l",
        dead.display(),
        input.display()
    ));
    assert_eq!(r.stdout.trim(), "59940", "{}", r.stderr);
    let lines: Vec<u64> = std::fs::read_to_string(&dead)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, (1..=60).map(|k| k * 1000).collect::<Vec<u64>>());
}

#[test]
fn a_byte_order_mark_is_not_content() {
    // Excel writes CSV with a UTF-8 BOM, some Windows tools JSON; neither may become part
    // of the first column's name, nor turn JSON into "CSV" with no records.
    let r = sh(r#"printf '\357\273\277{"a":1,"b":2}\n' | etl convert -o ndjson"#);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "{\"a\":1,\"b\":2}\n"),
        "{}",
        r.stderr
    );
    let r = sh(r#"printf '\357\273\277id,name\n1,x\n' | etl convert -o ndjson"#);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "{\"id\":1,\"name\":\"x\"}\n"),
        "{}",
        r.stderr
    );
    let r = sh(r#"printf '{"a":1} {"a":2}{"a":3}\n' | etl convert -o ndjson"#);
    assert_eq!(
        r.stdout, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n",
        "{}",
        r.stderr
    );
}

#[test]
fn version_says_commit_target_and_features() {
    let r = sh("etl --version");
    assert_eq!(r.code, 0);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("etl "), "{}", r.stdout);
    let field = |name: &str| {
        lines
            .iter()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("no {name} in {}", r.stdout))
            .to_string()
    };
    let commit = field("commit:");
    assert!(commit == "unknown" || commit.len() >= 12, "{commit}");
    assert!(field("target:").contains("-linux-"), "{}", r.stdout);
    assert!(
        field("features:").split(' ').any(|f| f == "etl"),
        "{}",
        r.stdout
    );
}

#[test]
fn compress_on_stdout_and_corrupt_input() {
    let d = tmp();
    let src = d.path().join("in.ndjson");
    let text: String = (0..5000)
        .map(|i| format!("{{\"id\":{i},\"s\":\"v{i}\"}}\n"))
        .collect();
    std::fs::write(&src, &text).unwrap();
    let p = src.display();
    // --compress on stdout, with a level; the decompressed stream is the plain output.
    for (codec, tool) in [
        ("gzip:9", "gzip"),
        ("zstd:19", "zstd"),
        ("xz", "xz"),
        ("bzip2:1", "bzip2"),
        ("lz4", "lz4"),
    ] {
        let r = sh(&format!(
            "etl convert {p} -o ndjson --compress {codec} | {tool} -dc"
        ));
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, text.as_str()),
            "{codec}: {}",
            r.stderr
        );
    }
    let r = sh(&format!("etl convert {p} -o ndjson --compress brotli"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Damaged in the middle (not cut): the records before the damage, then one error
    // naming the file. gzip checks its CRC only at the end of a member, so what inflate
    // makes of the damaged bytes may reach the NDJSON decoder first, which then names
    // the line; either way no damaged record is passed on.
    let gz = d.path().join("bad.ndjson.gz");
    let r = sh(&format!("gzip -c {p} > {}", gz.display()));
    assert_eq!(r.code, 0);
    let mut bytes = std::fs::read(&gz).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(&gz, &bytes).unwrap();
    let r = sh(&format!("etl convert {} -o ndjson", gz.display()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("bad.ndjson.gz"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        text.starts_with(&r.stdout),
        "only whole records from before the damage"
    );
}

#[path = "support/small_disk.rs"]
mod small_disk;

#[path = "support/signals.rs"]
mod signals;

/// NDJSON records that do not compress: `n` records of a 64-character pseudo-random string.
fn incompressible(n: usize) -> String {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut s = String::new();
    for i in 0..n {
        let mut text = String::new();
        for _ in 0..4 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(&format!("{seed:016x}"));
        }
        s.push_str(&format!("{{\"n\":{i},\"s\":\"{text}\"}}\n"));
    }
    s
}

#[test]
fn a_full_disk_leaves_no_cut_output_and_the_old_file_whole() {
    let src = tmp();
    let input = src.path().join("in.ndjson");
    std::fs::write(&input, incompressible(40_000)).unwrap(); // ~3.5 MB
    let disk = small_disk::SmallDisk::mount(512 << 10);
    let d = disk.path();
    std::fs::write(d.join("old.parquet"), b"the old output").unwrap();
    for (out, format) in [("old.parquet", "parquet"), ("new.ndjson", "ndjson")] {
        let r = sh(&format!(
            "etl convert {} -o {format} --out {}",
            input.display(),
            d.join(out).display()
        ));
        assert_eq!(r.code, 1, "{out}: {}", r.stderr);
        assert!(
            r.stderr.contains(out) && r.stderr.contains("No space left"),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "one line: {}", r.stderr);
    }
    assert_eq!(
        std::fs::read(d.join("old.parquet")).unwrap(),
        b"the old output"
    );
    assert_eq!(disk.names(), ["old.parquet"], "no partial file left");

    // A sort that spills onto the full disk: a clear error, no spill files left.
    let r = sh(&format!(
        "etl sort --by s --memory 3M --temp-dir {} {} > /dev/null",
        d.display(),
        input.display()
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("No space left") && r.stderr.contains("--temp-dir"),
        "{}",
        r.stderr
    );
    assert_eq!(disk.names(), ["old.parquet"], "no spill file left");

    // The same commands where there is room write whole files.
    let r = sh(&format!(
        "etl convert {} -o parquet --out {}/ok.parquet && etl count {}/ok.parquet",
        input.display(),
        src.path().display(),
        src.path().display()
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("40000"), "{}", r.stdout);
}

#[test]
fn signals_at_any_point_leave_the_old_output_or_the_whole_new_one() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tmp();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, incompressible(300_000)).unwrap(); // ~26 MB
    let out = dir.path().join("out.parquet");
    std::fs::write(&out, b"the old output").unwrap();
    let mut before = std::fs::read(&out).unwrap();
    let count = |path: &std::path::Path| sh(&format!("etl count {}", path.display()));
    // Points spread over the run (reading, encoding, the footer, the rename), each
    // signal a command meets: Ctrl-C, a service stop, the OOM killer.
    for (signal, after_ms) in [
        ("INT", 20),
        ("TERM", 150),
        ("INT", 300),
        ("KILL", 450),
        ("TERM", 600),
        ("INT", 900),
        ("TERM", 1400),
        ("INT", 2500),
    ] {
        let child = signals::default_signals(&mut Command::new(ETL))
            .args(["convert", "-o", "parquet", "--out"])
            .arg(&out)
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(after_ms));
        Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .stderr(Stdio::null())
            .status()
            .unwrap();
        let done = child.wait_with_output().unwrap();
        if done.status.success() {
            // Finished before the signal: the new output, whole.
            let r = count(&out);
            assert!(r.stdout.contains("300000"), "{signal}: {}", r.stdout);
            before = std::fs::read(&out).unwrap();
        } else {
            assert!(
                done.status.signal().is_some(),
                "{signal}: {:?}",
                done.status
            );
            assert!(
                done.stderr.is_empty(),
                "{signal}: not quiet: {}",
                String::from_utf8_lossy(&done.stderr)
            );
            // Killed before the rename: the old output. Killed after it (while exiting):
            // the whole new one.
            let now = std::fs::read(&out).unwrap();
            if now != before {
                let r = count(&out);
                assert!(
                    r.stdout.contains("300000"),
                    "{signal} after {after_ms} ms: neither the old output nor the whole new one: {}",
                    r.stdout
                );
                before = now;
            }
        }
    }
    // The next output to the same file clears what the killed ones left behind.
    let r = sh(&format!(
        "etl convert -o parquet --out {} {}",
        out.display(),
        input.display()
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(count(&out).stdout.contains("300000"));
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["in.ndjson", "out.parquet"]);
}

/// `etl summarize` against DuckDB's SUMMARIZE on 50,000 generated web-log records
/// (tests/interop/summarize_duckdb.py: rows, nulls, min, max and mean equal, distinct
/// exact, every quantile within 1% rank error), then again with the exact limits so
/// low that distinct is the sketch's estimate (within 3%).
#[test]
fn summarize_agrees_with_duckdb() {
    let dir = tmp();
    let root = env!("CARGO_MANIFEST_DIR");
    let data = dir.path().join("events.ndjson");
    let r = sh(&format!(
        "python3 {root}/bench/gen_ndjson.py 50000 > {}",
        data.display()
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for extra in ["", "--exact-distinct 16384"] {
        let r = sh(&format!(
            "python3 {root}/tests/interop/summarize_duckdb.py {ETL} {} {extra}",
            data.display()
        ));
        assert_eq!(r.code, 0, "{extra}: {}\n{}", r.stdout, r.stderr);
        assert_eq!(r.stdout.lines().count(), 8, "{}", r.stdout);
        let sketched = r.stdout.contains("false]");
        assert_eq!(sketched, !extra.is_empty(), "{}", r.stdout);
    }
}

/// Columns that widen (int to float) or appear in a later file are summarized over
/// every record: a column's missing records count as nulls; counts of frequent values
/// turn into lower bounds (`top_exact` false) once a column has more distinct values
/// than counted exactly.
#[test]
fn summarize_across_files_and_limits() {
    let dir = tmp();
    let d = dir.path().display();
    let r = sh(&format!(
        r#"printf '{{"x":1}}\n{{"x":2}}\n' > {d}/a.ndjson && printf '{{"x":2.5,"y":"s"}}\n' > {d}/b.ndjson && etl summarize {d}/a.ndjson {d}/b.ndjson -o ndjson"#
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rows: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["column"], "x");
    assert_eq!(rows[0]["mean"], 5.5 / 3.0);
    assert_eq!(
        (rows[0]["min"].as_str(), rows[0]["max"].as_str()),
        (Some("1"), Some("2.5"))
    );
    assert_eq!(rows[0]["top"][0], "1 (1)");
    assert_eq!(
        (&rows[1]["column"], &rows[1]["rows"], &rows[1]["nulls"]),
        (
            &serde_json::json!("y"),
            &serde_json::json!(3),
            &serde_json::json!(2)
        )
    );
    let r = sh(
        "seq 1 5000 | sed 's/.*/{\"n\":&,\"m\":7}/' | etl summarize --exact-distinct 100 -o ndjson",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let n: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        (&n["distinct_exact"], &n["top_exact"]),
        (&serde_json::json!(false), &serde_json::json!(false))
    );
    let m: serde_json::Value = serde_json::from_str(r.stdout.lines().nth(1).unwrap()).unwrap();
    assert_eq!(
        (&m["distinct"], &m["top"][0], &m["top_exact"]),
        (
            &serde_json::json!(1),
            &serde_json::json!("7 (5000)"),
            &serde_json::json!(true)
        )
    );
}

/// Fixed data for the chart tests: 2,000 records of a damped sine over a minute of
/// timestamps, a category and a second series.
fn chart_data(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("chart.ndjson");
    let mut text = String::new();
    for i in 0..2000u32 {
        let t = f64::from(i);
        let ms = i * 30;
        text.push_str(&format!(
            "{{\"ts\":\"2026-12-01T12:{:02}:{:02}.{:03}Z\",\"i\":{i},\"value\":{},\"other\":{},\"host\":\"h{}\"}}\n",
            ms / 60_000,
            (ms / 1000) % 60,
            ms % 1000,
            (t / 50.0).sin() * (-t / 1500.0).exp() * 100.0,
            (t / 80.0).cos() * 40.0 + 10.0,
            i % 5
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Decodes a PNG to RGBA bytes.
fn rgba(path: &std::path::Path) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::ALPHA);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Golden images: every kind drawn to PNG from fixed data matches its reference in
/// tests/data/plot within a small tolerance (at most 0.5% of pixels differ by more than
/// 24 in a channel). PIPEKIT_BLESS=1 writes the references anew.
#[test]
fn plot_kinds_match_their_golden_images() {
    let dir = tmp();
    let data = chart_data(dir.path());
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/plot");
    let bless = std::env::var_os("PIPEKIT_BLESS").is_some();
    let cases = [
        (
            "line",
            "--kind line --x ts --y value,other --title 'damped sine'",
        ),
        ("scatter", "--kind scatter --x i --y value --by host"),
        ("bar", "--kind bar --x host --y other"),
        ("hist", "--kind hist --y value --bins 30"),
        ("area", "--kind area --x i --y value --theme dark"),
        ("heatmap", "--kind heatmap --x i --y value --bins 25"),
        ("log", "--kind line --x i --y other --log-y --size 640x400"),
    ];
    let mut failed = Vec::new();
    for (name, flags) in cases {
        let out = dir.path().join(format!("{name}.png"));
        let r = sh(&format!(
            "etl plot {flags} {} --out {}",
            data.display(),
            out.display()
        ));
        let lossy = name == "log" && r.code == 3;
        assert!(r.code == 0 || lossy, "{name}: {} {}", r.code, r.stderr);
        let reference = golden.join(format!("{name}.png"));
        if bless {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::copy(&out, &reference).unwrap();
            continue;
        }
        let (w, h, got) = rgba(&out);
        let (rw, rh, want) = rgba(&reference);
        assert_eq!((w, h), (rw, rh), "{name}: size");
        let differ = got
            .chunks(4)
            .zip(want.chunks(4))
            .filter(|(a, b)| a.iter().zip(b.iter()).any(|(x, y)| x.abs_diff(*y) > 24))
            .count();
        let share = differ as f64 / f64::from(w * h);
        if share > 0.005 {
            failed.push(format!("{name}: {:.2}% of pixels differ", share * 100.0));
        }
    }
    assert!(failed.is_empty(), "{failed:?}");
}

/// An SVG chart is well-formed XML naming its axes, with the first series' colour.
#[test]
fn plot_svg_is_xml_with_labels_and_colours() {
    let dir = tmp();
    let data = chart_data(dir.path());
    let svg = dir.path().join("c.svg");
    let r = sh(&format!(
        "etl plot --x ts --y value {} --out {} && python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' {}",
        data.display(),
        svg.display(),
        svg.display()
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // plotters writes each text element's content on a line of its own.
    let text = std::fs::read_to_string(&svg).unwrap().replace('\n', "");
    assert!(
        text.contains(">value<") && text.contains(">ts<"),
        "axis names"
    );
    assert!(text.contains("12:00:30"), "a time tick");
    assert!(
        text.to_ascii_uppercase().contains("#1F77B4"),
        "the first series' colour"
    );
    assert!(text.contains("2000 points"), "the note");
}

/// Bounded memory: 1,000,000 points through a pipe become at most a few per pixel
/// column, and the chart says how many it drew of how many it read; bad flags are
/// usage errors naming the column.
#[test]
fn plot_downsamples_and_reports() {
    let dir = tmp();
    let out = dir.path().join("big.png");
    let r = sh(&format!(
        "seq 1 1000000 | awk '{{print \"{{\\\"x\\\":\" $1 \",\\\"y\\\":\" ($1 % 1000) \"}}\"}}' | etl plot --x x --y y --size 400x300 --out {}",
        out.display()
    ));
    assert!(r.code == 0 && out.exists(), "{}", r.stderr);
    let r = sh("etl plot --x x --y y < /dev/null");
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = sh(
        r#"seq 1 1000000 | awk '{print "{\"x\":" $1 ",\"y\":" ($1 % 1000) "}"}' | COLUMNS=80 LINES=20 etl plot --x x --y y | tail -1"#,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let note = r.stdout.trim();
    let drawn: u64 = note.split(' ').next().unwrap().parse().unwrap();
    assert!(
        note.ends_with("of 1000000 points drawn") && drawn <= 4 * 140,
        "{note}"
    );
    let r = sh("echo '{\"a\":1}' | etl plot --x nope --y a");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--x nope: no such column; the records have a"),
        "{}",
        r.stderr
    );
    let r = sh("echo '{\"a\":1}' | etl plot --y a --out chart.jpg");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

/// `--live` under tmux: a pipe that writes a record every 100 ms is redrawn while it
/// runs (the note's count grows between two captures one second apart), and SIGINT (^C)
/// ends it with status 0, the last frame left on screen.
#[test]
fn plot_live_redraws_and_ends_on_sigint() {
    // A bash script (not the pane's sh -c): its INT trap keeps the shell alive to
    // report etl's status, while etl and the writer get ^C's SIGINT as usual.
    let dir = tmp();
    let script = dir.path().join("live.sh");
    std::fs::write(
        &script,
        format!(
            r#"trap ':' INT
for i in $(seq 1 600); do echo "{{\"ts\":\"$(date -u +%FT%T.%NZ)\",\"v\":$((i % 7))}}"; sleep 0.1; done | '{ETL}' plot --live --x ts --y v --span 30s
echo live-exited-$?
sleep 60
"#
        ),
    )
    .unwrap();
    let cmd = format!("bash {}", script.display());
    let term = tmux::Tmux::start("plotlive", 90, 24, &["NO_COLOR=1"], &cmd);
    let count = |pane: &str| -> u64 {
        pane.lines()
            .rev()
            .find_map(|l| {
                l.strip_suffix(" points")
                    .and_then(|n| n.trim().parse().ok())
            })
            .unwrap_or(0)
    };
    let first = count(&term.capture_until(" points", Duration::from_secs(10)));
    std::thread::sleep(Duration::from_millis(1000));
    let pane = term.capture();
    let second = count(&pane);
    assert!(
        first > 0 && second > first,
        "{first} then {second}:\n{pane}"
    );
    term.send_keys("C-c");
    let pane = term.capture_until("live-exited-", Duration::from_secs(10));
    assert!(pane.contains("live-exited-0"), "{pane}");
    assert!(
        pane.contains("v (ts)") && pane.contains(" points"),
        "the last frame stays: {pane}"
    );
}

/// The SVG as a browser draws it: headless Chromium (installed by
/// scripts/deps.d/60-wasm.sh) takes a screenshot of the file; both series' colours
/// cover lines of pixels, and dark text is drawn where the y and x axis labels go.
#[test]
fn plot_svg_renders_in_headless_chromium() {
    let dir = tmp();
    let data = chart_data(dir.path());
    let svg = dir.path().join("c.svg");
    let shot = dir.path().join("shot.png");
    let r = sh(&format!(
        "etl plot --x ts --y value,other --size 1024x640 {} --out {}",
        data.display(),
        svg.display()
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = chromium::headless(&[
        "--hide-scrollbars".into(),
        "--window-size=1024,640".into(),
        format!("--screenshot={}", shot.display()),
        format!("file://{}", svg.display()),
    ]);
    assert!(
        out.status.success() && shot.exists(),
        "chromium: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, px) = rgba(&shot);
    assert_eq!((w, h), (1024, 640));
    let pixel = |x: u32, y: u32| {
        let i = ((y * w + x) * 4) as usize;
        (px[i], px[i + 1], px[i + 2])
    };
    let near = |p: (u8, u8, u8), c: (u8, u8, u8)| {
        p.0.abs_diff(c.0) <= 12 && p.1.abs_diff(c.1) <= 12 && p.2.abs_diff(c.2) <= 12
    };
    let count = |c: (u8, u8, u8)| {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| near(pixel(x, y), c))
            .count()
    };
    assert!(count((31, 119, 180)) > 500, "the first series' blue");
    assert!(count((255, 127, 14)) > 500, "the second series' orange");
    let dark = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        ys.flat_map(|y| xs.clone().map(move |x| (x, y)))
            .filter(|&(x, y)| {
                let p = pixel(x, y);
                p.0 < 110 && p.1 < 110 && p.2 < 110
            })
            .count()
    };
    assert!(dark(0..60, 40..560) > 100, "y axis labels");
    assert!(dark(80..1000, 590..635) > 100, "x axis labels and name");
}
