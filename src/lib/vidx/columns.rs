//! A segment's metadata as typed columns, and the per-field row orders that answer a
//! filter without evaluating it on every row.
//!
//! Each record's metadata stays in the segment as the JSON object it came with (what
//! `get`, `scan` and search hits return, byte for byte). Since segment format 3 it is
//! also kept as Arrow columns over the segment's vector rows, typed the way the record
//! layer infers NDJSON (integers, floats, booleans, strings, RFC 3339 timestamps,
//! nested lists and structs), one Arrow IPC stream per field. A `--filter` decodes only
//! the fields it names and is evaluated on them, so a search, scan or delete no longer
//! decodes every row's JSON first.
//!
//! For each of the index's `--index-field`s, the segment also keeps its rows sorted by
//! that field (nulls last). A comparison of an indexed field with a constant (`=`,
//! `<>`, `<`, `<=`, `>`, `>=`, `IN`, `BETWEEN`, `IS [NOT] NULL`), and ANDs and ORs of
//! them, is answered by binary search in that order; what the index cannot answer is
//! evaluated only on the rows it leaves. A segment none of whose values is in the range
//! is answered by the binary search alone, without a row read.

use std::collections::HashSet;
use std::io::Cursor;
use std::ops::Range;
use std::sync::Arc;

