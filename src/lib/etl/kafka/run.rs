//! `etl run`: a continuous pipeline from a Kafka topic, through a filter, projection,
//! SQL query or windowed aggregation, to another topic (or stdout).
//!
//! Delivery is at least once. Results are produced in the background, and the offsets
//! of input records are stored for commit only once every result produced so far has
//! been acknowledged by the broker; a windowed aggregation stores a record's offset only once the
//! last window it falls into was emitted and acknowledged. A process killed at any
//! moment restarts from the committed offsets and produces everything not yet
//! acknowledged again: results may repeat, none go missing.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rdkafka::producer::Producer;

use arrow::record_batch::RecordBatch;
use clap::Args;

use super::aside::Aside;
use super::client::{parse_property, ConnArgs};
use super::consume::{for_each_batch, open_consumer, parse_from, Feed, Progress, StartAt};
use super::produce::{
    open_producer, partition_count, send_json_batch, settle, Dest, KafkaProducer,
};
use super::{install_stop_handler, stopped};
use crate::cli::{Outcome, OutputArgs};
use crate::error::{Error, Result};
use crate::etl::agg::{AggSpec, Aggregator};
use crate::etl::sql::{BatchQuery, StreamFilter, StreamSelect};
use crate::record::rejects::OnError;
use crate::record::LazySink;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Source: kafka://HOST:PORT[,HOST:PORT...]/TOPIC?group=GROUP[&from=beginning|end].
    /// The group's committed offsets say where to resume; `from` applies only where it
    /// has none (default beginning)
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// Destination: kafka://HOST:PORT[,...]/TOPIC[?key=FIELD] (one JSON message per
    /// result record, keyed by FIELD), or - for stdout (-o picks the format)
    #[arg(long, value_name = "URL|-")]
    pub to: String,

    /// Keep the records for which this SQL condition is true
    #[arg(long, value_name = "CONDITION", conflicts_with_all = ["sql", "window"])]
    pub filter: Option<String>,

    /// Compute these columns: 'EXPR [AS name], ...' (after --filter)
    #[arg(long, value_name = "EXPRS", conflicts_with_all = ["sql", "window"])]
    pub select: Option<String>,

    /// Run this SQL query on every micro-batch (the table `input`); for aggregates over
    /// time use --window instead, which keeps state across batches
    #[arg(long, value_name = "QUERY", conflicts_with = "window")]
    pub sql: Option<String>,

    #[command(flatten)]
    pub agg: AggSpec,

    /// Stop once every assigned source partition reaches the end it had at start
    /// (open windows are then emitted); without it, run until SIGINT/SIGTERM
    #[arg(short = 'e', long)]
    pub until_end: bool,

    /// Largest micro-batch (batches are also cut whenever no message is waiting)
    #[arg(long, default_value_t = 8192, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: u32,

    /// A source message that is not a JSON object or does not fit the schema: fail,
    /// skip, dead-letter=PATH or dead-letter=kafka:TOPIC (as for 'etl kafka consume');
    /// a message set aside is committed once it reached its dead-letter place
    #[arg(long, value_name = "POLICY", default_value = "fail")]
    pub on_error: OnError,

    /// Any librdkafka property for both ends, repeatable (see 'etl kafka consume --help')
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_property)]
    pub properties: Vec<(String, String)>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// A parsed `kafka://brokers/topic?k=v&...` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KafkaUrl {
    pub brokers: String,
    pub topic: String,
    pub params: Vec<(String, String)>,
}

