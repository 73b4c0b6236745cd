//! The HID report descriptor decoder (HID 1.11, section 6.2.2). Two layers: `items`
//! splits the bytes into short and long items; `decode` runs the parser state machine
//! (global state with push/pop, local state reset by each main item) and lays out the
//! reports: per report id and direction, the fields with their bit offsets.
//!
//! Descriptors come from devices and files we do not control, so every step is total:
//! truncated items, oversized counts, stack underflow and unbalanced collections become
//! `problems`, never a panic, and sizes saturate instead of overflowing.

use serde::Serialize;

use super::{units, usage};

/// One item as it sits in the descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Byte offset of the item's prefix byte.
    pub offset: usize,
    /// "main", "global", "local", "reserved" or "long".
    pub kind: &'static str,
    /// The 4-bit tag (short items) or the long item's tag byte.
    pub tag: u8,
    /// Item name, e.g. "Usage Page", "Input".
    pub name: &'static str,
    /// The data bytes, little endian as they appear.
    pub data: Vec<u8>,
    /// The data as an unsigned number (short items; 0 for long items).
    pub value: u32,
    /// What the value means, for the items where that is more than the number:
    /// usage names, main item flags, collection kinds.
    pub meaning: Option<String>,
}

/// Direction of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Input,
    Output,
    Feature,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
            Direction::Feature => "feature",
        }
    }
}

/// One main item's worth of a report: `count` elements of `size` bits each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Bit offset inside the report, after the report id byte.
    pub bit_offset: u64,
    /// Bits per element.
    pub size: u32,
    pub count: u32,
    /// The Usage Page in effect at the main item.
    pub usage_page: u16,
    /// Usages in the order they apply to the elements, as 32-bit usages (page in the
    /// high half). Ranges are kept as ranges.
    pub usages: Vec<UsageSpec>,
    pub logical_min: i64,
    pub logical_max: i64,
    pub physical_min: i64,
    pub physical_max: i64,
    /// The Unit item's raw value (see `units::unit_text`).
    pub unit: u32,
    pub unit_exponent: i32,
    /// Main item flag bits (bit 0 constant, bit 1 variable, bit 2 relative, ...).
    pub flags: u32,
}

/// A usage, or a range of usages from Usage Minimum/Maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UsageSpec {
    One(u32),
    Range(u32, u32),
}

impl Field {
    pub fn is_constant(&self) -> bool {
        self.flags & 1 != 0
    }
    pub fn is_variable(&self) -> bool {
        self.flags & 2 != 0
    }
    pub fn is_relative(&self) -> bool {
        self.flags & 4 != 0
    }

    /// The usage of element `i` of a variable field (the last usage repeats, as the
    /// spec says), as (page, id).
    pub fn usage_of(&self, i: u32) -> Option<(u16, u16)> {
        let mut left = i as u64;
        let mut last = None;
        for u in &self.usages {
            match *u {
                UsageSpec::One(x) => {
                    if left == 0 {
                        return Some(self.split(x));
                    }
                    last = Some(x);
                    left -= 1;
                }
                UsageSpec::Range(a, b) => {
                    let n = (b as u64).saturating_sub(a as u64) + 1;
                    if left < n {
                        return Some(self.split(a + left as u32));
                    }
                    last = Some(b);
                    left -= n;
                }
            }
        }
        last.map(|x| self.split(x))
    }

    /// For array fields: the usage a value selects (value - logical_min indexes the
    /// usage list).
    pub fn array_usage(&self, value: i64) -> Option<(u16, u16)> {
        let idx = value.checked_sub(self.logical_min)?;
        if idx < 0 {
            return None;
        }
        let mut left = idx as u64;
        for u in &self.usages {
            match *u {
                UsageSpec::One(x) => {
                    if left == 0 {
                        return Some(self.split(x));
                    }
                    left -= 1;
                }
                UsageSpec::Range(a, b) => {
                    let n = (b as u64).saturating_sub(a as u64) + 1;
                    if left < n {
                        return Some(self.split(a + left as u32));
                    }
                    left -= n;
                }
            }
        }
        None
    }

    fn split(&self, x: u32) -> (u16, u16) {
        ((x >> 16) as u16, x as u16)
    }

    /// The 32-bit usages of the field as text: "0x00070000-0x000700ff,0x00010030",
    /// exact for programs that compare layouts.
    pub fn usage_codes(&self) -> String {
        let parts: Vec<String> = self
            .usages
            .iter()
            .map(|u| match *u {
                UsageSpec::One(x) => format!("0x{x:08x}"),
                UsageSpec::Range(a, b) => format!("0x{a:08x}-0x{b:08x}"),
            })
            .collect();
        parts.join(",")
    }