use arrow::array::{make_comparator, Array, ArrayRef, BooleanArray, UInt32Array};
use arrow::compute::{sort_to_indices, take_record_batch, SortOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::Operator;
use datafusion::physical_expr::expressions::{
    BinaryExpr, Column, InListExpr, IsNotNullExpr, IsNullExpr, Literal,
};
use datafusion::physical_expr::PhysicalExpr;

use super::bitset::Bitset;
use super::records::{decode_meta, meta_ndjson};
use super::types::Resolved;
use crate::error::{Error, Result};
use crate::expr::Predicate;
use crate::record::ipc::CheckedStream;

/// Types `metas` (one JSON object per vector row) into columns, orders the rows by
/// each of `index_fields` the rows have, and lays them out as a segment's columns
/// section: a `u32` count of fields, one `u64` end offset per field (from the end of
/// this directory), then per field an Arrow IPC stream of one batch whose first column
/// is the field's values and whose second, for an indexed field, is the order of the
/// rows by it (nulls last). One stream per field, so a filter decodes only the fields
/// it names. Empty when the rows have no metadata field. A field whose type has no
/// order (a list or a struct) gets no index.
pub fn encode(metas: &[&str], index_fields: &[String], declared: &Resolved) -> Result<Vec<u8>> {
    let (bytes, n) = meta_ndjson(metas.iter().copied());
    // Metadata with no one type per field (a number in one record, an object in
    // another) has no columns: the segment is written without them, and filters on it
    // decode the JSON as before format 3 (and say what does not fit). A flush never
    // fails for it.
    let batch = match decode_meta(bytes, n, declared) {
        Ok(Some(b)) if b.num_columns() > 0 && b.num_rows() == metas.len() => b,
        _ => return Ok(Vec::new()),
    };
    let mut streams = Vec::with_capacity(batch.num_columns());
    for (field, values) in batch.schema().fields().iter().zip(batch.columns()) {
        let mut fields = vec![field.as_ref().clone()];
        let mut arrays = vec![values.clone()];
        let options = SortOptions {
            descending: false,
            nulls_first: false,
        };
        if index_fields.contains(field.name()) {
            if let Ok(order) = sort_to_indices(values, Some(options), None) {
                fields.push(Field::new(ORDER, DataType::UInt32, false));
                arrays.push(Arc::new(order) as ArrayRef);
            }
        }
        let one = RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
            .map_err(|e| Error::arrow("laying out metadata columns", e))?;
        streams.push(ipc(&one)?);
    }
    let mut out = Vec::new();
    out.extend_from_slice(&(streams.len() as u32).to_le_bytes());
    let mut end = 0u64;
    for s in &streams {
        end += s.len() as u64;
        out.extend_from_slice(&end.to_le_bytes());
    }
    for s in streams {
        out.extend_from_slice(&s);
    }
    Ok(out)
}

/// The name of a field stream's second column, the order of the rows by the field.
const ORDER: &str = "order";

fn ipc(batch: &RecordBatch) -> Result<Vec<u8>> {
    let what = |e| Error::arrow("encoding metadata columns", e);
    let mut w = StreamWriter::try_new(Vec::new(), &batch.schema()).map_err(what)?;
    w.write(batch).map_err(what)?;
    w.into_inner().map_err(what)
}

/// The per-field streams of a columns section (see `encode`), bounds checked.
fn streams(section: &[u8]) -> std::result::Result<Vec<&[u8]>, String> {
    let bad = || "metadata columns: the directory of fields is malformed".to_string();
    let count = section.get(..4).ok_or_else(bad)?;
    let count = u32::from_le_bytes(count.try_into().unwrap()) as usize;
    let body = count
        .checked_mul(8)
        .and_then(|d| d.checked_add(4))
        .filter(|&d| d <= section.len())
        .ok_or_else(bad)?;
    let (directory, data) = section[4..].split_at(body - 4);
    let mut start = 0usize;
    let mut out = Vec::with_capacity(count);
    for end in directory.chunks_exact(8) {
        let end = u64::from_le_bytes(end.try_into().unwrap());
        let end = usize::try_from(end)
            .ok()
            .filter(|&e| e >= start && e <= data.len())
            .ok_or_else(bad)?;
        out.push(&data[start..end]);
        start = end;
    }
    if start != data.len() {
        return Err(bad());
    }
    Ok(out)
}

/// A stream reader over one field's stream, its schema read. Each message is checked
/// by the record layer before arrow-ipc decodes it (arrow-ipc trusts the lengths a
/// stream declares; see `record::ipc`): damage that still passes the section's
/// checksum is an error here too.
fn open_stream(
    bytes: &[u8],
) -> std::result::Result<StreamReader<CheckedStream<Cursor<&[u8]>>>, String> {
    let r = StreamReader::try_new(CheckedStream::new(Cursor::new(bytes)), None)
        .map_err(|e| format!("metadata columns: not an Arrow IPC stream ({e})"))?;
    let schema = r.schema();
    let kinds: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
    match kinds[..] {
        [_] => Ok(r),
        [_, DataType::UInt32] if schema.field(1).name() == ORDER => Ok(r),
        _ => Err("metadata columns: a field's stream has unexpected columns".into()),
    }
}

/// The fields of a columns section, in order (each stream's schema message only).
pub fn schema_of(section: &[u8]) -> std::result::Result<SchemaRef, String> {
    let mut fields = Vec::new();
    for s in streams(section)? {
        fields.push(open_stream(s)?.schema().field(0).clone());
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// A segment's metadata columns, decoded, with the orders of its indexed fields.
#[derive(Debug)]
pub struct Columns {
    pub batch: RecordBatch,
    orders: Vec<Order>,
}

/// The rows sorted by one column, nulls last.
#[derive(Debug)]
struct Order {
    column: usize,
    rows: UInt32Array,
    non_null: usize,
}

impl Columns {
    /// Decodes the columns section `encode` wrote for a segment of `rows` vector rows:
    /// the fields named in `fields` (all of them if `None`), with the orders of those
    /// that have one. A filter names a few fields; the others (long titles, nested
    /// documents) are not decoded at all. The caller has checked the section's
    /// checksum; what is still wrong is reported, never indexed out of bounds.
    pub fn decode(
        section: &[u8],
        rows: usize,
        fields: Option<&HashSet<String>>,
    ) -> std::result::Result<Columns, String> {
        let all = streams(section)?;
        let (mut schema, mut columns, mut orders) = (Vec::new(), Vec::new(), Vec::new());
        for (i, bytes) in all.iter().enumerate() {
            let mut r = open_stream(bytes)?;
            let field = r.schema().field(0).clone();
            // A filter that names no field still needs the row count: the first field.
            let wanted =
                fields.is_none_or(|f| f.contains(field.name()) || (f.is_empty() && i == 0));
            if !wanted {
                continue;
            }
            let batch = r
                .next()
                .ok_or_else(|| format!("metadata column '{}': no record batch", field.name()))?
                .map_err(|e| format!("metadata column '{}': {e}", field.name()))?;
            if r.next().is_some() || batch.num_rows() != rows {
                return Err(format!(
                    "metadata column '{}' has {} rows in more than one batch or not the segment's {rows}",
                    field.name(),
                    batch.num_rows()
                ));
            }
            let column = columns.len();
            if let Some(order) = batch.columns().get(1) {
                let rows_of = order
                    .as_any()
                    .downcast_ref::<UInt32Array>()
                    .filter(|a| a.null_count() == 0)
                    .filter(|a| a.values().iter().all(|&r| (r as usize) < rows))
                    .ok_or_else(|| format!("the order of '{}' is malformed", field.name()))?;
                orders.push(Order {
                    column,
                    rows: rows_of.clone(),
                    non_null: rows - batch.column(0).null_count(),
                });
            }
            schema.push(field);
            columns.push(batch.column(0).clone());
        }
        if columns.is_empty() {
            return Err("metadata columns: no field".into());
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(schema)), columns)
            .map_err(|e| format!("metadata columns: {e}"))?;
        Ok(Columns { batch, orders })
    }

    /// The rows `pred` (planned against `self.batch`'s schema) admits.
    pub fn admit(&self, pred: &Predicate) -> Result<Bitset> {
        let n = self.batch.num_rows();
        match self.candidates(pred.physical()) {
            Some(c) if c.exact => Ok(c.rows),
            Some(c) => {
                let rows: Vec<u32> = c.rows.ones().collect();
                let picked = take_record_batch(&self.batch, &UInt32Array::from(rows.clone()))
                    .map_err(|e| Error::arrow("taking the rows an index admits", e))?;
                let mask = pred.evaluate(&picked)?;
                let mut bits = Bitset::new(n, false);
                for (j, &r) in rows.iter().enumerate() {
                    if mask.value(j) {
                        bits.set(r, true);
                    }
                }
                Ok(bits)
            }
            None => Ok(mask_bits(&pred.evaluate(&self.batch)?)),
        }
    }

    /// A superset of the rows `e` admits, from the orders alone (`exact` if it is
    /// exactly those rows), or `None` if no index bears on it.
    fn candidates(&self, e: &Arc<dyn PhysicalExpr>) -> Option<Candidates> {
        let any = e.as_ref();
        if let Some(b) = any.downcast_ref::<BinaryExpr>() {
            return match b.op() {
                Operator::And => match (self.candidates(b.left()), self.candidates(b.right())) {
                    (Some(l), Some(r)) => Some(Candidates {
                        rows: l.rows.and(&r.rows),
                        exact: l.exact && r.exact,
                    }),
                    (Some(c), None) | (None, Some(c)) => Some(Candidates { exact: false, ..c }),
                    (None, None) => None,
                },
                Operator::Or => {
                    let (l, r) = (self.candidates(b.left())?, self.candidates(b.right())?);
                    Some(Candidates {
                        rows: l.rows.or(&r.rows),
                        exact: l.exact && r.exact,
                    })
                }
                &op => {
                    let (column, op, value) = comparison(b.left(), op, b.right())?;
                    self.compare(column, op, value).map(Candidates::exact)
                }
            };
        }
        if let Some(list) = any.downcast_ref::<InListExpr>() {
            let column = as_column(list.expr()).filter(|_| !list.negated())?;
            let mut rows = Bitset::new(self.batch.num_rows(), false);
            for item in list.list() {
                let value = item.downcast_ref::<Literal>()?.value();
                rows = rows.or(&self.compare(column, Operator::Eq, value)?);
            }
            return Some(Candidates::exact(rows));
        }
        let (order, nulls) = if let Some(e) = any.downcast_ref::<IsNullExpr>() {
            (self.order(as_column(e.arg())?)?, true)
        } else if let Some(e) = any.downcast_ref::<IsNotNullExpr>() {
            (self.order(as_column(e.arg())?)?, false)
        } else {
            return None;
        };
        let all = order.rows.len();
        let range = if nulls {
            order.non_null..all
        } else {
            0..order.non_null
        };
        Some(Candidates::exact(self.rows(order, [range, 0..0])))
    }

    fn order(&self, c: &Column) -> Option<&Order> {
        let schema = self.batch.schema_ref();
        self.orders.iter().find(|o| {
            o.column == c.index()
                && schema
                    .fields()
                    .get(o.column)
                    .is_some_and(|f| f.name() == c.name())
        })
    }

    /// Rows where `column op value`, by binary search in the column's order; `None`
    /// when the column has no order, or the constant's type is not the column's (the
    /// planner cast the column instead: its order may not be the cast's).
    fn compare(&self, column: &Column, op: Operator, value: &ScalarValue) -> Option<Bitset> {
        let order = self.order(column)?;
        if value.is_null() {
            // A comparison with NULL is never true.
            return Some(Bitset::new(self.batch.num_rows(), false));
        }
        let array = self.batch.column(order.column);
        let constant = value.to_array().ok()?;
        if constant.data_type() != array.data_type() {
            return None;
        }
        let cmp =
            make_comparator(array.as_ref(), constant.as_ref(), SortOptions::default()).ok()?;
        let sorted = &order.rows.values()[..order.non_null];
        let below = sorted.partition_point(|&r| cmp(r as usize, 0).is_lt());
        let upto = sorted.partition_point(|&r| cmp(r as usize, 0).is_le());
        let end = sorted.len();
        // At most two runs of the order: `<>` is what lies either side of `=`.
        let none = 0..0;
        let runs = match op {
            Operator::Eq => [below..upto, none],
            Operator::NotEq => [0..below, upto..end],
            Operator::Lt => [0..below, none],
            Operator::LtEq => [0..upto, none],
            Operator::Gt => [upto..end, none],
            Operator::GtEq => [below..end, none],
            _ => return None,
        };
        Some(self.rows(order, runs))
    }

    fn rows(&self, order: &Order, ranges: [Range<usize>; 2]) -> Bitset {
        let mut bits = Bitset::new(self.batch.num_rows(), false);
        for r in ranges {
            for &row in &order.rows.values()[r] {
                bits.set(row, true);
            }
        }
        bits
    }
}

/// A filter's rows as far as an index can tell.
struct Candidates {
    rows: Bitset,
    /// The rows are exactly the admitted ones, not a superset.
    exact: bool,
}

impl Candidates {
    fn exact(rows: Bitset) -> Candidates {
        Candidates { rows, exact: true }
    }
}

fn as_column(e: &Arc<dyn PhysicalExpr>) -> Option<&Column> {
    e.downcast_ref::<Column>()
}

/// `column op constant`, with a constant on the left turned around (`5 < x` is `x > 5`).
fn comparison<'a>(
    left: &'a Arc<dyn PhysicalExpr>,
    op: Operator,
    right: &'a Arc<dyn PhysicalExpr>,
) -> Option<(&'a Column, Operator, &'a ScalarValue)> {
    let constant = |e: &'a Arc<dyn PhysicalExpr>| e.downcast_ref::<Literal>().map(Literal::value);
    if let (Some(c), Some(v)) = (as_column(left), constant(right)) {
        return Some((c, op, v));
    }
    let flipped = match op {
        Operator::Lt => Operator::Gt,
        Operator::LtEq => Operator::GtEq,
        Operator::Gt => Operator::Lt,
        Operator::GtEq => Operator::LtEq,
        other => other,
    };
    Some((as_column(right)?, flipped, constant(left)?))
}

/// The rows a predicate's result admits (a NULL result does not admit).
pub fn mask_bits(mask: &BooleanArray) -> Bitset {
    let mut bits = Bitset::new(mask.len(), false);
    for i in 0..mask.len() {
        if mask.is_valid(i) && mask.value(i) {
            bits.set(i as u32, true);
        }
    }
    bits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metadata rows with the kinds of values people filter on, nulls and missing
    /// fields among them.
    fn metas() -> Vec<String> {
        (0..500)
            .map(|i| {
                let lang = ["en", "de", "fr", "ja"][i % 4];
                let mut m = format!(
                    r#"{{"lang":"{lang}","year":{},"score":{}"#,
                    1990 + (i * 7) % 40,
                    (i % 13) as f64 / 4.0
                );
                if i % 5 != 0 {
                    m.push_str(&format!(r#","tag":"t{}""#, i % 9));
                }
                if i % 11 == 0 {
                    m.push_str(r#","year2":null"#);
                }
                m.push_str(&format!(
                    r#","nested":{{"a":{i}}},"ts":"2026-01-{:02}T00:00:00Z"}}"#,
                    1 + i % 28
                ));
                m
            })
            .collect()
    }

    fn encoded(index: &[&str]) -> Vec<u8> {
        let metas = metas();
        let refs: Vec<&str> = metas.iter().map(String::as_str).collect();
        let fields: Vec<String> = index.iter().map(|s| s.to_string()).collect();
        encode(&refs, &fields, &Resolved::new()).unwrap()
    }

    fn columns(index: &[&str]) -> Columns {
        let e = encoded(index);
        Columns::decode(&e, 500, None).unwrap()
    }

    /// Names of the fields `c` keeps an order for.
    fn indexed_fields(c: &Columns) -> Vec<&str> {
        let schema = c.batch.schema_ref();
        c.orders
            .iter()
            .map(|o| schema.field(o.column).name().as_str())
            .collect()
    }

    fn admit(c: &Columns, sql: &str) -> Vec<u32> {
        let p = Predicate::parse(sql, c.batch.schema()).unwrap();
        c.admit(&p).unwrap().ones().collect()
    }

    #[test]
    fn indexed_and_unindexed_filters_admit_the_same_rows() {
        let plain = columns(&[]);
        let indexed = columns(&["lang", "year", "score", "tag", "ts", "nested"]);
        // `nested` is a struct: no order for it, the others have one.
        let mut have = indexed_fields(&indexed);
        have.sort_unstable();
        assert_eq!(have, ["lang", "score", "tag", "ts", "year"]);
        for sql in [
            "lang = 'en'",
            "lang <> 'en'",
            "year >= 2000 AND year < 2010",
            "year BETWEEN 1995 AND 1999 OR lang IN ('ja', 'fr')",
            "2000 < year",
            "score <= 1.5 AND tag = 't3'",
            "tag IS NULL",
            "tag IS NOT NULL AND lang = 'de'",
            "year = 3000",
            "year > 1000",
            "lang = 'en' AND nested['a'] > 250",
            "nested['a'] % 3 = 0 OR year = 1990",
            "lang IN ('en') AND NOT (year > 2010)",
            "ts >= '2026-01-20T00:00:00Z'",
            "year = NULL",
            "year + 0 > 2000",
        ] {
            let want = admit(&plain, sql);
            assert_eq!(admit(&indexed, sql), want, "{sql}");
            // As filters run: only the fields the expression names decoded, with
            // their orders, and the expression planned again on them.
            let p = Predicate::parse(sql, indexed.batch.schema()).unwrap();
            let named: HashSet<String> =
                datafusion::physical_expr::utils::collect_columns(p.physical())
                    .iter()
                    .map(|c| c.name().to_string())
                    .collect();
            let e = encoded(&["lang", "year", "score", "tag", "ts", "nested"]);
            let some = Columns::decode(&e, 500, Some(&named)).unwrap();
            assert!(some.batch.num_columns() <= named.len().max(1), "{sql}");
            assert_eq!(admit(&some, sql), want, "{sql} (projected)");
        }
    }

    #[test]
    fn an_index_answers_comparisons_without_evaluating() {
        let c = columns(&["lang", "year"]);
        let plan = |sql: &str| {
            let p = Predicate::parse(sql, c.batch.schema()).unwrap();
            c.candidates(p.physical())
                .map(|c| (c.rows.count(), c.exact))
        };
        assert_eq!(plan("lang = 'en'"), Some((125, true)));
        assert_eq!(plan("lang = 'en' OR year = 3000"), Some((125, true)));
        // An unindexed field narrows nothing: the indexed side gives the candidates.
        assert_eq!(plan("lang = 'en' AND score > 1"), Some((125, false)));
        assert_eq!(plan("lang = 'en' OR score > 1"), None);
        assert_eq!(plan("score > 1"), None);
    }

    #[test]
    fn damaged_sections_are_errors_not_panics() {
        let metas = metas();
        let refs: Vec<&str> = metas.iter().map(String::as_str).collect();
        let e = encode(&refs, &["year".to_string()], &Resolved::new()).unwrap();
        assert!(Columns::decode(&e, 499, None).is_err());
        assert!(Columns::decode(&e[..e.len() / 2], 500, None).is_err());
        assert!(Columns::decode(b"not ipc", 500, None).is_err());
        assert!(Columns::decode(&[], 500, None).is_err());
        // Every cut and every flipped byte of the directory and the first stream's
        // head: an error or a decode, never a panic.
        for at in 0..e.len().min(600) {
            let _ = Columns::decode(&e[..at], 500, None);
            let mut bad = e.clone();
            bad[at] ^= 0x5a;
            let _ = Columns::decode(&bad, 500, None);
            let _ = schema_of(&bad);
        }
        // No metadata at all, or no one type for a field: no columns (filters decode the
        // JSON), and no error.
        for metas in [&["{}", ""][..], &[r#"{"a":1}"#, r#"{"a":{"b":2}}"#]] {
            assert!(encode(metas, &["a".to_string()], &Resolved::new())
                .unwrap()
                .is_empty());
        }
    }
}
