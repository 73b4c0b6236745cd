//! A segment's metadata as typed columns, and the per-field row orders that answer a
//! filter without evaluating it on every row.
//!
//! Each record's metadata stays in the segment as the JSON object it came with (what
//! `get`, `scan` and search hits return, byte for byte). Since segment format 3 it is
//! also kept as Arrow columns: one record batch over the segment's vector rows, typed
//! the way the record layer infers NDJSON (integers, floats, booleans, strings,
//! RFC 3339 timestamps, nested lists and structs), stored as an Arrow IPC stream. A
//! `--filter` is evaluated on these columns, so a search, scan or delete no longer
//! decodes every row's JSON first.
//!
//! For each of the index's `--index-field`s, the segment also keeps its rows sorted by
//! that field (nulls last). A comparison of an indexed field with a constant (`=`,
//! `<>`, `<`, `<=`, `>`, `>=`, `IN`, `BETWEEN`, `IS [NOT] NULL`), and ANDs and ORs of
//! them, is answered by binary search in that order; what the index cannot answer is
//! evaluated only on the rows it leaves. A segment whose values all miss the range is
//! answered in two comparisons: its first and last sorted values are its min and max.

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
use super::records::{decode_ndjson, meta_ndjson};
use crate::error::{Error, Result};
use crate::expr::Predicate;
use crate::record::ipc::CheckedStream;

/// The two sections a segment stores besides the JSON: its metadata columns and the
/// row orders of its indexed fields, each an Arrow IPC stream (empty when there are
/// no metadata fields, or no indexed field among them).
#[derive(Debug, Default)]
pub struct Encoded {
    pub columns: Vec<u8>,
    pub orders: Vec<u8>,
}

/// Types `metas` (one JSON object per vector row) into columns and orders the rows by
/// each of `index_fields` the rows have. A field whose type has no order (a list or a
/// struct) gets no index; `vidx stats` lists the fields each segment has one for.
pub fn encode(metas: &[&str], index_fields: &[String]) -> Result<Encoded> {
    let (bytes, n) = meta_ndjson(metas.iter().copied());
    // Metadata with no one type per field (a number in one record, an object in
    // another) has no columns: the segment is written without them, and filters on it
    // decode the JSON as before format 3 (and say what does not fit). A flush never
    // fails for it.
    let batch = match decode_ndjson(bytes, n) {
        Ok(Some(b)) if b.num_columns() > 0 && b.num_rows() == metas.len() => b,
        _ => return Ok(Encoded::default()),
    };
    let mut fields = Vec::new();
    let mut orders: Vec<ArrayRef> = Vec::new();
    for name in index_fields {
        let Ok(i) = batch.schema().index_of(name) else {
            continue;
        };
        let options = SortOptions {
            descending: false,
            nulls_first: false,
        };
        let Ok(order) = sort_to_indices(batch.column(i), Some(options), None) else {
            continue;
        };
        fields.push(Field::new(name, DataType::UInt32, false));
        orders.push(Arc::new(order));
    }
    let orders = if orders.is_empty() {
        Vec::new()
    } else {
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), orders)
            .map_err(|e| Error::arrow("ordering indexed metadata fields", e))?;
        ipc(&batch)?
    };
    Ok(Encoded {
        columns: ipc(&batch)?,
        orders,
    })
}

fn ipc(batch: &RecordBatch) -> Result<Vec<u8>> {
    let what = |e| Error::arrow("encoding metadata columns", e);
    let mut w = StreamWriter::try_new(Vec::new(), &batch.schema()).map_err(what)?;
    w.write(batch).map_err(what)?;
    w.into_inner().map_err(what)
}

/// The schema at the head of a columns section (its first message only).
pub fn schema_of(columns: &[u8]) -> std::result::Result<SchemaRef, String> {
    StreamReader::try_new(CheckedStream::new(Cursor::new(columns)), None)
        .map(|r| r.schema())
        .map_err(|e| format!("metadata columns: not an Arrow IPC stream ({e})"))
}

