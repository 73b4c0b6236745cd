//! `etl kafka produce`: records → messages, one per record (JSON) or one Arrow IPC
//! stream per batch. Every message is counted when librdkafka reports its delivery;
//! the command succeeds only if every message was acknowledged by the broker.

use std::collections::BTreeMap;
use std::ffi::{c_void, CString};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use clap::Args;
use rdkafka::bindings as rdsys;
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, IntoOpaque};

use super::client::{kafka_error, topic_partitions, ConnArgs, Quiet};
use super::{install_stop_handler, stopped};
use crate::cli::{InputArgs, Outcome};
use crate::error::{Error, Location, Result};
use crate::record::lines::LineChunk;
use crate::record::reader::Chunk;
use crate::record::writer::ndjson_writer_builder;
use crate::record::{ReadOptions, RecordReader};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per message, one message per record
    Json,
    /// One Arrow IPC stream (schema + batch) per message, one message per batch
    Arrow,
}

#[derive(Debug, Clone, Args)]
pub struct ProduceArgs {
    #[command(flatten)]
    pub conn: ConnArgs,

    /// Topic to write
    #[arg(short = 't', long)]
    pub topic: String,

    /// Use this field's value as the message key: a string's text, any other value's
    /// JSON text (librdkafka's partitioner then keeps equal keys in one partition)
    #[arg(short = 'k', long, value_name = "FIELD")]
    pub key: Option<String>,

    /// Choose the partition from this field: an integer is the partition number, any
    /// other value is hashed (FNV-1a) over the topic's partitions
    #[arg(short = 'p', long, value_name = "FIELD")]
    pub partition_by: Option<String>,

    /// Message format
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Json)]
    pub format: Format,

    #[command(flatten)]
    pub input: InputArgs,
}

/// Delivery accounting shared by the producer's callbacks and the caller.
#[derive(Default)]
pub struct Deliveries {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    pub failed: AtomicU64,
    pub first_error: Mutex<Option<String>>,
    /// Messages not yet answered, per tag (the caller's batch number): acknowledgements
    /// arrive out of order across partitions, so progress is known per tag.
    unanswered: Mutex<BTreeMap<usize, u64>>,
}

impl Deliveries {
    pub fn waiting(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
            - self.acked.load(Ordering::Relaxed)
            - self.failed.load(Ordering::Relaxed)
    }

    /// Every message with a tag below this one has been acknowledged (or failed:
    /// check `failed` first).
    pub fn answered_below(&self) -> usize {
        let open = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
        open.first_key_value().map_or(usize::MAX, |(&tag, _)| tag)
    }

    /// Counts `n` messages about to be handed over under `tag`, all at once: before
    /// the first of them can be answered, and once per batch rather than per message.
    pub(super) fn expect(&self, tag: usize, n: u64) {
        self.sent.fetch_add(n, Ordering::Relaxed);
        let mut open = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
        *open.entry(tag).or_default() += n;
    }

    /// Takes back `n` expected messages that were never handed over (a send failed).
    pub(super) fn retract(&self, tag: usize, n: u64) {
        if n == 0 {
            return;
        }
        self.sent.fetch_sub(n, Ordering::Relaxed);
        self.close(tag, n);
    }

    fn answered(&self, tag: usize) {
        self.close(tag, 1);
    }

    /// `n` of `tag`'s messages need no answer any more; a tag with none left is done.
    fn close(&self, tag: usize, n: u64) {
        let mut open = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(left) = open.get_mut(&tag) {
            *left -= n;
            if *left == 0 {
                open.remove(&tag);
            }
        }
    }
}

pub struct ProduceContext {
    pub quiet: Quiet,
    pub deliveries: Arc<Deliveries>,
    /// Batches sent without keys or partition fields: each goes whole to partition
    /// `batches % partitions`. librdkafka's sticky partitioner would do the same per
    /// linger interval, but it reads the clock for every message to know when the
    /// interval ends (a tenth of the send path's time).
    batches: AtomicUsize,
}

