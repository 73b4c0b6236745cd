//! `vidx scan`: every current record of an index given back (id, metadata and, asked
//! for, the vector as stored), in id or insertion order, filtered and paged. Its output
//! read by `vidx add` rebuilds an equal index: the path for backups in an open format,
//! migrations and re-embedding.

use std::sync::Arc;

use arrow::array::{ArrayRef, FixedSizeListArray, Float32Array, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;

use super::records::{meta_batch_as, meta_map};
use super::store::{Index, Loc};
use super::{ScanArgs, ScanOrder};
use crate::cli::Outcome;
use crate::error::{Error, Location, Result};
use crate::record::infer::Inference;
use crate::record::LazySink;

/// Records per output batch.
const BATCH: usize = 8192;

/// An id's place in id order: integers (`vidx add` stores an integer id in decimal) by
/// value first, then every other id byte-wise. Two spellings of one number ("7",
/// "007") fall back to their bytes, so the order is total.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct IdKey<'a> {
    text_only: bool,
    int: i128,
    text: &'a str,
}

fn id_key(id: &str) -> IdKey<'_> {
    match id.parse::<i128>() {
        Ok(int) => IdKey {
            text_only: false,
            int,
            text: id,
        },
        Err(_) => IdKey {
            text_only: true,
            int: 0,
            text: id,
        },
    }
}

/// The records a scan returns, in its order, after --filter, --after and --limit.
fn select(idx: &mut Index, a: &ScanArgs) -> Result<Vec<Loc>> {
    let mut locs = idx.current();
    if let Some(sql) = &a.filter {
        let admitted = super::filter::evaluate(idx, sql)?;
        locs.retain(|&l| admitted.admits(l));
    }
    match a.order {
        ScanOrder::Id => locs.sort_by_cached_key(|&l| id_key(idx.id_of(l))),
        ScanOrder::Insertion => locs.sort_by_cached_key(|&l| idx.seq_of(l)),
    }
    if let Some(after) = &a.after {
        let start = match a.order {
            ScanOrder::Id => {
                let key = id_key(after);
                locs.partition_point(|&l| id_key(idx.id_of(l)) <= key)
            }
            ScanOrder::Insertion => {
                let Some(at) = idx.find(after) else {
                    return Err(Error::Usage(format!(
                        "--after '{after}': {} holds no such id; in insertion order a page starts after an id the index holds (in id order any id will do)",
                        a.dir.display()
                    )));
                };
                let seq = idx.seq_of(at);
                locs.partition_point(|&l| idx.seq_of(l) <= seq)
            }
        };
        locs.drain(..start);
    }
    if let Some(n) = a.limit {
        locs.truncate(n);
    }
    Ok(locs)
}

/// One schema for every batch: the metadata's columns are inferred from all the
/// records the scan returns (Arrow and Parquet files have one schema), each field
/// typed as the index declares it where the records allow (`types::apply`).
fn schema(idx: &Index, locs: &[Loc], a: &ScanArgs) -> Result<(SchemaRef, SchemaRef)> {
    let mut inference = Inference::default();
    for &l in locs {
        inference.add(&meta_map(idx.meta_of(l))).map_err(|c| {
            Error::data(
                Location {
                    field: Some(c.field.clone()),
                    ..Location::of(a.dir.display().to_string())
                },
                format!(
                    "the metadata field holds {} in some records and {} in others (record '{}'), and no column type holds both",
                    c.was,
                    c.now,
                    idx.id_of(l)
                ),
            )
            .with_hint("scan the two kinds apart with --filter, or re-add the field as text")
        })?;
    }
    let meta = inference.schema();
    let meta = super::types::apply(&meta, &idx.meta_types()).unwrap_or(meta);
    let mut fields: Vec<FieldRef> = vec![Arc::new(Field::new(&a.id_field, DataType::Utf8, false))];
    if a.vectors {
        fields.push(Arc::new(Field::new(
            &a.vector_field,
            vector_type(idx.config().dim),
            false,
        )));
    }
    for f in meta.fields() {
        if fields.iter().any(|g| g.name() == f.name()) {
            let which = if *f.name() == a.id_field {
                "id"
            } else {
                "vector"
            };
            return Err(Error::Usage(format!(
                "the records have a metadata field '{}', the name of the output's {which} field; name that one otherwise with --{which} FIELD",
                f.name(),
            )));
        }
        fields.push(f.clone());
    }
    Ok((Arc::new(Schema::new(fields)), meta))
}

/// Vectors as fixed-size lists of f32: the stored values, bit for bit.
fn vector_type(dim: usize) -> DataType {
    DataType::FixedSizeList(
        Arc::new(Field::new("item", DataType::Float32, false)),
        dim as i32,
    )
}

pub fn run(a: &ScanArgs) -> Result<Outcome> {
    let opts = a.output.sink_options();
    opts.resolve()?;
    let mut idx = Index::open_read(&a.dir)?;
    let locs = select(&mut idx, a)?;
    let (schema, meta) = schema(&idx, &locs, a)?;
    let dim = idx.config().dim;
    let mut sink = LazySink::new(opts);
    for chunk in locs.chunks(BATCH) {
        let ids = StringArray::from_iter_values(chunk.iter().map(|&l| idx.id_of(l)));
        let mut columns: Vec<ArrayRef> = vec![Arc::new(ids)];
        if a.vectors {
            let mut values = Vec::with_capacity(chunk.len() * dim);
            for &l in chunk {
                values.extend_from_slice(idx.vector_of(l));
            }
            let item = Arc::new(Field::new("item", DataType::Float32, false));
            let list = FixedSizeListArray::try_new(
                item,
                dim as i32,
                Arc::new(Float32Array::from(values)),
                None,
            )
            .map_err(|e| Error::arrow("building the vector column", e))?;
            columns.push(Arc::new(list));
        }
        if !meta.fields().is_empty() {
            let batch = meta_batch_as(chunk.iter().map(|&l| idx.meta_of(l)), &meta)?;
            columns.extend(batch.columns().iter().cloned());
        }
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| Error::arrow("building scanned records", e))?;
        sink.write(&batch)?;
    }
    sink.finish(Some(&schema))?;
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ids_sort_by_value_before_text_ids() {
        let mut ids = vec!["b", "10", "a", "9", "-3", "007", "7", "x1"];
        ids.sort_by_key(|s| id_key(s));
        assert_eq!(ids, ["-3", "007", "7", "9", "10", "a", "b", "x1"]);
    }
}
