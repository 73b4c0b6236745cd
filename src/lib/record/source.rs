//! Input sources (`-` for stdin, or paths) and format sniffing from the first bytes.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// What an input holds, decided by its first bytes (or by `--input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Ndjson,
    /// Arrow IPC stream (starts with the 0xFFFFFFFF continuation marker).
    Arrow,
    /// Arrow IPC file (starts with `ARROW1`).
    ArrowFile,
    Parquet,
    Csv,
}

/// One input: stdin or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    Path(PathBuf),
}

impl Source {
    /// `-` means stdin; no arguments at all also means stdin.
    pub fn from_args(files: &[PathBuf]) -> Vec<Source> {
        if files.is_empty() {
            return vec![Source::Stdin];
        }
        files
            .iter()
            .map(|p| {
                if p.as_os_str() == "-" {
                    Source::Stdin
                } else {
                    Source::Path(p.clone())
                }
            })
            .collect()
    }

    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::Path(p) => p.display().to_string(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Stdin => None,
            Source::Path(p) => Some(p),
        }
    }

    /// Size in bytes when it is a regular file, for progress bars.
    pub fn file_size(&self) -> Option<u64> {
        self.path()
            .and_then(|p| std::fs::metadata(p).ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
    }

    pub fn open(&self, counter: Arc<AtomicU64>) -> Result<Opened> {
        let (reader, fd, regular): (Box<dyn Read + Send>, RawFd, bool) = match self {
            Source::Stdin => {
                let stdin = io::stdin();
                let regular = fd_is_regular(stdin.as_raw_fd());
                (Box::new(StdinRaw), stdin.as_raw_fd(), regular)
            }
            Source::Path(p) => {
                let f = File::open(p)
                    .map_err(|e| Error::io(format!("cannot open {}", p.display()), e))?;
                let fd = f.as_raw_fd();
                let regular = fd_is_regular(fd);
                (Box::new(f), fd, regular)
            }
        };
        Ok(Opened {
            reader: Box::new(Counting {
                inner: reader,
                counter,
            }),
            live_fd: (!regular).then_some(fd),
        })
    }
}

/// An opened source. `live_fd` is set for pipes, terminals and FIFOs: inputs that may be
/// an endless live stream, where records must be passed on as soon as they arrive.
pub struct Opened {
    pub reader: Box<dyn Read + Send>,
    pub live_fd: Option<RawFd>,
}

/// Stdin without std's own buffering, so that poll() on the descriptor tells the truth
/// about whether more data is waiting.
struct StdinRaw;

impl Read for StdinRaw {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: buf is valid for writes of buf.len() bytes.
            let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

struct Counting {
    inner: Box<dyn Read + Send>,
    counter: Arc<AtomicU64>,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counter.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn fd_is_regular(fd: RawFd) -> bool {
    // SAFETY: fstat writes into a zeroed stat struct we own.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        libc::fstat(fd, &mut st) == 0 && (st.st_mode & libc::S_IFMT) == libc::S_IFREG
    }
}

/// Waits up to `timeout_ms` for `fd` to become readable (or hit EOF/hangup).
pub fn wait_readable(fd: RawFd, timeout_ms: i32) -> bool {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
    n > 0
}

/// Decides the format from the first bytes. `prefix` holds at least the first
/// non-whitespace byte, or the whole input if it is shorter.
pub fn sniff(prefix: &[u8], path: Option<&Path>) -> std::result::Result<InputFormat, String> {
    if prefix.starts_with(b"ARROW1") {
        return Ok(InputFormat::ArrowFile);
    }
    if prefix.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
        return Ok(InputFormat::Arrow);
    }
    if prefix.starts_with(b"PAR1") {
        return Ok(InputFormat::Parquet);
    }
    let by_ext = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    if by_ext.as_deref() == Some("csv") {
        return Ok(InputFormat::Csv);
    }
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        None | Some(b'{') => Ok(InputFormat::Ndjson),
        Some(_) => {
            let shown = String::from_utf8_lossy(&prefix[..prefix.len().min(16)]).into_owned();
            Err(format!(
                "cannot tell the input format from its first bytes {shown:?}: expected NDJSON \
                 objects, Arrow IPC or Parquet; pass --input csv for CSV"
            ))
        }
    }
}

/// Reads from `reader` until `prefix` holds a non-whitespace byte and at least 8 bytes,
/// or the input ends.
pub fn read_prefix(reader: &mut dyn Read, prefix: &mut Vec<u8>) -> io::Result<()> {
    let mut chunk = [0u8; 8192];
    loop {
        let has_content = prefix.iter().any(|b| !b.is_ascii_whitespace());
        if has_content && prefix.len() >= 8 {
            return Ok(());
        }
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(());
        }
        prefix.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff(b"ARROW1\0\0", None), Ok(InputFormat::ArrowFile));
        assert_eq!(
            sniff(&[0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0], None),
            Ok(InputFormat::Arrow)
        );
        assert_eq!(sniff(b"PAR1....", None), Ok(InputFormat::Parquet));
        assert_eq!(sniff(b"  \n {\"a\":1}", None), Ok(InputFormat::Ndjson));
        assert_eq!(sniff(b"", None), Ok(InputFormat::Ndjson));
        assert_eq!(
            sniff(b"a,b\n1,2", Some(Path::new("x.CSV"))),
            Ok(InputFormat::Csv)
        );
        let err = sniff(b"a,b\n1,2\n", None).unwrap_err();
        assert!(err.contains("--input csv"), "{err}");
    }
}
