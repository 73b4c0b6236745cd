//! The subcommands: each opens the index the way it needs (searches without a lock,
//! writers with it), does its work through `store::Index`, and writes records.

use std::io::Write;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Instant;

use arrow::array::{ArrayRef, Float64Array, Int64Array, StringBuilder};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use serde_json::{json, Map, Value};

use super::distance::Metric;
use super::hnsw::{self, Scratch};
use super::manifest::Config;
use super::records::{
    decode_meta, extract, extract_meta, id_strings, meta_map, meta_ndjson, to_batch, Fields,
    Origin, Row,
};
use super::store::{self, Index};
use super::types::{self, Resolved};
use super::wal::{Op, SyncMode};
use super::{
    AddArgs, CreateArgs, DeleteArgs, DirOutput, GetArgs, RestoreArgs, SearchArgs, SnapshotArgs,
    StatsArgs, UpdateArgs,
};
use crate::cli::signals::{stop_on_signals, stopped};
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
        self.write_typed(rows, &Resolved::new())
    }
    /// Writes records that carry metadata fields, typed as the index declares them.
    fn write_typed(&mut self, rows: &[Map<String, Value>], declared: &Resolved) -> Result<()> {
        if let Some(b) = to_batch(rows, declared)? {
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

/// Declares an input batch's metadata types (`types`) before its records are logged,
/// warning of a field that no one type holds any more.
fn declare(idx: &mut Index, columns: &[(String, ArrayRef)]) -> Result<()> {
    for m in idx.declare(columns)? {
        warn(&format!(
            "metadata field '{}' is {} in earlier records and {} in these; no one type holds both, so it is typed by what each record holds from now on",
            m.field, m.was, m.now
        ));
    }
    Ok(())
}

/// How often `vidx add` waiting for input looks whether a signal asked it to stop.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(100);

pub fn add(a: &AddArgs) -> Result<Outcome> {
    let started = Instant::now();
    // SIGINT and SIGTERM end the add between groups: the group being logged is
    // finished and acknowledged, no torn tail is left behind, nothing more is read.
    stop_on_signals();
    let mut out = Out::new(&a.output)?;
    let batches = read_rows(&a.input, &a.fields, false, false)?;
    let mut idx = Index::open_write(&a.dir, a.sync)?;
    report_torn(&idx);
    let batches = batches.start(idx.config().dim, idx.space);
    let mut indexing = std::time::Duration::ZERO;
    let mut committed: u64 = 0;
    let interrupted = loop {
        let rows = match batches.recv_timeout(SIGNAL_POLL) {
            Ok(rows) => rows,
            Err(RecvTimeoutError::Timeout) if stopped() => break true,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break false,
        };
        if stopped() {
            break true;
        }
        let (meta, rows) = rows?;
        declare(&mut idx, &meta)?;
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
        if stopped() {
            break true;
        }
        let t = Instant::now();
        idx.maybe_flush()?;
        indexing += t.elapsed();
    };
    if interrupted {
        // What is committed stays in the log; the next writer or search replays it.
        out.finish()?;
        return Err(Error::data(
            Location::of(source_name(&a.input)),
            format!("interrupted by a signal after {committed} records, all of them committed to {}; the rest of the input was not read", a.dir.display()),
        )
        .with_hint("add the records after the last commit's last_id to finish"));
    }
    let t = Instant::now();
    idx.flush_from(FLUSH_AT_END)?;
    indexing += t.elapsed();
    out.finish()?;
    if a.timing {
        let (i, all) = (indexing.as_secs_f64(), started.elapsed().as_secs_f64());
        eprintln!(
            "vidx: added {committed} records in {all:.3} s ({:.0} records/s); indexing \
             (graphs and segments) took {i:.3} s ({:.0} records/s)",
            committed as f64 / all.max(1e-9),
            committed as f64 / i.max(1e-9),
        );
    }
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
        declare(&mut idx, &types::of_batch(&batch, &[&a.id]))?;
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

/// Candidates re-ranked per hit asked for, by default (`--rerank`).
const RERANK_PER_K: usize = 8;

pub fn search(a: &SearchArgs) -> Result<Outcome> {
    let opts = a.output.sink_options();
    let format = opts.resolve()?;
    // The queries are opened (sniffed, their schema inferred) while the index opens.
    let queries_in = read_rows(&a.input, &a.fields, true, format == OutputFormat::Ndjson)?;
    let idx = Index::open_read(&a.dir)?;
    let k = a.k as usize;
    let ef = a.ef.map_or(idx.config().ef_search, |e| e as usize).max(k);
    let rerank = a
        .rerank
        .map_or(k.saturating_mul(RERANK_PER_K), |r| r as usize);
    let metric = idx.config().metric;
    let queries_in = queries_in.start(idx.config().dim, idx.space);
    let filtered = a
        .filter
        .as_deref()
        .map(|sql| super::filter::evaluate(&idx, sql))
        .transpose()?;
    let mut scratch = Scratch::default();
    let started = Instant::now();
    let mut spent = std::time::Duration::ZERO;
    let mut queries = 0u64;
    // Each query's search time, for --timing's latency percentiles.
    let mut latencies: Vec<std::time::Duration> = Vec::new();
    let (hits_out, hits_in) = std::sync::mpsc::sync_channel::<(Vec<Row>, Vec<Vec<store::Hit>>)>(2);
    let idx = &idx;
    std::thread::scope(|s| -> Result<()> {
        let written = s.spawn(move || write_hits(idx, hits_in, metric, opts));
        for qs in queries_in.iter() {
            let qs = match qs {
                Ok((_, qs)) => qs,
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
                    let b = hnsw::Budget::new(k, if a.exact { usize::MAX } else { ef }, rerank);
                    // Timed only for --timing: searching is the hot path.
                    let one = a.timing.then(Instant::now);
                    let hits = idx.search(&q.vector, b, filtered.as_ref(), &mut scratch);
                    if let Some(one) = one {
                        latencies.push(one.elapsed());
                    }
                    hits
                })
                .collect();
            spent += t.elapsed();
            queries += qs.len() as u64;
            if hits_out.send((qs, results)).is_err() {
                // The writer stopped on an error: joining it gives it back.
                break;
            }
        }
        drop(hits_out);
        written
            .join()
            .map_err(|_| Error::Internal("the thread writing search hits panicked".into()))?
    })?;
    if a.timing {
        let s = spent.as_secs_f64();
        let all = started.elapsed().as_secs_f64();
        latencies.sort_unstable();
        let ms = |q: f64| nearest_rank(&latencies, q).as_secs_f64() * 1e3;
        eprintln!(
            "vidx: searched {queries} queries in {s:.3} s ({:.0} queries/s, kernels {}); \
             end to end {all:.3} s ({:.0} queries/s); latency p50 {:.3} ms, p99 {:.3} ms",
            queries as f64 / s.max(1e-9),
            super::distance::kernels().name,
            queries as f64 / all.max(1e-9),
            ms(0.50),
            ms(0.99),
        );
    }
    Ok(Outcome::Complete)
}

/// The `q` quantile of sorted durations by the nearest-rank method (zero when empty).
fn nearest_rank(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or_default()
}

/// Queries per batch when hits go out as NDJSON (see `read_queries`).
const QUERY_BATCH: usize = 64;

/// A batch's metadata columns by name (`types::of_batch`; none for queries).
type MetaColumns = Vec<(String, ArrayRef)>;

/// Rows being read from the input on a thread of their own (see [`read_rows`]): they
/// flow once [`RowReader::start`] gives the index's dimension and metric.
struct RowReader {
    rows: std::sync::mpsc::Receiver<Result<(MetaColumns, Vec<Row>)>>,
    geometry: std::sync::mpsc::SyncSender<(usize, super::distance::Space)>,
}

impl RowReader {
    fn start(
        self,
        dim: usize,
        space: super::distance::Space,
    ) -> std::sync::mpsc::Receiver<Result<(MetaColumns, Vec<Row>)>> {
        // A reader that already stopped on an error has sent it: it comes out first.
        let _ = self.geometry.send((dim, space));
        self.rows
    }
}

/// The input's records (queries with `queries`: the id may be missing, no metadata),
/// batch by batch, opened, read and decoded on a thread of their own while the caller
/// opens the index and searches or indexes: parsing the numbers of NDJSON vectors
/// costs about half what searching them does (#19 item 5), and the two overlap on two
/// cores. The thread opens the input (sniffing it, inferring its schema) at once and
/// waits for the index's dimension and metric before decoding vectors. The channel
/// holds two batches, so reading stays just ahead of its consumer. With
/// `small_batches` (search hits as NDJSON, each a line of its own) records come in
/// batches of at most [`QUERY_BATCH`], their schema inferred from as many (widened
/// later if a record needs it) and decoded on this thread alone (decoding threads
/// would take the searching thread's core), so searching starts a few milliseconds
/// after the process and hits flow out while the next queries are searched; columnar
/// and tabular output keep `--batch-size`, as each output batch carries the metadata
/// columns its hits have. The thread is not joined: a caller that stops early (an
/// error, a closed pipe) returns at once, even while the thread waits on a quiet
/// stdin, and the process ends it.
fn read_rows(
    input: &crate::cli::InputArgs,
    fields: &super::FieldArgs,
    queries: bool,
    small_batches: bool,
) -> Result<RowReader> {
    let mut opts = input.read_options()?;
    if small_batches {
        opts.batch_size = opts.batch_size.min(QUERY_BATCH);
        opts.infer_rows = opts.infer_rows.min(QUERY_BATCH);
        opts.sequential = true;
    }
    let sources = input.sources()?;
    let name = source_name(input);
    let (id, vector) = (fields.id.clone(), fields.vector.clone());
    let (tx, rows) = std::sync::mpsc::sync_channel(2);
    let (geometry, geometry_in) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let fields = Fields {
            id: &id,
            vector: &vector,
            id_optional: queries,
            meta: !queries,
        };
        let mut reader = match RecordReader::open(sources, opts) {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        };
        // No index (it failed to open): the caller has its error.
        let Ok((dim, space)) = geometry_in.recv() else {
            return;
        };
        let mut seen: u64 = 0;
        loop {
            let batch = match reader.next_batch() {
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
                )
                .map(|rows| {
                    let meta = if queries {
                        Vec::new()
                    } else {
                        types::of_batch(&batch, &[id.as_str(), vector.as_str()])
                    };
                    (meta, rows)
                }),
                Err(e) => Err(e),
            };
            seen += batch.as_ref().map_or(0, |(_, b)| b.len() as u64);
            let failed = batch.is_err();
            if tx.send(batch).is_err() || failed {
                return;
            }
        }
    });
    Ok(RowReader { rows, geometry })
}

