//! vidx: an index whose segment, write-ahead log or manifest was corrupted.
//!
//! The inputs are not files but damage to the files of a small real index (built once
//! per process): a flag byte, then (offset u16 LE, xor u8) triples; xor 0 cuts the file
//! at the offset instead. Damage found by a fuzzer on these few bytes reaches far deeper
//! than random files, which never get past a magic number and a checksum.
//!
//! The contract checked after each: opening the index fails with an error that names
//! the index, or the index holds exactly what one prefix of its commits wrote (a torn
//! log tail is lost, nothing else is), and searching it works. With flag bit 0 set the
//! segment's checksums are recomputed after the damage, so the checks behind them
//! (lengths, offsets, graph links) are reached; then only "no panic and a clear error"
//! is asked, since the damage is indistinguishable from data.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::{assert_names, scratch_dir};
use crate::vidx::distance::Metric;
use crate::vidx::hnsw::Scratch;
use crate::vidx::manifest::{Config, Quantize, FILE as MANIFEST};
use crate::vidx::segment;
use crate::vidx::store::{self, Index};
use crate::vidx::wal::{Op, SyncMode};

/// What an index holds: id -> (vector, metadata).
type Contents = BTreeMap<String, (Vec<f32>, String)>;

const DIM: usize = 4;

/// The pristine index and the contents after each of its commit groups.
struct Base {
    dir: PathBuf,
    /// `states[k]`: the contents after the first `k` groups (the first group is the
    /// flushed segment, so every state holds it).
    states: Vec<Contents>,
}

fn vector(i: usize) -> Vec<f32> {
    vec![i as f32, (i % 7) as f32 * 0.5, -(i as f32) / 3.0, 1.0]
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let dir = scratch_dir().join("vidx-base");
        let _ = std::fs::remove_dir_all(&dir);
        let config = Config {
            dim: DIM,
            metric: Metric::L2,
            m: 4,
            ef_construction: 16,
            ef_search: 16,
            memtable_records: 10_000,
            compact_at: 100,
            exact_below: 0.1,
            quantize: Quantize::Sq8,
            // Segments keep their metadata as columns with `n` ordered: damage reaches
            // the column decoding too.
            index_fields: vec!["n".into()],
        };
        store::create(&dir, config).expect("creating the base index");
        let mut idx = Index::open_write(&dir, SyncMode::None).expect("opening the base index");
        let put = |i: usize, meta: &str| Op::Put {
            seq: 0,
            id: format!("v{i}"),
            vector: vector(i),
            meta: meta.to_string(),
        };
        let delete = |i: usize| Op::Delete {
            seq: 0,
            id: format!("v{i}"),
        };
        let groups: Vec<Vec<Op>> = vec![
            (0..40).map(|i| put(i, &format!("{{\"n\":{i}}}"))).collect(),
            (40..44).map(|i| put(i, "{}")).collect(),
            vec![delete(3), delete(7)],
            vec![put(10, "{\"n\":\"ten\"}"), put(44, "{\"last\":true}")],
        ];
        let mut states = vec![Contents::new()];
        for (g, ops) in groups.into_iter().enumerate() {
            let mut next = states.last().unwrap().clone();
            for op in &ops {
                match op {
                    Op::Put {
                        id, vector, meta, ..
                    } => next.insert(id.clone(), (vector.clone(), meta.clone())),
                    Op::Delete { id, .. } => next.remove(id),
                };
            }
            states.push(next);
            idx.apply(ops).expect("writing the base index");
            if g == 0 {
                idx.flush().expect("flushing the base index");
            }
        }
        drop(idx);
        // The flushed group is in a segment, not in the log: no state lacks it.
        states.remove(0);
        Base { dir, states }
    })
}

/// Which file of the index a target damages.
#[derive(Clone, Copy)]
enum Part {
    Segment,
    Wal,
    Manifest,
}

pub fn segment(data: &[u8]) {
    damaged(Part::Segment, data);
}

