//! Schema-directed NDJSON decoding: the fast path for bulk inputs with an inferred schema.
//!
//! arrow-json decodes in two passes. A resumable byte-at-a-time tokenizer writes a tape,
//! copying every string and number, and then each column decoder walks the tape. A bulk
//! chunk is whole lines and its schema is known before the chunk is read, so this decoder
//! parses each record once, straight into the column builders: strings are copied once,
//! numbers are parsed where they lie, and keys are matched against the field expected
//! next before any lookup.
//!
//! It is deliberately narrow. It gives up on the whole chunk (`None`) at anything it is
//! not certain to decode exactly as arrow-json does: an unknown or repeated key, a value
//! of another type, a number outside JSON's grammar or not exact for its column, an
//! escaped key, a lone surrogate, invalid UTF-8, a record that is not an object. The
//! chunk then goes through the checked arrow-json path (`decode.rs`), where widening and
//! line-exact errors live, so giving up never changes a result. The tests decode the same
//! chunks both ways and require equal batches.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanBuilder, ListArray, NullArray, NullBufferBuilder, PrimitiveBuilder,
    StringBuilder, StructArray, TimestampNanosecondBuilder,
};
use arrow::buffer::{OffsetBuffer, ScalarBuffer};
use arrow::datatypes::{
    DataType, FieldRef, Fields, Float64Type, Int64Type, SchemaRef, TimeUnit, UInt64Type,
};
use arrow::record_batch::RecordBatch;

use super::decode::parse_utc_z;

/// The chunk is not one this decoder takes: hand it to arrow-json.
struct GiveUp;
type Step<T = ()> = Result<T, GiveUp>;

/// Decodes chunks of whole NDJSON lines into record batches of one schema.
pub struct DirectDecoder {
    schema: SchemaRef,
    root: Record,
    batch_size: usize,
    /// Unescaped text of the string being read, when it holds escapes.
    scratch: Vec<u8>,
}

impl DirectDecoder {
    /// A decoder for `schema`, or `None` when the schema holds a type or a non-nullable
    /// field this decoder does not handle.
    pub fn new(schema: SchemaRef, batch_size: usize) -> Option<DirectDecoder> {
        if schema.fields().is_empty() {
            return None;
        }
        let root = Record::new(schema.fields(), batch_size)?;
        Some(DirectDecoder {
            schema,
            root,
            batch_size,
            scratch: Vec::new(),
        })
    }

    /// The batch of every record in `chunk`, or `None` if the chunk must go through
    /// arrow-json (see the module docs). Empty chunks also give `None`.
    pub fn decode(&mut self, chunk: &[u8]) -> Option<RecordBatch> {
        match self.decode_records(chunk) {
            Ok(0) => None,
            Ok(_) => {
                let columns = self.root.finish_columns();
                RecordBatch::try_new(self.schema.clone(), columns).ok()
            }
            Err(GiveUp) => {
                // Builders may hold part of the chunk: start afresh.
                self.root = Record::new(self.schema.fields(), self.batch_size)?;
                None
            }
        }
    }

    fn decode_records(&mut self, chunk: &[u8]) -> Step<usize> {
        // arrow-json rejects invalid UTF-8 in strings; outside strings it is a syntax
        // error. Checking the chunk once here is what lets every string below be taken
        // as it lies.
        std::str::from_utf8(chunk).map_err(|_| GiveUp)?;
        let mut cur = Cursor { b: chunk, i: 0 };
        let mut rows = 0;
        loop {
            cur.skip_ws();
            match cur.peek() {
                None => return Ok(rows),
                Some(b'{') if rows < self.batch_size => {
                    self.root.object(&mut cur, &mut self.scratch)?;
                    rows += 1;
                }
                Some(_) => return Err(GiveUp),
            }
        }
    }
}

/// The fields of one object type: their builders, and which were seen in the object
/// being read.
struct Record {
    fields: Fields,
    columns: Vec<Column>,
    /// `seen[i] == generation` when field `i` occurred in the current object; bumping
    /// the generation forgets them all at once.
    seen: Vec<u64>,
    generation: u64,
}

