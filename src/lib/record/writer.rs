//! The writers: NDJSON, Arrow IPC stream and file, CSV, Parquet and a terminal table,
//! behind one `RecordSink` trait. Every sink flushes after each batch, so a live stream
//! (whose batches are small) reaches the next program record by record while bulk
//! conversion writes large blocks.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{DataType, FieldRef, SchemaRef, TimestampNanosecondType};
use arrow::error::ArrowError;
use arrow::json::writer::{Encoder, EncoderFactory, EncoderOptions, NullableEncoder};
use arrow::record_batch::RecordBatch;

use super::compress::{split_level, Codec, Compression, Encoder as StreamEncoder};
use super::staged::StagedFile;
use super::table::{TableSink, TableStyle};
use super::text::{TS_NAIVE_FORMAT, TS_TZ_FORMAT, TS_UTC_FORMAT};
use crate::error::{Error, Location, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per line.
    Ndjson,
    /// Arrow IPC stream (Arrow IPC file when --out ends in .arrow).
    Arrow,
    /// Arrow IPC file format (needs the whole output: --out or a redirect).
    ArrowFile,
    Csv,
    /// Tab separated values, with a header.
    Tsv,
    Parquet,
    /// Aligned columns for people, truncated to the terminal width.
    Table,
}

impl OutputFormat {
    /// The format a file name says, looking past a compression extension
    /// (`x.ndjson.gz` is NDJSON).
    fn from_extension(path: &Path) -> Option<OutputFormat> {
        Some(match Codec::inner_extension(path)?.as_str() {
            "ndjson" | "jsonl" | "json" => OutputFormat::Ndjson,
            "arrow" | "feather" | "ipc" => OutputFormat::ArrowFile,
            "arrows" => OutputFormat::Arrow,
            "csv" => OutputFormat::Csv,
            "tsv" | "tab" => OutputFormat::Tsv,
            "parquet" | "pq" => OutputFormat::Parquet,
            "txt" => OutputFormat::Table,
            _ => return None,
        })
    }

    fn is_binary(self) -> bool {
        matches!(
            self,
            OutputFormat::Arrow | OutputFormat::ArrowFile | OutputFormat::Parquet
        )
    }
}

/// Where and how to write: built from the shared `-o/--output` and `--out` flags.
#[derive(Debug, Clone, Default)]
pub struct SinkOptions {
    pub format: Option<OutputFormat>,
    pub path: Option<PathBuf>,
    /// Compress the whole output stream (`--compress`, or `--out`'s `.gz`/`.zst`/...).
    pub compress: Option<Compression>,
    /// Parquet: column codec, row group size and hive partitioning.
    pub parquet: ParquetOptions,
    /// Arrow IPC: buffer compression.
    pub ipc_compression: Option<IpcCompression>,
    /// `-o table`: the terminal's width and whether the header may be bold.
    pub table: TableStyle,
}

/// `--ipc-compression`: the buffer compressions the Arrow IPC format defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum IpcCompression {
    Lz4,
    Zstd,
}

impl SinkOptions {
    /// The stream compression: `--compress`, else what `--out`'s extension says.
    pub fn compression(&self) -> Option<Compression> {
        self.compress.or_else(|| {
            let codec = Codec::from_extension(self.path.as_deref()?)?;
            Some(Compression { codec, level: None })
        })
    }

    /// The format that will be written: `-o`, else the `--out` extension, else a table
    /// on a terminal and NDJSON on a pipe.
    pub fn resolve(&self) -> Result<OutputFormat> {
        let by_ext = self.path.as_deref().and_then(OutputFormat::from_extension);
        let format = match (self.format, by_ext) {
            (Some(OutputFormat::Arrow), Some(OutputFormat::ArrowFile)) => OutputFormat::ArrowFile,
            (Some(f), _) => f,
            (None, Some(f)) => f,
            // A partitioned output is a directory of Parquet files.
            (None, None) if !self.parquet.partition_by.is_empty() => OutputFormat::Parquet,
            (None, None) if self.path.is_some() => {
                return Err(Error::Usage(format!(
                    "--out {}: cannot tell the format from the extension; add -o FORMAT",
                    self.path.as_ref().unwrap().display()
                )))
            }
            (None, None) if io::stdout().is_terminal() && self.compress.is_none() => {
                OutputFormat::Table
            }
            (None, None) => OutputFormat::Ndjson,
        };
        let compressed = self.compress.is_some();
        if self.path.is_none() && (format.is_binary() || compressed) && io::stdout().is_terminal() {
            return Err(Error::Usage(format!(
                "refusing to write binary {format:?} output to a terminal; redirect it, use --out PATH, or -o table"
            )));
        }
        Ok(format)
    }
}

