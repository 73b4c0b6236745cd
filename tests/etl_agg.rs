//! `etl agg` through real pipes: windows close while an endless producer still runs, and
//! grouped results equal DuckDB's (from pip, installed by `make deps`).
#![cfg(feature = "etl")]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const ETL: &str = env!("CARGO_BIN_EXE_etl");

#[test]
fn windows_are_emitted_while_an_endless_producer_runs() {
    // 1000 records per event-time second, written as fast as the pipe takes them, forever.
    let producer = r#"python3 -u -c '
import itertools
for i in itertools.count():
    s, ms = divmod(i, 1000)
    print("{\"ts\":\"2026-01-01T00:%02d:%02d.%03dZ\",\"dev\":\"d%d\",\"value\":%d}" % (s // 60 % 60, s % 60, ms, i % 2, i % 10))
'"#;
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(format!("{producer} | exec {ETL} agg --window 1s --by dev --agg 'count(*), max(value)' -o ndjson"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Vec<serde_json::Value> = (0..4)
        .map(|_| serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap())
        .collect();
    // The producer never ends: reaching here means windows were emitted while it ran.
    let _ = Command::new("pkill")
        .args(["-f", "itertools.count"])
        .status();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(first[0]["window_start"], "2026-01-01T00:00:00.000000000Z");
    assert_eq!(first[0]["window_end"], "2026-01-01T00:00:01.000000000Z");
    assert_eq!(
        (first[0]["dev"].as_str(), first[1]["dev"].as_str()),
        (Some("d0"), Some("d1"))
    );
    assert_eq!(first[0]["count(*)"], 500);
    assert_eq!(first[1]["max(value)"], 9);
    assert_eq!(first[2]["window_start"], "2026-01-01T00:00:01.000000000Z");
}

#[test]
fn late_records_are_counted_and_exit_3() {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "printf '{{\"ts\":\"2026-01-01T00:00:00Z\"}}\\n{{\"ts\":\"2026-01-01T00:00:05Z\"}}\\n{{\"ts\":\"2026-01-01T00:00:01Z\"}}\\n' \
             | {ETL} agg --window 1s -o ndjson"
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("1 late records"), "{stderr}");
    // With enough lateness the same record is kept.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "printf '{{\"ts\":\"2026-01-01T00:00:00Z\"}}\\n{{\"ts\":\"2026-01-01T00:00:05Z\"}}\\n{{\"ts\":\"2026-01-01T00:00:01Z\"}}\\n' \
             | {ETL} agg --window 1s --lateness 10s -o ndjson"
        ))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 3);
}

#[test]
fn grouped_and_windowed_results_equal_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.ndjson");
    let gen = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/gen_ndjson.py"))
        .arg("20000")
        .output()
        .unwrap();
    assert!(gen.status.success());
    std::fs::write(&data, gen.stdout).unwrap();
    let cases = [
        (
            vec!["--by", "status", "--agg", "count(*), count(latency_ms), avg(latency_ms), min(bytes), max(latency_ms), sum(bytes), p50(latency_ms), p95(latency_ms), count_distinct(user)"],
            "SELECT status, count(*), count(latency_ms), avg(latency_ms), min(bytes), max(latency_ms), sum(bytes), \
             quantile_cont(latency_ms, 0.5), quantile_cont(latency_ms, 0.95), count(DISTINCT \"user\") \
             FROM t GROUP BY status ORDER BY status",
        ),
        (
            vec!["--window", "10m", "--time", "ts", "--by", "status", "--agg", "count(*), avg(bytes)"],
            "SELECT epoch_ns(time_bucket(INTERVAL 10 minutes, ts::TIMESTAMP)) AS w, status, count(*), avg(bytes) \
             FROM t GROUP BY w, status ORDER BY w, status",
        ),
    ];
    for (args, sql) in cases {
        let out = Command::new(ETL)
            .arg("agg")
            .args(&args)
            .arg(&data)
            .args(["-o", "csv"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ours: Vec<Vec<String>> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        let script = format!(
            "import duckdb, sys\n\
             con = duckdb.connect()\n\
             con.sql(\"CREATE TABLE t AS SELECT * FROM read_json_auto('{}')\")\n\
             for row in con.sql(\"\"\"{sql}\"\"\").fetchall():\n    print(','.join('' if v is None else str(v) for v in row))\n",
            data.display()
        );
        let duck = Command::new("python3")
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap();
        assert!(
            duck.status.success(),
            "duckdb: {}",
            String::from_utf8_lossy(&duck.stderr)
        );
        let theirs: Vec<Vec<String>> = String::from_utf8(duck.stdout)
            .unwrap()
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        assert_eq!(ours.len(), theirs.len(), "{args:?}");
        for (a, b) in ours.iter().zip(&theirs) {
            // Windowed rows: ours start with window_start/window_end, DuckDB's with epoch ns.
            let a = if a.len() > b.len() { &a[1..] } else { &a[..] };
            for (x, y) in a
                .iter()
                .zip(b)
                .skip(if args.contains(&"--window") { 1 } else { 0 })
            {
                match (x.parse::<f64>(), y.parse::<f64>()) {
                    (Ok(p), Ok(q)) => assert!(
                        (p - q).abs() <= 1e-9 * q.abs().max(1.0),
                        "{args:?}: {a:?} vs {b:?}"
                    ),
                    _ => assert_eq!(x, y, "{args:?}"),
                }
            }
        }
    }
}

/// A column that widens from integer to float after the first batch keeps what was
/// aggregated before the widening (it used to print `{"k":"a"}`, exit 0).
#[test]
fn aggregates_survive_a_column_widening_mid_stream() {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "printf '{{\"k\":\"a\",\"x\":1}}\\n{{\"k\":\"a\",\"x\":2.5}}\\n{{\"k\":null,\"x\":3}}\\n' \
             | {ETL} agg --by k --agg 'sum(x), min(x), max(x), count_distinct(x)' --infer-rows 1 --batch-size 1 -o ndjson"
        ))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let num = |r: &serde_json::Value, f: &str| r[f].as_f64();
    assert_eq!(rows.len(), 2, "{rows:?}");
    // Groups in key order, the null key first (a null field is left out of NDJSON).
    assert_eq!((rows[0].get("k"), rows[1]["k"].as_str()), (None, Some("a")));
    let got: Vec<_> = ["sum(x)", "min(x)", "max(x)", "count_distinct(x)"]
        .iter()
        .map(|f| (num(&rows[0], f), num(&rows[1], f)))
        .collect();
    assert_eq!(
        got,
        [
            (Some(3.0), Some(3.5)),
            (Some(3.0), Some(1.0)),
            (Some(3.0), Some(2.5)),
            (Some(1.0), Some(2.0))
        ]
    );
}