impl ClientContext for ProduceContext {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        self.quiet.log(level, fac, msg);
    }
    fn error(&self, error: KafkaError, reason: &str) {
        self.quiet.error(error, reason);
    }
}

impl ProducerContext for ProduceContext {
    /// The tag the message was sent with.
    type DeliveryOpaque = usize;
    fn delivery(&self, result: &DeliveryResult<'_>, tag: usize) {
        self.deliveries.answered(tag);
        match result {
            Ok(_) => {
                self.deliveries.acked.fetch_add(1, Ordering::Relaxed);
                // A plain load first: this runs for every message, and a swap is a
                // locked write even when nothing was wrong.
                let troubled = &self.quiet.reporter.troubled;
                if troubled.load(Ordering::Relaxed) && troubled.swap(false, Ordering::Relaxed) {
                    crate::cli::warn("kafka: the broker acknowledges again; delivery resumed");
                }
            }
            Err((e, _)) => {
                self.deliveries.failed.fetch_add(1, Ordering::Relaxed);
                let mut first = self
                    .deliveries
                    .first_error
                    .lock()
                    .unwrap_or_else(|p| p.into_inner());
                first.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

pub type KafkaProducer = BaseProducer<ProduceContext>;

/// A producer whose retry warnings say how many records wait and for how long.
pub fn open_producer(conn: &ConnArgs) -> Result<(KafkaProducer, Arc<Deliveries>)> {
    let deliveries = Arc::new(Deliveries::default());
    let ctx = ProduceContext {
        quiet: Quiet {
            debug: conn.properties.iter().any(|(k, _)| k == "debug"),
            ..Default::default()
        },
        deliveries: deliveries.clone(),
        batches: AtomicUsize::new(0),
    };
    let timeout = delivery_timeout_ms(conn);
    let d = deliveries.clone();
    *ctx.quiet
        .reporter
        .suffix
        .lock()
        .unwrap_or_else(|p| p.into_inner()) = Some(Box::new(move || {
        format!(
            "; retrying: {} records not yet acknowledged, each is retried for up to {} ms (-X message.timeout.ms)",
            d.waiting(),
            timeout
        )
    }));
    let producer: KafkaProducer = conn
        .config(&[])
        .create_with_context(ctx)
        .map_err(|e| kafka_error("creating the producer", &conn.brokers, e))?;
    Ok((producer, deliveries))
}

/// librdkafka's delivery timeout as configured (message.timeout.ms, alias
/// delivery.timeout.ms; default 300000).
pub fn delivery_timeout_ms(conn: &ConnArgs) -> u64 {
    let given = conn
        .properties
        .iter()
        .rev()
        .find(|(k, _)| k == "message.timeout.ms" || k == "delivery.timeout.ms")
        .and_then(|(_, v)| v.parse().ok());
    given.unwrap_or(300_000)
}

/// The topic's partition count, or a clear error when it does not exist.
pub fn partition_count(producer: &KafkaProducer, conn: &ConnArgs, topic: &str) -> Result<i32> {
    Ok(topic_partitions(producer.client(), conn, topic)?.len() as i32)
}

/// Where one message goes and how it is tracked.
pub struct Dest<'a> {
    pub topic: &'a str,
    pub brokers: &'a str,
    /// Groups messages for `Deliveries::answered_below` (e.g. a batch number).
    pub tag: usize,
    /// The topic's partition count.
    pub partitions: i32,
}

/// A librdkafka topic handle, taken once per batch. rust-rdkafka's `send` passes the
/// topic by name, so every message paid for a C string and a locked lookup of the
/// topic by name; with the handle, a message costs what it costs `kcat`.
struct TopicHandle<'p> {
    ptr: *mut rdsys::rd_kafka_topic_t,
    _producer: std::marker::PhantomData<&'p KafkaProducer>,
}

impl<'p> TopicHandle<'p> {
    fn new(producer: &'p KafkaProducer, dest: &Dest<'_>) -> Result<TopicHandle<'p>> {
        let name = CString::new(dest.topic)
            .map_err(|_| Error::Usage(format!("topic {:?} contains a NUL byte", dest.topic)))?;
        // SAFETY: the client pointer is valid while `producer` lives, which the
        // PhantomData borrow guarantees for the handle; NULL asks for the default
        // topic configuration.
        let ptr = unsafe {
            rdsys::rd_kafka_topic_new(
                producer.client().native_ptr(),
                name.as_ptr(),
                std::ptr::null_mut(),
            )
        };
        if ptr.is_null() {
            // SAFETY: reads the calling thread's last librdkafka error.
            let code = unsafe { rdsys::rd_kafka_last_error() };
            return Err(kafka_error(
                format!("opening topic {}", dest.topic),
                dest.brokers,
                KafkaError::MessageProduction(code.into()),
            ));
        }
        Ok(TopicHandle {
            ptr,
            _producer: std::marker::PhantomData,
        })
    }
}

impl Drop for TopicHandle<'_> {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from rd_kafka_topic_new and is released once, before the
        // producer (borrowed for the handle's lifetime) is destroyed.
        unsafe { rdsys::rd_kafka_topic_destroy(self.ptr) };
    }
}

