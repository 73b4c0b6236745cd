//! The write-ahead log: every add and delete is appended here, in groups, before it is
//! acknowledged; a memtable is rebuilt from it after a restart or a crash.
//!
//! A file `wal-NNNNNNNN.log` starts with the magic `VIDXWAL1`, then frames of
//! `[len u32][crc32 u32][payload]`. A payload is one operation (put or delete, with its
//! sequence number) or a commit marker. A group of operations is written with one
//! `write` and ends with a commit marker; then, with `--sync batch`, one `fdatasync`
//! (group commit). Replay applies operations only up to the last commit marker, so a
//! group is all or nothing. Anything after it — a torn frame, a bad checksum, an
//! unfinished group — is the tail of a crash: the writer truncates it and says so.
//!
//! Unless it is not a tail: a crash tears at most the group being written (the next
//! one is written only after this one is on disk), so complete commit markers of two
//! or more groups after the damage mean acknowledged records behind a damaged frame.
//! That is an error naming the offset, not a tail to cut.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"VIDXWAL1";
const OP_PUT: u8 = 1;
const OP_DELETE: u8 = 2;
const OP_COMMIT: u8 = 3;
/// No single frame is larger than this; a bigger length is a corrupt frame, not a
/// reason to allocate.
const MAX_FRAME: usize = 1 << 30;

/// When `vidx add` forces the log to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyncMode {
    /// fdatasync after every record (slowest; one record per commit)
    Always,
    /// fdatasync once per group of records (group commit)
    Batch,
    /// Never sync: survives a killed process, not a power cut
    None,
}

/// One logged operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    Put {
        seq: u64,
        id: String,
        vector: Vec<f32>,
        meta: String,
    },
    Delete {
        seq: u64,
        id: String,
    },
}

impl Op {
    pub fn seq(&self) -> u64 {
        match self {
            Op::Put { seq, .. } | Op::Delete { seq, .. } => *seq,
        }
    }
}

pub fn file_name(generation: u64) -> String {
    format!("wal-{generation:08}.log")
}

/// The generation number of a WAL file name, if it is one.
pub fn parse_name(name: &str) -> Option<u64> {
    name.strip_prefix("wal-")?
        .strip_suffix(".log")?
        .parse()
        .ok()
}

fn encode(op: &Op, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    match op {
        Op::Put {
            seq,
            id,
            vector,
            meta,
        } => {
            out.push(OP_PUT);
            out.extend_from_slice(&seq.to_le_bytes());
            out.extend_from_slice(&(id.len() as u32).to_le_bytes());
            out.extend_from_slice(id.as_bytes());
            out.extend_from_slice(&(vector.len() as u32).to_le_bytes());
            for x in vector {
                out.extend_from_slice(&x.to_le_bytes());
            }
            out.extend_from_slice(&(meta.len() as u32).to_le_bytes());
            out.extend_from_slice(meta.as_bytes());
        }
        Op::Delete { seq, id } => {
            out.push(OP_DELETE);
            out.extend_from_slice(&seq.to_le_bytes());
            out.extend_from_slice(&(id.len() as u32).to_le_bytes());
            out.extend_from_slice(id.as_bytes());
        }
    }
    seal(out, start);
}

fn encode_commit(out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 8]);
    out.push(OP_COMMIT);
    seal(out, start);
}

fn seal(out: &mut [u8], start: usize) {
    let len = (out.len() - start - 8) as u32;
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

enum Frame {
    Op(Op),
    Commit,
}

fn decode(payload: &[u8]) -> Option<Frame> {
    let mut c = Cursor { b: payload, at: 0 };
    let kind = c.take(1)?[0];
    let frame = match kind {
        OP_COMMIT => Frame::Commit,
        OP_PUT => {
            let seq = c.u64()?;
            let id = c.string()?;
            let n = c.u32()? as usize;
            let raw = c.take(n.checked_mul(4)?)?;
            let vector = raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect();
            let meta = c.string()?;
            Frame::Op(Op::Put {
                seq,
                id,
                vector,
                meta,
            })
        }
        OP_DELETE => {
            let seq = c.u64()?;
            let id = c.string()?;
            Frame::Op(Op::Delete { seq, id })
        }
        _ => return None,
    };
    (c.at == payload.len()).then_some(frame)
}

/// What reading one WAL file found.
pub struct Replay {
    /// Committed operations, in log order.
    pub ops: Vec<Op>,
    /// Length of the committed prefix (where the writer continues).
    pub good_len: u64,
    /// Bytes after it: a torn or unfinished group (0 after a clean shutdown).
    pub torn_bytes: u64,
}

/// Reads a WAL file, stopping at the first frame that is incomplete or fails its
/// checksum, and keeping only operations followed by a commit marker.
pub fn read(path: &Path) -> Result<Replay> {
    read_with_bytes(path).map(|(replay, _)| replay)
}

/// [`read`], also returning the bytes read: their first `good_len` bytes are the
/// committed log as it stood, which is what a snapshot copies.
pub fn read_with_bytes(path: &Path) -> Result<(Replay, Vec<u8>)> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    let replay = parse(path, &bytes)?;
    Ok((replay, bytes))
}