pub fn wal(data: &[u8]) {
    damaged(Part::Wal, data);
}

pub fn manifest(data: &[u8]) {
    damaged(Part::Manifest, data);
}

fn damaged(part: Part, data: &[u8]) {
    let base = base();
    let Some((&flags, damage)) = data.split_first() else {
        return;
    };
    let work = scratch_dir().join("vidx-work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("creating the work index");
    let mut target = None;
    for entry in std::fs::read_dir(&base.dir).expect("listing the base index") {
        let entry = entry.expect("listing the base index");
        let name = entry.file_name().to_string_lossy().into_owned();
        let to = work.join(&name);
        // libFuzzer's timers interrupt system calls; a copy cut by one is retried.
        while let Err(e) = std::fs::copy(entry.path(), &to) {
            assert_eq!(
                e.kind(),
                std::io::ErrorKind::Interrupted,
                "copying the base index: {e}"
            );
        }
        let is_target = match part {
            Part::Segment => name.starts_with("seg-"),
            Part::Wal => name.starts_with("wal-"),
            Part::Manifest => name == MANIFEST,
        };
        if is_target {
            target = Some(to);
        }
    }
    let target = target.expect("the base index has a segment, a log and a manifest");
    let mut bytes = std::fs::read(&target).expect("reading the file to damage");
    apply_damage(&mut bytes, damage);
    let resealed = flags & 1 != 0 && matches!(part, Part::Segment);
    if resealed {
        segment::reseal(&mut bytes);
    }
    std::fs::write(&target, &bytes).expect("writing the damaged file");
    check(&work, &base.states, !resealed);
}

/// XORs the bytes at the given offsets; xor 0 cuts the file there.
fn apply_damage(bytes: &mut Vec<u8>, damage: &[u8]) {
    for op in damage.chunks_exact(3) {
        if bytes.is_empty() {
            return;
        }
        let at = u16::from_le_bytes([op[0], op[1]]) as usize % bytes.len();
        match op[2] {
            0 => bytes.truncate(at),
            x => bytes[at] ^= x,
        }
    }
}

/// Opens the damaged index `dir` and reads everything in it (see the module docs).
fn check(dir: &Path, states: &[Contents], exact: bool) {
    let shown = dir.display().to_string();
    let mut idx = match Index::open_read(dir) {
        Ok(idx) => idx,
        Err(e) => return assert_names(&e, &shown),
    };
    let verified = idx.segments.iter().all(|s| s.verify().is_ok());
    let ids: Vec<&String> = states.iter().flat_map(|s| s.keys()).collect();
    let mut found = Contents::new();
    for id in ids {
        if let Some(loc) = idx.find(id) {
            found.insert(
                idx.id_of(loc).to_string(),
                (idx.vector_of(loc).to_vec(), idx.meta_of(loc).to_string()),
            );
        }
    }
    // The metadata columns decode, or fail with an error naming their segment.
    for s in &idx.segments {
        if let Err(e) = s.columns(None) {
            assert_names(&e, &shown);
        }
    }
    let mut scratch = Scratch::default();
    // At ef 16 the 40-row segment is scanned (it is within 8 ef); at ef 4 its graph is
    // walked on the codes and the candidates re-ranked on the residuals.
    let budgets = [
        crate::vidx::hnsw::Budget::new(5, 16, 16),
        crate::vidx::hnsw::Budget::new(3, 4, 4),
    ];
    for (i, b) in [0, 11, 44]
        .into_iter()
        .flat_map(|i| budgets.map(|b| (i, b)))
    {
        for hit in idx.search(&vector(i), b, None, &mut scratch) {
            idx.id_of(hit.loc);
        }
    }
    if exact && verified {
        assert!(
            states.contains(&found),
            "the damaged index opened, verified, and holds what no commit wrote: {} records",
            found.len()
        );
        assert_eq!(idx.live_count(), found.len(), "live count");
    }
}
