//! `RecordReader`: every tool's input. Takes the input arguments, opens each source in
//! turn, sniffs its format and yields Arrow record batches with one schema.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{Cursor, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::record_batch::{RecordBatch, RecordBatchReader};

use arrow::array::StringArray;
use arrow::datatypes::{DataType, Field};

use super::compress::{self, Codec, Failure};
use super::json::{JsonLines, SharedLineMap};
use super::lines::{LineChunk, ObjectLines};
use super::ndjson::{NdjsonOptions, NdjsonSource, SchemaState};
use super::rejects::Reporting;
use super::source::{read_more, read_prefix, sniff, sniff_delimiter, InputFormat, Sniffed, Source};
use super::{partition, union};
use crate::error::{Error, Location, Result};

/// How to read the input; built from the shared `InputArgs`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub batch_size: usize,
    pub infer_rows: usize,
    pub schema: Option<SchemaRef>,
    pub format: Option<InputFormat>,
    /// NDJSON inputs (without a given schema) are read as object lines, not decoded
    /// (see `lines`); other formats still yield batches.
    pub object_lines: bool,
    pub csv: CsvOptions,
    /// Inputs with different schemas are merged by column name (see `union`).
    pub union_by_name: bool,
    /// Add a column of this name holding each record's source.
    pub filename_column: Option<String>,
    /// Where bad records (under `--on-error skip`) and warnings go.
    pub reporting: Reporting,
    /// Decode NDJSON on the reading thread only: for a consumer that takes small
    /// batches as they come while other threads keep the cores busy.
    pub sequential: bool,
}

/// The CSV/TSV dialect: `--delimiter`, `--quote`, `--no-header`, `--comment`.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Sniffed from the first lines when unset (a tab for `-i tsv`).
    pub delimiter: Option<u8>,
    pub quote: u8,
    pub header: bool,
    pub comment: Option<u8>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            quote: b'"',
            header: true,
            comment: None,
        }
    }
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            batch_size: 8192,
            infer_rows: 1000,
            schema: None,
            format: None,
            object_lines: false,
            csv: CsvOptions::default(),
            union_by_name: false,
            filename_column: None,
            reporting: Reporting::default(),
            sequential: false,
        }
    }
}

type ArrowBatches = Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>;

enum Batches {
    Ndjson(Box<NdjsonSource>),
    Lines(Box<ObjectLines>),
    Arrow {
        name: String,
        batches: ArrowBatches,
        schema: SchemaRef,
    },
}

pub struct RecordReader {
    pending: VecDeque<Source>,
    opts: ReadOptions,
    current: Option<Batches>,
    current_name: String,
    /// The NDJSON schema carried from one file to the next.
    ndjson_state: Option<SchemaState>,
    schema: SchemaRef,
    /// The first columnar input's own schema, which the others must match.
    first_schema: SchemaRef,
    bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
    /// The current input's decompression error, raised after its whole records.
    failure: Option<Failure>,
    /// For JSON arrays and spread objects: where records start in the original text.
    line_map: Option<SharedLineMap>,
    /// `--union-by-name`: the schema every batch is brought to.
    union: Option<SchemaRef>,
    /// Hive partition columns (`key=value` directories) of the inputs.
    partition_fields: Vec<Field>,
    /// The input being read, for `--filename`, and its partition values.
    source: Option<Source>,
    source_partitions: Vec<(String, Option<String>)>,
}