fn parse(path: &Path, bytes: &[u8]) -> Result<Replay> {
    if bytes.len() < MAGIC.len() {
        // A crash right after creating the file, before the magic reached the disk.
        return Ok(Replay {
            ops: Vec::new(),
            good_len: 0,
            torn_bytes: bytes.len() as u64,
        });
    }
    if &bytes[..8] != MAGIC {
        return Err(Error::data(
            crate::error::Location {
                source: path.display().to_string(),
                offset: Some(0),
                ..Default::default()
            },
            "not a vidx write-ahead log (bad magic)",
        ));
    }
    let mut at = 8usize;
    let mut good_len = 8usize;
    let mut ops = Vec::new();
    let mut pending = Vec::new();
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap());
        if len > MAX_FRAME || at + 8 + len > bytes.len() {
            break;
        }
        let payload = &bytes[at + 8..at + 8 + len];
        if crc32fast::hash(payload) != crc {
            break;
        }
        match decode(payload) {
            Some(Frame::Op(op)) => pending.push(op),
            Some(Frame::Commit) => {
                ops.append(&mut pending);
                good_len = at + 8 + len;
            }
            None => break,
        }
        at += 8 + len;
    }
    let after = committed_groups_in(&bytes[at.min(bytes.len())..]);
    if after >= 2 {
        return Err(Error::data(
            crate::error::Location {
                source: path.display().to_string(),
                offset: Some(at as u64),
                ..Default::default()
            },
            format!("the log is damaged here, and {after} committed groups of records follow"),
        )
        .with_hint("restore the index from a backup; moving this file aside opens the index without the records logged after its last flush"));
    }
    Ok(Replay {
        ops,
        good_len: good_len as u64,
        torn_bytes: (bytes.len() - good_len) as u64,
    })
}

/// The complete commit markers in `bytes` (a commit frame is always the same 9 bytes).
fn committed_groups_in(bytes: &[u8]) -> usize {
    let mut marker = Vec::with_capacity(9);
    encode_commit(&mut marker);
    bytes
        .windows(marker.len())
        .filter(|w| *w == marker.as_slice())
        .count()
}

/// The open log a writer appends to.
pub struct Wal {
    pub path: PathBuf,
    file: File,
    sync: SyncMode,
    buf: Vec<u8>,
    pub len: u64,
}

impl Wal {
    /// Creates a new, empty log file (its directory entry is synced by the caller).
    pub fn create(path: &Path, sync: SyncMode) -> Result<Wal> {
        let what = |e| Error::io(format!("creating {}", path.display()), e);
        let mut file = OpenOptions::new()
            .create_new(true)
            .write(true)
            .open(path)
            .map_err(what)?;
        file.write_all(MAGIC).map_err(what)?;
        file.sync_data().map_err(what)?;
        Ok(Wal {
            path: path.to_path_buf(),
            file,
            sync,
            buf: Vec::new(),
            len: MAGIC.len() as u64,
        })
    }

