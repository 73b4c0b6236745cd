//! Small helpers to turn spictl's results into Arrow batches for the shared record
//! writer: the `ts` column in the one time convention, and a sink that opens on the
//! first batch (so an empty result still produces valid, empty output).

use std::sync::Arc;

use arrow::array::{ArrayRef, TimestampNanosecondArray};
use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use crate::cli::OutputArgs;
use crate::error::{Error, Result};
use crate::record::schema::timestamp_type;
use crate::record::{LazySink, SinkOptions};

pub fn ts_field() -> Field {
    Field::new("ts", timestamp_type(), false)
}

pub fn ts_array(values: Vec<i64>) -> ArrayRef {
    Arc::new(TimestampNanosecondArray::from(values).with_timezone("UTC"))
}

pub fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>) -> Result<RecordBatch> {
    RecordBatch::try_new(schema.clone(), columns).map_err(|e| Error::arrow("building records", e))
}

/// Record output for one command.
pub struct Records {
    schema: SchemaRef,
    sink: LazySink,
}

impl Records {
    pub fn new(output: &OutputArgs, schema: SchemaRef) -> Self {
        Self::with_options(output.sink_options(), schema)
    }

    pub fn with_options(opts: SinkOptions, schema: SchemaRef) -> Self {
        Records {
            schema,
            sink: LazySink::new(opts),
        }
    }

    /// Checks the output options (e.g. binary to a terminal) before any device work.
    pub fn check(output: &OutputArgs) -> Result<()> {
        output.sink_options().resolve().map(|_| ())
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.sink.write(batch)
    }

    pub fn finish(self) -> Result<()> {
        self.sink.finish(Some(&self.schema))
    }
}

/// Writes one batch as the whole output.
pub fn write_all(output: &OutputArgs, batch: &RecordBatch) -> Result<()> {
    let mut r = Records::new(output, batch.schema());
    r.write(batch)?;
    r.finish()
}

pub fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}
