//! `etl head`, `etl tail` and `etl flatten`: reshaping a record stream without looking
//! inside the values.

use std::collections::VecDeque;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StructArray};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use super::convert::stream;
use crate::cli::{InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::record::writer::open_sink;

/// The first `n` records; stops reading as soon as it has them.
pub fn head(input: &InputArgs, output: &OutputArgs, n: usize) -> Result<Outcome> {
    let mut left = n;
    let (_, sink) = stream(input, output, |batch| {
        if left == 0 {
            return Ok(None);
        }
        let take = left.min(batch.num_rows());
        left -= take;
        Ok(Some(batch.slice(0, take)))
    })?;
    sink.finish(None)?;
    Ok(Outcome::Complete)
}

/// The last `n` records: keeps only the batches that can still hold them.
pub fn tail(input: &InputArgs, output: &OutputArgs, n: usize) -> Result<Outcome> {
    let mut reader = input.open_reader()?;
    let mut kept: VecDeque<RecordBatch> = VecDeque::new();
    let mut rows = 0usize;
    while let Some(batch) = reader.next_batch()? {
        rows += batch.num_rows();
        kept.push_back(batch);
        while kept.front().is_some_and(|f| rows - f.num_rows() >= n) {
            rows -= kept.pop_front().map_or(0, |b| b.num_rows());
        }
    }
    let mut skip = rows.saturating_sub(n);
    let schema = kept.front().map_or_else(|| reader.schema(), |b| b.schema());
    let mut sink = open_sink(&output.sink_options(), &schema)?;
    for batch in kept {
        let from = skip.min(batch.num_rows());
        skip -= from;
        let part = batch.slice(from, batch.num_rows() - from);
        if part.num_rows() > 0 {
            sink.write(&part)?;
        }
    }
    sink.finish()?;
    Ok(Outcome::Complete)
}

/// Nested objects become dotted columns (`a.b.c`); lists stay as they are.
pub fn flatten(input: &InputArgs, output: &OutputArgs, separator: &str) -> Result<Outcome> {
    let (_, sink) = stream(input, output, |batch| {
        flatten_batch(&batch, separator).map(Some)
    })?;
    sink.finish(None)?;
    Ok(Outcome::Complete)
}

pub fn flatten_batch(batch: &RecordBatch, separator: &str) -> Result<RecordBatch> {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        push_flat(
            field.name(),
            field,
            column.clone(),
            None,
            separator,
            &mut fields,
            &mut columns,
        );
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = fields
        .iter()
        .find(|f: &&Field| !seen.insert(f.name().clone()))
    {
        return Err(Error::Usage(format!(
            "flattening makes two columns named '{}'; choose another --separator",
            dup.name()
        )));
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| Error::arrow("flattening", e))
}

/// A struct's children inherit its nulls: `{"a": null}` flattens to `a.b = null`.
fn push_flat(
    name: &str,
    field: &Field,
    column: ArrayRef,
    parent_nulls: Option<&NullBuffer>,
    sep: &str,
    fields: &mut Vec<Field>,
    columns: &mut Vec<ArrayRef>,
) {
    if let (DataType::Struct(children), Some(array)) = (
        field.data_type(),
        column.as_any().downcast_ref::<StructArray>(),
    ) {
        let nulls = NullBuffer::union(parent_nulls, array.nulls());
        for (child, child_col) in children.iter().zip(array.columns()) {
            let child_name = format!("{name}{sep}{}", child.name());
            push_flat(
                &child_name,
                child,
                child_col.clone(),
                nulls.as_ref(),
                sep,
                fields,
                columns,
            );
        }
        return;
    }
    let column = match parent_nulls {
        Some(n) if n.null_count() > 0 => {
            let merged = NullBuffer::union(Some(n), column.nulls());
            let data = column.to_data().into_builder().nulls(merged).build();
            match data {
                Ok(d) => arrow::array::make_array(d),
                Err(_) => column,
            }
        }
        _ => column,
    };
    fields.push(Field::new(name, field.data_type().clone(), true));
    columns.push(column);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ReadOptions, RecordReader, Source};

    #[test]
    fn flattens_nested_objects_with_parent_nulls() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("n.ndjson");
        std::fs::write(
            &p,
            "{\"a\":{\"b\":1,\"c\":{\"d\":\"x\"}},\"l\":[1]}\n{\"a\":null}\n",
        )
        .unwrap();
        let reader = RecordReader::open(vec![Source::Path(p)], ReadOptions::default()).unwrap();
        let batch = reader.map(|b| b.unwrap()).next().unwrap();
        let flat = flatten_batch(&batch, ".").unwrap();
        let names: Vec<&str> = flat
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["a.b", "a.c.d", "l"]);
        assert!(flat.column(0).is_valid(0) && flat.column(0).is_null(1));
        assert!(flat.column(1).is_null(1));
    }
}
