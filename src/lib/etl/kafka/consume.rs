//! `etl kafka consume`: messages → records.
//!
//! A polling thread turns each message into one NDJSON line (see `message`) and writes
//! it into a pipe; the calling thread reads that pipe with the shared NDJSON reader, so
//! payload schemas are inferred and widened exactly as for any other input, and writes
//! the batches to the output. Offsets are stored for commit only after the batch that
//! holds their records was written: with a group, what was committed was delivered.
//! Under `--on-error skip|dead-letter` a message that cannot become a record is set
//! aside and committed with the batch it would have been in (see `aside`).
//! `--raw` to NDJSON skips the decoder: the lines are the output (`consume_lines`).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::message::Message;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::aside::{Aside, Entry, Kept, Ledger};
use super::client::{kafka_error, topic_partitions, ConnArgs, Quiet};
use super::fetch::{FetchQueue, Fetched, BATCH};
use super::message::{describe, LineEncoder, Raw};
use super::{install_stop_handler, stopped, METADATA_TIMEOUT};
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Location, Result};
use crate::record::ndjson::{NdjsonOptions, NdjsonSource, SchemaState};
use crate::record::rejects::OnError;
use crate::record::schema::parse_schema_arg;
use crate::record::writer::{close, open_output, writing};
use crate::record::{LazySink, OutputFormat, SinkOptions};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

#[derive(Debug, Clone, Args)]
pub struct ConsumeArgs {
    #[command(flatten)]
    pub conn: ConnArgs,

    /// Topic to read
    #[arg(short = 't', long)]
    pub topic: String,

    /// Consumer group: partitions are shared with the group's other members and
    /// offsets are committed (only after the records were written out)
    #[arg(short = 'g', long)]
    pub group: Option<String>,

    /// Where to start: beginning, end, an OFFSET, -N (N before the end), or an RFC 3339
    /// time. With --group only beginning|end, used where the group has no committed offset
    #[arg(
        long,
        value_name = "WHERE",
        allow_hyphen_values = true,
        default_value = "beginning"
    )]
    pub from: String,

    /// Stop once every assigned partition reaches the end it had when we started
    /// (high watermarks are taken at start; works with --group)
    #[arg(short = 'e', long)]
    pub until_end: bool,

    /// Stop after N records
    #[arg(short = 'c', long, value_name = "N")]
    pub count: Option<u64>,

    /// Do not parse payloads as JSON objects: a `payload` column of text (or hex)
    #[arg(long, value_enum, num_args = 0..=1, default_missing_value = "text", value_name = "AS")]
    pub raw: Option<Raw>,

    /// Payload schema instead of inference: 'name:type,...' or a JSON file from
    /// 'etl schema' (it must include the message columns too)
    #[arg(long, value_name = "SCHEMA")]
    pub schema: Option<String>,

    /// Rows per Arrow batch (batches are also cut whenever no message is waiting)
    #[arg(long, default_value_t = 8192, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// A message that is not a JSON object, or does not parse or fit the schema: fail
    /// (stop, naming its partition and offset), skip (leave it out and count it; exit
    /// status 3), dead-letter=PATH (skip, and append it with where and why to PATH as
    /// NDJSON) or dead-letter=kafka:TOPIC (skip, and produce it with its own key and
    /// headers plus pipekit.error and pipekit.source.* headers to TOPIC on the same
    /// brokers). With --group, a message set aside is committed like one written: only
    /// after it reached the dead-letter file or topic
    #[arg(long, value_name = "POLICY", default_value = "fail")]
    pub on_error: OnError,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Where --from points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt {
    Beginning,
    End,
    Offset(i64),
    FromEnd(i64),
    /// Milliseconds since the epoch.
    Time(i64),
}

pub fn parse_from(s: &str) -> Result<StartAt> {
    let s = s.trim();
    Ok(match s {
        "beginning" | "earliest" => StartAt::Beginning,
        "end" | "latest" => StartAt::End,
        _ => {
            if let Ok(n) = s.parse::<i64>() {
                if n < 0 {
                    StartAt::FromEnd(-n)
                } else {
                    StartAt::Offset(n)
                }
            } else if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
                StartAt::Time(t.timestamp_millis())
            } else {
                return Err(Error::Usage(format!(
                    "--from '{s}' is not beginning, end, an offset, -N or an RFC 3339 time (2026-01-31T12:00:00Z)"
                )));
            }
        }
    })
}

