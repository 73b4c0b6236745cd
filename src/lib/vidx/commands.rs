//! The subcommands: each opens the index the way it needs (searches without a lock,
//! writers with it), does its work through `store::Index`, and writes records.

use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use serde_json::{json, Map, Value};

use super::distance::Metric;
use super::hnsw::Scratch;
use super::manifest::Config;
use super::records::{
    decode_ndjson, extract, extract_meta, id_strings, meta_map, meta_ndjson, to_batch, Fields,
    Origin, Row,
};
use super::store::{self, Index};
use super::wal::{Op, SyncMode};
use super::{
    AddArgs, CreateArgs, DeleteArgs, DirOutput, GetArgs, RestoreArgs, SearchArgs, SnapshotArgs,
    StatsArgs, UpdateArgs,
};
use crate::cli::{warn, Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::{LazySink, OutputFormat, ReadOptions, RecordReader, Source};

/// Records written as one batch each (small reports) or in groups (hits).
struct Out {
    sink: LazySink,
}

impl Out {
    fn new(o: &OutputArgs) -> Result<Out> {
        o.sink_options().resolve()?;
        Ok(Out {
            sink: LazySink::new(o.sink_options()),
        })
    }
    fn write(&mut self, rows: &[Map<String, Value>]) -> Result<()> {
        if let Some(b) = to_batch(rows)? {
            self.sink.write(&b)?;
        }
        Ok(())
    }
    fn finish(self) -> Result<()> {
        self.sink.finish(None)
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn source_name(input: &crate::cli::InputArgs) -> String {
    match input.sources() {
        Ok(sources) => sources
            .iter()
            .map(Source::name)
            .collect::<Vec<_>>()
            .join(","),
        Err(_) => input
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect::<Vec<_>>()
            .join(","),
    }
}

fn report_torn(idx: &Index) {
    for (path, bytes) in &idx.torn {
        warn(&format!(
            "{}: cut off a torn tail of {bytes} bytes (a group of writes a crash interrupted before it was committed; none of it was reported as committed)",
            path.display()
        ));
    }
}

pub fn create(a: &CreateArgs) -> Result<Outcome> {
    if !(0.0..=1.0).contains(&a.exact_below) {
        return Err(Error::Usage(format!(
            "--exact-below {}: give a fraction between 0 and 1",
            a.exact_below
        )));
    }
    let mut index_fields: Vec<String> = Vec::new();
    for f in &a.index_field {
        if f.trim().is_empty() {
            return Err(Error::Usage(
                "--index-field: a field name is empty; give names separated by commas, e.g. --index-field lang,year".into(),
            ));
        }
        if !index_fields.contains(f) {
            index_fields.push(f.clone());
        }
    }
    let mut out = Out::new(&a.output)?;
    let config = Config {
        dim: a.dim as usize,
        metric: a.metric,
        m: a.m as usize,
        ef_construction: a.ef_construction as usize,
        ef_search: a.ef_search as usize,
        memtable_records: a.memtable as usize,
        compact_at: a.compact_at as usize,
        exact_below: a.exact_below,
        quantize: a.quantize,
        index_fields,
    };
    store::create(&a.dir, config.clone())?;
    out.write(&[obj(json!({
        "dir": a.dir.display().to_string(),
        "dim": config.dim,
        "metric": config.metric.name(),
        "m": config.m,
        "ef_construction": config.ef_construction,
        "ef_search": config.ef_search,
        "memtable": config.memtable_records,
        "quantize": config.quantize.name(),
        "index_fields": config.index_fields,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

/// Smallest memtable flushed when `add` or `update` ends (see `vidx add --help`), so
/// the next search maps it instead of replaying the log.
const FLUSH_AT_END: usize = 1024;

pub fn add(a: &AddArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let mut idx = Index::open_write(&a.dir, a.sync)?;
    report_torn(&idx);
    let mut reader = a.input.open_reader()?;
    let name = source_name(&a.input);
    let fields = Fields {
        id: &a.fields.id,
        vector: &a.fields.vector,
        id_optional: false,
        meta: true,
    };
    let dim = idx.config().dim;
    let space = idx.space;
    let mut committed: u64 = 0;
    while let Some(batch) = reader.next_batch()? {
        let rows = extract(
            &batch,
            &fields,
            dim,
            &space,
            &Origin {
                source: &name,
                first: committed + 1,
            },
        )?;
        let n = rows.len() as u64;
        let last_id = rows.last().map(|r| r.id.clone()).unwrap_or_default();
        let ops = rows
            .into_iter()
            .map(|r| Op::Put {
                seq: 0,
                id: r.id,
                vector: r.vector,
                meta: r.meta,
            })
            .collect();
        let seq = idx.apply(ops)?;
        committed += n;
        out.write(&[obj(json!({
            "type": "commit",
            "records": committed,
            "seq": seq,
            "last_id": last_id,
        }))])?;
        idx.maybe_flush()?;
    }
    idx.flush_from(FLUSH_AT_END)?;
    out.finish()?;
    Ok(Outcome::Complete)
}

pub fn update(a: &UpdateArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let mut idx = Index::open_write(&a.dir, a.sync)?;
    report_torn(&idx);
    let mut reader = a.input.open_reader()?;
    let name = source_name(&a.input);
    let (mut seen, mut updated, mut not_found) = (0u64, 0u64, 0u64);
    while let Some(batch) = reader.next_batch()? {
        let origin = Origin {
            source: &name,
            first: seen + 1,
        };
        let rows = extract_meta(&batch, &a.id, &a.vector, &origin)?;
        seen += rows.len() as u64;
        // One put per id, merging every update of it in this group in order.
        let mut puts: Vec<(String, Vec<f32>, Map<String, Value>)> = Vec::new();
        let mut at: std::collections::HashMap<String, usize> = Default::default();
        for (id, fields) in rows {
            let i = match at.get(&id) {
                Some(&i) => i,
                None => {
                    let Some(l) = idx.find(&id) else {
                        not_found += 1;
                        warn(&format!(
                            "id '{id}' is not in {}; nothing to update",
                            a.dir.display()
                        ));
                        continue;
                    };
                    puts.push((
                        id.clone(),
                        idx.vector_of(l).to_vec(),
                        meta_map(idx.meta_of(l)),
                    ));
                    at.insert(id, puts.len() - 1);
                    puts.len() - 1
                }
            };
            let meta = &mut puts[i].2;
            if a.replace {
                meta.clear();
            }
            meta.extend(meta_map(&fields));
            for key in &a.unset {
                meta.shift_remove(key);
            }
        }
        updated += puts.len() as u64;
        let seq = if puts.is_empty() {
            idx.last_seq()
        } else {
            let ops = puts
                .into_iter()
                .map(|(id, vector, meta)| Op::Put {
                    seq: 0,
                    id,
                    vector,
                    meta: Value::Object(meta).to_string(),
                })
                .collect();
            idx.apply(ops)?
        };
        out.write(&[obj(json!({
            "type": "commit",
            "records": seen,
            "updated": updated,
            "not_found": not_found,
            "seq": seq,
        }))])?;
        idx.maybe_flush()?;
    }
    idx.flush_from(FLUSH_AT_END)?;
    out.finish()?;
    Ok(if not_found > 0 {
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}

pub fn search(a: &SearchArgs) -> Result<Outcome> {
    let (hits_out, written, format) = write_hits(&a.output)?;
    let mut idx = Index::open_read(&a.dir)?;
    let k = a.k as usize;
    let ef = a.ef.map_or(idx.config().ef_search, |e| e as usize).max(k);
    let dim = idx.config().dim;
    let space = idx.space;
    let metric = idx.config().metric;
    let queries_in = read_queries(a, dim, space, format == OutputFormat::Ndjson)?;
    let filtered = a
        .filter
        .as_deref()
        .map(|sql| super::filter::evaluate(&idx, sql))
        .transpose()?;
    let mut scratch = Scratch::default();
    let mut spent = std::time::Duration::ZERO;
    let mut queries = 0u64;
    for qs in queries_in {
        let qs = match qs {
            Ok(qs) => qs,
            Err(e) => {
                // The hits of the queries before the bad one still go out.
                drop(hits_out);
                let _ = written.join();
                return Err(e);
            }
        };
        let t = Instant::now();
        let results: Vec<Vec<store::Hit>> = qs
            .iter()
            .map(|q| {
                if a.exact {
                    idx.search(&q.vector, k, usize::MAX, filtered.as_ref(), &mut scratch)
                } else {
                    idx.search(&q.vector, k, ef, filtered.as_ref(), &mut scratch)
                }
            })
            .collect();
        spent += t.elapsed();
        queries += qs.len() as u64;
        if let Some(h) = hits_columns(&idx, &qs, &results, metric) {
            if hits_out.send(h).is_err() {
                // The writer stopped on an error: it is in `written`.
                break;
            }
        }
    }
    drop(hits_out);
    written
        .join()
        .map_err(|_| Error::Internal("the thread writing search hits panicked".into()))??;
    if a.timing {
        let s = spent.as_secs_f64();
        eprintln!(
            "vidx: searched {queries} queries in {s:.3} s ({:.0} queries/s, kernels {})",
            queries as f64 / s.max(1e-9),
            super::distance::kernels().name
        );
    }
    Ok(Outcome::Complete)
}

/// Queries per batch when hits go out as NDJSON (see `read_queries`).
const QUERY_BATCH: usize = 256;

/// The queries, batch by batch, read and decoded on a thread of their own while the
/// caller searches: parsing the numbers of NDJSON vectors costs about half what
/// searching them does (#19 item 5), and the two overlap on two cores. The channel
/// holds two batches, so reading stays just ahead of searching. With `small_batches`
/// (NDJSON output, where each hit is a line of its own) queries come in batches of at
/// most [`QUERY_BATCH`], so searching starts before a whole `--batch-size` of queries
/// is parsed and hits flow out while the next are searched; columnar and tabular
/// output keep `--batch-size`, as each output batch carries the metadata columns its
/// hits have. The thread is not joined: a caller that stops early (an error, a closed
/// pipe) returns at once, even while the thread waits on a quiet stdin, and the
/// process ends it.
fn read_queries(
    a: &SearchArgs,
    dim: usize,
    space: super::distance::Space,
    small_batches: bool,
) -> Result<std::sync::mpsc::IntoIter<Result<Vec<Row>>>> {
    let mut opts = a.input.read_options()?;
    if small_batches {
        opts.batch_size = opts.batch_size.min(QUERY_BATCH);
    }
    let mut reader = RecordReader::open(a.input.sources()?, opts)?;
    let name = source_name(&a.input);
    let (id, vector) = (a.fields.id.clone(), a.fields.vector.clone());
    let (tx, rx) = std::sync::mpsc::sync_channel(2);
    std::thread::spawn(move || {
        let fields = Fields {
            id: &id,
            vector: &vector,
            id_optional: true,
            meta: false,
        };
        let mut seen: u64 = 0;
        loop {
            let qs = match reader.next_batch() {
                Ok(None) => return,
                Ok(Some(batch)) => extract(
                    &batch,
                    &fields,
                    dim,
                    &space,
                    &Origin {
                        source: &name,
                        first: seen + 1,
                    },
                ),
                Err(e) => Err(e),
            };
            seen += qs.as_ref().map_or(0, |q| q.len() as u64);
            let failed = qs.is_err();
            if tx.send(qs).is_err() || failed {
                return;
            }
        }
    });
    Ok(rx.into_iter())
}

/// Writes hits on a thread of their own: decoding the hits' metadata and encoding the
/// output cost about a third of what the searches do, and overlap with them. Returns
/// where to send each batch's hits, and the thread, which finishes the output when the
/// sender is dropped (or stops on its first error, which joining it gives back).
fn write_hits(
    o: &OutputArgs,
) -> Result<(
    std::sync::mpsc::SyncSender<HitColumns>,
    std::thread::JoinHandle<Result<()>>,
    OutputFormat,
)> {
    let opts = o.sink_options();
    let format = opts.resolve()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<HitColumns>(2);
    let thread = std::thread::spawn(move || {
        let mut sink = LazySink::new(opts);
        for hits in rx {
            sink.write(&hits.into_batch()?)?;
        }
        sink.finish(None)
    });
    Ok((tx, thread, format))
}

/// One batch of queries' hits: the columns read from the index (query, rank, id,
/// distance) and the hits' stored metadata, still JSON text, for `into_batch` to
/// decode away from the searching thread.
struct HitColumns {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
    meta: Vec<u8>,
    meta_lines: usize,
}

impl HitColumns {
    /// The hits as a record batch, with the metadata decoded in one pass by the record
    /// layer: no JSON object per hit, written out and parsed again. A metadata field
    /// named like one of the first four columns is prefixed `meta_`.
    fn into_batch(self) -> Result<RecordBatch> {
        let (mut fields, mut columns) = (self.fields, self.columns);
        if let Some(meta) = decode_ndjson(self.meta, self.meta_lines)? {
            for (f, c) in meta.schema().fields().iter().zip(meta.columns()) {
                let name = if fields.iter().any(|g| g.name() == f.name()) {
                    format!("meta_{}", f.name())
                } else {
                    f.name().clone()
                };
                fields.push(f.as_ref().clone().with_name(name));
                columns.push(c.clone());
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
            .map_err(|e| Error::arrow("building search hits", e))
    }
}

/// One batch of queries' hits, built column by column from the index.
fn hits_columns(
    idx: &Index,
    qs: &[Row],
    results: &[Vec<store::Hit>],
    metric: Metric,
) -> Option<HitColumns> {
    let n: usize = results.iter().map(Vec::len).sum();
    if n == 0 {
        return None;
    }
    let mut query = StringBuilder::with_capacity(n, n * 8);
    let mut id = StringBuilder::with_capacity(n, n * 8);
    let mut rank = Vec::with_capacity(n);
    let mut distance = Vec::with_capacity(n);
    for (q, hits) in qs.iter().zip(results) {
        for (r, h) in hits.iter().enumerate() {
            query.append_value(&q.id);
            id.append_value(idx.id_of(h.loc));
            rank.push(r as i64 + 1);
            distance.push(f64::from(metric.report(h.distance)));
        }
    }
    let (meta, meta_lines) = meta_ndjson(results.iter().flatten().map(|h| idx.meta_of(h.loc)));
    Some(HitColumns {
        fields: vec![
            Field::new("query", DataType::Utf8, false),
            Field::new("rank", DataType::Int64, false),
            Field::new("id", DataType::Utf8, false),
            Field::new("distance", DataType::Float64, false),
        ],
        columns: vec![
            Arc::new(query.finish()),
            Arc::new(Int64Array::from(rank)),
            Arc::new(id.finish()),
            Arc::new(Float64Array::from(distance)),
        ],
        meta,
        meta_lines,
    })
}

pub fn get(a: &GetArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let mut idx = Index::open_read(&a.dir)?;
    let mut rows = Vec::new();
    let mut missing = 0;
    for id in &a.ids {
        match idx.find(id) {
            Some(l) => {
                let mut m = Map::new();
                m.insert("id".into(), Value::String(id.clone()));
                if !a.no_vector {
                    m.insert("vector".into(), json!(idx.vector_of(l)));
                }
                for (key, v) in meta_map(idx.meta_of(l)) {
                    if !m.contains_key(&key) {
                        m.insert(key, v);
                    }
                }
                rows.push(m);
            }
            None => {
                missing += 1;
                warn(&format!("id '{id}' is not in {}", a.dir.display()));
            }
        }
    }
    out.write(&rows)?;
    out.finish()?;
    Ok(if missing > 0 {
        Outcome::Lossy
    } else {
        Outcome::Complete
    })
}

pub fn delete(a: &DeleteArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let mut ids: Vec<String> = a.ids.clone();
    if a.stdin {
        let mut reader = RecordReader::open(vec![Source::Stdin], ReadOptions::default())?;
        let mut first = 1u64;
        while let Some(b) = reader.next_batch()? {
            let origin = Origin {
                source: "<stdin>",
                first,
            };
            let col = b.column_by_name(&a.id).ok_or_else(|| {
                Error::Usage(format!(
                    "<stdin>: the records have no '{}' field; name it with --id FIELD",
                    a.id
                ))
            })?;
            for (i, id) in id_strings(col.as_ref(), &a.id, &origin)?
                .into_iter()
                .enumerate()
            {
                match id {
                    Some(id) => ids.push(id),
                    None => {
                        return Err(Error::data(
                            Location {
                                field: Some("id".into()),
                                ..Location::of("<stdin>")
                            },
                            format!("record {}: the id is missing (null)", first + i as u64),
                        ))
                    }
                }
            }
            first += b.num_rows() as u64;
        }
    }
    let mut idx = Index::open_write(&a.dir, SyncMode::Batch)?;
    report_torn(&idx);
    if let Some(sql) = &a.filter {
        // Under the lock: exactly the records that pass now.
        let admitted = super::filter::evaluate(&idx, sql)?;
        let mut locs = idx.current();
        locs.retain(|&l| admitted.admits(l));
        ids.extend(locs.into_iter().map(|l| idx.id_of(l).to_string()));
    }
    let mut ops = Vec::new();
    let mut not_found = 0;
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id.clone()) {
            continue;
        }
        if idx.find(&id).is_some() {
            ops.push(Op::Delete { seq: 0, id });
        } else {
            not_found += 1;
            warn(&format!(
                "id '{id}' is not in {}; nothing to delete",
                a.dir.display()
            ));
        }
    }
    let deleted = ops.len();
    let seq = if ops.is_empty() {
        idx.last_seq()
    } else {
        idx.apply(ops)?
    };
    idx.maybe_flush()?;
    out.write(&[obj(json!({
        "type": "commit",
        "deleted": deleted,
        "not_found": not_found,
        "seq": seq,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

pub fn snapshot(a: &SnapshotArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let s = super::snapshot::take(&a.dir, &a.dest)?;
    // The copy opens as an index of its own: what it holds, from the copy itself.
    let mut copy = Index::open_read(&a.dest)?;
    out.write(&[obj(json!({
        "type": "snapshot",
        "dir": a.dest.display().to_string(),
        "from": a.dir.display().to_string(),
        "records": copy.live_count(),
        "seq": copy.last_seq(),
        "generation": s.generation,
        "segments": s.segments,
        "linked": s.linked,
        "copied_bytes": s.copied_bytes,
        "wal_bytes": s.wal_bytes,
        "attempts": s.attempts,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

pub fn restore(a: &RestoreArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let r = super::snapshot::restore(&a.snapshot, &a.dir, a.force)?;
    let mut idx = Index::open_read(&a.dir)?;
    out.write(&[obj(json!({
        "type": "restore",
        "dir": a.dir.display().to_string(),
        "from": a.snapshot.display().to_string(),
        "records": idx.live_count(),
        "seq": idx.last_seq(),
        "segments": idx.segments.len(),
        "replaced": r.replaced,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

pub fn compact(a: &DirOutput) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let mut idx = Index::open_write(&a.dir, SyncMode::Batch)?;
    report_torn(&idx);
    let r = idx.compact()?;
    out.write(&[obj(json!({
        "segments_before": r.segments_before,
        "segments_after": r.segments_after,
        "records": r.records,
        "dropped": r.dropped,
        "bytes_before": r.bytes_before,
        "bytes_after": r.bytes_after,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

pub fn stats(a: &StatsArgs) -> Result<Outcome> {
    let mut out = Out::new(&a.output)?;
    let t = Instant::now();
    let mut idx = Index::open_read(&a.dir)?;
    let open_ms = t.elapsed().as_secs_f64() * 1e3;
    if a.verify {
        for s in &idx.segments {
            s.verify()?;
        }
    }
    let c = idx.config().clone();
    let seg_rows: usize = idx.segments.iter().map(|s| s.count).sum();
    let live = idx.live_count();
    let torn: u64 = idx.torn.iter().map(|t| t.1).sum();
    // Segments whose metadata filters read typed columns (format 3 with metadata);
    // older ones decode each record's JSON until a compaction rewrites them.
    let columnar = idx.segments.iter().filter(|s| s.has_columns()).count();
    out.write(&[obj(json!({
        "dir": a.dir.display().to_string(),
        "dim": c.dim,
        "metric": c.metric.name(),
        "records": live,
        "segments": idx.segments.len(),
        "segment_rows": seg_rows,
        "memtable_rows": idx.mem.len(),
        "wal_bytes": idx.wal_bytes(),
        "wal_torn_bytes": torn,
        "disk_bytes": idx.total_bytes(),
        "m": c.m,
        "ef_construction": c.ef_construction,
        "ef_search": c.ef_search,
        "memtable": c.memtable_records,
        "compact_at": c.compact_at,
        "exact_below": c.exact_below,
        "quantize": c.quantize.name(),
        "index_fields": c.index_fields,
        "columnar_segments": columnar,
        "kernels": super::distance::kernels().name,
        "open_ms": open_ms,
        "verified": a.verify,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}
