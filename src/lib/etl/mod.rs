//! `etl`: the record-stream workhorse. This module holds its command line; each
//! command lives in a module of its own.

pub mod agg;
pub mod convert;
#[cfg(feature = "kafka")]
pub mod kafka;
pub mod plot;
pub mod shape;
pub mod sql;
pub mod summarize;

use clap::{Parser, Subcommand};

use crate::cli::{CommonArgs, InputArgs, Outcome, OutputArgs, Tool};
use crate::error::Error;

const EXAMPLES: &str = "\
Examples:
  etl convert logs.ndjson --out logs.parquet       NDJSON to Parquet
  etl convert 'logs/2026-*/*.gz' --out all.parquet  compressed logs, glob expanded by etl
  etl convert data.arrow -o ndjson | head          Arrow IPC file to NDJSON
  cat events.ndjson | etl convert -o arrow > e.arrows
  etl schema logs.ndjson                           the inferred schema as JSON
  etl count logs.parquet other.parquet             records in both files
  etl summarize logs.parquet                       per column: nulls, distinct, range, quantiles
  etl sql 'SELECT status, count(*) FROM input GROUP BY status' access.ndjson
  netprobe tcp | etl filter \"state = 'CLOSE' AND duration_ms > 100\" | etl select 'comm, daddr, duration_ms'

Exit status: 0 success, 1 failure, 2 usage error, 3 finished but records were lost or skipped.";

/// Convert, query, aggregate and reshape record streams: NDJSON, JSON, Arrow IPC, Parquet,
/// CSV and TSV, compressed or not.
#[derive(Debug, Parser)]
#[command(name = "etl", version, long_version = crate::cli::LONG_VERSION, after_help = EXAMPLES, arg_required_else_help = true)]
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
    /// Reads NDJSON, JSON arrays and pretty-printed JSON, Arrow IPC (stream or file, with
    /// or without buffer compression), Parquet (every codec) or CSV/TSV, each optionally
    /// gzip, zstd, bzip2, xz or lz4 compressed, all told from their content; writes NDJSON,
    /// Arrow IPC, CSV, TSV, Parquet or a table, compressed by --out's extension or
    /// --compress. NDJSON schemas are inferred from the first records
    /// and widened when a later record needs it (int to float, null to a type, a new
    /// field) for outputs that allow it; otherwise the error names the line and field.
    /// Memory stays bounded: input is streamed batch by batch.
    #[command(after_help = "\
Examples:
  etl convert big.ndjson --out big.parquet
  etl convert big.ndjson -o arrow | etl convert -o ndjson
  etl convert export.json.gz --out export.parquet --compression zstd --row-group-size 100000
  etl convert events.ndjson --partition-by date -o parquet --out events/   hive-style directory
  etl convert 'dumps/*' --union-by-name --filename --out merged.arrow
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
    /// Run a SQL query (Apache DataFusion) over the input, the table `input`
    ///
    /// More tables come from -t NAME=PATH. The query runs in parallel (--threads) and
    /// streams its result; sorts, joins and aggregations larger than --memory spill to
    /// disk. Only queries: no DDL, COPY or INSERT. Column names keep their case; quote
    /// names with dots or spaces ("a.b").
    #[command(after_help = "\
Examples:
  etl sql 'SELECT status, count(*) AS n, avg(latency_ms) FROM input GROUP BY status ORDER BY n DESC' access.ndjson
  etl sql -t users=users.parquet 'SELECT u.name, count(*) FROM input i JOIN users u ON i.uid = u.id GROUP BY u.name' events.ndjson
  etl sql 'SELECT *, avg(value) OVER (ORDER BY ts ROWS 9 PRECEDING) AS smooth FROM input' samples.arrow -o csv")]
    Sql(sql::SqlArgs),
    /// Keep the records for which a SQL condition is true
    ///
    /// The condition is a SQL expression (DataFusion), evaluated batch by batch: memory
    /// stays constant and a live pipe flows through as records arrive. NULL (a missing
    /// field) counts as false.
    #[command(after_help = "\
