//! Interop both ways with pyarrow (installed by `make deps`): pyarrow reads what etl
//! writes with the right types, and etl reads what pyarrow writes.
#![cfg(feature = "etl")]

use std::process::Command;

const ETL: &str = env!("CARGO_BIN_EXE_etl");

#[path = "support/python.rs"]
mod python;
use python::python;

fn etl(args: &[&str]) -> String {
    let out = Command::new(ETL).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "etl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SAMPLE: &str = "{\"i\":1,\"s\":\"é\\\"\",\"f\":0.5,\"b\":true,\"ts\":\"2026-11-26T10:00:00.123456789Z\",\"l\":[1,2],\"o\":{\"k\":\"v\"}}\n\
{\"i\":-2,\"s\":null,\"f\":null,\"b\":false,\"ts\":\"2026-11-26T10:00:01Z\",\"l\":[],\"o\":null}\n";

const READ_BACK: &str = r#"
import sys, pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq
path, kind = sys.argv[1], sys.argv[2]
if kind == "stream":
    t = ipc.open_stream(open(path, "rb")).read_all()
elif kind == "file":
    t = ipc.open_file(path).read_all()
else:
    t = pq.read_table(path)
print(t.num_rows)
for f in t.schema:
    print(f.name, f.type)
print(t.column("s").to_pylist(), t.column("ts")[0].value)
"#;

#[test]
fn pyarrow_reads_our_stream_file_and_parquet() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.ndjson");
    std::fs::write(&src, SAMPLE).unwrap();
    for (file, kind) in [
        ("o.arrows", "stream"),
        ("o.arrow", "file"),
        ("o.parquet", "parquet"),
    ] {
        let out = dir.path().join(file);
        etl(&[
            "convert",
            src.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let text = python(READ_BACK, &[out.to_str().unwrap(), kind]);
        let expected = "2\ni int64\ns string\nf double\nb bool\nts timestamp[ns, tz=UTC]\n\
                        l list<item: int64>\no struct<k: string>\n['é\"', None] 1795687200123456789\n";
        assert_eq!(text, expected, "{kind}");
    }
}

#[test]
fn etl_reads_what_pyarrow_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    python(
        r#"
import sys, pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq
d = sys.argv[1]
t = pa.table({"n": pa.array([1, None, 3], pa.int64()), "s": ["a", "ü", None],
              "ts": pa.array([0, 1, 2], pa.timestamp("ns", tz="UTC")),
              "bin": pa.array([b"\xde\xad", b"", None], pa.binary())})
with ipc.new_stream(d + "/s.arrows", t.schema) as w: w.write_table(t)
with ipc.new_file(d + "/f.arrow", t.schema) as w: w.write_table(t)
pq.write_table(t, d + "/p.parquet")
"#,
        &[d],
    );
    let expected =
        "{\"n\":1,\"s\":\"a\",\"ts\":\"1970-01-01T00:00:00.000000000Z\",\"bin\":\"dead\"}\n\
                    {\"s\":\"ü\",\"ts\":\"1970-01-01T00:00:00.000000001Z\",\"bin\":\"\"}\n\
                    {\"n\":3,\"ts\":\"1970-01-01T00:00:00.000000002Z\"}\n";
    for f in ["s.arrows", "f.arrow", "p.parquet"] {
        assert_eq!(
            etl(&["convert", &format!("{d}/{f}"), "-o", "ndjson"]),
            expected,
            "{f}"
        );
    }
    // Through stdin as well, sniffed from the first bytes.
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("{ETL} convert -o ndjson < {d}/s.arrows"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}