impl Record {
    fn new(fields: &Fields, capacity: usize) -> Option<Record> {
        let columns = fields
            .iter()
            .map(|f| {
                f.is_nullable()
                    .then(|| Column::new(f.data_type(), capacity))
                    .flatten()
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Record {
            fields: fields.clone(),
            seen: vec![0; fields.len()],
            generation: 0,
            columns,
        })
    }

    /// Reads one object (the cursor is on its `{`) into the builders; fields it lacks
    /// become nulls.
    fn object(&mut self, cur: &mut Cursor, scratch: &mut Vec<u8>) -> Step {
        cur.expect(b'{')?;
        self.generation += 1;
        let mut expected = 0;
        cur.sequence(b'}', |cur| {
            let key = cur.key()?;
            let named = |i: usize| self.fields[i].name().as_bytes() == key;
            let idx = if expected < self.fields.len() && named(expected) {
                expected
            } else {
                (0..self.fields.len()).find(|&i| named(i)).ok_or(GiveUp)?
            };
            if self.seen[idx] == self.generation {
                return Err(GiveUp);
            }
            self.seen[idx] = self.generation;
            cur.skip_ws();
            cur.expect(b':')?;
            cur.skip_ws();
            self.columns[idx].value(cur, scratch)?;
            expected = idx + 1;
            Ok(())
        })?;
        for (column, seen) in self.columns.iter_mut().zip(&self.seen) {
            if *seen != self.generation {
                column.null();
            }
        }
        Ok(())
    }

    fn null(&mut self) {
        for column in &mut self.columns {
            column.null();
        }
    }

    fn finish_columns(&mut self) -> Vec<ArrayRef> {
        self.columns.iter_mut().map(Column::finish).collect()
    }
}

/// The builder of one column, by the Arrow type inference gives it.
enum Column {
    Null(usize),
    Bool(BooleanBuilder),
    /// JSON integers only, as `decode.rs`'s exact-integer hook.
    Int(PrimitiveBuilder<Int64Type>),
    UInt(PrimitiveBuilder<UInt64Type>),
    Float(PrimitiveBuilder<Float64Type>),
    Str(StringBuilder),
    /// RFC 3339 `...Z` strings, the form `decode.rs` parses on its fast path.
    Timestamp(TimestampNanosecondBuilder, DataType),
    List {
        field: FieldRef,
        item: Box<Column>,
        offsets: Vec<i32>,
        nulls: NullBufferBuilder,
    },
    Struct(Box<Record>, NullBufferBuilder),
}

impl Column {
    fn new(data_type: &DataType, capacity: usize) -> Option<Column> {
        Some(match data_type {
            DataType::Null => Column::Null(0),
            DataType::Boolean => Column::Bool(BooleanBuilder::with_capacity(capacity)),
            DataType::Int64 => Column::Int(PrimitiveBuilder::with_capacity(capacity)),
            DataType::UInt64 => Column::UInt(PrimitiveBuilder::with_capacity(capacity)),
            DataType::Float64 => Column::Float(PrimitiveBuilder::with_capacity(capacity)),
            DataType::Utf8 => Column::Str(StringBuilder::with_capacity(capacity, capacity * 16)),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => Column::Timestamp(
                TimestampNanosecondBuilder::with_capacity(capacity),
                data_type.clone(),
            ),
            DataType::List(field) if field.is_nullable() => Column::List {
                field: field.clone(),
                item: Box::new(Column::new(field.data_type(), capacity)?),
                offsets: vec![0],
                nulls: NullBufferBuilder::new(capacity),
            },
            // A struct without fields has no child to carry its length.
            DataType::Struct(fields) if !fields.is_empty() => Column::Struct(
                Box::new(Record::new(fields, capacity)?),
                NullBufferBuilder::new(capacity),
            ),
            _ => return None,
        })
    }

