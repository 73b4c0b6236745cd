//! One Kafka message → one NDJSON line: the message's own fields (`topic`, `partition`,
//! `offset`, `key`, `ts`, `headers`) followed by the payload object's fields, so the
//! shared NDJSON reader infers, widens and decodes the payloads like any other input.
//!
//! The payload is spliced in as text, not parsed and re-serialised: the only work per
//! message is a few substring searches for field names that would clash.

use std::collections::HashSet;

use memchr::memmem::Finder;
use rdkafka::message::{Headers, Message};

use crate::cli::warn;
use crate::error::{Error, Location, Result};
use crate::record::text::{push_ts_utc, to_hex};

/// The columns every consumed record starts with.
pub const META: [&str; 6] = ["topic", "partition", "offset", "key", "ts", "headers"];

/// How `--raw` shows the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Raw {
    /// A `payload` string column (UTF-8 payloads only)
    Text,
    /// A `payload` column of lowercase hex
    Hex,
}

/// Turns messages into lines; remembers which clashes it already warned about.
pub struct LineEncoder {
    topic_json: String,
    raw: Option<Raw>,
    finders: Vec<Finder<'static>>,
    warned: HashSet<&'static str>,
    /// Leave out members whose value is null, as the NDJSON writer does (for lines
    /// that are the output themselves rather than the decoder's input).
    omit_nulls: bool,
    /// The last timestamp formatted, in milliseconds, and its text: messages of one
    /// producer batch share their timestamp.
    last_ts: (i64, Vec<u8>),
}

/// The names of META as JSON strings prefixed `kafka_`, for payloads that use a name
/// themselves.
const KAFKA_NAMES: [&str; 6] = [
    "\"kafka_topic\"",
    "\"kafka_partition\"",
    "\"kafka_offset\"",
    "\"kafka_key\"",
    "\"kafka_ts\"",
    "\"kafka_headers\"",
];

const NEEDLES: [&str; 6] = [
    "\"topic\"",
    "\"partition\"",
    "\"offset\"",
    "\"key\"",
    "\"ts\"",
    "\"headers\"",
];

/// Where a message came from, for error messages.
pub fn describe(topic: &str, partition: i32, offset: i64) -> String {
    format!("kafka topic {topic} partition {partition} offset {offset}")
}

impl LineEncoder {
    pub fn new(topic: &str, raw: Option<Raw>) -> Self {
        LineEncoder {
            topic_json: serde_json::to_string(topic).unwrap_or_default(),
            raw,
            finders: NEEDLES.iter().map(|n| Finder::new(n.as_bytes())).collect(),
            warned: HashSet::new(),
            omit_nulls: false,
            last_ts: (i64::MIN, Vec::new()),
        }
    }

    /// The same lines without null members: what `-o ndjson` prints for them.
    pub fn omitting_nulls(self) -> Self {
        LineEncoder {
            omit_nulls: true,
            ..self
        }
    }

