//! `vidx`: a vector index as a command-line tool — an LSM store (write-ahead log,
//! memtable, immutable memory-mapped segments, atomic manifest, compaction) with an
//! HNSW graph per segment. This module holds the command line; each part of the
//! engine lives in a module of its own.

pub mod bitset;
pub mod columns;
pub mod commands;
pub mod distance;
pub mod filter;
pub mod hnsw;
pub mod manifest;
pub mod memtable;
pub mod quant;
pub mod records;
pub mod scan;
pub mod segment;
pub mod snapshot;
pub mod store;
pub mod types;
pub mod wal;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cli::{CommonArgs, InputArgs, Outcome, OutputArgs, Tool};
use distance::Metric;
use manifest::Quantize;
use wal::SyncMode;

const EXAMPLES: &str = "\
Examples:
  vidx create idx --dim 384 --metric cosine
  etl convert docs.ndjson | vidx add idx --id doc_id --vector emb
  vidx search idx --k 10 < queries.ndjson
  vidx get idx doc-17 doc-18 -o table
  vidx delete idx doc-17
  vidx compact idx && vidx stats idx -o table
  vidx scan idx --vectors --out dump.parquet && vidx add idx2 dump.parquet
  vidx snapshot idx backup/idx-$(date +%F)

An index is a directory: MANIFEST (settings and live segments), seg-*.vseg (immutable
segments with their HNSW graphs, memory-mapped by searches), wal-*.log (the
write-ahead log of what is not in a segment yet) and LOCK (held by the one writer).
Searches need no lock and see a consistent snapshot while a writer works.

Metadata fields keep the types their input gave them (a Parquet int32 or timestamp[ms]
stays one in scans, hits, filters and segment columns; 'vidx stats' lists them as
meta_types). A later input whose values that type does not hold widens it (int32 to
int64), or, where no type holds both (a number and a text), types the field by what
each record holds from then on, with a warning.

A full memtable is merged into the largest segment: that segment's graph is kept, the
new vectors are inserted into it and overwritten or deleted rows leave it, so an index
stays one graph however it was fed (a flush under 1/32 of the largest segment waits
in a small segment of its own until the next large flush takes it in). A merge
rewrites the segment: it needs that segment's size again in free disk space, and holds
its vectors in memory while it inserts the new ones.

Exit status: 0 success, 1 failure (e.g. the index is locked by another writer), 2 usage
error, 3 finished but something asked for was not there (get of a missing id).";

