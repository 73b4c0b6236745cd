//! Property tests: the report descriptor decoder never panics, whatever the bytes, and
//! its layout stays consistent (fields inside their report, items covering the bytes).
#![cfg(feature = "hidctl")]

use pipekit::hid::descriptor::{decode, decode_report, items};
use proptest::prelude::*;

const KEYBOARD: &str = "05010906a10175019508050719e029e715002501810295017508810195057501050819012905910295017503910195067508150025ff0507190029ff8100c0";
const MOUSE: &str = "05010902a1010901a1000509190129051500250195057501810295017503810105010930093109381581257f750895038106c0c0";
const TABLET: &str = "05010902a1010901a10005091901290315002501950375018102950175058101050109300931150026ff7f350046ff7f751095028102050109381581257f35004500750895018106c0c0";

/// QEMU's keyboard, mouse (relative axes, signed) and tablet (absolute, 16-bit).
const REAL: [&str; 3] = [KEYBOARD, MOUSE, TABLET];

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn check(bytes: &[u8], payload: &[u8]) {
    let d = decode(bytes);
    // Items are contiguous from offset 0 and never claim bytes past the end.
    let mut next = 0usize;
    for it in &d.items {
        assert_eq!(it.offset, next);
        let header = if it.kind == "long" { 3 } else { 1 };
        next = it.offset + header + it.data.len();
        assert!(next <= bytes.len());
    }
    if next < bytes.len() {
        assert!(!d.problems.is_empty(), "unparsed tail without a problem");
    }
    for r in &d.reports {
        let mut end = 0u64;
        for f in &r.fields {
            assert!(f.bit_offset >= end);
            end = f
                .bit_offset
                .saturating_add(u64::from(f.size) * u64::from(f.count));
        }
        assert!(end <= r.bits);
        // Decoding any payload against any layout is total.
        let _ = decode_report(r, payload);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300),
                                payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        check(&bytes, &payload);
    }

    /// Real descriptors with one byte changed or cut short at any point.
    #[test]
    fn mutated_real_descriptors(which in 0usize..REAL.len(), cut in 0usize..200, pos in 0usize..200, val in any::<u8>(),
                                payload in proptest::collection::vec(any::<u8>(), 0..16)) {
        let mut b = hex(REAL[which]);
        let p = pos % b.len();
        b[p] = val;
        let c = cut % (b.len() + 1);
        check(&b[..c], &payload);
        check(&b, &payload);
    }

    /// Item streams built from valid prefixes: every prefix byte is a plausible item.
    #[test]
    fn item_soup(prefixes in proptest::collection::vec((any::<u8>(), any::<u32>()), 0..80)) {
        let mut b = Vec::new();
        for (p, v) in prefixes {
            b.push(p);
            let n = match p & 3 { 3 => 4, k => k as usize };
            b.extend_from_slice(&v.to_le_bytes()[..n]);
        }
        check(&b, &[0xff; 32]);
        let (its, _) = items(&b);
        assert!(its.len() <= b.len());
    }
}

#[test]
fn truncations_of_real_descriptors_are_reported() {
    for d in REAL {
        let b = hex(d);
        assert!(decode(&b).problems.is_empty());
        for cut in 0..b.len() {
            let r = decode(&b[..cut]);
            // Cutting after the collection opens (Usage Page, Usage, Collection: 6
            // bytes) leaves a truncated item or an unclosed collection: never silently
            // "fine". Before it, what is left is a valid (empty) descriptor.
            if cut > 6 {
                assert!(!r.problems.is_empty(), "cut at {cut} reported nothing");
            }
        }
    }
}
