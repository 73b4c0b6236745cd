//! `--on-error skip|dead-letter=PATH|dead-letter=kafka:TOPIC` for Kafka input: a message
//! that cannot become a record is set aside instead of stopping every consumer of the
//! group at its offset for good.
//!
//! Offsets travel with the records: every consumed message has an entry in the
//! [`Ledger`] from the moment the poller encodes it until the batch that holds it is
//! done with, keyed by the line of the reader's input it became. The reader sets a line
//! aside by its number (through [`SetAside`]), so the offsets stored for a batch are
//! exactly those of its rows and of the messages set aside around them, and a message
//! set aside is committed only once it reached its dead-letter file or topic (see
//! [`Aside::settle`]), never by its position in a queue.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseRecord, Producer};

use super::client::ConnArgs;
use super::message::describe;
use super::produce::{open_producer, settle, KafkaProducer};
use crate::error::{Error, Location, Result};
use crate::record::rejects::{OnError, Rejects, Reporting, SetAside};
use crate::record::text::to_hex;

/// The headers a dead-lettered message carries besides its own: where it was read and
/// why it was set aside.
pub const ERROR_HEADERS: [&str; 4] = [
    "pipekit.error",
    "pipekit.source.topic",
    "pipekit.source.partition",
    "pipekit.source.offset",
];

/// A message as the dead-letter destination needs it: its own key, payload, headers and
/// timestamp.
#[derive(Debug, Clone)]
pub struct Kept {
    key: Option<Vec<u8>>,
    payload: Option<Vec<u8>>,
    headers: Vec<(String, Option<Vec<u8>>)>,
    timestamp: Option<i64>,
}

impl Kept {
    pub fn of(m: &impl Message) -> Kept {
        Kept {
            key: m.key().map(<[u8]>::to_vec),
            payload: m.payload().map(<[u8]>::to_vec),
            headers: m.headers().map_or_else(Vec::new, |h| {
                h.iter()
                    .map(|x| (x.key.to_string(), x.value.map(<[u8]>::to_vec)))
                    .collect()
            }),
            timestamp: m.timestamp().to_millis(),
        }
    }
}

/// Why a message was set aside, and what the dead-letter place needs of it.
#[derive(Debug)]
struct Why {
    reason: String,
    field: Option<String>,
    /// The message itself when it was kept, else the text that failed.
    kept: Option<Box<Kept>>,
    raw: Vec<u8>,
}

/// One consumed message on its way to a record.
#[derive(Debug)]
pub struct Entry {
    partition: i32,
    offset: i64,
    /// The line of the reader's input it became (1-based); None when the poller set it
    /// aside itself (a payload that is not a JSON object).
    line: Option<u64>,
    /// Kept only while a dead-letter place may need it. (Both boxed: an entry per
    /// message in flight stays small.)
    kept: Option<Box<Kept>>,
    aside: Option<Box<Why>>,
}

impl Entry {
    /// A message handed to the reader as line `line`.
    pub fn line(partition: i32, offset: i64, line: u64, kept: Option<Box<Kept>>) -> Entry {
        Entry {
            partition,
            offset,
            line: Some(line),
            kept,
            aside: None,
        }
    }
}

/// The consumed messages no batch has taken yet, in the order they were handed over.
#[derive(Debug, Default)]
pub struct Ledger {
    entries: Mutex<VecDeque<Entry>>,
}

impl Ledger {
    fn entries(&self) -> MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notes messages about to be handed to the reader (and those set aside among them).
    pub fn extend(&self, entries: impl IntoIterator<Item = Entry>) {
        self.entries().extend(entries);
    }

    /// The messages a batch of `rows` records covers: its rows, in order, and every
    /// message set aside before, between and right after them. Those are done with.
    fn take(&self, rows: usize) -> Vec<Entry> {
        let mut entries = self.entries();
        let mut taken = 0;
        let mut end = 0;
        for e in entries.iter() {
            if e.aside.is_none() {
                if taken == rows {
                    break;
                }
                taken += 1;
            }
            end += 1;
        }
        entries.drain(..end).collect()
    }

