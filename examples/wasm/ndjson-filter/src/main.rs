//! An NDJSON filter for `wasm-build run`: every input line that is a JSON object comes
//! out with two fields put in front, its line number and its length in bytes:
//! `{"a":1}` becomes `{"line":1,"bytes":7,"a":1}`. Lines that are not objects are
//! skipped and named on stderr, so nothing is lost silently.
//!
//! It is `no_std` on purpose: Rust's std runtime imports `environ_get` (its panic hook
//! reads RUST_BACKTRACE) and `proc_exit`, so a std filter would need more than stdio. This
//! one imports only `fd_read` and `fd_write`, which `wasm-build audit` shows as `stdio`.
#![no_std]
#![no_main]

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn fd_read(fd: u32, iovs: *const IoVec, iovs_len: usize, nread: *mut usize) -> u16;
    fn fd_write(fd: u32, iovs: *const IoVec, iovs_len: usize, nwritten: *mut usize) -> u16;
}

#[repr(C)]
struct IoVec {
    buf: *const u8,
    len: usize,
}

const STDIN: u32 = 0;
const STDOUT: u32 = 1;
const STDERR: u32 = 2;
/// The longest line kept whole; longer lines are skipped and reported.
const LINE_MAX: usize = 1 << 20;

static mut LINE: [u8; LINE_MAX] = [0; LINE_MAX];
static mut INPUT: [u8; 64 * 1024] = [0; 64 * 1024];
static mut OUTPUT: Out = Out {
    buf: [0; 64 * 1024],
    len: 0,
};

struct Out {
    buf: [u8; 64 * 1024],
    len: usize,
}

impl Out {
    fn put(&mut self, bytes: &[u8]) -> bool {
        for chunk in bytes.chunks(self.buf.len()) {
            if self.len + chunk.len() > self.buf.len() && !self.flush() {
                return false;
            }
            self.buf[self.len..self.len + chunk.len()].copy_from_slice(chunk);
            self.len += chunk.len();
        }
        true
    }

    fn flush(&mut self) -> bool {
        let ok = write_all(STDOUT, &self.buf[..self.len]);
        self.len = 0;
        ok
    }
}

fn write_all(fd: u32, mut bytes: &[u8]) -> bool {
    while !bytes.is_empty() {
        let iov = IoVec {
            buf: bytes.as_ptr(),
            len: bytes.len(),
        };
        let mut n = 0;
        // SAFETY: the iovec points into a live slice; n is ours.
        if unsafe { fd_write(fd, &iov, 1, &mut n) } != 0 || n == 0 {
            return false;
        }
        bytes = &bytes[n..];
    }
    true
}

fn read(buf: &mut [u8]) -> Option<usize> {
    let iov = IoVec {
        buf: buf.as_mut_ptr(),
        len: buf.len(),
    };
    let mut n = 0;
    // SAFETY: as in write_all.
    match unsafe { fd_read(STDIN, &iov, 1, &mut n) } {
        0 => Some(n),
        _ => None,
    }
}

/// Decimal digits of `n` into `buf`, returning the used tail.
fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

fn note(what: &[u8], line_no: u64) {
    let mut d = [0; 20];
    write_all(STDERR, b"ndjson-filter: line ");
    write_all(STDERR, decimal(line_no, &mut d));
    write_all(STDERR, what);
}

/// Writes one transformed line; false when stdout is gone.
fn emit(out: &mut Out, line: &[u8], line_no: u64) -> bool {
    let trimmed = trim(line);
    if trimmed.is_empty() {
        return true;
    }
    if trimmed[0] != b'{' || trimmed[trimmed.len() - 1] != b'}' {
        note(b": not a JSON object, skipped\n", line_no);
        return true;
    }
    let rest = trim(&trimmed[1..]);
    let mut d = [0; 20];
    out.put(b"{\"line\":")
        && out.put(decimal(line_no, &mut d))
        && out.put(b",\"bytes\":")
        && out.put(decimal(trimmed.len() as u64, &mut d))
        && (rest == b"}" || out.put(b","))
        && out.put(rest)
        && out.put(b"\n")
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [first, tail @ ..] = s {
        if !first.is_ascii_whitespace() {
            break;
        }
        s = tail;
    }
    while let [head @ .., last] = s {
        if !last.is_ascii_whitespace() {
            break;
        }
        s = head;
    }
    s
}

#[no_mangle]
pub extern "C" fn _start() {
    // SAFETY: one thread; these statics are only touched here.
    let (line, input, out) = unsafe {
        (
            &mut *core::ptr::addr_of_mut!(LINE),
            &mut *core::ptr::addr_of_mut!(INPUT),
            &mut *core::ptr::addr_of_mut!(OUTPUT),
        )
    };
    let mut len = 0;
    let mut too_long = false;
    let mut line_no = 0u64;
    loop {
        let n = match read(input) {
            Some(0) | None => break,
            Some(n) => n,
        };
        for &b in &input[..n] {
            if b == b'\n' {
                line_no += 1;
                if too_long {
                    note(b": longer than 1 MiB, skipped\n", line_no);
                } else if !emit(out, &line[..len], line_no) {
                    return;
                }
                len = 0;
                too_long = false;
            } else if len < LINE_MAX {
                line[len] = b;
                len += 1;
            } else {
                too_long = true;
            }
        }
    }
    if len > 0 || too_long {
        line_no += 1;
        if too_long {
            note(b": longer than 1 MiB, skipped\n", line_no);
        } else {
            emit(out, &line[..len], line_no);
        }
    }
    out.flush();
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