/// Hands one message to librdkafka, waiting while its queue is full. The caller has
/// counted it with `Deliveries::expect`.
fn send(
    producer: &KafkaProducer,
    handle: &TopicHandle<'_>,
    dest: &Dest<'_>,
    payload: &[u8],
    key: Option<&[u8]>,
    partition: Option<i32>,
) -> Result<()> {
    let (key_ptr, key_len) = key.map_or((std::ptr::null(), 0), |k| (k.as_ptr(), k.len()));
    loop {
        // SAFETY: the handle is live; librdkafka copies payload and key (F_COPY) before
        // returning; the opaque is the tag itself (usize's IntoOpaque is a plain cast,
        // which rust-rdkafka's delivery callback reverses).
        let rc = unsafe {
            rdsys::rd_kafka_produce(
                handle.ptr,
                partition.unwrap_or(rdkafka::producer::PARTITION_UA),
                rdsys::RD_KAFKA_MSG_F_COPY,
                payload.as_ptr() as *mut c_void,
                payload.len(),
                key_ptr.cast(),
                key_len,
                dest.tag.into_ptr(),
            )
        };
        if rc == 0 {
            return Ok(());
        }
        // SAFETY: the calling thread's last librdkafka error, set by the failed call.
        let code = unsafe { rdsys::rd_kafka_last_error() };
        if code == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR__QUEUE_FULL {
            producer.poll(SERVE_SLICE);
            continue;
        }
        return Err(kafka_error(
            format!("producing to {}", dest.topic),
            dest.brokers,
            KafkaError::MessageProduction(code.into()),
        ));
    }
}

/// Sends one message (an Arrow IPC batch) and counts it.
fn send_one(producer: &KafkaProducer, dest: &Dest<'_>, payload: &[u8]) -> Result<()> {
    let handle = TopicHandle::new(producer, dest)?;
    let deliveries = &producer.context().deliveries;
    deliveries.expect(dest.tag, 1);
    send(producer, &handle, dest, payload, None, None)
        .inspect_err(|_| deliveries.retract(dest.tag, 1))
}

/// How long one wait for delivery reports lasts. rust-rdkafka's `poll` always blocks
/// for its whole timeout, even when a report arrived at once, so waits are sliced.
const SERVE_SLICE: Duration = Duration::from_millis(1);

/// Sends whatever librdkafka still holds and serves the delivery reports until no
/// message is in flight or `deadline` passed. rust-rdkafka's `flush` serves them in
/// 100 ms blocks, which made every command last up to 100 ms longer than its last
/// acknowledgement.
fn flush(producer: &KafkaProducer, deadline: Duration) {
    let start = std::time::Instant::now();
    // A zero-timeout flush tells librdkafka to send queued messages now, without
    // waiting for linger.ms.
    let _ = producer.flush(Duration::ZERO);
    while producer.in_flight_count() > 0 && start.elapsed() < deadline {
        producer.poll(SERVE_SLICE);
    }
    producer.poll(Duration::ZERO);
}

