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
    /// Comma (or --delimiter) separated values; the delimiter is sniffed when not given.
    Csv,
    /// Tab separated values.
    Tsv,
    /// A JSON array of objects, or objects spread over lines (`jq .` output).
    Json,
}

/// One input: stdin or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    Path(PathBuf),
    /// A file found under a directory argument (or a glob's fixed part), `root`: its
    /// `key=value` directories below `root` are hive partition columns.
    Under {
        path: PathBuf,
        root: PathBuf,
    },
}

impl Source {
    /// `-` means stdin; no arguments at all also means stdin. Directories are read
    /// whole (every file below them, in name order, hidden and `_`-prefixed ones left
    /// out as Spark, Hive and DuckDB do) and a path that does not exist but holds `*`,
    /// `?` or `[` is a glob pattern the tool expands itself (for cron jobs, where no
    /// shell does).
    pub fn from_args(files: &[PathBuf]) -> Result<Vec<Source>> {
        if files.is_empty() {
            return Ok(vec![Source::Stdin]);
        }
        let mut out = Vec::new();
        for p in files {
            if p.as_os_str() == "-" {
                out.push(Source::Stdin);
            } else if p.is_dir() {
                let before = out.len();
                walk(p, p, &mut out)?;
                if out.len() == before {
                    return Err(Error::io(
                        format!("{}: the directory holds no files", p.display()),
                        std::io::Error::from(std::io::ErrorKind::NotFound),
                    ));
                }
            } else if !p.exists() && is_glob(p) {
                let matches = expand_glob(p)?;
                if matches.is_empty() {
                    return Err(Error::io(
                        format!("{}: no file matches the pattern", p.display()),
                        std::io::Error::from(std::io::ErrorKind::NotFound),
                    ));
                }
                out.extend(matches);
            } else {
                out.push(Source::Path(p.clone()));
            }
        }
        Ok(out)
    }

    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::Path(p) | Source::Under { path: p, .. } => p.display().to_string(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Stdin => None,
            Source::Path(p) | Source::Under { path: p, .. } => Some(p),
        }
    }

    /// The hive partition values (`key=value` directories) of a file under a root.
    pub fn partition_values(&self) -> Vec<(String, Option<String>)> {
        match self {
            Source::Under { path, root } => super::partition::partition_values(root, path),
            _ => Vec::new(),
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
            Source::Path(p) | Source::Under { path: p, .. } => {
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

fn is_glob(p: &Path) -> bool {
    p.to_str().is_some_and(|s| s.contains(['*', '?', '[']))
}

/// Files and hidden ones: Spark's `_SUCCESS`, `.crc` files and dot directories.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_str()
        .is_some_and(|n| n.starts_with('.') || n.starts_with('_'))
}

/// Every regular file below `dir`, in name order, as `Source::Under` `root`.
fn walk(dir: &Path, root: &Path, out: &mut Vec<Source>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(format!("cannot list {}", dir.display()), e))?
        .filter_map(|e| e.ok())
        .filter(|e| !is_hidden(&e.file_name()))
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, root, out)?;
        } else if p.is_file() {
            out.push(Source::Under {
                path: p,
                root: root.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// The files a glob pattern matches, in name order. Their root (for partition values)
/// is the pattern's directory part before its first wildcard.
fn expand_glob(pattern: &Path) -> Result<Vec<Source>> {
    let text = pattern.to_string_lossy();
    let paths = glob::glob(&text)
        .map_err(|e| Error::Usage(format!("{text}: not a valid glob pattern ({e})")))?;
    let root: PathBuf = pattern
        .components()
        .take_while(|c| !is_glob(Path::new(c.as_os_str())))
        .collect();
    let mut out = Vec::new();
    for entry in paths {
        let p = entry.map_err(|e| Error::io(format!("expanding {text}"), e.into()))?;
        if p.is_dir() {
            walk(&p, &root, &mut out)?;
        } else if p.is_file() {
            out.push(Source::Under {
                path: p,
                root: root.clone(),
            });
        }
    }
    Ok(out)
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

/// What the first bytes say about an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Format(InputFormat),
    /// Not enough bytes yet: read more (unless the input has ended).
    NeedMore,
}

/// How many bytes sniffing reads at most before it decides.
pub const SNIFF_LIMIT: usize = 1 << 20;

/// Decides the format from the first bytes, `prefix`; `eof` when that is the whole input.
/// `path` serves only as a last resort: a `.csv` name for text whose delimiter is not
/// clear from its first lines.
pub fn sniff(
    prefix: &[u8],
    eof: bool,
    path: Option<&Path>,
) -> std::result::Result<Sniffed, String> {
    use Sniffed::{Format, NeedMore};
    if prefix.starts_with(b"ARROW1") {
        return Ok(Format(InputFormat::ArrowFile));
    }
    if prefix.starts_with(&[0xff, 0xff, 0xff, 0xff]) {
        return Ok(Format(InputFormat::Arrow));
    }
    if prefix.starts_with(b"PAR1") {
        return Ok(Format(InputFormat::Parquet));
    }
    let enough = eof || prefix.len() >= SNIFF_LIMIT;
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Ok(Format(InputFormat::Ndjson)),
        Some(b'{') => match super::json::shape(prefix) {
            Some(super::json::Shape::Lines) => Ok(Format(InputFormat::Ndjson)),
            Some(super::json::Shape::Spread) => Ok(Format(InputFormat::Json)),
            None if enough => Ok(Format(InputFormat::Ndjson)),
            None => Ok(NeedMore),
        },
        Some(b'[') => Ok(Format(InputFormat::Json)),
        Some(_) => {
            let lines = memchr::memchr_iter(b'\n', prefix).count();
            if lines < CSV_SNIFF_LINES && !enough {
                return Ok(NeedMore);
            }
            match sniff_delimiter(prefix, b'"', eof) {
                Some(b'\t') => Ok(Format(InputFormat::Tsv)),
                Some(_) => Ok(Format(InputFormat::Csv)),
                None => {
                    let by_ext = path.and_then(super::compress::Codec::inner_extension);
                    match by_ext.as_deref() {
                        Some("csv") => return Ok(Format(InputFormat::Csv)),
                        Some("tsv" | "tab") => return Ok(Format(InputFormat::Tsv)),
                        _ => {}
                    }
                    let shown =
                        String::from_utf8_lossy(&prefix[..prefix.len().min(16)]).into_owned();
                    Err(format!(
                        "cannot tell the input format from its first bytes {shown:?}: expected JSON \
                         (NDJSON, an array or objects), Arrow IPC, Parquet or CSV/TSV with a clear \
                         delimiter; pass --input csv --delimiter CHAR"
                    ))
                }
            }
        }
    }
}

/// How many lines delimiter sniffing looks at.
const CSV_SNIFF_LINES: usize = 20;

/// The delimiter of CSV-like text: the one of `,` tab `;` `|` that occurs (outside
/// quotes) the same, non-zero number of times on each of the first lines, when exactly
/// one does. `eof`: the text is the whole input, so its last line is complete.
pub fn sniff_delimiter(text: &[u8], quote: u8, eof: bool) -> Option<u8> {
    let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    if !eof || lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop(); // cut short, or the empty rest after the last newline
    }
    let lines: Vec<&[u8]> = lines
        .into_iter()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| !l.is_empty() && !l.starts_with(b"#"))
        .take(CSV_SNIFF_LINES)
        .collect();
    if lines.is_empty() {
        return None;
    }
    let count = |line: &[u8], d: u8| {
        let mut quoted = false;
        line.iter()
            .filter(|&&b| {
                if b == quote {
                    quoted = !quoted;
                }
                b == d && !quoted
            })
            .count()
    };
    let plausible: Vec<u8> = [b',', b'\t', b';', b'|']
        .into_iter()
        .filter(|&d| {
            let first = count(lines[0], d);
            first > 0 && lines.iter().all(|l| count(l, d) == first)
        })
        .collect();
    match plausible[..] {
        [d] => Some(d),
        _ => None,
    }
}