/// Something that takes record batches.
pub trait RecordSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()>;
    /// Writes any footer and flushes.
    fn finish(self: Box<Self>) -> Result<()>;
}

/// Opens the sink the options ask for; `schema` is the schema of the first batch.
pub fn open_sink(opts: &SinkOptions, schema: &SchemaRef) -> Result<Box<dyn RecordSink>> {
    let format = opts.resolve()?;
    if !opts.parquet.partition_by.is_empty() {
        if format != OutputFormat::Parquet {
            return Err(Error::Usage(
                "--partition-by writes a directory of Parquet files: add --out DIR -o parquet"
                    .into(),
            ));
        }
        return Ok(Box::new(super::partition::PartitionedSink::new(
            opts, schema,
        )?));
    }
    let out = open_output(opts)?;
    let what = || writing(opts.path.as_deref());
    Ok(match format {
        OutputFormat::Ndjson => Box::new(NdjsonSink::new(out, schema, what())),
        OutputFormat::Table if opts.compression().is_some() => {
            return Err(Error::Usage(
                "a table is for reading on a terminal: compress ndjson, csv, arrow or parquet output instead".into(),
            ))
        }
        OutputFormat::Table => Box::new(TableSink::new(out, opts.table)),
        OutputFormat::Csv | OutputFormat::Tsv => {
            reject_nested(schema, "CSV")?;
            let w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .with_delimiter(if format == OutputFormat::Tsv { b'\t' } else { b',' })
                .with_timestamp_tz_format(TS_UTC_FORMAT.to_string())
                .with_timestamp_format(TS_NAIVE_FORMAT.to_string())
                .build(out);
            Box::new(CsvSink {
                w,
                schema: schema.clone(),
                what: what(),
            })
        }
        OutputFormat::Arrow => {
            let w = arrow::ipc::writer::StreamWriter::try_new_with_options(
                out,
                schema,
                ipc_write_options(opts)?,
            )
            .map_err(|e| Error::arrow(what(), e))?;
            Box::new(IpcSink {
                w: Ipc::Stream(w),
                schema: schema.clone(),
                what: what(),
            })
        }
        OutputFormat::ArrowFile => {
            let w = arrow::ipc::writer::FileWriter::try_new_with_options(
                out,
                schema,
                ipc_write_options(opts)?,
            )
            .map_err(|e| Error::arrow(what(), e))?;
            Box::new(IpcSink {
                w: Ipc::File(w),
                schema: schema.clone(),
                what: what(),
            })
        }
        OutputFormat::Parquet => Box::new(ParquetSink::new(out, schema, &opts.parquet, what())?),
    })
}

fn ipc_write_options(opts: &SinkOptions) -> Result<arrow::ipc::writer::IpcWriteOptions> {
    use arrow::ipc::CompressionType;
    let codec = opts.ipc_compression.map(|c| match c {
        IpcCompression::Lz4 => CompressionType::LZ4_FRAME,
        IpcCompression::Zstd => CompressionType::ZSTD,
    });
    arrow::ipc::writer::IpcWriteOptions::default()
        .try_with_compression(codec)
        .map_err(|e| Error::arrow("setting the Arrow IPC compression", e))
}

/// A sink opened when the first batch arrives, with that batch's schema: tools that
/// learn their schema from the data (or widen it) write through this.
pub struct LazySink {
    opts: SinkOptions,
    sink: Option<Box<dyn RecordSink>>,
}