    /// Appends the value under the cursor.
    fn value(&mut self, cur: &mut Cursor, scratch: &mut Vec<u8>) -> Step {
        if cur.peek() == Some(b'n') {
            cur.literal(b"null")?;
            self.null();
            return Ok(());
        }
        match self {
            Column::Null(_) => return Err(GiveUp),
            Column::Bool(b) => match cur.peek() {
                Some(b't') => {
                    cur.literal(b"true")?;
                    b.append_value(true);
                }
                Some(b'f') => {
                    cur.literal(b"false")?;
                    b.append_value(false);
                }
                _ => return Err(GiveUp),
            },
            Column::Int(b) => b.append_value(parse(cur.integer()?)?),
            Column::UInt(b) => b.append_value(parse(cur.integer()?)?),
            Column::Float(b) => {
                let v = cur.number_text()?.to_f64()?;
                if !v.is_finite() {
                    return Err(GiveUp);
                }
                b.append_value(v);
            }
            Column::Str(b) => {
                let text = cur.string(scratch)?;
                // SAFETY: the chunk was checked to be UTF-8 in `decode_records`, and a
                // string is cut out of it at ASCII quotes and backslashes, so its raw
                // parts are UTF-8; escapes are unescaped into whole `char`s.
                b.append_value(unsafe { std::str::from_utf8_unchecked(text) });
            }
            Column::Timestamp(b, _) => {
                let text = cur.string(scratch)?;
                b.append_value(parse_utc_z(text).ok_or(GiveUp)?);
            }
            Column::List {
                item,
                offsets,
                nulls,
                ..
            } => {
                cur.expect(b'[')?;
                let mut len = 0i32;
                cur.sequence(b']', |cur| {
                    len += 1;
                    item.value(cur, scratch)
                })?;
                let last = *offsets.last().unwrap_or(&0);
                offsets.push(last.checked_add(len).ok_or(GiveUp)?);
                nulls.append_non_null();
            }
            Column::Struct(record, nulls) => {
                record.object(cur, scratch)?;
                nulls.append_non_null();
            }
        }
        Ok(())
    }

    /// Appends a null. A null struct holds nulls in every child, as in arrow-json.
    fn null(&mut self) {
        match self {
            Column::Null(n) => *n += 1,
            Column::Bool(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::UInt(b) => b.append_null(),
            Column::Float(b) => b.append_null(),
            Column::Str(b) => b.append_null(),
            Column::Timestamp(b, _) => b.append_null(),
            Column::List { offsets, nulls, .. } => {
                offsets.push(*offsets.last().unwrap_or(&0));
                nulls.append_null();
            }
            Column::Struct(record, nulls) => {
                record.null();
                nulls.append_null();
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Null(n) => Arc::new(NullArray::new(std::mem::take(n))),
            Column::Bool(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::UInt(b) => Arc::new(b.finish()),
            Column::Float(b) => Arc::new(b.finish()),
            Column::Str(b) => Arc::new(b.finish()),
            Column::Timestamp(b, data_type) => {
                Arc::new(b.finish().with_data_type(data_type.clone()))
            }
            Column::List {
                field,
                item,
                offsets,
                nulls,
            } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                Arc::new(ListArray::new(
                    field.clone(),
                    OffsetBuffer::new(ScalarBuffer::from(offsets)),
                    item.finish(),
                    nulls.finish(),
                ))
            }
            Column::Struct(record, nulls) => Arc::new(StructArray::new(
                record.fields.clone(),
                record.finish_columns(),
                nulls.finish(),
            )),
        }
    }
}

/// Parses a number's text: integers with the `FromStr` of `decode.rs`'s exact-integer
/// hook, floats correctly rounded like arrow-json's parser (both are, so they agree).
fn parse<T: std::str::FromStr>(text: &[u8]) -> Step<T> {
    // SAFETY: `Cursor::number_text` only takes ASCII digits, '-', '+', '.', 'e', 'E'.
    let text = unsafe { std::str::from_utf8_unchecked(text) };
    text.parse().map_err(|_| GiveUp)
}

/// A JSON number as `Cursor::number_text` read it: its text, and its digits as an
/// integer `mantissa` (None if they overflow a u64) to be scaled by `10^exp10`.
struct Number<'a> {
    text: &'a [u8],
    integral: bool,
    mantissa: Option<u64>,
    exp10: i64,
}

impl Number<'_> {
    /// The nearest f64. A mantissa of at most 53 bits times or divided by a power of ten
    /// up to 10^22 (both exact in an f64) is one correctly rounded operation, so the
    /// result is the one a full parse gives (Clinger's fast path; embeddings written
    /// with a few decimals are all of this kind); anything else is parsed from the text.
    fn to_f64(&self) -> Step<f64> {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        match (self.mantissa, POW10.get(self.exp10.unsigned_abs() as usize)) {
            (Some(m), Some(&p)) if m <= 1 << 53 => {
                let v = if self.exp10 < 0 {
                    m as f64 / p
                } else {
                    m as f64 * p
                };
                Ok(if self.text[0] == b'-' { -v } else { v })
            }
            _ => parse(self.text),
        }
    }
}

/// A read position in a chunk.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Step {
        if self.bump() == Some(c) {
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// The comma-separated items of an object or a list, after its opening bracket, up
    /// to and including `close`; `item` reads one, starting on its first byte.
    // Inlined into each caller, so an object's and a list's loops stay one function
    // each: as a call it cost ~5% of a conversion's CPU.
    #[inline(always)]
    fn sequence(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Step) -> Step {
        self.skip_ws();
        if self.peek() == Some(close) {
            self.i += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            item(self)?;
            self.skip_ws();
            match self.bump() {
                Some(b',') => continue,
                Some(c) if c == close => return Ok(()),
                _ => return Err(GiveUp),
            }
        }
    }

    /// JSON whitespace, as arrow-json skips it.
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Step {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(GiveUp)
        }
    }