/// The consumer's context: errors go to the shared reporter; a rebalance is noted so
/// the poller can redirect the partitions' queues again (see `fetch`).
#[derive(Default)]
pub struct ConsumeContext {
    pub quiet: Quiet,
    pub rebalanced: AtomicBool,
}

impl ClientContext for ConsumeContext {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        self.quiet.log(level, fac, msg);
    }
    fn error(&self, error: KafkaError, reason: &str) {
        self.quiet.error(error, reason);
    }
}

impl ConsumerContext for ConsumeContext {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, _: &Rebalance<'_>) {
        self.rebalanced.store(true, Ordering::Relaxed);
    }
}

pub type KafkaConsumer = BaseConsumer<ConsumeContext>;

/// Low and high watermark per partition, taken when the command starts.
pub type Watermarks = HashMap<i32, (i64, i64)>;

/// Creates the consumer and subscribes (group) or assigns every partition (no group).
/// Returns it with the high watermarks taken now, per partition.
pub fn open_consumer(
    conn: &ConnArgs,
    topic: &str,
    group: Option<&str>,
    from: StartAt,
    want_eof: bool,
) -> Result<(KafkaConsumer, Watermarks)> {
    let reset = match from {
        StartAt::End => "latest",
        _ => "earliest",
    };
    let mut defaults = vec![
        ("enable.auto.offset.store", "false"),
        // When its prefetch queue is full librdkafka waits this long before fetching
        // again (default 1 s): with a consumer that parses every message, the queue
        // fills often, and a second's pause each time halved the throughput.
        ("fetch.queue.backoff.ms", "100"),
        ("auto.offset.reset", reset),
        (
            "enable.partition.eof",
            if want_eof { "true" } else { "false" },
        ),
    ];
    if let Some(g) = group {
        defaults.push(("group.id", g));
        defaults.push(("enable.auto.commit", "true"));
    } else {
        // librdkafka wants a group id even for manually assigned partitions; this one
        // never commits, so it leaves no trace on the broker.
        defaults.push(("group.id", "pipekit-etl-no-group"));
        defaults.push(("enable.auto.commit", "false"));
    }
    let cfg = conn.config(&defaults);
    let ctx = ConsumeContext {
        quiet: Quiet {
            debug: conn.properties.iter().any(|(k, _)| k == "debug"),
            ..Default::default()
        },
        ..Default::default()
    };
    let consumer: KafkaConsumer = cfg
        .create_with_context(ctx)
        .map_err(|e| kafka_error("creating the consumer", &conn.brokers, e))?;
    let partitions = topic_partitions(consumer.client(), conn, topic)?;
    let mut marks = HashMap::new();
    for &p in &partitions {
        let (low, high) = consumer
            .fetch_watermarks(topic, p, METADATA_TIMEOUT)
            .map_err(|e| {
                kafka_error(
                    format!("reading the offsets of {topic}/{p}"),
                    &conn.brokers,
                    e,
                )
            })?;
        marks.insert(p, (low, high));
    }
    if group.is_some() {
        if matches!(
            from,
            StartAt::Offset(_) | StartAt::FromEnd(_) | StartAt::Time(_)
        ) {
            return Err(Error::Usage(
                "with --group, --from can only be beginning or end (the group's committed offsets decide the rest)".into(),
            ));
        }
        consumer
            .subscribe(&[topic])
            .map_err(|e| kafka_error(format!("subscribing to {topic}"), &conn.brokers, e))?;
    } else {
        let mut tpl = TopicPartitionList::new();
        for &p in &partitions {
            let (low, high) = marks[&p];
            let offset = match from {
                StartAt::Beginning => Offset::Beginning,
                StartAt::End => Offset::End,
                StartAt::Offset(n) => Offset::Offset(n),
                StartAt::FromEnd(n) => Offset::Offset((high - n).max(low)),
                StartAt::Time(_) => Offset::Beginning,
            };
            tpl.add_partition_offset(topic, p, offset)
                .map_err(|e| kafka_error("assigning partitions", &conn.brokers, e))?;
        }
        if let StartAt::Time(ms) = from {
            let mut times = TopicPartitionList::new();
            for &p in &partitions {
                times
                    .add_partition_offset(topic, p, Offset::Offset(ms))
                    .map_err(|e| kafka_error("assigning partitions", &conn.brokers, e))?;
            }
            tpl = consumer
                .offsets_for_times(times, METADATA_TIMEOUT)
                .map_err(|e| kafka_error("looking up offsets by time", &conn.brokers, e))?;
        }
        consumer
            .assign(&tpl)
            .map_err(|e| kafka_error("assigning partitions", &conn.brokers, e))?;
    }
    Ok((consumer, marks))
}

