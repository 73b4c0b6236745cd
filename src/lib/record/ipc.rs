//! Arrow IPC input checked before arrow-ipc decodes it.
//!
//! arrow-ipc (59) trusts the lengths and offsets an IPC file or stream declares: a
//! buffer that points past its message body panics while slicing, a footer block or a
//! message body length of terabytes is allocated (and aborts) before a byte of it is
//! read (apache/arrow-rs#10521, #10921). A corrupted or truncated `.arrow` file must be
//! an error that says where, so every message is checked here first: its flatbuffer
//! verified, its body read only as far as the bytes exist, and every buffer and block
//! inside the bounds that hold it. What passes is decoded by arrow-ipc, which validates
//! the arrays themselves.

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom};

use arrow::datatypes::{DataType, Field as ArrowField};

use arrow::ipc::{
    root_as_footer, root_as_message, CompressionType, DateUnit, Endianness, Field, IntervalUnit,
    Message, MessageHeader, Precision, Schema, TimeUnit, Type, UnionMode,
};

const CONTINUATION: [u8; 4] = [0xff; 4];
/// The largest message metadata accepted (a flatbuffer of schema or batch layout; the
/// writers make them a few kilobytes, arrow-ipc bounds it at i32::MAX).
const MAX_METADATA: usize = 64 << 20;

fn invalid(at: u64, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt Arrow IPC data at byte {at}: {what}"),
    )
}

/// The checks of one message whose body holds `body_len` bytes: the lengths it
/// declares are not negative, and every buffer lies inside the body.
fn check_message(message: &Message, body_len: u64, at: u64) -> io::Result<()> {
    let declared = message.bodyLength();
    if declared < 0 || declared as u64 > body_len {
        return Err(invalid(
            at,
            format!("the message body is {declared} bytes, {body_len} are there"),
        ));
    }
    let batch = match message.header_type() {
        MessageHeader::Schema => {
            return match message.header_as_schema() {
                Some(schema) => check_schema(&schema).map_err(|e| invalid(at, e)),
                None => Err(invalid(at, "a schema message without a schema")),
            }
        }
        MessageHeader::RecordBatch => message.header_as_record_batch(),
        MessageHeader::DictionaryBatch => {
            message.header_as_dictionary_batch().and_then(|d| d.data())
        }
        _ => None,
    };
    let Some(batch) = batch else {
        return Ok(());
    };
    if batch.length() < 0 {
        return Err(invalid(at, "a record batch with a negative row count"));
    }
    let compressed = batch.compression().is_some();
    for (i, b) in batch.buffers().into_iter().flatten().enumerate() {
        let (offset, len) = (b.offset(), b.length());
        let inside = offset >= 0
            && len >= 0
            && (offset as u64)
                .checked_add(len as u64)
                .is_some_and(|end| end <= declared as u64);
        if !inside {
            return Err(invalid(
                at,
                format!("buffer {i} ({len} bytes at {offset}) is outside the {declared}-byte body"),
            ));
        }
        // A compressed buffer starts with its 8-byte uncompressed length.
        if compressed && len > 0 && len < 8 {
            return Err(invalid(at, format!("compressed buffer {i} is {len} bytes")));
        }
    }
    for (i, node) in batch.nodes().into_iter().flatten().enumerate() {
        if node.length() < 0 || node.null_count() < 0 || node.null_count() > node.length() {
            return Err(invalid(
                at,
                format!(
                    "field node {i}: {} nulls of {} values",
                    node.null_count(),
                    node.length()
                ),
            ));
        }
    }
    Ok(())
}

/// Reads up to `len` bytes: fewer when the input ends first. Memory grows with the
/// bytes that arrive, not with the length a corrupt header claims.
fn read_up_to(input: &mut impl Read, len: u64, out: &mut Vec<u8>) -> io::Result<()> {
    input.take(len).read_to_end(out).map(|_| ())
}

/// An Arrow IPC stream passed through one whole, checked message at a time.
pub struct CheckedStream<R> {
    inner: R,
    /// The current message (length prefix, metadata, body) and how much of it was read.
    message: Vec<u8>,
    served: usize,
    /// Bytes of the stream before `message`.
    at: u64,
    finished: bool,
    /// The stream's schema, once its schema message passed.
    schema: Option<Known>,
}

