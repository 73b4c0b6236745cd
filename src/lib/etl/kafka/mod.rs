//! `etl kafka`: Kafka topics as record sources and sinks, through librdkafka.
//!
//! `client` holds the connection flags and error reporting, `fetch` reads messages
//! from librdkafka in batches, `message` turns a message into an NDJSON line for the
//! shared reader, `aside` sets unfit messages aside (`--on-error`), `consume` and
//! `produce` are the two
//! commands, and `run` is the continuous topic-to-topic pipeline (`etl run`).

pub mod aside;
pub mod client;
pub mod consume;
pub mod fetch;
pub mod message;
pub mod produce;
pub mod run;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Subcommand;

/// How long metadata and watermark requests may take before we call the brokers
/// unreachable.
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Subcommand)]
pub enum KafkaCommand {
    /// Read messages as records: topic, partition, offset, key, ts, headers + the payload
    ///
    /// Each JSON object payload becomes the record's further columns (schema inferred
    /// and widened like any NDJSON input); --raw keeps it as one `payload` column. Keys
    /// and header values that are not UTF-8 are shown as lowercase hex. If a payload
    /// has its own field named like a message column, the payload keeps the name and the
    /// message's value goes to `kafka_<name>` (with a warning). With --group, offsets
    /// are committed only after the records were written out (at least once).
    /// SIGINT/SIGTERM stop cleanly: written records are committed.
    #[command(after_help = "\
Examples:
  etl kafka consume -b localhost:9092 -t events --until-end -o table
  etl kafka consume -b localhost:9092 -t events --group etl --until-end --out events.parquet
  etl kafka consume -b localhost:9092 -t events --from -100 --raw
  etl kafka consume -b localhost:9092 -t events --from 2026-01-31T12:00:00Z --count 10
  etl kafka consume -b broker:9093 -t events -X security.protocol=ssl -X ssl.ca.location=ca.pem
  etl kafka consume -b localhost:9092 -t events --group etl --on-error dead-letter=kafka:events-dlq

Exit status: 0 success, 1 failure (broker, topic or payload), 2 usage error, 3 messages were set
aside (--on-error skip or dead-letter).")]
    Consume(consume::ConsumeArgs),
    /// Write records as messages: one JSON message per record, or one Arrow IPC message per batch
    ///
    /// A JSON message from NDJSON input is the input line itself (surrounding
    /// whitespace trimmed), checked to be one JSON object: numbers, field order and
    /// nesting arrive as written. Records from Arrow, Parquet or CSV are encoded as JSON.
    ///
    /// Every message must be acknowledged by the broker. While the broker is
    /// unreachable, librdkafka retries each message for up to message.timeout.ms
    /// (default 300000 ms) and a warning says so; if records are still unacknowledged
    /// then, the command exits 1 saying how many were acknowledged and how many not.
    ///
    /// Partitions: --partition-by picks one per record, --key lets librdkafka hash the
    /// key; otherwise each input batch goes whole to one partition and the next batch to
    /// the next one (what librdkafka's sticky partitioner does per linger interval).
    #[command(after_help = "\
Examples:
  etl kafka produce -b localhost:9092 -t events events.ndjson
  spictl --device sim:mcp3008 sample --count 1000 | etl kafka produce -b localhost:9092 -t samples --key channel
  etl kafka produce -b localhost:9092 -t events --partition-by shard data.parquet
  etl kafka produce -b localhost:9092 -t batches --format arrow big.parquet
  etl kafka produce -b localhost:9092 -t events -X compression.type=zstd -X linger.ms=20 events.ndjson

Exit status: 0 every record acknowledged, 1 failure (some not acknowledged), 2 usage error.")]
    Produce(produce::ProduceArgs),
}

pub fn run(command: KafkaCommand) -> anyhow::Result<crate::cli::Outcome> {
    Ok(match command {
        KafkaCommand::Consume(args) => consume::consume(&args)?,
        KafkaCommand::Produce(args) => produce::produce(&args)?,
    })
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// SIGINT and SIGTERM ask the command to stop once the messages it already fetched are
/// handled, and to finish cleanly (commit what was written, settle what was sent); a
/// second signal kills as usual.
pub fn install_stop_handler() {
    // SAFETY: the handler only stores to an atomic; SA_RESETHAND restores the default
    // action so a second signal terminates.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_signal as *const () as usize;
        sa.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
    }
}

/// True once SIGINT or SIGTERM arrived.
pub fn stopped() -> bool {
    STOP.load(Ordering::Relaxed)
}
