//! `etl sql`, `filter`, `select` and `sort` through real pipes; query results equal
//! DuckDB's (from pip, installed by `make deps`) for the same SQL on the same NDJSON.
#![cfg(feature = "etl")]

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const ETL: &str = env!("CARGO_BIN_EXE_etl");

fn events(dir: &Path, rows: u32) -> std::path::PathBuf {
    let path = dir.join("events.ndjson");
    let gen = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/gen_ndjson.py"))
        .arg(rows.to_string())
        .output()
        .unwrap();
    assert!(gen.status.success());
    std::fs::write(&path, gen.stdout).unwrap();
    path
}

/// Rows as lists of JSON values, in column order.
fn rows_of_ndjson(text: &[u8]) -> Vec<Vec<Value>> {
    String::from_utf8_lossy(text)
        .lines()
        .map(|l| match serde_json::from_str::<Value>(l).unwrap() {
            Value::Object(m) => m.into_iter().map(|(_, v)| v).collect(),
            other => panic!("not a record: {other}"),
        })
        .collect()
}

fn duckdb(tables: &[(&str, &Path)], sql: &str) -> Vec<Vec<Value>> {
    let mut script = String::from("import duckdb, json\ncon = duckdb.connect()\n");
    for (name, path) in tables {
        script += &format!(
            "con.sql(\"CREATE TABLE {name} AS SELECT * FROM read_json_auto('{}')\")\n",
            path.display()
        );
    }
    script += &format!(
        "for row in con.sql(\"\"\"{sql}\"\"\").fetchall():\n    print(json.dumps(list(row), default=str, ensure_ascii=False))\n"
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn same_rows(what: &str, ours: &[Vec<Value>], theirs: &[Vec<Value>]) {
    assert_eq!(ours.len(), theirs.len(), "{what}: row counts differ");
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
        for (x, y) in a.iter().zip(b) {
            match (x.as_f64(), y.as_f64()) {
                (Some(p), Some(q)) => assert!(
                    (p - q).abs() <= 1e-9 * q.abs().max(1.0),
                    "{what}: {a:?} vs {b:?}"
                ),
                _ => assert_eq!(x, y, "{what}: {a:?} vs {b:?}"),
            }
        }
    }
}

fn etl(args: &[&str]) -> std::process::Output {
    Command::new(ETL).args(args).output().unwrap()
}

#[test]
fn group_by_filter_window_and_join_equal_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let data = events(dir.path(), 20_000);
    let users = dir.path().join("users.ndjson");
    std::fs::write(
        &users,
        "{\"name\":\"alice\",\"team\":\"ops\"}\n{\"name\":\"bøb\",\"team\":\"dev\"}\n\
         {\"name\":\"山田\",\"team\":\"dev\"}\n{\"name\":\"🦀 crab\",\"team\":\"rust\"}\n",
    )
    .unwrap();
    let queries = [
        "SELECT status, count(*) AS n, count(latency_ms) AS timed, avg(latency_ms) AS avg_ms, \
         min(bytes) AS lo, max(bytes) AS hi, sum(bytes) AS total FROM input GROUP BY status ORDER BY status",
        "SELECT id, path, bytes FROM input WHERE status >= 500 AND latency_ms > 30 AND path LIKE '/api/%' ORDER BY id",
        "SELECT id, status, sum(bytes) OVER (PARTITION BY status ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running, \
         row_number() OVER (PARTITION BY status ORDER BY bytes DESC, id) AS rank FROM input ORDER BY id LIMIT 3000",
        "SELECT u.team, count(*) AS n, sum(i.bytes) AS total FROM input i JOIN users u ON i.\"user\" = u.name \
         GROUP BY u.team ORDER BY u.team",
        "SELECT agent.name AS agent, count(DISTINCT \"user\") AS users FROM input GROUP BY agent.name ORDER BY agent",
    ];
    for sql in queries {
        // DuckDB spells struct access the same way; both read the same files.
        let ours = etl(&[
            "sql",
            sql,
            "-t",
            &format!("users={}", users.display()),
            data.to_str().unwrap(),
            "-o",
            "ndjson",
        ]);
        assert!(
            ours.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        let theirs = duckdb(&[("input", &data), ("users", &users)], sql);
        assert!(!theirs.is_empty(), "{sql}: no rows to compare");
        same_rows(sql, &rows_of_ndjson(&ours.stdout), &theirs);
    }
}

#[test]
fn filter_and_select_equal_duckdb_and_stream_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let data = events(dir.path(), 5_000);
    let script = format!(
        "{ETL} filter 'status = 404 AND bytes < 100000' {} | {ETL} select 'id, bytes * 2 AS double, upper(path) AS p, latency_ms IS NULL AS untimed' -o ndjson",
        data.display()
    );
    let ours = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        ours.status.success(),
        "{}",
        String::from_utf8_lossy(&ours.stderr)
    );
    let theirs = duckdb(
        &[("input", &data)],
        "SELECT id, bytes * 2 AS double, upper(path) AS p, latency_ms IS NULL AS untimed FROM input \
         WHERE status = 404 AND bytes < 100000 ORDER BY id",
    );
    assert!(theirs.len() > 50);
    same_rows("filter | select", &rows_of_ndjson(&ours.stdout), &theirs);
}

