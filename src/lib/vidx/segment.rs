//! Immutable segment files: what a memtable flush or a compaction writes, and what
//! searches read through a memory map.
//!
//! Layout (little endian): a fixed header, then sections each aligned to 64 bytes so
//! the vectors and graph arrays can be used in place as `&[f32]` / `&[u32]`:
//!
//! | section    | contents                                                          |
//! |------------|-------------------------------------------------------------------|
//! | vectors    | `n_vec * dim` f32, stored rows first (already normalised for cosine)|
//! | seqs       | `count` u64: the write sequence number of each row                 |
//! | id_off     | `count + 1` u64 offsets into id_bytes                               |
//! | id_bytes   | the ids, UTF-8                                                     |
//! | meta_off   | `count + 1` u64 offsets into meta_bytes                             |
//! | meta_bytes | each row's metadata as one JSON object                              |
//! | links0, upper_off, upper | the HNSW graph (see `hnsw`)                           |
//! | codebook   | version 2: `2 * dim` f32, per dimension the code offset then step (`quant`) |
//! | codes      | version 2: `n_vec` rows of `quant::stride(dim)` bytes, one code per dimension |
//! | norms      | version 2: `n_vec` f32, each vector's squared norm                  |
//! | columns    | version 3: the `n_vec` rows' metadata as typed columns, one Arrow IPC stream per field, with the row order of each indexed field (`columns`) |
//! | fine       | version 4: `n_vec` rows laid out as `codes`, each code's residual (`quant::Refined`) |
//!
//! The four code sections are empty in an index made with `--quantize none`; version 1
//! files (written before codes existed) have no such sections and are still read, and
//! so are version 2 files (before the columns), whose filters decode the JSON, and
//! version 3 files (before the residuals), which re-rank on the f32 vectors.
//!
//! Rows `0..n_vec` carry vectors and are the graph's nodes; rows `n_vec..count` are
//! deletions (tombstones) that must still hide older copies of their ids.
//!
//! The header has its own CRC32 and one per section. Opening checks the header, the
//! file length, every small section's CRC and the graph's bounds; the vectors, their
//! codes and the metadata (the bulk of the file) are only checksummed by `verify`
//! (compaction and `vidx stats --verify`), so opening does not read every vector.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arrow::datatypes::SchemaRef;
use memmap2::{Mmap, UncheckedAdvice};

use super::columns::{self, Columns};
use super::distance::{Metric, CODE_ALIGN};
use super::hnsw::{Full, Graph, GraphRef, RowFile, Vectors};
use super::quant::{Codes, FineRows, Quantized};
use crate::error::{Error, Location, Result};

#[cfg(target_endian = "big")]
compile_error!("vidx segment files are little endian; big-endian targets are not supported");

const MAGIC: &[u8; 8] = b"VIDXSEG1";
const VERSION: u32 = 4;
/// Sections of a version 1 file (before the codes).
const NSECT_V1: usize = 9;
/// Sections of a version 2 file (before the metadata columns).
const NSECT_V2: usize = 12;
/// Sections of a version 3 file (before the residual codes).
const NSECT_V3: usize = 13;
const NSECT: usize = 14;
const VECTORS: usize = 0;
const SEQS: usize = 1;
const ID_OFF: usize = 2;
const ID_BYTES: usize = 3;
const META_OFF: usize = 4;
const META_BYTES: usize = 5;
const LINKS0: usize = 6;
const UPPER_OFF: usize = 7;
const UPPER: usize = 8;
const CODEBOOK: usize = 9;
const CODES: usize = 10;
const NORMS: usize = 11;
const COLUMNS: usize = 12;
const FINE: usize = 13;

/// magic + 8 u32 + 2 u64 + sections (off, len, crc, pad) + header crc
const fn header_len(sections: usize) -> usize {
    8 + 8 * 4 + 2 * 8 + sections * 24 + 4
}
const HEADER_LEN: usize = header_len(NSECT);
const ALIGN: u64 = 64;

/// A coded segment whose vectors section is at least this large re-ranks by reading
/// rows (the residual codes, or the f32 vectors of a file without them) from the file
/// rather than the map (see `hnsw::Full`, `quant::FineRows`). A wide walk's re-rank
/// reads a few dozen rows, a system call each (about a microsecond from the page
/// cache): a few per cent of a query on a segment this size, whose queries take
/// milliseconds, against a quarter as many resident MB as the vectors after a few
/// thousand queries. A smaller segment is searched in ~100 µs, where the calls would
/// show, and its residuals (a quarter of its vectors' size) are cheap to keep mapped.
const READ_ROWS_ABOVE: usize = 256 << 20;