/// Waits for every message handed over to be acknowledged or to fail, then says how
/// it went: an error unless all were acknowledged.
pub fn settle(producer: &KafkaProducer, conn: &ConnArgs, what: &str) -> Result<u64> {
    let d = producer.context().deliveries.clone();
    let deadline = Duration::from_millis(delivery_timeout_ms(conn) + 10_000);
    flush(producer, deadline);
    let (acked, failed, waiting) = (
        d.acked.load(Ordering::Relaxed),
        d.failed.load(Ordering::Relaxed),
        d.waiting(),
    );
    if failed == 0 && waiting == 0 {
        return Ok(acked);
    }
    let first = d
        .first_error
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
        .unwrap_or_else(|| "no acknowledgement before the deadline".into());
    Err(Error::device(
        format!("kafka {}", conn.brokers),
        format!(
            "{what}: {acked} records acknowledged, {} NOT acknowledged ({failed} failed, {waiting} unanswered; first error: {first})",
            failed + waiting
        ),
    )
    .with_hint("the unacknowledged records may or may not be in the topic; produce them again (consumers must tolerate duplicates)"))
}

/// Per record: the bytes of a field, for keys and hashing.
enum FieldBytes {
    Text(arrow::array::StringArray),
    Bytes(arrow::array::BinaryArray),
}

