//! `--union-by-name`: inputs whose schemas differ read as one table. Columns are matched
//! by name; a column missing from an input is null there; a column whose types differ is
//! widened to a type that holds both without loss, or the error names both inputs.

use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;

use super::schema::type_to_string;
use crate::error::{Error, Location, Result};

/// A type that holds every value of `a` and of `b`, if there is one.
pub fn widen(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType::*;
    if a == b {
        return Some(a.clone());
    }
    let int_bits = |t: &DataType| match t {
        Int8 => Some((true, 8)),
        Int16 => Some((true, 16)),
        Int32 => Some((true, 32)),
        Int64 => Some((true, 64)),
        UInt8 => Some((false, 8)),
        UInt16 => Some((false, 16)),
        UInt32 => Some((false, 32)),
        UInt64 => Some((false, 64)),
        _ => None,
    };
    let is_float = |t: &DataType| matches!(t, Float16 | Float32 | Float64);
    let is_text = |t: &DataType| matches!(t, Utf8 | LargeUtf8 | Utf8View);
    let is_bytes = |t: &DataType| matches!(t, Binary | LargeBinary | BinaryView);
    Some(match (a, b) {
        (Null, t) | (t, Null) => t.clone(),
        _ if int_bits(a).is_some() && int_bits(b).is_some() => {
            let (sa, ba) = int_bits(a)?;
            let (sb, bb) = int_bits(b)?;
            match (sa, sb) {
                (false, false) => UInt64,
                // A signed type holds an unsigned one only when it is wider.
                (true, false) if bb < 64 => Int64,
                (false, true) if ba < 64 => Int64,
                (true, true) => Int64,
                _ => return None,
            }
        }
        // Integers become floats as NDJSON inference widens them.
        _ if (is_float(a) || int_bits(a).is_some()) && (is_float(b) || int_bits(b).is_some()) => {
            Float64
        }
        _ if is_text(a) && is_text(b) => LargeUtf8,
        _ if is_bytes(a) && is_bytes(b) => LargeBinary,
        (Timestamp(_, za), Timestamp(_, zb)) if za == zb => {
            Timestamp(TimeUnit::Nanosecond, za.clone())
        }
        (Date32, Date64) | (Date64, Date32) => Date64,
        _ => return None,
    })
}

/// Merges `next` (the schema of input `name`) into `union`.
pub fn merge(union: &mut Vec<Field>, next: &Schema, name: &str, first: &str) -> Result<()> {
    for f in next.fields() {
        match union.iter_mut().find(|u| u.name() == f.name()) {
            Some(u) => {
                let t = widen(u.data_type(), f.data_type()).ok_or_else(|| {
                    Error::data(
                        Location {
                            field: Some(f.name().to_string()),
                            ..Location::of(name)
                        },
                        format!(
                            "--union-by-name: the column is {} here but {} in {first}, and no type holds both without loss",
                            type_to_string(f.data_type()),
                            type_to_string(u.data_type()),
                        ),
                    )
                    .with_hint(format!(
                        "cast it first (etl select 'CAST({} AS VARCHAR) AS {}, ...')",
                        f.name(),
                        f.name()
                    ))
                })?;
                *u = Field::new(u.name(), t, true);
            }
            None => union.push(Field::new(f.name(), f.data_type().clone(), true)),
        }
    }
    Ok(())
}

/// `batch` in the union schema: columns by name, cast where widened, null where missing.
pub fn conform(batch: &RecordBatch, union: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().fields() == union.fields() {
        return Ok(batch.clone());
    }
    let schema = batch.schema();
    let columns = union
        .fields()
        .iter()
        .map(|f| match schema.index_of(f.name()) {
            Ok(i) => {
                let col = batch.column(i);
                if col.data_type() == f.data_type() {
                    Ok(col.clone())
                } else {
                    arrow::compute::cast(col, f.data_type()).map_err(|e| {
                        Error::arrow(
                            format!("widening column '{}' for --union-by-name", f.name()),
                            e,
                        )
                    })
                }
            }
            Err(_) => Ok(new_null_array(f.data_type(), batch.num_rows())),
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    RecordBatch::try_new_with_options(
        union.clone(),
        columns,
        &arrow::record_batch::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .map_err(|e| Error::arrow("merging inputs by name", e))
}

/// The union schema as a `SchemaRef`.
pub fn to_schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;

    #[test]
    fn widens_losslessly_or_not_at_all() {
        use DataType::*;
        assert_eq!(widen(&Int32, &Int64), Some(Int64));
        assert_eq!(widen(&UInt32, &Int8), Some(Int64));
        assert_eq!(widen(&UInt64, &Int64), None);
        assert_eq!(widen(&Int64, &Float32), Some(Float64));
        assert_eq!(widen(&Utf8, &LargeUtf8), Some(LargeUtf8));
        assert_eq!(widen(&Null, &Boolean), Some(Boolean));
        assert_eq!(widen(&Utf8, &Int64), None);
    }

    #[test]
    fn missing_columns_are_null_and_types_widen() {
        let a = Schema::new(vec![Field::new("x", DataType::Int32, false)]);
        let b = Schema::new(vec![
            Field::new("x", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
        ]);
        let mut u = Vec::new();
        merge(&mut u, &a, "a", "a").unwrap();
        merge(&mut u, &b, "b", "a").unwrap();
        let union = to_schema(u);
        let batch = RecordBatch::try_new(Arc::new(a), vec![Arc::new(Int32Array::from(vec![1, 2]))])
            .unwrap();
        let out = conform(&batch, &union).unwrap();
        assert_eq!(out.schema(), union);
        assert_eq!(out.column(1).null_count(), 2);
        let bad = Schema::new(vec![Field::new("x", DataType::Utf8, true)]);
        let err = merge(
            &mut union.fields().iter().map(|f| f.as_ref().clone()).collect(),
            &bad,
            "c",
            "a",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("c, field 'x'") && err.contains("utf8 here but int64 in a"),
            "{err}"
        );
    }
}
