//! Command results as records: the device and build tools (spictl, hidctl, wasm-build)
//! produce a handful of rows per command rather than a stream of input. Rows are built
//! either as Arrow columns or as serde values decoded against an explicit schema (so an
//! empty result and nested fields keep their types), and go out through one `LazySink`,
//! which opens on the first batch so an empty result is still valid, empty output.

use std::sync::Arc;

use arrow::array::{ArrayRef, TimestampNanosecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::json::ReaderBuilder;
use arrow::record_batch::RecordBatch;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;
use crate::record::{LazySink, SinkOptions};

pub fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

/// The `ts` column in the one time convention: Timestamp(ns, UTC).
pub fn ts_field() -> Field {
    Field::new("ts", timestamp_type(), false)
}

pub fn ts_array(values: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(values).with_timezone("UTC"))
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

pub fn uint64(name: &str) -> Field {
    Field::new(name, DataType::UInt64, false)
}

pub fn list_utf8(name: &str) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        false,
    )
}

/// A batch from columns already built.
pub fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::arrow("building records", e))
}

/// A batch from serde rows (structs or JSON values) matching `schema`.
pub fn serde_batch<T: Serialize>(schema: &SchemaRef, rows: &[T]) -> Result<RecordBatch> {
    let err = |e| Error::arrow("building records", e);
    let mut dec = ReaderBuilder::new(schema.clone())
        .build_decoder()
        .map_err(err)?;
    dec.serialize(rows).map_err(err)?;
    Ok(dec
        .flush()
        .map_err(err)?
        .unwrap_or_else(|| RecordBatch::new_empty(schema.clone())))
}

/// The record output of one command: rows of one schema, written as they come.
pub struct Records {
    schema: SchemaRef,
    sink: LazySink,
}

impl Records {
    /// `output`: the sink options, or what gives them (`cli::OutputArgs`).
    pub fn new(output: impl Into<SinkOptions>, schema: SchemaRef) -> Self {
        Self::with_options(output.into(), schema)
    }

    /// Like `new`, after checking the output options (e.g. Arrow to a terminal), so a
    /// bad `-o` fails before any device work.
    pub fn checked(output: impl Into<SinkOptions>, schema: SchemaRef) -> Result<Self> {
        let opts = output.into();
        opts.resolve()?;
        Ok(Self::with_options(opts, schema))
    }

    pub fn with_options(opts: SinkOptions, schema: SchemaRef) -> Self {
        Records {
            schema,
            sink: LazySink::new(opts),
        }
    }

    /// Checks the output options before any device work.
    pub fn check(output: impl Into<SinkOptions>) -> Result<()> {
        output.into().resolve().map(|_| ())
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.sink.write(batch)
    }

    pub fn write_rows<T: Serialize>(&mut self, rows: &[T]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let b = serde_batch(&self.schema, rows)?;
        self.sink.write(&b)
    }

    pub fn finish(self) -> Result<()> {
        self.sink.finish(Some(&self.schema))
    }
}

/// Writes one batch as the whole output.
pub fn write_all(output: impl Into<SinkOptions>, batch: &RecordBatch) -> Result<()> {
    let mut r = Records::new(output, batch.schema());
    r.write(batch)?;
    r.finish()
}

/// Writes serde rows as the whole output.
pub fn write_rows<T: Serialize>(
    output: impl Into<SinkOptions>,
    schema: SchemaRef,
    rows: &[T],
) -> Result<()> {
    let mut r = Records::checked(output, schema)?;
    r.write_rows(rows)?;
    r.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_rows_keep_the_schema_even_when_empty() {
        let s = schema(vec![utf8("name"), int_opt("n"), list_utf8("tags")]);
        let b = serde_batch(&s, &[json!({"name": "a", "n": null, "tags": ["x", "y"]})]).unwrap();
        assert_eq!(b.num_rows(), 1);
        assert_eq!(b.schema(), s);
        let empty = serde_batch::<serde_json::Value>(&s, &[]).unwrap();
        assert_eq!((empty.num_rows(), empty.schema()), (0, s));
    }

    #[test]
    fn a_row_that_does_not_fit_is_an_error() {
        let s = schema(vec![int("n")]);
        assert!(serde_batch(&s, &[json!({"n": "seven"})]).is_err());
    }
}
