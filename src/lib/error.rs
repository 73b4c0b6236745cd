//! The library's error type. Every variant renders as one line that says what went
//! wrong, where (file, line, byte offset, field or device) and, where we know it, what to do.

use std::fmt;
use std::io;

/// Where in the input a problem was found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// File name, or `<stdin>`.
    pub source: String,
    /// 1-based line number, when the input is line oriented.
    pub line: Option<u64>,
    /// Byte offset of the start of that line (or of the problem) in the source.
    pub offset: Option<u64>,
    /// Dotted path of the field involved, if any.
    pub field: Option<String>,
}

impl Location {
    /// A whole source (file, topic, device) with no finer position.
    pub fn of(source: impl Into<String>) -> Location {
        Location {
            source: source.into(),
            ..Default::default()
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(offset) = self.offset {
            write!(f, " (byte {offset})")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field '{field}'")?;
        }
        Ok(())
    }
}

/// The variants that wrap another error (`Io`, `Arrow`, `Parquet`, `Sql`) show its text
/// in their own message and keep it in a field named `cause`, deliberately not exposed as
/// `source()`: every binary prints errors with their chain (`{:#}`), and a cause that is
/// both in the message and the chain would be printed twice ("reading x: No such file
/// or directory (os error 2): No such file or directory (os error 2)"). Keeping it in
/// the message is what makes a plain `{e}` (inside other messages, in logs) complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something impossible: exit status 2.
    #[error("{0}")]
    Usage(String),
    /// Input that does not parse or does not fit the schema.
    #[error("{at}: {msg}{}", hint_suffix(.hint))]
    Data {
        at: Box<Location>,
        msg: String,
        hint: Option<String>,
    },
    #[error("{what}: {cause}")]
    Io { what: String, cause: io::Error },
    #[error("{what}: {cause}")]
    Arrow {
        what: String,
        cause: arrow::error::ArrowError,
    },
    #[error("{what}: {cause}")]
    Parquet {
        what: String,
        cause: parquet::errors::ParquetError,
    },
    /// A SQL query or expression that DataFusion could not plan or run.
    #[cfg(feature = "sql")]
    #[error("{what}: {cause}")]
    Sql {
        what: String,
        cause: Box<datafusion::error::DataFusionError>,
    },
    /// A device or kernel interface refused or failed.
    #[error("{device}: {msg}{}", hint_suffix(.hint))]
    Device {
        device: String,
        msg: String,
        hint: Option<String>,
    },
    /// Something pipekit itself got wrong (a thread panicked, an invariant broke): exit
    /// status 1, and the message asks for a report.
    #[error("internal error, please report it: {0}")]
    Internal(String),
}

fn hint_suffix(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!("; {h}")).unwrap_or_default()
}

impl Error {
    pub fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            cause: source,
        }
    }
    pub fn arrow(what: impl Into<String>, source: arrow::error::ArrowError) -> Self {
        Error::Arrow {
            what: what.into(),
            cause: source,
        }
    }
    pub fn parquet(what: impl Into<String>, cause: parquet::errors::ParquetError) -> Self {
        Error::Parquet {
            what: what.into(),
            cause,
        }
    }
    pub fn data(at: Location, msg: impl Into<String>) -> Self {
        Error::Data {
            at: Box::new(at),
            msg: msg.into(),
            hint: None,
        }
    }
    #[cfg(feature = "sql")]
    pub fn sql(what: impl Into<String>, source: datafusion::error::DataFusionError) -> Self {
        Error::Sql {
            what: what.into(),
            cause: Box::new(source),
        }
    }
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        match &mut self {
            Error::Data { hint, .. } | Error::Device { hint, .. } => *hint = Some(text.into()),
            _ => {}
        }
        self
    }
    pub fn device(device: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Device {
            device: device.into(),
            msg: msg.into(),
            hint: None,
        }
    }

    /// True when the error is only a closed output pipe (`| head`): the program should
    /// then stop quietly with success.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io { cause, .. } => caused_by_broken_pipe(cause),
            Error::Arrow { cause, .. } => caused_by_broken_pipe(cause),
            Error::Parquet { cause, .. } => caused_by_broken_pipe(cause),
            _ => false,
        }
    }
}

/// Whether an I/O error of kind `BrokenPipe` is anywhere in `e`'s chain of causes
/// (arrow and parquet wrap the writer's `io::Error`, sometimes in each other). By kind,
/// never by message: the text is the C library's and a data error could contain it.
fn caused_by_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    io_kind_in(e) == Some(io::ErrorKind::BrokenPipe)
}

/// The kind of the first I/O error in `e`'s chain of causes (arrow, parquet and
/// DataFusion wrap the `io::Error` of a full disk or a closed pipe), if there is one.
pub fn io_kind_in(e: &(dyn std::error::Error + 'static)) -> Option<io::ErrorKind> {
    let mut found = None;
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            // An OS error, or a kind that says something, is the answer; a wrapper of
            // kind Other may hold the real one inside.
            if io.raw_os_error().is_some() || io.kind() != io::ErrorKind::Other {
                return Some(io.kind());
            }
            found.get_or_insert(io.kind());
            if let Some(inner) = io.get_ref() {
                next = Some(inner as &(dyn std::error::Error + 'static));
                continue;
            }
        }
        next = e.source();
    }
    found
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_known_by_its_kind_through_wrappers() {
        let pipe = || io::Error::from(io::ErrorKind::BrokenPipe);
        let parquet = parquet::errors::ParquetError::External(Box::new(pipe()));
        assert!(Error::parquet("writing Parquet", parquet).is_broken_pipe());
        let arrow = arrow::error::ArrowError::ExternalError(Box::new(
            parquet::errors::ParquetError::External(Box::new(pipe())),
        ));
        assert!(Error::arrow("writing", arrow).is_broken_pipe());
        let io_arrow = arrow::error::ArrowError::IoError("write".into(), pipe());
        assert!(Error::arrow("writing", io_arrow).is_broken_pipe());
        assert!(Error::io("writing", pipe()).is_broken_pipe());
        // The words alone are data, not a closed pipe.
        let text = parquet::errors::ParquetError::General("Broken pipe".into());
        assert!(!Error::parquet("reading", text).is_broken_pipe());
        let text = arrow::error::ArrowError::JsonError("Broken pipe (os error 32)".into());
        assert!(!Error::arrow("reading", text).is_broken_pipe());
        assert!(!Error::io("writing", io::Error::other("Broken pipe")).is_broken_pipe());
    }

    /// How every binary prints an error: anyhow's chain, one line (see `cli::report`).
    fn printed(e: Error) -> String {
        format!("{:#}", anyhow::Error::new(e))
    }

    #[test]
    fn a_wrapped_cause_is_printed_once() {
        let os = io::Error::from_raw_os_error(libc::ENOENT).to_string();
        let text = printed(Error::io(
            "reading nope.bin",
            io::Error::from_raw_os_error(2),
        ));
        assert_eq!(text, format!("reading nope.bin: {os}"));
        assert_eq!(text.matches(&os).count(), 1, "{text}");

        let arrow = arrow::error::ArrowError::ParseError("bad number".into());
        let text = printed(Error::arrow("decoding x.ndjson", arrow));
        assert_eq!(text.matches("bad number").count(), 1, "{text}");

        // The cause stays reachable for code that looks at it.
        assert!(Error::io("writing stdout", io::ErrorKind::BrokenPipe.into()).is_broken_pipe());
    }
}