/// When `--until-end` is done: every assigned partition reached the high watermark it
/// had at start (by a record at or past it, or by librdkafka's end-of-partition event).
pub struct UntilEnd {
    marks: Watermarks,
    reached: HashSet<i32>,
    /// Partitions a record came from; their mark was checked against the fetch's.
    seen: HashSet<i32>,
}

impl UntilEnd {
    pub fn new(marks: Watermarks) -> Self {
        // Empty partitions are not marked done here: some brokers (tansu 0.6) answer
        // the "latest offset" query with 0, and librdkafka's end-of-partition event
        // arrives for empty partitions anyway.
        UntilEnd {
            marks,
            reached: HashSet::new(),
            seen: HashSet::new(),
        }
    }
    /// A record arrived. On a partition's first record its end is raised to the high
    /// watermark the fetch reported (`fetched`): the "latest offset" answer taken at
    /// start can be short of the real end (tansu 0.6 answers with the start of the
    /// last record batch); the fetch's is exact.
    pub fn record(&mut self, partition: i32, offset: i64, fetched: impl FnOnce() -> Option<i64>) {
        if self.seen.insert(partition) {
            if let (Some(f), Some((_, high))) = (fetched(), self.marks.get_mut(&partition)) {
                *high = (*high).max(f);
            }
        }
        if self
            .marks
            .get(&partition)
            .is_some_and(|(_, high)| *high > 0 && offset + 1 >= *high)
        {
            self.reached.insert(partition);
        }
    }
    pub fn eof(&mut self, partition: i32) {
        self.reached.insert(partition);
    }
    /// True when the consumer has partitions and all of them are done.
    pub fn done(&self, consumer: &KafkaConsumer) -> bool {
        let Ok(assigned) = consumer.assignment() else {
            return false;
        };
        let parts: Vec<i32> = assigned.elements().iter().map(|e| e.partition()).collect();
        !parts.is_empty() && parts.iter().all(|p| self.reached.contains(p))
    }
}

/// The high watermark of `topic`/`partition` in librdkafka's last fetch response
/// (no request is sent), if it has one.
fn fetched_high_watermark(consumer: &KafkaConsumer, topic: &str, partition: i32) -> Option<i64> {
    let topic = std::ffi::CString::new(topic).ok()?;
    let (mut low, mut high) = (-1i64, -1i64);
    // SAFETY: the client pointer is valid while `consumer` lives; the topic is a
    // NUL-terminated string; the out pointers point to our locals.
    let err = unsafe {
        rdkafka::bindings::rd_kafka_get_watermark_offsets(
            consumer.client().native_ptr(),
            topic.as_ptr(),
            partition,
            &mut low,
            &mut high,
        )
    };
    (err == rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR && high >= 0)
        .then_some(high)
}

/// The topic's partitions, as found when the command started.
fn partitions_of(marks: &Watermarks) -> Vec<i32> {
    let mut partitions: Vec<i32> = marks.keys().copied().collect();
    partitions.sort_unstable();
    partitions
}

/// How long a stopping group reader waits for its group to take it back before the
/// final commit gives up (see [`Progress::commit`]).
const REJOIN_WAIT: Duration = Duration::from_secs(15);

/// Where a group reader is in each partition: the offset after the last record it
/// finished with (written, or delivered downstream). Stored in librdkafka for its
/// periodic auto-commits, and kept here too: a group that forgets its members (its
/// coordinator restarted) takes back their partitions with their stored offsets, and
/// the final commit must still say how far this reader got.
#[derive(Default)]
pub struct Progress {
    next: HashMap<i32, i64>,
}

impl Progress {
    /// Records that these records are finished, and stores their offsets for the next
    /// commit.
    pub fn store(&mut self, consumer: &KafkaConsumer, topic: &str, records: &[(i32, i64)]) {
        let mut latest: HashMap<i32, i64> = HashMap::new();
        for &(p, o) in records {
            latest.insert(p, o + 1);
        }
        if latest.is_empty() {
            return;
        }
        self.next.extend(&latest);
        // A partition revoked meanwhile cannot be stored; its new owner reads those
        // records again (at least once), so this is not an error.
        let _ = consumer.store_offsets(&offsets_list(topic, &latest));
    }

