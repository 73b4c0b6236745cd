//! `etl sql`, `etl sort`, `etl filter` and `etl select`: SQL over record streams.
//!
//! `sql` and `sort` run a DataFusion query plan (parallel, spilling to disk past
//! `--memory`); `filter` and `select` evaluate their expressions batch by batch so a
//! live pipe flows through record by record in constant memory.

use std::path::PathBuf;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use clap::Args;
use datafusion::execution::SendableRecordBatchStream;
use datafusion::physical_plan::{execute_stream, ExecutionPlan};
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;
use futures::StreamExt;

use super::convert::stream;
use crate::cli::{warn, InputArgs, Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::expr::table::{self, Failure};
use crate::expr::with_schema;
use crate::expr::{session, Predicate, Projection, SessionOptions};
use crate::record::{LazySink, Source};

/// How a query may use the machine.
#[derive(Debug, Clone, Args)]
pub struct QueryArgs {
    /// Worker threads and partitions for the query [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub threads: Option<u32>,

    /// Memory for sorts, joins and aggregations (e.g. 512M, 2G); past it they spill
    /// to disk [default: no limit]
    #[arg(long, value_name = "BYTES", value_parser = parse_bytes)]
    pub memory: Option<usize>,

    /// Directory for spill files [default: the system temporary directory]
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
}

impl QueryArgs {
    fn session_options(&self) -> SessionOptions {
        SessionOptions {
            threads: self.threads.map(|n| n as usize),
            memory_limit: self.memory,
            temp_dir: self.temp_dir.clone(),
        }
    }
}

/// `512M`, `2G`, `64k` or a plain number of bytes (binary multiples).
pub fn parse_bytes(s: &str) -> std::result::Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: usize = num
        .parse()
        .map_err(|_| format!("'{s}' is not a size (try 512M or 2G)"))?;
    let shift = match unit
        .trim()
        .to_ascii_lowercase()
        .trim_end_matches(['b', 'i'])
    {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        u => return Err(format!("unknown unit '{u}' in '{s}' (k, M, G or T)")),
    };
    n.checked_mul(1usize << shift)
        .ok_or_else(|| format!("'{s}' is too large"))
}

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The query. The input records are the table `input`
    #[arg(value_name = "QUERY")]
    pub query: String,

    /// Another table for the query: NAME=PATH (NDJSON, Arrow, Parquet or CSV)
    #[arg(short = 't', long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,

    #[command(flatten)]
    pub query_args: QueryArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SortArgs {
    /// Sort keys, as in SQL's ORDER BY: 'ts', 'status DESC, latency_ms'
    #[arg(long, value_name = "KEYS")]
    pub by: String,

    #[command(flatten)]
    pub query_args: QueryArgs,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Runs a SQL query over the input and the `-t` tables.
pub fn sql(args: &SqlArgs) -> Result<Outcome> {
    let ctx = session(&args.query_args.session_options())?;
    let failure = Failure::default();
    // Query only `-t` tables from a terminal: do not wait for a stdin nobody types into.
    let stdin_idle =
        args.input.files.is_empty() && std::io::IsTerminal::is_terminal(&std::io::stdin());
    if !stdin_idle {
        table::register(
            &ctx,
            "input",
            args.input.sources()?,
            args.input.read_options()?,
            &failure,
        )?;
    }
    for spec in &args.tables {
        let (name, path) = spec.split_once('=').ok_or_else(|| {
            Error::Usage(format!(
                "-t '{spec}': expected NAME=PATH, e.g. -t users=users.parquet"
            ))
        })?;
        let mut opts = args.input.read_options()?;
        // --schema and -i describe the main input; other tables are sniffed.
        opts.schema = None;
        opts.format = None;
        table::register(
            &ctx,
            name,
            Source::from_args(&[PathBuf::from(path)])?,
            opts,
            &failure,
        )?;
    }
    run_query(&ctx, &args.query, &args.output, &failure)
}

/// Sorts the whole input; past `--memory` it spills sorted runs to disk and merges them.
pub fn sort(args: &SortArgs) -> Result<Outcome> {
    let ctx = session(&args.query_args.session_options())?;
    let failure = Failure::default();
    table::register(
        &ctx,
        "input",
        args.input.sources()?,
        args.input.read_options()?,
        &failure,
    )?;
    let query = format!("SELECT * FROM input ORDER BY {}", args.by);
    run_query(&ctx, &query, &args.output, &failure)
}

/// A query run on each micro-batch of an endless stream (`etl run --sql`): the
/// batch is the table `input`. Planned per batch (a millisecond or so), so a widened
/// input schema just works; aggregates see one batch, not the stream.
pub struct BatchQuery {
    ctx: SessionContext,
    rt: tokio::runtime::Runtime,
    query: String,
}

impl BatchQuery {
    pub fn new(query: &str) -> Result<BatchQuery> {
        check_single_statement(query)?;
        let ctx = session(&crate::expr::SessionOptions {
            threads: Some(1),
            ..Default::default()
        })?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| Error::io("starting the query runtime", e))?;
        Ok(BatchQuery {
            ctx,
            rt,
            query: query.to_string(),
        })
    }

    /// The query's result over this batch (possibly no rows).
    pub fn run(&self, batch: &RecordBatch) -> Result<Vec<RecordBatch>> {
        let table =
            datafusion::datasource::MemTable::try_new(batch.schema(), vec![vec![batch.clone()]])
                .map_err(|e| Error::sql("table 'input'", e))?;
        self.ctx
            .deregister_table("input")
            .map_err(|e| Error::sql("table 'input'", e))?;
        self.ctx
            .register_table("input", std::sync::Arc::new(table))
            .map_err(|e| Error::sql("table 'input'", e))?;
        self.rt.block_on(async {
            let plan = plan_query(&self.ctx, &self.query).await?;
            let schema = plan.schema();
            let stream = execute_stream(plan, self.ctx.task_ctx())
                .map_err(|e| Error::sql("running the query", e))?;
            let mut out = Vec::new();
            drain(stream, &schema, |b| {
                out.push(b);
                Ok(())
            })
            .await?;
            Ok(out)
        })
    }
}

