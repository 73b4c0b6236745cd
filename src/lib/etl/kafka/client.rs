//! What the Kafka commands share: the connection flags, building a librdkafka
//! configuration from them, and turning librdkafka's asynchronous error reports into
//! one rate-limited warning line each, so a lost broker is visible but not a flood.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Args;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::ClientContext;

use crate::cli::warn;
use crate::error::{Error, Result};

/// The librdkafka features this build compiles in (`builtin.features`), for --help.
/// A unit test checks it against the linked library.
pub const BUILTIN_FEATURES: &str =
    "gzip, snappy, ssl, sasl, regex, lz4, sasl_gssapi, sasl_plain, sasl_scram, plugins, zstd, sasl_oauthbearer";

/// How to reach the cluster: every Kafka command flattens these.
#[derive(Debug, Clone, Args)]
pub struct ConnArgs {
    /// Bootstrap brokers, host:port[,host:port...]
    #[arg(
        short = 'b',
        long,
        value_name = "HOST:PORT,...",
        env = "PIPEKIT_KAFKA_BROKERS"
    )]
    pub brokers: String,

    /// Any librdkafka property, repeatable: -X security.protocol=ssl,
    /// -X compression.type=zstd, -X sasl.mechanism=SCRAM-SHA-256 ... librdkafka 2.12.1
    /// here reports the features: gzip, snappy, lz4, zstd, ssl, sasl_plain, sasl_scram,
    /// sasl_oauthbearer, sasl_gssapi (OAuth/OIDC token fetching over HTTPS is not built)
    #[arg(short = 'X', value_name = "KEY=VALUE", value_parser = parse_property)]
    pub properties: Vec<(String, String)>,
}

pub fn parse_property(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!(
            "'{s}' is not KEY=VALUE (e.g. -X security.protocol=ssl)"
        )),
    }
}

impl ConnArgs {
    /// The base configuration: brokers, our defaults, then every -X (which wins).
    pub fn config(&self, defaults: &[(&str, &str)]) -> ClientConfig {
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", &self.brokers);
        for (k, v) in defaults {
            cfg.set(*k, *v);
        }
        for (k, v) in &self.properties {
            cfg.set(k, v);
        }
        cfg
    }

    /// The value a property will have: given with -X, else `default`.
    pub fn property<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        self.properties
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map_or(default, |(_, v)| v.as_str())
    }
}

/// Turns a librdkafka error into ours, naming what we were doing and the brokers.
pub fn kafka_error(what: impl std::fmt::Display, brokers: &str, e: KafkaError) -> Error {
    let hint = match &e {
        KafkaError::ClientConfig(..) => {
            "check the -X properties (names and values are librdkafka's)"
        }
        _ => "check --brokers and that the broker is up",
    };
    Error::device(format!("kafka {brokers}"), format!("{what}: {e}")).with_hint(hint)
}

/// Counts and rate-limits librdkafka's global error reports (broker down, all brokers
/// down, authentication failures) into warnings on stderr.
#[derive(Default)]
pub struct Reporter {
    last: Mutex<Option<Instant>>,
    suppressed: AtomicU64,
    /// Set once a transport error was reported; cleared by whoever sees progress again.
    pub troubled: AtomicBool,
    /// Appended to every warning, e.g. how many records wait for acknowledgement.
    pub suffix: Mutex<Option<Box<dyn Fn() -> String + Send + Sync>>>,
}

const REPORT_EVERY: Duration = Duration::from_secs(5);

impl Reporter {
    pub fn report(&self, error: &KafkaError, reason: &str) {
        self.troubled.store(true, Ordering::Relaxed);
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < REPORT_EVERY) {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        *last = Some(Instant::now());
        let suppressed = self.suppressed.swap(0, Ordering::Relaxed);
        let more = if suppressed > 0 {
            format!(" ({suppressed} similar reports suppressed)")
        } else {
            String::new()
        };
        let suffix = self
            .suffix
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|f| f())
            .unwrap_or_default();
        let reason = if reason.is_empty() {
            error.to_string()
        } else {
            reason.to_string()
        };
        warn(&format!("kafka: {reason}{more}{suffix}"));
    }
}

/// A client context that only reports errors (librdkafka's own log lines stay quiet
/// unless -X debug=... is given, in which case they go to stderr as they are).
#[derive(Default)]
pub struct Quiet {
    pub reporter: Reporter,
    pub debug: bool,
}

impl ClientContext for Quiet {
    fn log(&self, _level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        if self.debug {
            eprintln!("librdkafka: {fac} {msg}");
        }
    }
    fn error(&self, error: KafkaError, reason: &str) {
        // Reaching the end of a partition is news for --until-end, not a problem.
        if error.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::PartitionEOF) {
            return;
        }
        self.reporter.report(&error, reason);
    }
}

/// The ids of `topic`'s partitions, or a clear error when the topic does not exist.
pub fn topic_partitions<C: rdkafka::ClientContext>(
    client: &rdkafka::client::Client<C>,
    conn: &ConnArgs,
    topic: &str,
) -> Result<Vec<i32>> {
    let metadata = client
        .fetch_metadata(Some(topic), super::METADATA_TIMEOUT)
        .map_err(|e| {
            kafka_error(
                format!("reading the metadata of topic {topic}"),
                &conn.brokers,
                e,
            )
        })?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        return Err(Error::device(
            format!("kafka {}", conn.brokers),
            format!("topic '{topic}' does not exist or has no partitions"),
        )
        .with_hint("check --topic, or create the topic first"));
    }
    Ok(partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_parse() {
        assert_eq!(
            parse_property("a.b=c=d"),
            Ok(("a.b".to_string(), "c=d".to_string()))
        );
        assert!(parse_property("nothing").is_err());
        assert!(parse_property("=x").is_err());
    }

    #[test]
    fn help_names_the_compiled_features() {
        let cfg = ClientConfig::new().create_native_config().unwrap();
        let features = cfg.get("builtin.features").unwrap();
        let mut have: Vec<&str> = features.split(',').collect();
        let mut said: Vec<&str> = BUILTIN_FEATURES.split(", ").collect();
        have.sort_unstable();
        said.sort_unstable();
        assert_eq!(have, said, "update BUILTIN_FEATURES and the -X help");
    }
}