    /// The unit of the field's physical values as text, when the descriptor gives one.
    pub fn unit_text(&self) -> Option<String> {
        units::unit_text(self.unit)
    }

    /// The field's logical-to-physical mapping.
    pub fn scale(&self) -> units::Scale {
        units::Scale {
            logical_min: self.logical_min,
            logical_max: self.logical_max,
            physical_min: self.physical_min,
            physical_max: self.physical_max,
            unit_exponent: self.unit_exponent,
        }
    }

    /// A short description of the usages: "Keyboard/Keypad/Keyboard LeftControl..Keyboard Right GUI".
    pub fn usage_text(&self) -> String {
        let parts: Vec<String> = self
            .usages
            .iter()
            .take(8)
            .map(|u| match *u {
                UsageSpec::One(x) => {
                    let (p, id) = self.split(x);
                    usage::full_name(p, id)
                }
                UsageSpec::Range(a, b) => {
                    let (p, ia) = self.split(a);
                    let (_, ib) = self.split(b);
                    let name = |id| usage::usage_name(p, id).unwrap_or_else(|| format!("0x{id:x}"));
                    format!("{}/{}..{}", usage::page_name(p), name(ia), name(ib))
                }
            })
            .collect();
        let mut s = parts.join(", ");
        if self.usages.len() > 8 {
            s.push_str(", ...");
        }
        if s.is_empty() && self.is_constant() {
            s = "padding".into();
        }
        s
    }

    /// Reads element `i` from a report's payload (without report id byte), sign
    /// extended when the logical minimum is negative. Elements are up to 64 bits wide
    /// (pens report 64-bit serial numbers), so an unsigned one may not fit an i64.
    /// `None` past the end.
    pub fn element(&self, payload: &[u8], i: u32) -> Option<i128> {
        if self.size == 0 || self.size > 64 {
            return None;
        }
        let start = self
            .bit_offset
            .checked_add(u64::from(i).checked_mul(u64::from(self.size))?)?;
        let end = start.checked_add(u64::from(self.size))?;
        if end > (payload.len() as u64) * 8 {
            return None;
        }
        let mut v: u64 = 0;
        for bit in 0..self.size as u64 {
            let pos = start + bit;
            let byte = payload[(pos / 8) as usize];
            if byte >> (pos % 8) & 1 == 1 {
                v |= 1 << bit;
            }
        }
        if self.logical_min < 0 && v >> (self.size - 1) & 1 == 1 {
            Some(i128::from(v) - (1i128 << self.size))
        } else {
            Some(i128::from(v))
        }
    }
}

/// One report: its id (0 when the device does not number reports), direction and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: u8,
    pub direction: Direction,
    /// Bits of payload, not counting the report id byte.
    pub bits: u64,
    pub fields: Vec<Field>,
}

impl Report {
    /// Payload bytes, not counting the report id byte.
    pub fn bytes(&self) -> u64 {
        self.bits.div_ceil(8)
    }
}

/// A top-level application collection: what the interface is (keyboard, mouse, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TopLevel {
    pub usage_page: u16,
    pub usage: u16,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    pub items: Vec<Item>,
    pub reports: Vec<Report>,
    pub top_level: Vec<TopLevel>,
    /// Everything that was malformed, with the byte offset.
    pub problems: Vec<String>,
}

impl Descriptor {
    /// True when reports carry a report id byte.
    pub fn numbered(&self) -> bool {
        self.reports.iter().any(|r| r.id != 0)
    }

    pub fn report(&self, id: u8, dir: Direction) -> Option<&Report> {
        self.reports
            .iter()
            .find(|r| r.id == id && r.direction == dir)
    }

    pub fn ids(&self, dir: Direction) -> Vec<u8> {
        self.reports
            .iter()
            .filter(|r| r.direction == dir)
            .map(|r| r.id)
            .collect()
    }
}

/// Limits that keep hostile descriptors from using unbounded memory.
const MAX_STACK: usize = 64;
const MAX_USAGES_PER_MAIN: usize = 4096;