impl KafkaUrl {
    /// Parses `url` given to `flag`, allowing only the `known` query parameters.
    pub fn parse(url: &str, flag: &str, known: &[&str]) -> Result<KafkaUrl> {
        let usage = |what: &str| {
            Error::Usage(format!(
                "{flag} '{url}': {what} (expected kafka://HOST:PORT/TOPIC?{})",
                known
                    .iter()
                    .map(|k| format!("{k}=..."))
                    .collect::<Vec<_>>()
                    .join("&")
            ))
        };
        let rest = url
            .strip_prefix("kafka://")
            .ok_or_else(|| usage("not a kafka:// address"))?;
        let (place, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (brokers, topic) = place
            .split_once('/')
            .ok_or_else(|| usage("no /TOPIC after the brokers"))?;
        if brokers.is_empty() || topic.is_empty() || topic.contains('/') {
            return Err(usage("brokers and one topic are needed"));
        }
        let mut params = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if !known.contains(&k) {
                return Err(usage(&format!("unknown parameter '{k}'")));
            }
            if v.is_empty() {
                return Err(usage(&format!("'{k}' has no value")));
            }
            params.push((k.to_string(), v.to_string()));
        }
        Ok(KafkaUrl {
            brokers: brokers.to_string(),
            topic: topic.to_string(),
            params,
        })
    }

    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn conn(&self, properties: &[(String, String)]) -> ConnArgs {
        ConnArgs {
            brokers: self.brokers.clone(),
            properties: properties.to_vec(),
        }
    }
}

/// What happens to each micro-batch.
enum Stage {
    Copy,
    Exprs {
        filter: Option<StreamFilter>,
        select: Option<StreamSelect>,
    },
    Sql(BatchQuery),
    Agg(Box<Aggregator>),
}

impl Stage {
    fn new(args: &RunArgs) -> Result<Stage> {
        if args.agg.window.is_none() && (args.agg.agg.is_some() || !args.agg.by.is_empty()) {
            return Err(Error::Usage(
                "--agg and --by need --window: a continuous pipeline emits a window once it closes"
                    .into(),
            ));
        }
        Ok(if let Some(query) = &args.sql {
            Stage::Sql(BatchQuery::new(query)?)
        } else if args.agg.window.is_some() {
            Stage::Agg(Box::new(Aggregator::new(&args.agg)?))
        } else if args.filter.is_some() || args.select.is_some() {
            Stage::Exprs {
                filter: args.filter.as_deref().map(StreamFilter::new),
                select: args.select.as_deref().map(StreamSelect::new),
            }
        } else {
            Stage::Copy
        })
    }

    /// The results of one input batch (an aggregation: the windows it closed).
    fn apply(&mut self, batch: &RecordBatch) -> Result<Vec<RecordBatch>> {
        Ok(match self {
            Stage::Copy => vec![batch.clone()],
            Stage::Exprs { filter, select } => {
                let mut b = batch.clone();
                if let Some(filter) = filter {
                    b = filter.apply(&b)?;
                }
                if let Some(select) = select {
                    b = select.apply(&b)?;
                }
                vec![b]
            }
            Stage::Sql(query) => query.run(batch)?,
            Stage::Agg(engine) => {
                engine.add(batch)?;
                engine.closed(false)?
            }
        })
    }

    /// The event time at which everything `batch` contributed has been emitted (None:
    /// as soon as its results were delivered).
    fn done_at(&self, batch: &RecordBatch) -> Result<Option<i64>> {
        match self {
            Stage::Agg(engine) => engine.last_window_end(batch),
            _ => Ok(None),
        }
    }

    fn watermark(&self) -> Option<i64> {
        match self {
            Stage::Agg(engine) => engine.watermark(),
            _ => None,
        }
    }

    /// At the end of the input: the windows still open.
    fn finish(&mut self) -> Result<Vec<RecordBatch>> {
        match self {
            Stage::Agg(engine) => engine.closed(true),
            _ => Ok(Vec::new()),
        }
    }

    fn outcome(&self) -> Outcome {
        match self {
            Stage::Agg(engine) => engine.report_losses(),
            _ => Outcome::Complete,
        }
    }
}

/// Where results go. Kafka deliveries are pipelined: results are queued for sending
/// and acknowledged in the background, and `delivered_below` says which are in.
enum Sink {
    Kafka {
        producer: KafkaProducer,
        partitions: i32,
        conn: ConnArgs,
        topic: String,
        key: Option<String>,
        buf: Vec<u8>,
    },
    Local(LazySink),
}

