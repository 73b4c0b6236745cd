//! The bytes read from a line-oriented input and not yet consumed, shared by the NDJSON
//! decoder (`ndjson`) and the object-line reader (`lines`).

use std::io::Read;

use super::compress::is_corrupt;
use crate::error::{Error, Result};

const READ_CHUNK: usize = 1 << 20;

/// Unconsumed input bytes: `buf[start..end]`; `eof` once the input has ended.
pub struct Window {
    pub buf: Vec<u8>,
    pub start: usize,
    pub end: usize,
    pub eof: bool,
}

impl Window {
    /// Starts with `prefix`, bytes already read (to sniff the format).
    pub fn new(prefix: Vec<u8>) -> Self {
        let end = prefix.len();
        let mut buf = prefix;
        buf.resize(end.max(READ_CHUNK), 0);
        Window {
            buf,
            start: 0,
            end,
            eof: false,
        }
    }

    /// The bytes not consumed yet.
    pub fn unread(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// How many unread bytes are whole lines: up to the last newline, or all of them at
    /// the end of the input (a last line without a newline).
    pub fn complete(&self) -> usize {
        let data = self.unread();
        if self.eof {
            data.len()
        } else {
            data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)
        }
    }

    /// Moves the unread bytes to the front, grows the buffer if it is full and reads
    /// more from `reader` (named `name` in errors) after them.
    pub fn fill(&mut self, reader: &mut dyn Read, name: &str) -> Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).max(READ_CHUNK);
            self.buf.resize(grown, 0);
        }
        let n = loop {
            match reader.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                // A damaged compressed stream: what follows the last whole line is cut,
                // so it ends there; the record reader raises the error after the
                // records before it (see `compress`).
                Err(e) if is_corrupt(&e) => {
                    let whole = self.unread().iter().rposition(|&b| b == b'\n');
                    self.end = self.start + whole.map_or(0, |i| i + 1);
                    self.eof = true;
                    return Ok(());
                }
                Err(e) => return Err(Error::io(format!("reading {name}"), e)),
            }
        };
        self.eof = self.eof || n == 0;
        self.end += n;
        Ok(())
    }
}
