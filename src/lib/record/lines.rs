//! NDJSON records as their own text, for commands that pass records on unchanged
//! (`etl kafka produce`): each line is checked to be one JSON object and handed out as
//! it is, instead of being decoded into columns and encoded again. That keeps the
//! sender's exact text (number digits, field order, nesting) and costs a validation
//! pass instead of a decode and an encode.
//!
//! Like `NdjsonSource`, a chunk is cut as soon as no more input is waiting on a live
//! input (a pipe), so records stream; blank lines are skipped; a line that is not a
//! JSON object goes to `rejects` (an error naming its line and byte offset, or skipped
//! under `--on-error`).

use std::io::Read;
use std::os::fd::RawFd;

use serde::de::IgnoredAny;

use super::ndjson::{lines_of, parse_line};
use super::rejects::Rejects;
use super::source::wait_readable;
use super::window::Window;
use crate::error::{Error, Location, Result};

/// Object lines, without their newlines and surrounding whitespace.
#[derive(Debug, Default)]
pub struct LineChunk {
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl LineChunk {
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    /// The lines in input order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let line = &self.text[start..end];
            start = end;
            line
        })
    }
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
    fn push(&mut self, line: &[u8]) {
        self.text.extend_from_slice(line);
        self.ends.push(self.text.len());
    }
}

/// One NDJSON input read as object lines.
pub struct ObjectLines {
    reader: Box<dyn Read + Send>,
    live_fd: Option<RawFd>,
    name: String,
    win: Window,
    /// Lines and bytes before `buf[start]`, for error locations.
    line: u64,
    offset: u64,
    chunk_lines: usize,
    rejects: Rejects,
}

impl ObjectLines {
    /// Reads `prefix` (bytes already taken from `reader` to sniff the format) and then
    /// `reader`; hands out up to `chunk_lines` lines at a time.
    pub fn new(
        reader: Box<dyn Read + Send>,
        prefix: Vec<u8>,
        live_fd: Option<RawFd>,
        name: String,
        chunk_lines: usize,
        rejects: Rejects,
    ) -> Self {
        ObjectLines {
            reader,
            live_fd,
            name,
            win: Window::new(prefix),
            line: 0,
            offset: 0,
            chunk_lines: chunk_lines.max(1),
            rejects,
        }
    }

    /// Fills `out` with the next lines; false when the input is done and `out` empty.
    pub fn next_chunk(&mut self, out: &mut LineChunk) -> Result<bool> {
        out.clear();
        loop {
            let data = &self.win.buf[self.win.start..self.win.end];
            let complete = self.win.complete();
            if complete > 0 {
                let mut used = 0;
                for (line_no, offset, line) in lines_of(&data[..complete], self.line, self.offset) {
                    used = (offset - self.offset) as usize + line.len() + 1;
                    self.line = line_no;
                    let text = line.trim_ascii();
                    if !text.is_empty() {
                        if let Err((col, msg)) = check_object(text) {
                            // Where the problem is: past the indentation, at its column.
                            let lead = (line.len() - line.trim_ascii_start().len()) as u64;
                            let at = Location {
                                source: self.name.clone(),
                                line: Some(line_no),
                                offset: Some(offset + lead + col),
                                field: None,
                            };
                            if !self.rejects.skipping() {
                                return Err(Error::data(at, msg));
                            }
                            self.rejects.reject(&at, &msg, line)?;
                        } else {
                            out.push(text);
                        }
                    }
                    if out.len() >= self.chunk_lines {
                        break;
                    }
                }
                let used = used.min(complete);
                self.win.start += used;
                self.offset += used as u64;
                if out.len() >= self.chunk_lines {
                    return Ok(true);
                }
            }
            if self.win.eof && self.win.start >= self.win.end {
                return Ok(!out.is_empty());
            }
            if let Some(fd) = self.live_fd {
                if !out.is_empty() && !wait_readable(fd, 0) {
                    return Ok(true);
                }
            }
            self.fill()?;
        }
    }

    fn fill(&mut self) -> Result<()> {
        self.win.fill(&mut self.reader, &self.name)
    }
}

/// Ok for one JSON object; else the byte column of the problem and what it is.
fn check_object(line: &[u8]) -> std::result::Result<(), (u64, String)> {
    if line.first() != Some(&b'{') {
        return Err((0, "expected a JSON object".into()));
    }
    parse_line::<IgnoredAny>(line).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read_all(text: &str, chunk: usize) -> Result<Vec<Vec<String>>> {
        let mut src = ObjectLines::new(
            Box::new(Cursor::new(text.as_bytes()[3..].to_vec())),
            text.as_bytes()[..3].to_vec(),
            None,
            "t.ndjson".into(),
            chunk,
            Rejects::default(),
        );
        let mut chunks = Vec::new();
        let mut out = LineChunk::default();
        while src.next_chunk(&mut out)? {
            chunks.push(
                out.iter()
                    .map(|l| String::from_utf8(l.to_vec()).unwrap())
                    .collect(),
            );
        }
        Ok(chunks)
    }

    #[test]
    fn lines_pass_through_as_written() {
        let text = "{\"a\": 1.50, \"b\": [1,{\"c\":2}]}\n\n  {\"big\":123456789012345678901234567890}  \r\n{}";
        let chunks = read_all(text, 2).unwrap();
        assert_eq!(
            chunks,
            vec![
                vec![
                    "{\"a\": 1.50, \"b\": [1,{\"c\":2}]}".to_string(),
                    "{\"big\":123456789012345678901234567890}".to_string()
                ],
                vec!["{}".to_string()]
            ]
        );
    }

    #[test]
    fn a_line_that_is_not_an_object_is_named() {
        let err = read_all("{\"a\":1}\n[1,2]\n", 10).unwrap_err().to_string();
        assert!(err.contains("t.ndjson:2 (byte 8)"), "{err}");
        assert!(err.contains("expected a JSON object"), "{err}");
        let err = read_all("{\"a\":1}\n{\"a\":1}\n{\"a\":}\n", 10)
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid JSON"), "{err}");
        assert!(
            err.contains("t.ndjson:3 (byte 21)"),
            "the problem's byte: {err}"
        );
        let err = read_all("{\"a\":1} {\"b\":2}\n", 10)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("t.ndjson:1") && err.contains("invalid JSON"),
            "{err}"
        );
    }
}
