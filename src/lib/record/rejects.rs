//! Bad input records under `--on-error skip|dead-letter=PATH`: instead of stopping at
//! the first record that does not parse or fit the schema, the reader hands it here and
//! goes on. Rejects are counted for the exit status (3), summarized on stderr at the
//! end, and with `dead-letter` written as NDJSON records (where, why, and the original
//! text) so they can be fixed and fed again.
//!
//! The policy belongs to the command, not the process: a [`Rejects`] handle is made once
//! and cloned into every reader the command opens (`etl sql -t ...` opens several), so
//! they share one count and one dead-letter file, and the command reads the count at the
//! end for its exit status.

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use crate::error::{Error, Location, Result};

/// What to do with an input record that does not parse or does not fit the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum OnError {
    /// Stop with an error naming the record (the default).
    #[default]
    Fail,
    /// Leave it out, count it, exit with status 3.
    Skip,
    /// Like skip, and append it to this NDJSON file.
    DeadLetter(PathBuf),
}

impl FromStr for OnError {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "fail" => Ok(OnError::Fail),
            "skip" => Ok(OnError::Skip),
            _ => match s.strip_prefix("dead-letter=") {
                Some(p) if !p.is_empty() => Ok(OnError::DeadLetter(PathBuf::from(p))),
                _ => Err(format!("'{s}': expected fail, skip or dead-letter=PATH")),
            },
        }
    }
}

struct Log {
    policy: OnError,
    count: u64,
    first: Option<String>,
    dead_letter: Option<BufWriter<File>>,
}

/// Where bad records go under one policy; clones share the count and the file. The
/// default is `--on-error fail`: every bad record is an error.
#[derive(Clone, Default)]
pub struct Rejects(Option<Arc<Mutex<Log>>>);

impl fmt::Debug for Rejects {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Rejects").field(&self.policy()).finish()
    }
}

impl Rejects {
    /// Sets bad records aside under `policy` (creating the dead-letter file).
    pub fn new(policy: &OnError) -> Result<Rejects> {
        if *policy == OnError::Fail {
            return Ok(Rejects(None));
        }
        let dead_letter = match policy {
            OnError::DeadLetter(path) => Some(BufWriter::new(File::create(path).map_err(|e| {
                Error::io(
                    format!("cannot create the dead-letter file {}", path.display()),
                    e,
                )
            })?)),
            _ => None,
        };
        Ok(Rejects(Some(Arc::new(Mutex::new(Log {
            policy: policy.clone(),
            count: 0,
            first: None,
            dead_letter,
        })))))
    }

    pub fn policy(&self) -> OnError {
        self.0.as_ref().map_or(OnError::Fail, |l| {
            l.lock().expect("not poisoned").policy.clone()
        })
    }

    /// True when bad records are set aside rather than fatal.
    pub fn skipping(&self) -> bool {
        self.0.is_some()
    }

    /// Sets one bad record aside (an error naming it under `fail`).
    pub fn reject(&self, at: &Location, reason: &str, raw: &[u8]) -> Result<()> {
        let Some(log) = &self.0 else {
            return Err(Error::data(at.clone(), reason));
        };
        let mut log = log.lock().expect("not poisoned");
        log.count += 1;
        if log.first.is_none() {
            log.first = Some(format!("{at}: {reason}"));
        }
        if let Some(out) = log.dead_letter.as_mut() {
            let record = serde_json::json!({
                "source": at.source,
                "line": at.line,
                "offset": at.offset,
                "field": at.field,
                "error": reason,
                "record": String::from_utf8_lossy(raw),
            });
            writeln!(out, "{record}")
                .and_then(|_| out.flush())
                .map_err(|e| Error::io("writing the dead-letter file", e))?;
        }
        Ok(())
    }

    /// How many records were set aside so far.
    pub fn count(&self) -> u64 {
        self.0
            .as_ref()
            .map_or(0, |l| l.lock().expect("not poisoned").count)
    }

    /// One line for the command to print when anything was set aside.
    pub fn summary(&self) -> Option<String> {
        let log = self.0.as_ref()?.lock().expect("not poisoned");
        if log.count == 0 {
            return None;
        }
        let mut text = format!(
            "skipped {} bad input records (first: {})",
            log.count,
            log.first.as_deref().unwrap_or("?")
        );
        if let OnError::DeadLetter(path) = &log.policy {
            text += &format!("; they are in {}", path.display());
        }
        Some(text)
    }
}

/// What the record layer has to say besides its records: warnings (a schema widened)
/// reach the command through this, which decides where they go (`cli` prints them on
/// stderr); the library itself never writes to the terminal.
pub trait Report: Send + Sync {
    fn warn(&self, message: &str);
}

/// Drops warnings: the default for the library used on its own.
#[derive(Debug, Default)]
pub struct Quiet;

impl Report for Quiet {
    fn warn(&self, _message: &str) {}
}

/// The reporting a reader is given: where bad records go and where warnings go.
#[derive(Clone)]
pub struct Reporting {
    pub rejects: Rejects,
    pub report: Arc<dyn Report>,
}

impl Default for Reporting {
    fn default() -> Self {
        Reporting {
            rejects: Rejects::default(),
            report: Arc::new(Quiet),
        }
    }
}

impl fmt::Debug for Reporting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reporting")
            .field("rejects", &self.rejects)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_handle_counts_for_itself_and_clones_share() {
        let at = Location {
            source: "t".into(),
            line: Some(3),
            ..Default::default()
        };
        assert!(Rejects::default().reject(&at, "bad", b"x").is_err());
        let a = Rejects::new(&OnError::Skip).unwrap();
        let shared = a.clone();
        let other = Rejects::new(&OnError::Skip).unwrap();
        a.reject(&at, "bad", b"x").unwrap();
        shared.reject(&at, "worse", b"y").unwrap();
        assert_eq!((a.count(), other.count()), (2, 0));
        assert!(a
            .summary()
            .unwrap()
            .starts_with("skipped 2 bad input records"));
        assert_eq!(other.summary(), None);
    }

    #[test]
    fn parses_policies() {
        assert_eq!("skip".parse::<OnError>(), Ok(OnError::Skip));
        assert_eq!(
            "dead-letter=bad.ndjson".parse::<OnError>(),
            Ok(OnError::DeadLetter("bad.ndjson".into()))
        );
        assert!("dead-letter=".parse::<OnError>().is_err());
        assert!("ignore".parse::<OnError>().is_err());
    }
}
