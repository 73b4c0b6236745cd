//! NDJSON → Arrow record batches, streaming and bounded in memory.
//!
//! Whole lines go to the batch decoder (`decode.rs`: exact for an inferred schema,
//! arrow-json's coercion for a given one); bulk inputs are decoded in parallel
//! (`parallel.rs`). The bytes of the batch in progress are kept so that, when a batch
//! fails, the reader can either widen the schema losslessly (int → float, null →
//! anything, a new field) and decode the batch again, or re-read its lines one by one to
//! name the exact line, byte offset and field.
//!
//! On live inputs (pipes, terminals) a batch is handed on as soon as no more input is
//! waiting, so `producer | etl ...` streams record by record instead of waiting for a
//! full batch.

use std::io::Read;
use std::os::fd::RawFd;
use std::sync::Arc;

use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use serde_json::Value;

use super::decode::Decoder;
use super::infer::{check_value, Inference};
use super::parallel::Pool;
use super::rejects::Reporting;
use super::schema::type_to_string;
use super::source::wait_readable;
use super::window::Window;
use crate::error::{Error, Location, Result};

/// How long inference on a live input waits for more records before settling on what
/// it has: long enough for a burst from a fast producer, short enough not to be noticed.
const LIVE_INFER_WAIT_MS: i32 = 100;

/// The schema an NDJSON stream is decoded with, carried from one input file to the next.
#[derive(Debug, Clone)]
pub enum SchemaState {
    /// Given with `--schema`: never widened, values may be coerced (e.g. `"12"` to int).
    Given(SchemaRef),
    /// Inferred from the first records; widened losslessly as later records need.
    Inferred(Inference),
}

impl SchemaState {
    pub fn schema(&self) -> SchemaRef {
        match self {
            SchemaState::Given(s) => s.clone(),
            SchemaState::Inferred(i) => i.schema(),
        }
    }
}

pub struct NdjsonSource {
    reader: Box<dyn Read + Send>,
    live_fd: Option<RawFd>,
    name: String,
    win: Window,
    decoder: Decoder,
    state: SchemaState,
    schema: SchemaRef,
    batch_size: usize,
    infer_rows: usize,
    /// Bytes fed to the decoder since the last flush.
    batch_bytes: Vec<u8>,
    /// Lines before `batch_bytes`.
    line: u64,
    /// Byte offset of `batch_bytes` in the source.
    offset: u64,
    /// Bulk inputs only: decoding workers, and where the next chunk starts.
    pool: Option<Pool>,
    threads: usize,
    cut_line: u64,
    cut_offset: u64,
    /// Bumped whenever the schema widens, so stale chunks are decoded again.
    version: u64,
    shared_state: Arc<SchemaState>,
    reporting: Reporting,
}

/// How an NDJSON stream is read: records per batch, records the schema is inferred from,
/// and where bad records and warnings go.
#[derive(Debug, Clone, Default)]
pub struct NdjsonOptions {
    pub batch_size: usize,
    pub infer_rows: usize,
    pub reporting: Reporting,
    /// Decode on the calling thread only: for small inputs already in memory, where
    /// starting decoding threads costs more than they save.
    pub sequential: bool,
}

impl NdjsonSource {
    /// Opens an NDJSON stream whose first bytes (`prefix`) were already read for sniffing.
    /// Without a `state`, the schema is inferred from the first `infer_rows` records.
    pub fn new(
        reader: Box<dyn Read + Send>,
        prefix: Vec<u8>,
        live_fd: Option<RawFd>,
        name: String,
        state: Option<SchemaState>,
        opts: NdjsonOptions,
    ) -> Result<Self> {
        let NdjsonOptions {
            batch_size,
            infer_rows,
            reporting,
            sequential,
        } = opts;
        let state = state.unwrap_or_else(|| SchemaState::Inferred(Inference::default()));
        let schema = state.schema();
        let decoder = build_decoder(&state, batch_size)?;
        let mut src = NdjsonSource {
            reader,
            live_fd,
            name,
            win: Window::new(prefix),
            decoder,
            state,
            schema,
            batch_size: batch_size.max(1),
            infer_rows: infer_rows.max(1),
            batch_bytes: Vec::new(),
            line: 0,
            offset: 0,
            pool: None,
            threads: 1,
            cut_line: 0,
            cut_offset: 0,
            version: 0,
            shared_state: Arc::new(SchemaState::Given(Arc::new(
                arrow::datatypes::Schema::empty(),
            ))),
            reporting,
        };
        if matches!(&src.state, SchemaState::Inferred(i) if *i == Inference::default()) {
            src.infer()?;
        }
        src.shared_state = Arc::new(src.state.clone());
        if live_fd.is_none() && !sequential {
            src.threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            if src.threads > 1 {
                src.pool = Some(Pool::new(src.threads, src.batch_size));
            }
        }
        Ok(src)
    }

    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    pub fn into_state(self) -> SchemaState {
        self.state
    }