    /// Appends the message as one line (with its newline) to `out`.
    pub fn encode<M: Message>(&mut self, m: &M, out: &mut Vec<u8>) -> Result<()> {
        let at = || describe(m.topic(), m.partition(), m.offset());
        let payload = m.payload().map(trim);
        // Which metadata names the payload object also uses: those keep the payload's
        // value and the message's own goes to `kafka_<name>`.
        let mut clash = [false; 6];
        if let (None, Some(p)) = (self.raw, payload) {
            if !(p.first() == Some(&b'{') && p.last() == Some(&b'}')) {
                return Err(Error::data(
                    Location {
                        source: at(),
                        ..Default::default()
                    },
                    format!("the payload is not a JSON object: {}", preview(p)),
                )
                .with_hint("read it as text with --raw (or --raw hex)"));
            }
            if self.finders.iter().any(|f| f.find(p).is_some()) {
                if let Ok(obj) =
                    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(p)
                {
                    for (i, name) in META.iter().enumerate() {
                        if obj.contains_key(*name) {
                            clash[i] = true;
                            if self.warned.insert(name) {
                                warn(&format!(
                                    "{}: the payload has its own '{name}' field; it is kept, and the message's {name} is in column 'kafka_{name}'",
                                    at()
                                ));
                            }
                        }
                    }
                }
            }
        }
        // Field names, with the `kafka_` prefix where the payload has its own.
        let name = |i: usize| -> &[u8] {
            if clash[i] {
                KAFKA_NAMES[i].as_bytes()
            } else {
                NEEDLES[i].as_bytes()
            }
        };
        let mut numbers = itoa::Buffer::new();
        out.push(b'{');
        out.extend_from_slice(name(0));
        out.push(b':');
        out.extend_from_slice(self.topic_json.as_bytes());
        out.push(b',');
        out.extend_from_slice(name(1));
        out.push(b':');
        out.extend_from_slice(numbers.format(m.partition()).as_bytes());
        out.push(b',');
        out.extend_from_slice(name(2));
        out.push(b':');
        out.extend_from_slice(numbers.format(m.offset()).as_bytes());
        // Opens member `i`: the comma, its name and the colon.
        let open = |out: &mut Vec<u8>, i: usize| {
            out.push(b',');
            out.extend_from_slice(name(i));
            out.push(b':');
        };
        let nulls = !self.omit_nulls;
        match m.key() {
            Some(k) => {
                open(out, 3);
                json_bytes(k, out);
            }
            None if nulls => {
                open(out, 3);
                out.extend_from_slice(b"null");
            }
            None => {}
        }
        match m.timestamp().to_millis() {
            Some(ms) if ms >= 0 => {
                open(out, 4);
                if self.last_ts.0 != ms {
                    let text = &mut self.last_ts.1;
                    text.clear();
                    text.push(b'"');
                    push_ts_utc(ms.saturating_mul(1_000_000), text);
                    text.push(b'"');
                    self.last_ts.0 = ms;
                }
                out.extend_from_slice(&self.last_ts.1);
            }
            _ if nulls => {
                open(out, 4);
                out.extend_from_slice(b"null");
            }
            _ => {}
        }
        match m.headers() {
            Some(h) if h.count() > 0 => {
                open(out, 5);
                out.push(b'{');
                for (i, header) in h.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    json_bytes(header.key.as_bytes(), out);
                    out.push(b':');
                    match header.value {
                        Some(v) => json_bytes(v, out),
                        None => out.extend_from_slice(b"null"),
                    }
                }
                out.push(b'}');
            }
            _ if nulls => {
                open(out, 5);
                out.extend_from_slice(b"null");
            }
            _ => {}
        }
        match (self.raw, payload) {
            (None, None) => {}
            (None, Some(p)) => {
                let inner = &p[1..p.len() - 1];
                if !inner.iter().all(u8::is_ascii_whitespace) {
                    out.push(b',');
                    // A raw newline can only sit between JSON tokens, never inside a
                    // string, so turning it into a space keeps the object intact.
                    let start = out.len();
                    out.extend_from_slice(inner);
                    for b in &mut out[start..] {
                        if *b == b'\n' || *b == b'\r' {
                            *b = b' ';
                        }
                    }
                }
            }
            (Some(_), None) if nulls => out.extend_from_slice(b",\"payload\":null"),
            (Some(_), None) => {}
            (Some(Raw::Hex), Some(_)) => {
                out.extend_from_slice(b",\"payload\":\"");
                out.extend_from_slice(to_hex(m.payload().unwrap_or_default()).as_bytes());
                out.push(b'"');
            }
            (Some(Raw::Text), Some(_)) => {
                let text = std::str::from_utf8(m.payload().unwrap_or_default()).map_err(|e| {
                    Error::data(
                        Location {
                            source: at(),
                            ..Default::default()
                        },
                        format!("the payload is not UTF-8 text ({e})"),
                    )
                    .with_hint("use --raw hex")
                })?;
                out.extend_from_slice(b",\"payload\":");
                serde_json::to_writer(&mut *out, text)
                    .map_err(|e| Error::io("encoding", e.into()))?;
            }
        }
        out.extend_from_slice(b"}\n");
        Ok(())
    }
}

fn trim(p: &[u8]) -> &[u8] {
    let start = p
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(p.len());
    let end = p
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &p[start..end]
}

/// A JSON string: the text when it is UTF-8, else lowercase hex (pipekit's convention
/// for bytes in NDJSON).
fn json_bytes(b: &[u8], out: &mut Vec<u8>) {
    match std::str::from_utf8(b) {
        Ok(s) => {
            let _ = serde_json::to_writer(&mut *out, s);
        }
        Err(_) => {
            out.push(b'"');
            out.extend_from_slice(to_hex(b).as_bytes());
            out.push(b'"');
        }
    }
}