    /// Opens an existing log for appending after its committed prefix `good_len`,
    /// cutting off anything beyond it.
    pub fn reopen(path: &Path, good_len: u64, sync: SyncMode) -> Result<Wal> {
        let what = |e| Error::io(format!("opening {}", path.display()), e);
        let file = OpenOptions::new().write(true).open(path).map_err(what)?;
        let current = file.metadata().map_err(what)?.len();
        let mut good_len = good_len;
        if good_len < MAGIC.len() as u64 {
            // The magic itself never made it: start the file again.
            file.set_len(0).map_err(what)?;
            (&file).write_all(MAGIC).map_err(what)?;
            good_len = MAGIC.len() as u64;
            file.sync_data().map_err(what)?;
        } else if current != good_len {
            file.set_len(good_len).map_err(what)?;
            file.sync_data().map_err(what)?;
        }
        let mut wal = Wal {
            path: path.to_path_buf(),
            file,
            sync,
            buf: Vec::new(),
            len: good_len,
        };
        use std::io::Seek;
        wal.file
            .seek(std::io::SeekFrom::Start(good_len))
            .map_err(what)?;
        Ok(wal)
    }

    pub fn sync_mode(&self) -> SyncMode {
        self.sync
    }

    pub fn set_sync_mode(&mut self, s: SyncMode) {
        self.sync = s;
    }

    /// Appends a group of operations with one write and one commit marker, then syncs
    /// as the mode says. When this returns, the group is durable (for `batch` and
    /// `always`) and will be replayed after a crash.
    pub fn append(&mut self, ops: &[Op]) -> Result<()> {
        if self.sync == SyncMode::Always {
            for op in ops {
                self.write_group(std::slice::from_ref(op))?;
            }
            return Ok(());
        }
        self.write_group(ops)
    }

    fn write_group(&mut self, ops: &[Op]) -> Result<()> {
        self.buf.clear();
        for op in ops {
            encode(op, &mut self.buf);
        }
        encode_commit(&mut self.buf);
        let what = |e| Error::io(format!("appending to {}", self.path.display()), e);
        self.file.write_all(&self.buf).map_err(what)?;
        if self.sync != SyncMode::None {
            self.file.sync_data().map_err(what)?;
        }
        self.len += self.buf.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_with_committed_groups_after_it_is_an_error_not_a_tail() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(file_name(1));
        let mut w = Wal::create(&p, SyncMode::Batch).unwrap();
        for seq in 1..=4 {
            w.append(&[Op::Delete {
                seq,
                id: format!("id{seq}"),
            }])
            .unwrap();
        }
        drop(w);
        let clean = std::fs::read(&p).unwrap();
        // A flipped bit in the second group's operation: groups 3 and 4 follow it.
        let mut damaged = clean.clone();
        let second = 8 + (clean.len() - 8) / 4;
        damaged[second + 12] ^= 0x20;
        std::fs::write(&p, &damaged).unwrap();
        let err = read(&p)
            .err()
            .expect("damage before committed groups is an error");
        let text = err.to_string();
        assert!(
            text.contains(&p.display().to_string()) && text.contains(&second.to_string()),
            "{text}"
        );
        // The same bit in the last group is a torn tail: the first three replay.
        let mut torn = clean.clone();
        let last = 8 + 3 * (clean.len() - 8) / 4;
        torn[last + 12] ^= 0x20;
        std::fs::write(&p, &torn).unwrap();
        assert_eq!(read(&p).unwrap().ops.len(), 3);
    }

    #[test]
    fn groups_replay_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(file_name(1));
        let mut w = Wal::create(&p, SyncMode::Batch).unwrap();
        let put = |seq: u64| Op::Put {
            seq,
            id: format!("id{seq}"),
            vector: vec![1.0, 2.0],
            meta: "{}".into(),
        };
        w.append(&[put(1), put(2)]).unwrap();
        w.append(&[Op::Delete {
            seq: 3,
            id: "id1".into(),
        }])
        .unwrap();
        let good = w.len;
        // A group that never got its commit marker, then half a frame.
        let mut tail = Vec::new();
        encode(&put(4), &mut tail);
        tail.extend_from_slice(&[9, 0, 0]);
        w.file.write_all(&tail).unwrap();
        drop(w);
        let r = read(&p).unwrap();
        assert_eq!(r.ops.len(), 3);
        assert_eq!(r.good_len, good);
        assert_eq!(r.torn_bytes, tail.len() as u64);
        let mut w = Wal::reopen(&p, r.good_len, SyncMode::Batch).unwrap();
        w.append(&[put(5)]).unwrap();
        let r = read(&p).unwrap();
        assert_eq!(r.ops.iter().map(Op::seq).collect::<Vec<_>>(), [1, 2, 3, 5]);
        assert_eq!(r.torn_bytes, 0);
    }
}
