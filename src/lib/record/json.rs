//! JSON that is not one object per line: a top-level array of objects (`[{...},{...}]`,
//! what DuckDB's `ARRAY true`, most REST exports and `jq -s` write) and objects spread
//! over several lines or run together (`jq .` output). `JsonLines` rewrites either, as a
//! stream, into NDJSON for the NDJSON decoder: one element per line, whitespace outside
//! strings dropped. Memory stays bounded (a 2 GB array is never held), and `LineMap`
//! remembers where the recent records started in the original text so errors still
//! name the original line and byte.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Location};

/// How a JSON input that starts with `{` lays out its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One object per line: NDJSON.
    Lines,
    /// The first object spans lines: pretty-printed or concatenated objects.
    Spread,
}

/// Decides the shape from the first object in `prefix` (which starts, after whitespace,
/// with `{`); `None` when the prefix ends before the first object or line does.
pub fn shape(prefix: &[u8]) -> Option<Shape> {
    let mut depth = 0u32;
    let mut in_string = false;
    let mut escaped = false;
    let start = prefix.iter().position(|b| !b.is_ascii_whitespace())?;
    for (i, &b) in prefix[start..].iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                b'\n' => return Some(Shape::Lines), // not JSON at all; let NDJSON say so
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    // Another value on the same line (`{..}{..}`): objects run together.
                    let rest = &prefix[start + i + 1..];
                    return match rest.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\r')) {
                        Some(b'\n') => Some(Shape::Lines),
                        Some(_) => Some(Shape::Spread),
                        None => None,
                    };
                }
            }
            b'\n' if depth > 0 => return Some(Shape::Spread),
            _ => {}
        }
    }
    None
}

/// How many recent record starts `LineMap` keeps: enough for every record still in the
/// decoder's buffers and its workers' queues.
const MAP_CAPACITY: usize = 1 << 19;

/// Where the records of the rewritten stream start in the original text.
#[derive(Debug, Default)]
pub struct LineMap {
    /// (rewritten line number, 1-based; original line; original byte offset)
    starts: VecDeque<(u64, u64, u64)>,
}

impl LineMap {
    fn push(&mut self, line: u64, orig_line: u64, orig_offset: u64) {
        if self.starts.len() == MAP_CAPACITY {
            self.starts.pop_front();
        }
        self.starts.push_back((line, orig_line, orig_offset));
    }

    /// The original line and byte offset of rewritten line `line`.
    fn find(&self, line: u64) -> Option<(u64, u64)> {
        let i = self.starts.binary_search_by_key(&line, |s| s.0).ok()?;
        let (_, l, o) = self.starts[i];
        Some((l, o))
    }
}

/// A `LineMap` shared between the rewriting reader and the record reader.
#[derive(Debug, Clone, Default)]
pub struct SharedLineMap(Arc<Mutex<LineMap>>);

impl SharedLineMap {
    /// Points an error at the rewritten stream back at the original text.
    pub fn relocate(&self, e: Error) -> Error {
        match e {
            Error::Data { mut at, msg, hint } => {
                if let Some(line) = at.line {
                    let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some((l, o)) = map.find(line) {
                        *at = Location {
                            line: Some(l),
                            offset: Some(o),
                            ..*at
                        };
                    }
                }
                Error::Data { at, msg, hint }
            }
            other => other,
        }
    }
}

/// Rewrites a JSON array of values, or values spread over lines, into NDJSON.
pub struct JsonLines<R> {
    inner: R,
    map: SharedLineMap,
    input: Vec<u8>,
    /// Rewritten bytes not yet handed out: `pending[given..]`.
    pending: Vec<u8>,
    given: usize,
    done: bool,
    /// Whether the input is one top-level array (its brackets and commas are dropped).
    array: Option<bool>,
    closed: bool,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// Inside a top-level number or literal (`[1, true]`).
    in_scalar: bool,
    /// Whitespace was dropped since the last byte written.
    space: bool,
    /// Original position of the next input byte.
    line: u64,
    offset: u64,
    /// Lines written so far (the next record is rewritten line `out_lines + 1`).
    out_lines: u64,
}

/// Bytes that make up numbers and literals: two of them apart must stay apart.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

impl<R: Read> JsonLines<R> {
    pub fn new(inner: R) -> Self {
        JsonLines {
            inner,
            map: SharedLineMap::default(),
            input: vec![0; 1 << 16],
            pending: Vec::with_capacity(1 << 17),
            given: 0,
            done: false,
            array: None,
            closed: false,
            depth: 0,
            in_string: false,
            escaped: false,
            in_scalar: false,
            space: false,
            line: 1,
            offset: 0,
            out_lines: 0,
        }
    }

    pub fn line_map(&self) -> SharedLineMap {
        self.map.clone()
    }