    /// An object key without escapes (escaped keys are rare: arrow-json takes them).
    fn key(&mut self) -> Step<&'a [u8]> {
        self.expect(b'"')?;
        let b = self.b;
        let rest = &b[self.i..];
        match memchr::memchr2(b'"', b'\\', rest) {
            Some(n) if rest[n] == b'"' => {
                self.i += n + 1;
                Ok(&rest[..n])
            }
            _ => Err(GiveUp),
        }
    }

    /// A string's text: borrowed from the chunk, or unescaped into `scratch`.
    fn string<'s>(&mut self, scratch: &'s mut Vec<u8>) -> Step<&'s [u8]>
    where
        'a: 's,
    {
        self.expect(b'"')?;
        let b = self.b;
        let rest = &b[self.i..];
        let n = memchr::memchr2(b'"', b'\\', rest).ok_or(GiveUp)?;
        if rest[n] == b'"' {
            self.i += n + 1;
            return Ok(&rest[..n]);
        }
        scratch.clear();
        scratch.extend_from_slice(&rest[..n]);
        self.i += n;
        loop {
            // On a backslash.
            self.i += 1;
            match self.bump().ok_or(GiveUp)? {
                b'"' => scratch.push(b'"'),
                b'\\' => scratch.push(b'\\'),
                b'/' => scratch.push(b'/'),
                b'b' => scratch.push(8),
                b'f' => scratch.push(12),
                b'n' => scratch.push(b'\n'),
                b'r' => scratch.push(b'\r'),
                b't' => scratch.push(b'\t'),
                b'u' => {
                    let c = self.unicode_escape()?;
                    let mut utf8 = [0; 4];
                    scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
                _ => return Err(GiveUp),
            }
            let rest = &b[self.i..];
            let n = memchr::memchr2(b'"', b'\\', rest).ok_or(GiveUp)?;
            scratch.extend_from_slice(&rest[..n]);
            self.i += n;
            if rest[n] == b'"' {
                self.i += 1;
                return Ok(&scratch[..]);
            }
        }
    }

    /// The character of a `\uXXXX` escape (after its `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Step<char> {
        let high = self.hex4()?;
        let code = match high {
            0xD800..=0xDBFF => {
                self.literal(b"\\u")?;
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(GiveUp);
                }
                0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(GiveUp),
            _ => high,
        };
        char::from_u32(code).ok_or(GiveUp)
    }

    fn hex4(&mut self) -> Step<u32> {
        let b = self.b;
        let digits = b.get(self.i..self.i + 4).ok_or(GiveUp)?;
        self.i += 4;
        digits.iter().try_fold(0u32, |acc, &d| {
            let v = (d as char).to_digit(16).ok_or(GiveUp)?;
            Ok(acc * 16 + v)
        })
    }

    /// The text of a JSON number with no fraction or exponent.
    fn integer(&mut self) -> Step<&'a [u8]> {
        let n = self.number_text()?;
        if n.integral {
            Ok(n.text)
        } else {
            Err(GiveUp)
        }
    }

    /// A number in JSON's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, with
    /// its digits gathered on the way (`Number`). arrow-json's tokenizer takes any run of
    /// number characters as one number, so a number followed by another such character
    /// is given up on.
    fn number_text(&mut self) -> Step<Number<'a>> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let mut mantissa = Some(0);
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.some_digits(&mut mantissa)?;
            }
            _ => return Err(GiveUp),
        }
        let mut integral = true;
        let mut exp10 = 0i64;
        if self.peek() == Some(b'.') {
            self.i += 1;
            exp10 -= self.some_digits(&mut mantissa)? as i64;
            integral = false;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            let negative = self.peek() == Some(b'-');
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            let mut e = Some(0);
            self.some_digits(&mut e)?;
            match e.and_then(|e| i64::try_from(e).ok()) {
                Some(e) => exp10 = exp10.saturating_add(if negative { -e } else { e }),
                None => mantissa = None,
            }
            integral = false;
        }
        if let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
            return Err(GiveUp);
        }
        let b = self.b;
        Ok(Number {
            text: &b[start..self.i],
            integral,
            mantissa,
            exp10,
        })
    }

    /// One or more digits, added to `value` (None once it overflows); how many.
    fn some_digits(&mut self, value: &mut Option<u64>) -> Step<usize> {
        let start = self.i;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            self.i += 1;
            *value = value.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(d - b'0')));
        }
        if self.i > start {
            Ok(self.i - start)
        } else {
            Err(GiveUp)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::infer::Inference;
    use crate::record::ndjson::SchemaState;

    /// The schema the reader infers from the records of `text`.
    fn inferred(text: &str) -> SchemaState {
        let mut inference = Inference::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let serde_json::Value::Object(map) = serde_json::from_str(line).unwrap() else {
                panic!("not an object: {line}");
            };
            inference.add(&map).unwrap();
        }
        SchemaState::Inferred(inference)
    }

    /// Infers a schema from `text` the way the reader does, then decodes `text` with
    /// both decoders.
    fn both(text: &str) -> (Option<RecordBatch>, Option<RecordBatch>) {
        both_with(text, text)
    }

    fn both_with(infer_from: &str, text: &str) -> (Option<RecordBatch>, Option<RecordBatch>) {
        let state = inferred(infer_from);
        let mut arrow = arrow::json::ReaderBuilder::new(state.schema())
            .with_strict_mode(true)
            .build_decoder()
            .unwrap();
        let arrow_batch = match arrow.decode(text.as_bytes()) {
            Ok(n) if n == text.len() => arrow.flush().ok().flatten(),
            _ => None,
        };
        let direct =
            DirectDecoder::new(state.schema(), 8192).and_then(|mut d| d.decode(text.as_bytes()));
        (arrow_batch, direct)
    }

    /// The lines, one record each (an empty one is a blank line), decode the same both ways.
    fn same(lines: &[&str]) {
        let text = lines.join("\n") + "\n";
        let text = text.as_str();
        let (arrow, direct) = both(text);
        assert!(arrow.is_some(), "arrow-json takes {text:?}");
        assert_eq!(arrow, direct, "{text}");
    }

    #[test]
    fn decodes_what_arrow_json_decodes() {
        same(&[
            r#"{"id":1,"name":"a","score":1.5,"ok":true,"ts":"2026-11-26T10:00:00.123456789Z"}"#,
            r#"{"id":-2,"name":"b\"q\\\n\u00e9\ud83d\ude00/","score":-0.0,"ok":false,"ts":"1970-01-01T00:00:00Z"}"#,
            r#"{"name":null,"id":null,"extra":null}"#,
            "",
            r#"  { "id" : 3 , "score" : 2e3 , "ok" : null }  "#,
        ]);
    }

    #[test]
    fn nested_structs_and_lists() {
        same(&[
            r#"{"req":{"path":"/a","h":{"n":1}},"tags":["x","y"],"m":[[1,2],[],null,[3]],"o":[{"k":1},null,{"k":null}]}"#,
            r#"{"req":null,"tags":[],"m":null,"o":[]}"#,
            r#"{"req":{"h":null},"tags":[null,"z"]}"#,
            r#"{}"#,
        ]);
    }

    /// The fast path for floats gives exactly the standard library's value, bit for
    /// bit, on its edges (2^53, 10^22, signs, tiny and huge exponents) and on random
    /// values written shortest, with 7 decimals (as embeddings are) and in e-notation.
    #[test]
    fn floats_parse_as_the_standard_library_does() {
        let mut texts: Vec<String> = [
            "0",
            "-0",
            "-0.0",
            "0.1",
            "0.30000000000000004",
            "9007199254740992",
            "9007199254740993",
            "-9007199254740993.0",
            "1e22",
            "1e23",
            "1.5e22",
            "123456789e-22",
            "1e-22",
            "1e-23",
            "4.9406564584124654e-324",
            "1.7976931348623157e308",
            "2.2250738585072014e-308",
            "1234567890123456789012",
            "18446744073709551616",
            "0.00000000000000000000000000001",
            "1E5",
            "1e+5",
            "12.5E-3",
            "1e0000000000000000000001",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let v = f64::from_bits(state);
            if !v.is_finite() {
                continue;
            }
            let small = (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            texts.extend([
                format!("{v}"),
                format!("{v:e}"),
                format!("{small:.7}"),
                format!("{}", small * 1e6),
            ]);
        }
        for t in &texts {
            let mut cur = Cursor {
                b: t.as_bytes(),
                i: 0,
            };
            let got = cur.number_text().and_then(|n| n.to_f64());
            let want: f64 = t.parse().unwrap();
            assert!(
                matches!(got, Ok(v) if v.to_bits() == want.to_bits()),
                "{t}: {:?} against {want}",
                got.ok()
            );
        }
        same(&[
            r#"{"f":-0.0123457}"#,
            r#"{"f":9007199254740993}"#,
            r#"{"f":1e23}"#,
            r#"{"f":0.1}"#,
        ]);
    }

    #[test]
    fn big_integers_and_floats() {
        same(&[
            r#"{"u":18446744073709551615,"i":-9223372036854775808,"f":1}"#,
            r#"{"u":0,"i":9223372036854775807,"f":0.1e-5}"#,
            r#"{"u":1,"i":0,"f":123456789012345678901234567890}"#,
        ]);
    }

    #[test]
    fn gives_up_where_arrow_json_must_decide() {
        let schema_text = "{\"a\":1,\"b\":\"x\",\"c\":[1],\"ts\":\"2026-01-01T00:00:00Z\"}\n";
        for bad in [
            "{\"a\":1.5}",            // a float in an integer column: widening
            "{\"a\":\"1\"}",          // a string in an integer column
            "{\"z\":1}",              // an unknown field
            "{\"a\":1,\"a\":2}",      // a repeated key
            "{\"a\":01}",             // outside JSON's grammar
            "{\"b\":\"\\ud800\"}",    // a lone surrogate
            "{\"\\u0061\":1}",        // an escaped key
            "{\"c\":{}}",             // an object for a list
            "{\"ts\":\"yesterday\"}", // a timestamp only arrow's parser may read
            "[1]",                    // not an object
            "{\"a\":1",               // cut short
            "{\"a\":1}{\"a\":2} x",   // trailing garbage
        ] {
            let (_, direct) = both_with(schema_text, bad);
            assert!(direct.is_none(), "took {bad}");
        }
    }

    /// arrow-json (59 and 60) joins a surrogate pair with `|` where it must add, so every
    /// escaped character from U+20000 up comes out as another one (U+2F800 as
    /// U+1F800). This decoder adds.
    #[test]
    fn surrogate_pairs_beyond_plane_1() {
        let state = inferred("{\"s\":\"x\"}\n");
        let mut direct = DirectDecoder::new(state.schema(), 8192).unwrap();
        let batch = direct
            .decode(b"{\"s\":\"\\ud87e\\udc00\\ud83e\\udd80\"}\n")
            .unwrap();
        let s = batch
            .column(0)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        assert_eq!(s.value(0), "\u{2F800}\u{1F980}");
    }

    #[test]
    fn schemas_it_does_not_take() {
        for text in ["{\"a\":{\"b\":{}}}\n", "{\"a\":{}}\n", "{}\n"] {
            assert!(
                DirectDecoder::new(inferred(text).schema(), 8192).is_none(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_give_up_leaves_nothing_behind() {
        let state = inferred("{\"a\":1}\n");
        let mut direct = DirectDecoder::new(state.schema(), 8192).unwrap();
        assert!(direct.decode(b"{\"a\":1}\n{\"a\":true}\n").is_none());
        let batch = direct.decode(b"{\"a\":7}\n").unwrap();
        assert_eq!(batch.num_rows(), 1);
    }

    /// JSON text with every non-ASCII character written as a `\\uXXXX` escape (astral
    /// ones as surrogate pairs). Outside strings JSON text is ASCII, so this only
    /// touches string contents.
    fn ascii_escaped(json: &str) -> String {
        let mut out = String::with_capacity(json.len());
        for c in json.chars() {
            if c.is_ascii() {
                out.push(c);
            } else {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
        }
        out
    }

    mod differential {
        use super::*;
        use proptest::prelude::*;
        use serde_json::{json, Value};

        fn value(kind: u8) -> BoxedStrategy<Value> {
            let text = prop_oneof![
                any::<String>(),
                "[a-z\"\\\\/\n\t\u{0}\u{1f}é漢字🦀 ]{0,12}".prop_map(|s| s),
            ];
            match kind {
                0 => any::<i64>().prop_map(Value::from).boxed(),
                1 => any::<u64>().prop_map(Value::from).boxed(),
                2 => prop_oneof![
                    any::<f64>()
                        .prop_filter("finite", |f| f.is_finite())
                        .prop_map(Value::from),
                    any::<i32>().prop_map(Value::from)
                ]
                .boxed(),
                3 => text.prop_map(Value::from).boxed(),
                4 => any::<bool>().prop_map(Value::from).boxed(),
                5 => (any::<i32>(), proptest::option::of(text))
                    .prop_map(|(x, y)| json!({"x": x, "inner": {"y": y}}))
                    .boxed(),
                6 => proptest::collection::vec(proptest::option::of(any::<i64>()), 0..4)
                    .prop_map(|v| json!(v))
                    .boxed(),
                _ => proptest::collection::vec(text, 0..3)
                    .prop_map(|v| json!(v))
                    .boxed(),
            }
        }

        /// Records of 1–6 fields, each of one kind, present, null or missing.
        fn records() -> impl Strategy<Value = Vec<Value>> {
            proptest::collection::vec(0u8..8, 1..6).prop_flat_map(|kinds| {
                let record = kinds
                    .iter()
                    .map(|&k| proptest::option::of(proptest::option::of(value(k))))
                    .collect::<Vec<_>>()
                    .prop_map(|fields| {
                        let mut map = serde_json::Map::new();
                        for (i, f) in fields.into_iter().enumerate() {
                            if let Some(v) = f {
                                map.insert(format!("f{i}"), v.unwrap_or(Value::Null));
                            }
                        }
                        Value::Object(map)
                    });
                proptest::collection::vec(record, 1..40)
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]

            #[test]
            fn takes_and_decodes_like_arrow_json(records in records(), escape in any::<bool>()) {
                // Records with no fields at all have an empty schema, which this
                // decoder leaves to arrow-json.
                prop_assume!(records.iter().any(|r| r.as_object().is_some_and(|m| !m.is_empty())));
                let mut text = String::new();
                for r in &records {
                    text.push_str(&serde_json::to_string(r).unwrap());
                    text.push('\n');
                }
                // arrow-json decodes the raw text; the escaped form must decode to the
                // same records (arrow-json itself gets escapes of planes 2–16 wrong, see
                // `surrogate_pairs_beyond_plane_1`).
                let fed = if escape { ascii_escaped(&text) } else { text.clone() };
                let (arrow, _) = both(&text);
                let (_, direct) = both_with(&text, &fed);
                prop_assert!(arrow.is_some());
                prop_assert!(direct.is_some(), "gave up on {}", fed);
                prop_assert_eq!(arrow, direct);
            }
        }
    }

    #[test]
    fn more_records_than_a_batch_are_given_up() {
        let state = inferred("{\"a\":1}\n");
        let mut direct = DirectDecoder::new(state.schema(), 2).unwrap();
        assert!(direct
            .decode(b"{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n")
            .is_none());
        assert_eq!(direct.decode(b"{\"a\":1}{\"a\":2}").unwrap().num_rows(), 2);
    }
}