impl RecordReader {
    pub fn open(sources: Vec<Source>, opts: ReadOptions) -> Result<Self> {
        let total_bytes = sources.iter().map(Source::file_size).sum::<Option<u64>>();
        let union = if opts.union_by_name && sources.len() > 1 {
            Some(union_schema(&sources, &opts)?)
        } else {
            None
        };
        let partition_values: Vec<_> = sources.iter().map(Source::partition_values).collect();
        let partition_fields = partition::partition_fields(&partition_values);
        let mut reader = RecordReader {
            pending: sources.into(),
            ndjson_state: opts.schema.clone().map(SchemaState::Given),
            opts,
            current: None,
            current_name: String::new(),
            schema: Arc::new(arrow::datatypes::Schema::empty()),
            first_schema: Arc::new(arrow::datatypes::Schema::empty()),
            bytes_read: Arc::default(),
            total_bytes,
            failure: None,
            line_map: None,
            union,
            partition_fields,
            source: None,
            source_partitions: Vec::new(),
        };
        reader.open_next()?;
        if let Some(b) = &reader.current {
            reader.schema = match b {
                Batches::Ndjson(src) => src.schema(),
                Batches::Lines(_) => reader.schema.clone(),
                Batches::Arrow { schema, .. } => schema.clone(),
            };
        }
        if let Some(u) = &reader.union {
            reader.schema = u.clone();
        }
        reader.schema = reader.with_extras(&reader.schema);
        Ok(reader)
    }

    /// The schema of the first input (NDJSON may widen it later; each batch carries its
    /// own), or the union of all with `union_by_name`; partition and `--filename`
    /// columns last.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// `schema` with the partition and filename columns appended.
    fn with_extras(&self, schema: &SchemaRef) -> SchemaRef {
        if self.partition_fields.is_empty() && self.opts.filename_column.is_none() {
            return schema.clone();
        }
        let mut fields = self.partition_fields.clone();
        if let Some(name) = &self.opts.filename_column {
            fields.push(Field::new(name, DataType::Utf8, false));
        }
        partition::with_partitions(schema, &fields)
    }

    /// A batch as the caller sees it: brought to the union schema, with the partition
    /// and filename columns of its input.
    fn decorate(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let batch = match &self.union {
            Some(u) => union::conform(&batch, u)?,
            None => batch,
        };
        if self.partition_fields.is_empty() && self.opts.filename_column.is_none() {
            return Ok(batch);
        }
        let rows = batch.num_rows();
        let schema = batch.schema();
        let mut columns = batch.columns().to_vec();
        for f in &self.partition_fields {
            if schema.index_of(f.name()).is_ok() {
                continue; // the file holds the column itself
            }
            let v = self
                .source_partitions
                .iter()
                .find(|(k, _)| k == f.name())
                .and_then(|(_, v)| v.as_deref());
            columns.push(partition::partition_column(f, v, rows));
        }
        if let Some(name) = &self.opts.filename_column {
            if schema.index_of(name).is_err() {
                let file = self.source.as_ref().map(Source::name).unwrap_or_default();
                columns.push(Arc::new(StringArray::from(vec![file; rows])));
            }
        }
        RecordBatch::try_new(self.with_extras(&schema), columns)
            .map_err(|e| Error::arrow("adding the partition and filename columns", e))
    }

    /// Bytes read so far and the total, when every input is a regular file.
    pub fn progress(&self) -> (Arc<AtomicU64>, Option<u64>) {
        (self.bytes_read.clone(), self.total_bytes)
    }

