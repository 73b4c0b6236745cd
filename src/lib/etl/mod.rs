//! `etl`: the record-stream workhorse. This module holds its command line; each
//! command lives in a module of its own.

pub mod agg;
pub mod convert;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod shape;

use clap::{Parser, Subcommand};

use crate::cli::{CommonArgs, InputArgs, Outcome, OutputArgs, Tool};
use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  etl convert logs.ndjson --out logs.parquet       NDJSON to Parquet
  etl convert data.arrow -o ndjson | head          Arrow IPC file to NDJSON
  cat events.ndjson | etl convert -o arrow > e.arrows
  etl schema logs.ndjson                           the inferred schema as JSON
  etl count logs.parquet other.parquet             records in both files

Exit status: 0 success, 1 failure, 2 usage error, 3 finished but records were lost or skipped.";

/// Convert, inspect and count record streams: NDJSON, Arrow IPC, Parquet and CSV.
#[derive(Debug, Parser)]
#[command(name = "etl", version, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert records from any input format to any output format
    ///
    /// Reads NDJSON, Arrow IPC (stream or file), Parquet or CSV and writes NDJSON, Arrow
    /// IPC, CSV, Parquet or a table. NDJSON schemas are inferred from the first records
    /// and widened when a later record needs it (int to float, null to a type, a new
    /// field) for outputs that allow it; otherwise the error names the line and field.
    /// Memory stays bounded: input is streamed batch by batch.
    #[command(after_help = "\
Examples:
  etl convert big.ndjson --out big.parquet
  etl convert big.ndjson -o arrow | etl convert -o ndjson
  etl convert --schema 'ts:timestamp,dev:utf8,value:float64' raw.ndjson --out raw.arrow
  producer | etl convert -o ndjson | head -1        streams live; a closed pipe is not an error")]
    Convert {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the schema of the input as JSON (inferred for NDJSON and CSV)
    ///
    /// The output can be edited and given back with --schema FILE.
    #[command(after_help = "\
Examples:
  etl schema logs.ndjson > logs.schema.json
  etl convert --schema logs.schema.json more-logs.ndjson --out more.parquet")]
    Schema {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Aggregate records by key, to the end of input or over event-time windows
    ///
    /// Without --window, one record per group at the end of the input. With --window,
    /// tumbling (or, with --slide, hopping) windows on the --time field, each emitted as
    /// soon as the watermark (largest time seen minus --lateness) passes its end, so it
    /// works on endless streams. Late records are counted and reported (exit status 3).
    #[command(after_help = "\
Examples:
  etl agg --by status --agg 'count(*), avg(latency_ms), p99(latency_ms)' access.ndjson
  spictl --device sim:mcp3008 sample --rate 1000 --count 5000 | etl agg --window 1s --agg 'avg(value), max(value)'
  netprobe tcp | etl agg --window 10s --by comm --agg 'count(*)' --lateness 2s")]
    Agg(agg::AggArgs),
    /// The first N records (stops reading as soon as it has them)
    #[command(after_help = "\
Examples:
  etl head -n 5 events.parquet -o table
  netprobe tcp | etl head -n 100 --out first100.arrow")]
    Head {
        /// How many records
        #[arg(short = 'n', long, default_value_t = 10)]
        lines: usize,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// The last N records (memory: only the batches that hold them)
    #[command(after_help = "\
Examples:
  etl tail -n 20 events.ndjson -o table")]
    Tail {
        /// How many records
        #[arg(short = 'n', long, default_value_t = 10)]
        lines: usize,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Turn nested objects into dotted columns (a.b.c), e.g. for CSV
    #[command(after_help = "\
Examples:
  etl flatten events.ndjson -o csv > events.csv
  etl flatten --separator _ events.parquet --out flat.parquet")]
    Flatten {
        /// Joins the names of nested fields
        #[arg(long, default_value = ".")]
        separator: String,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Count the records in the input (one record with a `count` field)
    #[command(after_help = "\
Examples:
  etl count logs.parquet
  netprobe tcp --duration 10s | etl count -o csv")]
    Count {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Read records from and write records to Kafka topics
    #[cfg(feature = "kafka")]
    #[command(subcommand)]
    Kafka(kafka::KafkaCommand),
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(Error::Usage("a command is required; see 'etl --help'".into()).into());
        };
        Ok(match command {
            Command::Convert { input, output } => convert::convert(&input, &output)?,
            Command::Schema { input } => convert::schema(&input)?,
            Command::Count { input, output } => convert::count(&input, &output)?,
            Command::Agg(args) => agg::agg(&args)?,
            Command::Head {
                lines,
                input,
                output,
            } => shape::head(&input, &output, lines)?,
            Command::Tail {
                lines,
                input,
                output,
            } => shape::tail(&input, &output, lines)?,
            Command::Flatten {
                separator,
                input,
                output,
            } => shape::flatten(&input, &output, &separator)?,
            #[cfg(feature = "kafka")]
            Command::Kafka(command) => kafka::run(command)?,
        })
    }
}