impl LazySink {
    pub fn new(opts: SinkOptions) -> Self {
        LazySink { opts, sink: None }
    }

    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let sink = match &mut self.sink {
            Some(s) => s,
            None => self.sink.insert(open_sink(&self.opts, &batch.schema())?),
        };
        sink.write(batch)
    }

    /// Finishes the output. If no batch came, `empty_schema` makes a valid empty output
    /// (e.g. an Arrow file with only its schema); `None` writes nothing at all.
    pub fn finish(self, empty_schema: Option<&SchemaRef>) -> Result<()> {
        match (self.sink, empty_schema) {
            (Some(s), _) => s.finish(),
            (None, Some(schema)) => open_sink(&self.opts, schema)?.finish(),
            (None, None) => Ok(()),
        }
    }
}

pub type Out = BufWriter<Destination>;

/// Where output bytes go: a file or stdout, compressed or not.
pub enum Destination {
    Plain(RawOut),
    Compressed(Box<StreamEncoder<RawOut>>),
}

impl Write for Destination {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Plain(w) => w.write(buf),
            Destination::Compressed(w) => w.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Destination::Plain(w) => w.flush(),
            Destination::Compressed(w) => w.flush(),
        }
    }
}

/// Flushes `out`, ends its compressed stream, if any, and gives an output file its
/// name (see `staged`): the last step of every sink. An `Out` dropped without it
/// leaves no output file.
pub fn close(out: Out) -> io::Result<()> {
    let dest = out.into_inner().map_err(|e| e.into_error())?;
    match dest {
        Destination::Plain(w) => w.commit(),
        Destination::Compressed(e) => e.finish()?.commit(),
    }
}

/// The output the options name (file or stdout), compressed as they say.
pub fn open_output(opts: &SinkOptions) -> Result<Out> {
    let raw = raw_destination(opts.path.as_deref())?;
    let dest = match opts.compression() {
        None => Destination::Plain(raw),
        Some(c) => {
            let enc = StreamEncoder::new(raw, c)
                .map_err(|e| Error::io(writing(opts.path.as_deref()), e))?;
            Destination::Compressed(Box::new(enc))
        }
    };
    Ok(BufWriter::with_capacity(1 << 18, dest))
}

/// What errors say a write to `path` (or stdout, for none) was doing.
pub fn writing(path: Option<&Path>) -> String {
    match path {
        Some(p) => format!("writing {}", p.display()),
        None => "writing stdout".to_string(),
    }
}

/// The file at `path`, or stdout, buffered; the caller decides when to flush.
pub fn open_destination(path: Option<&Path>) -> Result<Out> {
    Ok(BufWriter::with_capacity(
        1 << 18,
        Destination::Plain(raw_destination(path)?),
    ))
}

/// The file at `path` (staged: it appears when closed), or stdout, unbuffered.
fn raw_destination(path: Option<&Path>) -> Result<RawOut> {
    Ok(match path {
        None => RawOut::Stdout(StdoutRaw),
        Some(p) => RawOut::File(
            StagedFile::create(p)
                .map_err(|e| Error::io(format!("cannot create {}", p.display()), e))?,
        ),
    })
}

/// Stdout, or an output file that takes its name only when complete.
pub enum RawOut {
    Stdout(StdoutRaw),
    File(StagedFile),
}

impl RawOut {
    fn commit(self) -> io::Result<()> {
        match self {
            RawOut::Stdout(mut w) => w.flush(),
            RawOut::File(f) => f.commit(),
        }
    }
}

impl Write for RawOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            RawOut::Stdout(w) => w.write(buf),
            RawOut::File(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            RawOut::Stdout(w) => w.flush(),
            RawOut::File(f) => f.flush(),
        }
    }
}

/// Stdout without std's line buffering: we decide when to flush.
pub struct StdoutRaw;

