//! Property: NDJSON → Arrow IPC → NDJSON keeps every record (unicode, escapes, nulls,
//! nested objects and lists, integers up to u64::MAX), through the library's own reader
//! and writers. A missing key and an explicit null are the same record.

use std::path::Path;

use pipekit::record::writer::open_sink;
use pipekit::record::{OutputFormat, ReadOptions, RecordReader, SinkOptions, Source};
use proptest::prelude::*;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Int,
    BigUInt,
    Float,
    Text,
    Bool,
    Nested,
    IntList,
    TextList,
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Int),
        Just(Kind::BigUInt),
        Just(Kind::Float),
        Just(Kind::Text),
        Just(Kind::Bool),
        Just(Kind::Nested),
        Just(Kind::IntList),
        Just(Kind::TextList),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z\"\\\\/\n\t\u{0}é漢字🦀 ]{0,12}".prop_map(|s| s),
    ]
}

fn value(k: Kind) -> BoxedStrategy<Value> {
    let v = match k {
        Kind::Int => any::<i64>().prop_map(Value::from).boxed(),
        Kind::BigUInt => ((i64::MAX as u64 + 1)..=u64::MAX)
            .prop_map(Value::from)
            .boxed(),
        Kind::Float => (-1e300f64..1e300).prop_map(Value::from).boxed(),
        Kind::Text => text().prop_map(Value::from).boxed(),
        Kind::Bool => any::<bool>().prop_map(Value::from).boxed(),
        Kind::Nested => (any::<i32>(), proptest::option::of(text()))
            .prop_map(|(x, y)| serde_json::json!({"x": x, "y": y}))
            .boxed(),
        Kind::IntList => proptest::collection::vec(proptest::option::of(any::<i64>()), 0..4)
            .prop_map(|v| Value::from(v.into_iter().map(Value::from).collect::<Vec<_>>()))
            .boxed(),
        Kind::TextList => proptest::collection::vec(text(), 1..4)
            .prop_map(|v| Value::from(v.into_iter().map(Value::from).collect::<Vec<_>>()))
            .boxed(),
    };
    // A third of the values are null or missing.
    prop_oneof![2 => v.prop_map(Some), 1 => Just(None)]
        .prop_map(|o| o.unwrap_or(Value::Null))
        .boxed()
}

fn records() -> impl Strategy<Value = Vec<Map<String, Value>>> {
    proptest::collection::vec(kind(), 1..6).prop_flat_map(|kinds| {
        let row = kinds
            .iter()
            .enumerate()
            .map(|(i, k)| (Just(format!("f{i}_{k:?}")), value(*k), any::<bool>()))
            .collect::<Vec<_>>();
        proptest::collection::vec(row, 1..40).prop_map(|rows| {
            rows.into_iter()
                .map(|fields| {
                    fields
                        .into_iter()
                        // `keep == false` with a null value drops the key entirely.
                        .filter(|(_, v, keep)| *keep || !v.is_null())
                        .map(|(k, v, _)| (k, v))
                        .collect()
                })
                .collect()
        })
    })
}

/// Drops null members recursively: missing and null mean the same.
fn normalize(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, normalize(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        other => other,
    }
}

fn convert(from: &Path, to: &Path, format: OutputFormat, batch_size: usize, infer_rows: usize) {
    let opts = ReadOptions {
        batch_size,
        infer_rows,
        ..ReadOptions::default()
    };
    let mut reader = RecordReader::open(vec![Source::Path(from.to_path_buf())], opts).unwrap();
    let sink_opts = SinkOptions {
        format: Some(format),
        path: Some(to.to_path_buf()),
        ..SinkOptions::default()
    };
    let mut sink = open_sink(&sink_opts, &reader.schema()).unwrap();
    while let Some(batch) = reader.next_batch().unwrap() {
        sink.write(&batch).unwrap();
    }
    sink.finish().unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn ndjson_arrow_ndjson_is_lossless(rows in records(), batch in 1usize..16) {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.ndjson");
        let text: String = rows.iter().map(|r| format!("{}\n", Value::Object(r.clone()))).collect();
        std::fs::write(&input, &text).unwrap();
        let arrow = dir.path().join("mid.arrows");
        let output = dir.path().join("out.ndjson");
        // Every record takes part in inference, so the schema holds all of them.
        convert(&input, &arrow, OutputFormat::Arrow, batch, rows.len());
        convert(&arrow, &output, OutputFormat::Ndjson, batch, rows.len());
        let back: Vec<Value> = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let expected: Vec<Value> = rows.into_iter().map(|r| normalize(Value::Object(r))).collect();
        let back: Vec<Value> = back.into_iter().map(normalize).collect();
        prop_assert_eq!(back, expected);
    }
}