    /// Commits the stored offsets now (at the end of a run), synchronously. When the
    /// group no longer knows this member (it was dropped after missing heartbeats, or
    /// a restarted coordinator forgot it) or is rebalancing, the consumer is served
    /// until it rejoins, for up to [`REJOIN_WAIT`], and this reader's offsets for the
    /// partitions it holds again are committed, never below what the group committed
    /// meanwhile. Messages fetched while waiting are dropped uncommitted: the next run
    /// reads them.
    pub fn commit(&self, consumer: &KafkaConsumer, topic: &str, conn: &ConnArgs) -> Result<()> {
        let deadline = std::time::Instant::now() + REJOIN_WAIT;
        let mut attempt = consumer.commit_consumer_state(CommitMode::Sync);
        loop {
            let e = match attempt {
                Ok(()) | Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {
                    return Ok(())
                }
                Err(e) => e,
            };
            if !group_in_flux(&e) || std::time::Instant::now() >= deadline {
                return Err(kafka_error(
                    "committing offsets (records were delivered; they may be read again)",
                    &conn.brokers,
                    e,
                ));
            }
            let _ = consumer.poll(Duration::from_millis(200));
            attempt = self.commit_held(consumer, topic).unwrap_or(Err(e));
        }
    }

    /// Commits this reader's offsets for the partitions the consumer holds, where they
    /// are past the group's committed offset; `None` while it holds none (rejoining).
    fn commit_held(&self, consumer: &KafkaConsumer, topic: &str) -> Option<KafkaResult<()>> {
        let held = consumer.assignment().ok()?;
        if consumer.assignment_lost() || held.count() == 0 {
            return None;
        }
        let mine: HashMap<i32, i64> = held
            .elements_for_topic(topic)
            .iter()
            .filter_map(|e| Some((e.partition(), *self.next.get(&e.partition())?)))
            .collect();
        if mine.is_empty() {
            return Some(Ok(()));
        }
        let committed =
            match consumer.committed_offsets(offsets_list(topic, &mine), METADATA_TIMEOUT) {
                Ok(c) => c,
                Err(e) => return Some(Err(e)),
            };
        let ahead: HashMap<i32, i64> = committed
            .elements_for_topic(topic)
            .iter()
            .filter_map(|e| {
                let next = mine[&e.partition()];
                match e.offset() {
                    Offset::Offset(c) if c >= next => None,
                    _ => Some((e.partition(), next)),
                }
            })
            .collect();
        if ahead.is_empty() {
            return Some(Ok(()));
        }
        Some(consumer.commit(&offsets_list(topic, &ahead), CommitMode::Sync))
    }
}

/// A commit failed because the group is between generations: it forgot this member,
/// is rebalancing, or its coordinator is moving or loading. Rejoining fixes these.
fn group_in_flux(e: &KafkaError) -> bool {
    matches!(
        e,
        KafkaError::ConsumerCommit(
            RDKafkaErrorCode::UnknownMemberId
                | RDKafkaErrorCode::IllegalGeneration
                | RDKafkaErrorCode::RebalanceInProgress
                | RDKafkaErrorCode::NotCoordinator
                | RDKafkaErrorCode::CoordinatorNotAvailable
                | RDKafkaErrorCode::CoordinatorLoadInProgress
                | RDKafkaErrorCode::WaitingForCoordinator
                | RDKafkaErrorCode::AssignmentLost
                | RDKafkaErrorCode::State
        )
    )
}

/// `topic`'s partitions at these offsets.
fn offsets_list(topic: &str, offsets: &HashMap<i32, i64>) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::new();
    for (&p, &o) in offsets {
        let _ = tpl.add_partition_offset(topic, p, Offset::Offset(o));
    }
    tpl
}

/// What to read from an open consumer and how to decode it.
pub struct Feed<'a> {
    pub conn: &'a ConnArgs,
    pub topic: &'a str,
    pub raw: Option<Raw>,
    pub count: Option<u64>,
    pub until_end: bool,
    pub batch_size: usize,
    pub schema: Option<SchemaState>,
    /// `--on-error`: where messages that cannot become records go.
    pub aside: &'a Aside,
}