/// One IPC stream's only batch, with only the `projection` columns decoded. Each
/// message is checked by the record layer before arrow-ipc decodes it (arrow-ipc
/// trusts the lengths a stream declares; see `record::ipc`): damage that still passes
/// the section's checksum is an error here too.
fn read_one(
    bytes: &[u8],
    projection: Option<Vec<usize>>,
    what: &str,
) -> std::result::Result<RecordBatch, String> {
    let mut r = StreamReader::try_new(CheckedStream::new(Cursor::new(bytes)), projection)
        .map_err(|e| format!("{what}: not an Arrow IPC stream ({e})"))?;
    let batch = r
        .next()
        .ok_or_else(|| format!("{what}: no record batch"))?
        .map_err(|e| format!("{what}: {e}"))?;
    if r.next().is_some() {
        return Err(format!("{what}: more than one record batch"));
    }
    Ok(batch)
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
    /// Decodes the sections `encode` wrote for a segment of `rows` vector rows: the
    /// columns named in `fields` (all of them if `None`), with the orders of those that
    /// have one. A filter names a few fields; the others (long titles, nested
    /// documents) are not decoded at all. The caller has checked the checksums; what
    /// is still wrong is reported, never indexed out of bounds.
    pub fn decode(
        columns: &[u8],
        orders: &[u8],
        rows: usize,
        fields: Option<&HashSet<String>>,
    ) -> std::result::Result<Columns, String> {
        let schema = schema_of(columns)?;
        let projection: Vec<usize> = match fields {
            None => (0..schema.fields().len()).collect(),
            Some(names) => {
                let mut p: Vec<usize> = (0..schema.fields().len())
                    .filter(|&i| names.contains(schema.field(i).name()))
                    .collect();
                // A filter that names no field still needs the row count.
                if p.is_empty() && !schema.fields().is_empty() {
                    p.push(0);
                }
                p
            }
        };
        let batch = read_one(columns, Some(projection), "metadata columns")?;
        if batch.num_rows() != rows {
            return Err(format!(
                "metadata columns have {} rows, the segment {rows}",
                batch.num_rows()
            ));
        }
        let mut out = Vec::new();
        if !orders.is_empty() {
            let o = read_one(orders, None, "metadata field orders")?;
            for (field, array) in o.schema().fields().iter().zip(o.columns()) {
                if schema.index_of(field.name()).is_err() {
                    return Err(format!(
                        "an order for '{}', which has no column",
                        field.name()
                    ));
                }
                let Ok(column) = batch.schema().index_of(field.name()) else {
                    continue;
                };
                let rows_of = array
                    .as_any()
                    .downcast_ref::<UInt32Array>()
                    .filter(|a| a.len() == rows && a.null_count() == 0)
                    .filter(|a| a.values().iter().all(|&r| (r as usize) < rows))
                    .ok_or_else(|| format!("the order of '{}' is malformed", field.name()))?;
                out.push(Order {
                    column,
                    rows: rows_of.clone(),
                    non_null: rows - batch.column(column).null_count(),
                });
            }
        }
        Ok(Columns { batch, orders: out })
    }

    /// Names of the fields this segment keeps an order for.
    pub fn indexed(&self) -> impl Iterator<Item = &str> + '_ {
        let schema = self.batch.schema_ref();
        self.orders
            .iter()
            .map(move |o| schema.field(o.column).name().as_str())
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

    fn encoded(index: &[&str]) -> Encoded {
        let metas = metas();
        let refs: Vec<&str> = metas.iter().map(String::as_str).collect();
        let fields: Vec<String> = index.iter().map(|s| s.to_string()).collect();
        encode(&refs, &fields).unwrap()
    }

    fn columns(index: &[&str]) -> Columns {
        let e = encoded(index);
        Columns::decode(&e.columns, &e.orders, 500, None).unwrap()
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
        let have: Vec<&str> = indexed.indexed().collect();
        assert_eq!(have, ["lang", "year", "score", "tag", "ts"]);
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
            let some = Columns::decode(&e.columns, &e.orders, 500, Some(&named)).unwrap();
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
        let e = encode(&refs, &["year".to_string()]).unwrap();
        assert!(Columns::decode(&e.columns, &e.orders, 499, None).is_err());
        assert!(Columns::decode(&e.columns[..e.columns.len() / 2], &[], 500, None).is_err());
        assert!(Columns::decode(&e.columns, &e.columns, 500, None).is_err());
        assert!(Columns::decode(b"not ipc", &[], 500, None).is_err());
        // No metadata at all, or no one type for a field: no columns (filters decode the
        // JSON), and no error.
        for metas in [&["{}", ""][..], &[r#"{"a":1}"#, r#"{"a":{"b":2}}"#]] {
            let e = encode(metas, &["a".to_string()]).unwrap();
            assert!(e.columns.is_empty() && e.orders.is_empty());
        }
    }
}