/// Writes hits on a thread of their own: taking the hits' ids and metadata from the
/// index, decoding the metadata and encoding the output cost about a third of what
/// the searches do, and overlap with them. Ends the output when the sender is dropped,
/// or stops on its first error.
fn write_hits(
    idx: &Index,
    batches: std::sync::mpsc::Receiver<(Vec<Row>, Vec<Vec<store::Hit>>)>,
    metric: Metric,
    opts: crate::record::SinkOptions,
) -> Result<()> {
    if opts.resolve()? == OutputFormat::Ndjson {
        let what = crate::record::writer::writing(opts.path.as_deref());
        let mut out = crate::record::writer::open_output(&opts)?;
        let mut lines = Vec::new();
        for (qs, results) in batches {
            if let Some(hits) = hits_columns(idx, &qs, &results, metric) {
                lines.clear();
                hits.ndjson_into(&mut lines)?;
                out.write_all(&lines)
                    .and_then(|()| out.flush())
                    .map_err(|e| Error::io(&what, e))?;
            }
        }
        return crate::record::writer::close(out).map_err(|e| Error::io(what, e));
    }
    let mut sink = LazySink::new(opts);
    let declared = idx.meta_types();
    for (qs, results) in batches {
        if let Some(hits) = hits_columns(idx, &qs, &results, metric) {
            sink.write(&hits.into_batch(&declared)?)?;
        }
    }
    sink.finish(None)
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
    /// layer: no JSON object per hit, written out and parsed again; fields typed as
    /// the index declares them (`records::decode_meta`). A metadata field named like
    /// one of the first four columns is prefixed `meta_`.
    fn into_batch(self, declared: &Resolved) -> Result<RecordBatch> {
        let (mut fields, mut columns) = (self.fields, self.columns);
        if let Some(meta) = decode_meta(self.meta, self.meta_lines, declared)? {
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

    /// The hits as NDJSON lines: the hit's own columns encoded by the record layer's
    /// NDJSON writer, and the stored metadata, already a JSON object, copied in as
    /// members of the same line instead of being decoded into columns and encoded
    /// again (#19 item 5: that round trip was most of the writing thread's work). A
    /// member named like one of the hit's own columns becomes `meta_NAME`, as in the
    /// other formats. Metadata that is not a JSON object (a damaged segment) is an
    /// error, not a broken line.
    fn ndjson_into(self, lines: &mut Vec<u8>) -> Result<()> {
        let batch = RecordBatch::try_new(Arc::new(Schema::new(self.fields)), self.columns)
            .map_err(|e| Error::arrow("building search hits", e))?;
        let mut own = Vec::with_capacity(batch.num_rows() * 64);
        let mut w = crate::record::writer::ndjson_writer_builder(&batch.schema())
            .build::<_, arrow::json::writer::LineDelimited>(&mut own);
        w.write(&batch)
            .and_then(|()| w.finish())
            .map_err(|e| Error::arrow("writing search hits", e))?;
        drop(w);
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| format!("\"{}\":", f.name()))
            .collect();
        let rows = own
            .split(|&b| b == b'\n')
            .zip(self.meta.split(|&b| b == b'\n'));
        for (hit, meta) in rows.take(batch.num_rows()) {
            // `{...}`: the line without its closing brace, then the metadata's members.
            lines.extend_from_slice(&hit[..hit.len() - 1]);
            let members = meta_members(meta, &names)?;
            if !members.is_empty() {
                lines.push(b',');
                lines.extend_from_slice(&members);
            }
            lines.extend_from_slice(b"}\n");
        }
        Ok(())
    }
}

/// The members of a stored metadata object as JSON text (`"a":1,"b":"x"`), checked to
/// be one JSON object; members named like the hit's own columns (`names`, as `"name":`)
/// renamed `meta_NAME`.
fn meta_members<'a>(meta: &'a [u8], names: &[String]) -> Result<std::borrow::Cow<'a, [u8]>> {
    let damaged = |why: String| {
        Error::Internal(format!(
            "stored metadata is not a JSON object ({why}); run 'vidx stats --verify' on the index"
        ))
    };
    if serde_json::from_slice::<serde::de::IgnoredAny>(meta).is_err()
        || meta.first() != Some(&b'{')
        || meta.last() != Some(&b'}')
    {
        return Err(damaged(
            String::from_utf8_lossy(&meta[..meta.len().min(40)]).into_owned(),
        ));
    }
    let inner = &meta[1..meta.len() - 1];
    // Compact JSON: a member is `"name":`; the text may also be inside a string value,
    // which only costs the exact path below.
    let clash = names
        .iter()
        .any(|n| memchr::memmem::find(inner, n.as_bytes()).is_some());
    if !clash {
        return Ok(std::borrow::Cow::Borrowed(inner));
    }
    let map: Map<String, Value> =
        serde_json::from_slice(meta).map_err(|e| damaged(e.to_string()))?;
    let renamed: Map<String, Value> = map
        .into_iter()
        .map(|(k, v)| {
            let own = names
                .iter()
                .any(|n| n.len() == k.len() + 3 && n[1..n.len() - 2] == k);
            (if own { format!("meta_{k}") } else { k }, v)
        })
        .collect();
    let text = Value::Object(renamed).to_string();
    Ok(std::borrow::Cow::Owned(
        text.as_bytes()[1..text.len() - 1].to_vec(),
    ))
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
            id.append_value(idx.hit_id(h.loc));
            rank.push(r as i64 + 1);
            distance.push(f64::from(metric.report(h.distance)));
        }
    }
    let (meta, meta_lines) = meta_ndjson(results.iter().flatten().map(|h| idx.hit_meta(h.loc)));
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
    out.write_typed(&rows, &idx.meta_types())?;
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
    // The declared metadata types in the `name:type,...` form of `etl --schema`.
    let meta_types: Vec<String> = idx
        .manifest
        .meta_types
        .iter()
        .map(|(name, t)| format!("{name}:{t}"))
        .collect();
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
        "meta_types": meta_types.join(","),
        "kernels": super::distance::kernels().name,
        "open_ms": open_ms,
        "verified": a.verify,
    }))])?;
    out.finish()?;
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::meta_members;

    fn members(meta: &str) -> String {
        let names = ["query", "rank", "id", "distance"].map(|n| format!("\"{n}\":"));
        let m = meta_members(meta.as_bytes(), &names).unwrap();
        String::from_utf8(m.into_owned()).unwrap()
    }

    #[test]
    fn metadata_members_are_copied_and_clashing_names_renamed() {
        assert_eq!(members("{}"), "");
        assert_eq!(
            members(r#"{"lang":"en","year":2020}"#),
            r#""lang":"en","year":2020"#
        );
        // A hit column's name as a member, at any position, and escaped in a string.
        assert_eq!(
            members(r#"{"a":1,"id":"x","rank":2}"#),
            r#""a":1,"meta_id":"x","meta_rank":2"#
        );
        assert_eq!(
            members(r#"{"t":"say \"id\": 5"}"#),
            r#""t":"say \"id\": 5""#
        );
        assert_eq!(members(r#"{"n":{"id":3}}"#), r#""n":{"id":3}"#);
    }

    #[test]
    fn metadata_that_is_not_one_object_is_an_error() {
        let names = ["\"id\":".to_string()];
        for bad in [
            "",
            "[1]",
            "\"x\"",
            "{\"a\":1",
            "{\"a\":1}{",
            "{\"a\":1} ",
            "nul",
        ] {
            assert!(meta_members(bad.as_bytes(), &names).is_err(), "{bad:?}");
        }
    }
}