/// Reads the consumer's messages as record batches until the end (`--until-end`,
/// `--count`, a signal, or an error) and hands each batch to `each` with the
/// (partition, offset) of the messages it covers, in order: its rows and the messages
/// set aside around them. Messages set aside after the last batch come last, with no
/// batch. Returns the records' final schema.
pub fn for_each_batch(
    consumer: &KafkaConsumer,
    feed: Feed<'_>,
    marks: Watermarks,
    mut each: impl FnMut(Option<&RecordBatch>, Vec<(i32, i64)>) -> Result<()>,
) -> Result<SchemaRef> {
    let (reader, writer) =
        std::io::pipe().map_err(|e| Error::io("creating a pipe for the consumer", e))?;
    // A larger pipe lets the poller run ahead of the decoder by more than 64 KiB.
    // SAFETY: fcntl on a pipe fd we own.
    unsafe {
        libc::fcntl(writer.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
    }
    let ledger = &feed.aside.ledger;
    let quit = AtomicBool::new(false);
    let partitions = partitions_of(&marks);
    let name = format!("kafka topic {}", feed.topic);
    let topic = feed.topic;
    std::thread::scope(|s| {
        let poller = s.spawn(|| {
            let mut writer = writer;
            // A failed write means the reading side is gone: stop quietly, it reports.
            let mut put = |lines: &[u8]| Ok(writer.write_all(lines).is_ok());
            poll_loop(
                consumer,
                &feed,
                partitions,
                UntilEnd::new(marks),
                LineEncoder::new(feed.topic, feed.raw),
                &mut put,
                &quit,
            )
        });
        let fd = reader.as_raw_fd();
        let result = (|| -> Result<SchemaRef> {
            let mut src = NdjsonSource::new(
                Box::new(reader),
                Vec::new(),
                Some(fd),
                name.clone(),
                feed.schema.clone(),
                NdjsonOptions {
                    batch_size: feed.batch_size,
                    infer_rows: 1000,
                    reporting: feed.aside.reporting.clone(),
                    sequential: false,
                },
            )
            .map_err(|e| locate(e, ledger, topic))?;
            while let Some(batch) = src.next_batch().map_err(|e| locate(e, ledger, topic))? {
                let covered = feed.aside.done(batch.num_rows())?;
                each(Some(&batch), covered)?;
            }
            let rest = feed.aside.done(0)?;
            if !rest.is_empty() {
                each(None, rest)?;
            }
            Ok(src.schema())
        })();
        // Whatever ended the reading side (end, error, closed stdout), the poller stops.
        quit.store(true, Ordering::Relaxed);
        let polled = poller
            .join()
            .unwrap_or_else(|_| Err(Error::Internal("the Kafka poller panicked".into())));
        let schema = result?;
        polled?;
        Ok(schema)
    })
}

pub fn consume(args: &ConsumeArgs) -> Result<Outcome> {
    install_stop_handler();
    let from = parse_from(&args.from)?;
    let aside = Aside::open(&args.on_error, &args.conn, &args.topic)?;
    let (consumer, marks) = open_consumer(
        &args.conn,
        &args.topic,
        args.group.as_deref(),
        from,
        args.until_end,
    )?;
    let feed = Feed {
        conn: &args.conn,
        topic: &args.topic,
        raw: args.raw,
        count: args.count,
        until_end: args.until_end,
        batch_size: args.batch_size as usize,
        schema: args
            .schema
            .as_deref()
            .map(parse_schema_arg)
            .transpose()?
            .map(SchemaState::Given),
        aside: &aside,
    };
    let group = args.group.is_some();
    let mut progress = Progress::default();
    let options = args.output.sink_options();
    if feed.raw.is_some() && feed.schema.is_none() && options.resolve()? == OutputFormat::Ndjson {
        let progress = group.then_some(&mut progress);
        consume_lines(&consumer, &feed, marks, progress, &options)?;
    } else {
        let mut sink = LazySink::new(options);
        let schema = for_each_batch(&consumer, feed, marks, |batch, rows| {
            if let Some(batch) = batch {
                sink.write(batch)?;
            }
            if group {
                progress.store(&consumer, &args.topic, &rows);
            }
            Ok(())
        })?;
        sink.finish(Some(&schema))?;
    }
    if group {
        progress.commit(&consumer, &args.topic, &args.conn)?;
    }
    Ok(Outcome::Complete)
}

/// `--raw` records to NDJSON: the poller's lines, without their null members, are
/// already what the NDJSON writer would print, so they go straight to the output
/// instead of through the decoder and back (a round trip that took half of the
/// command's CPU). Offsets are stored once the lines holding them are written.
fn consume_lines(
    consumer: &KafkaConsumer,
    feed: &Feed<'_>,
    marks: Watermarks,
    mut group: Option<&mut Progress>,
    options: &SinkOptions,
) -> Result<()> {
    let mut dest = open_output(options)?;
    let what = writing(options.path.as_deref());
    let mut put = |lines: &[u8]| -> Result<bool> {
        dest.write_all(lines)
            .and_then(|()| dest.flush())
            .map_err(|e| Error::io(what.clone(), e))?;
        let written = feed.aside.all_done()?;
        if let Some(progress) = group.as_deref_mut() {
            progress.store(consumer, feed.topic, &written);
        }
        Ok(true)
    };
    poll_loop(
        consumer,
        feed,
        partitions_of(&marks),
        UntilEnd::new(marks),
        LineEncoder::new(feed.topic, feed.raw).omitting_nulls(),
        &mut put,
        &AtomicBool::new(false),
    )?;
    close(dest).map_err(|e| Error::io(what, e))
}

/// Names the message behind a reader error at line N of the consumed stream.
fn locate(e: Error, ledger: &Ledger, topic: &str) -> Error {
    match e {
        Error::Data { at, msg, hint } if at.line.is_some() => {
            let source = match at.line.and_then(|line| ledger.at_line(line)) {
                Some((p, o)) => describe(topic, p, o),
                None => at.source.clone(),
            };
            Error::Data {
                at: Box::new(Location {
                    source,
                    line: None,
                    offset: None,
                    field: at.field.clone(),
                }),
                msg,
                hint,
            }
        }
        other => other,
    }
}

/// Polls messages, encodes each as a line with `enc` and hands the lines to `out` in
/// chunks (whenever the consumer is caught up, and every 256 KiB), noting the chunk's
/// messages in the ledger (`args.aside`) first. `out` answers false to stop quietly.
/// Messages come in batches from the topic's redirected partition queues (`fetch`);
/// the consumer queue is served between batches for rebalances and errors.
#[allow(clippy::too_many_arguments)]
fn poll_loop(
    consumer: &KafkaConsumer,
    args: &Feed<'_>,
    partitions: Vec<i32>,
    until: UntilEnd,
    enc: LineEncoder,
    out: &mut dyn FnMut(&[u8]) -> Result<bool>,
    quit: &AtomicBool,
) -> Result<()> {
    let mut lines = Lines {
        consumer,
        args,
        until,
        enc,
        buf: Vec::with_capacity(1 << 18),
        rows: Vec::new(),
        lines: 0,
        seen: 0,
    };
    let limit = args.count.unwrap_or(u64::MAX);
    let mut fetch = FetchQueue::new(consumer, args.topic, partitions);
    while lines.seen < limit {
        if quit.load(Ordering::Relaxed) || stopped() {
            break;
        }
        lines.serve_consumer_queue(limit)?;
        if consumer.context().rebalanced.swap(false, Ordering::Relaxed) {
            fetch.redirect();
        }
        let left = |seen: u64| usize::try_from(limit - seen).unwrap_or(usize::MAX);
        let n = fetch.poll(0, left(lines.seen), |f| lines.take(f))?;
        if n == 0 {
            if !lines.flush(out)? {
                return Ok(());
            }
            if args.until_end && lines.until.done(consumer) {
                break;
            }
            fetch.redirect();
            fetch.poll(100, left(lines.seen), |f| lines.take(f))?;
        }
        if lines.buf.len() >= 1 << 18 && !lines.flush(out)? {
            return Ok(());
        }
    }
    lines.flush(out)?;
    Ok(())
}

/// The poller's state: encoded lines not yet handed out and where they came from.
struct Lines<'a> {
    consumer: &'a KafkaConsumer,
    args: &'a Feed<'a>,
    until: UntilEnd,
    enc: LineEncoder,
    buf: Vec<u8>,
    /// The messages of the lines in `buf`, and those set aside among them.
    rows: Vec<Entry>,
    /// Lines encoded so far: the reader's line numbers.
    lines: u64,
    seen: u64,
}