impl FieldBytes {
    fn of(column: &ArrayRef, field: &str) -> Result<Self> {
        match column.data_type() {
            DataType::Binary => Ok(FieldBytes::Bytes(column.as_binary::<i32>().clone())),
            _ => {
                let text = arrow::compute::cast(column, &DataType::Utf8)
                    .map_err(|e| Error::arrow(format!("field '{field}' as a key"), e))?;
                Ok(FieldBytes::Text(text.as_string::<i32>().clone()))
            }
        }
    }
    fn get(&self, i: usize) -> Option<&[u8]> {
        match self {
            FieldBytes::Text(a) => a.is_valid(i).then(|| a.value(i).as_bytes()),
            FieldBytes::Bytes(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

fn column<'a>(batch: &'a RecordBatch, field: &str) -> Result<&'a ArrayRef> {
    batch.column_by_name(field).ok_or_else(|| {
        let names: Vec<String> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        Error::Usage(format!(
            "no field '{field}' in the input (fields: {})",
            names.join(", ")
        ))
    })
}

/// FNV-1a: stable across runs, machines and versions, unlike std's hasher.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The partition of every record in `batch` per --partition-by (None: librdkafka picks).
pub fn partitions_of(batch: &RecordBatch, field: &str, count: i32) -> Result<Vec<Option<i32>>> {
    let col = column(batch, field)?;
    if col.data_type().is_integer() {
        let ints = arrow::compute::cast(col, &DataType::Int64)
            .map_err(|e| Error::arrow(format!("field '{field}'"), e))?;
        let ints = ints.as_primitive::<arrow::datatypes::Int64Type>();
        return (0..ints.len())
            .map(|i| {
                if ints.is_null(i) {
                    return Ok(None);
                }
                check_partition(ints.value(i), field, count).map(Some)
            })
            .collect();
    }
    let bytes = FieldBytes::of(col, field)?;
    Ok((0..batch.num_rows())
        .map(|i| bytes.get(i).map(|b| (fnv1a(b) % count as u32) as i32))
        .collect())
}

/// Encodes a batch as one JSON object per record: the bytes and where each line ends.
pub fn json_lines(batch: &RecordBatch, buf: &mut Vec<u8>) -> Result<Vec<usize>> {
    buf.clear();
    let mut w = ndjson_writer_builder(&batch.schema())
        .build::<_, arrow::json::writer::LineDelimited>(&mut *buf);
    w.write(batch)
        .map_err(|e| Error::arrow("encoding records as JSON", e))?;
    w.finish()
        .map_err(|e| Error::arrow("encoding records as JSON", e))?;
    drop(w);
    Ok(memchr::memchr_iter(b'\n', buf).collect())
}

/// Encodes a batch as a self-contained Arrow IPC stream.
pub fn arrow_message(batch: &RecordBatch) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = arrow::ipc::writer::StreamWriter::try_new(&mut out, &batch.schema())
        .map_err(|e| Error::arrow("encoding Arrow IPC", e))?;
    w.write(batch)
        .map_err(|e| Error::arrow("encoding Arrow IPC", e))?;
    w.finish()
        .map_err(|e| Error::arrow("encoding Arrow IPC", e))?;
    drop(w);
    Ok(out)
}

/// Sends a batch's records: JSON lines with optional keys and partitions.
pub fn send_json_batch(
    producer: &KafkaProducer,
    dest: &Dest<'_>,
    batch: &RecordBatch,
    key: Option<&str>,
    partition_by: Option<(&str, i32)>,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let ends = json_lines(batch, buf)?;
    let keys = key
        .map(|k| column(batch, k).and_then(|c| FieldBytes::of(c, k)))
        .transpose()?;
    let keys: Option<Vec<Option<&[u8]>>> = keys
        .as_ref()
        .map(|k| (0..ends.len()).map(|i| k.get(i)).collect());
    let parts = partition_by
        .map(|(f, n)| partitions_of(batch, f, n))
        .transpose()?;
    let mut start = 0;
    let payloads = ends.iter().map(|&end| {
        let line = &buf[start..end];
        start = end + 1;
        line
    });
    send_all(
        producer,
        dest,
        payloads,
        ends.len(),
        keys.as_deref(),
        parts.as_deref(),
    )
}

/// Sends NDJSON object lines as they are, one message each, keyed and partitioned by
/// a top-level field of each line. The first chunk (`first`) must have the fields
/// somewhere: a misspelt --key would otherwise send everything unkeyed.
pub fn send_object_lines(
    producer: &KafkaProducer,
    dest: &Dest<'_>,
    lines: &LineChunk,
    key: Option<&str>,
    partition_by: Option<(&str, i32)>,
    first: bool,
) -> Result<()> {
    let values = |field: &str| -> Result<Vec<Option<Value>>> {
        let values = lines
            .iter()
            .map(|l| top_field(l, field))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::data(
                    Location {
                        field: Some(field.to_string()),
                        ..Location::of("the input")
                    },
                    format!("reading the field: {e}"),
                )
            })?;
        if first && values.iter().all(Option::is_none) {
            return Err(Error::Usage(format!(
                "no field '{field}' in the first {} records of the input",
                values.len()
            )));
        }
        Ok(values)
    };
    let keys: Option<Vec<Option<Vec<u8>>>> = key
        .map(|k| Ok::<_, Error>(values(k)?.iter().map(|v| value_bytes(v.as_ref())).collect()))
        .transpose()?;
    let keys: Option<Vec<Option<&[u8]>>> = keys
        .as_ref()
        .map(|k| k.iter().map(Option::as_deref).collect());
    let parts = partition_by
        .map(|(f, count)| {
            values(f)?
                .iter()
                .map(|v| partition_of_value(v.as_ref(), f, count))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    send_all(
        producer,
        dest,
        lines.iter(),
        lines.len(),
        keys.as_deref(),
        parts.as_deref(),
    )
}

/// Hands `n` payloads to librdkafka with their keys and partitions and counts them.
/// Neither keys nor partitions: the whole lot goes to the next partition in turn.
fn send_all<'a>(
    producer: &KafkaProducer,
    dest: &Dest<'_>,
    payloads: impl Iterator<Item = &'a [u8]>,
    n: usize,
    keys: Option<&[Option<&[u8]>]>,
    parts: Option<&[Option<i32>]>,
) -> Result<()> {
    let whole = (keys.is_none() && parts.is_none() && dest.partitions > 0).then(|| {
        let n = producer.context().batches.fetch_add(1, Ordering::Relaxed);
        (n % dest.partitions as usize) as i32
    });
    let handle = TopicHandle::new(producer, dest)?;
    let deliveries = &producer.context().deliveries;
    deliveries.expect(dest.tag, n as u64);
    for (i, payload) in payloads.enumerate() {
        let sent = send(
            producer,
            &handle,
            dest,
            payload,
            keys.and_then(|k| k[i]),
            parts.map_or(whole, |p| p[i]),
        );
        if let Err(e) = sent {
            deliveries.retract(dest.tag, (n - i) as u64);
            return Err(e);
        }
        if i % 1024 == 1023 {
            producer.poll(Duration::ZERO);
        }
    }
    producer.poll(Duration::ZERO);
    Ok(())
}

