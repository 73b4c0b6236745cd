//! Decoder hooks for arrow-json: integer columns that stay exact, and a fast path for
//! the contract's timestamps.
//!
//! arrow-json's own integer decoder accepts `1.5` for an int64 column (it goes through
//! f64 and truncates) and `"12"` (a string). For an inferred schema that would lose data
//! silently, so integer columns use this decoder: JSON integers only. A non-integer makes
//! the batch fail, and the reader then widens the column or names the line and field.

use std::sync::Arc;

use arrow::array::{ArrayRef, PrimitiveBuilder, TimestampNanosecondBuilder};
use arrow::datatypes::{ArrowPrimitiveType, DataType, FieldRef, Int64Type, TimeUnit, UInt64Type};
use arrow::error::ArrowError;
use arrow::json::reader::{ArrayDecoder, DecoderContext, DecoderFactory, Tape, TapeElement};

#[derive(Debug, Default)]
pub struct Decoders {
    exact_integers: bool,
}

impl DecoderFactory for Decoders {
    fn make_default_decoder(
        &self,
        _ctx: &DecoderContext,
        field: &FieldRef,
        _is_nullable: bool,
    ) -> Result<Option<Box<dyn ArrayDecoder>>, ArrowError> {
        Ok(match field.data_type() {
            DataType::Int64 if self.exact_integers => {
                Some(Box::new(ExactInt::<Int64Type>::default()))
            }
            DataType::UInt64 if self.exact_integers => {
                Some(Box::new(ExactInt::<UInt64Type>::default()))
            }
            DataType::Timestamp(TimeUnit::Nanosecond, tz) => Some(Box::new(TimestampNs {
                data_type: DataType::Timestamp(TimeUnit::Nanosecond, tz.clone()),
            })),
            _ => None,
        })
    }
}

/// The decoders for an inferred schema (`exact_integers`) or a given one.
pub fn decoders(exact_integers: bool) -> Arc<dyn DecoderFactory> {
    Arc::new(Decoders { exact_integers })
}

/// Timestamp(ns) from RFC 3339 strings (fast path for `...T..:..:..[.fffffffff]Z`, the
/// form every pipekit tool writes; any other form goes through arrow's own parser) or
/// from integers (nanoseconds since the epoch).
struct TimestampNs {
    data_type: DataType,
}

impl ArrayDecoder for TimestampNs {
    fn decode(&mut self, tape: &Tape<'_>, pos: &[u32]) -> Result<ArrayRef, ArrowError> {
        let mut builder = TimestampNanosecondBuilder::with_capacity(pos.len());
        for &p in pos {
            match tape.get(p) {
                TapeElement::Null => builder.append_null(),
                TapeElement::String(idx) => {
                    let s = tape.get_string(idx);
                    let ns = match parse_utc_z(s.as_bytes()) {
                        Some(ns) => ns,
                        None => arrow::compute::kernels::cast_utils::string_to_timestamp_nanos(s)?,
                    };
                    builder.append_value(ns);
                }
                TapeElement::Number(idx) => {
                    let s = tape.get_string(idx);
                    builder.append_value(s.parse().map_err(|_| {
                        ArrowError::JsonError(format!("expected a timestamp, found {s}"))
                    })?);
                }
                TapeElement::I32(v) => builder.append_value(v as i64),
                TapeElement::I64(high) => match tape.get(p + 1) {
                    TapeElement::I32(low) => {
                        builder.append_value(((high as i64) << 32) | (low as u32) as i64)
                    }
                    _ => return Err(ArrowError::JsonError("malformed integer".into())),
                },
                _ => return Err(ArrowError::JsonError("expected a timestamp string".into())),
            }
        }
        Ok(Arc::new(
            builder.finish().with_data_type(self.data_type.clone()),
        ))
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

struct ExactInt<P>(std::marker::PhantomData<fn(P) -> P>);

impl<P> Default for ExactInt<P> {
    fn default() -> Self {
        ExactInt(std::marker::PhantomData)
    }
}

impl<P> ArrayDecoder for ExactInt<P>
where
    P: ArrowPrimitiveType,
    P::Native: std::str::FromStr + TryFrom<i64>,
{
    fn decode(&mut self, tape: &Tape<'_>, pos: &[u32]) -> Result<ArrayRef, ArrowError> {
        let mut builder = PrimitiveBuilder::<P>::with_capacity(pos.len());
        let not_int = |what: &str| {
            ArrowError::JsonError(format!("expected {} integer, found {what}", P::DATA_TYPE))
        };
        for &p in pos {
            match tape.get(p) {
                TapeElement::Null => builder.append_null(),
                TapeElement::Number(idx) => {
                    let s = tape.get_string(idx);
                    builder.append_value(s.parse().map_err(|_| not_int(s))?);
                }
                TapeElement::I32(v) => builder.append_value(
                    P::Native::try_from(v as i64).map_err(|_| not_int(&v.to_string()))?,
                ),
                TapeElement::I64(high) => match tape.get(p + 1) {
                    TapeElement::I32(low) => {
                        let v = ((high as i64) << 32) | (low as u32) as i64;
                        builder.append_value(
                            P::Native::try_from(v).map_err(|_| not_int(&v.to_string()))?,
                        )
                    }
                    _ => return Err(not_int("a malformed integer")),
                },
                TapeElement::String(idx) => {
                    return Err(not_int(&format!("the string {:?}", tape.get_string(idx))))
                }
                TapeElement::True | TapeElement::False => return Err(not_int("a boolean")),
                TapeElement::StartObject(_) => return Err(not_int("an object")),
                TapeElement::StartList(_) => return Err(not_int("a list")),
                _ => return Err(not_int("a float")),
            }
        }
        Ok(Arc::new(builder.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