/// What a flush or compaction hands over to be written.
pub struct NewSegment<'a> {
    pub dim: usize,
    pub metric: Metric,
    /// Rows with vectors: `vectors.len() / dim` of them, first in `ids`.
    pub vectors: &'a [f32],
    pub ids: Vec<&'a str>,
    pub seqs: Vec<u64>,
    pub metas: Vec<&'a str>,
    pub graph: &'a Graph,
    /// The vectors' codes, if the index quantizes.
    pub quantized: Option<&'a Quantized>,
    /// The vector rows' metadata as columns, with the orders of its indexed fields
    /// (`columns::encode`).
    pub columns: &'a [u8],
}

fn bytes_of<T: Copy>(v: &[T]) -> &[u8] {
    // SAFETY: T is a plain number type (f32/u32/u64); any bit pattern is valid bytes.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
}

/// Writes a segment to `path` (through a temporary file, synced, then renamed).
pub fn write(path: &Path, s: &NewSegment) -> Result<u64> {
    let tmp = path.with_extension("tmp");
    let what = |e| Error::io(format!("writing segment {}", tmp.display()), e);
    let mut f = File::create(&tmp).map_err(what)?;
    let count = s.ids.len();
    let n_vec = s.vectors.len() / s.dim.max(1);
    let mut id_off = Vec::with_capacity(count + 1);
    let mut id_bytes = Vec::new();
    id_off.push(0u64);
    for id in &s.ids {
        id_bytes.extend_from_slice(id.as_bytes());
        id_off.push(id_bytes.len() as u64);
    }
    let mut meta_off = Vec::with_capacity(count + 1);
    let mut meta_bytes = Vec::new();
    meta_off.push(0u64);
    for m in &s.metas {
        meta_bytes.extend_from_slice(m.as_bytes());
        meta_off.push(meta_bytes.len() as u64);
    }
    let sections: [&[u8]; NSECT] = [
        bytes_of(s.vectors),
        bytes_of(&s.seqs),
        bytes_of(&id_off),
        &id_bytes,
        bytes_of(&meta_off),
        &meta_bytes,
        bytes_of(&s.graph.links0),
        bytes_of(&s.graph.upper_off),
        bytes_of(&s.graph.upper),
        s.quantized.map_or(&[][..], |q| bytes_of(&q.codebook)),
        s.quantized.map_or(&[][..], |q| &q.codes[..]),
        s.quantized.map_or(&[][..], |q| bytes_of(&q.norms)),
        s.columns,
        s.quantized.map_or(&[][..], |q| &q.fine[..]),
    ];
    let mut table = Vec::with_capacity(NSECT);
    let mut pos = (HEADER_LEN as u64).next_multiple_of(ALIGN);
    f.seek(SeekFrom::Start(pos)).map_err(what)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, &mut f);
    for sec in sections {
        let aligned = pos.next_multiple_of(ALIGN);
        w.write_all(&vec![0u8; (aligned - pos) as usize])
            .map_err(what)?;
        w.write_all(sec).map_err(what)?;
        table.push((aligned, sec.len() as u64, crc32fast::hash(sec)));
        pos = aligned + sec.len() as u64;
    }
    w.flush().map_err(what)?;
    drop(w);
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(MAGIC);
    for v in [
        VERSION,
        s.dim as u32,
        metric_code(s.metric),
        s.graph.m as u32,
        s.graph.m0 as u32,
        s.graph.entry,
        s.graph.max_level as u32,
        0,
    ] {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h.extend_from_slice(&(count as u64).to_le_bytes());
    h.extend_from_slice(&(n_vec as u64).to_le_bytes());
    for (off, len, crc) in table {
        h.extend_from_slice(&off.to_le_bytes());
        h.extend_from_slice(&len.to_le_bytes());
        h.extend_from_slice(&crc.to_le_bytes());
        h.extend_from_slice(&0u32.to_le_bytes());
    }
    let crc = crc32fast::hash(&h);
    h.extend_from_slice(&crc.to_le_bytes());
    debug_assert_eq!(h.len(), HEADER_LEN);
    f.seek(SeekFrom::Start(0)).map_err(what)?;
    f.write_all(&h).map_err(what)?;
    f.sync_all().map_err(what)?;
    drop(f);
    std::fs::rename(&tmp, path)
        .map_err(|e| Error::io(format!("renaming {} into place", tmp.display()), e))?;
    Ok(pos)
}

fn metric_code(m: Metric) -> u32 {
    match m {
        Metric::Cosine => 0,
        Metric::L2 => 1,
        Metric::Ip => 2,
    }
}

