//! Compressed byte streams, the layer between a source and format sniffing: gzip
//! (multi-member, so bgzip too), zstd (multi-frame, skippable frames), bzip2, xz and lz4
//! frames, told apart by their magic bytes, never by a file name.
//!
//! Decompression runs on a thread of its own and hands its output over an OS pipe. The
//! pipe keeps what the decoders downstream rely on: a live input (a compressed stream on
//! stdin) stays live, since `poll()` on the pipe says whether more is waiting, and a
//! consumer that stops early (`etl head`) closes the pipe and so ends the thread.
//!
//! A corrupt or cut-short stream ends with an error naming the source and the compressed
//! byte offset where decoding stopped. The reader hands out every byte decoded before it;
//! the line decoders then drop the cut partial line (see `window::Window::fill`) and the
//! error is raised once the whole records before it are passed on.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Location, Result};

/// A compression wrapped around a record stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Lz4,
}

impl Codec {
    /// Bytes of input `detect` needs to be sure.
    pub const MAGIC_LEN: usize = 6;

    /// The codec whose magic bytes start `prefix`, if any.
    pub fn detect(prefix: &[u8]) -> Option<Codec> {
        match prefix {
            [0x1f, 0x8b, ..] => Some(Codec::Gzip),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Codec::Zstd),
            // A zstd skippable frame (pzstd and seekable zstd start with one).
            [b, 0x2a, 0x4d, 0x18, ..] if b & 0xf0 == 0x50 => Some(Codec::Zstd),
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Codec::Bzip2),
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Codec::Xz),
            [0x04, 0x22, 0x4d, 0x18, ..] => Some(Codec::Lz4),
            _ => None,
        }
    }

    /// The codec a file name ends in (`.gz`, `.zst`, ...): only for choosing the output.
    pub fn from_extension(path: &Path) -> Option<Codec> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "gz" | "gzip" | "bgz" => Codec::Gzip,
            "zst" | "zstd" => Codec::Zstd,
            "bz2" => Codec::Bzip2,
            "xz" => Codec::Xz,
            "lz4" => Codec::Lz4,
            _ => return None,
        })
    }

    /// The lower-case extension of a file name past a compression extension: `csv` for
    /// `x.CSV.gz`. What a name says of the format inside, for outputs and as a
    /// last resort on input.
    pub fn inner_extension(path: &Path) -> Option<String> {
        let inner = match Codec::from_extension(path) {
            Some(_) => Path::new(path.file_stem()?),
            None => path,
        };
        Some(inner.extension()?.to_str()?.to_ascii_lowercase())
    }

    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
            Codec::Bzip2 => "bzip2",
            Codec::Xz => "xz",
            Codec::Lz4 => "lz4",
        }
    }

    fn decoder<'a>(self, input: impl BufRead + Send + 'a) -> io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
            Codec::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(input)?),
            Codec::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
            Codec::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(input)),
            Codec::Lz4 => Box::new(lz4_flex::frame::FrameDecoder::new(input)),
        })
    }
}

/// `--compress gzip|zstd|bzip2|xz|lz4[:LEVEL]`: how to compress an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    pub codec: Codec,
    pub level: Option<u32>,
}

impl std::str::FromStr for Compression {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (name, level) = split_level(s)?;
        let codec = match name.to_ascii_lowercase().as_str() {
            "gzip" | "gz" => Codec::Gzip,
            "zstd" | "zst" => Codec::Zstd,
            "bzip2" | "bz2" => Codec::Bzip2,
            "xz" => Codec::Xz,
            "lz4" => Codec::Lz4,
            other => {
                return Err(format!(
                    "unknown compression '{other}' (gzip, zstd, bzip2, xz or lz4, with an optional :LEVEL)"
                ))
            }
        };
        let range = match codec {
            Codec::Gzip | Codec::Bzip2 => 1..=9,
            Codec::Zstd => 1..=22,
            Codec::Xz => 0..=9,
            Codec::Lz4 => 0..=0,
        };
        match level {
            Some(l) if codec == Codec::Lz4 => {
                Err(format!("lz4 frames take no level (got {l}); write 'lz4'"))
            }
            Some(l) if !range.contains(&l) => Err(format!(
                "{} levels go from {} to {} (got {l})",
                codec.name(),
                range.start(),
                range.end()
            )),
            _ => Ok(Compression { codec, level }),
        }
    }
}

