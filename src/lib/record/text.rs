//! The two text conventions of the contract: binary payloads as lowercase hex, and
//! timestamps (`ts`) as RFC 3339 UTC with nanoseconds.

use chrono::{DateTime, SecondsFormat, Utc};

/// The format string handed to the Arrow writers for Timestamp(ns, UTC) columns.
pub const TS_UTC_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.9fZ";
/// The same for timestamps in other zones, which keep their offset.
pub const TS_TZ_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.9f%:z";
/// And for timestamps without a zone.
pub const TS_NAIVE_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.9f";

pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Parses hex digits; spaces, `:` and a leading `0x` are allowed between bytes so that
/// `de ad be ef`, `de:ad` and `0xdead` all work on a command line.
pub fn from_hex(text: &str) -> Result<Vec<u8>, String> {
    let t = text.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    let digits: Vec<u8> = t
        .bytes()
        .filter(|b| !matches!(b, b' ' | b':' | b'_' | b'\t' | b'\n'))
        .collect();
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "'{text}' has an odd number of hex digits ({})",
            digits.len()
        ));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).unwrap_or("??");
            u8::from_str_radix(s, 16).map_err(|_| format!("'{s}' in '{text}' is not hex"))
        })
        .collect()
}

/// Nanoseconds since the Unix epoch, now.
pub fn now_ns() -> i64 {
    Utc::now().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

pub fn format_ts(ns: i64) -> String {
    DateTime::<Utc>::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::Nanos, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(to_hex(&[0xde, 0xad, 0x00, 0x0f]), "dead000f");
        assert_eq!(from_hex("de ad:00 0f").unwrap(), vec![0xde, 0xad, 0, 0x0f]);
        assert_eq!(from_hex("0x9F").unwrap(), vec![0x9f]);
        assert!(from_hex("abc").unwrap_err().contains("odd"));
        assert!(from_hex("zz").is_err());
    }

    #[test]
    fn timestamps_have_nanoseconds_and_z() {
        assert_eq!(
            format_ts(1_500_000_000_123_456_789),
            "2017-07-14T02:40:00.123456789Z"
        );
        let dt = DateTime::<Utc>::from_timestamp_nanos(5);
        assert_eq!(
            dt.format(TS_UTC_FORMAT).to_string(),
            "1970-01-01T00:00:00.000000005Z"
        );
    }
}