impl Write for StdoutRaw {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            // SAFETY: buf is valid for reads of buf.len() bytes.
            let n = unsafe { libc::write(1, buf.as_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn reject_nested(schema: &SchemaRef, format: &str) -> Result<()> {
    for f in schema.fields() {
        if f.data_type().is_nested() {
            return Err(Error::Usage(format!(
                "{format} cannot hold the nested column '{}' ({}); write NDJSON, Arrow or Parquet instead",
                f.name(),
                super::schema::type_to_string(f.data_type())
            )));
        }
    }
    Ok(())
}

/// Formats that fix their schema in a header cannot follow a schema that widens mid-stream.
fn same_schema(expected: &SchemaRef, batch: &RecordBatch, format: &str) -> Result<()> {
    if expected.fields() == batch.schema().fields() {
        return Ok(());
    }
    Err(Error::data(
        Location::of("the input"),
        format!(
            "its schema widened after the {format} header was written (now {})",
            super::schema::type_to_string(&DataType::Struct(batch.schema().fields().clone()))
        ),
    )
    .with_hint("give --schema, or a larger --infer-rows, or write NDJSON"))
}

struct NdjsonSink {
    w: arrow::json::Writer<Out, arrow::json::writer::LineDelimited>,
    /// "writing PATH" (or stdout), for errors.
    what: String,
}

/// arrow-json configured with pipekit's NDJSON conventions (RFC 3339 timestamps with
/// nanoseconds, nulls left out). Also used where records become messages (Kafka).
pub fn ndjson_writer_builder(schema: &SchemaRef) -> arrow::json::WriterBuilder {
    let utc = schema.fields().iter().all(|f| match f.data_type() {
        DataType::Timestamp(_, Some(tz)) => is_utc(tz),
        _ => true,
    });
    let builder = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(false)
        .with_timestamp_tz_format(if utc { TS_UTC_FORMAT } else { TS_TZ_FORMAT }.to_string())
        .with_timestamp_format(TS_NAIVE_FORMAT.to_string());
    if utc {
        builder.with_encoder_factory(Arc::new(UtcTimestamps))
    } else {
        builder
    }
}

fn is_utc(tz: &str) -> bool {
    matches!(tz, "UTC" | "+00:00" | "Z")
}

/// Writes Timestamp(ns, UTC) values in `TS_UTC_FORMAT` with `text::push_ts_utc`, the
/// same text arrow-json would print through chrono, at a fraction of the cost.
#[derive(Debug)]
struct UtcTimestamps;

impl EncoderFactory for UtcTimestamps {
    fn make_default_encoder<'a>(
        &self,
        _field: &'a FieldRef,
        array: &'a dyn Array,
        _options: &'a EncoderOptions,
    ) -> std::result::Result<Option<NullableEncoder<'a>>, ArrowError> {
        let Some(ts) = array.as_primitive_opt::<TimestampNanosecondType>() else {
            return Ok(None);
        };
        if !ts.timezone().is_some_and(is_utc) {
            return Ok(None);
        }
        let values = ts.values().clone();
        Ok(Some(NullableEncoder::new(
            Box::new(UtcTimestampEncoder(values)),
            ts.nulls().cloned(),
        )))
    }
}

struct UtcTimestampEncoder(ScalarBuffer<i64>);

impl Encoder for UtcTimestampEncoder {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        out.push(b'"');
        super::text::push_ts_utc(self.0[idx], out);
        out.push(b'"');
    }
}

impl NdjsonSink {
    fn new(out: Out, schema: &SchemaRef, what: String) -> Self {
        let w = ndjson_writer_builder(schema).build(out);
        NdjsonSink { w, what }
    }
}

impl RecordSink for NdjsonSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.w
            .write(batch)
            .map_err(|e| Error::arrow(&self.what, e))?;
        self.w
            .get_mut()
            .flush()
            .map_err(|e| Error::io(&self.what, e))
    }
    fn finish(mut self: Box<Self>) -> Result<()> {
        self.w.finish().map_err(|e| Error::arrow(&self.what, e))?;
        let what = self.what;
        close(self.w.into_inner()).map_err(|e| Error::io(what, e))
    }
}

struct CsvSink {
    w: arrow::csv::Writer<Out>,
    schema: SchemaRef,
    what: String,
}

impl RecordSink for CsvSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        same_schema(&self.schema, batch, "CSV")?;
        // arrow's CSV writer flushes its destination after every batch.
        self.w.write(batch).map_err(|e| Error::arrow(&self.what, e))
    }
    fn finish(self: Box<Self>) -> Result<()> {
        let what = self.what;
        close(self.w.into_inner()).map_err(|e| Error::io(what, e))
    }
}

