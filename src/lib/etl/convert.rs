//! `etl convert`, `etl schema` and `etl count`: the record layer end to end.

use std::io::Write;
use std::sync::Arc;

use arrow::array::UInt64Array;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use crate::cli::{progress, InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::schema::schema_to_json;
use crate::record::writer::open_sink;
use crate::record::{LazySink, RecordReader};

/// Streams the input through `transform` into the output, with a progress bar on a
/// terminal, and stops reading as soon as `transform` returns `None`. Hands back the
/// reader and the unfinished sink: the caller decides what an input without records writes.
pub(crate) fn stream(
    input: &InputArgs,
    output: &OutputArgs,
    mut transform: impl FnMut(RecordBatch) -> Result<Option<RecordBatch>>,
) -> Result<(RecordReader, LazySink)> {
    let mut reader = input.open_reader()?;
    let (counter, total) = reader.progress();
    let bar = progress::bytes(total);
    let mut sink = LazySink::new(output.sink_options());
    while let Some(batch) = reader.next_batch()? {
        let Some(out) = transform(batch)? else { break };
        sink.write(&out)?;
        progress::sync(&bar, &counter);
    }
    bar.finish_and_clear();
    Ok((reader, sink))
}

/// Streams every batch of the input into the output.
pub fn convert(input: &InputArgs, output: &OutputArgs) -> Result<Outcome> {
    let (reader, sink) = stream(input, output, |batch| Ok(Some(batch)))?;
    // Empty input still makes a valid (empty) output file.
    sink.finish(Some(&reader.schema()))?;
    Ok(Outcome::Complete)
}

/// Prints the schema as JSON: the form `--schema FILE` reads back.
pub fn schema(input: &InputArgs) -> Result<Outcome> {
    let reader = input.open_reader()?;
    let doc = schema_to_json(&reader.schema());
    let text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")
        .and_then(|_| out.flush())
        .map_err(|e| Error::io("writing stdout", e))?;
    Ok(Outcome::Complete)
}

/// Counts the records and writes one record `{"count": N}`.
pub fn count(input: &InputArgs, output: &OutputArgs) -> Result<Outcome> {
    let mut reader = input.open_reader()?;
    let (counter, total) = reader.progress();
    let bar = progress::bytes(total);
    let mut n = 0u64;
    while let Some(batch) = reader.next_batch()? {
        n += batch.num_rows() as u64;
        progress::sync(&bar, &counter);
    }
    bar.finish_and_clear();
    let schema = Arc::new(Schema::new(vec![Field::new(
        "count",
        DataType::UInt64,
        false,
    )]));
    let batch = RecordBatch::try_new(schema.clone(), vec![Arc::new(UInt64Array::from(vec![n]))])
        .map_err(|e| Error::arrow("building the count record", e))?;
    let mut sink = open_sink(&output.sink_options(), &schema)?;
    sink.write(&batch)?;
    sink.finish()?;
    Ok(Outcome::Complete)
}