/// Splits a descriptor into items. Stops at the first truncated item (reported).
pub fn items(bytes: &[u8]) -> (Vec<Item>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0usize;
    while i < bytes.len() {
        let prefix = bytes[i];
        if prefix == 0xfe {
            // Long item: 0xfe, bDataSize, bLongItemTag, data.
            let (Some(&size), Some(&tag)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
                problems.push(format!("byte {i}: long item header truncated"));
                break;
            };
            let end = i + 3 + size as usize;
            if end > bytes.len() {
                problems.push(format!(
                    "byte {i}: long item needs {size} data bytes, only {} left",
                    bytes.len() - i - 3
                ));
                break;
            }
            out.push(Item {
                offset: i,
                kind: "long",
                tag,
                name: "Long Item",
                data: bytes[i + 3..end].to_vec(),
                value: 0,
                meaning: None,
            });
            i = end;
            continue;
        }
        let size = match prefix & 3 {
            3 => 4,
            n => n as usize,
        };
        let end = i + 1 + size;
        if end > bytes.len() {
            problems.push(format!(
                "byte {i}: item 0x{prefix:02x} needs {size} data bytes, only {} left",
                bytes.len() - i - 1
            ));
            break;
        }
        let data = bytes[i + 1..end].to_vec();
        let mut v = [0u8; 4];
        v[..size].copy_from_slice(&data);
        let kind = match (prefix >> 2) & 3 {
            0 => "main",
            1 => "global",
            2 => "local",
            _ => "reserved",
        };
        let tag = prefix >> 4;
        out.push(Item {
            offset: i,
            kind,
            tag,
            name: item_name(kind, tag),
            data,
            value: u32::from_le_bytes(v),
            meaning: None,
        });
        i = end;
    }
    (out, problems)
}

fn item_name(kind: &str, tag: u8) -> &'static str {
    match (kind, tag) {
        ("main", 0x8) => "Input",
        ("main", 0x9) => "Output",
        ("main", 0xb) => "Feature",
        ("main", 0xa) => "Collection",
        ("main", 0xc) => "End Collection",
        ("global", 0x0) => "Usage Page",
        ("global", 0x1) => "Logical Minimum",
        ("global", 0x2) => "Logical Maximum",
        ("global", 0x3) => "Physical Minimum",
        ("global", 0x4) => "Physical Maximum",
        ("global", 0x5) => "Unit Exponent",
        ("global", 0x6) => "Unit",
        ("global", 0x7) => "Report Size",
        ("global", 0x8) => "Report ID",
        ("global", 0x9) => "Report Count",
        ("global", 0xa) => "Push",
        ("global", 0xb) => "Pop",
        ("local", 0x0) => "Usage",
        ("local", 0x1) => "Usage Minimum",
        ("local", 0x2) => "Usage Maximum",
        ("local", 0x3) => "Designator Index",
        ("local", 0x4) => "Designator Minimum",
        ("local", 0x5) => "Designator Maximum",
        ("local", 0x7) => "String Index",
        ("local", 0x8) => "String Minimum",
        ("local", 0x9) => "String Maximum",
        ("local", 0xa) => "Delimiter",
        _ => "Reserved",
    }
}

/// Signed value of an item's data (logical/physical min/max, unit exponent).
fn signed(item: &Item) -> i64 {
    match item.data.len() {
        1 => item.data[0] as i8 as i64,
        2 => i16::from_le_bytes([item.data[0], item.data[1]]) as i64,
        4 => item.value as i32 as i64,
        _ => 0,
    }
}

/// A maximum as its item wrote it: signed, and the raw bytes to read it unsigned when
/// the minimum is not negative (descriptors write 0..255 as 0x25 0xff, which read
/// signed is -1; Linux reads a maximum unsigned unless the minimum is negative).
#[derive(Debug, Clone, Copy, Default)]
struct Maximum {
    signed: i64,
    raw: u32,
    len: usize,
}

impl Maximum {
    fn of(item: &Item) -> Maximum {
        Maximum {
            signed: signed(item),
            raw: item.value,
            len: item.data.len(),
        }
    }

