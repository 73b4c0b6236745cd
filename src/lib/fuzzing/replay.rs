//! The fuzz targets in `make test`: every committed corpus input, then seeded mutations
//! of them per target, up to `MUTATIONS` or `BUDGET` of time, whichever comes first (the
//! same sequence on every run, so a failure reproduces: it names the mutation and saves
//! the input). This is not coverage-guided (that is `make fuzz`, libFuzzer with
//! AddressSanitizer, which needs an instrumented build of its own); it keeps every
//! finding saved in the corpus fixed, and covers each target's near neighbourhood in a
//! few seconds of the one release build.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use super::{targets, Target};

const MUTATIONS: usize = 50_000;
const BUDGET: std::time::Duration = std::time::Duration::from_millis(1500);

/// splitmix64: a small, fixed, seedable generator; the sequence is part of the test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that matter to the parsers: structure of JSON and CSV, boundaries of integers.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\\",
    b"\n",
    b"\r\n",
    b"\\u",
    b"\\ud83d",
    b"null",
    b"true",
    b"-",
    b"e-400",
    b"1e309",
    b"0.0",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"\"ts\":\"2026-12-04T00:00:00Z\"",
    b"\t",
    b";",
    b"#",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"\x80",
    b"\x7f",
    b"\x01\x00\x00\x00",
];

/// One to four edits of `input`: bit flips, special bytes and tokens, insertions,
/// deletions, duplicated ranges, cuts, and splices from `other`.
fn mutate(input: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    for _ in 0..1 + rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(8) {
            0 if len > 0 => input[at.min(len - 1)] ^= 1 << rng.below(8),
            1 if len > 0 => input[at.min(len - 1)] = [0, 0xff, 0x7f, 0x80][rng.below(4)],
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, t.iter().copied());
            }
            3 if len > 0 => {
                let end = (at + 1 + rng.below(16)).min(len);
                input.drain(at.min(len - 1)..end);
            }
            4 if len > 0 => {
                let from = rng.below(len);
                let end = (from + 1 + rng.below(64)).min(len);
                let copy = input[from..end].to_vec();
                input.splice(at..at, copy);
            }
            5 => input.truncate(at),
            6 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(256)).min(other.len());
                input.splice(at..at, other[from..end].iter().copied());
            }
            _ => input.insert(at, rng.next() as u8),
        }
    }
}

fn corpus_of(target: &Target) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (every target has a corpus)", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

/// Runs `target` on `input`; a panic is reported with the input saved where `make
/// fuzz`'s findings go, ready to be added to the corpus.
fn run_one(target: &Target, input: &[u8], what: &str) {
    if catch_unwind(AssertUnwindSafe(|| (target.run)(input))).is_err() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/artifacts")
            .join(target.name);
        std::fs::create_dir_all(&dir).unwrap();
        let saved = dir.join(format!("replay-{:016x}", fnv(input)));
        std::fs::write(&saved, input).unwrap();
        panic!(
            "fuzz target {} failed on {what}; the input is saved as {} (reproduce: cargo fuzz run {} {})",
            target.name,
            saved.display(),
            target.name,
            saved.display()
        );
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[test]
fn every_target_on_its_corpus_and_mutations() {
    for target in targets() {
        let started = std::time::Instant::now();
        let corpus = corpus_of(&target);
        assert!(!corpus.is_empty(), "{}: empty corpus", target.name);
        for (path, bytes) in &corpus {
            run_one(&target, bytes, &path.display().to_string());
        }
        let mut rng = Rng(fnv(target.name.as_bytes()));
        let mut done = 0;
        while done < MUTATIONS && started.elapsed() < BUDGET {
            let i = done;
            done += 1;
            let mut input = corpus[rng.below(corpus.len())].1.clone();
            let other = &corpus[rng.below(corpus.len())].1;
            mutate(&mut input, other, &mut rng);
            run_one(&target, &input, &format!("mutation {i}"));
        }
        eprintln!(
            "fuzz target {}: {} corpus inputs and {done} mutations in {:.1?}",
            target.name,
            corpus.len(),
            started.elapsed()
        );
    }
}
