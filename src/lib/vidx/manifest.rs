//! The manifest: the one file that says what the index is — its settings, its live
//! segment files, how far the write-ahead log has been flushed into them, and which WAL
//! file is current. It is replaced atomically (write a temporary file, fsync it,
//! rename it over `MANIFEST`, fsync the directory), so a reader or a restart sees
//! either the old or the new set of segments, never a mix.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::distance::Metric;
use crate::error::{Error, Location, Result};

pub const FILE: &str = "MANIFEST";
pub const FORMAT: u32 = 1;

/// Settings fixed at `vidx create` (the search-time ones can be overridden per command).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Config {
    pub dim: usize,
    pub metric: Metric,
    pub m: usize,
    pub ef_construction: usize,
    pub ef_search: usize,
    /// Records the memtable holds before it is flushed into a segment.
    pub memtable_records: usize,
    /// Segment count at which a flush is followed by a compaction.
    pub compact_at: usize,
    /// Below this fraction of a segment's rows passing the filter (and not deleted),
    /// search scans them exactly instead of walking the graph.
    pub exact_below: f64,
    /// Whether segments carry 8-bit codes for the graph walk (see `quant`). Indexes
    /// made before the setting existed have none.
    #[serde(default)]
    pub quantize: Quantize,
}

/// How segments store vectors for the graph walk, besides the f32 copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Quantize {
    /// The walk measures on the f32 vectors
    #[default]
    None,
    /// One byte per dimension, re-ranked exactly
    Sq8,
}

impl Quantize {
    pub fn name(self) -> &'static str {
        match self {
            Quantize::None => "none",
            Quantize::Sq8 => "sq8",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SegmentEntry {
    pub file: String,
    pub records: usize,
    pub vectors: usize,
    pub max_seq: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub config: Config,
    /// Bumped on every change, so a reader can tell that it raced a writer.
    pub generation: u64,
    /// Oldest first: a later segment's rows override an earlier one's.
    pub segments: Vec<SegmentEntry>,
    /// Every operation with a sequence number up to this one is in a segment.
    pub flushed_seq: u64,
    pub next_segment: u64,
    /// Generation of the WAL file writes go to.
    pub wal: u64,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::io(
                    format!(
                    "{} is not a vidx index (no {FILE}); create one with 'vidx create {} --dim D'",
                    dir.display(),
                    dir.display()
                ),
                    e,
                ))
            }
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::data(
                Location {
                    source: path.display().to_string(),
                    line: Some(e.line() as u64),
                    ..Default::default()
                },
                format!("corrupt manifest: {e}"),
            )
        })?;
        if m.format != FORMAT {
            return Err(Error::data(
                Location {
                    source: path.display().to_string(),
                    ..Default::default()
                },
                format!("manifest format {} is not supported by this vidx", m.format),
            ));
        }
        Ok(m)
    }

    /// Replaces the manifest atomically and durably.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let tmp = dir.join("MANIFEST.tmp");
        let what = |e| Error::io(format!("writing {}", tmp.display()), e);
        let mut f = File::create(&tmp).map_err(what)?;
        let text = serde_json::to_vec_pretty(self).expect("manifest serialises");
        f.write_all(&text).map_err(what)?;
        f.write_all(b"\n").map_err(what)?;
        f.sync_all().map_err(what)?;
        drop(f);
        std::fs::rename(&tmp, dir.join(FILE))
            .map_err(|e| Error::io(format!("renaming {} into place", tmp.display()), e))?;
        sync_dir(dir)
    }
}

/// Makes renames and new files in `dir` durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(format!("syncing directory {}", dir.display()), e))
}