    fn at(&self, line: u64, offset: u64) -> Location {
        Location {
            source: self.name.clone(),
            line: Some(line),
            offset: Some(offset),
            field: None,
        }
    }

    /// Reads until `infer_rows` records are buffered (or the input ends, or a live input
    /// pauses) and infers the schema from them. The bytes stay buffered for decoding.
    fn infer(&mut self) -> Result<()> {
        loop {
            let lines = count_records(&self.win.buf[..self.win.end]);
            if lines >= self.infer_rows || self.win.eof {
                break;
            }
            if let Some(fd) = self.live_fd {
                let wait = if lines == 0 { -1 } else { LIVE_INFER_WAIT_MS };
                if !wait_readable(fd, wait) {
                    break;
                }
            }
            self.fill()?;
        }
        let mut inference = Inference::default();
        let mut seen = 0;
        let data = &self.win.buf[..self.win.end];
        for (line_no, offset, line) in lines_of(data, 0, 0) {
            if seen >= self.infer_rows {
                break;
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // A partial last line on a live input is not a record yet.
            let complete = offset as usize + line.len() < data.len() || self.win.eof;
            if !complete {
                break;
            }
            seen += 1;
            // Under --on-error skip a bad record is set aside when it is decoded; here
            // it only must not shape the schema.
            let skipping = self.reporting.rejects.skipping();
            let value = match parse_line(line) {
                Ok(v) => v,
                Err(_) if skipping => continue,
                Err((col, msg)) => return Err(Error::data(self.at(line_no, offset + col), msg)),
            };
            let Value::Object(map) = value else {
                if skipping {
                    continue;
                }
                return Err(Error::data(
                    self.at(line_no, offset),
                    "expected a JSON object",
                ));
            };
            if skipping {
                let mut trial = inference.clone();
                if trial.add(&map).is_ok() {
                    inference = trial;
                }
                continue;
            }
            inference.add(&map).map_err(|c| {
                Error::data(
                    Location {
                        field: Some(c.field.clone()),
                        ..self.at(line_no, offset)
                    },
                    format!("type changes from {} to {}", c.was, c.now),
                )
                .with_hint("give the column a type that holds both with --schema, e.g. --schema 'name:utf8'")
            })?;
        }
        self.state = SchemaState::Inferred(inference);
        self.schema = self.state.schema();
        self.decoder = build_decoder(&self.state, self.batch_size)?;
        Ok(())
    }

    fn fill(&mut self) -> Result<()> {
        self.win.fill(&mut self.reader, &self.name)
    }

    /// The next batch, or `None` at the end of this input.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        if self.pool.is_some() {
            return self.next_parallel();
        }
        loop {
            if self.win.start < self.win.end {
                let data = &self.win.buf[self.win.start..self.win.end];
                let complete = self.win.complete();
                if complete > 0 {
                    let region = &data[..complete];
                    match self.decoder.decode(region) {
                        Ok(n) => {
                            self.batch_bytes.extend_from_slice(&region[..n]);
                            self.win.start += n;
                        }
                        Err(e) => {
                            let region = region.to_vec();
                            if !self.reporting.rejects.skipping() {
                                return Err(self.diagnose(&region, e));
                            }
                            self.win.start += region.len();
                            let mut bytes = std::mem::take(&mut self.batch_bytes);
                            bytes.extend_from_slice(&region);
                            return self.salvage(bytes);
                        }
                    }
                    if self.decoder.len() >= self.batch_size {
                        return self.flush();
                    }
                }
            }
            if self.win.eof && self.win.start >= self.win.end {
                return self.flush();
            }
            if let Some(fd) = self.live_fd {
                if !self.decoder.is_empty() && !wait_readable(fd, 0) {
                    return self.flush();
                }
            }
            self.fill()?;
        }
    }

    /// Bulk path: keeps the workers fed with chunks of `batch_size` lines and returns
    /// their batches in input order.
    fn next_parallel(&mut self) -> Result<Option<RecordBatch>> {
        loop {
            let depth = 2 * self.threads as u64 + 2;
            while self.pool.as_ref().is_some_and(|p| p.in_flight() < depth) {
                let Some((bytes, lines)) = self.cut_chunk()? else {
                    break;
                };
                let (line, offset, len) = (self.cut_line, self.cut_offset, bytes.len() as u64);
                let (version, state) = (self.version, self.shared_state.clone());
                if let Some(pool) = self.pool.as_mut() {
                    pool.submit(bytes, line, offset, version, state);
                }
                self.cut_line += lines;
                self.cut_offset += len;
            }
            let Some(done) = self.pool.as_mut().and_then(Pool::take) else {
                return Ok(None);
            };
            match done.result {
                Ok(batch) if done.job.version == self.version => match batch {
                    Some(b) if b.num_rows() > 0 => return Ok(Some(b)),
                    _ => continue,
                },
                _ => {
                    // Failed or decoded with an older schema: decode it here, where
                    // widening and exact error reporting live.
                    self.line = done.job.line;
                    self.offset = done.job.offset;
                    self.batch_bytes = done.job.bytes;
                    self.decoder = build_decoder(&self.state, self.batch_size)?;
                    if let Err(e) = self.decoder.decode(&self.batch_bytes) {
                        if !self.reporting.rejects.skipping() {
                            return Err(self.diagnose(&[], e));
                        }
                        let bytes = std::mem::take(&mut self.batch_bytes);
                        match self.salvage(bytes)? {
                            Some(b) if b.num_rows() > 0 => return Ok(Some(b)),
                            _ => continue,
                        }
                    }
                    match self.flush()? {
                        Some(b) if b.num_rows() > 0 => return Ok(Some(b)),
                        _ => continue,
                    }
                }
            }
        }
    }

    /// Cuts the next chunk of up to `batch_size` whole lines off the buffer, reading
    /// more as needed. Returns the bytes and the number of newlines in them.
    fn cut_chunk(&mut self) -> Result<Option<(Vec<u8>, u64)>> {
        loop {
            let data = &self.win.buf[self.win.start..self.win.end];
            if let Some(pos) = memchr::memchr_iter(b'\n', data).nth(self.batch_size - 1) {
                let chunk = data[..=pos].to_vec();
                self.win.start += pos + 1;
                return Ok(Some((chunk, self.batch_size as u64)));
            }
            if self.win.eof {
                if data.is_empty() {
                    return Ok(None);
                }
                let lines = memchr::memchr_iter(b'\n', data).count() as u64;
                let chunk = data.to_vec();
                self.win.start = self.win.end;
                return Ok(Some((chunk, lines)));
            }
            self.fill()?;
        }
    }

    fn flush(&mut self) -> Result<Option<RecordBatch>> {
        if self.win.eof && self.decoder.has_partial_record() {
            if self.reporting.rejects.skipping() {
                let bytes = std::mem::take(&mut self.batch_bytes);
                return self.salvage(bytes);
            }
            let (line, offset) = self.position_after_batch();
            return Err(Error::data(
                self.at(line, offset),
                "the last record is cut short",
            ));
        }
        match self.decoder.flush() {
            Ok(batch) => {
                self.advance();
                Ok(batch)
            }
            Err(e) => self.widen_or_fail(e),
        }
    }

    fn position_after_batch(&self) -> (u64, u64) {
        let lines = self.batch_bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        (
            self.line + lines + 1,
            self.offset + self.batch_bytes.len() as u64,
        )
    }

    fn advance(&mut self) {
        self.line += self.batch_bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        self.offset += self.batch_bytes.len() as u64;
        self.batch_bytes.clear();
    }

    /// A batch failed to decode. If its records need only a lossless widening of the
    /// inferred schema, widen and decode it again; otherwise set the bad records aside
    /// (`--on-error skip`) or name the offending line.
    fn widen_or_fail(&mut self, cause: arrow::error::ArrowError) -> Result<Option<RecordBatch>> {
        if let Some(batch) = self.try_widen(self.batch_size)? {
            self.advance();
            return Ok(batch);
        }
        if self.reporting.rejects.skipping() {
            let bytes = std::mem::take(&mut self.batch_bytes);
            return self.salvage(bytes);
        }
        Err(self.diagnose(&[], cause))
    }

    /// Decodes `batch_bytes` with the inferred schema widened as its records need, when
    /// that loses nothing. `None` when no such widening exists (or the schema was given).
    fn try_widen(&mut self, capacity: usize) -> Result<Option<Option<RecordBatch>>> {
        if let SchemaState::Inferred(current) = &self.state {
            let mut seen = Inference::default();
            let all_objects =
                lines_of(&self.batch_bytes, 0, 0).all(
                    |(_, _, line)| match serde_json::from_slice::<Value>(line) {
                        Ok(Value::Object(m)) => seen.add(&m).is_ok(),
                        _ => line.iter().all(u8::is_ascii_whitespace),
                    },
                );
            let mut widened = current.clone();
            if all_objects && widened.absorb(&seen).is_ok() && widened.schema() != current.schema()
            {
                let state = SchemaState::Inferred(widened);
                let mut decoder = build_decoder(&state, capacity)?;
                let decoded = decoder
                    .decode(&self.batch_bytes)
                    .and_then(|_| decoder.flush());
                if let Ok(batch) = decoded {
                    let old = self.schema.clone();
                    self.version += 1;
                    self.shared_state = Arc::new(state.clone());
                    self.state = state;
                    self.schema = self.state.schema();
                    self.decoder = decoder;
                    self.reporting.report.warn(&format!(
                        "{}:{}: schema widened from {} to {}",
                        self.name,
                        self.line + 1,
                        describe(&old),
                        describe(&self.schema)
                    ));
                    return Ok(Some(batch));
                }
            }
        }
        Ok(None)
    }

    /// `--on-error skip|dead-letter`: decodes the lines of `bytes` (which start at
    /// `self.line`/`self.offset`) that parse and fit the schema, widening it first where
    /// that loses nothing, and hands every other line to the reject log.
    fn salvage(&mut self, bytes: Vec<u8>) -> Result<Option<RecordBatch>> {
        let (lines, len) = (
            memchr::memchr_iter(b'\n', &bytes).count() as u64,
            bytes.len() as u64,
        );
        // Lines that are not JSON objects can never fit; with an inferred schema, nor can
        // a record whose types conflict with it (widening aside).
        let mut inferred = match &self.state {
            SchemaState::Inferred(i) => Some(i.clone()),
            SchemaState::Given(_) => None,
        };
        let mut objects = Vec::with_capacity(bytes.len());
        let mut positions = Vec::new();
        for (line_no, offset, line) in lines_of(&bytes, self.line, self.offset) {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let map = match parse_line(line) {
                Ok(Value::Object(map)) => map,
                Ok(_) => {
                    self.reporting.rejects.reject(
                        &self.at(line_no, offset),
                        "expected a JSON object",
                        line,
                    )?;
                    continue;
                }
                Err((col, msg)) => {
                    self.reporting
                        .rejects
                        .reject(&self.at(line_no, offset + col), &msg, line)?;
                    continue;
                }
            };
            if let Some(inference) = inferred.as_mut() {
                let mut trial = inference.clone();
                if let Err(c) = trial.add(&map) {
                    let at = Location {
                        field: Some(c.field.clone()),
                        ..self.at(line_no, offset)
                    };
                    self.reporting.rejects.reject(
                        &at,
                        &format!("type changes from {} to {}", c.was, c.now),
                        line,
                    )?;
                    continue;
                }
                *inference = trial;
            }
            objects.extend_from_slice(line);
            objects.push(b'\n');
            positions.push((line_no, offset));
        }
        self.batch_bytes = objects;
        // One batch holds them all, however many lines the failed region had.
        let widened = self.try_widen(positions.len().max(self.batch_size))?;
        let batch = match widened {
            Some(batch) => batch,
            None => {
                let objects = std::mem::take(&mut self.batch_bytes);
                self.decode_fitting(&objects, &positions)?
            }
        };
        self.batch_bytes.clear();
        self.line += lines;
        self.offset += len;
        self.decoder = build_decoder(&self.state, self.batch_size)?;
        Ok(batch)
    }

    /// Decodes the object lines (at `positions` in the input) that fit the current
    /// schema; rejects the rest.
    fn decode_fitting(
        &mut self,
        objects: &[u8],
        positions: &[(u64, u64)],
    ) -> Result<Option<RecordBatch>> {
        let root = DataType::Struct(self.schema.fields().clone());
        let mut decoder = build_decoder(&self.state, positions.len().max(1))?;
        for ((_, _, line), &(line_no, offset)) in lines_of(objects, 0, 0).zip(positions) {
            let Ok(value) = parse_line(line) else {
                continue;
            };
            let misfit = match check_value(&value, &root, "") {
                Err((field, msg)) => Some((Some(field), msg)),
                // The schema check passed; the decoder is the final judge.
                Ok(()) => {
                    let mut probe = build_decoder(&self.state, 1)?;
                    let mut one = line.to_vec();
                    one.push(b'\n');
                    match probe.decode(&one).and_then(|_| probe.flush()) {
                        Ok(_) => {
                            decoder.decode(&one).map_err(|e| {
                                Error::arrow(format!("{}: decoding line {line_no}", self.name), e)
                            })?;
                            None
                        }
                        Err(e) => Some((None, e.to_string())),
                    }
                }
            };
            if let Some((field, msg)) = misfit {
                let at = Location {
                    field,
                    ..self.at(line_no, offset)
                };
                self.reporting.rejects.reject(&at, &msg, line)?;
            }
        }
        decoder.flush().map_err(|e| {
            Error::arrow(
                format!(
                    "{}: decoding the records after line {}",
                    self.name, self.line
                ),
                e,
            )
        })
    }

    /// Finds the first line in the current batch (plus `extra`) that does not parse or
    /// does not fit the schema, and makes the error name it.
    fn diagnose(&self, extra: &[u8], cause: arrow::error::ArrowError) -> Error {
        let root = DataType::Struct(self.schema.fields().clone());
        let hint = match self.state {
            SchemaState::Given(_) => "the record does not match --schema",
            SchemaState::Inferred(_) => {
                "the schema was inferred from the first records: give --schema, or a larger --infer-rows"
            }
        };
        let mut joined = self.batch_bytes.clone();
        joined.extend_from_slice(extra);
        for (line_no, offset, line) in lines_of(&joined, self.line, self.offset) {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse_line(line) {
                Err((col, msg)) => return Error::data(self.at(line_no, offset + col), msg),
                Ok(v @ Value::Object(_)) => {
                    if let Err((field, msg)) = check_value(&v, &root, "") {
                        let at = Location {
                            field: Some(field),
                            ..self.at(line_no, offset)
                        };
                        return Error::data(at, msg).with_hint(hint);
                    }
                }
                Ok(_) => return Error::data(self.at(line_no, offset), "expected a JSON object"),
            }
        }
        Error::arrow(
            format!(
                "{}: decoding the records after line {}",
                self.name, self.line
            ),
            cause,
        )
    }
}

