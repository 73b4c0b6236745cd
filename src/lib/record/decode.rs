//! The NDJSON batch decoder: whole lines in, record batches out.
//!
//! arrow-json coerces: a `1.5` or a `"12"` in an integer column becomes `1` or `12`, a
//! `"2.5"` in a float column becomes `2.5`. Under `--schema` that is what the user asked
//! for. Under an inferred schema it would lose data silently (the schema was a guess from
//! the first records), so there the lines are decoded exactly: `direct.rs` where it can,
//! and otherwise arrow-json only after every line was checked to hold nothing but values
//! of its column's type (`infer::check_value`). A batch that fails makes the reader widen
//! the schema or name the line and field (`ndjson.rs`).

use arrow::datatypes::SchemaRef;
use arrow::error::ArrowError;
use arrow::json::ReaderBuilder;
use arrow::record_batch::RecordBatch;
use serde::de::IgnoredAny;
use serde_json::Value;

use super::direct::DirectDecoder;
use super::infer::check_value;

/// Decodes NDJSON lines into batches of at most `batch_size` records.
pub enum Decoder {
    /// A given schema: arrow-json, coercing values into the column types.
    Coercing(arrow::json::reader::Decoder),
    /// An inferred schema: the lines are kept and decoded exactly at `flush`.
    Exact(Exact),
}

pub struct Exact {
    schema: SchemaRef,
    batch_size: usize,
    direct: Option<DirectDecoder>,
    bytes: Vec<u8>,
    records: usize,
}

impl Decoder {
    /// `exact` for an inferred schema (see the module docs).
    pub fn new(schema: SchemaRef, batch_size: usize, exact: bool) -> Result<Decoder, ArrowError> {
        let batch_size = batch_size.max(1);
        if exact {
            return Ok(Decoder::Exact(Exact {
                direct: DirectDecoder::new(schema.clone(), batch_size),
                schema,
                batch_size,
                bytes: Vec::new(),
                records: 0,
            }));
        }
        ReaderBuilder::new(schema)
            .with_batch_size(batch_size)
            .with_strict_mode(true)
            .with_coerce_primitive(true)
            .build_decoder()
            .map(Decoder::Coercing)
    }

