//! Flags shared by the binaries, as clap argument groups to flatten into each command.

use std::path::PathBuf;

use clap::Args;

use crate::error::Result;
use crate::record::compress::Compression;
use crate::record::reader::CsvOptions;
use crate::record::rejects::OnError;
use crate::record::schema::parse_schema_arg;
use crate::record::table::{TableLayout, TableStyle};
use crate::record::writer::{parse_parquet_compression, IpcCompression, ParquetOptions};
use crate::record::{InputFormat, OutputFormat, ReadOptions, RecordReader, SinkOptions, Source};

/// Flags every binary has.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Print a man page or a shell completion script to stdout and exit
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        global = true,
        hide_possible_values = false
    )]
    pub generate: Option<super::generate::Generate>,
}

/// Where records come from.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Input files, read one after another ('-' or none: stdin); a directory is read
    /// whole (hive 'key=value' directories become columns) and a quoted glob pattern
    /// ('logs/2026-*/*.ndjson.gz') is expanded by the tool. NDJSON, JSON arrays and
    /// pretty-printed JSON, CSV/TSV, Arrow IPC stream or file and Parquet are recognised
    /// from their content, as are gzip, zstd, bzip2, xz and lz4 compression around them
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Force the input format instead of sniffing it
    #[arg(short = 'i', long = "input", value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    /// CSV/TSV: the field delimiter, one character ('\t' for a tab) [default: sniffed
    /// from the first lines]
    #[arg(long, value_name = "CHAR", value_parser = parse_char)]
    pub delimiter: Option<u8>,

    /// CSV/TSV: the quote character
    #[arg(long, value_name = "CHAR", value_parser = parse_char, default_value = "\"")]
    pub quote: u8,

    /// CSV/TSV: the first line is a record, not a header; columns are named column_1,
    /// column_2, ...
    #[arg(long)]
    pub no_header: bool,

    /// CSV/TSV: skip lines starting with this character (e.g. '#')
    #[arg(long, value_name = "CHAR", value_parser = parse_char)]
    pub comment: Option<u8>,

    /// Read inputs whose schemas differ as one: columns matched by name, missing ones
    /// null, types widened without loss (or an error naming both inputs)
    #[arg(long)]
    pub union_by_name: bool,

    /// Add a column [default name: filename] holding each record's source file
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "filename", require_equals = true)]
    pub filename: Option<String>,

    /// Rows per Arrow batch
    #[arg(long, default_value_t = 8192, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// NDJSON: infer the schema from the first N records
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub infer_rows: u32,

    /// NDJSON/CSV schema instead of inference: 'name:type,...' (types: int64, float64,
    /// utf8, bool, binary, timestamp, list<T>, struct<a:T,...>) or a JSON file as printed
    /// by 'etl schema'
    #[arg(long, value_name = "SCHEMA")]
    pub schema: Option<String>,

    /// NDJSON records that do not parse or fit the schema: fail (stop, naming the
    /// record), skip (leave out and count; exit status 3), or dead-letter=PATH (skip and
    /// append each, with where and why, to PATH as NDJSON)
    #[arg(long, value_name = "POLICY", default_value = "fail")]
    pub on_error: OnError,
}

impl InputArgs {
    /// The inputs, with directories and glob patterns expanded.
    pub fn sources(&self) -> Result<Vec<Source>> {
        Source::from_args(&self.files)
    }

    /// Opens the inputs these arguments name.
    pub fn open_reader(&self) -> Result<RecordReader> {
        RecordReader::open(self.sources()?, self.read_options()?)
    }

    pub fn read_options(&self) -> Result<ReadOptions> {
        Ok(ReadOptions {
            reporting: super::reporting(&self.on_error)?,
            batch_size: self.batch_size as usize,
            infer_rows: self.infer_rows as usize,
            schema: self.schema.as_deref().map(parse_schema_arg).transpose()?,
            format: self.input_format,
            object_lines: false,
            csv: CsvOptions {
                delimiter: self.delimiter,
                quote: self.quote,
                header: !self.no_header,
                comment: self.comment,
            },
            union_by_name: self.union_by_name,
            filename_column: self.filename.clone(),
            sequential: false,
        })
    }
}