Examples:
  etl filter 'status >= 500' access.ndjson
  etl filter \"path LIKE '/api/%' AND latency_ms > 250\" access.ndjson -o table
  netprobe tcp | etl filter \"comm = 'curl'\"")]
    Filter {
        /// The condition, e.g. "status >= 500 AND method = 'POST'"
        #[arg(value_name = "CONDITION")]
        condition: String,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Compute columns from SQL expressions: 'EXPR [AS name], ...'
    ///
    /// Evaluated batch by batch like filter. '*' stands for every input column.
    #[command(after_help = "\
Examples:
  etl select 'ts, latency_ms / 1000.0 AS latency_s, upper(method) AS method' access.ndjson
  etl select '*, length(path) AS path_len' access.ndjson --out access.parquet")]
    Select {
        /// The expressions, comma separated
        #[arg(value_name = "EXPRS")]
        list: String,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Sort the whole input; larger than --memory it spills sorted runs to disk
    #[command(after_help = "\
Examples:
  etl sort --by 'ts' events.ndjson
  etl sort --by 'status DESC, latency_ms' --memory 256M huge.ndjson --out sorted.parquet")]
    Sort(sql::SortArgs),
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
    /// One record per column: type, counts, distinct values, range, mean, quantiles,
    /// the most frequent values and a histogram
    ///
    /// Like DuckDB's SUMMARIZE and Miller's summary, in one pass and bounded memory
    /// whatever the input's size. rows, count (non-null), nulls, min, max, mean and
    /// stddev (sample) are exact. distinct is exact up to --exact-distinct values per
    /// column, then a k-minimum-values sketch's estimate (distinct_exact: false); p1 to
    /// p99 come from a t-digest; top lists the most frequent values with their counts,
    /// exact while the column has at most --exact-distinct values, lower bounds after
    /// (top_exact: false). histogram draws the numbers' spread from min to max in
    /// block characters. min, max and the quantiles are text in the column's own
    /// terms (times as RFC 3339 UTC; quantiles of integer columns rounded to integers).
    /// Nested columns (structs, lists) get their counts only.
    #[command(after_help = "\
Examples:
  etl summarize access.ndjson
  etl summarize big.parquet -o ndjson | etl select 'column, nulls, distinct'
  spictl -d sim:mcp3008 sample --count 5000 | etl summarize --top 3")]
    Summarize(summarize::SummarizeArgs),
    /// Draw records as a chart: in the terminal, or into an SVG or PNG file
    ///
    /// line, area, scatter, bar, hist or heatmap, from any input format. Defaults come
    /// from the schema: x is the first timestamp column (a time axis) or the record
    /// number, y every numeric column; a text --x makes bars, each the sum of y over the
    /// records of its category (count them first with etl agg). Records are read once
    /// and summarized as they come, so millions of points are drawn in bounded memory:
    /// lines keep each pixel column's first, last, lowest and highest point (the line
    /// drawn looks the same), scatter plots a uniform sample of 50,000 points per series
    /// and heatmaps of 200,000, histograms fine counts; the chart says how many points it
    /// drew of how many it read, and how many were null. Values left out (<= 0 on a log
    /// axis, series past 12, bars past 500) are counted and make the exit status 3.
    /// --live redraws as records arrive (a rolling --span of a time axis), on the
    /// terminal or into --out, until the input ends or ^C, which leaves the last frame. Without --out the chart is drawn on stdout
    /// in Unicode braille, sized to the terminal and coloured unless NO_COLOR is set.
    #[command(after_help = "\
Examples:
  spictl -d sim:mcp3008 sample --rate 1000 --count 5000 | etl plot --kind line --x ts --y value
  etl plot --kind hist --y latency_ms --bins 50 access.parquet --out latency.png
  etl agg --by status --agg 'count(*) AS n' access.ndjson | etl plot --x status --y n --kind bar
  etl plot --x ts --y rtt_us --by comm --log-y tcp.arrow --out rtt.svg --title 'RTT by process'
  etl plot --kind heatmap --x bytes --y latency_ms --bins 60 access.ndjson --out heat.png
  netprobe tcp | etl agg --window 1s --agg 'count(*)' | etl plot --live --x window_start --y count --span 60s")]
    Plot(plot::PlotArgs),
    /// Run a continuous pipeline from a Kafka topic to a topic (or stdout), at least once
    ///
    /// Messages are decoded like 'etl kafka consume' (JSON payloads become columns next
    /// to topic, partition, offset, key, ts, headers), go through --filter/--select, a
    /// --sql query per micro-batch, or a --window aggregation, and the results are
    /// produced as JSON messages. Input offsets are committed only after the results
    /// that depend on them were acknowledged by the broker (for windows: once the window
    /// was emitted), so a crash or SIGKILL loses nothing; the restarted pipeline may
    /// repeat some results. Processes with the same group share the source partitions;
    /// each aggregates the partitions it owns, so partition the source by the --by key
    /// for whole groups. SIGINT/SIGTERM stop cleanly: open windows are left to the next run.
    #[cfg(feature = "kafka")]
    #[command(after_help = "\
Examples:
  etl run --from 'kafka://localhost:9092/events?group=errors' --filter 'status >= 500' --to kafka://localhost:9092/errors
  etl run --from 'kafka://localhost:9092/events?group=sel' --select 'ts, host, latency_ms / 1000.0 AS latency_s' --to 'kafka://localhost:9092/slim?key=host'
  etl run --from 'kafka://localhost:9092/events?group=minute' --window 1m --by host --agg 'count(*), p99(latency_ms)' --to kafka://localhost:9092/per-minute
  etl run --from 'kafka://localhost:9092/events?group=peek&from=end' --sql 'SELECT host, count(*) AS n FROM input GROUP BY host' --to - -o table
  etl run --from 'kafka://localhost:9092/events?group=once' --select 'host, status' --to - --until-end > snapshot.ndjson
  etl run --from 'kafka://localhost:9092/events?group=ok' --filter 'status >= 500' --to kafka://localhost:9092/errors --on-error dead-letter=kafka:events-bad

Exit status: 0 success, 1 failure (broker, topic, payload or delivery), 2 usage error,
3 finished but late or untimed records were left out of windows, or source messages were
set aside (--on-error).")]
    Run(kafka::run::RunArgs),
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
            Command::Summarize(args) => summarize::summarize(&args)?,
            Command::Plot(args) => plot::plot(&args)?,
            Command::Agg(args) => agg::agg(&args)?,
            Command::Sql(args) => sql::sql(&args)?,
            Command::Sort(args) => sql::sort(&args)?,
            Command::Filter {
                condition,
                input,
                output,
            } => sql::filter(&condition, &input, &output)?,
            Command::Select {
                list,
                input,
                output,
            } => sql::select(&list, &input, &output)?,
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
            Command::Run(args) => kafka::run::run(&args)?,
            #[cfg(feature = "kafka")]
            Command::Kafka(command) => kafka::run(command)?,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        crate::cli::assert_cli_conventions(<super::Cli as clap::CommandFactory>::command());
    }
}