/// How many results may wait for acknowledgement before the pipeline waits for them.
const MAX_UNACKED: u64 = 100_000;

impl Sink {
    fn open(args: &RunArgs) -> Result<Sink> {
        if args.to == "-" {
            return Ok(Sink::Local(LazySink::new(args.output.sink_options())));
        }
        let url = KafkaUrl::parse(&args.to, "--to", &["key"])?;
        let conn = url.conn(&args.properties);
        let (producer, _) = open_producer(&conn)?;
        let partitions = partition_count(&producer, &conn, &url.topic)?;
        Ok(Sink::Kafka {
            producer,
            partitions,
            key: url.param("key").map(str::to_string),
            topic: url.topic,
            conn,
            buf: Vec::new(),
        })
    }

    /// Writes (stdout) or queues (Kafka) the results of input batch number `seq`.
    fn send(&mut self, batches: &[RecordBatch], seq: usize) -> Result<()> {
        match self {
            Sink::Local(sink) => batches.iter().try_for_each(|b| sink.write(b)),
            Sink::Kafka {
                producer,
                partitions,
                conn,
                topic,
                key,
                buf,
            } => {
                let dest = Dest {
                    topic,
                    brokers: &conn.brokers,
                    tag: seq,
                    partitions: *partitions,
                };
                batches
                    .iter()
                    .filter(|b| b.num_rows() > 0)
                    .try_for_each(|b| {
                        send_json_batch(producer, &dest, b, key.as_deref(), None, buf)
                    })
            }
        }
    }

    /// The results of every input batch numbered below this are delivered. With `wait`
    /// (or when too many are outstanding) it waits for all; a failed delivery is an error.
    fn delivered_below(&mut self, wait: bool) -> Result<usize> {
        let Sink::Kafka {
            producer,
            conn,
            topic,
            ..
        } = self
        else {
            return Ok(usize::MAX);
        };
        producer.poll(Duration::ZERO);
        let deliveries = &producer.context().deliveries;
        let failed = deliveries.failed.load(Ordering::Relaxed) > 0;
        if wait || failed || deliveries.waiting() > MAX_UNACKED {
            settle(producer, conn, &format!("producing to {topic}"))?;
            return Ok(usize::MAX);
        }
        Ok(deliveries.answered_below())
    }

    fn finish(self) -> Result<()> {
        match self {
            Sink::Local(sink) => sink.finish(None),
            Sink::Kafka { .. } => Ok(()),
        }
    }
}

/// One input batch whose results are not all delivered yet.
struct Pending {
    seq: usize,
    /// The event time its last window closes at (None: no windows).
    done_at: Option<i64>,
    rows: Vec<(i32, i64)>,
}

/// Input batches whose results are not all delivered yet, oldest first.
#[derive(Default)]
struct Unfinished {
    batches: VecDeque<Pending>,
}

impl Unfinished {
    /// The records that are now fully delivered: the oldest batches whose windows all
    /// closed. Only a prefix: storing a later offset would skip an earlier record.
    fn take_done(&mut self, delivered_below: usize, watermark: Option<i64>) -> Vec<(i32, i64)> {
        let mut out = Vec::new();
        while let Some(front) = self.batches.front() {
            let windows_closed = match (front.done_at, watermark) {
                (None, _) => true,
                (Some(end), Some(w)) => end <= w,
                (Some(_), None) => false,
            };
            if !(front.seq < delivered_below && windows_closed) {
                break;
            }
            out.extend(self.batches.pop_front().expect("peeked").rows);
        }
        out
    }

    fn take_all(&mut self) -> Vec<(i32, i64)> {
        self.batches.drain(..).flat_map(|p| p.rows).collect()
    }
}