    fn open_next(&mut self) -> Result<bool> {
        if let Some(Batches::Ndjson(src)) = self.current.take() {
            self.ndjson_state = Some(src.into_state());
        }
        let Some(source) = self.pending.pop_front() else {
            return Ok(false);
        };
        let name = source.name();
        self.source_partitions = source.partition_values();
        self.source = Some(source.clone());
        let opened = source.open(self.bytes_read.clone())?;
        let mut reader = opened.reader;
        let mut live_fd = opened.live_fd;
        let read_err = |e| Error::io(format!("reading {name}"), e);
        let mut prefix = Vec::new();
        let mut eof = read_prefix(&mut reader, &mut prefix).map_err(read_err)?;
        self.failure = None;
        self.line_map = None;
        if let Some(codec) = Codec::detect(&prefix) {
            let raw: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
            let stream = compress::decompress(raw, codec, &name)?;
            live_fd = live_fd.map(|_| stream.fd());
            self.failure = Some(stream.failure());
            reader = Box::new(stream);
            prefix = Vec::new();
            eof = read_prefix(&mut reader, &mut prefix).map_err(read_err)?;
        }
        // A UTF-8 byte order mark (Excel's CSV, some Windows JSON) is not content.
        if prefix.starts_with(UTF8_BOM) {
            prefix.drain(..UTF8_BOM.len());
            if prefix.is_empty() {
                eof = read_prefix(&mut reader, &mut prefix).map_err(read_err)?;
            }
        }
        // Formats that seek (Parquet, the Arrow IPC file) reopen a plain file by its path.
        let seekable = source.path().filter(|_| self.failure.is_none());
        let mut format = match self.opts.format {
            Some(f) => f,
            None => loop {
                match sniff(&prefix, eof, source.path())
                    .map_err(|m| Error::data(Location::of(name.as_str()), m))?
                {
                    Sniffed::Format(f) => break f,
                    Sniffed::NeedMore => {
                        eof = read_more(&mut reader, &mut prefix).map_err(read_err)?
                    }
                }
            },
        };
        if format == InputFormat::Json {
            let lines = JsonLines::new(Cursor::new(std::mem::take(&mut prefix)).chain(reader));
            self.line_map = Some(lines.line_map());
            reader = Box::new(lines);
            format = InputFormat::Ndjson;
        }
        let batches = if format == InputFormat::Ndjson
            && self.opts.object_lines
            && self.opts.schema.is_none()
        {
            Batches::Lines(Box::new(ObjectLines::new(
                reader,
                prefix,
                live_fd,
                name.clone(),
                self.opts.batch_size,
                self.opts.reporting.rejects.clone(),
            )))
        } else if format == InputFormat::Ndjson {
            let src = NdjsonSource::new(
                reader,
                prefix,
                live_fd,
                name.clone(),
                self.ndjson_state.take(),
                NdjsonOptions {
                    batch_size: self.opts.batch_size,
                    infer_rows: self.opts.infer_rows,
                    reporting: self.opts.reporting.clone(),
                    sequential: self.opts.sequential,
                },
            )
            .map_err(|e| relocate(&self.line_map, e))?;
            Batches::Ndjson(Box::new(src))
        } else {
            let input: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
            self.open_columnar(format, input, seekable, &name)?
        };
        if let Batches::Arrow { schema, .. } = &batches {
            if self.current_name.is_empty() {
                self.first_schema = schema.clone();
                self.schema = schema.clone();
            } else if self.union.is_none() && schema.fields() != self.first_schema.fields() {
                return Err(Error::data(
                    Location::of(name.as_str()),
                    format!(
                        "its schema differs from the first input's ({})",
                        self.current_name
                    ),
                )
                .with_hint(
                    "add --union-by-name to merge them by column name, or convert them separately",
                ));
            }
        }
        if self.current_name.is_empty() {
            self.current_name = name;
        }
        self.current = Some(batches);
        Ok(true)
    }

