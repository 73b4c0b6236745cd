//! wasm-build's records (build reports, audit rows, diffs) go out through the shared
//! record writers: rows are built as JSON values and decoded into one Arrow batch with a
//! fixed schema, so every output format (-o ndjson|table|csv|arrow) works the same way.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use serde_json::Value;

use crate::cli::OutputArgs;
use crate::error::{Error, Result};
use crate::record::LazySink;

pub fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}

pub fn utf8_null(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

pub fn uint64(name: &str) -> Field {
    Field::new(name, DataType::UInt64, false)
}

pub fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, false)
}

pub fn utf8_list(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

pub fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

/// Writes `rows` (JSON objects matching `schema`) as the command's whole output.
pub fn write(output: &OutputArgs, schema: &SchemaRef, rows: &[Value]) -> Result<()> {
    output.sink_options().resolve()?;
    let mut sink = LazySink::new(output.sink_options());
    if !rows.is_empty() {
        let mut decoder = arrow::json::ReaderBuilder::new(schema.clone())
            .build_decoder()
            .map_err(|e| Error::arrow("building records", e))?;
        decoder
            .serialize(rows)
            .map_err(|e| Error::arrow("building records", e))?;
        if let Some(batch) = decoder
            .flush()
            .map_err(|e| Error::arrow("building records", e))?
        {
            sink.write(&batch)?;
        }
    }
    sink.finish(Some(schema))
}
