//! The manifest: the one file that says what the index is — its settings, its live
//! segment files, how far the write-ahead log has been flushed into them, and which WAL
//! file is current. It is replaced atomically (write a temporary file, fsync it,
//! rename it over `MANIFEST`, fsync the directory), so a reader or a restart sees
//! either the old or the new set of segments, never a mix.
//!
//! It carries a CRC32 of its own contents (format 2): a damaged manifest that is still
//! valid JSON (a digit of `flushed_seq` or of the WAL generation changed) would
//! otherwise open as an index that silently lacks or repeats records. Format 1
//! manifests, written before the checksum, are still read; the next write seals them.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::distance::Metric;
use crate::error::{Error, Location, Result};

pub const FILE: &str = "MANIFEST";
pub const FORMAT: u32 = 2;
/// Manifests written before the checksum.
const FORMAT_UNSEALED: u32 = 1;
/// The key of the checksum beside the manifest's own fields.
const CRC_KEY: &str = "crc32";

/// The checksum of a manifest: CRC32 of its canonical text (pretty JSON, without the
/// checksum key), which serde_json writes the same way for equal values.
fn checksum(m: &Manifest) -> String {
    let text = serde_json::to_vec_pretty(m).expect("manifest serialises");
    format!("{:08x}", crc32fast::hash(&text))
}

/// What is written: the manifest's fields and its checksum.
#[derive(Serialize)]
struct Sealed<'a> {
    #[serde(flatten)]
    manifest: &'a Manifest,
    crc32: String,
}

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
    /// Metadata fields each segment keeps its rows sorted by, so filters on them are
    /// answered by binary search (`columns`). Absent from the manifest when empty, so
    /// older manifests and their checksums read as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub index_fields: Vec<String>,
}

/// How segments store vectors for the graph walk, besides the f32 copy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Quantize {
    /// The walk measures on the f32 vectors
    #[default]
    None,
    /// One byte per dimension for the walk, and its residual for the re-rank
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
    /// The metadata fields' types as the inputs declared them (see `types`). Absent
    /// when empty, so older manifests and their checksums read as before.
    #[serde(default, skip_serializing_if = "super::types::Declared::is_empty")]
    pub meta_types: super::types::Declared,
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
        let corrupt = |line: Option<u64>, what: String| {
            Error::data(
                Location {
                    source: path.display().to_string(),
                    line,
                    ..Default::default()
                },
                format!("corrupt manifest: {what}"),
            )
            .with_hint("restore MANIFEST from a backup or a snapshot of the index")
        };
        let mut value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| corrupt(Some(e.line() as u64), e.to_string()))?;
        let stored = value
            .as_object_mut()
            .and_then(|o| o.remove(CRC_KEY))
            .map(|c| c.as_str().map(str::to_string).unwrap_or_default());
        let m: Manifest =
            serde_json::from_value(value).map_err(|e| corrupt(None, e.to_string()))?;
        match (m.format, stored) {
            (FORMAT | FORMAT_UNSEALED, Some(crc)) if crc != checksum(&m) => {
                return Err(corrupt(None, "checksum mismatch".into()))
            }
            (FORMAT, None) => return Err(corrupt(None, "its checksum is missing".into())),
            _ => {}
        }
        if m.format != FORMAT && m.format != FORMAT_UNSEALED {
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
        let manifest = &Manifest {
            format: FORMAT,
            ..self.clone()
        };
        let sealed = Sealed {
            manifest,
            crc32: checksum(manifest),
        };
        let text = serde_json::to_vec_pretty(&sealed).expect("manifest serialises");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT,
            config: Config {
                dim: 8,
                metric: Metric::Cosine,
                m: 16,
                ef_construction: 100,
                ef_search: 64,
                memtable_records: 1000,
                compact_at: 8,
                exact_below: 0.05,
                quantize: Quantize::Sq8,
                index_fields: Vec::new(),
            },
            generation: 7,
            segments: vec![SegmentEntry {
                file: "seg-00000001.vseg".into(),
                records: 40,
                vectors: 38,
                max_seq: 40,
            }],
            flushed_seq: 40,
            next_segment: 2,
            wal: 3,
            meta_types: Default::default(),
        }
    }

    #[test]
    fn a_changed_value_that_is_still_json_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        manifest().write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), manifest());
        let path = dir.path().join(FILE);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace("\"flushed_seq\": 40", "\"flushed_seq\": 48"),
        )
        .unwrap();
        let err = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("checksum mismatch") && err.contains(FILE),
            "{err}"
        );
        // Without its checksum a format 2 manifest is refused too.
        let unsealed = serde_json::to_string_pretty(&manifest()).unwrap();
        std::fs::write(&path, unsealed).unwrap();
        let err = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(err.contains("checksum is missing"), "{err}");
    }

    #[test]
    fn format_1_manifests_are_read_and_sealed_on_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let old = Manifest {
            format: 1,
            ..manifest()
        };
        let path = dir.path().join(FILE);
        std::fs::write(&path, serde_json::to_string_pretty(&old).unwrap()).unwrap();
        let read = Manifest::read(dir.path()).unwrap();
        assert_eq!(read, old);
        read.write(dir.path()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"format\": 2") && text.contains("\"crc32\""),
            "{text}"
        );
        assert_eq!(Manifest::read(dir.path()).unwrap(), manifest());
    }
}