    /// Opens the Arrow IPC, Parquet and CSV formats, whose readers yield Arrow batches.
    fn open_columnar(
        &self,
        format: InputFormat,
        mut input: Box<dyn Read + Send>,
        seekable: Option<&std::path::Path>,
        name: &str,
    ) -> Result<Batches> {
        let arrow_err = |e: ArrowError| Error::arrow(format!("reading {name}"), e);
        let checked_err = |e: std::io::Error| Error::io(format!("reading {name}"), e);
        let name = name.to_string();
        Ok(match format {
            InputFormat::Ndjson | InputFormat::Json => unreachable!("JSON has its own source"),
            InputFormat::Arrow => {
                let checked = super::ipc::CheckedStream::new(input);
                let r =
                    arrow::ipc::reader::StreamReader::try_new(checked, None).map_err(arrow_err)?;
                let schema = r.schema();
                Batches::Arrow {
                    name: name.clone(),
                    batches: Box::new(r),
                    schema,
                }
            }
            InputFormat::ArrowFile => {
                let r: ArrowBatches;
                let schema;
                if let Some(path) = seekable {
                    let mut f = File::open(path)
                        .map_err(|e| Error::io(format!("cannot open {name}"), e))?;
                    super::ipc::check_file(&mut f).map_err(checked_err)?;
                    let fr = arrow::ipc::reader::FileReader::try_new(f, None).map_err(arrow_err)?;
                    schema = fr.schema();
                    r = Box::new(fr);
                } else {
                    // The file format keeps its index at the end: stdin must be buffered.
                    let mut all = Vec::new();
                    input
                        .read_to_end(&mut all)
                        .map_err(|e| Error::io(format!("reading {name}"), e))?;
                    let mut all = Cursor::new(all);
                    super::ipc::check_file(&mut all).map_err(checked_err)?;
                    let fr =
                        arrow::ipc::reader::FileReader::try_new(all, None).map_err(arrow_err)?;
                    schema = fr.schema();
                    r = Box::new(fr);
                }
                Batches::Arrow {
                    name: name.clone(),
                    batches: r,
                    schema,
                }
            }
            InputFormat::Parquet => {
                use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
                let pq_err = |e| Error::parquet(format!("reading {name}"), e);
                let r = if let Some(path) = seekable {
                    let f = File::open(path)
                        .map_err(|e| Error::io(format!("cannot open {name}"), e))?;
                    ParquetRecordBatchReaderBuilder::try_new(f)
                        .map_err(pq_err)?
                        .with_batch_size(self.opts.batch_size)
                        .build()
                        .map_err(pq_err)?
                } else {
                    let mut all = Vec::new();
                    input
                        .read_to_end(&mut all)
                        .map_err(|e| Error::io(format!("reading {name}"), e))?;
                    ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(all))
                        .map_err(pq_err)?
                        .with_batch_size(self.opts.batch_size)
                        .build()
                        .map_err(pq_err)?
                };
                let schema = r.schema();
                Batches::Arrow {
                    name: name.clone(),
                    batches: Box::new(r),
                    schema,
                }
            }
            InputFormat::Csv | InputFormat::Tsv => {
                let (schema, reader) = self.open_csv(input, format, &name)?;
                Batches::Arrow {
                    name: name.clone(),
                    batches: reader,
                    schema,
                }
            }
        })
    }

    fn open_csv(
        &self,
        mut input: Box<dyn Read + Send>,
        format: InputFormat,
        name: &str,
    ) -> Result<(SchemaRef, ArrowBatches)> {
        use arrow::csv::reader::Format;
        let io_err = |e| Error::io(format!("reading {name}"), e);
        // Buffer the lines that inference looks at, then read them again.
        let mut head = Vec::new();
        let mut chunk = vec![0u8; 1 << 16];
        while head.iter().filter(|&&b| b == b'\n').count() <= self.opts.infer_rows {
            let n = input.read(&mut chunk).map_err(io_err)?;
            if n == 0 {
                break;
            }
            head.extend_from_slice(&chunk[..n]);
        }
        let csv = &self.opts.csv;
        let delimiter = match (csv.delimiter, format) {
            (Some(d), _) => d,
            (None, InputFormat::Tsv) => b'\t',
            (None, _) => sniff_delimiter(&head, csv.quote, true).unwrap_or(b','),
        };
        let mut format = Format::default()
            .with_header(csv.header)
            .with_delimiter(delimiter)
            .with_quote(csv.quote);
        if let Some(c) = csv.comment {
            format = format.with_comment(c);
        }
        let schema = match &self.opts.schema {
            Some(s) => s.clone(),
            None => {
                let (s, _) = format
                    .infer_schema(Cursor::new(&head), Some(self.opts.infer_rows))
                    .map_err(|e| Error::arrow(format!("inferring the CSV schema of {name}"), e))?;
                // Timestamps are `ts` everywhere: nanoseconds, UTC (as NDJSON infers them);
                // a time without an offset is taken as UTC.
                let fields: Vec<Field> = s
                    .fields()
                    .iter()
                    .map(|f| match f.data_type() {
                        DataType::Timestamp(_, None) => {
                            Field::new(f.name(), super::schema::timestamp_type(), true)
                        }
                        _ => f.as_ref().clone(),
                    })
                    .collect();
                Arc::new(arrow::datatypes::Schema::new(fields))
            }
        };
        let reader = arrow::csv::ReaderBuilder::new(schema.clone())
            .with_format(format)
            .with_batch_size(self.opts.batch_size)
            .build(Cursor::new(head).chain(input))
            .map_err(|e| Error::arrow(format!("reading {name}"), e))?;
        Ok((schema, Box::new(reader)))
    }

    /// The next batch from any input, or `None` when all are done.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        match self.next_chunk(&mut LineChunk::default())? {
            None => Ok(None),
            Some(Chunk::Records(b)) => Ok(Some(b)),
            Some(Chunk::Lines) => Err(Error::Internal(format!(
                "{}: opened for object lines, read with next_chunk",
                self.current_name
            ))),
        }
    }

    /// The next batch, or with `object_lines` the next NDJSON lines (put in `lines`),
    /// from any input; `None` when all are done.
    pub fn next_chunk(&mut self, lines: &mut LineChunk) -> Result<Option<Chunk>> {
        loop {
            let next = match &mut self.current {
                None => return Ok(None),
                Some(Batches::Ndjson(src)) => {
                    let next = src.next_batch();
                    next.map_err(|e| relocate(&self.line_map, e))?
                        .map(Chunk::Records)
                }
                Some(Batches::Lines(src)) => {
                    let next = src.next_chunk(lines);
                    next.map_err(|e| relocate(&self.line_map, e))?
                        .then_some(Chunk::Lines)
                }
                Some(Batches::Arrow { name, batches, .. }) => match batches.next() {
                    None => None,
                    Some(Ok(b)) => Some(Chunk::Records(b)),
                    Some(Err(e)) => return Err(Error::arrow(format!("reading {name}"), e)),
                },
            };
            match next {
                Some(Chunk::Records(b)) if b.num_rows() == 0 => continue,
                Some(Chunk::Records(b)) => return Ok(Some(Chunk::Records(self.decorate(b)?))),
                Some(chunk) => return Ok(Some(chunk)),
                None => {
                    if let Some(err) = self.failure.take().and_then(|f| f.take()) {
                        self.current = None;
                        self.pending.clear();
                        return Err(err);
                    }
                    if !self.open_next()? {
                        self.current = None;
                        return Ok(None);
                    }
                }
            }
        }
    }
}