/// Reads from `reader` until `prefix` holds a non-whitespace byte and at least 8 bytes,
/// or the input ends. Returns whether the input ended.
pub fn read_prefix(reader: &mut dyn Read, prefix: &mut Vec<u8>) -> io::Result<bool> {
    loop {
        let has_content = prefix.iter().any(|b| !b.is_ascii_whitespace());
        if has_content && prefix.len() >= 8 {
            return Ok(false);
        }
        if read_more(reader, prefix)? {
            return Ok(true);
        }
    }
}

/// Reads once more from `reader` onto `prefix`; true at the end of the input.
pub fn read_more(reader: &mut dyn Read, prefix: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(true),
            Ok(n) => {
                prefix.extend_from_slice(&chunk[..n]);
                return Ok(false);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(prefix: &[u8], path: Option<&str>) -> std::result::Result<Sniffed, String> {
        sniff(prefix, true, path.map(Path::new))
    }

    #[test]
    fn sniffs_formats() {
        use InputFormat::*;
        let f = |x| Ok(Sniffed::Format(x));
        assert_eq!(format(b"ARROW1\0\0", None), f(ArrowFile));
        assert_eq!(
            format(&[0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0], None),
            f(Arrow)
        );
        assert_eq!(format(b"PAR1....", None), f(Parquet));
        assert_eq!(format(b"  \n {\"a\":1}", None), f(Ndjson));
        assert_eq!(format(b"", None), f(Ndjson));
        assert_eq!(format(b"{\n \"a\": 1\n}\n", None), f(Json));
        assert_eq!(format(b" [{\"a\":1}]", None), f(Json));
        assert_eq!(format(b"a,b\n1,2\n", None), f(Csv));
        assert_eq!(format(b"a\tb c\n1\t2,3\n", None), f(Tsv));
        assert_eq!(format(b"a;b\n\"x;y\";2\n", None), f(Csv));
        // One column: no delimiter to see; the name decides, or an error says what to do.
        assert_eq!(format(b"a\n1\n", Some("x.CSV")), f(Csv));
        assert_eq!(format(b"a\n1\n", Some("x.tsv.gz")), f(Tsv));
        let err = format(b"a\n1\n", None).unwrap_err();
        assert!(err.contains("--input csv"), "{err}");
        // A live input that has not shown enough yet.
        assert_eq!(sniff(b"{\"a\":", false, None), Ok(Sniffed::NeedMore));
        assert_eq!(sniff(b"a,b\n", false, None), Ok(Sniffed::NeedMore));
    }

    #[test]
    fn directories_and_globs_expand_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in [
            "date=1/b.ndjson",
            "date=1/a.ndjson",
            "date=2/c.ndjson",
            "date=2/_SUCCESS",
            ".hidden/x",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "{}").unwrap();
        }
        let names = |s: Vec<Source>| {
            s.iter()
                .map(|s| {
                    s.path()
                        .unwrap()
                        .strip_prefix(d)
                        .unwrap()
                        .display()
                        .to_string()
                })
                .collect::<Vec<_>>()
        };
        let all = Source::from_args(&[d.to_path_buf()]).unwrap();
        assert_eq!(
            names(all.clone()),
            ["date=1/a.ndjson", "date=1/b.ndjson", "date=2/c.ndjson"]
        );
        assert_eq!(
            all[2].partition_values(),
            vec![("date".to_string(), Some("2".to_string()))]
        );
        let globbed = Source::from_args(&[d.join("date=*/[ab].ndjson")]).unwrap();
        assert_eq!(
            names(globbed.clone()),
            ["date=1/a.ndjson", "date=1/b.ndjson"]
        );
        assert_eq!(
            globbed[0].partition_values(),
            vec![("date".to_string(), Some("1".to_string()))]
        );
        let err = Source::from_args(&[d.join("nope-*.json")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no file matches"), "{err}");
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", b'"', false), Some(b','));
        assert_eq!(sniff_delimiter(b"a|b\n1|2\n3|", b'"', false), Some(b'|'));
        // Both commas and semicolons agree on every line: ambiguous.
        assert_eq!(sniff_delimiter(b"a,b;c\n1,2;3\n", b'"', true), None);
        assert_eq!(sniff_delimiter(b"a,b\n1,2,3\n", b'"', true), None);
    }
}