enum Ipc {
    Stream(arrow::ipc::writer::StreamWriter<Out>),
    File(arrow::ipc::writer::FileWriter<Out>),
}

struct IpcSink {
    w: Ipc,
    schema: SchemaRef,
    what: String,
}

impl RecordSink for IpcSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        same_schema(&self.schema, batch, "Arrow")?;
        let r = match &mut self.w {
            Ipc::Stream(w) => w.write(batch).and_then(|_| w.flush()),
            Ipc::File(w) => w.write(batch),
        };
        r.map_err(|e| Error::arrow(self.what.clone(), e))
    }
    fn finish(self: Box<Self>) -> Result<()> {
        let what = self.what;
        let out = match self.w {
            Ipc::Stream(mut w) => w.finish().and_then(|_| w.into_inner()),
            Ipc::File(mut w) => w.finish().and_then(|_| w.into_inner()),
        };
        let out = out.map_err(|e| Error::arrow(what.clone(), e))?;
        close(out).map_err(|e| Error::io(what, e))
    }
}

/// `--compression`, `--row-group-size` and `--partition-by`: how Parquet is written.
#[derive(Debug, Clone, Default)]
pub struct ParquetOptions {
    /// The column codec; snappy (what pyarrow and Spark write by default) when unset.
    pub compression: Option<parquet::basic::Compression>,
    pub row_group_size: Option<usize>,
    /// Columns whose values name hive-style directories (`col=value/`).
    pub partition_by: Vec<String>,
}

impl ParquetOptions {
    /// Writer properties: the codec, the row group size, and statistics per page, so the
    /// footer carries column chunk statistics and the page index (column and offset
    /// index) that DuckDB, Polars and Spark prune on.
    pub fn properties(&self) -> parquet::file::properties::WriterProperties {
        use parquet::file::properties::{EnabledStatistics, WriterProperties};
        let mut b = WriterProperties::builder()
            .set_compression(
                self.compression
                    .unwrap_or(parquet::basic::Compression::SNAPPY),
            )
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_created_by(concat!("pipekit version ", env!("CARGO_PKG_VERSION")).to_string());
        if let Some(n) = self.row_group_size {
            b = b.set_max_row_group_row_count(Some(n.max(1)));
        }
        b.build()
    }
}

/// Parses `--compression snappy|zstd[:LEVEL]|gzip[:LEVEL]|lz4|brotli[:LEVEL]|none`.
pub fn parse_parquet_compression(
    s: &str,
) -> std::result::Result<parquet::basic::Compression, String> {
    use parquet::basic::{BrotliLevel, Compression as C, GzipLevel, ZstdLevel};
    let (name, level) = split_level(s)?;
    let bad = |e: parquet::errors::ParquetError| e.to_string();
    let no_level = |c: C| match level {
        Some(l) => Err(format!("{name} takes no level (got {l})")),
        None => Ok(c),
    };
    match name.to_ascii_lowercase().as_str() {
        "snappy" => no_level(C::SNAPPY),
        "lz4" | "lz4_raw" => no_level(C::LZ4_RAW),
        "none" | "uncompressed" => no_level(C::UNCOMPRESSED),
        "zstd" => Ok(C::ZSTD(match level {
            Some(l) => ZstdLevel::try_new(l as i32).map_err(bad)?,
            None => ZstdLevel::default(),
        })),
        "gzip" => Ok(C::GZIP(match level {
            Some(l) => GzipLevel::try_new(l).map_err(bad)?,
            None => GzipLevel::default(),
        })),
        "brotli" => Ok(C::BROTLI(match level {
            Some(l) => BrotliLevel::try_new(l).map_err(bad)?,
            None => BrotliLevel::default(),
        })),
        other => Err(format!(
            "unknown Parquet compression '{other}' (snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL] or none)"
        )),
    }
}

pub(super) struct ParquetSink {
    w: parquet::arrow::ArrowWriter<Out>,
    schema: SchemaRef,
    what: String,
}

