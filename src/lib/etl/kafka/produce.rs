//! `etl kafka produce`: records → messages, one per record (JSON) or one Arrow IPC
//! stream per batch. Every message is counted when librdkafka reports its delivery;
//! the command succeeds only if every message was acknowledged by the broker.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use clap::Args;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::ClientContext;

use super::client::{kafka_error, topic_partitions, ConnArgs, Quiet};
use super::{install_stop_handler, stopped};
use crate::cli::{InputArgs, Outcome};
use crate::error::{Error, Result};
use crate::record::writer::ndjson_writer_builder;

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

    /// Use this field's value as the message key (librdkafka's partitioner then
    /// keeps equal keys in one partition)
    #[arg(short = 'k', long, value_name = "FIELD")]
    pub key: Option<String>,

    /// Choose the partition from this field: an integer field is the partition number,
    /// any other value is hashed (FNV-1a) over the topic's partitions
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

    fn sending(&self, tag: usize) {
        self.sent.fetch_add(1, Ordering::Relaxed);
        let mut open = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
        *open.entry(tag).or_default() += 1;
    }

    fn answered(&self, tag: usize) {
        let mut open = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&tag) {
            *n -= 1;
            if *n == 0 {
                open.remove(&tag);
            }
        }
    }
}

pub struct ProduceContext {
    pub quiet: Quiet,
    pub deliveries: Arc<Deliveries>,
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
                if self.quiet.reporter.troubled.swap(false, Ordering::Relaxed) {
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
}

/// Hands one message to librdkafka, waiting while its queue is full.
pub fn send(
    producer: &KafkaProducer,
    dest: &Dest<'_>,
    payload: &[u8],
    key: Option<&[u8]>,
    partition: Option<i32>,
) -> Result<()> {
    let Dest {
        topic,
        brokers,
        tag,
    } = *dest;
    let mut record: BaseRecord<'_, [u8], [u8], usize> =
        BaseRecord::with_opaque_to(topic, tag).payload(payload);
    if let Some(k) = key {
        record = record.key(k);
    }
    if let Some(p) = partition {
        record = record.partition(p);
    }
    loop {
        match producer.send(record) {
            Ok(()) => {
                producer.context().deliveries.sending(tag);
                return Ok(());
            }
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                record = back;
                producer.poll(Duration::from_millis(50));
            }
            Err((e, _)) => return Err(kafka_error(format!("producing to {topic}"), brokers, e)),
        }
    }
}

/// Waits for every message handed over to be acknowledged or to fail, then says how
/// it went: an error unless all were acknowledged.
pub fn settle(producer: &KafkaProducer, conn: &ConnArgs, what: &str) -> Result<u64> {
    let d = producer.context().deliveries.clone();
    let deadline = Duration::from_millis(delivery_timeout_ms(conn) + 10_000);
    let _ = producer.flush(deadline);
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
                let p = ints.value(i);
                if p < 0 || p >= i64::from(count) {
                    return Err(Error::Usage(format!(
                        "--partition-by {field}: value {p} is not a partition of the topic (0..{})",
                        count - 1
                    )));
                }
                Ok(Some(p as i32))
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
    let parts = partition_by
        .map(|(f, n)| partitions_of(batch, f, n))
        .transpose()?;
    let mut start = 0;
    for (i, end) in ends.into_iter().enumerate() {
        let payload = &buf[start..end];
        start = end + 1;
        send(
            producer,
            dest,
            payload,
            keys.as_ref().and_then(|k| k.get(i)),
            parts.as_ref().and_then(|p| p[i]),
        )?;
        if i % 1024 == 1023 {
            producer.poll(Duration::ZERO);
        }
    }
    producer.poll(Duration::ZERO);
    Ok(())
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
    let mut reader = args.input.open_reader()?;
    let mut buf = Vec::new();
    let mut interrupted = false;
    let dest = Dest {
        topic: &args.topic,
        brokers: &args.conn.brokers,
        tag: 0,
    };
    let fed = (|| -> Result<()> {
        while let Some(batch) = reader.next_batch()? {
            if deliveries.failed.load(Ordering::Relaxed) > 0 {
                // Once the broker refused or timed out one record, stop taking input:
                // the total below reports exactly what was and was not acknowledged.
                break;
            }
            if stopped() {
                interrupted = true;
                break;
            }
            match args.format {
                Format::Json => send_json_batch(
                    &producer,
                    &dest,
                    &batch,
                    args.key.as_deref(),
                    args.partition_by.as_deref().map(|f| (f, count)),
                    &mut buf,
                )?,
                Format::Arrow => {
                    let msg = arrow_message(&batch)?;
                    send(&producer, &dest, &msg, None, None)?;
                    producer.poll(Duration::ZERO);
                }
            }
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
        return Err(Error::Usage(format!(
            "interrupted: {} records acknowledged; the rest of the input was not sent",
            deliveries.acked.load(Ordering::Relaxed)
        )));
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
}
