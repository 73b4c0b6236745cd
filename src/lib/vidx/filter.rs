//! `vidx search --filter`: the same SQL boolean expressions as `etl filter`, evaluated
//! (by `crate::expr`, DataFusion) on each source's metadata as an Arrow record batch
//! (a segment's stored columns, answered from its field orders where they bear on the
//! expression: `columns`), giving one bitset of admitted rows per source. Search then walks each
//! graph admitting only those rows, or scans them exactly when too few pass (see
//! `store::Index::search`), so recall holds for very selective filters.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::physical_expr::utils::collect_columns;

use super::bitset::Bitset;
use super::columns::mask_bits;
use super::records::{decode_ndjson, meta_ndjson};
use super::segment::Segment;
use super::store::{Filtered, Index};
use crate::error::{Error, Result};
use crate::expr::Predicate;

/// One source's metadata rows as a record batch (`None` if no row has any field).
fn meta_batch<'a>(metas: impl Iterator<Item = &'a str>) -> Result<(Option<RecordBatch>, usize)> {
    let (bytes, n) = meta_ndjson(metas);
    if n == 0 {
        return Ok((None, 0));
    }
    let b = decode_ndjson(bytes, n)?;
    Ok((b.filter(|b| b.num_columns() > 0), n))
}

/// What a filter is evaluated on: a segment's typed columns (with the orders of its
/// indexed fields), or metadata decoded from JSON (the memtable, and segments written
/// before format 3).
enum Rows<'a> {
    Columns(&'a Segment, SchemaRef),
    Json(RecordBatch),
}

fn admit(sql: &str, rows: Rows) -> Result<std::result::Result<Bitset, Error>> {
    let schema = match &rows {
        Rows::Columns(_, schema) => schema.clone(),
        Rows::Json(b) => b.schema(),
    };
    let pred = match Predicate::parse(sql, schema) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(match rows {
        Rows::Columns(segment, _) => {
            // Only the fields the filter names are decoded; the expression is planned
            // again on them (its column positions are those of the decoded batch).
            let named = collect_columns(pred.physical())
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            let columns = segment
                .columns(Some(&named))?
                .ok_or_else(|| Error::Internal("a segment's metadata columns went away".into()))?;
            let pred = Predicate::parse(sql, columns.batch.schema())?;
            columns.admit(&pred)?
        }
        Rows::Json(b) => mask_bits(&pred.evaluate(&b)?),
    }))
}

/// Evaluates `sql` on the metadata of the memtable and of every segment. A source
/// whose metadata lacks a field the expression names admits nothing; if no source can
/// evaluate it at all, that is the user's error and is reported.
pub fn evaluate(idx: &Index, sql: &str) -> Result<Filtered> {
    let mut first_err = None;
    let mut any_ok = false;
    let mut one = |rows: Option<Rows>, n| -> Result<Bitset> {
        let admitted = match rows {
            Some(rows) => admit(sql, rows)?,
            None => Err(Error::Usage(format!(
                "--filter '{sql}': these records have no metadata fields"
            ))),
        };
        match admitted {
            Ok(b) => {
                any_ok = true;
                Ok(b)
            }
            Err(e) => {
                first_err.get_or_insert(e);
                Ok(Bitset::new(n, false))
            }
        }
    };
    let (b, n) = meta_batch(idx.mem.metas.iter().map(String::as_str))?;
    let mem = one(b.map(Rows::Json), n)?;
    let mut segments = Vec::with_capacity(idx.segments.len());
    for s in &idx.segments {
        let bits = match s.columns_schema()? {
            Some(schema) => one(Some(Rows::Columns(s, schema)), s.n_vec)?,
            None => {
                let (b, n) = meta_batch((0..s.n_vec).map(|r| s.meta(r)))?;
                one(b.map(Rows::Json), n)?
            }
        };
        segments.push(bits);
    }
    let total = idx.mem.len() + idx.segments.iter().map(|s| s.n_vec).sum::<usize>();
    if !any_ok && total > 0 {
        return Err(first_err
            .unwrap_or_else(|| Error::Internal(format!("--filter '{sql}' cannot be evaluated"))));
    }
    Ok(Filtered { mem, segments })
}