/// Plans a read-only query: no DDL, no COPY, no INSERT.
async fn plan_query(
    ctx: &SessionContext,
    query: &str,
) -> Result<std::sync::Arc<dyn ExecutionPlan>> {
    let options = datafusion::execution::context::SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false);
    let df = ctx
        .sql_with_options(query, options)
        .await
        .map_err(|e| Error::Usage(format!("in query: {}", e.strip_backtrace())))?;
    df.create_physical_plan()
        .await
        .map_err(|e| Error::sql("planning the query", e))
}

fn runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .thread_name("etl-query")
        .build()
        .map_err(|e| Error::io("starting the query threads", e))
}

/// Plans `query` (read-only: no DDL, no COPY, no INSERT) and writes its result batch
/// by batch. Reports how much a sort or join spilled, if it did.
fn run_query(
    ctx: &SessionContext,
    query: &str,
    output: &OutputArgs,
    failure: &Failure,
) -> Result<Outcome> {
    check_single_statement(query)?;
    let rt = runtime(ctx.copied_config().target_partitions())?;
    let result = rt.block_on(async {
        let plan = plan_query(ctx, query).await?;
        let schema = plan.schema();
        let stream = execute_stream(plan.clone(), ctx.task_ctx())
            .map_err(|e| Error::sql("running the query", e))?;
        let mut sink = LazySink::new(output.sink_options());
        drain(stream, &schema, |b| sink.write(&b)).await?;
        sink.finish(Some(&schema))?;
        report_spills(&plan);
        Ok::<(), Error>(())
    });
    // A table reader's own error (file:line) is the one to show.
    if let Some(e) = failure.lock().expect("not poisoned").take() {
        return Err(e);
    }
    result.map(|()| Outcome::Complete)
}

/// A query that failed while running; a full spill directory says what to do.
fn query_failed(e: datafusion::error::DataFusionError) -> Error {
    if crate::error::io_kind_in(&e) == Some(std::io::ErrorKind::StorageFull) {
        return Error::sql(
            "running the query: the disk it spills to is full (give --temp-dir on a larger disk, or more --memory)",
            e,
        );
    }
    Error::sql("running the query", e)
}

/// Hands each non-empty result batch, under the plan's schema, to `each`.
async fn drain(
    mut stream: SendableRecordBatchStream,
    schema: &SchemaRef,
    mut each: impl FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(query_failed)?;
        if batch.num_rows() > 0 {
            each(with_schema(batch, schema)?)?;
        }
    }
    Ok(())
}

