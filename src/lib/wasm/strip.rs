//! `build --strip`: drops custom sections (names, producers, DWARF debug info) from a core
//! module without any external binary. The other sections are copied byte for byte, so
//! what the module does is unchanged; wasmparser validates the result before it is kept.

use wasmparser::{Parser, Payload};

/// The module without its custom sections, and how many bytes that saved.
pub fn strip_custom_sections(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut drop = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| format!("not a valid WebAssembly binary: {e}"))? {
            Payload::Version {
                encoding: wasmparser::Encoding::Component,
                ..
            } => return Err("stripping supports core modules, not components".into()),
            Payload::CustomSection(c) => drop.push(section_span(bytes, c.range())?),
            _ => {}
        }
    }
    let mut at = 0;
    for span in drop {
        out.extend_from_slice(&bytes[at..span.start]);
        at = span.end;
    }
    out.extend_from_slice(&bytes[at..]);
    wasmparser::Validator::new()
        .validate_all(&out)
        .map_err(|e| format!("stripped module does not validate: {e}"))?;
    Ok(out)
}

/// A custom section's payload range widened to the whole section: the id byte (0) and
/// the LEB128 size in front of it.
pub(crate) fn section_span(
    bytes: &[u8],
    payload: std::ops::Range<usize>,
) -> Result<std::ops::Range<usize>, String> {
    let size = payload.len();
    let leb_len = leb128_len(size as u64);
    // The encoder may pad the LEB128 (up to 5 bytes for u32); find the id byte that starts
    // a size field decoding to `size` and ending right at the payload.
    for pad in leb_len..=5 {
        let Some(start) = payload.start.checked_sub(pad + 1) else {
            break;
        };
        if bytes[start] == 0 && decode_leb(&bytes[start + 1..payload.start]) == Some(size as u64) {
            return Ok(start..payload.end);
        }
    }
    Err("malformed custom section header".into())
}

fn leb128_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn decode_leb(bytes: &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate() {
        v |= u64::from(b & 0x7f) << (7 * i);
        let last = i + 1 == bytes.len();
        if (b & 0x80 == 0) != last {
            return None;
        }
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::inspect::inspect;

    #[test]
    fn strips_only_custom_sections() {
        let m = crate::wasm::inspect::tests::tiny_module();
        let s = strip_custom_sections(&m).unwrap();
        assert_eq!(s.len(), m.len() - 7);
        let (a, b) = (inspect(&m).unwrap(), inspect(&s).unwrap());
        assert_eq!(a.imports, b.imports);
        assert_eq!(a.exports, b.exports);
        assert_eq!(b.custom_bytes, 0);
    }
}
