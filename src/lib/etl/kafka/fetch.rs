//! Reading a topic's messages from librdkafka a batch at a time.
//!
//! rust-rdkafka's `BaseConsumer::poll` hands out one message per call, and each call
//! reads the clock twice, wraps the message in a reference-counted event and serves
//! the consumer queue's lock: a tenth of a consumer's time at half a million small
//! messages a second. Here every partition's fetch queue is redirected into a queue
//! of our own, which `rd_kafka_consume_batch_queue` drains up to `BATCH` messages per
//! call. Rebalances, commits and client errors stay on the consumer queue, which the
//! caller still serves with `poll` (and which still delivers the messages of any
//! partition that is not redirected, such as one the topic gained after we started).
//!
//! librdkafka drops a partition's redirection when it stops fetching it (a revoke in
//! a rebalance), and does not redirect it to the consumer queue again when fetching
//! restarts, so `redirect` is called again after every rebalance and whenever the
//! queue runs dry.

use std::ffi::{CStr, CString};
use std::ptr;

use rdkafka::bindings as rdsys;
use rdkafka::consumer::Consumer;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Headers, Message, Timestamp};
use rdkafka::types::RDKafkaErrorCode;

use super::consume::KafkaConsumer;

/// Most messages taken from librdkafka in one call.
pub const BATCH: usize = 1024;

/// The topic's partitions, redirected into one queue read in batches.
pub struct FetchQueue<'c> {
    consumer: &'c KafkaConsumer,
    topic: CString,
    partitions: Vec<i32>,
    queue: *mut rdsys::rd_kafka_queue_t,
    batch: Vec<*mut rdsys::rd_kafka_message_t>,
}

/// One message or consumer error from a batch; borrowed from librdkafka until the
/// batch is released.
pub enum Fetched<'a> {
    Message(FetchedMessage<'a>),
    /// The partition has no more messages for now (`enable.partition.eof`).
    PartitionEof(i32),
    Error(KafkaError),
}

impl<'c> FetchQueue<'c> {
    /// A queue for `partitions` of `topic`, redirected now.
    pub fn new(consumer: &'c KafkaConsumer, topic: &str, partitions: Vec<i32>) -> Self {
        // A topic name with a NUL cannot have come through metadata; such a queue
        // redirects nothing and the consumer queue delivers everything.
        let topic = CString::new(topic).unwrap_or_default();
        // SAFETY: the client pointer is valid while `consumer` lives; the queue is
        // destroyed in Drop, before the borrow of `consumer` ends.
        let queue = unsafe { rdsys::rd_kafka_queue_new(consumer.client().native_ptr()) };
        let fetch = FetchQueue {
            consumer,
            topic,
            partitions,
            queue,
            batch: Vec::with_capacity(BATCH),
        };
        fetch.redirect();
        fetch
    }

    /// Points every partition's fetch queue at ours (again). Messages already waiting
    /// in a partition's queue move over in order.
    pub fn redirect(&self) {
        self.each_partition_queue(|q| {
            // SAFETY: both queues are live handles of this client.
            unsafe { rdsys::rd_kafka_queue_forward(q, self.queue) }
        });
    }

    fn each_partition_queue(&self, f: impl Fn(*mut rdsys::rd_kafka_queue_t)) {
        if self.topic.as_bytes().is_empty() {
            return;
        }
        let rk = self.consumer.client().native_ptr();
        for &p in &self.partitions {
            // SAFETY: rk is valid; the topic is NUL-terminated; the returned handle
            // (a reference to the partition's queue) is released right after use.
            unsafe {
                let q = rdsys::rd_kafka_queue_get_partition(rk, self.topic.as_ptr(), p);
                if !q.is_null() {
                    f(q);
                    rdsys::rd_kafka_queue_destroy(q);
                }
            }
        }
    }