    fn unexpected(&self, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("line {}, byte {}: {what}", self.line, self.offset),
        )
    }

    fn end_record(&mut self) {
        self.pending.push(b'\n');
        self.out_lines += 1;
    }

    /// Reads one input chunk and rewrites it into `pending`.
    fn step(&mut self) -> io::Result<()> {
        let n = loop {
            match self.inner.read(&mut self.input) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        if n == 0 {
            self.done = true;
            if self.in_scalar {
                self.in_scalar = false;
                self.end_record();
            } else if self.depth > 0 || self.in_string {
                // Hand the cut record on: the NDJSON decoder names it.
                self.end_record();
            } else if self.array == Some(true) && !self.closed {
                return Err(self.unexpected("the JSON array is not closed (a ']' is missing)"));
            }
            return Ok(());
        }
        let mut i = 0;
        while i < n {
            let b = self.input[i];
            if self.in_string {
                if !self.escaped {
                    // Copy the run up to the next quote, backslash or newline at once.
                    let rest = &self.input[i..n];
                    let run = memchr::memchr3(b'"', b'\\', b'\n', rest).unwrap_or(rest.len());
                    if run > 0 {
                        self.pending.extend_from_slice(&rest[..run]);
                        i += run;
                        self.offset += run as u64;
                        continue;
                    }
                }
                match b {
                    _ if self.escaped => self.escaped = false,
                    b'\\' => self.escaped = true,
                    b'"' => self.in_string = false,
                    b'\n' => self.line += 1,
                    _ => {}
                }
                self.pending.push(b);
                i += 1;
                self.offset += 1;
                if !self.in_string && self.depth == 0 {
                    self.end_record();
                }
                continue;
            }
            if self.in_scalar && !is_word(b) {
                self.in_scalar = false;
                self.end_record();
            }
            if b.is_ascii_whitespace() {
                if b == b'\n' {
                    self.line += 1;
                }
                self.space = true;
                i += 1;
                self.offset += 1;
                continue;
            }
            if self.depth == 0 && !self.in_scalar {
                match (self.array, b) {
                    (None, b'[') => {
                        self.array = Some(true);
                        i += 1;
                        self.offset += 1;
                        continue;
                    }
                    (None, _) => self.array = Some(false),
                    (Some(true), b',' | b']') if !self.closed => {
                        self.closed = b == b']';
                        i += 1;
                        self.offset += 1;
                        continue;
                    }
                    _ => {}
                }
                if self.closed {
                    return Err(self.unexpected("data after the end of the JSON array"));
                }
                // A record starts here.
                let mut map = self.map.0.lock().unwrap_or_else(|p| p.into_inner());
                map.push(self.out_lines + 1, self.line, self.offset);
            } else if self.space && is_word(b) && self.pending.last().is_some_and(|&p| is_word(p)) {
                self.pending.push(b' ');
            }
            self.space = false;
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ if self.depth == 0 => self.in_scalar = true,
                _ => {}
            }
            self.pending.push(b);
            i += 1;
            self.offset += 1;
            if self.depth == 0 && matches!(b, b'}' | b']') {
                self.end_record();
            }
        }
        Ok(())
    }
}

impl<R: Read> Read for JsonLines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.given == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            self.pending.clear();
            self.given = 0;
            self.step()?;
        }
        let n = out.len().min(self.pending.len() - self.given);
        out[..n].copy_from_slice(&self.pending[self.given..self.given + n]);
        self.given += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(text: &str, chunk: usize) -> String {
        let mut r = JsonLines::new(text.as_bytes());
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn shapes() {
        assert_eq!(shape(b"{\"a\":1}\n{\"a\":2}"), Some(Shape::Lines));
        assert_eq!(shape(b"{\"a\":1} {\"a\":2}\n"), Some(Shape::Spread));
        assert_eq!(shape(b"{\"a\":1}"), None);
        assert_eq!(shape(b"{\n  \"a\": 1\n}"), Some(Shape::Spread));
        assert_eq!(shape(b"  {\"a\":\"x\n"), Some(Shape::Lines));
        assert_eq!(shape(b"{\"a\":"), None);
    }

    #[test]
    fn arrays_and_pretty_objects_become_lines() {
        for chunk in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(
                rewrite(
                    "[\n\t{\"a\": 1, \"s\": \"x y\\\" ]\"},\n\t{\"a\": [1, 2]}\n]\n",
                    chunk
                ),
                "{\"a\":1,\"s\":\"x y\\\" ]\"}\n{\"a\":[1,2]}\n",
                "chunk {chunk}"
            );
            assert_eq!(
                rewrite(
                    "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": true\n  }\n}\n{\n  \"a\": 2\n}\n",
                    chunk
                ),
                "{\"a\":1,\"b\":{\"c\":true}}\n{\"a\":2}\n",
                "chunk {chunk}"
            );
            assert_eq!(rewrite("[]", chunk), "");
            assert_eq!(rewrite("[1, 2]", chunk), "1\n2\n");
        }
    }

    #[test]
    fn an_unclosed_array_is_an_error() {
        let mut r = JsonLines::new(&b"[{\"a\":1},"[..]);
        let mut out = Vec::new();
        let e = r.read_to_end(&mut out).unwrap_err();
        assert!(e.to_string().contains("not closed"), "{e}");
    }

    #[test]
    fn records_map_to_their_original_lines() {
        let mut r = JsonLines::new(&b"[\n {\"a\":1},\n {\"a\":2}\n]"[..]);
        let map = r.line_map();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        let e = Error::data(
            Location {
                source: "x.json".into(),
                line: Some(2),
                offset: Some(9),
                field: None,
            },
            "bad",
        );
        let text = map.relocate(e).to_string();
        assert_eq!(text, "x.json:3 (byte 13): bad");
    }
}