fn preview(p: &[u8]) -> String {
    let s = String::from_utf8_lossy(&p[..p.len().min(40)]).into_owned();
    if p.len() > 40 {
        format!("'{s}...'")
    } else {
        format!("'{s}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::message::{Header, OwnedHeaders, OwnedMessage, Timestamp};

    #[test]
    fn field_names_match_the_message_columns() {
        for (i, name) in META.iter().enumerate() {
            assert_eq!(NEEDLES[i], format!("\"{name}\""));
            assert_eq!(KAFKA_NAMES[i], format!("\"kafka_{name}\""));
        }
    }

    fn msg(payload: &[u8], key: Option<&[u8]>) -> OwnedMessage {
        OwnedMessage::new(
            Some(payload.to_vec()),
            key.map(<[u8]>::to_vec),
            "t".into(),
            Timestamp::CreateTime(1_700_000_000_123),
            2,
            42,
            Some(OwnedHeaders::new().insert(Header {
                key: "h",
                value: Some("v"),
            })),
        )
    }

    fn line(enc: &mut LineEncoder, m: &OwnedMessage) -> serde_json::Value {
        let mut out = Vec::new();
        enc.encode(m, &mut out).unwrap();
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn payload_fields_follow_the_metadata() {
        let mut enc = LineEncoder::new("t", None);
        let v = line(&mut enc, &msg(b" {\"a\": 1,\n \"b\": \"x\"} ", Some(b"k")));
        assert_eq!(
            v,
            serde_json::json!({"topic":"t","partition":2,"offset":42,"key":"k",
                "ts":"2023-11-14T22:13:20.123000000Z","headers":{"h":"v"},"a":1,"b":"x"})
        );
        let v = line(&mut enc, &msg(b"{}", Some(&[0xff, 0x01])));
        assert_eq!(v["key"], "ff01");
        assert!(v.get("a").is_none());
    }

    #[test]
    fn each_message_has_its_own_timestamp() {
        let mut enc = LineEncoder::new("t", None);
        let at = |ms| {
            OwnedMessage::new(
                Some(b"{}".to_vec()),
                None,
                "t".into(),
                Timestamp::CreateTime(ms),
                0,
                0,
                None,
            )
        };
        let ts = |enc: &mut LineEncoder, ms| line(enc, &at(ms))["ts"].clone();
        assert_eq!(ts(&mut enc, 0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(ts(&mut enc, 0), "1970-01-01T00:00:00.000000000Z");
        assert_eq!(ts(&mut enc, 1), "1970-01-01T00:00:00.001000000Z");
        let none = OwnedMessage::new(None, None, "t".into(), Timestamp::NotAvailable, 0, 0, None);
        assert_eq!(line(&mut enc, &none)["ts"], serde_json::Value::Null);
        assert_eq!(ts(&mut enc, 1), "1970-01-01T00:00:00.001000000Z");
    }

    #[test]
    fn clashing_names_keep_the_payload_value() {
        let mut enc = LineEncoder::new("t", None);
        let v = line(&mut enc, &msg(b"{\"ts\":\"x\",\"n\":{\"key\":1}}", None));
        assert_eq!(v["ts"], "x");
        assert_eq!(v["kafka_ts"], "2023-11-14T22:13:20.123000000Z");
        assert_eq!(
            v["key"],
            serde_json::Value::Null,
            "nested 'key' is no clash"
        );
    }

    #[test]
    fn raw_and_errors() {
        let mut enc = LineEncoder::new("t", Some(Raw::Text));
        assert_eq!(
            line(&mut enc, &msg(b"hello \"x\"", None))["payload"],
            "hello \"x\""
        );
        let mut enc = LineEncoder::new("t", Some(Raw::Hex));
        assert_eq!(line(&mut enc, &msg(&[0, 255], None))["payload"], "00ff");
        let mut enc = LineEncoder::new("t", None);
        let err = enc
            .encode(&msg(b"[1,2]", None), &mut Vec::new())
            .unwrap_err();
        assert!(err.to_string().contains("partition 2 offset 42"), "{err}");
        let mut enc = LineEncoder::new("t", Some(Raw::Text));
        assert!(enc.encode(&msg(&[0xff], None), &mut Vec::new()).is_err());
    }
}
