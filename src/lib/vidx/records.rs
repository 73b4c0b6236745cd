//! Between records and the store: pulling id, vector and metadata out of input batches
//! (with the checks that keep bad input out of the index), and turning results back
//! into record batches for the shared writers.

use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType, Field, Float32Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use serde_json::{Map, Value};

use super::distance::Space;
use super::types::Resolved;
use crate::error::{Error, Location, Result};
use crate::record::ndjson::{NdjsonOptions, NdjsonSource, SchemaState};
use crate::record::schema::type_to_string;
use crate::record::text::{TS_NAIVE_FORMAT, TS_UTC_FORMAT};

/// One input record, checked and ready for the store.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    /// Prepared for the metric (normalised for cosine).
    pub vector: Vec<f32>,
    /// The other fields as one JSON object.
    pub meta: String,
}

/// What to take from each record.
pub struct Fields<'a> {
    pub id: &'a str,
    pub vector: &'a str,
    /// Records without the id field are numbered instead of rejected (queries).
    pub id_optional: bool,
    /// Collect the remaining fields as metadata (add) or not (search).
    pub meta: bool,
}

/// Where records come from, to name them in errors.
pub struct Origin<'a> {
    pub source: &'a str,
    /// 1-based number of the batch's first record in the whole input.
    pub first: u64,
}

impl Origin<'_> {
    fn at(&self, row: usize, id: Option<&str>, field: &str, msg: String) -> Error {
        let which = match id {
            Some(id) => format!("record {} (id '{id}')", self.first + row as u64),
            None => format!("record {}", self.first + row as u64),
        };
        Error::data(
            Location {
                source: self.source.to_string(),
                field: Some(field.to_string()),
                ..Default::default()
            },
            format!("{which}: {msg}"),
        )
    }

    fn null_id(&self, row: usize, field: &str) -> Error {
        self.at(row, None, field, "the id is missing (null)".into())
    }
}

/// The id column of `batch` as strings. Without the field: `None` for every record if
/// the id is `optional` (queries are numbered instead), else an error naming it.
fn ids_of(
    batch: &RecordBatch,
    id: &str,
    optional: bool,
    origin: &Origin,
) -> Result<Vec<Option<String>>> {
    match batch.schema().index_of(id) {
        Ok(i) => id_strings(batch.column(i), id, origin),
        Err(_) if optional => Ok(vec![None; batch.num_rows()]),
        Err(_) => Err(origin.at(
            0,
            None,
            id,
            format!("no '{id}' field; name the id field with --id FIELD"),
        )),
    }
}

/// Extracts and checks every record of a batch. The first bad record fails the whole
/// batch, so nothing of it reaches the log.
pub fn extract(
    batch: &RecordBatch,
    f: &Fields,
    dim: usize,
    space: &Space,
    origin: &Origin,
) -> Result<Vec<Row>> {
    let n = batch.num_rows();
    let schema = batch.schema();
    let ids = ids_of(batch, f.id, f.id_optional, origin)?;
    let vi = schema.index_of(f.vector).map_err(|_| {
        origin.at(
            0,
            ids[0].as_deref(),
            f.vector,
            format!(
                "no '{}' field; name the vector field with --vector FIELD",
                f.vector
            ),
        )
    })?;
    let col = batch.column(vi);
    let inner = match col.data_type() {
        DataType::List(e)
        | DataType::LargeList(e)
        | DataType::FixedSizeList(e, _)
        | DataType::ListView(e)
        | DataType::LargeListView(e) => Some(e.data_type().clone()),
        _ => None,
    };
    let numeric = inner
        .as_ref()
        .is_some_and(|t| t.is_numeric() || *t == DataType::Null);
    if !numeric {
        return Err(origin.at(
            0,
            ids[0].as_deref(),
            f.vector,
            format!(
                "the vector must be a list of numbers, found {}",
                type_to_string(col.data_type())
            ),
        ));
    }
    let target = DataType::List(Arc::new(Field::new("item", DataType::Float32, true)));
    let cast = arrow::compute::cast(col, &target).map_err(|e| {
        Error::arrow(
            format!("{}: converting field '{}'", origin.source, f.vector),
            e,
        )
    })?;
    let list = cast.as_list::<i32>();
    let values = list.values().as_primitive::<Float32Type>();
    let offsets = list.value_offsets();
    let metas = if f.meta {
        meta_lines(batch, &[f.id, f.vector])?
    } else {
        vec![String::new(); n]
    };
    let mut rows = Vec::with_capacity(n);
    for (r, (id, meta)) in ids.into_iter().zip(metas).enumerate() {
        let id = match id {
            Some(id) => id,
            None if f.id_optional => (origin.first + r as u64).to_string(),
            None => return Err(origin.null_id(r, f.id)),
        };
        if list.is_null(r) {
            return Err(origin.at(
                r,
                Some(&id),
                f.vector,
                "the vector is missing (null)".into(),
            ));
        }
        let (a, b) = (offsets[r] as usize, offsets[r + 1] as usize);
        if b - a != dim {
            return Err(origin.at(
                r,
                Some(&id),
                f.vector,
                format!(
                    "the vector has {} values, the index has dimension {dim}",
                    b - a
                ),
            ));
        }
        let mut v = Vec::with_capacity(dim);
        for j in a..b {
            if values.is_null(j) {
                return Err(origin.at(
                    r,
                    Some(&id),
                    f.vector,
                    format!("value {} of the vector is null", j - a),
                ));
            }
            let x = values.value(j);
            if !x.is_finite() {
                return Err(origin.at(
                    r,
                    Some(&id),
                    f.vector,
                    format!("value {} of the vector is {x} (NaN and infinities cannot be indexed; also check for numbers beyond the f32 range)", j - a),
                ));
            }
            v.push(x);
        }
        if space.prepare(&mut v).is_none() {
            return Err(origin.at(
                r,
                Some(&id),
                f.vector,
                "the vector is all zeros, which has no direction for the cosine metric".into(),
            ));
        }
        rows.push(Row {
            id,
            vector: v,
            meta,
        });
    }
    Ok(rows)
}