/// Where records go.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Output format [default: table on a terminal, ndjson on a pipe, or from --out's
    /// extension]
    #[arg(
        short = 'o',
        long = "output",
        value_enum,
        value_name = "FORMAT",
        env = "PIPEKIT_OUTPUT"
    )]
    pub output_format: Option<OutputFormat>,

    /// Write to this file instead of stdout (.ndjson .arrow .arrows .csv .tsv .parquet,
    /// each optionally compressed: .gz .zst .bz2 .xz .lz4)
    #[arg(long = "out", value_name = "PATH")]
    pub path: Option<PathBuf>,

    /// Compress the output stream: gzip, zstd, bzip2, xz or lz4, with an optional
    /// :LEVEL [default: from --out's extension]
    #[arg(long, value_name = "CODEC[:LEVEL]")]
    pub compress: Option<Compression>,

    /// Parquet: the column codec: snappy, zstd[:LEVEL], gzip[:LEVEL], lz4, brotli[:LEVEL]
    /// or none [default: snappy]
    #[arg(long, value_name = "CODEC[:LEVEL]", value_parser = parse_parquet_compression)]
    pub compression: Option<parquet::basic::Compression>,

    /// Parquet: rows per row group [default: 1048576]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub row_group_size: Option<u64>,

    /// Parquet: write a hive-style directory at --out, one subdirectory per value of
    /// these columns (DIR/date=2026-12-01/part-0.parquet)
    #[arg(long, value_name = "COL[,COL]", value_delimiter = ',')]
    pub partition_by: Vec<String>,

    /// Arrow IPC: compress the record batch buffers
    #[arg(long, value_enum, value_name = "CODEC")]
    pub ipc_compression: Option<IpcCompression>,

    /// Table output: one row per record, or a block per record when the columns do not
    /// fit the terminal (auto leaves out columns without values first)
    #[arg(long, value_enum, default_value_t = TableLayout::Auto, value_name = "LAYOUT")]
    pub table_layout: TableLayout,
}

impl From<&OutputArgs> for SinkOptions {
    fn from(args: &OutputArgs) -> SinkOptions {
        args.sink_options()
    }
}

impl OutputArgs {
    pub fn sink_options(&self) -> SinkOptions {
        SinkOptions {
            format: self.output_format,
            path: self.path.clone(),
            compress: self.compress,
            parquet: ParquetOptions {
                compression: self.compression,
                row_group_size: self.row_group_size.map(|n| n as usize),
                partition_by: self.partition_by.clone(),
            },
            ipc_compression: self.ipc_compression,
            table: TableStyle {
                width: super::terminal_width(),
                bold: super::color_enabled(),
                layout: self.table_layout,
            },
        }
    }
}

/// One byte given as a character (`;`), or an escape (`\t`, `tab`).
fn parse_char(s: &str) -> std::result::Result<u8, String> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "'{s}' is not one ASCII character (use '\\t' for a tab)"
        )),
    }
}

/// Parses a duration flag: `250ns`, `10us`, `500ms`, `10s`, `5m`, `1h`, or a bare number
/// of seconds. Shared by every tool so `--window`, `--duration` and friends agree.
pub fn parse_duration(s: &str) -> std::result::Result<std::time::Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a duration (try 500ms, 10s, 5m, 1h)"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ns" => n / 1e9,
        "us" => n / 1e6,
        "ms" => n / 1e3,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => {
            return Err(format!(
                "unknown unit '{u}' in '{s}' (ns, us, ms, s, m or h)"
            ))
        }
    };
    std::time::Duration::try_from_secs_f64(secs).map_err(|e| format!("'{s}': {e}"))
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250ns"), Ok(Duration::from_nanos(250)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