pub(super) fn build_decoder(state: &SchemaState, batch_size: usize) -> Result<Decoder> {
    let exact = matches!(state, SchemaState::Inferred(_));
    Decoder::new(state.schema(), batch_size, exact)
        .map_err(|e| Error::arrow("building the NDJSON decoder", e))
}

fn describe(schema: &SchemaRef) -> String {
    type_to_string(&DataType::Struct(schema.fields().clone()))
}

/// Parses one line; on failure returns the byte column (0-based) and a message.
pub(super) fn parse_line<T: serde::de::DeserializeOwned>(
    line: &[u8],
) -> std::result::Result<T, (u64, String)> {
    serde_json::from_slice(line).map_err(|e| {
        let text = e.to_string();
        let text = text
            .rfind(" at line ")
            .map_or(text.as_str(), |i| &text[..i])
            .to_string();
        (
            e.column().saturating_sub(1) as u64,
            format!("invalid JSON: {text}"),
        )
    })
}

/// Counts non-blank newline-terminated lines.
fn count_records(data: &[u8]) -> usize {
    let mut n = 0;
    let mut blank = true;
    for &b in data {
        if b == b'\n' {
            if !blank {
                n += 1;
            }
            blank = true;
        } else if !b.is_ascii_whitespace() {
            blank = false;
        }
    }
    n
}

