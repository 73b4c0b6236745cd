//! Record output for hidctl: rows are plain serde structs, turned into Arrow batches
//! against an explicit schema (so empty results and nested fields keep their types)
//! and written through the shared record layer.

use arrow::datatypes::{DataType, Field, Fields, SchemaRef};
use arrow::json::ReaderBuilder;
use arrow::record_batch::RecordBatch;
use serde::Serialize;

use crate::cli::OutputArgs;
use crate::error::{Error, Result};
use crate::record::LazySink;

pub fn batch<T: Serialize>(schema: &SchemaRef, rows: &[T]) -> Result<RecordBatch> {
    let mut dec = ReaderBuilder::new(schema.clone())
        .build_decoder()
        .map_err(|e| Error::arrow("building records", e))?;
    dec.serialize(rows)
        .map_err(|e| Error::arrow("building records", e))?;
    Ok(dec
        .flush()
        .map_err(|e| Error::arrow("building records", e))?
        .unwrap_or_else(|| RecordBatch::new_empty(schema.clone())))
}

/// A stream of rows of one schema.
pub struct Rows {
    schema: SchemaRef,
    sink: LazySink,
}

impl Rows {
    pub fn new(output: &OutputArgs, schema: SchemaRef) -> Result<Rows> {
        output.sink_options().resolve()?;
        Ok(Rows {
            schema,
            sink: LazySink::new(output.sink_options()),
        })
    }

    pub fn write<T: Serialize>(&mut self, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let b = batch(&self.schema, rows)?;
        self.sink.write(&b)
    }

    pub fn finish(self) -> Result<()> {
        self.sink.finish(Some(&self.schema))
    }
}

/// Writes all rows as the whole output.
pub fn write_all<T: Serialize>(output: &OutputArgs, schema: SchemaRef, rows: &[T]) -> Result<()> {
    let mut r = Rows::new(output, schema)?;
    r.write(rows)?;
    r.finish()
}

pub fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
pub fn utf8_opt(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
pub fn int(name: &str) -> Field {
    Field::new(name, DataType::Int64, false)
}
pub fn int_opt(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}
pub fn list_utf8(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(std::sync::Arc::new(Field::new(
            "item",
            DataType::Utf8,
            true,
        ))),
        false,
    )
}
/// `fields`: list<struct<usage: utf8, value: int64>>, the decoded report.
pub fn decoded_fields(name: &str) -> Field {
    let inner = Fields::from(vec![utf8("usage"), int("value")]);
    Field::new(
        name,
        DataType::List(std::sync::Arc::new(Field::new(
            "item",
            DataType::Struct(inner),
            true,
        ))),
        true,
    )
}