const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// Points an error in a rewritten JSON input back at the original text.
fn relocate(map: &Option<SharedLineMap>, e: Error) -> Error {
    match map {
        Some(m) => m.relocate(e),
        None => e,
    }
}

/// The union of every input's schema, for `--union-by-name`. Each input is opened once
/// to learn its schema (Parquet and Arrow from their metadata, NDJSON and CSV by
/// inference over the first records); stdin cannot be read twice and is left out.
fn union_schema(sources: &[Source], opts: &ReadOptions) -> Result<SchemaRef> {
    let single = ReadOptions {
        union_by_name: false,
        filename_column: None,
        ..opts.clone()
    };
    let mut fields = Vec::new();
    let mut first = String::new();
    for s in sources.iter().filter(|s| !matches!(s, Source::Stdin)) {
        let r = RecordReader::open(vec![s.clone()], single.clone())?;
        let name = s.name();
        if first.is_empty() {
            first = name.clone();
        }
        union::merge(&mut fields, &r.schema(), &name, &first)?;
    }
    Ok(union::to_schema(fields))
}

/// What `RecordReader::next_chunk` read.
pub enum Chunk {
    Records(RecordBatch),
    /// Object lines, in the `LineChunk` the caller passed.
    Lines,
}

impl Iterator for RecordReader {
    type Item = Result<RecordBatch>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().transpose()
    }
}