/// A key's bytes: a string's text, any other value's JSON text; none for null.
fn value_bytes(v: Option<&Value>) -> Option<Vec<u8>> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s.clone().into_bytes()),
        other => Some(other.to_string().into_bytes()),
    }
}

/// --partition-by for one value: an integer is the partition, anything else is hashed.
fn partition_of_value(v: Option<&Value>, field: &str, count: i32) -> Result<Option<i32>> {
    if let Some(p) = v.and_then(Value::as_i64) {
        return check_partition(p, field, count).map(Some);
    }
    Ok(value_bytes(v).map(|b| (fnv1a(&b) % count as u32) as i32))
}

fn check_partition(p: i64, field: &str, count: i32) -> Result<i32> {
    if p < 0 || p >= i64::from(count) {
        return Err(Error::data(
            Location {
                field: Some(field.to_string()),
                ..Location::of("the input")
            },
            format!(
                "--partition-by: value {p} is not a partition of the topic (0..{})",
                count - 1
            ),
        ));
    }
    Ok(p as i32)
}

/// The value of one top-level field of a JSON object (None when absent), without
/// building the rest of the object.
fn top_field(line: &[u8], name: &str) -> std::result::Result<Option<Value>, serde_json::Error> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Field<'n>(&'n str);
    impl<'de> Visitor<'de> for Field<'_> {
        type Value = Option<Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(is_it) = map.next_key_seed(IsName(self.0))? {
                if is_it && found.is_none() {
                    found = Some(map.next_value::<Value>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    /// A key, compared with the name without allocating.
    struct IsName<'n>(&'n str);
    impl<'de> DeserializeSeed<'de> for IsName<'_> {
        type Value = bool;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<bool, D::Error> {
            d.deserialize_str(self)
        }
    }
    impl<'de> Visitor<'de> for IsName<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a field name")
        }
        fn visit_str<E>(self, s: &str) -> std::result::Result<bool, E> {
            Ok(s == self.0)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let v = de.deserialize_map(Field(name))?;
    de.end()?;
    Ok(v)
}