/// An open, memory-mapped segment.
pub struct Segment {
    pub path: PathBuf,
    map: Mmap,
    /// The file behind `map`, for reading rows, and hits' ids and metadata, without
    /// mapping them (`full`, `hit_text`).
    file: File,
    pub dim: usize,
    pub metric_code: u32,
    pub count: usize,
    pub n_vec: usize,
    m: usize,
    m0: usize,
    entry: u32,
    max_level: usize,
    sect: [(usize, usize, u32); NSECT],
    /// Whether the metadata columns' checksum matched, checked on first use (by a
    /// filter).
    columns_checked: OnceLock<std::result::Result<(), String>>,
}

/// Recomputes the checksums of a segment file's bytes in place: every section the
/// header places inside the file, then the header. For the fuzz targets: damage whose
/// checksums still match reaches the checks behind them. Bytes that are not a segment
/// are left alone.
#[doc(hidden)]
pub fn reseal(bytes: &mut [u8]) {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return;
    }
    let sections = match u32::from_le_bytes(bytes[8..12].try_into().unwrap()) {
        1 => NSECT_V1,
        2 => NSECT_V2,
        3 => NSECT_V3,
        VERSION => NSECT,
        _ => return,
    };
    let header = header_len(sections);
    if bytes.len() < header {
        return;
    }
    let u64_at = |b: &[u8], o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap());
    for i in 0..sections {
        let o = 56 + i * 24;
        let (off, len) = (u64_at(bytes, o) as usize, u64_at(bytes, o + 8) as usize);
        if let Some(section) = off.checked_add(len).and_then(|end| bytes.get(off..end)) {
            let crc = crc32fast::hash(section);
            bytes[o + 16..o + 20].copy_from_slice(&crc.to_le_bytes());
        }
    }
    let crc = crc32fast::hash(&bytes[..header - 4]);
    bytes[header - 4..header].copy_from_slice(&crc.to_le_bytes());
}