impl<R: Read> CheckedStream<R> {
    pub fn new(inner: R) -> Self {
        CheckedStream {
            inner,
            message: Vec::new(),
            served: 0,
            at: 0,
            finished: false,
            schema: None,
        }
    }

    /// Reads and checks the next message into `self.message` (empty at the end).
    fn next_message(&mut self) -> io::Result<()> {
        self.at += self.message.len() as u64;
        self.message.clear();
        self.served = 0;
        let at = self.at;
        let mut prefix = Vec::with_capacity(8);
        read_up_to(&mut self.inner, 4, &mut prefix)?;
        if prefix.len() < 4 {
            // The end of the stream (arrow-ipc takes an end without the end marker).
            self.message = prefix;
            self.finished = true;
            return Ok(());
        }
        if prefix[..4] == CONTINUATION {
            read_up_to(&mut self.inner, 4, &mut prefix)?;
            if prefix.len() < 8 {
                return Err(invalid(at, "the stream ends inside a message length"));
            }
        }
        let len_bytes: [u8; 4] = prefix[prefix.len() - 4..].try_into().unwrap();
        let meta_len = i32::from_le_bytes(len_bytes);
        self.message = prefix;
        if meta_len == 0 {
            self.finished = true;
            return Ok(());
        }
        if meta_len < 0 || meta_len as usize > MAX_METADATA {
            return Err(invalid(at, format!("message metadata of {meta_len} bytes")));
        }
        let meta_start = self.message.len();
        read_up_to(&mut self.inner, meta_len as u64, &mut self.message)?;
        if self.message.len() - meta_start < meta_len as usize {
            return Err(invalid(at, "the stream ends inside a message's metadata"));
        }
        let body_start = self.message.len();
        let body_len = {
            let message = root_as_message(&self.message[meta_start..])
                .map_err(|e| invalid(at, format!("message metadata: {e}")))?;
            let declared = message.bodyLength();
            if declared < 0 {
                return Err(invalid(at, format!("a message body of {declared} bytes")));
            }
            declared as u64
        };
        read_up_to(&mut self.inner, body_len, &mut self.message)?;
        let got = (self.message.len() - body_start) as u64;
        if got < body_len {
            return Err(invalid(
                at,
                format!("the stream ends inside a message body ({got} of {body_len} bytes)"),
            ));
        }
        let message = root_as_message(&self.message[meta_start..body_start])
            .map_err(|e| invalid(at, format!("message metadata: {e}")))?;
        check_message(&message, body_len, at)?;
        if let Some(schema) = message.header_as_schema() {
            self.schema = Some(Known::of(schema));
        } else if let Some(schema) = &self.schema {
            let body = &self.message[body_start..];
            let mut prefix = |off: u64| {
                let off = off as usize;
                Ok(body[off..off + 8].try_into().unwrap())
            };
            check_layout(&message, schema, &mut prefix, at)?;
        }
        Ok(())
    }
}

impl<R: Read> Read for CheckedStream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.served == self.message.len() {
            if self.finished {
                return Ok(0);
            }
            self.next_message()?;
        }
        let n = buf.len().min(self.message.len() - self.served);
        buf[..n].copy_from_slice(&self.message[self.served..self.served + n]);
        self.served += n;
        Ok(n)
    }
}

