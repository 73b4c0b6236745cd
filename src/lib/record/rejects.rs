//! Bad input records under `--on-error skip|dead-letter=PATH`: instead of stopping at
//! the first record that does not parse or fit the schema, the reader hands it here and
//! goes on. Rejects are counted for the exit status (3), summarized on stderr at the
//! end, and with `dead-letter` written as NDJSON records (where, why, and the original
//! text) so they can be fixed and fed again.
//!
//! The policy is per process, like the exit status it decides: every reader a command
//! opens (`etl sql -t ...` opens several) shares one count and one dead-letter file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

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

static LOG: OnceLock<Mutex<Log>> = OnceLock::new();

/// Sets this process's policy. The first call decides; later calls must agree.
pub fn configure(policy: &OnError) -> Result<()> {
    if let Some(log) = LOG.get() {
        let current = &log.lock().expect("not poisoned").policy;
        return if current == policy {
            Ok(())
        } else {
            Err(Error::Usage("one --on-error per command".into()))
        };
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
    let _ = LOG.set(Mutex::new(Log {
        policy: policy.clone(),
        count: 0,
        first: None,
        dead_letter,
    }));
    Ok(())
}

/// True when bad records are set aside rather than fatal.
pub fn skipping() -> bool {
    LOG.get()
        .is_some_and(|l| l.lock().expect("not poisoned").policy != OnError::Fail)
}

/// Sets one bad record aside.
pub fn reject(at: &Location, reason: &str, raw: &[u8]) -> Result<()> {
    let Some(log) = LOG.get() else {
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
pub fn count() -> u64 {
    LOG.get()
        .map_or(0, |l| l.lock().expect("not poisoned").count)
}

/// One line for stderr when anything was set aside.
pub fn summary() -> Option<String> {
    let log = LOG.get()?.lock().expect("not poisoned");
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

#[cfg(test)]
mod tests {
    use super::OnError;

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