    fn given(&self, min: i64) -> i64 {
        if min >= 0 && self.signed < 0 {
            match self.len {
                1 => i64::from(self.raw as u8),
                2 => i64::from(self.raw as u16),
                _ => i64::from(self.raw),
            }
        } else {
            self.signed
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Globals {
    usage_page: u16,
    logical_min: i64,
    logical_max: Maximum,
    physical_min: i64,
    physical_max: Maximum,
    unit: u32,
    unit_exponent: i32,
    report_size: u32,
    report_id: u8,
    report_count: u32,
}

/// A local Usage, or Usage Minimum/Maximum pair, as declared: its 32-bit value and
/// whether the item gave the page itself (a 4-byte item) or took the one in effect.
#[derive(Debug, Clone, Copy)]
struct Declared {
    spec: UsageSpec,
    extended: bool,
}

/// Linux's rule for usages declared before a later Usage Page item (hid-core.c,
/// hid_concatenate_last_usage_page; hid-tools does the same): at the main item, the
/// short usages at the end of the list whose page is not the current one take the
/// current page, back to the first that already has it. Descriptors that write
/// `Usage (X) Usage Page (Generic Desktop)` mean X of that page.
fn concatenate_last_usage_page(usages: &mut [Declared], page: u16) {
    let with_page = |x: u32| (u32::from(page) << 16) | (x & 0xffff);
    for d in usages.iter_mut().rev() {
        if d.extended {
            continue;
        }
        let current = match d.spec {
            UsageSpec::One(x) | UsageSpec::Range(_, x) => (x >> 16) as u16,
        };
        if current == page {
            break;
        }
        d.spec = match d.spec {
            UsageSpec::One(x) => UsageSpec::One(with_page(x)),
            UsageSpec::Range(a, b) => UsageSpec::Range(with_page(a), with_page(b)),
        };
    }
}

fn main_flags_text(tag: u8, v: u32) -> String {
    if tag == 0xa {
        return match v {
            0 => "Physical".into(),
            1 => "Application".into(),
            2 => "Logical".into(),
            3 => "Report".into(),
            4 => "Named Array".into(),
            5 => "Usage Switch".into(),
            6 => "Usage Modifier".into(),
            0x80..=0xff => "Vendor".into(),
            _ => format!("Reserved 0x{v:02x}"),
        };
    }
    let bit = |n: u32, on: &'static str, off: &'static str| if v >> n & 1 == 1 { on } else { off };
    let mut parts = vec![
        bit(0, "Constant", "Data"),
        bit(1, "Variable", "Array"),
        bit(2, "Relative", "Absolute"),
    ];
    for (n, name) in [
        (3, "Wrap"),
        (4, "Non Linear"),
        (5, "No Preferred"),
        (6, "Null State"),
        (7, "Volatile"),
        (8, "Buffered Bytes"),
    ] {
        if v >> n & 1 == 1 {
            parts.push(name);
        }
    }
    parts.join(",")
}

/// Decodes a report descriptor. Never panics; malformed parts are listed in `problems`
/// and the layout built from everything before them.
pub fn decode(bytes: &[u8]) -> Descriptor {
    let (mut items, mut problems) = items(bytes);
    let mut g = Globals::default();
    let mut stack: Vec<Globals> = Vec::new();
    let mut usages: Vec<Declared> = Vec::new();
    let mut usage_min: Option<u32> = None;
    let mut depth: usize = 0;
    let mut top_level = Vec::new();
    // (id, direction) -> report under construction, in first-seen order.
    let mut reports: Vec<Report> = Vec::new();

    for item in items.iter_mut() {
        let at = item.offset;
        match (item.kind, item.tag) {
            ("global", 0x0) => {
                g.usage_page = item.value as u16;
                if item.value > 0xffff {
                    problems.push(format!("byte {at}: usage page 0x{:x} is wider than 16 bits", item.value));
                }
                item.meaning = Some(usage::page_name(g.usage_page));
            }
            ("global", 0x1) => g.logical_min = signed(item),
            ("global", 0x2) => g.logical_max = Maximum::of(item),
            ("global", 0x3) => g.physical_min = signed(item),
            ("global", 0x4) => g.physical_max = Maximum::of(item),
            ("global", 0x5) => g.unit_exponent = units::unit_exponent(item.value, signed(item)),
            ("global", 0x6) => {
                g.unit = item.value;
                item.meaning = units::unit_text(item.value);
            }
            ("global", 0x7) => g.report_size = item.value,
            ("global", 0x8) => {
                if item.value == 0 || item.value > 255 {
                    problems.push(format!("byte {at}: report id {} is outside 1-255", item.value));
                }
                g.report_id = item.value as u8;
            }
            ("global", 0x9) => g.report_count = item.value,
            ("global", 0xa) => {
                if stack.len() >= MAX_STACK {
                    problems.push(format!("byte {at}: push nested deeper than {MAX_STACK}"));
                } else {
                    stack.push(g);
                }
            }
            ("global", 0xb) => match stack.pop() {
                Some(s) => g = s,
                None => problems.push(format!("byte {at}: pop without a matching push")),
            },
            ("local", 0x0) => {
                if usages.len() < MAX_USAGES_PER_MAIN {
                    usages.push(Declared {
                        spec: UsageSpec::One(extend(item, g.usage_page)),
                        extended: item.data.len() == 4,
                    });
                }
                item.meaning = Some(local_usage_meaning(item, g.usage_page));
            }
            ("local", 0x1) => {
                usage_min = Some(item.value);
                item.meaning = Some(local_usage_meaning(item, g.usage_page));
            }
            ("local", 0x2) => {
                // The range takes its page from the maximum, as in Linux.
                let max = extend(item, g.usage_page);
                item.meaning = Some(local_usage_meaning(item, g.usage_page));
                match usage_min.take().map(|m| (max & 0xffff_0000) | (m & 0xffff)) {
                    Some(min) if min <= max => {
                        if usages.len() < MAX_USAGES_PER_MAIN {
                            usages.push(Declared {
                                spec: UsageSpec::Range(min, max),
                                extended: item.data.len() == 4,
                            });
                        }
                    }
                    Some(min) => problems.push(format!(
                        "byte {at}: usage maximum 0x{max:x} below minimum 0x{min:x}"
                    )),
                    None => problems.push(format!("byte {at}: usage maximum without minimum")),
                }
            }
            ("main", 0xa) => {
                item.meaning = Some(main_flags_text(0xa, item.value));
                concatenate_last_usage_page(&mut usages, g.usage_page);
                if depth == 0 && item.value == 1 {
                    let x = usages.first().map_or(u32::from(g.usage_page) << 16, |u| match u.spec {
                        UsageSpec::One(x) | UsageSpec::Range(x, _) => x,
                    });
                    top_level.push(TopLevel {
                        usage_page: (x >> 16) as u16,
                        usage: x as u16,
                    });
                }
                depth = depth.saturating_add(1);
                usages.clear();
                usage_min = None;
            }
            ("main", 0xc) => {
                if depth == 0 {
                    problems.push(format!("byte {at}: end collection without a collection"));
                } else {
                    depth -= 1;
                }
                usages.clear();
                usage_min = None;
            }
            ("main", tag @ (0x8 | 0x9 | 0xb)) => {
                item.meaning = Some(main_flags_text(tag, item.value));
                let direction = match tag {
                    0x8 => Direction::Input,
                    0x9 => Direction::Output,
                    _ => Direction::Feature,
                };
                if g.report_size > 64 {
                    problems.push(format!(
                        "byte {at}: report size {} is wider than 64 bits; its values are not decoded",
                        g.report_size
                    ));
                }
                concatenate_last_usage_page(&mut usages, g.usage_page);
                let idx = match reports
                    .iter()
                    .position(|r| r.id == g.report_id && r.direction == direction)
                {
                    Some(i) => i,
                    None => {
                        reports.push(Report {
                            id: g.report_id,
                            direction,
                            bits: 0,
                            fields: Vec::new(),
                        });
                        reports.len() - 1
                    }
                };
                let r = &mut reports[idx];
                let bits = u64::from(g.report_size) * u64::from(g.report_count);
                let field = Field {
                    bit_offset: r.bits,
                    size: g.report_size,
                    count: g.report_count,
                    usage_page: g.usage_page,
                    usages: usages.drain(..).map(|d| d.spec).collect(),
                    logical_min: g.logical_min,
                    logical_max: g.logical_max.given(g.logical_min),
                    physical_min: g.physical_min,
                    physical_max: g.physical_max.given(g.physical_min),
                    unit: g.unit,
                    unit_exponent: g.unit_exponent,
                    flags: item.value,
                };
                r.bits = r.bits.saturating_add(bits);
                if bits > 0 {
                    r.fields.push(field);
                }
                usage_min = None;
            }
            ("long", _) => problems.push(format!(
                "byte {at}: long item (tag 0x{:02x}, {} bytes) skipped; no long item tags are defined",
                item.tag,
                item.data.len()
            )),
            ("main", _) | ("reserved", _) => {
                problems.push(format!("byte {at}: reserved item 0x{:02x}", bytes[at]))
            }
            _ => {}
        }
    }
    if depth > 0 {
        problems.push(format!(
            "end of descriptor: {depth} collection(s) not closed"
        ));
    }
    if !stack.is_empty() {
        problems.push(format!(
            "end of descriptor: {} push(es) without pop",
            stack.len()
        ));
    }
    let numbered = reports.iter().any(|r| r.id != 0);
    if numbered && reports.iter().any(|r| r.id == 0) {
        problems.push("some reports have a report id and some do not".into());
    }
    for r in &reports {
        if !r.bits.is_multiple_of(8) {
            problems.push(format!(
                "{} report {}: {} bits is not a whole number of bytes",
                r.direction.as_str(),
                r.id,
                r.bits
            ));
        }
    }
    Descriptor {
        items,
        reports,
        top_level,
        problems,
    }
}

/// A 4-byte usage carries its page in the high half; shorter ones take the page in
/// effect (which the main item may still change: `concatenate_last_usage_page`).
fn extend(item: &Item, page: u16) -> u32 {
    if item.data.len() == 4 {
        item.value
    } else {
        (u32::from(page) << 16) | (item.value & 0xffff)
    }
}

fn local_usage_meaning(item: &Item, page: u16) -> String {
    if item.data.len() == 4 {
        usage::full_name((item.value >> 16) as u16, item.value as u16)
    } else {
        usage::usage_name(page, item.value as u16)
            .unwrap_or_else(|| format!("0x{:04x}", item.value as u16))
    }
}

/// A decoded element of a report, for `hidctl read`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    /// "Page/Usage" from the HID Usage Tables.
    pub usage: String,
    /// The 32-bit usage (page in the high half); `None` for an element of a variable
    /// field that has no usage.
    pub code: Option<u32>,
    /// The logical value (1 for a usage an array field selects); `None` for an unsigned
    /// 64-bit value above i64's range, which `value_u64` holds instead.
    pub value: Option<i64>,
    pub value_u64: Option<u64>,
    /// The value in `unit`, when the descriptor gives the field a unit.
    pub physical: Option<f64>,
    pub unit: Option<String>,
}

/// Decodes one report payload (without the report id byte) with its layout: variable
/// fields give one value per usage, array fields the usages currently selected (keys
/// held down); constant padding is skipped.
pub fn decode_report(report: &Report, payload: &[u8]) -> Vec<Value> {
    let mut out = Vec::new();
    for f in &report.fields {
        if f.is_constant() {
            continue;
        }
        // Never more elements than the payload can hold.
        let fit = if f.size == 0 {
            0
        } else {
            ((payload.len() as u64 * 8).saturating_sub(f.bit_offset) / f.size as u64)
                .min(f.count as u64) as u32
        };
        let (unit, scale) = (f.unit_text(), f.scale());
        for i in 0..fit {
            let Some(v) = f.element(payload, i) else {
                break;
            };
            if f.is_variable() {
                let usage = f.usage_of(i);
                let (value, value_u64) = match i64::try_from(v) {
                    Ok(v) => (Some(v), None),
                    Err(_) => (None, u64::try_from(v).ok()),
                };
                let physical = unit.as_ref().and_then(|_| scale.physical(v as f64));
                out.push(Value {
                    usage: match usage {
                        Some((p, u)) => usage::full_name(p, u),
                        None => format!("{}/element {i}", usage::page_name(f.usage_page)),
                    },
                    code: usage.map(|(p, u)| (u32::from(p) << 16) | u32::from(u)),
                    value,
                    value_u64,
                    unit: physical.and(unit.clone()),
                    physical,
                });
            } else {
                // Array: a value outside the logical range means "nothing here".
                let Some(v) = i64::try_from(v)
                    .ok()
                    .filter(|v| (f.logical_min..=f.logical_max).contains(v))
                else {
                    continue;
                };
                if let Some((p, u)) = f.array_usage(v) {
                    if p == 0x07 && u == 0 {
                        continue;
                    }
                    out.push(Value {
                        usage: usage::full_name(p, u),
                        code: Some((u32::from(p) << 16) | u32::from(u)),
                        value: Some(1),
                        value_u64: None,
                        physical: None,
                        unit: None,
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// QEMU 7.2's USB keyboard, as read from /sys/class/hidraw/hidraw0/device/
    /// report_descriptor in the test guest: boot keyboard, 8-byte input, 1-byte LEDs.
    pub const QEMU_KEYBOARD: &[u8] = &[
        0x05, 0x01, 0x09, 0x06, 0xa1, 0x01, 0x75, 0x01, 0x95, 0x08, 0x05, 0x07, 0x19, 0xe0, 0x29,
        0xe7, 0x15, 0x00, 0x25, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x01, 0x95, 0x05,
        0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91,
        0x01, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0xff, 0x05, 0x07, 0x19, 0x00, 0x29, 0xff,
        0x81, 0x00, 0xc0,
    ];

    /// QEMU 7.2's USB mouse: 5 buttons, relative X, Y, wheel (4-byte input).
    pub const QEMU_MOUSE: &[u8] = &[
        0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09, 0x19, 0x01, 0x29,
        0x05, 0x15, 0x00, 0x25, 0x01, 0x95, 0x05, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x03,
        0x81, 0x01, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x09, 0x38, 0x15, 0x81, 0x25, 0x7f, 0x75,
        0x08, 0x95, 0x03, 0x81, 0x06, 0xc0, 0xc0,
    ];

    /// QEMU 7.2's USB tablet: 3 buttons, absolute X and Y (0..0x7fff), wheel.
    pub const QEMU_TABLET: &[u8] = &[
        0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x09, 0x01, 0xa1, 0x00, 0x05, 0x09, 0x19, 0x01, 0x29,
        0x03, 0x15, 0x00, 0x25, 0x01, 0x95, 0x03, 0x75, 0x01, 0x81, 0x02, 0x95, 0x01, 0x75, 0x05,
        0x81, 0x01, 0x05, 0x01, 0x09, 0x30, 0x09, 0x31, 0x15, 0x00, 0x26, 0xff, 0x7f, 0x35, 0x00,
        0x46, 0xff, 0x7f, 0x75, 0x10, 0x95, 0x02, 0x81, 0x02, 0x05, 0x01, 0x09, 0x38, 0x15, 0x81,
        0x25, 0x7f, 0x35, 0x00, 0x45, 0x00, 0x75, 0x08, 0x95, 0x01, 0x81, 0x06, 0xc0, 0xc0,
    ];

    #[test]
    fn keyboard_layout() {
        let d = decode(QEMU_KEYBOARD);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(
            d.top_level,
            vec![TopLevel {
                usage_page: 1,
                usage: 6
            }]
        );
        let input = d.report(0, Direction::Input).unwrap();
        assert_eq!(input.bytes(), 8);
        let output = d.report(0, Direction::Output).unwrap();
        assert_eq!(output.bytes(), 1);
        assert_eq!(output.fields[0].usage_text(), "LED/Num Lock..Kana");
        assert!(!d.numbered());
        // Left Shift + 'a' held.
        let vals = decode_report(input, &[0x02, 0, 0x04, 0, 0, 0, 0, 0]);
        let set: Vec<_> = vals
            .iter()
            .filter(|v| v.value != Some(0))
            .map(|v| v.usage.as_str())
            .collect();
        assert_eq!(
            set,
            vec![
                "Keyboard/Keypad/Keyboard LeftShift",
                "Keyboard/Keypad/Keyboard A"
            ]
        );
        // Item list names and meanings.
        assert_eq!(d.items[0].name, "Usage Page");
        assert_eq!(d.items[0].meaning.as_deref(), Some("Generic Desktop"));
        assert_eq!(d.items[2].meaning.as_deref(), Some("Application"));
        let last = d.items.last().unwrap();
        assert_eq!(
            (last.offset, last.name),
            (QEMU_KEYBOARD.len() - 1, "End Collection")
        );
    }

    #[test]
    fn mouse_and_tablet_layouts() {
        let m = decode(QEMU_MOUSE);
        assert!(m.problems.is_empty(), "{:?}", m.problems);
        assert_eq!(
            m.top_level[0],
            TopLevel {
                usage_page: 1,
                usage: 2
            }
        );
        let r = m.report(0, Direction::Input).unwrap();
        assert_eq!(r.bytes(), 4);
        // Button 1, dx=-3, dy=+5, wheel -1.
        let vals = decode_report(r, &[0x01, 0xfd, 0x05, 0xff]);
        let get = |u: &str| vals.iter().find(|v| v.usage == u).and_then(|v| v.value);
        assert_eq!(get("Button/Button 1"), Some(1));
        assert_eq!(get("Generic Desktop/X"), Some(-3));
        assert_eq!(get("Generic Desktop/Y"), Some(5));
        assert_eq!(get("Generic Desktop/Wheel"), Some(-1));
        assert_eq!(get("Button/Button 5"), Some(0));

        let t = decode(QEMU_TABLET);
        assert!(t.problems.is_empty(), "{:?}", t.problems);
        let r = t.report(0, Direction::Input).unwrap();
        assert_eq!(r.bytes(), 6);
        let vals = decode_report(r, &[0x00, 0xff, 0x7f, 0x00, 0x40, 0x00]);
        let x = vals
            .iter()
            .find(|v| v.usage == "Generic Desktop/X")
            .unwrap();
        assert_eq!(x.value, Some(0x7fff));
        let y = vals
            .iter()
            .find(|v| v.usage == "Generic Desktop/Y")
            .unwrap();
        assert_eq!(y.value, Some(0x4000));
        assert_eq!(r.fields[2].logical_max, 0x7fff);
    }

    #[test]
    fn malformed_descriptors_are_reported_not_fatal() {
        // Truncated: a 2-byte Logical Maximum with one byte left.
        let d = decode(&[0x05, 0x01, 0x26, 0xff]);
        assert_eq!(d.items.len(), 1);
        assert!(d.problems[0].contains("byte 2"), "{:?}", d.problems);
        // Long item: parsed, skipped, reported.
        let d = decode(&[0xfe, 0x02, 0x10, 0xaa, 0xbb, 0x05, 0x01]);
        assert_eq!(d.items[0].kind, "long");
        assert_eq!(d.items[0].data, vec![0xaa, 0xbb]);
        assert_eq!(d.items[1].name, "Usage Page");
        assert!(d.problems[0].contains("long item"));
        // Long item running past the end.
        let d = decode(&[0xfe, 0x09, 0x10, 0xaa]);
        assert!(d.items.is_empty());
        assert!(
            d.problems[0].contains("long item needs 9"),
            "{:?}",
            d.problems
        );
        // Pop underflow, unbalanced collections, absurd sizes.
        let d = decode(&[
            0xb4, 0xc0, 0xa1, 0x01, 0x75, 0xff, 0x97, 0xff, 0xff, 0xff, 0xff, 0x81, 0x02,
        ]);
        assert!(d.problems.iter().any(|p| p.contains("pop without")));
        assert!(d
            .problems
            .iter()
            .any(|p| p.contains("end collection without")));
        assert!(d.problems.iter().any(|p| p.contains("not closed")));
        assert!(d.problems.iter().any(|p| p.contains("wider than 64")));
        // Push/pop restore the globals.
        let d = decode(&[
            0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0xa4, 0x75, 0x10, 0xb4, 0x09, 0x30, 0x81, 0x02,
        ]);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        assert_eq!(d.reports[0].bits, 8);
    }

    /// Short usages keep the page in effect when they were declared, except those at
    /// the end of the list declared before a later Usage Page (Linux's rule).
    #[test]
    fn usages_take_the_page_linux_gives_them() {
        // Usage Page (Button) Usage (1) Usage Page (Generic Desktop) Usage (X), one
        // 2-element input: Button 1 stays a button.
        let d = decode(&[
            0x05, 0x09, 0x09, 0x01, 0x05, 0x01, 0x09, 0x30, 0x75, 0x08, 0x95, 0x02, 0x81, 0x02,
        ]);
        let f = &d.reports[0].fields[0];
        assert_eq!(f.usage_of(0), Some((0x09, 0x01)));
        assert_eq!(f.usage_of(1), Some((0x01, 0x30)));
        assert_eq!(f.usage_codes(), "0x00090001,0x00010030");
        // Usage (X) before any Usage Page, then Usage Page (Generic Desktop): X of it.
        let d = decode(&[0x09, 0x30, 0x05, 0x01, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02]);
        assert_eq!(d.reports[0].fields[0].usage_text(), "Generic Desktop/X");
        // A 4-byte usage keeps its own page.
        let d = decode(&[
            0x05, 0x01, 0x0b, 0x01, 0x00, 0x0d, 0x00, 0x75, 0x08, 0x95, 0x01, 0x81, 0x02,
        ]);
        assert_eq!(d.reports[0].fields[0].usage_of(0), Some((0x0d, 0x01)));
    }

    /// A touch screen's X: 0..4095 over 0..14280 in cm * 10^-2 (SMART Technologies'
    /// descriptor), and a pen's 64-bit serial number, decoded whole.
    #[test]
    fn physical_values_and_wide_fields() {
        let d = decode(&[
            0x05, 0x01, 0x15, 0x00, 0x26, 0xff, 0x0f, 0x55, 0x0e, 0x65, 0x11, 0x75, 0x10, 0x95,
            0x01, 0x35, 0x00, 0x46, 0xc8, 0x37, 0x09, 0x30, 0x81, 0x02, 0x05, 0x0d, 0x09, 0x5b,
            0x65, 0x00, 0x55, 0x00, 0x17, 0x00, 0x00, 0x00, 0x80, 0x27, 0xff, 0xff, 0xff, 0x7f,
            0x75, 0x40, 0x81, 0x02,
        ]);
        assert!(d.problems.is_empty(), "{:?}", d.problems);
        let r = &d.reports[0];
        let f = &r.fields[0];
        assert_eq!((f.physical_max, f.unit, f.unit_exponent), (14280, 0x11, -2));
        assert_eq!(f.unit_text().as_deref(), Some("cm"));
        let mut payload = vec![0xff, 0x0f];
        payload.extend_from_slice(&0xfedc_ba98_7654_3210u64.to_le_bytes());
        let vals = decode_report(r, &payload);
        assert_eq!(vals[0].value, Some(4095));
        assert!((vals[0].physical.unwrap() - 142.8).abs() < 1e-9);
        assert_eq!(vals[0].unit.as_deref(), Some("cm"));
        assert_eq!(vals[1].usage, "Digitizers/Transducer Serial Number");
        // Signed (the logical minimum is negative): the 64 bits as two's complement.
        assert_eq!(vals[1].value, Some(0xfedc_ba98_7654_3210u64 as i64));
        assert_eq!(vals[1].unit, None);
        // Unsigned and above i64's range: value_u64.
        let d = decode(&[0x05, 0x0d, 0x09, 0x5b, 0x75, 0x40, 0x95, 0x01, 0x81, 0x02]);
        let vals = decode_report(&d.reports[0], &u64::MAX.to_le_bytes());
        assert_eq!((vals[0].value, vals[0].value_u64), (None, Some(u64::MAX)));
    }

    #[test]
    fn numbered_reports() {
        // Two input reports with ids 1 and 2.
        let d = decode(&[
            0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0x85, 0x01, 0x75, 0x08, 0x95, 0x02, 0x81, 0x02,
            0x85, 0x02, 0x95, 0x04, 0x81, 0x02, 0xc0,
        ]);
        assert!(d.numbered());
        assert_eq!(d.report(1, Direction::Input).unwrap().bytes(), 2);
        assert_eq!(d.report(2, Direction::Input).unwrap().bytes(), 4);
        assert_eq!(d.ids(Direction::Input), vec![1, 2]);
    }
}
