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
use std::path::{Path, PathBuf};
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
    /// Like skip, and produce it to this Kafka topic (`dead-letter=kafka:TOPIC`): only
    /// for commands that read from Kafka, which bring the producer ([`Rejects::with`]).
    DeadLetterTopic(String),
}

impl FromStr for OnError {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "fail" => Ok(OnError::Fail),
            "skip" => Ok(OnError::Skip),
            _ => match s.strip_prefix("dead-letter=") {
                Some(t) if t.strip_prefix("kafka:").is_some_and(|t| !t.is_empty()) => {
                    Ok(OnError::DeadLetterTopic(t["kafka:".len()..].to_string()))
                }
                Some(p) if !p.is_empty() && !p.starts_with("kafka:") => {
                    Ok(OnError::DeadLetter(PathBuf::from(p)))
                }
                _ => Err(format!(
                    "'{s}': expected fail, skip, dead-letter=PATH or dead-letter=kafka:TOPIC"
                )),
            },
        }
    }
}

/// Where a set-aside record goes besides the count: the dead-letter file, or what a
/// command brings (etl's Kafka consumer: a topic, with the message's own key and
/// headers, and a ledger of which messages were set aside so their offsets are
/// committed).
pub trait SetAside: Send {
    /// Takes one bad record: `at` says where it was read, `raw` is its text.
    fn put(&mut self, at: &Location, reason: &str, raw: &[u8]) -> Result<()>;
    /// Where the records went, for the summary ("they are in ..."); None when they
    /// were only counted.
    fn place(&self) -> Option<String>;
}

/// `dead-letter=PATH`: one NDJSON record per bad record, saying where and why, with its
/// original text, flushed as it is written.
struct DeadLetterFile {
    path: PathBuf,
    out: BufWriter<File>,
}

impl DeadLetterFile {
    fn create(path: &Path) -> Result<DeadLetterFile> {
        let file = File::create(path).map_err(|e| {
            Error::io(
                format!("cannot create the dead-letter file {}", path.display()),
                e,
            )
        })?;
        Ok(DeadLetterFile {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
        })
    }
}

impl SetAside for DeadLetterFile {
    fn put(&mut self, at: &Location, reason: &str, raw: &[u8]) -> Result<()> {
        let record = serde_json::json!({
            "source": at.source,
            "line": at.line,
            "offset": at.offset,
            "field": at.field,
            "error": reason,
            "record": String::from_utf8_lossy(raw),
        });
        writeln!(self.out, "{record}")
            .and_then(|_| self.out.flush())
            .map_err(|e| {
                Error::io(
                    format!("writing the dead-letter file {}", self.path.display()),
                    e,
                )
            })
    }
    fn place(&self) -> Option<String> {
        Some(self.path.display().to_string())
    }
}

struct Log {
    policy: OnError,
    count: u64,
    first: Option<String>,
    aside: Option<Box<dyn SetAside>>,
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
        let aside = match policy {
            OnError::Fail => return Ok(Rejects(None)),
            OnError::Skip => None,
            OnError::DeadLetter(path) => Some(Box::new(DeadLetterFile::create(path)?) as _),
            OnError::DeadLetterTopic(topic) => {
                return Err(Error::Usage(format!(
                    "--on-error dead-letter=kafka:{topic}: only a command that reads from Kafka can dead-letter to a topic; give a file: dead-letter=PATH"
                )))
            }
        };
        Ok(Rejects::with(policy, aside))
    }

    /// Sets bad records aside under `policy`, handing each to `aside` (None: only
    /// counted). Under `fail` nothing is set aside and `aside` is dropped.
    pub fn with(policy: &OnError, aside: Option<Box<dyn SetAside>>) -> Rejects {
        if *policy == OnError::Fail {
            return Rejects(None);
        }
        Rejects(Some(Arc::new(Mutex::new(Log {
            policy: policy.clone(),
            count: 0,
            first: None,
            aside,
        }))))
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
        match log.aside.as_mut() {
            Some(aside) => aside.put(at, reason, raw),
            None => Ok(()),
        }
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
        if let Some(place) = log.aside.as_ref().and_then(|a| a.place()) {
            text += &format!("; they are in {place}");
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
        assert_eq!(
            "dead-letter=kafka:bad".parse::<OnError>(),
            Ok(OnError::DeadLetterTopic("bad".into()))
        );
        assert!(Rejects::new(&OnError::DeadLetterTopic("bad".into())).is_err());
        assert!("dead-letter=".parse::<OnError>().is_err());
        assert!("dead-letter=kafka:".parse::<OnError>().is_err());
        assert!("ignore".parse::<OnError>().is_err());
    }
}