    /// The message that became `line` of the reader's input.
    pub fn at_line(&self, line: u64) -> Option<(i32, i64)> {
        self.entries()
            .iter()
            .find(|e| e.line == Some(line))
            .map(|e| (e.partition, e.offset))
    }

    /// Marks `line` set aside for `reason`; false when no message became that line.
    fn mark(&self, line: u64, at: &Location, reason: &str, raw: &[u8]) -> bool {
        let mut entries = self.entries();
        let Some(e) = entries.iter_mut().find(|e| e.line == Some(line)) else {
            return false;
        };
        let kept = e.kept.take();
        e.aside = Some(Box::new(Why {
            reason: reason.to_string(),
            field: at.field.clone(),
            raw: if kept.is_some() {
                Vec::new()
            } else {
                raw.to_vec()
            },
            kept,
        }));
        true
    }
}

/// Where set-aside messages go.
enum Place {
    /// `skip`: only counted.
    Nowhere,
    File {
        path: PathBuf,
        out: BufWriter<File>,
    },
    Topic {
        producer: KafkaProducer,
        topic: String,
    },
}

impl Place {
    fn name(&self) -> Option<String> {
        match self {
            Place::Nowhere => None,
            Place::File { path, .. } => Some(path.display().to_string()),
            Place::Topic { topic, .. } => Some(format!("kafka topic {topic}")),
        }
    }

    /// Writes one set-aside message of `source` (a file record, or a message to the
    /// dead-letter topic).
    fn put(&mut self, source: &str, partition: i32, offset: i64, why: &Why) -> Result<()> {
        match self {
            Place::Nowhere => Ok(()),
            Place::File { path, out } => {
                let mut record = serde_json::json!({
                    "source": describe(source, partition, offset),
                    "topic": source,
                    "partition": partition,
                    "offset": offset,
                    "field": why.field,
                    "error": why.reason,
                });
                let payload = why
                    .kept
                    .as_ref()
                    .map_or(Some(&why.raw[..]), |k| k.payload.as_deref());
                let key = why.kept.as_ref().and_then(|k| k.key.as_deref());
                for (name, bytes) in [("key", key), ("record", payload)] {
                    let Some(bytes) = bytes else { continue };
                    let value = match std::str::from_utf8(bytes) {
                        Ok(text) => text.into(),
                        Err(_) => {
                            record[format!("{name}_encoding")] = "hex".into();
                            to_hex(bytes).into()
                        }
                    };
                    record[name] = value;
                }
                writeln!(out, "{record}")
                    .and_then(|()| out.flush())
                    .map_err(|e| {
                        Error::io(
                            format!("writing the dead-letter file {}", path.display()),
                            e,
                        )
                    })
            }
            Place::Topic { producer, topic } => {
                send(producer, topic, why, (source, partition, offset))
            }
        }
    }
}

/// The [`SetAside`] of a Kafka consumer's reader: marks the line's message in the
/// ledger; it reaches its dead-letter place when its batch is done ([`Aside::done`]),
/// so the place receives messages in their topic's order.
struct Marker {
    ledger: Arc<Ledger>,
    place: Option<String>,
}

impl SetAside for Marker {
    fn put(&mut self, at: &Location, reason: &str, raw: &[u8]) -> Result<()> {
        match at.line {
            // The poller's own (see `Aside::poller_reject`): already in the ledger.
            None => Ok(()),
            Some(line) if self.ledger.mark(line, at, reason, raw) => Ok(()),
            // Not one of our messages' lines: nothing to commit it with; stop rather
            // than commit past a record nobody has.
            Some(line) => Err(Error::Internal(format!(
                "{at}: line {line} was set aside ({reason}) but no consumed message became it"
            ))),
        }
    }

    fn place(&self) -> Option<String> {
        self.place.clone()
    }
}