/// A vector index: LSM storage (WAL, memtable, memory-mapped segments) with HNSW search
#[derive(Debug, Parser)]
#[command(name = "vidx", version, long_version = crate::cli::LONG_VERSION, after_help = EXAMPLES, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Which fields of the input records hold the id and the vector.
#[derive(Debug, Clone, Args)]
pub struct FieldArgs {
    /// Field holding the record id (a string or an integer)
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id: String,
    /// Field holding the vector (a list of numbers)
    #[arg(long, default_value = "vector", value_name = "FIELD")]
    pub vector: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty index directory with its dimension, metric and graph settings
    #[command(after_help = "\
Examples:
  vidx create idx --dim 384
  vidx create idx --dim 128 --metric l2 --m 24 --ef-construction 200 --ef-search 96")]
    Create(CreateArgs),
    /// Add records (NDJSON or Arrow) to the index; an existing id is replaced
    ///
    /// Every record needs an id and a vector of the index's dimension with finite
    /// numbers; its other fields are kept as metadata and returned by search and get.
    /// Records are logged to the write-ahead log in groups (one input batch each) and
    /// each group is acknowledged with a `commit` record on stdout once it is durable:
    /// `records` counts the input records committed so far, so after a crash every
    /// record up to that count is in the index. A bad record stops the command with an
    /// error naming it; nothing of its group is stored. When the memtable reaches the
    /// index's memtable size it is written as a new segment with its graph (a progress
    /// bar on a terminal); at the end, a memtable of at least 1024 records is flushed
    /// too, so the next search opens memory-mapped segments instead of replaying the log.
    /// SIGINT (Ctrl-C) or SIGTERM ends it after the group being logged is committed
    /// (exit 1, naming how many records are in): no torn log tail is left to cut.
    #[command(after_help = "\
Examples:
  vidx add idx docs.ndjson --id doc_id --vector emb
  etl convert docs.parquet -o arrow | vidx add idx --sync none
  vidx add idx --sync always < one-at-a-time.ndjson")]
    Add(AddArgs),
    /// Nearest neighbours for query records: one output record per hit
    ///
    /// Each query record needs a vector (its id field, if present, names the query;
    /// otherwise queries are numbered from 1). Output fields: query, rank (1 = nearest),
    /// id, distance (cosine: 1 - cosine similarity; l2: Euclidean distance; ip: minus
    /// the inner product), then the hit's metadata fields.
    #[command(after_help = "\
Examples:
  vidx search idx --k 10 < queries.ndjson
  vidx search idx queries.arrow --k 5 --ef 128 -o table
  echo '{\"id\":\"q1\",\"vector\":[0.1,0.2,0.3]}' | vidx search idx --k 3")]
    Search(SearchArgs),
    /// Look records up by id: id, vector (as stored; cosine vectors are normalised) and metadata
    #[command(after_help = "\
Examples:
  vidx get idx doc-17 doc-18
  vidx get idx doc-17 --no-vector -o table")]
    Get(GetArgs),
    /// Change records' metadata by id, keeping their vectors
    ///
    /// Each input record names an id (--id) and gives metadata fields, which are merged
    /// into the record's metadata: a given field replaces the one of the same name, the
    /// others stay (--replace: the given fields become the whole metadata; --unset
    /// removes fields). The vector stays as stored, and so does its place in the graph:
    /// a flush or compaction gives the node its new metadata and inserts nothing (so
    /// does adding a record again with the same vector). An id the index does not hold is
    /// reported on stderr and counted (exit status 3). As with add, each input batch is
    /// one durable group, acknowledged with a `commit` record.
    #[command(after_help = "\
Examples:
  echo '{\"id\":\"doc-17\",\"lang\":\"de\"}' | vidx update idx
  etl sql \"SELECT doc_id, 'archived' AS state FROM 'old.parquet'\" | vidx update idx --id doc_id
  vidx update idx --unset draft ids.ndjson")]
    Update(UpdateArgs),
    /// Delete records by id (arguments, or records on stdin with --stdin) or by --filter
    #[command(after_help = "\
Examples:
  vidx delete idx doc-17 doc-18
  etl filter 'stale' old.ndjson | vidx delete idx --stdin --id doc_id
  vidx delete idx --filter \"year < 2015 OR lang IS NULL\"")]
    Delete(DeleteArgs),
    /// Every current record: id, metadata and (--vectors) the vector, in id or insertion order
    ///
    /// Reads a consistent view without a lock, like search. The output read by `vidx
    /// add` (into an index of the same dimension and metric) rebuilds an equal index:
    /// the same ids, metadata and vectors, bit for bit, so the same search results. Page
    /// through a large index with --limit and --after (the last id of the previous page).
    /// The metadata columns are typed from every record scanned, so Arrow and Parquet
    /// output have one schema.
    #[command(after_help = "\
Examples:
  vidx scan idx -o table --limit 20
  vidx scan idx --vectors --out dump.parquet && vidx add new-idx dump.parquet
  vidx scan idx --filter \"lang = 'en'\" --order insertion
  vidx scan idx --limit 1000 --after doc-01999")]
    Scan(ScanArgs),
    /// Copy a live index consistently into a new directory, while its writer runs
    ///
    /// The copy holds every commit up to one point and nothing after it, and opens as an
    /// index of its own. Segments are hard-linked (copied across file systems), so a
    /// snapshot takes little time and space; the committed part of the write-ahead log
    /// is copied. A plain `cp -r` of a live index is not safe: cp copies file by file
    /// while flushes and compactions add and remove files, so the copy can lack a
    /// segment or the log its manifest names (vidx then refuses to open it, naming the
    /// missing file). A copy of an index no writer is using is complete.
    #[command(after_help = "\
