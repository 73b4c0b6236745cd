//! The index as a whole: the LSM store (manifest + segments + WAL + memtable), the one
//! writer lock, flushing, compaction, and search fanned out over memtable and segments.
//!
//! Which copy of an id counts: the newest write (highest sequence number) wins. Sources
//! are ordered oldest segment → newest segment → memtable, and each id's row in a later
//! source hides its rows in earlier ones; a tombstone hides and contributes nothing.
//! The hidden rows stay in their segment's graph (they still route searches) but are
//! masked out of results until a merge or compaction drops them.
//!
//! A flush normally merges the memtable into the largest segment (`Index::flush`): the
//! index stays one graph, so a search walks one graph with its full `ef` however the
//! data arrived, and ingest costs what inserting into one HNSW graph costs. A merged
//! segment holds only current rows (one per id), and it is placed last: every row it
//! keeps is newer than any other copy of its id.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arrow::array::ArrayRef;

use super::bitset::Bitset;
use super::columns;
use super::distance::Space;
use super::hnsw::{self, Params, Scratch, Vectors};
use super::manifest::{sync_dir, Config, Manifest, Quantize, SegmentEntry, FORMAT};
use super::memtable::Memtable;
use super::quant::Quantized;
use super::segment::{self, NewSegment, Segment};
use super::types;
use super::wal::{self, Op, SyncMode, Wal};
use crate::error::{Error, Result};

const LOCK: &str = "LOCK";

/// Where the current copy of an id lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Loc {
    Mem(u32),
    Seg(u32, u32),
}

/// One search result before it is turned into a record.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub distance: f32,
    pub loc: Loc,
}

/// What a flush or compaction did, for reports.
#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    pub segments_before: usize,
    pub segments_after: usize,
    pub records: usize,
    pub dropped: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

struct Writer {
    _lock: File,
    wal: Wal,
}

pub struct Index {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub space: Space,
    pub segments: Vec<Segment>,
    pub mem: Memtable,
    /// Newest location of every id; built on first need (a search of a single
    /// segment never needs it).
    loc: OnceLock<HashMap<String, Loc>>,
    /// Per segment, its rows that are current (None: all of its vector rows are).
    live: OnceLock<Vec<Option<Bitset>>>,
    next_seq: u64,
    writer: Option<Writer>,
    /// WAL tails cut off (writer) or ignored (reader) at open: (file, bytes).
    pub torn: Vec<(PathBuf, u64)>,
}

fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("seg-{n:08}.vseg"))
}