/// `NAME[:LEVEL]`, the form of `--compress` and Parquet's `--compression`.
pub fn split_level(s: &str) -> std::result::Result<(&str, Option<u32>), String> {
    match s.split_once(':') {
        Some((name, l)) => {
            let level = l
                .parse()
                .map_err(|_| format!("'{l}' is not a compression level (a number)"))?;
            Ok((name, Some(level)))
        }
        None => Ok((s, None)),
    }
}

/// The error a decompressing reader returns where its stream turned out corrupt or cut
/// short. Readers that know records (the line decoders) recognise it: the partial record
/// before it is dropped, and `Failure` raises it after the whole ones.
#[derive(Debug)]
pub struct Corrupt(pub String);

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Corrupt {}

/// True when `e` is a decompressing reader's `Corrupt`.
pub fn is_corrupt(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Corrupt>())
}

/// Where the decompression thread leaves its error for the record reader, which raises it
/// once the input's whole records have been handed on.
#[derive(Debug, Clone, Default)]
pub struct Failure(Arc<Mutex<Option<Damage>>>);

/// What went wrong in a compressed stream, and where.
#[derive(Debug, Clone)]
struct Damage {
    source: String,
    /// Compressed bytes the decoder had consumed when it stopped.
    offset: u64,
    msg: String,
    hint: String,
}

impl Damage {
    fn error(&self) -> Error {
        let at = Location {
            source: self.source.clone(),
            offset: Some(self.offset),
            ..Location::default()
        };
        Error::data(at, self.msg.clone()).with_hint(self.hint.clone())
    }
}

impl Failure {
    fn set(&self, damage: Damage) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(damage);
    }
    fn get(&self) -> Option<Damage> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    /// The error, as the record layer reports it (once: it is taken).
    pub fn take(&self) -> Option<Error> {
        let damage = self.0.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        Some(damage.error())
    }
}

/// A decompressed stream: the read end of the pipe the decompression thread writes.
pub struct Decompressed {
    pipe: File,
    failure: Failure,
}

impl Read for Decompressed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.pipe.read(buf)?;
        if n == 0 && !buf.is_empty() {
            if let Some(damage) = self.failure.get() {
                let msg = damage.error().to_string();
                return Err(io::Error::new(io::ErrorKind::InvalidData, Corrupt(msg)));
            }
        }
        Ok(n)
    }
}

impl Decompressed {
    pub fn fd(&self) -> RawFd {
        self.pipe.as_raw_fd()
    }
    pub fn failure(&self) -> Failure {
        self.failure.clone()
    }
}

/// Counts the compressed bytes a decoder has consumed, for error offsets; shared with
/// the thread's error report.
struct Consumed<R> {
    inner: R,
    at: Arc<AtomicU64>,
}

impl<R: BufRead> Read for Consumed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.at.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Consumed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.at.fetch_add(amt as u64, Ordering::Relaxed);
        self.inner.consume(amt);
    }
}

const PIPE_SIZE: libc::c_int = 1 << 20;

