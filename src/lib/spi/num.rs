//! Numbers on the command line and in register maps: `0xF4`, `0b1010`, `244`, and for
//! sizes and offsets `4K`, `1M` (powers of 1024), so flash ranges read naturally.

/// Parses `0x..`, `0b..`, `0o..` or decimal, with `_` allowed between digits.
pub fn parse_u64(text: &str) -> Result<u64, String> {
    let t = text.trim().replace('_', "");
    let lower = t.to_ascii_lowercase();
    let r = if let Some(h) = lower.strip_prefix("0x") {
        u64::from_str_radix(h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        u64::from_str_radix(b, 2)
    } else if let Some(o) = lower.strip_prefix("0o") {
        u64::from_str_radix(o, 8)
    } else {
        lower.parse()
    };
    r.map_err(|_| format!("'{text}' is not a number (decimal, 0x hex, 0b binary)"))
}

/// A size or offset: a number, optionally followed by K, M or G (binary multiples).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if !t.to_ascii_lowercase().starts_with("0x") || !c.is_ascii_hexdigit() => {
            match c.to_ascii_uppercase() {
                'K' => (&t[..i], 1u64 << 10),
                'M' => (&t[..i], 1 << 20),
                'G' => (&t[..i], 1 << 30),
                _ => (t, 1),
            }
        }
        _ => (t, 1),
    };
    let n = parse_u64(num)
        .map_err(|_| format!("'{text}' is not a size (a number, optionally with K, M or G)"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("'{text}' is too large"))
}

/// clap value parser for sizes and offsets.
pub fn size_arg(text: &str) -> Result<u64, String> {
    parse_size(text)
}

/// clap value parser for numbers.
pub fn number_arg(text: &str) -> Result<u64, String> {
    parse_u64(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_u64("0xF4").unwrap(), 0xf4);
        assert_eq!(parse_u64("0b1010").unwrap(), 10);
        assert_eq!(parse_u64("1_000").unwrap(), 1000);
        assert!(parse_u64("ctrl").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4K").unwrap(), 4096);
        assert_eq!(parse_size("1m").unwrap(), 1 << 20);
        assert_eq!(parse_size("0x1000").unwrap(), 4096);
        assert_eq!(parse_size("0x10K").unwrap(), 16 << 10);
        assert!(parse_size("0xAB").unwrap() == 0xab);
        assert!(parse_size("12Q").is_err());
    }
}