    /// Waits up to `timeout_ms` for messages and hands each of at most `max` (and
    /// `BATCH`) to `each`, in queue order; every message is released afterwards, also
    /// when `each` fails. Returns how many there were.
    pub fn poll<E>(
        &mut self,
        timeout_ms: i32,
        max: usize,
        mut each: impl FnMut(Fetched<'_>) -> Result<(), E>,
    ) -> Result<usize, E> {
        let want = max.clamp(1, BATCH);
        self.batch.clear();
        // SAFETY: the array has room for `want` pointers; librdkafka fills the first
        // `n` of them with messages we own until rd_kafka_message_destroy.
        let n = unsafe {
            rdsys::rd_kafka_consume_batch_queue(
                self.queue,
                timeout_ms,
                self.batch.as_mut_ptr(),
                want,
            )
        };
        let n = usize::try_from(n).unwrap_or(0).min(want);
        // SAFETY: librdkafka initialised the first n entries.
        unsafe { self.batch.set_len(n) };
        let release = Release(&self.batch);
        for &m in release.0 {
            // SAFETY: m is a live message until `release` drops.
            each(classify(unsafe { &*m }))?;
        }
        Ok(n)
    }
}

impl Drop for FetchQueue<'_> {
    fn drop(&mut self) {
        self.each_partition_queue(|q| {
            // SAFETY: a live partition queue handle; NULL ends the redirection.
            unsafe { rdsys::rd_kafka_queue_forward(q, ptr::null_mut()) }
        });
        // SAFETY: our own queue, created in `new`; waiting messages are dropped with it
        // (they were never handed out, so their offsets were never stored).
        unsafe { rdsys::rd_kafka_queue_destroy(self.queue) };
    }
}

/// Destroys a batch's messages when dropped.
struct Release<'a>(&'a [*mut rdsys::rd_kafka_message_t]);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        for &m in self.0 {
            // SAFETY: each message was returned by consume_batch_queue and is
            // destroyed exactly once, here.
            unsafe { rdsys::rd_kafka_message_destroy(m) };
        }
    }
}

fn classify(m: &rdsys::rd_kafka_message_t) -> Fetched<'_> {
    use rdsys::rd_kafka_resp_err_t as E;
    match m.err {
        E::RD_KAFKA_RESP_ERR_NO_ERROR => Fetched::Message(FetchedMessage::new(m)),
        E::RD_KAFKA_RESP_ERR__PARTITION_EOF => Fetched::PartitionEof(m.partition),
        E::RD_KAFKA_RESP_ERR__FATAL => {
            Fetched::Error(KafkaError::MessageConsumptionFatal(m.err.into()))
        }
        err => Fetched::Error(KafkaError::MessageConsumption(RDKafkaErrorCode::from(err))),
    }
}

/// A message of a batch, seen through rust-rdkafka's `Message` trait.
pub struct FetchedMessage<'a> {
    m: &'a rdsys::rd_kafka_message_t,
    headers: Option<FetchedHeaders>,
}

impl<'a> FetchedMessage<'a> {
    fn new(m: &'a rdsys::rd_kafka_message_t) -> Self {
        let mut h: *mut rdsys::rd_kafka_headers_t = ptr::null_mut();
        // SAFETY: a live message; librdkafka parses its headers on first request and
        // keeps them with the message.
        let err = unsafe { rdsys::rd_kafka_message_headers(m as *const _ as *mut _, &mut h) };
        let headers = (err == rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR
            && !h.is_null())
        .then_some(FetchedHeaders { h });
        FetchedMessage { m, headers }
    }
}

/// Bytes at `p` (librdkafka's buffer) for `len`; None for a null pointer.
fn bytes<'a>(p: *const std::ffi::c_void, len: usize) -> Option<&'a [u8]> {
    // SAFETY: librdkafka guarantees `len` readable bytes at a non-null `p` for the
    // message's lifetime.
    (!p.is_null()).then(|| unsafe { std::slice::from_raw_parts(p as *const u8, len) })
}

impl Message for FetchedMessage<'_> {
    type Headers = FetchedHeaders;

    fn key(&self) -> Option<&[u8]> {
        bytes(self.m.key, self.m.key_len)
    }
    fn payload(&self) -> Option<&[u8]> {
        bytes(self.m.payload, self.m.len)
    }
    /// # Safety
    /// Never hands out the payload (the message is librdkafka's, borrowed read-only),
    /// so there is nothing for the caller to uphold.
    unsafe fn payload_mut(&mut self) -> Option<&mut [u8]> {
        None
    }
    fn topic(&self) -> &str {
        // SAFETY: every fetched message has its topic handle; the name lives as long.
        unsafe { CStr::from_ptr(rdsys::rd_kafka_topic_name(self.m.rkt)) }
            .to_str()
            .unwrap_or("?")
    }
    fn partition(&self) -> i32 {
        self.m.partition
    }
    fn offset(&self) -> i64 {
        self.m.offset
    }
    fn timestamp(&self) -> Timestamp {
        use rdsys::rd_kafka_timestamp_type_t as T;
        let mut kind = T::RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
        // SAFETY: a live message.
        let ms = unsafe { rdsys::rd_kafka_message_timestamp(self.m, &mut kind) };
        match kind {
            T::RD_KAFKA_TIMESTAMP_CREATE_TIME if ms != -1 => Timestamp::CreateTime(ms),
            T::RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME if ms != -1 => Timestamp::LogAppendTime(ms),
            _ => Timestamp::NotAvailable,
        }
    }
    fn headers(&self) -> Option<&Self::Headers> {
        self.headers.as_ref()
    }
}

