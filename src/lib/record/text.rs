//! The two text conventions of the contract: binary payloads as lowercase hex, and
//! timestamps (`ts`) as RFC 3339 UTC with nanoseconds.

use chrono::{DateTime, Utc};

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

/// Appends `ns` in [`TS_UTC_FORMAT`] (`2026-11-27T01:02:03.000000004Z`). The NDJSON
/// writers print one per record, and chrono's formatter interprets the format string
/// each time; this is plain arithmetic. Every i64 of nanoseconds falls in the years
/// 1677–2262, so the four-digit year always holds; chrono remains the fallback.
pub fn push_ts_utc(ns: i64, out: &mut Vec<u8>) {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000) as u32;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    if !(0..=9999).contains(&year) {
        let dt = DateTime::<Utc>::from_timestamp_nanos(ns);
        out.extend_from_slice(dt.format(TS_UTC_FORMAT).to_string().as_bytes());
        return;
    }
    let second_of_day = secs.rem_euclid(86_400) as u32;
    let mut text = *b"0000-00-00T00:00:00.000000000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            text[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, second_of_day / 3600);
    put(14, 2, second_of_day / 60 % 60);
    put(17, 2, second_of_day % 60);
    put(20, 9, nanos);
    out.extend_from_slice(&text);
}

/// The proleptic Gregorian (year, month, day) of a day count from 1970-01-01, by the
/// era arithmetic of Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
    fn fast_timestamp_text_matches_chrono() {
        let mut seeds = vec![
            0,
            -1,
            1,
            i64::MIN,
            i64::MAX,
            951_782_400_000_000_000, // 2000-02-29
            -62_135_596_800_000_000, // 1968
            1_500_000_000_123_456_789,
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        // Under Miri (an interpreter; make test checks this module with it) a few.
        let n = if cfg!(miri) { 50 } else { 100_000 };
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            seeds.push(x as i64);
            seeds.push((x % 8_000_000_000_000_000_000) as i64 - 4_000_000_000_000_000_000);
        }
        let mut out = Vec::new();
        for ns in seeds {
            out.clear();
            push_ts_utc(ns, &mut out);
            let want = DateTime::<Utc>::from_timestamp_nanos(ns)
                .format(TS_UTC_FORMAT)
                .to_string();
            assert_eq!(std::str::from_utf8(&out).unwrap(), want, "{ns}");
        }
    }

    #[test]
    fn timestamps_have_nanoseconds_and_z() {
        let mut text = Vec::new();
        push_ts_utc(1_500_000_000_123_456_789, &mut text);
        assert_eq!(text, b"2017-07-14T02:40:00.123456789Z");
        let dt = DateTime::<Utc>::from_timestamp_nanos(5);
        assert_eq!(
            dt.format(TS_UTC_FORMAT).to_string(),
            "1970-01-01T00:00:00.000000005Z"
        );
    }
}