pub fn produce(args: &ProduceArgs) -> Result<Outcome> {
    if args.format == Format::Arrow && (args.key.is_some() || args.partition_by.is_some()) {
        return Err(Error::Usage(
            "--key and --partition-by work per record: use them with --format json".into(),
        ));
    }
    install_stop_handler();
    let (producer, deliveries) = open_producer(&args.conn)?;
    let count = partition_count(&producer, &args.conn, &args.topic)?;
    // JSON messages from NDJSON input are the input lines themselves (see record::lines).
    let options = ReadOptions {
        object_lines: args.format == Format::Json,
        ..args.input.read_options()?
    };
    let mut reader = RecordReader::open(args.input.sources()?, options)?;
    let mut lines = LineChunk::default();
    let mut first = true;
    let mut buf = Vec::new();
    let mut interrupted = false;
    let dest = Dest {
        topic: &args.topic,
        brokers: &args.conn.brokers,
        tag: 0,
        partitions: count,
    };
    let fed = (|| -> Result<()> {
        while let Some(chunk) = reader.next_chunk(&mut lines)? {
            if deliveries.failed.load(Ordering::Relaxed) > 0 {
                // Once the broker refused or timed out one record, stop taking input:
                // the total below reports exactly what was and was not acknowledged.
                break;
            }
            if stopped() {
                interrupted = true;
                break;
            }
            let key = args.key.as_deref();
            let partition_by = args.partition_by.as_deref().map(|f| (f, count));
            match (chunk, args.format) {
                (Chunk::Lines, _) => {
                    send_object_lines(&producer, &dest, &lines, key, partition_by, first)?
                }
                (Chunk::Records(batch), Format::Json) => {
                    send_json_batch(&producer, &dest, &batch, key, partition_by, &mut buf)?
                }
                (Chunk::Records(batch), Format::Arrow) => {
                    let msg = arrow_message(&batch)?;
                    send_one(&producer, &dest, &msg)?;
                    producer.poll(Duration::ZERO);
                }
            }
            first = false;
        }
        Ok(())
    })();
    // Whatever stopped the input, what was handed over is settled and counted.
    let settled = settle(
        &producer,
        &args.conn,
        &format!("producing to {}", args.topic),
    );
    fed?;
    settled?;
    if interrupted {
        return Err(Error::io(
            format!(
                "producing to {}: {} records acknowledged; the rest of the input was not sent",
                args.topic,
                deliveries.acked.load(Ordering::Relaxed)
            ),
            std::io::Error::new(std::io::ErrorKind::Interrupted, "stopped by a signal"),
        ));
    }
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Int64Array, StringArray};
    use std::sync::Arc;

    #[test]
    fn partitions_from_fields() {
        let schema = Arc::new(arrow::datatypes::Schema::new(vec![
            arrow::datatypes::Field::new("p", DataType::Int64, true),
            arrow::datatypes::Field::new("s", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int64Array::from(vec![Some(0), Some(3), None])),
                Arc::new(StringArray::from(vec![Some("a"), Some("a"), None])),
            ],
        )
        .unwrap();
        assert_eq!(
            partitions_of(&batch, "p", 4).unwrap(),
            vec![Some(0), Some(3), None]
        );
        assert!(partitions_of(&batch, "p", 3).is_err());
        let s = partitions_of(&batch, "s", 4).unwrap();
        assert_eq!(s[0], s[1]);
        assert_eq!(s[0], Some((fnv1a(b"a") % 4) as i32));
        assert!(partitions_of(&batch, "nope", 4).is_err());
        let mut buf = Vec::new();
        let ends = json_lines(&batch, &mut buf).unwrap();
        assert_eq!(ends.len(), 3);
        assert_eq!(&buf[..ends[0]], br#"{"p":0,"s":"a"}"#);
    }

    #[test]
    fn fields_of_object_lines() {
        let line = br#"{"a":{"k":1},"k\u0065y":"x\"y","n":3,"f":1.5,"z":null}"#;
        assert_eq!(top_field(line, "key").unwrap(), Some(Value::from("x\"y")));
        assert_eq!(
            top_field(line, "k").unwrap(),
            None,
            "nested fields do not count"
        );
        assert_eq!(top_field(line, "missing").unwrap(), None);
        assert!(top_field(b"[1]", "a").is_err());
        let bytes = |f: &str| value_bytes(top_field(line, f).unwrap().as_ref());
        assert_eq!(bytes("key").as_deref(), Some(&b"x\"y"[..]));
        assert_eq!(bytes("a").as_deref(), Some(&br#"{"k":1}"#[..]));
        assert_eq!(bytes("f").as_deref(), Some(&b"1.5"[..]));
        assert_eq!(bytes("z"), None);
        let part = |f: &str, n| partition_of_value(top_field(line, f).unwrap().as_ref(), f, n);
        assert_eq!(part("n", 4).unwrap(), Some(3));
        assert!(part("n", 3).is_err(), "3 is not a partition of 3");
        assert_eq!(part("key", 4).unwrap(), Some((fnv1a(b"x\"y") % 4) as i32));
        assert_eq!(part("z", 4).unwrap(), None);
    }
}