    /// Takes whole lines from `bytes` (at the end of the input the last may lack its
    /// newline) until the batch is full; returns how many bytes it took.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<usize, ArrowError> {
        let exact = match self {
            Decoder::Coercing(d) => return d.decode(bytes),
            Decoder::Exact(e) => e,
        };
        let mut taken = 0;
        while taken < bytes.len() && exact.records < exact.batch_size {
            let end = memchr::memchr(b'\n', &bytes[taken..]).map_or(bytes.len(), |i| taken + i + 1);
            if !bytes[taken..end].iter().all(u8::is_ascii_whitespace) {
                exact.records += 1;
            }
            taken = end;
        }
        exact.bytes.extend_from_slice(&bytes[..taken]);
        Ok(taken)
    }

    /// Records taken and not flushed yet.
    pub fn len(&self) -> usize {
        match self {
            Decoder::Coercing(d) => d.len(),
            Decoder::Exact(e) => e.records,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the bytes taken end inside a record (a record cut short at the end of
    /// the input).
    pub fn has_partial_record(&self) -> bool {
        match self {
            Decoder::Coercing(d) => d.has_partial_record(),
            Decoder::Exact(e) => {
                let text = e.bytes.trim_ascii_end();
                let last = memchr::memrchr(b'\n', text).map_or(text, |i| &text[i + 1..]);
                !last.is_empty()
                    && matches!(serde_json::from_slice::<IgnoredAny>(last), Err(err) if err.is_eof())
            }
        }
    }

    /// The batch of the records taken so far (`None` if there were none).
    pub fn flush(&mut self) -> Result<Option<RecordBatch>, ArrowError> {
        let exact = match self {
            Decoder::Coercing(d) => return d.flush(),
            Decoder::Exact(e) => e,
        };
        let bytes = std::mem::take(&mut exact.bytes);
        exact.records = 0;
        if let Some(batch) = exact.direct.as_mut().and_then(|d| d.decode(&bytes)) {
            return Ok(Some(batch));
        }
        exact.checked(&bytes)
    }
}

impl Exact {
    /// arrow-json, after checking that it has nothing to coerce.
    fn checked(&self, bytes: &[u8]) -> Result<Option<RecordBatch>, ArrowError> {
        let root = arrow::datatypes::DataType::Struct(self.schema.fields().clone());
        let mut records = 0;
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let at = |what: String| {
                ArrowError::JsonError(format!("line {} of the batch: {what}", i + 1))
            };
            // arrow-json (like direct.rs) takes raw control characters inside strings,
            // which serde_json refuses. The check is about types, so it reads a copy with
            // them blanked; arrow-json still decodes the line as it is.
            let blanked;
            let line = if line.iter().any(|&b| b < 0x20) {
                blanked = line
                    .iter()
                    .map(|&b| if b < 0x20 { b' ' } else { b })
                    .collect::<Vec<u8>>();
                &blanked[..]
            } else {
                line
            };
            // Like arrow-json, a line may hold more than one record.
            for value in serde_json::Deserializer::from_slice(line).into_iter::<Value>() {
                let value = value.map_err(|e| at(e.to_string()))?;
                if !value.is_object() {
                    return Err(at("expected a JSON object".into()));
                }
                check_value(&value, &root, "")
                    .map_err(|(field, msg)| at(format!("field {field}: {msg}")))?;
                records += 1;
            }
        }
        let mut decoder = ReaderBuilder::new(self.schema.clone())
            .with_batch_size(records.max(1))
            .with_strict_mode(true)
            .build_decoder()?;
        let n = decoder.decode(bytes)?;
        if n != bytes.len() || decoder.has_partial_record() {
            return Err(ArrowError::JsonError(
                "the lines did not decode as whole records".into(),
            ));
        }
        decoder.flush()
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` exactly; `None` for anything else.
pub fn parse_utc_z(s: &[u8]) -> Option<i64> {
    if s.len() < 20
        || s[4] != b'-'
        || s[7] != b'-'
        || s[10] != b'T'
        || s[13] != b':'
        || s[16] != b':'
    {
        return None;
    }
    if *s.last()? != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        s[r].iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + (b - b'0') as u32)
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let frac = &s[19..s.len() - 1];
    let nanos = match frac {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let v = num(20..20 + digits.len())? as i64;
            v * 10i64.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let days = date
        .signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    let secs = days * 86_400 + (h * 3600 + m * 60 + sec) as i64;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int_and_string() -> SchemaRef {
        crate::record::schema::parse_schema_arg("a:int64,b:utf8").unwrap()
    }

    fn exact(text: &str) -> Result<Option<RecordBatch>, ArrowError> {
        let mut d = Decoder::new(int_and_string(), 100, true).unwrap();
        assert_eq!(d.decode(text.as_bytes()).unwrap(), text.len());
        d.flush()
    }

    #[test]
    fn exact_refuses_what_arrow_json_would_coerce() {
        for text in [
            "{\"a\":1}\n{\"a\":1.5}\n",
            "{\"a\":\"12\"}\n",
            // an escaped key makes the fast path give up: the checked path still refuses
            "{\"\\u0061\":2.5}\n",
            "{\"b\":7}\n",
        ] {
            assert!(exact(text).is_err(), "{text}");
        }
        let batch = exact("{\"\\u0061\":2,\"b\":\"x\"}\n\n{\"a\":null}\n")
            .unwrap()
            .unwrap();
        assert_eq!(batch.num_rows(), 2);
    }

    /// Lines the fast path gives up on (the escaped key `\u0061`), so the checked
    /// arrow-json path decodes them.
    fn checked_path(schema: &str, text: &str) -> Result<Option<RecordBatch>, ArrowError> {
        let schema = crate::record::schema::parse_schema_arg(schema).unwrap();
        let mut d = Decoder::new(schema, 100, true).unwrap();
        d.decode(text.as_bytes()).unwrap();
        d.flush()
    }

    #[test]
    fn checked_path_timestamps_are_what_arrow_reads_and_never_floats() {
        let ts = "a:int64,ts:timestamp[ns, UTC]";
        for bad in [
            "{\"\\u0061\":1,\"ts\":1.5}\n",
            "{\"\\u0061\":1,\"ts\":\"soon\"}\n",
        ] {
            assert!(checked_path(ts, bad).is_err(), "{bad}");
        }
        let batch = checked_path(
            ts,
            "{\"\\u0061\":1,\"ts\":\"2024-01-02 03:04:05\"}\n{\"ts\":1700000000000000000}\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(batch.num_rows(), 2);
    }

    #[test]
    fn checked_path_takes_what_the_fast_path_takes() {
        let text = "{\"\\u0061\":1,\"b\":\"x\ty\"}{\"a\":2}\n";
        let batch = checked_path("a:int64,b:utf8", text).unwrap().unwrap();
        assert_eq!(batch.num_rows(), 2);
        let b = batch
            .column(1)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>();
        assert_eq!(b.unwrap().value(0), "x\ty");
    }

    #[test]
    fn coercing_takes_what_the_given_schema_asks() {
        let mut d = Decoder::new(int_and_string(), 100, false).unwrap();
        d.decode(b"{\"a\":\"12\",\"b\":\"x\"}\n").unwrap();
        let batch = d.flush().unwrap().unwrap();
        let a = batch
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::Int64Array>();
        assert_eq!(a.unwrap().value(0), 12);
    }

    #[test]
    fn takes_whole_lines_up_to_a_batch() {
        let mut d = Decoder::new(int_and_string(), 2, true).unwrap();
        let text = b"{\"a\":1}\n\n{\"a\":2}\n{\"a\":3}\n";
        assert_eq!(d.decode(text).unwrap(), 17);
        assert_eq!(d.len(), 2);
        assert_eq!(d.flush().unwrap().unwrap().num_rows(), 2);
        assert_eq!(d.decode(&text[17..]).unwrap(), 8);
        assert!(!d.has_partial_record());
        d.flush().unwrap();
        d.decode(b"{\"a\":4}\n{\"a\":").unwrap();
        assert!(d.has_partial_record());
    }

    #[test]
    fn fast_timestamps_match_chrono() {
        for s in [
            "2026-11-26T10:47:41.123456789Z",
            "1970-01-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "2024-02-29T12:00:00.000001Z",
        ] {
            let want = chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_nanos_opt()
                .unwrap();
            assert_eq!(parse_utc_z(s.as_bytes()), Some(want), "{s}");
        }
        for s in [
            "2023-02-29T00:00:00Z",
            "2026-11-26T24:00:00Z",
            "2026-11-26T10:00:00+01:00",
            "2026-11-26T10:00:00.1234567890Z",
        ] {
            assert_eq!(parse_utc_z(s.as_bytes()), None, "{s}");
        }
    }
}