/// Each record's id and its other fields as one JSON object (`vidx update`: metadata
/// only). A record without an id, or a batch carrying `vector` (a field update does
/// not change), is an error naming it.
pub fn extract_meta(
    batch: &RecordBatch,
    id: &str,
    vector: &str,
    origin: &Origin,
) -> Result<Vec<(String, String)>> {
    let ids = ids_of(batch, id, false, origin)?;
    if batch.schema().index_of(vector).is_ok() {
        return Err(Error::Usage(format!(
            "{}: the records have a '{vector}' field; update changes metadata only (use vidx add to replace records with their vectors)",
            origin.source
        )));
    }
    let metas = meta_lines(batch, &[id])?;
    ids.into_iter()
        .zip(metas)
        .enumerate()
        .map(|(r, (i, m))| match i {
            Some(i) => Ok((i, m)),
            None => Err(origin.null_id(r, id)),
        })
        .collect()
}

/// The id column as strings (strings as they are, integers in decimal).
pub fn id_strings(col: &dyn Array, name: &str, origin: &Origin) -> Result<Vec<Option<String>>> {
    let ok = matches!(
        col.data_type(),
        DataType::Utf8
            | DataType::LargeUtf8
            | DataType::Utf8View
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Null
    );
    if !ok {
        return Err(origin.at(
            0,
            None,
            name,
            format!(
                "the id must be a string or an integer, found {}",
                type_to_string(col.data_type())
            ),
        ));
    }
    let s = arrow::compute::cast(col, &DataType::Utf8)
        .map_err(|e| Error::arrow(format!("{}: converting field '{name}'", origin.source), e))?;
    let s = s.as_string::<i32>();
    Ok((0..s.len())
        .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
        .collect())
}

/// Each row's fields other than `skip`, as one JSON object per row, written with the
/// record layer's conventions (RFC 3339 timestamps, hex binary, nulls left out).
fn meta_lines(batch: &RecordBatch, skip: &[&str]) -> Result<Vec<String>> {
    let schema = batch.schema();
    let keep: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| !skip.contains(&schema.field(i).name().as_str()))
        .collect();
    if keep.is_empty() {
        return Ok(vec!["{}".to_string(); batch.num_rows()]);
    }
    let meta = batch
        .project(&keep)
        .map_err(|e| Error::arrow("selecting metadata fields", e))?;
    let mut w = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(false)
        .with_timestamp_tz_format(TS_UTC_FORMAT.to_string())
        .with_timestamp_format(TS_NAIVE_FORMAT.to_string())
        .build::<_, arrow::json::writer::LineDelimited>(Vec::new());
    w.write(&meta)
        .map_err(|e| Error::arrow("encoding metadata", e))?;
    w.finish()
        .map_err(|e| Error::arrow("encoding metadata", e))?;
    let bytes = w.into_inner();
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::Internal("metadata is not valid UTF-8".into()))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.len() != batch.num_rows() {
        return Err(Error::Internal(format!(
            "metadata encoding produced {} lines for {} records",
            lines.len(),
            batch.num_rows()
        )));
    }
    Ok(lines)
}