/// Checks an Arrow IPC file before arrow-ipc reads it: the footer and every block it
/// lists lie inside the file, each block's message is whole and its buffers inside
/// its body. Leaves `file` at its start.
pub fn check_file<F: Read + Seek>(file: &mut F) -> io::Result<()> {
    let len = file.seek(SeekFrom::End(0))?;
    // "ARROW1", two bytes of padding, then the messages, the footer, its length, "ARROW1".
    if len < 18 {
        file.seek(SeekFrom::Start(0))?;
        return Ok(()); // arrow-ipc's own error: too short to be an Arrow file
    }
    let mut tail = [0u8; 10];
    file.seek(SeekFrom::Start(len - 10))?;
    file.read_exact(&mut tail)?;
    let footer_len = i32::from_le_bytes(tail[..4].try_into().unwrap());
    let footer_end = len - 10;
    if footer_len < 0 || footer_len as u64 > footer_end - 8 {
        return Err(invalid(
            footer_end,
            format!("a footer of {footer_len} bytes in a {len}-byte file"),
        ));
    }
    let footer_start = footer_end - footer_len as u64;
    let mut footer = vec![0u8; footer_len as usize];
    file.seek(SeekFrom::Start(footer_start))?;
    file.read_exact(&mut footer)?;
    let footer =
        root_as_footer(&footer).map_err(|e| invalid(footer_start, format!("footer: {e}")))?;
    let schema = match footer.schema() {
        Some(schema) => {
            check_schema(&schema).map_err(|e| invalid(footer_start, e))?;
            Some(Known::of(schema))
        }
        None => None,
    };
    let dictionaries = footer.dictionaries().into_iter().flatten();
    let batches = footer.recordBatches().into_iter().flatten();
    for block in dictionaries.chain(batches) {
        let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
        let end = (offset as u64)
            .checked_add(meta as u64)
            .and_then(|e| e.checked_add(body as u64));
        if offset < 8
            || meta < 8
            || meta as usize > MAX_METADATA
            || body < 0
            || end.is_none_or(|e| e > footer_start)
        {
            return Err(invalid(
                footer_start,
                format!("a block of {meta}+{body} bytes at {offset} is outside the file's {footer_start} bytes of messages"),
            ));
        }
        let offset = offset as u64;
        let mut metadata = vec![0u8; meta as usize];
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(&mut metadata)?;
        let skip = if metadata[..4] == CONTINUATION { 8 } else { 4 };
        let message = root_as_message(&metadata[skip..])
            .map_err(|e| invalid(offset, format!("message metadata: {e}")))?;
        check_message(&message, body as u64, offset)?;
        if let Some(schema) = &schema {
            let body_at = offset + meta as u64;
            let mut prefix = |off: u64| {
                let mut b = [0u8; 8];
                file.seek(SeekFrom::Start(body_at + off))?;
                file.read_exact(&mut b)?;
                Ok(b)
            };
            check_layout(&message, schema, &mut prefix, offset)?;
        }
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// The checks of a schema that arrow-ipc converts with `unwrap`, `panic!` and
/// `unimplemented!` on what it does not expect: every type known and whole (its
/// parameters present and in range, the children it needs there), as arrow-ipc's
/// `get_data_type` reads them.
fn check_schema(schema: &Schema) -> Result<(), String> {
    let fields = schema.fields().ok_or("a schema without a field list")?;
    for field in fields {
        if field.type_type() == Type::Decimal && schema.endianness() == Endianness::Big {
            return Err("a big-endian decimal column".into());
        }
        check_field(&field)?;
    }
    Ok(())
}

fn check_int(bit_width: i32) -> Result<(), String> {
    match bit_width {
        8 | 16 | 32 | 64 => Ok(()),
        w => Err(format!("a {w}-bit integer")),
    }
}

fn check_field(field: &Field) -> Result<(), String> {
    let name = field.name().unwrap_or_default();
    let bad = |what: &str| format!("column {name:?}: {what}");
    if let Some(dictionary) = field.dictionary() {
        let index = dictionary
            .indexType()
            .ok_or_else(|| bad("a dictionary without an index type"))?;
        check_int(index.bitWidth()).map_err(|e| bad(&format!("dictionary index: {e}")))?;
    }
    let children: Vec<Field> = field.children().into_iter().flatten().collect();
    let want_children = |n: usize| {
        if children.len() == n && field.children().is_some() {
            Ok(())
        } else {
            Err(bad(&format!(
                "{:?} needs {n} child fields, has {}",
                field.type_type(),
                children.len()
            )))
        }
    };
    let missing = || bad(&format!("{:?} without its parameters", field.type_type()));
    match field.type_type() {
        Type::Null
        | Type::Bool
        | Type::Binary
        | Type::BinaryView
        | Type::LargeBinary
        | Type::Utf8
        | Type::Utf8View
        | Type::LargeUtf8
        | Type::Struct_ => {}
        Type::Int => {
            check_int(field.type_as_int().ok_or_else(missing)?.bitWidth()).map_err(|e| bad(&e))?
        }
        Type::FixedSizeBinary => {
            if field
                .type_as_fixed_size_binary()
                .ok_or_else(missing)?
                .byteWidth()
                < 0
            {
                return Err(bad("a negative byte width"));
            }
        }
        Type::FloatingPoint => {
            let p = field
                .type_as_floating_point()
                .ok_or_else(missing)?
                .precision();
            if ![Precision::HALF, Precision::SINGLE, Precision::DOUBLE].contains(&p) {
                return Err(bad("an unknown float precision"));
            }
        }
        Type::Date => {
            let u = field.type_as_date().ok_or_else(missing)?.unit();
            if ![DateUnit::DAY, DateUnit::MILLISECOND].contains(&u) {
                return Err(bad("an unknown date unit"));
            }
        }
        Type::Time => {
            let t = field.type_as_time().ok_or_else(missing)?;
            let known = matches!(
                (t.bitWidth(), t.unit()),
                (32, TimeUnit::SECOND | TimeUnit::MILLISECOND)
                    | (64, TimeUnit::MICROSECOND | TimeUnit::NANOSECOND)
            );
            if !known {
                return Err(bad("an unknown time width and unit"));
            }
        }
        Type::Timestamp => check_unit(field.type_as_timestamp().ok_or_else(missing)?.unit())
            .map_err(|e| bad(&e))?,
        Type::Duration => {
            check_unit(field.type_as_duration().ok_or_else(missing)?.unit()).map_err(|e| bad(&e))?
        }
        Type::Interval => {
            let u = field.type_as_interval().ok_or_else(missing)?.unit();
            if ![
                IntervalUnit::YEAR_MONTH,
                IntervalUnit::DAY_TIME,
                IntervalUnit::MONTH_DAY_NANO,
            ]
            .contains(&u)
            {
                return Err(bad("an unknown interval unit"));
            }
        }
        Type::List | Type::LargeList | Type::ListView | Type::LargeListView => want_children(1)?,
        Type::FixedSizeList => {
            want_children(1)?;
            if field
                .type_as_fixed_size_list()
                .ok_or_else(missing)?
                .listSize()
                < 0
            {
                return Err(bad("a negative list size"));
            }
        }
        Type::RunEndEncoded => want_children(2)?,
        Type::Map => {
            field.type_as_map().ok_or_else(missing)?;
            want_children(1)?;
        }
        Type::Decimal => {
            let d = field.type_as_decimal().ok_or_else(missing)?;
            if u8::try_from(d.precision()).is_err() || i8::try_from(d.scale()).is_err() {
                return Err(bad("a decimal precision or scale out of range"));
            }
            if ![32, 64, 128, 256].contains(&d.bitWidth()) {
                return Err(bad("an unknown decimal width"));
            }
        }
        Type::Union => {
            let u = field.type_as_union().ok_or_else(missing)?;
            if ![UnionMode::Dense, UnionMode::Sparse].contains(&u.mode()) {
                return Err(bad("an unknown union mode"));
            }
            if children.len() > 128 {
                return Err(bad("a union of more than 128 types"));
            }
            if let Some(ids) = u.typeIds() {
                let ids: Vec<i32> = ids.iter().collect();
                let mut seen = [false; 128];
                let distinct = ids.iter().all(|&i| {
                    (0..128).contains(&i) && !std::mem::replace(&mut seen[i as usize], true)
                });
                if ids.len() != children.len() || !distinct {
                    return Err(bad("union type ids that do not match its children"));
                }
            }
        }
        t => return Err(bad(&format!("the unsupported type {t:?}"))),
    }
    children.iter().try_for_each(check_field)
}

fn check_unit(unit: TimeUnit) -> Result<(), String> {
    if [
        TimeUnit::SECOND,
        TimeUnit::MILLISECOND,
        TimeUnit::MICROSECOND,
        TimeUnit::NANOSECOND,
    ]
    .contains(&unit)
    {
        Ok(())
    } else {
        Err("an unknown time unit".into())
    }
}

/// The most bytes one byte of a codec's output can decompress to. LZ4 frame: a match
/// grows by at most 255 bytes per length byte. Zstandard: a block makes at most 128 KiB
/// and takes at least 4 bytes (an RLE block: 3 of header, 1 of data).
fn max_ratio(codec: CompressionType) -> u64 {
    if codec == CompressionType::ZSTD {
        (128 << 10) / 4
    } else {
        255
    }
}

/// Reads the 8 bytes at an offset of a message body (a compressed buffer's
/// uncompressed length).
type Prefix<'p> = dyn FnMut(u64) -> io::Result<[u8; 8]> + 'p;

/// Walks a record batch's field nodes and buffers in the schema's order, as arrow-ipc
/// consumes them, and checks what arrow-ipc slices before it validates: a validity
/// bitmap in use holds a bit per value, a union's type ids a byte per value and its
/// dense offsets four. (Counts that do not match are arrow-ipc's own error.)
struct Layout<'a, 'p> {
    nodes: std::vec::IntoIter<arrow::ipc::FieldNode>,
    buffers: std::vec::IntoIter<arrow::ipc::Buffer>,
    /// The data buffers of each view column after its views, in the walk's order.
    variadic: std::vec::IntoIter<i64>,
    codec: Option<CompressionType>,
    v4: bool,
    prefix: &'a mut Prefix<'p>,
}

impl Layout<'_, '_> {
    /// The bytes `buffer` holds once decompressed. arrow-ipc allocates a compressed
    /// buffer's declared length before it decompresses, so a length its codec cannot
    /// produce from the bytes there (a few bytes claiming terabytes) is refused here:
    /// the memory a file can make us allocate stays proportional to its size.
    fn size(&mut self, b: &arrow::ipc::Buffer) -> Result<u64, String> {
        let stored = b.length() as u64;
        let Some(codec) = self.codec.filter(|_| stored > 0) else {
            return Ok(stored);
        };
        let n = i64::from_le_bytes((self.prefix)(b.offset() as u64).map_err(|e| e.to_string())?);
        // -1: stored uncompressed after the prefix.
        if n == -1 {
            return Ok(stored - 8);
        }
        let most = (stored - 8).saturating_mul(max_ratio(codec));
        if n < 0 || n as u64 > most {
            return Err(format!(
                "a compressed buffer of {stored} bytes declares {n} bytes uncompressed \
                 (at most {most} can come from it)"
            ));
        }
        Ok(n as u64)
    }

    /// Takes `n` buffers; the first must hold `need` bytes when `used`.
    fn take(&mut self, n: usize, need: u64, used: bool) -> Result<(), String> {
        for i in 0..n {
            let Some(b) = self.buffers.next() else {
                return Ok(());
            };
            let have = self.size(&b)?;
            if i == 0 && used && have < need {
                return Err(format!(
                    "a buffer of {have} bytes for {need} bytes of values"
                ));
            }
        }
        Ok(())
    }

    fn field(&mut self, dt: &arrow::datatypes::DataType) -> Result<(), String> {
        use arrow::datatypes::DataType as D;
        let Some(node) = self.nodes.next() else {
            return Ok(());
        };
        let len = node.length().max(0) as u64;
        let bitmap = len.div_ceil(8);
        let nulls = node.null_count() > 0;
        match dt {
            D::Null => Ok(()),
            D::Utf8 | D::Binary | D::LargeUtf8 | D::LargeBinary => self.take(3, bitmap, nulls),
            // Validity, views, then as many data buffers as the batch says.
            D::BinaryView | D::Utf8View => {
                let data = self
                    .variadic
                    .next()
                    .ok_or("a view column without its buffer count")?;
                let data = usize::try_from(data).map_err(|_| format!("{data} data buffers"))?;
                self.take(2usize.saturating_add(data), bitmap, nulls)
            }
            D::List(f) | D::LargeList(f) | D::Map(f, _) => {
                self.take(2, bitmap, nulls)?;
                self.field(f.data_type())
            }
            D::ListView(f) | D::LargeListView(f) => {
                self.take(3, bitmap, nulls)?;
                self.field(f.data_type())
            }
            D::FixedSizeList(f, _) => {
                self.take(1, bitmap, nulls)?;
                self.field(f.data_type())
            }
            D::Struct(fields) => {
                self.take(1, bitmap, nulls)?;
                fields.iter().try_for_each(|f| self.field(f.data_type()))
            }
            D::RunEndEncoded(ends, values) => {
                self.field(ends.data_type())?;
                self.field(values.data_type())
            }
            D::Union(fields, mode) => {
                if self.v4 {
                    self.take(1, 0, false)?;
                }
                self.take(1, len, true)?;
                if *mode == arrow::datatypes::UnionMode::Dense {
                    self.take(1, len.saturating_mul(4), true)?;
                }
                fields
                    .iter()
                    .try_for_each(|(_, f)| self.field(f.data_type()))
            }
            // Primitives, booleans, fixed-size binary and dictionary indices.
            _ => self.take(2, bitmap, nulls),
        }
    }
}

/// What a schema says batches hold: its columns, and the value type of each
/// dictionary id (dictionary batches carry one column of it).
struct Known {
    schema: arrow::datatypes::Schema,
    dictionaries: HashMap<i64, DataType>,
}

impl Known {
    /// From a schema that passed [`check_schema`] (arrow-ipc's conversion panics on
    /// the rest).
    fn of(fb: Schema) -> Known {
        let schema = arrow::ipc::convert::fb_to_schema(fb);
        let mut dictionaries = HashMap::new();
        for (f, a) in fb
            .fields()
            .into_iter()
            .flatten()
            .zip(schema.fields().iter())
        {
            dictionary_types(&f, a, &mut dictionaries);
        }
        Known {
            schema,
            dictionaries,
        }
    }
}

fn dictionary_types(fb: &Field, field: &ArrowField, out: &mut HashMap<i64, DataType>) {
    let mut dt = field.data_type();
    if let (Some(d), DataType::Dictionary(_, values)) = (fb.dictionary(), dt) {
        out.insert(d.id(), (**values).clone());
        dt = values;
    }
    let children: Vec<&ArrowField> = match dt {
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::ListView(f)
        | DataType::LargeListView(f)
        | DataType::FixedSizeList(f, _)
        | DataType::Map(f, _) => vec![f.as_ref()],
        DataType::Struct(fs) => fs.iter().map(|f| f.as_ref()).collect(),
        DataType::Union(fs, _) => fs.iter().map(|(_, f)| f.as_ref()).collect(),
        DataType::RunEndEncoded(a, b) => vec![a.as_ref(), b.as_ref()],
        _ => Vec::new(),
    };
    for (c, a) in fb.children().into_iter().flatten().zip(children) {
        dictionary_types(&c, a, out);
    }
}

/// Checks a record or dictionary batch message's layout against what the schema says
/// it holds (see [`Layout`]).
fn check_layout(message: &Message, known: &Known, prefix: &mut Prefix, at: u64) -> io::Result<()> {
    let (batch, columns): (_, Vec<(String, DataType)>) =
        if let Some(batch) = message.header_as_record_batch() {
            let columns = known.schema.fields().iter();
            (
                batch,
                columns
                    .map(|f| (f.name().clone(), f.data_type().clone()))
                    .collect(),
            )
        } else if let Some(d) = message.header_as_dictionary_batch() {
            let (Some(batch), Some(values)) = (d.data(), known.dictionaries.get(&d.id())) else {
                return Ok(());
            };
            (
                batch,
                vec![(format!("dictionary {}", d.id()), values.clone())],
            )
        } else {
            return Ok(());
        };
    let mut layout = Layout {
        nodes: batch
            .nodes()
            .into_iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .into_iter(),
        buffers: batch
            .buffers()
            .into_iter()
            .flatten()
            .copied()
            .collect::<Vec<_>>()
            .into_iter(),
        variadic: batch
            .variadicBufferCounts()
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .into_iter(),
        codec: batch.compression().map(|c| c.codec()),
        v4: message.version() < arrow::ipc::MetadataVersion::V5,
        prefix,
    };
    for (name, dt) in &columns {
        layout
            .field(dt)
            .map_err(|e| invalid(at, format!("column {name:?}: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringViewArray};
    use arrow::ipc::writer::{FileWriter, IpcWriteOptions, StreamWriter};
    use std::io::Cursor;
    use std::sync::Arc;

    fn batch() -> RecordBatch {
        // A view column whose one long string is its only data buffer (16 bytes), then
        // an integer column with nulls: its validity bitmap needs 125 bytes.
        let mut views = vec![None; 1000];
        views[0] = Some("a string of 21 bytes.");
        let ints: Int64Array = (0..1000).map(|i| (i % 7 != 0).then_some(0)).collect();
        RecordBatch::try_from_iter([
            ("v", Arc::new(StringViewArray::from(views)) as ArrayRef),
            ("n", Arc::new(ints) as ArrayRef),
        ])
        .unwrap()
    }

    fn options(codec: Option<CompressionType>) -> IpcWriteOptions {
        IpcWriteOptions::default()
            .try_with_compression(codec)
            .unwrap()
    }

    fn stream(codec: Option<CompressionType>) -> Vec<u8> {
        let b = batch();
        let mut w =
            StreamWriter::try_new_with_options(Vec::new(), &b.schema(), options(codec)).unwrap();
        w.write(&b).unwrap();
        w.into_inner().unwrap()
    }

    fn file(codec: Option<CompressionType>) -> Vec<u8> {
        let b = batch();
        let mut w =
            FileWriter::try_new_with_options(Vec::new(), &b.schema(), options(codec)).unwrap();
        w.write(&b).unwrap();
        w.into_inner().unwrap()
    }

    fn read_stream(bytes: &[u8]) -> Result<Vec<RecordBatch>, String> {
        let reader = arrow::ipc::reader::StreamReader::try_new(CheckedStream::new(bytes), None)
            .map_err(|e| e.to_string())?;
        reader.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }

    fn read_file(bytes: &[u8]) -> Result<Vec<RecordBatch>, String> {
        let mut cursor = Cursor::new(bytes);
        check_file(&mut cursor).map_err(|e| e.to_string())?;
        let reader =
            arrow::ipc::reader::FileReader::try_new(cursor, None).map_err(|e| e.to_string())?;
        reader.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }

    /// The body's bytes of the integer column's values: 1000 eight-byte values.
    const VALUES_LEN: [u8; 8] = 8000u64.to_le_bytes();

    #[test]
    fn view_columns_take_their_data_buffers_before_the_next_column() {
        for codec in [
            None,
            Some(CompressionType::LZ4_FRAME),
            Some(CompressionType::ZSTD),
        ] {
            assert_eq!(
                read_stream(&stream(codec)).unwrap(),
                vec![batch()],
                "{codec:?}"
            );
            assert_eq!(read_file(&file(codec)).unwrap(), vec![batch()], "{codec:?}");
        }
    }

    #[test]
    fn a_compressed_buffer_cannot_claim_more_than_its_codec_makes() {
        for codec in [CompressionType::LZ4_FRAME, CompressionType::ZSTD] {
            for (bytes, read) in [
                (stream(Some(codec)), read_stream as fn(&[u8]) -> _),
                (file(Some(codec)), read_file),
            ] {
                let at = bytes
                    .windows(8)
                    .position(|w| w == VALUES_LEN)
                    .expect("the values' uncompressed length");
                for claim in [1u64 << 40, i64::MAX as u64, -2i64 as u64] {
                    let mut bomb = bytes.clone();
                    bomb[at..at + 8].copy_from_slice(&claim.to_le_bytes());
                    let err = read(&bomb).unwrap_err();
                    assert!(err.contains("declares"), "{codec:?} {claim}: {err}");
                    assert!(err.contains("corrupt Arrow IPC data at byte"), "{err}");
                }
            }
        }
    }
}