fn check_single_statement(query: &str) -> Result<()> {
    let statements = DFParser::parse_sql(query)
        .map_err(|e| Error::Usage(format!("in query: {}", e.strip_backtrace())))?;
    if statements.len() != 1 {
        return Err(Error::Usage(format!(
            "expected one query, found {} statements",
            statements.len()
        )));
    }
    Ok(())
}

/// Spilling is not loss, but it is slow: say so, as a sort tool should.
fn report_spills(plan: &std::sync::Arc<dyn ExecutionPlan>) {
    let mut spilled = 0usize;
    let mut files = 0usize;
    visit(plan, &mut |p| {
        if let Some(m) = p.metrics() {
            spilled += m.spilled_bytes().unwrap_or(0);
            files += m.spill_count().unwrap_or(0);
        }
    });
    if files > 0 {
        warn(&format!(
            "spilled {files} runs ({} MiB) to disk: the query needed more than --memory",
            spilled >> 20
        ));
    }
}

fn visit(plan: &std::sync::Arc<dyn ExecutionPlan>, f: &mut impl FnMut(&dyn ExecutionPlan)) {
    f(plan.as_ref());
    for child in plan.children() {
        visit(child, f);
    }
}

/// Keeps the records for which `condition` is true (NULL counts as false).
pub fn filter(condition: &str, input: &InputArgs, output: &OutputArgs) -> Result<Outcome> {
    let mut filter = StreamFilter::new(condition);
    let (reader, sink) = stream(input, output, |batch| Ok(Some(filter.apply(&batch)?)))?;
    finish_with(sink, reader.schema(), Ok)
}

/// Computes the listed expressions for every record.
pub fn select(list: &str, input: &InputArgs, output: &OutputArgs) -> Result<Outcome> {
    let mut select = StreamSelect::new(list);
    let (reader, sink) = stream(input, output, |batch| Ok(Some(select.apply(&batch)?)))?;
    finish_with(sink, reader.schema(), |s| {
        Ok(Projection::parse(list, s)?.schema())
    })
}

/// A filter condition over a stream (`etl filter`, `etl run --filter`), planned for the
/// first batch's schema and again only when the input widens.
pub struct StreamFilter {
    condition: String,
    planned: Option<(SchemaRef, Predicate)>,
}

impl StreamFilter {
    pub fn new(condition: &str) -> StreamFilter {
        StreamFilter {
            condition: condition.to_string(),
            planned: None,
        }
    }

    /// The records of `batch` for which the condition is true.
    pub fn apply(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        let condition = &self.condition;
        replan(&mut self.planned, batch, |s| Predicate::parse(condition, s))?.filter(batch)
    }
}

/// A projection over a stream (`etl select`, `etl run --select`), planned like
/// `StreamFilter`.
pub struct StreamSelect {
    list: String,
    planned: Option<(SchemaRef, Projection)>,
}

impl StreamSelect {
    pub fn new(list: &str) -> StreamSelect {
        StreamSelect {
            list: list.to_string(),
            planned: None,
        }
    }

    /// The listed expressions computed for every record of `batch`.
    pub fn apply(&mut self, batch: &RecordBatch) -> Result<RecordBatch> {
        let list = &self.list;
        replan(&mut self.planned, batch, |s| Projection::parse(list, s))?.evaluate(batch)
    }
}

/// The plan for this batch's schema: planned once, again only if the input widened.
fn replan<'a, T>(
    planned: &'a mut Option<(SchemaRef, T)>,
    batch: &RecordBatch,
    parse: impl FnOnce(SchemaRef) -> Result<T>,
) -> Result<&'a T> {
    let stale = planned.as_ref().is_none_or(|(s, _)| s != &batch.schema());
    if stale {
        *planned = Some((batch.schema(), parse(batch.schema())?));
    }
    Ok(&planned.as_ref().expect("planned above").1)
}

/// Ends the output; an input without records still gives a file with the right columns
/// (when the input had any columns to speak of).
fn finish_with(
    sink: LazySink,
    input: SchemaRef,
    output_schema: impl FnOnce(SchemaRef) -> Result<SchemaRef>,
) -> Result<Outcome> {
    let schema = if input.fields().is_empty() {
        None
    } else {
        Some(output_schema(input)?)
    };
    sink.finish(schema.as_ref())?;
    Ok(Outcome::Complete)
}