#[test]
fn filter_passes_live_records_on_before_the_input_ends() {
    let mut child = Command::new(ETL)
        .args(["filter", "v > 1", "-o", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    writeln!(stdin, "{{\"v\":1}}\n{{\"v\":2}}").unwrap();
    stdin.flush().unwrap();
    // The input is still open: the match must arrive now, not at the end.
    assert_eq!(lines.next().unwrap().unwrap(), "{\"v\":2}");
    writeln!(stdin, "{{\"v\":3}}").unwrap();
    drop(stdin);
    assert_eq!(lines.next().unwrap().unwrap(), "{\"v\":3}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn sort_spills_past_its_memory_limit_and_stays_correct() {
    let dir = tempfile::tempdir().unwrap();
    let data = events(dir.path(), 150_000);
    let spill = dir.path().join("spill");
    std::fs::create_dir(&spill).unwrap();
    let out = etl(&[
        "sort",
        "--by",
        "bytes DESC, id",
        "--memory",
        "8M",
        "--threads",
        "1",
        "--temp-dir",
        spill.to_str().unwrap(),
        data.to_str().unwrap(),
        "-o",
        "ndjson",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("spilled"),
        "expected an external sort: {stderr}"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let keys: Vec<(i64, i64)> = text
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            (-r["bytes"].as_i64().unwrap(), r["id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(keys.len(), 150_000);
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "not sorted");
}

#[test]
fn queries_are_read_only_and_mistakes_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.ndjson");
    std::fs::write(&data, "{\"a\":1}\n{\"a\":2}\n").unwrap();
    let d = data.to_str().unwrap();
    for (sql, needle) in [
        ("SELECT nosuch FROM input", "nosuch"),
        ("CREATE TABLE x AS SELECT * FROM input", "not supported"),
        (
            "COPY input TO '/tmp/pipekit-should-not-exist.csv'",
            "not supported",
        ),
        ("SELECT 1; SELECT 2", "one query"),
        ("SELECT a FROM input WHERE", "in query"),
    ] {
        let out = etl(&["sql", sql, d]);
        assert_eq!(out.status.code(), Some(2), "{sql}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{sql}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    assert!(!Path::new("/tmp/pipekit-should-not-exist.csv").exists());
    for args in [
        ["filter", "nosuch > 1"],
        ["filter", "a + 1"],
        ["select", "a,, b"],
    ] {
        let out = etl(&[args[0], args[1], d]);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    // Stdin cannot be scanned twice; files can (a self-join).
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("cat {d} | {ETL} sql 'SELECT count(*) AS n FROM input x JOIN input y ON x.a = y.a' -o ndjson"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("read only once"));
    let out = etl(&[
        "sql",
        "SELECT count(*) AS n FROM input x JOIN input y ON x.a = y.a",
        d,
        "-o",
        "ndjson",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "{\"n\":2}");
}

#[test]
fn bad_input_in_a_query_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.ndjson");
    std::fs::write(&data, "{\"a\":1}\n{\"a\":2}\n{\"a\":\n").unwrap();
    let out = etl(&["sql", "SELECT sum(a) FROM input", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("d.ndjson:3"), "{err}");
}

/// A sort (spilling or not) is planned for the schema the reader inferred; a column that
/// widens after that is a loud error naming the field and the fix, never rows sorted or
/// summed under the old type, and no partial output.
#[test]
fn a_schema_that_widens_under_a_sort_or_query_is_named_not_mis_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.ndjson");
    std::fs::write(
        &path,
        "{\"k\":\"a\",\"x\":1}\n{\"k\":\"b\",\"x\":2.5}\n{\"k\":\"c\",\"x\":0}\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    for args in [
        vec!["sort", "--by", "x", "--memory", "1M"],
        vec!["sql", "SELECT sum(x) FROM input"],
    ] {
        let narrow = [
            "--infer-rows",
            "1",
            "--batch-size",
            "1",
            "-o",
            "ndjson",
            path,
        ];
        let out = etl(&[&args[..], &narrow].concat());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            out.stdout.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            stderr.contains("field 'x' went from Int64 to Float64")
                && stderr.contains("--infer-rows"),
            "{args:?}: {stderr}"
        );
        // With the whole input inferred, the same command answers.
        let out = etl(&[&args[..], &["--infer-rows", "10", "-o", "ndjson", path]].concat());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