impl Lines<'_> {
    fn take(&mut self, f: Fetched<'_>) -> Result<()> {
        match f {
            Fetched::Message(m) => self.message(&m),
            Fetched::PartitionEof(p) => {
                self.until.eof(p);
                Ok(())
            }
            Fetched::Error(e) => self.error(e),
        }
    }

    fn message(&mut self, m: &impl Message) -> Result<()> {
        let (p, o) = (m.partition(), m.offset());
        let start = self.buf.len();
        match self.enc.encode(m, &mut self.buf) {
            Ok(()) => {
                self.lines += 1;
                let aside = self.args.aside;
                let kept = aside.keeps_messages().then(|| Box::new(Kept::of(m)));
                self.rows.push(Entry::line(p, o, self.lines, kept));
            }
            Err(e) => {
                self.buf.truncate(start);
                self.rows.push(self.args.aside.poller_reject(m, e)?);
            }
        }
        let (consumer, topic) = (self.consumer, self.args.topic);
        self.until
            .record(p, o, || fetched_high_watermark(consumer, topic, p));
        self.seen += 1;
        Ok(())
    }

    /// A consumption error: fatal ones (and a topic or partition that is gone, or
    /// refused) end the command; the rest are reported and consuming goes on.
    fn error(&mut self, e: KafkaError) -> Result<()> {
        let fatal = matches!(
            &e,
            KafkaError::MessageConsumptionFatal(_)
                | KafkaError::MessageConsumption(
                    RDKafkaErrorCode::UnknownTopicOrPartition
                        | RDKafkaErrorCode::TopicAuthorizationFailed
                        | RDKafkaErrorCode::GroupAuthorizationFailed
                        | RDKafkaErrorCode::UnknownTopic
                        | RDKafkaErrorCode::UnknownPartition
                )
        );
        if fatal {
            return Err(kafka_error(
                format!("consuming {}", self.args.topic),
                &self.args.conn.brokers,
                e,
            ));
        }
        self.consumer
            .context()
            .quiet
            .reporter
            .report(&e, &format!("consuming {}: {e}", self.args.topic));
        Ok(())
    }

    /// Serves the consumer queue without waiting: rebalances, commits and errors, and
    /// the messages of any partition that is not redirected.
    fn serve_consumer_queue(&mut self, limit: u64) -> Result<()> {
        for _ in 0..BATCH {
            if self.seen >= limit {
                break;
            }
            match self.consumer.poll(Duration::ZERO) {
                None => break,
                Some(Ok(m)) => self.message(&m)?,
                Some(Err(KafkaError::PartitionEOF(p))) => self.until.eof(p),
                Some(Err(e)) if e.rdkafka_error_code() == Some(RDKafkaErrorCode::PartitionEOF) => {}
                Some(Err(e)) => self.error(e)?,
            }
        }
        Ok(())
    }

    /// Notes the lines' messages in the ledger, then hands the lines to `out`.
    fn flush(&mut self, out: &mut dyn FnMut(&[u8]) -> Result<bool>) -> Result<bool> {
        if self.buf.is_empty() && self.rows.is_empty() {
            return Ok(true);
        }
        self.args.aside.ledger.extend(self.rows.drain(..));
        if self.buf.is_empty() {
            return Ok(true);
        }
        let ok = out(&self.buf)?;
        self.buf.clear();
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn until_end_takes_the_fetched_end_when_it_is_further() {
        // The start answer said 10 for partition 0; its first fetch reports 15.
        let mut u = UntilEnd::new(HashMap::from([(0, (0, 10)), (1, (0, 5))]));
        u.record(0, 0, || Some(15));
        u.record(0, 9, || panic!("asked once per partition"));
        assert!(!u.reached.contains(&0), "offset 9 is not the end of 15");
        u.record(0, 14, || None);
        assert!(u.reached.contains(&0));
        // A fetched end below the start answer does not lower it.
        u.record(1, 3, || Some(2));
        assert!(!u.reached.contains(&1));
        u.record(1, 4, || None);
        assert!(u.reached.contains(&1));
    }

    #[test]
    fn from_values() {
        assert_eq!(parse_from("beginning").unwrap(), StartAt::Beginning);
        assert_eq!(parse_from("end").unwrap(), StartAt::End);
        assert_eq!(parse_from("42").unwrap(), StartAt::Offset(42));
        assert_eq!(parse_from("-10").unwrap(), StartAt::FromEnd(10));
        assert_eq!(
            parse_from("1970-01-01T00:00:01Z").unwrap(),
            StartAt::Time(1000)
        );
        assert!(parse_from("yesterday").is_err());
    }
}