/// Produces a set-aside message to the dead-letter topic: its own key, payload,
/// timestamp and headers, and the [`ERROR_HEADERS`]. Acknowledgement is awaited
/// before its offset is stored.
fn send(
    producer: &KafkaProducer,
    topic: &str,
    why: &Why,
    (source, partition, offset): (&str, i32, i64),
) -> Result<()> {
    let kept = why.kept.as_deref();
    let own = kept.map_or(&[][..], |k| &k.headers[..]);
    let mut headers = OwnedHeaders::new_with_capacity(own.len() + ERROR_HEADERS.len());
    for (key, value) in own {
        headers = headers.insert(Header {
            key,
            value: value.as_deref(),
        });
    }
    let (partition, offset) = (partition.to_string(), offset.to_string());
    let ours = [why.reason.as_str(), source, &partition, &offset];
    for (key, value) in ERROR_HEADERS.iter().zip(ours) {
        headers = headers.insert(Header {
            key,
            value: Some(value),
        });
    }
    let mut record = BaseRecord::<[u8], [u8], usize>::with_opaque_to(topic, 0).headers(headers);
    if let Some(k) = kept.and_then(|k| k.key.as_deref()) {
        record = record.key(k);
    }
    match kept {
        Some(k) => {
            if let Some(p) = k.payload.as_deref() {
                record = record.payload(p);
            }
        }
        None => record = record.payload(&why.raw[..]),
    }
    if let Some(ts) = kept.and_then(|k| k.timestamp).filter(|&t| t >= 0) {
        record = record.timestamp(ts);
    }
    producer.context().deliveries.expect(0, 1);
    loop {
        match producer.send(record) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                producer.poll(Duration::from_millis(100));
            }
            Err((e, _)) => {
                producer.context().deliveries.retract(0, 1);
                return Err(Error::device(
                    format!("kafka topic {topic}"),
                    format!("dead-lettering {source} partition {partition} offset {offset}: {e}"),
                ));
            }
        }
    }
}

/// A Kafka consumer's `--on-error`: the reporting its reader is given, the ledger of its
/// messages, and the place set-aside messages go.
pub struct Aside {
    pub reporting: Reporting,
    pub ledger: Arc<Ledger>,
    source_topic: String,
    place: Mutex<Place>,
    /// Whether set-aside messages go somewhere, so the poller keeps a copy of each.
    keep: bool,
    conn: ConnArgs,
}

impl Aside {
    /// The policy for messages of `source_topic` read through `conn` (a dead-letter
    /// topic is on the same cluster). Registers the command's rejects with `cli`.
    pub fn open(policy: &OnError, conn: &ConnArgs, source_topic: &str) -> Result<Aside> {
        let ledger = Arc::new(Ledger::default());
        let place = match policy {
            OnError::Fail | OnError::Skip => Place::Nowhere,
            OnError::DeadLetter(path) => Place::File {
                path: path.clone(),
                out: BufWriter::new(File::create(path).map_err(|e| {
                    Error::io(
                        format!("cannot create the dead-letter file {}", path.display()),
                        e,
                    )
                })?),
            },
            OnError::DeadLetterTopic(topic) => {
                if topic == source_topic {
                    return Err(Error::Usage(format!(
                        "--on-error dead-letter=kafka:{topic} is the topic being read: give another topic"
                    )));
                }
                Place::Topic {
                    producer: open_producer(conn)?.0,
                    topic: topic.clone(),
                }
            }
        };
        let keep = !matches!(place, Place::Nowhere);
        let marker = Marker {
            ledger: ledger.clone(),
            place: place.name(),
        };
        let reporting = crate::cli::reporting_with(policy, || {
            Ok(Rejects::with(policy, Some(Box::new(marker))))
        })?;
        Ok(Aside {
            reporting,
            ledger,
            source_topic: source_topic.to_string(),
            place: Mutex::new(place),
            keep,
            conn: conn.clone(),
        })
    }

    fn place(&self) -> MutexGuard<'_, Place> {
        self.place.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the poller must keep a copy of each message for the dead-letter place.
    pub fn keeps_messages(&self) -> bool {
        self.keep
    }

