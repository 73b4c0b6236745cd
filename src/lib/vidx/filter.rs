//! `vidx search --filter`: the same SQL boolean expressions as `etl filter`, evaluated
//! (by `crate::expr`, DataFusion) on each source's metadata handed over as an Arrow
//! record batch, giving one bitset of admitted rows per source. Search then walks each
//! graph admitting only those rows, or scans them exactly when too few pass (see
//! `store::Index::search`), so recall holds for very selective filters.

use arrow::array::Array;

use super::bitset::Bitset;
use super::records::{decode_ndjson, meta_ndjson};
use super::store::{Filtered, Index};
use crate::error::{Error, Result};
use crate::expr::Predicate;

/// One source's metadata rows as a record batch (`None` if no row has any field).
fn meta_batch<'a>(
    metas: impl Iterator<Item = &'a str>,
) -> Result<(Option<arrow::record_batch::RecordBatch>, usize)> {
    let (bytes, n) = meta_ndjson(metas);
    if n == 0 {
        return Ok((None, 0));
    }
    let b = decode_ndjson(bytes, n)?;
    Ok((b.filter(|b| b.num_columns() > 0), n))
}

fn admit(
    sql: &str,
    batch: Option<arrow::record_batch::RecordBatch>,
    n: usize,
) -> Result<std::result::Result<Bitset, Error>> {
    let mut bits = Bitset::new(n, false);
    let Some(batch) = batch else {
        return Ok(Err(Error::Usage(format!(
            "--filter '{sql}': these records have no metadata fields"
        ))));
    };
    let pred = match Predicate::parse(sql, batch.schema()) {
        Ok(p) => p,
        Err(e) => return Ok(Err(e)),
    };
    let mask = pred.evaluate(&batch)?;
    for i in 0..mask.len() {
        if mask.is_valid(i) && mask.value(i) {
            bits.set(i as u32, true);
        }
    }
    Ok(Ok(bits))
}

/// Evaluates `sql` on the metadata of the memtable and of every segment. A source
/// whose metadata lacks a field the expression names admits nothing; if no source can
/// evaluate it at all, that is the user's error and is reported.
pub fn evaluate(idx: &Index, sql: &str) -> Result<Filtered> {
    let mut first_err = None;
    let mut any_ok = false;
    let mut one = |batch, n| -> Result<Bitset> {
        match admit(sql, batch, n)? {
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
    let mem = one(b, n)?;
    let mut segments = Vec::with_capacity(idx.segments.len());
    for s in &idx.segments {
        let (b, n) = meta_batch((0..s.n_vec).map(|r| s.meta(r)))?;
        segments.push(one(b, n)?);
    }
    let total = idx.mem.len() + idx.segments.iter().map(|s| s.n_vec).sum::<usize>();
    if !any_ok && total > 0 {
        return Err(first_err
            .unwrap_or_else(|| Error::Internal(format!("--filter '{sql}' cannot be evaluated"))));
    }
    Ok(Filtered { mem, segments })
}
