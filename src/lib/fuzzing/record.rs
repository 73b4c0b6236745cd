//! The record layer's readers: the NDJSON direct decoder against arrow-json, and every
//! input format through the reader users get.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use serde_json::Value;

use super::{assert_names, scratch_dir};
use crate::record::direct::DirectDecoder;
use crate::record::infer::Inference;
use crate::record::reader::CsvOptions;
use crate::record::rejects::{OnError, Rejects};
use crate::record::{InputFormat, ReadOptions, RecordReader, Source};

/// Differential: the direct decoder may give up on a chunk, but a batch it returns is
/// the batch arrow-json (strict, as the checked path runs it) decodes from the same
/// chunk with the same schema, the schema the reader infers from the chunk's objects.
pub fn ndjson_direct(data: &[u8]) {
    let mut chunk = data.to_vec();
    if !chunk.ends_with(b"\n") {
        chunk.push(b'\n');
    }
    let schema = inferred(&chunk);
    let Some(mut direct) = DirectDecoder::new(schema.clone(), 1 << 16) else {
        return;
    };
    let Some(got) = direct.decode(&chunk) else {
        return;
    };
    let want = arrow_json(schema, &chunk);
    match want {
        Ok(Some(want)) => assert_eq!(got, want, "the direct decoder and arrow-json differ"),
        Ok(None) => panic!("the direct decoder made {} rows of nothing", got.num_rows()),
        Err(e) => panic!(
            "the direct decoder took a chunk arrow-json rejects ({e}): {} rows",
            got.num_rows()
        ),
    }
}

/// The schema the reader infers from the lines of `chunk` that are JSON objects.
fn inferred(chunk: &[u8]) -> SchemaRef {
    let mut inference = Inference::default();
    for line in chunk.split(|&b| b == b'\n') {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(line) {
            // A conflicting record is left out of the schema, as under --on-error skip.
            let _ = inference.add(&map);
        }
    }
    inference.schema()
}

fn arrow_json(schema: SchemaRef, chunk: &[u8]) -> Result<Option<RecordBatch>, String> {
    let mut arrow = arrow::json::ReaderBuilder::new(schema)
        .with_strict_mode(true)
        .with_batch_size(1 << 16)
        .build_decoder()
        .map_err(|e| e.to_string())?;
    match arrow.decode(chunk) {
        Ok(n) if n == chunk.len() => arrow.flush().map_err(|e| e.to_string()),
        Ok(n) => Err(format!("stopped at byte {n}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Any bytes as an input file, format sniffed, read to the end. The first byte picks
/// the options (see [`options`]).
pub fn records(data: &[u8]) {
    read_all(data, None);
}

/// The bytes as CSV (the first byte picks the dialect and options).
pub fn csv(data: &[u8]) {
    read_all(data, Some(InputFormat::Csv));
}

/// The bytes as a JSON array of objects or objects spread over lines.
pub fn json_array(data: &[u8]) {
    read_all(data, Some(InputFormat::Json));
}

/// Reading options from one byte: bits 0-2 the format when not forced (sniffed, NDJSON,
/// CSV, TSV, JSON, else sniffed), bit 3 infer from one record (so later records widen
/// the schema), bit 4 one record per batch, bit 5 `--on-error skip`, bit 6 CSV without
/// a header, bit 7 `#` comments in CSV.
fn options(mode: u8, forced: Option<InputFormat>) -> ReadOptions {
    let format = forced.or(match mode & 7 {
        1 => Some(InputFormat::Ndjson),
        2 => Some(InputFormat::Csv),
        3 => Some(InputFormat::Tsv),
        4 => Some(InputFormat::Json),
        _ => None,
    });
    let mut opts = ReadOptions {
        format,
        infer_rows: if mode & 8 != 0 { 1 } else { 1000 },
        batch_size: if mode & 16 != 0 { 1 } else { 8192 },
        csv: CsvOptions {
            header: mode & 64 == 0,
            comment: (mode & 128 != 0).then_some(b'#'),
            ..CsvOptions::default()
        },
        ..ReadOptions::default()
    };
    if mode & 32 != 0 {
        opts.reporting.rejects = Rejects::with(&OnError::Skip, None);
    }
    opts
}

/// Reads `data` (after its option byte) to the end. An error must name the file; a
/// result is whatever the reader makes of it, as long as it does not panic.
fn read_all(data: &[u8], forced: Option<InputFormat>) {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let path = scratch_dir().join("input");
    std::fs::write(&path, body).expect("writing the fuzz input");
    let shown = path.display().to_string();
    let mut reader = match RecordReader::open(vec![Source::Path(path)], options(mode, forced)) {
        Ok(r) => r,
        Err(e) => return assert_names(&e, &shown),
    };
    loop {
        match reader.next_batch() {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => return assert_names(&e, &shown),
        }
    }
}