/// Starts decompressing `input` (`codec` detected from its first bytes) on a thread and
/// returns the decompressed stream. `name` names the source in errors.
pub fn decompress(input: Box<dyn Read + Send>, codec: Codec, name: &str) -> Result<Decompressed> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: fds has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(Error::io(
            format!("creating a pipe to decompress {name}"),
            io::Error::last_os_error(),
        ));
    }
    // SAFETY: pipe2 returned two fresh descriptors that nothing else owns.
    let (read_end, mut write_end) =
        unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) };
    // A larger pipe means fewer wake-ups; the kernel may refuse (pipe-max-size), which
    // only costs speed.
    // SAFETY: fcntl on a descriptor we own.
    unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, PIPE_SIZE) };
    let failure = Failure::default();
    let report = failure.clone();
    let source = name.to_string();
    std::thread::Builder::new()
        .name(format!("{}-decompress", codec.name()))
        .spawn(move || {
            let at = Arc::new(AtomicU64::new(0));
            let counted = Consumed {
                inner: BufReader::with_capacity(1 << 17, input),
                at: at.clone(),
            };
            let result = match codec.decoder(counted) {
                Ok(mut decoder) => pump(&mut decoder, &mut write_end),
                Err(e) => Err(Pump::Read(e)),
            };
            let offset = at.load(Ordering::Relaxed);
            match result {
                Ok(()) => {}
                // The reader stopped early (it had what it wanted): not an error.
                Err(Pump::Write(e)) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(Pump::Write(e)) => report.set(Damage {
                    source,
                    offset,
                    msg: format!("passing on the decompressed data failed: {e}"),
                    hint: "this is a bug; please report it".into(),
                }),
                Err(Pump::Read(e)) => report.set(describe(codec, source, offset, &e)),
            }
        })
        .map_err(|e| Error::io(format!("starting the thread that decompresses {name}"), e))?;
    Ok(Decompressed {
        pipe: read_end,
        failure,
    })
}

fn describe(codec: Codec, source: String, offset: u64, e: &io::Error) -> Damage {
    let text = e.to_string();
    let cut = e.kind() == io::ErrorKind::UnexpectedEof
        || text.contains("incomplete")
        || text.contains("unexpected end");
    let msg = if cut {
        format!("the {} stream is cut short", codec.name())
    } else {
        format!("the {} stream is corrupt ({text})", codec.name())
    };
    // Each codec's name is also its command-line tool's.
    let tool = codec.name();
    Damage {
        source,
        offset,
        msg,
        hint: format!(
            "every whole record before it was passed on; check the file with `{tool} -t` or fetch it again"
        ),
    }
}

enum Pump {
    Read(io::Error),
    Write(io::Error),
}

fn pump(from: &mut dyn Read, to: &mut File) -> std::result::Result<(), Pump> {
    let mut buf = vec![0u8; 1 << 18];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Pump::Read(e));
            }
        };
        to.write_all(&buf[..n]).map_err(Pump::Write)?;
    }
}

/// A compressing writer for an output, finished explicitly so its last error is reported.
pub enum Encoder<W: Write> {
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::stream::write::Encoder<'static, W>),
    Bzip2(bzip2::write::BzEncoder<W>),
    Xz(liblzma::write::XzEncoder<W>),
    Lz4(lz4_flex::frame::FrameEncoder<W>),
}

impl<W: Write> Encoder<W> {
    pub fn new(out: W, c: Compression) -> io::Result<Self> {
        Ok(match c.codec {
            Codec::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                out,
                flate2::Compression::new(c.level.unwrap_or(6)),
            )),
            Codec::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(
                out,
                c.level.unwrap_or(3) as i32,
            )?),
            Codec::Bzip2 => Encoder::Bzip2(bzip2::write::BzEncoder::new(
                out,
                bzip2::Compression::new(c.level.unwrap_or(6)),
            )),
            Codec::Xz => Encoder::Xz(liblzma::write::XzEncoder::new(out, c.level.unwrap_or(6))),
            Codec::Lz4 => Encoder::Lz4(lz4_flex::frame::FrameEncoder::new(out)),
        })
    }

    /// Writes the stream's trailer and returns the destination.
    pub fn finish(self) -> io::Result<W> {
        match self {
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
            Encoder::Bzip2(e) => e.finish(),
            Encoder::Xz(e) => e.finish(),
            Encoder::Lz4(e) => e.finish().map_err(io::Error::other),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
            Encoder::Bzip2(e) => e.write(buf),
            Encoder::Xz(e) => e.write(buf),
            Encoder::Lz4(e) => e.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Gzip(e) => e.flush(),
            Encoder::Zstd(e) => e.flush(),
            Encoder::Bzip2(e) => e.flush(),
            Encoder::Xz(e) => e.flush(),
            Encoder::Lz4(e) => e.flush(),
        }
    }
}