pub fn run(args: &RunArgs) -> Result<Outcome> {
    let source = KafkaUrl::parse(&args.from, "--from", &["group", "from"])?;
    let group = source.param("group").ok_or_else(|| {
        Error::Usage(format!(
            "--from '{}': add ?group=NAME; the pipeline commits its progress to that consumer group",
            args.from
        ))
    })?;
    let from = parse_from(source.param("from").unwrap_or("beginning"))?;
    if !matches!(from, StartAt::Beginning | StartAt::End) {
        return Err(Error::Usage(
            "--from ...&from= can only be beginning or end (the group's committed offsets decide the rest)".into(),
        ));
    }
    let mut stage = Stage::new(args)?;
    let mut sink = Sink::open(args)?;
    install_stop_handler();
    let conn = source.conn(&args.properties);
    let aside = Aside::open(&args.on_error, &conn, &source.topic)?;
    let (consumer, marks) = open_consumer(&conn, &source.topic, Some(group), from, args.until_end)?;
    let feed = Feed {
        conn: &conn,
        topic: &source.topic,
        raw: None,
        count: None,
        until_end: args.until_end,
        batch_size: args.batch_size as usize,
        schema: None,
        aside: &aside,
    };
    let mut unfinished = Unfinished::default();
    let mut progress = Progress::default();
    let mut seq = 0usize;
    for_each_batch(&consumer, feed, marks, |batch, rows| {
        let mut done_at = None;
        if let Some(batch) = batch {
            done_at = stage.done_at(batch)?;
            let results = stage.apply(batch)?;
            sink.send(&results, seq)?;
        }
        unfinished.batches.push_back(Pending { seq, done_at, rows });
        seq += 1;
        let below = sink.delivered_below(false)?;
        let done = unfinished.take_done(below, stage.watermark());
        progress.store(&consumer, &source.topic, &done);
        Ok(())
    })?;
    // At the end of the input the open windows are complete; after a signal they are
    // not, and their records are read again by the next run instead.
    let done = if stopped() {
        let below = sink.delivered_below(true)?;
        unfinished.take_done(below, stage.watermark())
    } else {
        let rest = stage.finish()?;
        sink.send(&rest, seq)?;
        sink.delivered_below(true)?;
        unfinished.take_all()
    };
    progress.store(&consumer, &source.topic, &done);
    sink.finish()?;
    progress.commit(&consumer, &source.topic, &conn)?;
    Ok(stage.outcome())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = KafkaUrl::parse(
            "kafka://a:9092,b:9092/events?group=g&from=end",
            "--from",
            &["group", "from"],
        )
        .unwrap();
        assert_eq!(u.brokers, "a:9092,b:9092");
        assert_eq!(u.topic, "events");
        assert_eq!(u.param("group"), Some("g"));
        assert_eq!(u.param("from"), Some("end"));
        for bad in [
            "http://a/b",
            "kafka://a:9092",
            "kafka:///t",
            "kafka://a/",
            "kafka://a/t/u",
            "kafka://a/t?nope=1",
            "kafka://a/t?group=",
        ] {
            assert!(KafkaUrl::parse(bad, "--from", &["group"]).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_delivered_prefix_is_stored() {
        let mut u = Unfinished::default();
        let mut push = |seq, done_at, rows| u.batches.push_back(Pending { seq, done_at, rows });
        push(0, Some(10), vec![(0, 1)]);
        push(1, None, vec![(0, 2)]);
        push(2, None, vec![(1, 5)]);
        push(3, Some(30), vec![(1, 7)]);
        assert!(u.take_done(usize::MAX, None).is_empty());
        assert!(u.take_done(usize::MAX, Some(9)).is_empty());
        assert!(
            u.take_done(0, Some(10)).is_empty(),
            "batch 0 not acknowledged"
        );
        assert_eq!(u.take_done(2, Some(10)), vec![(0, 1), (0, 2)]);
        assert_eq!(u.take_done(usize::MAX, Some(29)), vec![(1, 5)]);
        assert_eq!(u.take_all(), vec![(1, 7)]);
    }
}
