//! Batches between the record layer's arrow (60) and DataFusion's (59).
//!
//! DataFusion 55, the newest release, is built on arrow 59, while the record layer needs
//! arrow 60 (its JSON decoder hooks keep integers exact). The two versions' types are
//! distinct Rust types over the same memory layout, so arrays cross through the Arrow C
//! data interface: zero-copy, the buffers stay where they are and are released by
//! whichever side drops them last. Everything DataFusion sees or returns goes through
//! here; nothing else in pipekit names arrow 59.

use std::sync::Arc;

use arrow::array::{make_array, ArrayRef};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::ffi::{FFI_ArrowArray, FFI_ArrowSchema};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::arrow as df;

use crate::error::{Error, Result};

fn df_err(what: &str, e: df::error::ArrowError) -> Error {
    Error::sql(
        what.to_string(),
        datafusion::error::DataFusionError::from(e),
    )
}

fn err(what: &str, e: arrow::error::ArrowError) -> Error {
    Error::arrow(what.to_string(), e)
}

// SAFETY (all transmutes below): `FFI_ArrowArray` and `FFI_ArrowSchema` are the C data
// interface's `struct ArrowArray` / `struct ArrowSchema`, `#[repr(C)]` with the same
// fields in every arrow-rs version; moving one by value hands over its release callback.
fn schema_ffi_to_df(s: FFI_ArrowSchema) -> df::ffi::FFI_ArrowSchema {
    unsafe { std::mem::transmute::<FFI_ArrowSchema, df::ffi::FFI_ArrowSchema>(s) }
}

fn schema_ffi_from_df(s: df::ffi::FFI_ArrowSchema) -> FFI_ArrowSchema {
    unsafe { std::mem::transmute::<df::ffi::FFI_ArrowSchema, FFI_ArrowSchema>(s) }
}

pub fn schema_to_df(schema: &Schema) -> Result<df::datatypes::SchemaRef> {
    let ffi = FFI_ArrowSchema::try_from(schema).map_err(|e| err("exporting a schema", e))?;
    let s = df::datatypes::Schema::try_from(&schema_ffi_to_df(ffi))
        .map_err(|e| df_err("importing a schema", e))?;
    Ok(Arc::new(s))
}

pub fn schema_from_df(schema: &df::datatypes::Schema) -> Result<SchemaRef> {
    let ffi =
        df::ffi::FFI_ArrowSchema::try_from(schema).map_err(|e| df_err("exporting a schema", e))?;
    let s = Schema::try_from(&schema_ffi_from_df(ffi)).map_err(|e| err("importing a schema", e))?;
    Ok(Arc::new(s))
}

pub fn array_to_df(array: &ArrayRef) -> Result<df::array::ArrayRef> {
    let (a, s) = arrow::ffi::to_ffi(&array.to_data()).map_err(|e| err("exporting a column", e))?;
    let a = unsafe { std::mem::transmute::<FFI_ArrowArray, df::ffi::FFI_ArrowArray>(a) };
    let s = schema_ffi_to_df(s);
    // SAFETY: `a` and `s` were just exported by arrow's own `to_ffi`.
    let data = unsafe { df::ffi::from_ffi(a, &s) }.map_err(|e| df_err("importing a column", e))?;
    Ok(df::array::make_array(data))
}

pub fn array_from_df(array: &df::array::ArrayRef) -> Result<ArrayRef> {
    let (a, s) = df::ffi::to_ffi(&array.to_data()).map_err(|e| df_err("exporting a column", e))?;
    let a = unsafe { std::mem::transmute::<df::ffi::FFI_ArrowArray, FFI_ArrowArray>(a) };
    let s = schema_ffi_from_df(s);
    // SAFETY: `a` and `s` were just exported by DataFusion's arrow's `to_ffi`.
    let data = unsafe { arrow::ffi::from_ffi(a, &s) }.map_err(|e| err("importing a column", e))?;
    Ok(make_array(data))
}

/// A batch for DataFusion, against `schema` (already converted, so a stream converts its
/// schema once).
pub fn batch_to_df(
    batch: &RecordBatch,
    schema: &df::datatypes::SchemaRef,
) -> Result<df::record_batch::RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(array_to_df)
        .collect::<Result<Vec<_>>>()?;
    let opts = df::record_batch::RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    df::record_batch::RecordBatch::try_new_with_options(schema.clone(), columns, &opts)
        .map_err(|e| df_err("handing a batch to the query engine", e))
}

/// A batch from DataFusion, against `schema` (from `schema_from_df`).
pub fn batch_from_df(
    batch: &df::record_batch::RecordBatch,
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(array_from_df)
        .collect::<Result<Vec<_>>>()?;
    let opts = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(schema.clone(), columns, &opts)
        .map_err(|e| err("taking a batch from the query engine", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, ListArray, StringArray, StructArray, TimestampNanosecondArray};
    use arrow::datatypes::{DataType, Field, Int64Type};

    #[test]
    fn batches_cross_both_ways_unchanged() {
        let ts = TimestampNanosecondArray::from(vec![Some(1), None]).with_timezone("UTC");
        let list = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![
            Some(vec![Some(1), None]),
            None,
        ]);
        let inner = StructArray::from(vec![(
            Arc::new(Field::new("k", DataType::Utf8, true)),
            Arc::new(StringArray::from(vec![Some("é\"x"), None])) as ArrayRef,
        )]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![Some(i64::MAX), None])),
            Arc::new(ts),
            Arc::new(list),
            Arc::new(inner),
        ];
        let fields: Vec<Field> = ["n", "ts", "l", "s"]
            .iter()
            .zip(&columns)
            .map(|(n, c)| Field::new(*n, c.data_type().clone(), true))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
        let df_schema = schema_to_df(&schema).unwrap();
        let there = batch_to_df(&batch, &df_schema).unwrap();
        assert_eq!(there.num_rows(), 2);
        let back_schema = schema_from_df(&there.schema()).unwrap();
        assert_eq!(back_schema, schema);
        assert_eq!(batch_from_df(&there, &back_schema).unwrap(), batch);
    }

    #[test]
    fn rows_without_columns_keep_their_count() {
        let schema = Arc::new(Schema::empty());
        let opts = RecordBatchOptions::new().with_row_count(Some(3));
        let batch = RecordBatch::try_new_with_options(schema.clone(), vec![], &opts).unwrap();
        let there = batch_to_df(&batch, &schema_to_df(&schema).unwrap()).unwrap();
        assert_eq!(there.num_rows(), 3);
    }
}