/// A fetched message's headers. Only reachable through a borrow of its
/// `FetchedMessage`, so the pointer never outlives the message.
pub struct FetchedHeaders {
    h: *mut rdsys::rd_kafka_headers_t,
}

impl Headers for FetchedHeaders {
    fn count(&self) -> usize {
        // SAFETY: headers of a live message.
        unsafe { rdsys::rd_kafka_header_cnt(self.h) }
    }
    fn try_get(&self, idx: usize) -> Option<Header<'_, &[u8]>> {
        let (mut name, mut value, mut size) = (ptr::null(), ptr::null(), 0usize);
        // SAFETY: headers of a live message; the out pointers point to our locals.
        let err = unsafe {
            rdsys::rd_kafka_header_get_all(self.h, idx, &mut name, &mut value, &mut size)
        };
        if err != rdsys::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR {
            return None;
        }
        // Header names are strings in the Kafka protocol; a name that is not UTF-8
        // ends the list, as it would end rust-rdkafka's own iteration (by a panic).
        // SAFETY: on success librdkafka set `name` to the header's NUL-terminated name,
        // which lives as long as the message (and so as `self`).
        let key = unsafe { CStr::from_ptr(name) }.to_str().ok()?;
        Some(Header {
            key,
            value: bytes(value, size),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::etl::kafka::client::ConnArgs;
    use crate::etl::kafka::consume::{open_consumer, StartAt};
    use crate::etl::kafka::message::LineEncoder;
    use rdkafka::message::OwnedHeaders;
    use rdkafka::mocking::MockCluster;
    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    use std::time::Duration;

    #[test]
    fn batches_carry_keys_headers_timestamps_and_the_end() {
        let cluster = MockCluster::new(1).unwrap();
        cluster.create_topic("f", 1, 1).unwrap();
        let conn = ConnArgs {
            brokers: cluster.bootstrap_servers(),
            properties: Vec::new(),
        };
        let producer: ThreadedProducer<DefaultProducerContext> = conn.config(&[]).create().unwrap();
        let headers = OwnedHeaders::new().insert(Header {
            key: "h",
            value: Some("v"),
        });
        let sends = [
            BaseRecord::to("f")
                .payload(r#"{"a":1}"#)
                .key("k")
                .headers(headers)
                .timestamp(1_000),
            BaseRecord::to("f").payload(r#"{"a":2}"#).timestamp(2_000),
            BaseRecord::to("f").timestamp(3_000),
        ];
        for r in sends {
            producer.send(r).map_err(|(e, _)| e).unwrap();
        }
        producer.flush(Duration::from_secs(10)).unwrap();

        let (consumer, marks) = open_consumer(&conn, "f", None, StartAt::Beginning, true).unwrap();
        let mut fetch = FetchQueue::new(&consumer, "f", marks.keys().copied().collect());
        let mut enc = LineEncoder::new("f", None);
        let (mut lines, mut eof) = (Vec::new(), false);
        let t = std::time::Instant::now();
        while !eof {
            assert!(t.elapsed() < Duration::from_secs(10), "no end: {lines:?}");
            // One message per call: the batch limit is kept.
            let n = fetch
                .poll(100, 1, |f| -> crate::error::Result<()> {
                    match f {
                        Fetched::Message(m) => {
                            let mut out = Vec::new();
                            enc.encode(&m, &mut out)?;
                            lines.push(serde_json::from_slice::<serde_json::Value>(&out).unwrap());
                        }
                        Fetched::PartitionEof(p) => eof = p == 0,
                        Fetched::Error(e) => panic!("{e}"),
                    }
                    Ok(())
                })
                .unwrap();
            assert!(n <= 1);
            consumer.poll(Duration::ZERO);
        }
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["key"], "k");
        assert_eq!(lines[0]["headers"], serde_json::json!({"h": "v"}));
        assert_eq!(lines[0]["a"], 1);
        assert_eq!(lines[0]["ts"], "1970-01-01T00:00:01.000000000Z");
        assert_eq!(lines[1]["headers"], serde_json::Value::Null);
        assert_eq!(lines[1]["offset"], 1);
        assert_eq!(lines[2]["ts"], "1970-01-01T00:00:03.000000000Z");
        assert!(lines[2].get("a").is_none(), "no payload: {}", lines[2]);
    }
}