Examples:
  vidx snapshot idx /backup/idx-$(date +%F)
  vidx snapshot idx snap && vidx stats snap --verify")]
    Snapshot(SnapshotArgs),
    /// Put a snapshot in place of an index (checked first: it opens and its checksums match)
    ///
    /// Into a new or empty directory the snapshot is copied; an index already there is
    /// replaced only with --force and while no writer holds it, in one step (a search
    /// starting meanwhile opens the old index or the new one; one already running
    /// finishes on the old files).
    #[command(after_help = "\
Examples:
  vidx restore /backup/idx-2026-12-01 idx --force
  vidx restore snap idx-copy")]
    Restore(RestoreArgs),
    /// Merge all segments into one: drop deleted and overwritten records (the largest
    /// segment's graph is kept and the rest inserted into it; rebuilt if a quarter of it is dead)
    #[command(after_help = "\
Examples:
  vidx compact idx
  vidx compact idx -o table")]
    Compact(DirOutput),
    /// Size and state of the index: records, segments, memtable, WAL, bytes on disk, kernels
    #[command(after_help = "\
Examples:
  vidx stats idx -o table
  vidx stats idx --verify")]
    Stats(StatsArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The index directory (created if missing)
    pub dir: PathBuf,
    /// Vector dimension
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub dim: u32,
    /// Distance metric
    #[arg(long, value_enum, default_value = "cosine")]
    pub metric: Metric,
    /// HNSW links per node (level 0 keeps twice as many)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(2..=128))]
    pub m: u32,
    /// HNSW candidate list size while building (higher: better graph, slower build)
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub ef_construction: u32,
    /// Default candidate list size while searching (search --ef overrides it)
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub ef_search: u32,
    /// Records the memtable holds before it is merged into the index's segment
    #[arg(long, default_value_t = 65536, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub memtable: u32,
    /// Compact automatically when a flush leaves this many segments
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    pub compact_at: u32,
    /// Scan a segment exactly instead of walking its graph when fewer than this
    /// fraction of its records are eligible (not deleted)
    #[arg(long, default_value_t = 0.05, value_name = "FRACTION")]
    pub exact_below: f64,
    /// Segments also store every vector as 8-bit codes and their residuals (sq8: half
    /// the f32 size more on disk); graph builds and searches walk on the codes, and
    /// searches re-rank the candidates on codes and residuals, a 16-bit precision
    /// (distances within ~1e-6 of f32's on unit vectors). none: walk on the f32
    /// vectors, exact distances
    #[arg(long, value_enum, default_value = "sq8")]
    pub quantize: Quantize,
    /// Metadata fields to index (comma-separated): each segment keeps its records
    /// sorted by them, so filters comparing them with constants (=, <>, <, <=, >, >=,
    /// IN, BETWEEN, IS NULL, and ANDs and ORs of these) are answered without
    /// evaluating every record
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub index_field: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The index directory
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// When the log is forced to disk: after each group of records (batch), after each
    /// record (always), or never (none: safe against a killed process, not a power cut)
    #[arg(long, value_enum, default_value = "batch")]
    pub sync: SyncMode,
    /// Print the time spent end to end and indexing (building graphs, writing
    /// segments) to stderr
    #[arg(long)]
    pub timing: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The index directory
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub fields: FieldArgs,
    /// Hits per query
    #[arg(short, long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub k: u32,
    /// Candidate list size (default: the index's ef-search; raised to k if smaller)
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub ef: Option<u32>,
    /// At most this many candidates re-ranked by their residual codes on segments with
    /// 8-bit codes (default: 8 times k; at least k, at most ef). The walk orders
    /// candidates by their codes, nearly as the vectors do; each one re-ranked reads its
    /// codes' residuals, and re-ranking stops early where the codes' error bound leaves
    /// the rest no chance of beating the k-th hit
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub rerank: Option<u32>,
    /// Scan every record instead of walking the graphs (exact, slow: ground truth)
    #[arg(long)]
    pub exact: bool,
    /// Only hits whose metadata passes this SQL condition (the syntax of 'etl filter'),
    /// e.g. "lang = 'en' AND year >= 2020". Very selective filters switch to an exact
    /// scan of the admitted rows, so recall holds
    #[arg(long, value_name = "CONDITION")]
    pub filter: Option<String>,
    /// Print to stderr the time spent searching (without reading and writing records),
    /// end to end, and the per-query search latency's median and 99th percentile
    #[arg(long)]
    pub timing: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The index directory
    pub dir: PathBuf,
    /// Ids to look up
    #[arg(required = true)]
    pub ids: Vec<String>,
    /// Leave the vector out of the output
    #[arg(long)]
    pub no_vector: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The index directory
    pub dir: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Field holding the record id (a string or an integer)
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id: String,
    /// The index's vector field: records carrying it are refused (use add to replace vectors)
    #[arg(long, default_value = "vector", value_name = "FIELD")]
    pub vector: String,
    /// Make the given fields the whole metadata instead of merging them in
    #[arg(long)]
    pub replace: bool,
    /// Remove these metadata fields from every record updated
    #[arg(long, value_name = "FIELD[,FIELD]", value_delimiter = ',')]
    pub unset: Vec<String>,
    /// When the log is forced to disk (as for add)
    #[arg(long, value_enum, default_value = "batch")]
    pub sync: SyncMode,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The index directory
    pub dir: PathBuf,
    /// Ids to delete
    #[arg(required_unless_present_any = ["stdin", "filter"])]
    pub ids: Vec<String>,
    /// Read the ids from records on stdin (NDJSON or Arrow), field --id
    #[arg(long, conflicts_with = "ids")]
    pub stdin: bool,
    /// Delete every record whose metadata passes this SQL condition (the syntax of
    /// 'etl filter'), evaluated under the writer lock
    #[arg(long, value_name = "CONDITION", conflicts_with_all = ["ids", "stdin"])]
    pub filter: Option<String>,
    /// Field holding the id when reading records
    #[arg(long, default_value = "id", value_name = "FIELD")]
    pub id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The order `vidx scan` returns records in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanOrder {
    /// By id: integer ids by value first, then the others byte-wise
    Id,
    /// In the order the records were last written
    Insertion,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The index directory
    pub dir: PathBuf,
    /// Also output each record's vector (as stored: cosine vectors are normalised)
    #[arg(long)]
    pub vectors: bool,
    /// Only records whose metadata passes this SQL condition (the syntax of 'etl filter')
    #[arg(long, value_name = "CONDITION")]
    pub filter: Option<String>,
    /// Record order
    #[arg(long, value_enum, default_value = "id")]
    pub order: ScanOrder,
    /// Start after this id (the last one of the previous page)
    #[arg(long, value_name = "ID")]
    pub after: Option<String>,
    /// At most N records
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Name of the id field in the output
    #[arg(long = "id", default_value = "id", value_name = "FIELD")]
    pub id_field: String,
    /// Name of the vector field in the output
    #[arg(long = "vector", default_value = "vector", value_name = "FIELD")]
    pub vector_field: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The index directory
    pub dir: PathBuf,
    /// Where the copy goes: a new or empty directory
    pub dest: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The snapshot (any copy of an index)
    pub snapshot: PathBuf,
    /// The index directory to restore into
    pub dir: PathBuf,
    /// Replace the index already in DIR
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct DirOutput {
    /// The index directory
    pub dir: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The index directory
    pub dir: PathBuf,
    /// Also checksum every segment's vectors and metadata
    #[arg(long)]
    pub verify: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

impl Tool for Cli {
    fn common(&self) -> &CommonArgs {
        &self.common
    }

    fn run(self) -> anyhow::Result<Outcome> {
        let Some(command) = self.command else {
            return Err(crate::error::Error::Usage(
                "a command is required; see 'vidx --help'".into(),
            )
            .into());
        };
        Ok(match command {
            Command::Create(a) => commands::create(&a)?,
            Command::Add(a) => commands::add(&a)?,
            Command::Search(a) => commands::search(&a)?,
            Command::Get(a) => commands::get(&a)?,
            Command::Update(a) => commands::update(&a)?,
            Command::Delete(a) => commands::delete(&a)?,
            Command::Scan(a) => scan::run(&a)?,
            Command::Snapshot(a) => commands::snapshot(&a)?,
            Command::Restore(a) => commands::restore(&a)?,
            Command::Compact(a) => commands::compact(&a)?,
            Command::Stats(a) => commands::stats(&a)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        crate::cli::assert_cli_conventions(Cli::command());
    }
}