    /// The poller found message `m` unfit (`error`, from the line encoder): its entry,
    /// set aside, or the error when the policy is `fail`.
    pub fn poller_reject(&self, m: &impl Message, error: Error) -> Result<Entry> {
        let Error::Data { at, msg, .. } = &error else {
            return Err(error);
        };
        if !self.reporting.rejects.skipping() {
            return Err(error);
        }
        let payload = m.payload().unwrap_or_default();
        self.reporting.rejects.reject(at, msg, payload)?;
        let kept = self.keeps_messages().then(|| Box::new(Kept::of(m)));
        Ok(Entry {
            partition: m.partition(),
            offset: m.offset(),
            line: None,
            aside: Some(Box::new(Why {
                reason: msg.clone(),
                field: at.field.clone(),
                raw: if kept.is_some() {
                    Vec::new()
                } else {
                    payload.to_vec()
                },
                kept,
            })),
            kept: None,
        })
    }

    /// The (partition, offset) of the messages a batch of `rows` records covers, once
    /// they are done with: those set aside among them written to their dead-letter
    /// place, in order, and acknowledged there. Their offsets can then be stored. A
    /// failed delivery is an error: the offsets are not stored, the messages are read
    /// again next time.
    pub fn done(&self, rows: usize) -> Result<Vec<(i32, i64)>> {
        let entries = self.ledger.take(rows);
        let mut place = self.place();
        let mut produced = false;
        for e in &entries {
            if let Some(why) = &e.aside {
                place.put(&self.source_topic, e.partition, e.offset, why)?;
                produced |= matches!(*place, Place::Topic { .. });
            }
        }
        if let (true, Place::Topic { producer, topic }) = (produced, &*place) {
            settle(producer, &self.conn, &format!("dead-lettering to {topic}"))?;
        }
        Ok(entries.iter().map(|e| (e.partition, e.offset)).collect())
    }

    /// Every message in the ledger is done with (the `--raw` path, where each line
    /// handed over was written out).
    pub fn all_done(&self) -> Result<Vec<(i32, i64)>> {
        self.done(usize::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aside(partition: i32, offset: i64) -> Entry {
        Entry {
            partition,
            offset,
            line: None,
            kept: None,
            aside: Some(Box::new(Why {
                reason: "not JSON".into(),
                field: None,
                kept: None,
                raw: b"x".to_vec(),
            })),
        }
    }

    fn offsets(entries: Vec<Entry>) -> Vec<(i32, i64)> {
        entries.iter().map(|e| (e.partition, e.offset)).collect()
    }

    #[test]
    fn a_batch_covers_its_rows_and_the_messages_set_aside_around_them() {
        let ledger = Ledger::default();
        ledger.extend([
            aside(0, 0),
            Entry::line(0, 1, 1, None),
            Entry::line(0, 2, 2, None),
            Entry::line(1, 7, 3, None),
            Entry::line(0, 3, 4, None),
            aside(0, 4),
            Entry::line(0, 5, 5, None),
        ]);
        // The reader set line 2 aside while decoding the batch of lines 1-4.
        let at = Location::default();
        assert!(ledger.mark(2, &at, "bad", b"{}"));
        assert!(!ledger.mark(9, &at, "bad", b"{}"), "no such line");
        assert_eq!(ledger.at_line(3), Some((1, 7)));
        assert_eq!(
            offsets(ledger.take(3)),
            vec![(0, 0), (0, 1), (0, 2), (1, 7), (0, 3), (0, 4)]
        );
        assert_eq!(ledger.at_line(3), None, "taken");
        assert_eq!(offsets(ledger.take(1)), vec![(0, 5)]);
        assert!(ledger.take(1).is_empty());
    }

    #[test]
    fn a_line_set_aside_after_the_batch_is_not_taken_with_it() {
        let ledger = Ledger::default();
        ledger.extend([Entry::line(0, 0, 1, None), Entry::line(0, 1, 2, None)]);
        assert_eq!(offsets(ledger.take(1)), vec![(0, 0)]);
        assert!(ledger.mark(2, &Location::default(), "bad", b"{}"));
        assert_eq!(offsets(ledger.take(0)), vec![(0, 1)]);
    }
}
