//! The acceptance check for the record layer at size: a ~900k-row, ~130 MB NDJSON file
//! with unicode, quotes and nulls survives NDJSON → Arrow → NDJSON through real pipes,
//! its Parquet reads back in pyarrow with the same rows and types, and converting it
//! streams (peak memory of the etl processes stays under 300 MB). Its own test binary, so
//! the children's peak RSS is only etl's.
#![cfg(feature = "etl")]

use std::fmt::Write as _;
use std::process::Command;

const ETL: &str = env!("CARGO_BIN_EXE_etl");
const ROWS: usize = 900_000;

fn generate(path: &std::path::Path) {
    let words = [
        "alpha",
        "béta",
        "gämma \\\"quoted\\\"",
        "δέλτα",
        "漢字",
        "emoji 🦀",
        "tab\\tsep",
        "back\\\\slash",
    ];
    let mut out = String::with_capacity(150 * ROWS);
    let mut x: u64 = 0x9e3779b97f4a7c15;
    for i in 0..ROWS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let w = words[(x % words.len() as u64) as usize];
        let opt = if i % 11 == 0 {
            "null".to_string()
        } else {
            format!("{:?}", (x >> 40) as f64 / 7.0)
        };
        let name = if i % 13 == 0 {
            "null".to_string()
        } else {
            format!("\"{w} {}\"", x % 1000)
        };
        writeln!(
            out,
            "{{\"id\":{i},\"user\":{name},\"score\":{opt},\"big\":{},\"ok\":{},\"ts\":\"2026-11-26T10:{:02}:{:02}.{:09}Z\",\"path\":\"/srv/{w}/{}\"}}",
            (x >> 1) as i64,
            i % 3 == 0,
            (i / 60) % 60,
            i % 60,
            i % 1_000_000_000,
            x % 97
        )
        .unwrap();
    }
    std::fs::write(path, out).unwrap();
}

fn children_peak_rss_mb() -> f64 {
    // SAFETY: getrusage fills a struct we own.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru.ru_maxrss as f64 / 1024.0
    }
}

#[test]
fn large_file_round_trips_and_streams() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.ndjson");
    generate(&src);
    let size = std::fs::metadata(&src).unwrap().len();
    assert!(size > 120_000_000, "the file is {size} bytes");
    let back = dir.path().join("back.ndjson");
    let pq = dir.path().join("big.parquet");
    let status = Command::new("bash")
        .args(["-o", "pipefail", "-c"])
        .arg(format!(
            "{ETL} convert {} -o arrow | {ETL} convert -o ndjson > {} && {ETL} convert {} --out {}",
            src.display(),
            back.display(),
            src.display(),
            pq.display()
        ))
        .status()
        .unwrap();
    assert!(status.success());
    let peak = children_peak_rss_mb();
    assert!(peak < 300.0, "peak RSS of a conversion was {peak:.0} MB");
    // Same records: compare as parsed JSON, line by line.
    let a = std::fs::read_to_string(&src).unwrap();
    let b = std::fs::read_to_string(&back).unwrap();
    assert_eq!(a.lines().count(), b.lines().count());
    for (n, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        let x: serde_json::Value = serde_json::from_str(x).unwrap();
        let mut y: serde_json::Value = serde_json::from_str(y).unwrap();
        // Missing means null; the writer leaves nulls out.
        for k in ["user", "score"] {
            if y.get(k).is_none() {
                y[k] = serde_json::Value::Null;
            }
        }
        assert_eq!(x, y, "record {} differs", n + 1);
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg("import sys, pyarrow.parquet as pq; t = pq.read_table(sys.argv[1]); print(t.num_rows); print(t.schema.field('id').type, t.schema.field('user').type, t.schema.field('big').type, t.schema.field('ts').type)")
        .arg(&pq)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("{ROWS}\nint64 string int64 timestamp[ns, tz=UTC]\n")
    );
}