impl Segment {
    /// Maps and checks a segment file; every problem names the file.
    pub fn open(path: &Path) -> Result<Segment> {
        let file = File::open(path)
            .map_err(|e| Error::io(format!("opening segment {}", path.display()), e))?;
        // SAFETY: segment files are immutable once renamed into place; vidx never writes
        // to a published segment, it only replaces it with a new file.
        let map = unsafe { Mmap::map(&file) }
            .map_err(|e| Error::io(format!("mapping segment {}", path.display()), e))?;
        let bad = |offset: usize, msg: String| {
            Error::data(
                Location {
                    source: path.display().to_string(),
                    offset: Some(offset as u64),
                    ..Default::default()
                },
                msg,
            )
            .with_hint("the segment is corrupt or truncated; restore it from a backup or remove it from MANIFEST and re-add its records")
        };
        if map.len() < 12 || &map[..8] != MAGIC {
            return Err(bad(0, "not a vidx segment (bad magic)".into()));
        }
        let version = u32::from_le_bytes(map[8..12].try_into().unwrap());
        let sections = match version {
            1 => NSECT_V1,
            2 => NSECT_V2,
            3 => NSECT_V3,
            VERSION => NSECT,
            v => {
                return Err(bad(
                    8,
                    format!(
                    "segment format version {v} is not supported (this vidx reads 1 to {VERSION})"
                ),
                ))
            }
        };
        let header = header_len(sections);
        if map.len() < header {
            return Err(bad(
                map.len(),
                format!(
                    "truncated: {} bytes, shorter than the {header}-byte header",
                    map.len()
                ),
            ));
        }
        let h = &map[..header];
        let stored = u32::from_le_bytes(h[header - 4..].try_into().unwrap());
        if crc32fast::hash(&h[..header - 4]) != stored {
            return Err(bad(header - 4, "header checksum mismatch".into()));
        }
        let u32_at = |i: usize| u32::from_le_bytes(h[8 + i * 4..12 + i * 4].try_into().unwrap());
        let u64_at = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().unwrap());
        let dim = u32_at(1) as usize;
        let metric_code = u32_at(2);
        let (m, m0, entry, max_level) = (
            u32_at(3) as usize,
            u32_at(4) as usize,
            u32_at(5),
            u32_at(6) as usize,
        );
        let count = u64_at(40) as usize;
        let n_vec = u64_at(48) as usize;
        // The sections an older file lacks (codes, columns, residuals) read as empty.
        let mut sect = [(0usize, 0usize, 0u32); NSECT];
        for (i, s) in sect.iter_mut().enumerate().take(sections) {
            let o = 56 + i * 24;
            let off = u64_at(o) as usize;
            let len = u64_at(o + 8) as usize;
            let crc = u32::from_le_bytes(h[o + 16..o + 20].try_into().unwrap());
            if !off.is_multiple_of(ALIGN as usize)
                || off.checked_add(len).is_none_or(|e| e > map.len())
            {
                return Err(bad(
                    o,
                    format!(
                        "truncated: section {i} needs bytes {off}..{} but the file has {}",
                        off.saturating_add(len),
                        map.len()
                    ),
                ));
            }
            *s = (off, len, crc);
        }
        // Section sizes from header fields: with a damaged header that still passes its
        // checksum they overflow, which is an inconsistent header, not a panic.
        let product = |parts: &[usize]| parts.iter().try_fold(1usize, |a, &b| a.checked_mul(b));
        let rows = count.checked_add(1);
        let stride = dim.checked_next_multiple_of(CODE_ALIGN);
        let expect = [
            (VECTORS, product(&[n_vec, dim, 4])),
            (SEQS, product(&[count, 8])),
            (ID_OFF, rows.and_then(|r| r.checked_mul(8))),
            (META_OFF, rows.and_then(|r| r.checked_mul(8))),
            (
                LINKS0,
                m0.checked_add(1).and_then(|w| product(&[n_vec, w, 4])),
            ),
            (UPPER_OFF, product(&[n_vec, 4])),
        ];
        // The codebook marks a quantized segment. A segment with no vectors (tombstones
        // only) is written without one, like an unquantized segment.
        let coded = sect[CODEBOOK].1 > 0;
        let code_rows = stride.and_then(|s| n_vec.checked_mul(s));
        let code_sections = [
            (CODEBOOK, product(&[2, dim, 4])),
            (CODES, code_rows),
            (NORMS, product(&[n_vec, 4])),
            (FINE, if sections > FINE { code_rows } else { Some(0) }),
        ];
        let expect = expect.into_iter().chain(
            code_sections
                .into_iter()
                .map(|(i, len)| (i, if coded { len } else { Some(0) })),
        );
        let mut checked = Vec::with_capacity(NSECT);
        for (i, len) in expect {
            let Some(len) = len else {
                return Err(bad(
                    8,
                    format!("inconsistent header: section {i}'s size overflows"),
                ));
            };
            checked.push((i, len));
        }
        for (i, len) in checked {
            if sect[i].1 != len {
                return Err(bad(
                    56 + i * 24 + 8,
                    format!("section {i} has {} bytes, expected {len}", sect[i].1),
                ));
            }
        }
        if n_vec > count || (n_vec > 0 && entry as usize >= n_vec) || m0 < m {
            return Err(bad(8, "inconsistent header".into()));
        }
        let seg = Segment {
            path: path.to_path_buf(),
            map,
            file,
            dim,
            metric_code,
            count,
            n_vec,
            m,
            m0,
            entry,
            max_level,
            sect,
            columns_checked: OnceLock::new(),
        };
        for i in [
            SEQS, ID_OFF, ID_BYTES, META_OFF, LINKS0, UPPER_OFF, UPPER, CODEBOOK, NORMS,
        ] {
            seg.check_crc(i).map_err(|m| bad(seg.sect[i].0, m))?;
        }
        seg.check_structure().map_err(|(at, m)| bad(at, m))?;
        seg.release(&[SEQS, ID_OFF, ID_BYTES, META_OFF, META_BYTES]);
        Ok(seg)
    }

    /// Unmaps the pages of sections `ids` from this process; the page cache keeps them
    /// and a later read through the map faults them back in. Opening checks the small
    /// sections through the map (and the kernel maps the cached pages around what it
    /// reads). On an index of one segment and an empty memtable a search needs none of
    /// these again but for its hits' ids and metadata (a filter on JSON metadata or
    /// several segments' ids to reconcile read them all again); without this its process
    /// would keep them resident (30 MiB at a million rows, more than its own overhead).
    fn release(&self, ids: &[usize]) {
        for &i in ids {
            let (off, len, _) = self.sect[i];
            if len > 0 {
                // SAFETY: the map is shared and read-only, so no data of ours lives in
                // its pages: MADV_DONTNEED only drops them from our page tables. The
                // advice is a hint; if it fails the pages stay mapped as before.
                let _ = unsafe {
                    self.map
                        .unchecked_advise_range(UncheckedAdvice::DontNeed, off, len)
                };
            }
        }
    }

    fn raw(&self, i: usize) -> &[u8] {
        let (off, len, _) = self.sect[i];
        &self.map[off..off + len]
    }

    fn check_crc(&self, i: usize) -> std::result::Result<(), String> {
        if crc32fast::hash(self.raw(i)) != self.sect[i].2 {
            return Err(format!("section {i} checksum mismatch"));
        }
        Ok(())
    }

    /// Offsets ascending and in range, ids UTF-8, graph links in range: what indexing
    /// relies on not to panic.
    fn check_structure(&self) -> std::result::Result<(), (usize, String)> {
        for (off, bytes) in [(ID_OFF, ID_BYTES), (META_OFF, META_BYTES)] {
            let o = self.words::<u64>(off);
            let total = self.sect[bytes].1 as u64;
            if o.first() != Some(&0)
                || o.windows(2).any(|w| w[0] > w[1])
                || o.last() != Some(&total)
            {
                return Err((
                    self.sect[off].0,
                    format!("section {off} offsets are out of order"),
                ));
            }
        }
        for i in 0..self.count {
            if std::str::from_utf8(self.id_bytes(i)).is_err() {
                return Err((self.sect[ID_BYTES].0, format!("row {i}: id is not UTF-8")));
            }
        }
        let links0 = self.words::<u32>(LINKS0);
        for block in links0.chunks_exact(self.m0 + 1) {
            let n = block[0] as usize;
            if n > self.m0 || block[1..1 + n].iter().any(|&x| x as usize >= self.n_vec) {
                return Err((self.sect[LINKS0].0, "graph links out of range".into()));
            }
        }
        let upper = self.words::<u32>(UPPER);
        let upper_len = upper.len();
        if !upper_len.is_multiple_of(self.m + 1) || self.max_level > 16 {
            return Err((self.sect[UPPER].0, "graph upper levels malformed".into()));
        }
        // Each node's upper blocks run from its offset to the next node's (the last to
        // the end): offsets ascending from 0, whole blocks, at most 16 levels. A search
        // follows a level-l link only to a node that has level l, and starts at the
        // entry node's top level: both are checked, so no walk leaves the arrays.
        let offsets = self.words::<u32>(UPPER_OFF);
        let block = self.m + 1;
        let levels: Vec<usize> = (0..offsets.len())
            .map(|i| {
                let start = offsets[i] as usize;
                let end = offsets.get(i + 1).map_or(upper_len, |&o| o as usize);
                let ok = start <= end && end <= upper_len && (end - start).is_multiple_of(block);
                if ok && (end - start) / block <= 16 {
                    Some((end - start) / block)
                } else {
                    None
                }
            })
            .collect::<Option<_>>()
            .filter(|_| offsets.first().is_none_or(|&o| o == 0))
            .ok_or((
                self.sect[UPPER_OFF].0,
                "graph upper offsets out of order".into(),
            ))?;
        if self.n_vec > 0 && levels[self.entry as usize] < self.max_level {
            return Err((8, "the graph's entry node lacks its top level".into()));
        }
        for (node, &top) in levels.iter().enumerate() {
            for level in 1..=top {
                let at = offsets[node] as usize + (level - 1) * block;
                let n = upper[at] as usize;
                let bad_link = |&x: &u32| levels.get(x as usize).is_none_or(|&l| l < level);
                if n > self.m || upper[at + 1..at + 1 + n].iter().any(bad_link) {
                    return Err((self.sect[UPPER].0, "graph upper links out of range".into()));
                }
            }
        }
        Ok(())
    }

    /// Checksums the vectors and metadata too (the sections `open` leaves alone).
    pub fn verify(&self) -> Result<()> {
        for i in [VECTORS, META_BYTES, CODES, COLUMNS, FINE] {
            self.check_crc(i).map_err(|m| self.corrupt(i, m))?;
        }
        Ok(())
    }

    /// Damage found in section `i` after opening, named by file and offset.
    fn corrupt(&self, i: usize, m: String) -> Error {
        Error::data(
            Location {
                source: self.path.display().to_string(),
                offset: Some(self.sect[i].0 as u64),
                ..Default::default()
            },
            m,
        )
        .with_hint("the segment is corrupt; restore it from a backup")
    }

    fn words<T: Copy>(&self, i: usize) -> &[T] {
        let b = self.raw(i);
        let size = std::mem::size_of::<T>();
        assert_eq!(b.as_ptr() as usize % std::mem::align_of::<T>(), 0);
        // SAFETY: sections start 64-byte aligned in a page-aligned map (checked above),
        // T is a plain number type and the length is rounded down to whole elements.
        unsafe { std::slice::from_raw_parts(b.as_ptr().cast::<T>(), b.len() / size) }
    }

    pub fn vectors(&self) -> Vectors<'_> {
        Vectors {
            data: self.words::<f32>(VECTORS),
            dim: self.dim,
        }
    }

    /// The vectors as a search uses them: mapped, and for a large coded segment also
    /// read from the file for re-ranking (`READ_ROWS_ABOVE`).
    pub fn full(&self) -> Full<'_> {
        self.full_reading_above(READ_ROWS_ABOVE)
    }

    fn full_reading_above(&self, bytes: usize) -> Full<'_> {
        Full {
            vecs: self.vectors(),
            rows: self.reads_rows_above(bytes).then(|| self.row_file(VECTORS)),
        }
    }

    /// Section `i`'s rows, read from the file.
    fn row_file(&self, i: usize) -> RowFile<'_> {
        RowFile {
            file: &self.file,
            offset: self.sect[i].0 as u64,
        }
    }

    /// Whether a search reads this segment's rows from the file rather than the map.
    fn reads_rows_above(&self, bytes: usize) -> bool {
        self.coded() && self.sect[VECTORS].1 >= bytes
    }

    /// Whether the segment has 8-bit codes (the codebook marks a quantized segment).
    fn coded(&self) -> bool {
        self.sect[CODEBOOK].1 > 0
    }

    /// The vectors' 8-bit codes, if the segment has them, with their residuals if it
    /// has those (read from the file on a large segment, `READ_ROWS_ABOVE`).
    pub fn codes(&self) -> Option<Codes<'_>> {
        self.codes_reading_above(READ_ROWS_ABOVE)
    }

    fn codes_reading_above(&self, bytes: usize) -> Option<Codes<'_>> {
        if !self.coded() {
            return None;
        }
        let codes = Codes::new(
            self.words::<f32>(CODEBOOK),
            self.raw(CODES),
            self.words::<f32>(NORMS),
        );
        if self.sect[FINE].1 == 0 {
            // A version 3 or older file: no residuals.
            return Some(codes);
        }
        Some(codes.with_fine(FineRows {
            mapped: self.raw(FINE),
            file: self.reads_rows_above(bytes).then(|| self.row_file(FINE)),
        }))
    }

    pub fn graph(&self) -> GraphRef<'_> {
        GraphRef {
            m: self.m,
            m0: self.m0,
            links0: self.words::<u32>(LINKS0),
            upper_off: self.words::<u32>(UPPER_OFF),
            upper: self.words::<u32>(UPPER),
            entry: self.entry,
            max_level: self.max_level,
            len: self.n_vec,
        }
    }

    pub fn seqs(&self) -> &[u64] {
        self.words::<u64>(SEQS)
    }

    fn id_bytes(&self, i: usize) -> &[u8] {
        let o = self.words::<u64>(ID_OFF);
        &self.raw(ID_BYTES)[o[i] as usize..o[i + 1] as usize]
    }

    pub fn id(&self, i: usize) -> &str {
        // Checked to be UTF-8 at open.
        std::str::from_utf8(self.id_bytes(i)).unwrap_or("")
    }

    /// Row `i`'s id as a search hit takes it: read from the file on a segment that
    /// re-ranks from the file (`full`), from the map otherwise. A thousand queries' hits
    /// on a million rows would otherwise map the id sections whole, 64 KiB around each.
    pub fn hit_id(&self, i: usize) -> Cow<'_, str> {
        self.hit_text(i, ID_OFF, ID_BYTES, READ_ROWS_ABOVE)
            .unwrap_or_else(|| Cow::Borrowed(self.id(i)))
    }

    /// Row `i`'s metadata as a search hit takes it (see `hit_id`).
    pub fn hit_meta(&self, i: usize) -> Cow<'_, str> {
        self.hit_text(i, META_OFF, META_BYTES, READ_ROWS_ABOVE)
            .unwrap_or_else(|| Cow::Borrowed(self.meta(i)))
    }

    /// Row `i`'s text from sections `offs`/`bytes` read from the file, on a segment
    /// that re-ranks from the file (`above`: the size of vectors section from which it
    /// does); `None` to take it from the map (a failed read too: the map holds the same
    /// bytes).
    fn hit_text(&self, i: usize, offs: usize, bytes: usize, above: usize) -> Option<Cow<'_, str>> {
        if !self.reads_rows_above(above) {
            return None;
        }
        let mut pair = [0u8; 16];
        let at = self.sect[offs].0 as u64 + i as u64 * 8;
        self.file.read_exact_at(&mut pair, at).ok()?;
        let start = u64::from_le_bytes(pair[..8].try_into().unwrap());
        let end = u64::from_le_bytes(pair[8..].try_into().unwrap());
        // Checked ascending and in range at open.
        let mut text = vec![0u8; end.checked_sub(start)? as usize];
        self.file
            .read_exact_at(&mut text, self.sect[bytes].0 as u64 + start)
            .ok()?;
        String::from_utf8(text).ok().map(Cow::Owned)
    }

    pub fn meta(&self, i: usize) -> &str {
        let o = self.words::<u64>(META_OFF);
        std::str::from_utf8(&self.raw(META_BYTES)[o[i] as usize..o[i + 1] as usize]).unwrap_or("{}")
    }

    /// Whether the segment stores its metadata as columns (see `columns`).
    pub fn has_columns(&self) -> bool {
        self.sect[COLUMNS].1 > 0
    }

    /// The metadata columns section, its checksum checked (once while the segment is
    /// open): `None` for a segment written before format 3, or one whose rows have no
    /// metadata field.
    fn columns_raw(&self) -> Result<Option<&[u8]>> {
        if !self.has_columns() {
            return Ok(None);
        }
        let checked = self.columns_checked.get_or_init(|| self.check_crc(COLUMNS));
        checked.clone().map_err(|m| self.corrupt(COLUMNS, m))?;
        Ok(Some(self.raw(COLUMNS)))
    }

    /// The metadata fields and their types (see `columns_raw` for `None`).
    pub fn columns_schema(&self) -> Result<Option<SchemaRef>> {
        let Some(section) = self.columns_raw()? else {
            return Ok(None);
        };
        columns::schema_of(section)
            .map(Some)
            .map_err(|m| self.corrupt(COLUMNS, m))
    }

    /// The vector rows' metadata as typed columns: the fields named in `fields` (all
    /// if `None`), with the orders of the indexed ones among them.
    pub fn columns(&self, fields: Option<&HashSet<String>>) -> Result<Option<Columns>> {
        let Some(section) = self.columns_raw()? else {
            return Ok(None);
        };
        Columns::decode(section, self.n_vec, fields)
            .map(Some)
            .map_err(|m| self.corrupt(COLUMNS, m))
    }

    pub fn is_tombstone(&self, i: usize) -> bool {
        i >= self.n_vec
    }

    pub fn file_len(&self) -> u64 {
        self.map.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vidx::distance::Space;
    use crate::vidx::hnsw::{self, Params, Scratch};
    use crate::vidx::quant::Coded;

    /// Writes a 40-row, 8-d segment (with codes if `quantize`) and returns its data.
    fn write_sample(path: &Path, quantize: bool) -> Vec<f32> {
        let dim = 8;
        let data: Vec<f32> = (0..40 * dim).map(|i| ((i * 7919) % 101) as f32).collect();
        let vecs = Vectors { data: &data, dim };
        let quantized = quantize.then(|| Quantized::new(vecs));
        let space = Space::new(Metric::L2);
        let p = Params {
            m: 4,
            ef_construction: 16,
            seed: 5,
        };
        let codes = quantized.as_ref().map(Quantized::view);
        let graph = hnsw::build(vecs, codes, &space, p, &indicatif::ProgressBar::hidden());
        let ids: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
        let metas: Vec<String> = (0..40).map(|i| format!("{{\"n\":{}}}", i * i)).collect();
        write(
            path,
            &NewSegment {
                dim,
                metric: Metric::L2,
                vectors: &data,
                ids: ids.iter().map(String::as_str).collect(),
                seqs: (1..=40).collect(),
                metas: metas.iter().map(String::as_str).collect(),
                graph: &graph,
                quantized: quantized.as_ref(),
                columns: &[],
            },
        )
        .unwrap();
        data
    }

    fn nearest(seg: &Segment, q: &[f32]) -> Vec<(f32, u32)> {
        nearest_in(seg, seg.full(), seg.codes(), q)
    }

    fn nearest_in(seg: &Segment, full: Full, codes: Option<Codes>, q: &[f32]) -> Vec<(f32, u32)> {
        let space = Space::new(Metric::L2);
        let mut s = Scratch::default();
        hnsw::search(
            &seg.graph(),
            full,
            codes,
            &space,
            q,
            hnsw::Budget::new(5, 40, 40),
            None,
            &mut s,
        )
    }

    /// How far a refined squared L2 distance from `q` may be from the exact one on the
    /// sample: its values are 0..=100, a step of 100/255, and each reads back within
    /// 1/512 of a step, so `2 Σ |q_i| step / 512` (and the f32 rounding of
    /// `|q|² + |x|² - 2 q·x`, well inside the 1/256 allowed here).
    fn sample_slack(q: &[f32]) -> f32 {
        2.0 * q.iter().map(|x| x.abs()).sum::<f32>() * (100.0 / 255.0) / 256.0
    }

    /// `hits` rank as `exact` does, up to ties (the same exact distances in the same
    /// order), and each one's distance is within `slack` of its exact distance to `q`.
    fn assert_near(
        seg: &Segment,
        q: &[f32],
        hits: &[(f32, u32)],
        exact: &[(f32, u32)],
        slack: f32,
    ) {
        let space = Space::new(Metric::L2);
        let true_distance = |node: u32| space.distance(q, seg.vectors().get(node));
        let ranked: Vec<f32> = hits.iter().map(|h| true_distance(h.1)).collect();
        assert_eq!(ranked, exact.iter().map(|e| e.0).collect::<Vec<_>>());
        for h in hits {
            assert!(
                (h.0 - true_distance(h.1)).abs() <= slack,
                "{hits:?} against {exact:?}"
            );
        }
    }

    #[test]
    fn codes_and_residuals_are_stored_and_searched_finely_ranked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.vseg");
        let data = write_sample(&path, true);
        let seg = Segment::open(&path).unwrap();
        assert!(seg.codes().is_some());
        seg.verify().unwrap();
        let space = Space::new(Metric::L2);
        for q in data.chunks(8).step_by(3) {
            let exact = hnsw::exact(seg.vectors(), &space, q, 5, None);
            let mapped = nearest(&seg, q);
            assert_near(&seg, q, &mapped, &exact, sample_slack(q));
            // A small segment re-ranks from its map; past the size limit, by reading
            // its rows' residuals from the file, with the very same distances.
            assert!(seg.full().rows.is_none());
            let read = seg.full_reading_above(0);
            assert!(read.rows.is_some());
            let from_file = nearest_in(&seg, read, seg.codes_reading_above(0), q);
            assert_eq!(from_file, mapped);
        }
    }

    #[test]
    fn hits_read_ids_and_metadata_from_the_file_as_the_map_has_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.vseg");
        write_sample(&path, true);
        let seg = Segment::open(&path).unwrap();
        // Opening released the pages of these sections; reads through the map fault
        // them back in.
        assert_eq!(seg.seqs(), (1..=40).collect::<Vec<u64>>());
        for i in 0..40 {
            let id = seg.hit_text(i, ID_OFF, ID_BYTES, 0).unwrap();
            assert!(matches!(id, Cow::Owned(_)));
            assert_eq!(*id, format!("v{i}"));
            assert_eq!(seg.id(i), id);
            let meta = seg.hit_text(i, META_OFF, META_BYTES, 0).unwrap();
            assert_eq!(&*meta, seg.meta(i));
        }
        // A small segment's hits take them from the map.
        assert!(matches!(seg.hit_id(3), Cow::Borrowed("v3")));
    }

    #[test]
    fn an_unquantized_segment_never_reads_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.vseg");
        write_sample(&path, false);
        let seg = Segment::open(&path).unwrap();
        assert!(seg.full_reading_above(0).rows.is_none());
    }

    /// Rewrites a segment's header as an older `version` wrote it: the same fields and
    /// the first `sections` section entries. The sections themselves stay where they are.
    fn as_version(bytes: &mut [u8], version: u32, sections: usize) {
        let mut h = bytes[..header_len(sections) - 4].to_vec();
        h[8..12].copy_from_slice(&version.to_le_bytes());
        let crc = crc32fast::hash(&h);
        h.extend_from_slice(&crc.to_le_bytes());
        bytes[..h.len()].copy_from_slice(&h);
    }

    #[test]
    fn version_1_2_and_3_files_still_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.vseg");
        let data = write_sample(&path, true);
        let v4 = Segment::open(&path).unwrap();
        let q = &data[8..16];
        let exact = hnsw::exact(v4.vectors(), &Space::new(Metric::L2), q, 5, None);
        assert_near(&v4, q, &nearest(&v4, q), &exact, sample_slack(q));
        drop(v4);
        // Files before the residuals re-rank on the f32 vectors: exact distances.
        let mut bytes = std::fs::read(&path).unwrap();
        as_version(&mut bytes, 3, NSECT_V3);
        std::fs::write(&path, &bytes).unwrap();
        let v3 = Segment::open(&path).unwrap();
        assert!(v3
            .codes()
            .is_some_and(|c| Coded::new(c, &Space::new(Metric::L2), q)
                .refined()
                .is_none()));
        v3.verify().unwrap();
        assert_eq!(nearest(&v3, q), exact);
        drop(v3);
        as_version(&mut bytes, 2, NSECT_V2);
        std::fs::write(&path, &bytes).unwrap();
        let v2 = Segment::open(&path).unwrap();
        assert!(v2.codes().is_some() && v2.columns(None).unwrap().is_none());
        assert_eq!(nearest(&v2, q), exact);
        let data = write_sample(&path, false);
        let v4 = Segment::open(&path).unwrap();
        assert!(v4.codes().is_none());
        let want = nearest(&v4, &data[8..16]);
        drop(v4);
        let mut bytes = std::fs::read(&path).unwrap();
        as_version(&mut bytes, 1, NSECT_V1);
        std::fs::write(&path, &bytes).unwrap();
        let v1 = Segment::open(&path).unwrap();
        assert!(v1.codes().is_none());
        assert_eq!(nearest(&v1, &data[8..16]), want);
        // A version this build does not know is refused with a message that says so.
        bytes[8..12].copy_from_slice(&9u32.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        let e = Segment::open(&path).err().unwrap().to_string();
        assert!(e.contains("version 9 is not supported"), "{e}");
    }
}