/// Result rows (JSON objects) → one record batch, through the record layer's NDJSON
/// decoder so types are inferred exactly as for any other input (and metadata fields
/// typed as `declared`, see [`decode_meta`]).
pub fn to_batch(rows: &[Map<String, Value>], declared: &Resolved) -> Result<Option<RecordBatch>> {
    if rows.is_empty() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    for r in rows {
        serde_json::to_writer(&mut bytes, r).expect("JSON values serialise");
        bytes.push(b'\n');
    }
    decode_meta(bytes, rows.len(), declared)
}

/// Stored metadata (NDJSON lines) as one batch: each field with its declared type
/// where the index has one and the rows' JSON is how values of that type are stored
/// (`types::apply`), the rest as inferred. Rows whose values the declared types do not
/// hold after all (out of an int32's range, say) are given as inferred.
pub fn decode_meta(
    bytes: Vec<u8>,
    lines: usize,
    declared: &Resolved,
) -> Result<Option<RecordBatch>> {
    if declared.is_empty() {
        return decode_ndjson(bytes, lines);
    }
    let Some(inferred) = decode_ndjson(bytes.clone(), lines)? else {
        return Ok(None);
    };
    let Some(schema) = super::types::apply(&inferred.schema(), declared) else {
        return Ok(Some(inferred));
    };
    match decode_ndjson_as(bytes, lines, Some(SchemaState::Given(schema))) {
        Ok(Some(typed)) if typed.num_rows() == inferred.num_rows() => Ok(Some(typed)),
        _ => Ok(Some(inferred)),
    }
}

/// Decodes NDJSON held in memory (e.g. stored metadata) into one batch, inferring the
/// schema from every line.
pub fn decode_ndjson(bytes: Vec<u8>, lines: usize) -> Result<Option<RecordBatch>> {
    decode_ndjson_as(bytes, lines, None)
}

/// Stored metadata objects (an empty string is no metadata) as one batch in `schema`,
/// which was inferred from them (see `vidx scan`): every batch of a scan has the same
/// columns, as Arrow and Parquet output need.
pub fn meta_batch_as<'a>(
    metas: impl Iterator<Item = &'a str>,
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    let (bytes, n) = meta_ndjson(metas);
    let batch = decode_ndjson_as(bytes, n, Some(SchemaState::Given(schema.clone())))?;
    batch.ok_or_else(|| Error::Internal("stored metadata decoded to no records".into()))
}

/// Stored metadata objects as NDJSON lines (an empty string, no metadata, as `{}`), and
/// how many lines.
pub fn meta_ndjson<S: AsRef<str>>(metas: impl Iterator<Item = S>) -> (Vec<u8>, usize) {
    let mut bytes = Vec::new();
    let mut n = 0;
    for m in metas {
        let m = m.as_ref();
        bytes.extend_from_slice(if m.is_empty() { b"{}" } else { m.as_bytes() });
        bytes.push(b'\n');
        n += 1;
    }
    (bytes, n)
}

fn decode_ndjson_as(
    bytes: Vec<u8>,
    lines: usize,
    schema: Option<SchemaState>,
) -> Result<Option<RecordBatch>> {
    // The bytes are all there: they are the source's first read, with nothing after.
    let mut src = NdjsonSource::new(
        Box::new(std::io::empty()),
        bytes,
        None,
        "vidx results".into(),
        schema,
        NdjsonOptions {
            batch_size: lines.max(1),
            infer_rows: lines.max(1),
            sequential: true,
            ..Default::default()
        },
    )?;
    let mut batches = Vec::new();
    while let Some(b) = src.next_batch()? {
        batches.push(b);
    }
    match batches.len() {
        0 => Ok(None),
        1 => Ok(batches.pop()),
        _ => {
            let schema = batches.last().unwrap().schema();
            arrow::compute::concat_batches(&schema, &batches)
                .map(Some)
                .map_err(|e| Error::arrow("joining result batches", e))
        }
    }
}

/// Parses a stored metadata object (an empty string is no metadata).
pub fn meta_map(text: &str) -> Map<String, Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}