/// Creates a new, empty index directory.
pub fn create(dir: &Path, config: Config) -> Result<()> {
    if dir.join(super::manifest::FILE).exists() {
        return Err(Error::Usage(format!(
            "{} already holds a vidx index; remove it first or pick another directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let _lock = lock(dir)?;
    Wal::create(&dir.join(wal::file_name(1)), SyncMode::Batch)?;
    let m = Manifest {
        format: FORMAT,
        config,
        generation: 1,
        segments: Vec::new(),
        flushed_seq: 0,
        next_segment: 1,
        wal: 1,
        meta_types: Default::default(),
    };
    m.write(dir)
}

/// Takes the writer lock (an flock on `DIR/LOCK`, released by the kernel when the
/// process ends, however it ends — so a crash never leaves a stale lock behind).
pub fn lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    // SAFETY: flock on a descriptor we own.
    let r = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if r != 0 {
        let err = std::io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
            let mut pid = String::new();
            let _ = f.read_to_string(&mut pid);
            let who = match pid.trim() {
                "" => String::new(),
                p => format!(" (pid {p})"),
            };
            return Err(Error::io(
                format!(
                    "{} is locked by another vidx writer{who}; only one add/delete/compact runs at a time — wait for it to finish (searches need no lock)",
                    dir.display()
                ),
                err,
            ));
        }
        return Err(Error::io(format!("locking {}", path.display()), err));
    }
    let _ = f.set_len(0);
    let _ = f.rewind();
    let _ = writeln!(f, "{}", std::process::id());
    Ok(f)
}

/// The write-ahead log files in `dir`, oldest first.
pub fn wal_files(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut out = Vec::new();
    let rd =
        std::fs::read_dir(dir).map_err(|e| Error::io(format!("listing {}", dir.display()), e))?;
    for e in rd.flatten() {
        if let Some(g) = e.file_name().to_str().and_then(wal::parse_name) {
            out.push((g, e.path()));
        }
    }
    out.sort();
    Ok(out)
}

impl Index {
    /// Opens for searching: no lock, a consistent snapshot of manifest + segments + the
    /// committed part of the WAL, retried if a writer replaces files meanwhile.
    pub fn open_read(dir: &Path) -> Result<Index> {
        let mut last_err = None;
        for _ in 0..20 {
            let manifest = Manifest::read(dir)?;
            let gen = manifest.generation;
            match Self::load(dir, manifest) {
                Ok(idx) => {
                    if Manifest::read(dir)?.generation == gen {
                        return Ok(idx);
                    }
                }
                // A file the manifest names went missing: a writer replaced it (the
                // manifest moved on: retry), or it is gone for good (it did not: say so).
                Err(e @ Error::Io { .. }) => {
                    if Manifest::read(dir)?.generation == gen {
                        return Err(e);
                    }
                    last_err = Some(e);
                }
                Err(e) => return Err(e),
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Err(last_err.unwrap_or_else(|| {
            Error::io(
                format!("opening {}", dir.display()),
                std::io::Error::other("it kept changing while being opened; try again"),
            )
        }))
    }

    /// Opens for writing: takes the lock, replays and repairs the WAL (cutting a torn
    /// tail), removes files a crash left half-written.
    pub fn open_write(dir: &Path, sync: SyncMode) -> Result<Index> {
        if !dir.join(super::manifest::FILE).exists() {
            Manifest::read(dir)?;
        }
        let lock = lock(dir)?;
        let mut idx = Self::load(dir, Manifest::read(dir)?)?;
        // Leftovers of an interrupted flush or compaction: files no manifest names.
        let named: Vec<&str> = idx
            .manifest
            .segments
            .iter()
            .map(|s| s.file.as_str())
            .collect();
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let orphan = (name.starts_with("seg-") && !named.contains(&name.as_str()))
                    || name.ends_with(".tmp");
                if orphan {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        let files = wal_files(dir)?;
        let current = idx.manifest.wal;
        let mut wal = None;
        for (g, path) in &files {
            if *g < current {
                // Already flushed (the manifest moved on before the file was removed).
                let _ = std::fs::remove_file(path);
                continue;
            }
            let r = wal::read(path)?;
            if *g == current {
                wal = Some(Wal::reopen(path, r.good_len, sync)?);
            } else if r.ops.is_empty() {
                // A flush created the next log and stopped (a crash) before the manifest
                // named it, so nothing was written to it: remove it, or that flush could
                // never create it again.
                std::fs::remove_file(path)
                    .map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
            } else {
                // Should not exist; keep its committed records by truncating only.
                Wal::reopen(path, r.good_len, sync)?;
            }
        }
        // `load` refused an index without the log its manifest names, and the lock keeps
        // any other writer from removing it since.
        let wal = wal.ok_or_else(|| {
            Error::Internal(format!(
                "the log {} vanished while the writer lock was held",
                wal::file_name(current)
            ))
        })?;
        idx.writer = Some(Writer { _lock: lock, wal });
        Ok(idx)
    }

    /// The index `manifest` (just read from `dir`) describes.
    fn load(dir: &Path, manifest: Manifest) -> Result<Index> {
        let mut segments = Vec::with_capacity(manifest.segments.len());
        for s in &manifest.segments {
            let seg = Segment::open(&dir.join(&s.file))?;
            if seg.dim != manifest.config.dim {
                return Err(Error::data(
                    crate::error::Location {
                        source: seg.path.display().to_string(),
                        ..Default::default()
                    },
                    format!(
                        "segment has dimension {}, the index {}",
                        seg.dim, manifest.config.dim
                    ),
                ));
            }
            segments.push(seg);
        }
        let space = Space::new(manifest.config.metric);
        let mut mem = Memtable::new(manifest.config.dim);
        let mut next_seq = manifest.flushed_seq + 1;
        for s in &manifest.segments {
            next_seq = next_seq.max(s.max_seq + 1);
        }
        let mut torn = Vec::new();
        let wals = wal_files(dir)?;
        // The log the manifest names is created (and its directory entry synced) before
        // the manifest names it, and removed only after a newer manifest replaced this
        // one. Missing, it held records that are in no segment: a partial copy of an
        // index (see `vidx snapshot --help`), or a file removed by hand.
        if !wals.iter().any(|(g, _)| *g == manifest.wal) {
            let path = dir.join(wal::file_name(manifest.wal));
            return Err(Error::io(
                format!("opening {}", path.display()),
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the write-ahead log the manifest names is missing, and with it any records not yet in a segment (a partial copy of an index? copy a live index with 'vidx snapshot')",
                ),
            ));
        }
        for (g, path) in wals {
            if g < manifest.wal {
                continue;
            }
            let r = match wal::read(&path) {
                Ok(r) => r,
                // Removed by a writer since the listing: the manifest has moved on and
                // the caller retries.
                Err(Error::Io { cause, .. }) if cause.kind() == std::io::ErrorKind::NotFound => {
                    continue
                }
                Err(e) => return Err(e),
            };
            if r.torn_bytes > 0 {
                torn.push((path.clone(), r.torn_bytes));
            }
            for op in r.ops {
                if op.seq() <= manifest.flushed_seq {
                    continue;
                }
                next_seq = next_seq.max(op.seq() + 1);
                match op {
                    Op::Put {
                        seq,
                        id,
                        vector,
                        meta,
                    } => {
                        // `vidx add` checks every vector before logging it: another
                        // dimension here is a log that is not this index's.
                        if vector.len() != manifest.config.dim {
                            return Err(Error::data(
                                crate::error::Location::of(path.display().to_string()),
                                format!(
                                    "record {id:?} (sequence {seq}) has {} dimensions, the index {}",
                                    vector.len(),
                                    manifest.config.dim
                                ),
                            )
                            .with_hint("this log belongs to another index; restore the index's own from a backup"));
                        }
                        mem.put(seq, &id, &vector, &meta)
                    }
                    Op::Delete { seq, id } => mem.delete(seq, &id),
                }
            }
        }
        Ok(Index {
            dir: dir.to_path_buf(),
            manifest,
            space,
            segments,
            mem,
            loc: OnceLock::new(),
            live: OnceLock::new(),
            next_seq,
            writer: None,
            torn,
        })
    }

    pub fn config(&self) -> &Config {
        &self.manifest.config
    }

    /// The metadata fields' declared types (see `types`).
    pub fn meta_types(&self) -> types::Resolved {
        types::resolve(&self.manifest.meta_types)
    }

    /// Declares the types an input batch gives its metadata fields (`types::of_batch`):
    /// the manifest is rewritten, before any of the batch's records is logged, when
    /// they change what it holds. Returns the fields that became mixed by them.
    pub fn declare(&mut self, columns: &[(String, ArrayRef)]) -> Result<Vec<types::Mixed>> {
        if self.writer.is_none() {
            return Err(Error::Internal(
                "declaring metadata types needs the writer".into(),
            ));
        }
        // Most batches change nothing: the manifest is copied only when they do.
        let mut declared = self.manifest.meta_types.clone();
        let mixed = types::merge(&mut declared, columns);
        if declared != self.manifest.meta_types {
            let mut m = self.manifest.clone();
            m.meta_types = declared;
            m.generation += 1;
            m.write(&self.dir)?;
            self.manifest = m;
        }
        Ok(mixed)
    }

    fn invalidate(&mut self) {
        self.loc = OnceLock::new();
        self.live = OnceLock::new();
    }

    /// Newest location of each id (None for ids whose newest write is a deletion).
    fn locations(&self) -> &HashMap<String, Loc> {
        self.loc.get_or_init(|| {
            let mut loc: HashMap<String, Loc> = HashMap::new();
            for (s, seg) in self.segments.iter().enumerate() {
                for row in 0..seg.count {
                    loc.insert(seg.id(row).to_string(), Loc::Seg(s as u32, row as u32));
                }
            }
            for (i, id) in self.mem.ids.iter().enumerate() {
                loc.insert(id.clone(), Loc::Mem(i as u32));
            }
            loc
        })
    }

    fn is_deleted(&self, l: Loc) -> bool {
        match l {
            Loc::Mem(i) => self.mem.deleted[i as usize],
            Loc::Seg(s, r) => self.segments[s as usize].is_tombstone(r as usize),
        }
    }

    /// Where `id` currently lives, or None if absent or deleted.
    pub fn find(&mut self, id: &str) -> Option<Loc> {
        if let Some(i) = self.mem.get(id) {
            let l = Loc::Mem(i);
            return (!self.is_deleted(l)).then_some(l);
        }
        let l = *self.locations().get(id)?;
        (!self.is_deleted(l)).then_some(l)
    }

    /// Per segment, which vector rows are current.
    pub fn live(&self) -> &Vec<Option<Bitset>> {
        self.live.get_or_init(|| {
            if self.segments.len() <= 1 && self.mem.is_empty() {
                return vec![None; self.segments.len()];
            }
            let mut live: Vec<Option<Bitset>> = self
                .segments
                .iter()
                .map(|s| Some(Bitset::new(s.n_vec, false)))
                .collect();
            for l in self.locations().values() {
                if let Loc::Seg(s, r) = *l {
                    if let Some(b) = &mut live[s as usize] {
                        b.set(r, true);
                    }
                }
            }
            for (b, seg) in live.iter_mut().zip(&self.segments) {
                if b.as_ref().is_some_and(|b| b.count() == seg.n_vec) {
                    *b = None;
                }
            }
            live
        })
    }

    /// Live records (vectors not deleted or overwritten).
    pub fn live_count(&mut self) -> usize {
        let mem_live = self.mem.deleted.iter().filter(|d| !**d).count();
        let n_vec: Vec<usize> = self.segments.iter().map(|s| s.n_vec).collect();
        let live = self.live().clone();
        // Memtable rows are always current; a segment row only if not hidden.
        let segs: usize = live
            .iter()
            .zip(n_vec)
            .map(|(b, n)| b.as_ref().map_or(n, Bitset::count))
            .sum();
        mem_live + segs
    }

    /// Every current record: the newest copy of each id that is not deleted, in no
    /// particular order.
    pub fn current(&mut self) -> Vec<Loc> {
        let mut out: Vec<Loc> = self.locations().values().copied().collect();
        out.retain(|&l| !self.is_deleted(l));
        out
    }

    /// The sequence number of the write that stored the copy at `l` (insertion order).
    pub fn seq_of(&self, l: Loc) -> u64 {
        match l {
            Loc::Mem(i) => self.mem.seqs[i as usize],
            Loc::Seg(s, r) => self.segments[s as usize].seqs()[r as usize],
        }
    }

    pub fn id_of(&self, l: Loc) -> &str {
        match l {
            Loc::Mem(i) => &self.mem.ids[i as usize],
            Loc::Seg(s, r) => self.segments[s as usize].id(r as usize),
        }
    }

    /// The id at `l` as a search hit takes it (`Segment::hit_id`).
    pub fn hit_id(&self, l: Loc) -> Cow<'_, str> {
        match l {
            Loc::Mem(i) => Cow::Borrowed(&self.mem.ids[i as usize]),
            Loc::Seg(s, r) => self.segments[s as usize].hit_id(r as usize),
        }
    }

    /// The metadata at `l` as a search hit takes it (`Segment::hit_meta`).
    pub fn hit_meta(&self, l: Loc) -> Cow<'_, str> {
        match l {
            Loc::Mem(i) => Cow::Borrowed(&self.mem.metas[i as usize]),
            Loc::Seg(s, r) => self.segments[s as usize].hit_meta(r as usize),
        }
    }

    pub fn meta_of(&self, l: Loc) -> &str {
        match l {
            Loc::Mem(i) => &self.mem.metas[i as usize],
            Loc::Seg(s, r) => self.segments[s as usize].meta(r as usize),
        }
    }

    pub fn vector_of(&self, l: Loc) -> &[f32] {
        match l {
            Loc::Mem(i) => self.mem.vecs().get(i),
            Loc::Seg(s, r) => self.segments[s as usize].vectors().get(r),
        }
    }

    /// Logs a group of operations (one WAL write + sync: a group commit), applies them
    /// to the memtable, and flushes when the memtable is full. Sequence numbers are
    /// assigned here. Returns the last sequence number of the group.
    pub fn apply(&mut self, mut ops: Vec<Op>) -> Result<u64> {
        for op in &mut ops {
            let s = self.next_seq;
            self.next_seq += 1;
            match op {
                Op::Put { seq, .. } | Op::Delete { seq, .. } => *seq = s,
            }
        }
        let w = self.writer.as_mut().expect("opened for writing");
        w.wal.append(&ops)?;
        for op in ops {
            match op {
                Op::Put {
                    seq,
                    id,
                    vector,
                    meta,
                } => self.mem.put(seq, &id, &vector, &meta),
                Op::Delete { seq, id } => self.mem.delete(seq, &id),
            }
        }
        self.invalidate();
        Ok(self.next_seq - 1)
    }

    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    fn params(&self, seed: u64) -> Params {
        Params {
            m: self.config().m,
            ef_construction: self.config().ef_construction,
            seed,
        }
    }

    /// Whether the row at `l` is the current copy of its id (tombstones included): what
    /// a flush or compaction writes. Memtable rows always are (one row per id).
    fn is_current(&self, l: Loc) -> bool {
        match l {
            Loc::Mem(_) => true,
            Loc::Seg(s, r) if (r as usize) < self.segments[s as usize].n_vec => {
                self.live()[s as usize].as_ref().is_none_or(|b| b.get(r))
            }
            Loc::Seg(s, r) => {
                let id = self.segments[s as usize].id(r as usize).to_string();
                self.locations().get(&id) == Some(&l)
            }
        }
    }

    /// Every row (vectors and tombstones) of the segments other than `except`.
    fn rows_except(&self, except: Option<usize>) -> Vec<Loc> {
        (0..self.segments.len())
            .filter(|&s| Some(s) != except)
            .flat_map(|s| (0..self.segments[s].count as u32).map(move |r| Loc::Seg(s as u32, r)))
            .collect()
    }

    /// The segment a flush or compaction merges into instead of writing a graph from
    /// scratch: the largest, unless a quarter or more of its rows are dead (a rebuild
    /// then drops them and gives a tighter graph) or `incoming` rows are too few to be
    /// worth rewriting it for (under 1/32 of it: they go to a small segment of their
    /// own, merged later with the next large flush or compaction).
    fn merge_base(&mut self, incoming: usize) -> Option<usize> {
        let (base, seg) = self
            .segments
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (s.n_vec, *i))?;
        let n_vec = seg.n_vec;
        if n_vec == 0 || incoming.saturating_mul(32) < n_vec {
            return None;
        }
        let live = self.live()[base].as_ref().map_or(n_vec, Bitset::count);
        // Rows whose newer version has the same vector stay in the graph (a metadata
        // update): they are not dead.
        let newer: Vec<Loc> = (0..self.mem.len() as u32)
            .map(Loc::Mem)
            .chain(self.rows_except(Some(base)))
            .collect();
        let kept = live + self.same_vector_rows(base, &newer).len();
        (kept * 4 >= n_vec * 3).then_some(base)
    }

    /// The rows of segment `b` that are no longer current but whose newest version, a
    /// row of `newer`, has the same vector bit for bit: a metadata update (`vidx
    /// update` writes the vector again) or a record added again unchanged. A merge into
    /// `b` keeps such a row's graph node and gives it the newer row's sequence number
    /// and metadata, instead of dropping the node and inserting the same vector again
    /// (which would cost an insertion and change the graph around it).
    fn same_vector_rows(&self, b: usize, newer: &[Loc]) -> HashMap<u32, Loc> {
        let Some(live) = self.live()[b].as_ref() else {
            return HashMap::new();
        };
        let seg = &self.segments[b];
        let dead: HashMap<&str, u32> = (0..seg.n_vec as u32)
            .filter(|&r| !live.get(r))
            .map(|r| (seg.id(r as usize), r))
            .collect();
        let mut same = HashMap::new();
        if dead.is_empty() {
            return same;
        }
        let old = seg.vectors();
        for &l in newer {
            let Some(&r) = dead.get(self.id_of(l)) else {
                continue;
            };
            if self.is_current(l)
                && !self.is_deleted(l)
                && self
                    .vector_of(l)
                    .iter()
                    .zip(old.get(r))
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            {
                same.insert(r, l);
            }
        }
        same
    }

    /// `added`'s (see `is_current`; tombstones only if `keep_tombstones`: an older
    /// segment may still hold their ids). With a `base`, its graph is kept and the
    /// added vectors are inserted into it (`hnsw::Builder::resume`); without one, a
    /// graph is built over all of them. The vectors are encoded again over the whole
    /// segment when the index quantizes. Returns the segment's manifest entry (none,
    /// and no file, when no row is left to write) and the number of rows left out.
    fn write_rows(
        &mut self,
        base: Option<usize>,
        added: &[Loc],
        keep_tombstones: bool,
        seg_no: u64,
    ) -> Result<(Option<SegmentEntry>, usize)> {
        let base_rows: Vec<Loc> = base.map_or_else(Vec::new, |b| {
            (0..self.segments[b].count as u32)
                .map(|r| Loc::Seg(b as u32, r))
                .collect()
        });
        let same = base.map_or_else(HashMap::new, |b| self.same_vector_rows(b, added));
        let placed: std::collections::HashSet<Loc> = same.values().copied().collect();
        let (mut vec_rows, mut tombstones) = (Vec::new(), Vec::new());
        let mut left_out = 0;
        // A base row kept for its newer version with the same vector takes that
        // version's place (the newer row is then not added again).
        let base_with = base_rows.iter().map(|&l| match l {
            Loc::Seg(_, r) => (l, same.get(&r).copied()),
            Loc::Mem(_) => (l, None),
        });
        let added_with = added
            .iter()
            .filter(|l| !placed.contains(l))
            .map(|&l| (l, None));
        for (l, newer) in base_with.chain(added_with) {
            if let Some(n) = newer {
                vec_rows.push(n);
            } else if !self.is_current(l) {
                left_out += 1;
            } else if !self.is_deleted(l) {
                vec_rows.push(l);
            } else if keep_tombstones {
                tombstones.push(l);
            } else {
                left_out += 1;
            }
        }
        if vec_rows.is_empty() && tombstones.is_empty() {
            return Ok((None, left_out));
        }
        let dim = self.config().dim;
        let mut vectors = Vec::with_capacity(vec_rows.len() * dim);
        for &l in &vec_rows {
            vectors.extend_from_slice(self.vector_of(l));
        }
        let vecs = Vectors {
            data: &vectors,
            dim,
        };
        // A segment of tombstones only has nothing to encode.
        let quantized = (self.config().quantize == Quantize::Sq8 && !vecs.is_empty())
            .then(|| Quantized::new(vecs));
        let codes = quantized.as_ref().map(Quantized::view);
        let params = self.params(seg_no);
        let builder = match base {
            Some(b) => {
                // The base's current vectors come first in `vec_rows`: its live rows,
                // and the rows kept for a newer version with the same vector.
                let mut live = self.live()[b].clone();
                if let Some(live) = &mut live {
                    for &r in same.keys() {
                        live.set(r, true);
                    }
                }
                let seg = &self.segments[b];
                let kept = live.as_ref().map_or(seg.n_vec, Bitset::count);
                hnsw::Builder::resume(
                    &seg.graph(),
                    live.as_ref(),
                    seg.vectors(),
                    &self.space,
                    vec_rows.len() - kept,
                    params,
                )
            }
            None => hnsw::Builder::new(vec_rows.len(), params),
        };
        let progress = crate::cli::progress::items(
            (vec_rows.len() - builder.inserted()) as u64,
            if base.is_some() {
                "vectors merged"
            } else {
                "vectors indexed"
            },
        );
        let graph = hnsw::grow(builder, vecs, codes, &self.space, &progress);
        let n_vec = vec_rows.len();
        let rows: Vec<Loc> = vec_rows.into_iter().chain(tombstones).collect();
        let metas: Vec<&str> = rows.iter().map(|&l| self.meta_of(l)).collect();
        let columns = columns::encode(
            &metas[..n_vec],
            &self.config().index_fields,
            &self.meta_types(),
        )?;
        let path = segment_path(&self.dir, seg_no);
        let new = NewSegment {
            dim,
            metric: self.config().metric,
            vectors: &vectors,
            ids: rows.iter().map(|&l| self.id_of(l)).collect(),
            seqs: rows.iter().map(|&l| self.seq_of(l)).collect(),
            metas,
            graph: &graph,
            quantized: quantized.as_ref(),
            columns: &columns,
        };
        segment::write(&path, &new)?;
        let entry = SegmentEntry {
            file: path.file_name().unwrap().to_string_lossy().into_owned(),
            records: rows.len(),
            vectors: vecs.len(),
            max_seq: new.seqs.iter().copied().max().unwrap_or(0),
        };
        Ok((Some(entry), left_out))
    }

    fn disk_bytes(&self) -> u64 {
        dir_bytes(&self.dir)
    }

    /// Writes the memtable out, then switches to a new WAL file and records both in the
    /// manifest. When the flush is large enough next to the largest segment
    /// (`merge_base`), the memtable and every other segment are merged into that one,
    /// so the index stays one graph and a search walks it once, with its full `ef`, at
    /// the cost of inserting the new vectors only; otherwise the memtable becomes a
    /// segment of its own. Crash-safe at every step: until the manifest is replaced,
    /// the old WAL and segments still hold everything.
    pub fn flush(&mut self) -> Result<Option<Rewrite>> {
        if self.mem.is_empty() {
            return Ok(None);
        }
        let mem = (0..self.mem.len() as u32).map(Loc::Mem);
        let base = self.merge_base(self.mem.len());
        let (added, replaced): (Vec<Loc>, Vec<usize>) = match base {
            Some(b) => (
                self.rows_except(Some(b)).into_iter().chain(mem).collect(),
                (0..self.segments.len()).collect(),
            ),
            None => (mem.collect(), Vec::new()),
        };
        // Tombstones only matter if a segment that may hold their ids remains.
        let keep_tombstones = self.segments.len() > replaced.len();
        self.rewrite(base, &added, keep_tombstones, &replaced, true)
            .map(Some)
    }

    /// Writes the segment of `base` and `added` (`write_rows`), and records it in the
    /// manifest in place of the `replaced` segments (and, `with_mem`, of the memtable,
    /// switching to a new WAL file). The new segment comes last: it holds the newest
    /// rows, and a row of `base` it keeps is current, so nothing in a segment left in
    /// place hides it.
    fn rewrite(
        &mut self,
        base: Option<usize>,
        added: &[Loc],
        keep_tombstones: bool,
        replaced: &[usize],
        with_mem: bool,
    ) -> Result<Rewrite> {
        let before = self.disk_bytes();
        let segments_before = self.segments.len();
        let seg_no = self.manifest.next_segment;
        let (entry, dropped) = self.write_rows(base, added, keep_tombstones, seg_no)?;
        let new_file = entry.as_ref().map(|e| self.dir.join(&e.file));
        let records = entry.as_ref().map_or(0, |e| e.records);
        let old_wal = self.manifest.wal;
        let new_wal = if with_mem {
            Some(Wal::create(
                &self.dir.join(wal::file_name(old_wal + 1)),
                SyncMode::Batch,
            )?)
        } else {
            None
        };
        sync_dir(&self.dir)?;
        let mut m = self.manifest.clone();
        m.segments = (0..self.segments.len())
            .filter(|s| !replaced.contains(s))
            .map(|s| self.manifest.segments[s].clone())
            .collect();
        m.segments.extend(entry);
        if with_mem {
            m.flushed_seq = m.flushed_seq.max(self.mem.max_seq());
            m.wal = old_wal + 1;
        }
        m.next_segment += 1;
        m.generation += 1;
        m.write(&self.dir)?;
        self.manifest = m;
        let mut kept = Vec::new();
        for (s, seg) in std::mem::take(&mut self.segments).into_iter().enumerate() {
            if replaced.contains(&s) {
                let _ = std::fs::remove_file(&seg.path);
            } else {
                kept.push(seg);
            }
        }
        self.segments = kept;
        if with_mem {
            let _ = std::fs::remove_file(self.dir.join(wal::file_name(old_wal)));
        }
        sync_dir(&self.dir)?;
        if let (Some(w), Some(new_wal)) = (&mut self.writer, new_wal) {
            let keep_sync = w.wal_sync();
            w.wal = new_wal;
            w.set_sync(keep_sync);
        }
        if let Some(path) = new_file {
            self.segments.push(Segment::open(&path)?);
        }
        if with_mem {
            self.mem = Memtable::new(self.config().dim);
        }
        self.invalidate();
        Ok(Rewrite {
            segments_before,
            segments_after: self.segments.len(),
            records,
            dropped,
            bytes_before: before,
            bytes_after: self.disk_bytes(),
        })
    }

    /// Flushes if the memtable is full, and compacts if that leaves too many segments.
    pub fn maybe_flush(&mut self) -> Result<()> {
        self.flush_from(self.config().memtable_records)
    }

    /// Flushes if the memtable holds at least `records`, and compacts if that leaves
    /// too many segments (`compact_at`).
    pub fn flush_from(&mut self, records: usize) -> Result<()> {
        if self.mem.len() >= records {
            self.flush()?;
            if self.segments.len() >= self.config().compact_at.max(2) {
                self.compact()?;
            }
        }
        Ok(())
    }

    /// Merges every segment (after flushing the memtable) into one: only current rows
    /// survive — deleted and overwritten ones and all tombstones are dropped. The
    /// largest segment's graph is kept and the others' vectors are inserted into it,
    /// unless a quarter of its rows are dead: then the graph is rebuilt over what is
    /// left.
    pub fn compact(&mut self) -> Result<Rewrite> {
        let before = self.disk_bytes();
        let segments_before = self.segments.len();
        // What the flush left out (overwritten and deleted rows) counts as compacted.
        let flushed = self.flush()?.map_or(0, |f| f.dropped);
        for s in &self.segments {
            s.verify()?;
        }
        // One segment holds one current row per id (every flush and merge writes only
        // those): without tombstones there is nothing to drop.
        if self.segments.len() <= 1 && self.segments.iter().all(|s| s.count == s.n_vec) {
            return Ok(Rewrite {
                segments_before,
                segments_after: self.segments.len(),
                records: self.segments.iter().map(|s| s.n_vec).sum(),
                dropped: flushed,
                bytes_before: before,
                bytes_after: self.disk_bytes(),
            });
        }
        let base = self.merge_base(usize::MAX);
        let added = self.rows_except(base);
        let all: Vec<usize> = (0..self.segments.len()).collect();
        let mut done = self.rewrite(base, &added, false, &all, false)?;
        done.bytes_before = before;
        done.segments_before = segments_before;
        done.dropped += flushed;
        Ok(done)
    }

    /// The `b.k` nearest current records to `q` (already prepared for the metric).
    /// `filter`, if given, holds per source (memtable, then each segment) the rows
    /// that may be returned. A source whose admitted rows fall below `exact_below` of
    /// its size is scanned exactly: a graph walk would have to pass too many rejected
    /// nodes to find k admitted ones. So is a segment of at most `EXACT_PER_EF * ef`
    /// rows (a walk would visit about as many), and a segment smaller than the largest
    /// is walked with a share of `ef` by its size (`segment_ef`): the small segments
    /// of flushes waiting to be merged cost a search a fraction of a walk each, not a
    /// whole one.
    pub fn search(
        &self,
        q: &[f32],
        b: hnsw::Budget,
        filter: Option<&Filtered>,
        scratch: &mut Scratch,
    ) -> Vec<Hit> {
        let (k, ef) = (b.k, b.ef);
        let exact_below = self.config().exact_below;
        let largest = self.segments.iter().map(|s| s.n_vec).max().unwrap_or(0);
        let live = self.live();
        let mut hits: Vec<Hit> = Vec::new();
        if !self.mem.is_empty() {
            let mut allowed = self.mem.live();
            if let Some(f) = filter {
                allowed = allowed.and(&f.mem);
            }
            for (d, i) in hnsw::exact(self.mem.vecs(), &self.space, q, k, Some(&allowed)) {
                hits.push(Hit {
                    distance: d,
                    loc: Loc::Mem(i),
                });
            }
        }
        for (s, seg) in self.segments.iter().enumerate() {
            if seg.n_vec == 0 {
                continue;
            }
            let allowed = match (&live[s], filter.map(|f| &f.segments[s])) {
                (None, None) => None,
                (Some(l), None) => Some(std::borrow::Cow::Borrowed(l)),
                (None, Some(f)) => Some(std::borrow::Cow::Borrowed(f)),
                (Some(l), Some(f)) => Some(std::borrow::Cow::Owned(l.and(f))),
            };
            let admitted = allowed.as_ref().map_or(seg.n_vec, |a| a.count());
            if admitted == 0 {
                continue;
            }
            let sparse = allowed.is_some() && (admitted as f64) < exact_below * seg.n_vec as f64;
            let small = seg.n_vec as u64 <= (ef as u64).saturating_mul(EXACT_PER_EF);
            let found = if sparse || small {
                hnsw::exact(seg.vectors(), &self.space, q, k, allowed.as_deref())
            } else {
                let ef = segment_ef(ef, k, seg.n_vec, largest);
                hnsw::search(
                    &seg.graph(),
                    seg.full(),
                    seg.codes(),
                    &self.space,
                    q,
                    hnsw::Budget { ef, ..b },
                    allowed.as_deref(),
                    scratch,
                )
            };
            for (d, r) in found {
                hits.push(Hit {
                    distance: d,
                    loc: Loc::Seg(s as u32, r),
                });
            }
        }
        hits.sort_by(|a, b| a.distance.total_cmp(&b.distance));
        hits.truncate(k);
        hits
    }

    /// Bytes of the current WAL (what a restart would replay).
    pub fn wal_bytes(&self) -> u64 {
        wal_files(&self.dir)
            .unwrap_or_default()
            .iter()
            .filter_map(|(_, p)| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }

    pub fn total_bytes(&self) -> u64 {
        self.disk_bytes()
    }
}

/// A segment of at most this many rows per unit of `ef` is scanned exactly: a walk with
/// that `ef` measures about as many distances (each visited node's 2·M neighbours).
const EXACT_PER_EF: u64 = 8;

/// The candidate list a segment of `n` rows is walked with when the index's largest
/// has `largest`: `ef` for the largest, a share by size for the others, never below
/// `k` nor below `min(ef, 64)` (a small segment holding a query's neighbours, e.g.
/// the records just added, still gets a real walk).
fn segment_ef(ef: usize, k: usize, n: usize, largest: usize) -> usize {
    if n >= largest {
        return ef;
    }
    let share = (ef as f64 * n as f64 / largest as f64).ceil() as usize;
    share.max(ef.min(64)).max(k).min(ef.max(k))
}

/// Per source, the rows a filter admits: the memtable's, then each segment's.
pub struct Filtered {
    pub mem: Bitset,
    pub segments: Vec<Bitset>,
}

impl Filtered {
    pub fn admits(&self, l: Loc) -> bool {
        match l {
            Loc::Mem(i) => self.mem.get(i),
            Loc::Seg(s, r) => self.segments[s as usize].get(r),
        }
    }
}

impl Writer {
    fn wal_sync(&self) -> SyncMode {
        self.wal.sync_mode()
    }
    fn set_sync(&mut self, s: SyncMode) {
        self.wal.set_sync_mode(s);
    }
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vidx::distance::Metric;

    fn small_config() -> Config {
        Config {
            dim: 4,
            metric: Metric::L2,
            m: 4,
            ef_construction: 16,
            ef_search: 16,
            memtable_records: 1000,
            compact_at: 8,
            exact_below: 0.1,
            quantize: Quantize::None,
            index_fields: Vec::new(),
        }
    }

    fn put(id: &str, dim: usize) -> Op {
        Op::Put {
            seq: 0,
            id: id.into(),
            vector: vec![1.0; dim],
            meta: "{}".into(),
        }
    }

    /// A crash inside a flush, after it created the next log and before the manifest
    /// named it: the next writer flushes again (it failed with "File exists" before).
    #[test]
    fn a_flush_interrupted_after_creating_the_next_log_is_redone() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), small_config()).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply(vec![put("a", 4), put("b", 4)]).unwrap();
        drop(idx);
        drop(Wal::create(&dir.path().join(wal::file_name(2)), SyncMode::None).unwrap());
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        assert!(idx.flush().unwrap().is_some());
        drop(idx);
        let mut idx = Index::open_read(dir.path()).unwrap();
        assert_eq!(idx.live_count(), 2);
        assert_eq!(idx.segments.len(), 1);
    }

    /// The log the manifest names, missing (a partial copy): an error naming it, not an
    /// index without its newest records.
    #[test]
    fn a_missing_log_is_an_error_not_lost_records() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), small_config()).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply(vec![put("a", 4)]).unwrap();
        drop(idx);
        std::fs::remove_file(dir.path().join(wal::file_name(1))).unwrap();
        for err in [
            Index::open_read(dir.path()).err(),
            Index::open_write(dir.path(), SyncMode::None).err(),
        ] {
            let err = err.expect("a missing log is an error").to_string();
            assert!(err.contains("wal-") && err.contains("missing"), "{err}");
        }
    }

    /// A put of `id` at a point of a 4-d grid the id's number picks (distinct points,
    /// so each record is its own nearest neighbour), `shift` moving it elsewhere.
    fn put_at(id: u32, shift: f32) -> Op {
        let v = [
            (id % 10) as f32,
            (id / 10 % 10) as f32,
            (id / 100 % 10) as f32,
            id as f32 / 1000.0 + shift,
        ];
        Op::Put {
            seq: 0,
            id: id.to_string(),
            vector: v.to_vec(),
            meta: format!("{{\"n\":{id}}}"),
        }
    }

    /// A new index (`small_config`) holding records 0..n (`put_at`) in one segment.
    fn one_segment_of(n: u32) -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), small_config()).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply((0..n).map(|i| put_at(i, 0.0)).collect()).unwrap();
        idx.flush().unwrap();
        (dir, idx)
    }

    fn delete(id: u32) -> Op {
        Op::Delete {
            seq: 0,
            id: id.to_string(),
        }
    }

    /// Each live id's current vector finds that id first, at distance 0; deleted ids
    /// are gone; the live count is `live`.
    fn check(idx: &mut Index, live: &[(u32, f32)], deleted: &[u32]) {
        assert_eq!(idx.live_count(), live.len());
        let mut s = Scratch::default();
        for &(id, shift) in live {
            let Op::Put { vector, meta, .. } = put_at(id, shift) else {
                unreachable!()
            };
            let hits = idx.search(&vector, hnsw::Budget::new(1, 64, 64), None, &mut s);
            assert_eq!(hits.len(), 1);
            assert_eq!(idx.id_of(hits[0].loc), id.to_string(), "nearest to {id}");
            assert_eq!(hits[0].distance, 0.0);
            assert_eq!(idx.meta_of(hits[0].loc), meta);
        }
        for id in deleted {
            assert!(idx.find(&id.to_string()).is_none(), "{id} is deleted");
        }
    }

    /// Flushes go into the largest segment (its graph kept, the new vectors inserted):
    /// the index stays one segment, and overwritten and deleted rows leave it, while
    /// every current record is found, also after reopening.
    #[test]
    fn flushes_merge_into_one_segment_with_overwrites_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = small_config();
        config.memtable_records = 200;
        create(dir.path(), config).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        for chunk in (0..1000).collect::<Vec<u32>>().chunks(100) {
            idx.apply(chunk.iter().map(|&i| put_at(i, 0.0)).collect())
                .unwrap();
            idx.maybe_flush().unwrap();
        }
        assert_eq!(idx.segments.len(), 1);
        assert_eq!(idx.segments[0].n_vec, 1000);
        // A tenth overwritten elsewhere, a tenth deleted: merged into the one segment,
        // their old rows dropped from its graph.
        let mut ops: Vec<Op> = (0..100).map(|i| put_at(i, 0.5)).collect();
        ops.extend((100..200).map(delete));
        idx.apply(ops).unwrap();
        let done = idx.flush().unwrap().unwrap();
        assert_eq!((done.segments_before, done.segments_after), (1, 1));
        assert_eq!(idx.segments[0].n_vec, 900);
        assert_eq!(idx.segments[0].count, 900, "no tombstone is needed");
        let live: Vec<(u32, f32)> = (0..100)
            .map(|i| (i, 0.5))
            .chain((200..1000).map(|i| (i, 0.0)))
            .collect();
        let deleted: Vec<u32> = (100..200).collect();
        check(&mut idx, &live, &deleted);
        drop(idx);
        let mut idx = Index::open_read(dir.path()).unwrap();
        check(&mut idx, &live, &deleted);
    }

    /// A flush too small to rewrite the largest segment for becomes a segment of its
    /// own, keeping its tombstones for the ids the large one holds; the next large
    /// flush merges everything into one segment and drops the tombstones.
    #[test]
    fn small_flushes_wait_in_their_own_segments_until_a_large_one_merges_them() {
        let (dir, mut idx) = one_segment_of(1000);
        idx.apply(
            (0..10)
                .map(delete)
                .chain((1000..1010).map(|i| put_at(i, 0.0)))
                .collect(),
        )
        .unwrap();
        idx.flush().unwrap();
        assert_eq!(idx.segments.len(), 2);
        assert_eq!(
            idx.segments[1].count - idx.segments[1].n_vec,
            10,
            "tombstones kept"
        );
        let deleted: Vec<u32> = (0..10).collect();
        let mut live: Vec<(u32, f32)> = (10..1010).map(|i| (i, 0.0)).collect();
        check(&mut idx, &live, &deleted);
        idx.apply((1010..1100).map(|i| put_at(i, 0.0)).collect())
            .unwrap();
        idx.flush().unwrap();
        assert_eq!(idx.segments.len(), 1);
        assert_eq!(
            idx.segments[0].count, idx.segments[0].n_vec,
            "no tombstone left"
        );
        live.extend((1010..1100).map(|i| (i, 0.0)));
        check(&mut idx, &live, &deleted);
        // Compacting a clean single segment changes nothing.
        let done = idx.compact().unwrap();
        assert_eq!((done.segments_after, done.dropped), (1, 0));
        drop(idx);
        let mut idx = Index::open_read(dir.path()).unwrap();
        check(&mut idx, &live, &deleted);
    }

    #[test]
    fn smaller_segments_are_walked_with_a_share_of_ef() {
        assert_eq!(segment_ef(512, 10, 1000, 1000), 512);
        assert_eq!(segment_ef(512, 10, 100_000, 1_000_000), 64);
        assert_eq!(segment_ef(512, 10, 500_000, 1_000_000), 256);
        assert_eq!(segment_ef(32, 10, 1, 1_000_000), 32);
        assert_eq!(segment_ef(16, 100, 1, 1_000_000), 100);
        // An exhaustive search (`--exact`: ef usize::MAX) stays far beyond any segment.
        assert!(segment_ef(usize::MAX, 10, 5, 10) > 1 << 60);
    }

    /// Small segments waiting to be merged (scanned exactly) and a middle-sized one
    /// (walked with a share of ef) beside a large one: every record is still found.
    #[test]
    fn records_in_small_pending_segments_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = small_config();
        config.memtable_records = 100_000;
        create(dir.path(), config).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply((0..9000).map(|i| put_at(i, 0.0)).collect())
            .unwrap();
        idx.flush().unwrap();
        for range in [9000..9200, 9200..9210] {
            idx.apply(range.map(|i| put_at(i, 0.0)).collect()).unwrap();
            idx.flush().unwrap();
        }
        assert_eq!(
            idx.segments.iter().map(|s| s.n_vec).collect::<Vec<_>>(),
            [9000, 200, 10]
        );
        let live: Vec<(u32, f32)> = (9000..9210).map(|i| (i, 0.0)).collect();
        let mut s = Scratch::default();
        for &(id, shift) in &live {
            let Op::Put { vector, .. } = put_at(id, shift) else {
                unreachable!()
            };
            // ef 16: the 200-row segment is walked with ef 16 (> 8 * 16 rows would be
            // scanned), the 10-row one scanned.
            let hits = idx.search(&vector, hnsw::Budget::new(1, 16, 16), None, &mut s);
            assert_eq!(idx.id_of(hits[0].loc), id.to_string());
            assert_eq!(hits[0].distance, 0.0);
        }
    }

    /// Records written again with the same vector (what `vidx update` does to change
    /// metadata) keep their graph nodes: the merge takes their new metadata and
    /// sequence numbers and inserts nothing, so the graph is the same; and they
    /// do not count as dead rows (40% of them would otherwise force a rebuild).
    #[test]
    fn metadata_updates_keep_the_graph_nodes() {
        let (_dir, mut idx) = one_segment_of(1000);
        // Every node's links at every level, and the entry point.
        let graph_lists = |idx: &Index| {
            let g = idx.segments[0].graph();
            let links: Vec<Vec<Vec<u32>>> = (0..g.len as u32)
                .map(|i| (0..=g.level(i)).map(|l| g.links(i, l).to_vec()).collect())
                .collect();
            (links, g.entry)
        };
        let before = graph_lists(&idx);
        let updated = |i: u32| {
            let Op::Put { id, vector, .. } = put_at(i, 0.0) else {
                unreachable!()
            };
            Op::Put {
                seq: 0,
                id,
                vector,
                meta: format!("{{\"n\":{i},\"v\":2}}"),
            }
        };
        idx.apply(
            (0..1000)
                .step_by(5)
                .chain((1..1000).step_by(5))
                .map(updated)
                .collect(),
        )
        .unwrap();
        let done = idx.flush().unwrap().unwrap();
        assert_eq!((done.segments_before, done.segments_after), (1, 1));
        assert_eq!(idx.segments[0].n_vec, 1000);
        assert_eq!(graph_lists(&idx), before, "no node was dropped or inserted");
        let mut s = Scratch::default();
        for i in 0..1000u32 {
            let Op::Put { vector, meta, .. } = put_at(i, 0.0) else {
                unreachable!()
            };
            let l = idx.find(&i.to_string()).unwrap();
            let want = if i % 5 < 2 {
                format!("{{\"n\":{i},\"v\":2}}")
            } else {
                meta
            };
            assert_eq!(idx.meta_of(l), want);
            let hits = idx.search(&vector, hnsw::Budget::new(1, 64, 64), None, &mut s);
            assert_eq!(
                (idx.id_of(hits[0].loc), hits[0].distance),
                (&*i.to_string(), 0.0)
            );
            assert_eq!(idx.meta_of(hits[0].loc), idx.meta_of(l));
        }
        // A new vector is a new node: the old one leaves the graph as before.
        idx.apply((0..50).map(|i| put_at(i, 0.5)).collect())
            .unwrap();
        idx.flush().unwrap();
        assert_eq!(idx.segments.len(), 1);
        assert_ne!(graph_lists(&idx), before);
        let live: Vec<(u32, f32)> = (0..50).map(|i| (i, 0.5)).collect();
        let mut s = Scratch::default();
        for (i, shift) in live {
            let Op::Put { vector, .. } = put_at(i, shift) else {
                unreachable!()
            };
            let hits = idx.search(&vector, hnsw::Budget::new(1, 64, 64), None, &mut s);
            assert_eq!(
                (idx.id_of(hits[0].loc), hits[0].distance),
                (&*i.to_string(), 0.0)
            );
        }
        assert_eq!(idx.live_count(), 1000);
    }

    /// A segment with a quarter or more of its rows dead is rebuilt rather than merged
    /// into, and compaction drops every dead row either way.
    #[test]
    fn a_mostly_dead_segment_is_rebuilt_not_merged_into() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), small_config()).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply((0..400).map(|i| put_at(i, 0.0)).collect())
            .unwrap();
        idx.flush().unwrap();
        idx.apply((0..200).map(delete).collect()).unwrap();
        idx.flush().unwrap();
        assert_eq!(idx.segments.len(), 2, "half dead: a new segment, no merge");
        let done = idx.compact().unwrap();
        assert_eq!((done.segments_before, done.segments_after), (2, 1));
        assert_eq!(done.dropped, 400, "200 dead rows and their 200 tombstones");
        let live: Vec<(u32, f32)> = (200..400).map(|i| (i, 0.0)).collect();
        let deleted: Vec<u32> = (0..200).collect();
        check(&mut idx, &live, &deleted);
    }

    #[test]
    fn a_logged_record_of_another_dimension_is_an_error_not_skipped() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), small_config()).unwrap();
        let mut idx = Index::open_write(dir.path(), SyncMode::None).unwrap();
        idx.apply(vec![put("a", 4)]).unwrap();
        drop(idx);
        // Another index's log (dimension 3) where this one's is.
        let wal_path = dir.path().join(wal::file_name(1));
        let mut other = Wal::reopen(
            &wal_path,
            std::fs::metadata(&wal_path).unwrap().len(),
            SyncMode::None,
        )
        .unwrap();
        other
            .append(&[Op::Put {
                seq: 2,
                id: "b".into(),
                vector: vec![1.0; 3],
                meta: "{}".into(),
            }])
            .unwrap();
        drop(other);
        let err = Index::open_read(dir.path())
            .err()
            .expect("a wrong dimension is an error")
            .to_string();
        assert!(
            err.contains("\"b\"") && err.contains("3 dimensions") && err.contains("wal-"),
            "{err}"
        );
    }
}