impl ParquetSink {
    pub(super) fn new(
        out: Out,
        schema: &SchemaRef,
        opts: &ParquetOptions,
        what: String,
    ) -> Result<Self> {
        let w = parquet::arrow::ArrowWriter::try_new(out, schema.clone(), Some(opts.properties()))
            .map_err(|e| Error::parquet(what.clone(), e))?;
        Ok(ParquetSink {
            w,
            schema: schema.clone(),
            what,
        })
    }
}

impl RecordSink for ParquetSink {
    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        same_schema(&self.schema, batch, "Parquet")?;
        let what = &self.what;
        self.w
            .write(batch)
            .map_err(|e| Error::parquet(what.clone(), e))
    }
    fn finish(self: Box<Self>) -> Result<()> {
        let what = self.what;
        let out = self
            .w
            .into_inner()
            .map_err(|e| Error::parquet(what.clone(), e))?;
        close(out).map_err(|e| Error::io(what, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{ReadOptions, RecordReader, Source};
    use arrow::array::{BinaryArray, Int64Array, StringArray, TimestampNanosecondArray};
    use arrow::datatypes::{Field, Schema};
    use std::sync::Arc;

    fn sample() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("ts", super::super::schema::timestamp_type(), true),
            Field::new("n", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("payload", DataType::Binary, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(
                    TimestampNanosecondArray::from(vec![Some(1_500_000_000_123_456_789), None])
                        .with_timezone("UTC"),
                ),
                Arc::new(Int64Array::from(vec![Some(i64::MAX), None])),
                Arc::new(StringArray::from(vec![Some("é \"q\""), None])),
                Arc::new(BinaryArray::from(vec![Some(&[0xde_u8, 0xad][..]), None])),
            ],
        )
        .unwrap()
    }

    fn write_to(path: &Path, format: Option<OutputFormat>) {
        let opts = SinkOptions {
            format,
            path: Some(path.to_path_buf()),
            ..SinkOptions::default()
        };
        let batch = sample();
        let mut sink = open_sink(&opts, &batch.schema()).unwrap();
        sink.write(&batch).unwrap();
        sink.finish().unwrap();
    }

    #[test]
    fn ndjson_uses_the_contract_conventions() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.ndjson");
        write_to(&p, None);
        let text = std::fs::read_to_string(&p).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(
            first,
            r#"{"ts":"2017-07-14T02:40:00.123456789Z","n":9223372036854775807,"s":"é \"q\"","payload":"dead"}"#
        );
        assert_eq!(text.lines().nth(1).unwrap(), "{}");
    }

    #[test]
    fn every_binary_format_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["o.arrow", "o.arrows", "o.parquet"] {
            let p = dir.path().join(name);
            write_to(&p, None);
            let reader =
                RecordReader::open(vec![Source::Path(p.clone())], ReadOptions::default()).unwrap();
            let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
            assert_eq!(batches.len(), 1, "{name}");
            assert_eq!(batches[0], sample(), "{name}");
        }
    }

    #[test]
    fn csv_writes_header_and_rejects_nested() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("o.csv");
        write_to(&p, None);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("ts,n,s,payload\n2017-07-14T02:40:00.123456789Z,9223372036854775807,"),
            "{text}"
        );
        let nested = Arc::new(Schema::new(vec![Field::new(
            "l",
            DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            true,
        )]));
        let opts = SinkOptions {
            format: Some(OutputFormat::Csv),
            path: Some(dir.path().join("n.csv")),
            ..SinkOptions::default()
        };
        assert!(open_sink(&opts, &nested)
            .err()
            .unwrap()
            .to_string()
            .contains("nested column 'l'"));
    }

    #[test]
    fn format_follows_extension() {
        let o = |f, p: &str| {
            SinkOptions {
                format: f,
                path: Some(p.into()),
                ..SinkOptions::default()
            }
            .resolve()
            .unwrap()
        };
        assert_eq!(o(None, "a.parquet"), OutputFormat::Parquet);
        assert_eq!(
            o(Some(OutputFormat::Arrow), "a.arrow"),
            OutputFormat::ArrowFile
        );
        assert_eq!(o(None, "a.arrows"), OutputFormat::Arrow);
        assert!(SinkOptions {
            format: None,
            path: Some("a.xyz".into()),
            ..SinkOptions::default()
        }
        .resolve()
        .is_err());
    }
}
