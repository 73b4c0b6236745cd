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

use super::lines::{LineChunk, ObjectLines};
use super::ndjson::{NdjsonSource, SchemaState};
use super::source::{read_prefix, sniff, InputFormat, Source};
use crate::error::{Error, Result};

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
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            batch_size: 8192,
            infer_rows: 1000,
            schema: None,
            format: None,
            object_lines: false,
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
    bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
}

impl RecordReader {
    pub fn open(sources: Vec<Source>, opts: ReadOptions) -> Result<Self> {
        let total_bytes = sources.iter().map(Source::file_size).sum::<Option<u64>>();
        let mut reader = RecordReader {
            pending: sources.into(),
            ndjson_state: opts.schema.clone().map(SchemaState::Given),
            opts,
            current: None,
            current_name: String::new(),
            schema: Arc::new(arrow::datatypes::Schema::empty()),
            bytes_read: Arc::default(),
            total_bytes,
        };
        reader.open_next()?;
        if let Some(b) = &reader.current {
            reader.schema = match b {
                Batches::Ndjson(src) => src.schema(),
                Batches::Lines(_) => reader.schema.clone(),
                Batches::Arrow { schema, .. } => schema.clone(),
            };
        }
        Ok(reader)
    }

    /// The schema of the first input (NDJSON may widen it later; each batch carries its own).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
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
        let opened = source.open(self.bytes_read.clone())?;
        let mut reader = opened.reader;
        let mut prefix = Vec::new();
        let format = match self.opts.format {
            Some(f) => f,
            None => {
                read_prefix(&mut reader, &mut prefix)
                    .map_err(|e| Error::io(format!("reading {name}"), e))?;
                sniff(&prefix, source.path()).map_err(|m| Error::Usage(format!("{name}: {m}")))?
            }
        };
        let batches = if format == InputFormat::Ndjson
            && self.opts.object_lines
            && self.opts.schema.is_none()
        {
            Batches::Lines(Box::new(ObjectLines::new(
                reader,
                prefix,
                opened.live_fd,
                name.clone(),
                self.opts.batch_size,
            )))
        } else if format == InputFormat::Ndjson {
            Batches::Ndjson(Box::new(NdjsonSource::new(
                reader,
                prefix,
                opened.live_fd,
                name.clone(),
                self.ndjson_state.take(),
                self.opts.batch_size,
                self.opts.infer_rows,
            )?))
        } else {
            let input: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(reader));
            self.open_columnar(format, input, &source, &name)?
        };
        if let Batches::Arrow { schema, .. } = &batches {
            if self.current_name.is_empty() {
                self.schema = schema.clone();
            } else if schema.fields() != self.schema.fields() {
                return Err(Error::Usage(format!(
                    "{name}: its schema differs from the first input's ({}); convert the inputs separately",
                    self.current_name
                )));
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
        source: &Source,
        name: &str,
    ) -> Result<Batches> {
        let arrow_err = |e: ArrowError| Error::arrow(format!("reading {name}"), e);
        let name = name.to_string();
        Ok(match format {
            InputFormat::Ndjson => unreachable!("NDJSON has its own source"),
            InputFormat::Arrow => {
                let r =
                    arrow::ipc::reader::StreamReader::try_new(input, None).map_err(arrow_err)?;
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
                if let Some(path) = source.path() {
                    let f = File::open(path)
                        .map_err(|e| Error::io(format!("cannot open {name}"), e))?;
                    let fr = arrow::ipc::reader::FileReader::try_new(f, None).map_err(arrow_err)?;
                    schema = fr.schema();
                    r = Box::new(fr);
                } else {
                    // The file format keeps its index at the end: stdin must be buffered.
                    let mut all = Vec::new();
                    input
                        .read_to_end(&mut all)
                        .map_err(|e| Error::io(format!("reading {name}"), e))?;
                    let fr = arrow::ipc::reader::FileReader::try_new(Cursor::new(all), None)
                        .map_err(arrow_err)?;
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
                let r = if let Some(path) = source.path() {
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
            InputFormat::Csv => {
                let (schema, reader) = self.open_csv(input, &name)?;
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
        let format = Format::default().with_header(true);
        let schema = match &self.opts.schema {
            Some(s) => s.clone(),
            None => {
                let (s, _) = format
                    .infer_schema(Cursor::new(&head), Some(self.opts.infer_rows))
                    .map_err(|e| Error::arrow(format!("inferring the CSV schema of {name}"), e))?;
                Arc::new(s)
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
            Some(Chunk::Lines) => Err(Error::Usage(format!(
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
                Some(Batches::Ndjson(src)) => src.next_batch()?.map(Chunk::Records),
                Some(Batches::Lines(src)) => src.next_chunk(lines)?.then_some(Chunk::Lines),
                Some(Batches::Arrow { name, batches, .. }) => match batches.next() {
                    None => None,
                    Some(Ok(b)) => Some(Chunk::Records(b)),
                    Some(Err(e)) => return Err(Error::arrow(format!("reading {name}"), e)),
                },
            };
            match next {
                Some(Chunk::Records(b)) if b.num_rows() == 0 => continue,
                Some(chunk) => return Ok(Some(chunk)),
                None => {
                    if !self.open_next()? {
                        self.current = None;
                        return Ok(None);
                    }
                }
            }
        }
    }
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