/// Lines of `data` as (1-based line number, byte offset, bytes without the newline).
pub(super) fn lines_of(
    data: &[u8],
    lines_before: u64,
    offset: u64,
) -> impl Iterator<Item = (u64, u64, &[u8])> {
    let mut pos = 0usize;
    let mut line_no = lines_before;
    std::iter::from_fn(move || {
        if pos >= data.len() {
            return None;
        }
        let end = data[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(data.len(), |i| pos + i);
        let item = (line_no + 1, offset + pos as u64, &data[pos..end]);
        line_no += 1;
        pos = end + 1;
        Some(item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn source(text: &str, batch: usize, infer: usize) -> Result<NdjsonSource> {
        NdjsonSource::new(
            Box::new(Cursor::new(text.as_bytes().to_vec())),
            Vec::new(),
            None,
            "t.ndjson".into(),
            None,
            NdjsonOptions {
                batch_size: batch,
                infer_rows: infer,
                ..Default::default()
            },
        )
    }

    fn drain(src: &mut NdjsonSource) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::new();
        while let Some(b) = src.next_batch()? {
            out.push(b);
        }
        Ok(out)
    }

    #[test]
    fn batches_and_rows() {
        let text: String = (0..10).map(|i| format!("{{\"a\":{i}}}\n")).collect();
        let mut src = source(&text, 4, 100).unwrap();
        let sizes: Vec<usize> = drain(&mut src)
            .unwrap()
            .iter()
            .map(|b| b.num_rows())
            .collect();
        assert_eq!(sizes, vec![4, 4, 2]);
    }

    #[test]
    fn malformed_third_line_is_named() {
        let err = source("{\"a\":1}\n{\"a\":2}\n{\"a\":\n", 10, 10)
            .err()
            .unwrap();
        let text = err.to_string();
        assert!(text.starts_with("t.ndjson:3 (byte 20)"), "{text}");
        // Past the inference window, too.
        let mut src = source("{\"a\":1}\n{\"a\":2}\n{\"a\":tru}\n", 10, 1).unwrap();
        let text = drain(&mut src).unwrap_err().to_string();
        assert!(text.starts_with("t.ndjson:3"), "{text}");
    }

    #[test]
    fn widens_int_to_float_and_adds_fields() {
        let mut src = source("{\"a\":1}\n{\"a\":2}\n{\"a\":2.5,\"b\":\"x\"}\n", 2, 1).unwrap();
        let batches = drain(&mut src).unwrap();
        assert_eq!(batches[0].schema().field(0).data_type(), &DataType::Int64);
        let last = batches.last().unwrap();
        assert_eq!(last.schema().field(0).data_type(), &DataType::Float64);
        assert_eq!(last.schema().field(1).name(), "b");
    }

    #[test]
    fn a_widening_is_told_to_the_reporter_it_was_given() {
        #[derive(Default)]
        struct Heard(std::sync::Mutex<Vec<String>>);
        impl crate::record::rejects::Report for Heard {
            fn warn(&self, message: &str) {
                self.0.lock().unwrap().push(message.to_string());
            }
        }
        let heard = Arc::new(Heard::default());
        let mut src = NdjsonSource::new(
            Box::new(Cursor::new(b"{\"a\":1}\n{\"a\":2.5}\n".to_vec())),
            Vec::new(),
            None,
            "w.ndjson".into(),
            None,
            NdjsonOptions {
                batch_size: 1,
                infer_rows: 1,
                reporting: Reporting {
                    report: heard.clone(),
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        drain(&mut src).unwrap();
        assert_eq!(
            *heard.0.lock().unwrap(),
            ["w.ndjson:2: schema widened from struct<a:int64> to struct<a:float64>"]
        );
    }

    #[test]
    fn incompatible_later_value_names_line_and_field() {
        let mut src = source("{\"a\":{\"b\":1}}\n{\"a\":{\"b\":\"x\"}}\n", 10, 1).unwrap();
        let text = drain(&mut src).unwrap_err().to_string();
        assert!(
            text.contains("t.ndjson:2") && text.contains("field 'a.b'"),
            "{text}"
        );
        assert!(text.contains("--schema"), "{text}");
    }

    #[test]
    fn float_never_truncates_into_int_under_given_schema_check() {
        let state = SchemaState::Given(super::super::schema::parse_schema_arg("a:int64").unwrap());
        let mut src = NdjsonSource::new(
            Box::new(Cursor::new(b"{\"a\":\"7\"}\n".to_vec())),
            Vec::new(),
            None,
            "s".into(),
            Some(state),
            NdjsonOptions {
                batch_size: 10,
                infer_rows: 10,
                ..Default::default()
            },
        )
        .unwrap();
        let b = drain(&mut src).unwrap();
        assert_eq!(b[0].num_rows(), 1);
    }

    #[test]
    fn truncated_last_record_is_an_error() {
        let mut src = source("{\"a\":1}\n{\"a\":2", 10, 1).unwrap();
        assert!(drain(&mut src).is_err());
    }
}
