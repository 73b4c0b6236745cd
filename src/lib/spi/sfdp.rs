//! Serial Flash Discoverable Parameters (JEDEC JESD216, revisions 1.0 to F): the tables
//! a 25-series flash answers to READ SFDP (0x5A, a 3-byte address, 8 dummy clocks).
//! From them: the size, the page size, the erase types with their opcodes and times, the
//! address modes and how to enter 4-byte addressing, the fast-read modes; from the
//! 4-byte address instruction table the dedicated 4-byte opcodes; from the sector map
//! table the erase layouts of parts whose erase types depend on the address (parameter
//! sectors at the top or bottom) and the commands that tell which layout is in use.
//!
//! The parser takes the bytes through a read function, so it is the same for a bus and
//! for a table in a test; every field is checked against the length the header gives,
//! and a malformed table is an error naming the offset, never a guess.

use std::time::Duration;

/// The SFDP signature "SFDP", little endian at address 0.
const SIGNATURE: u32 = 0x5044_4653;
const BFPT_ID: u16 = 0xff00;
const SECTOR_MAP_ID: u16 = 0xff81;
const FOUR_BYTE_ID: u16 = 0xff84;

/// Which address lengths the part takes (BFPT DWORD 1 bits 18:17).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressBytes {
    Three,
    ThreeOrFour,
    Four,
}

/// One of up to four erase types (BFPT DWORDs 8-10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraseType {
    /// Which of the four (1-4): the 4-byte table and the sector map name types by it.
    pub number: u8,
    pub size: u64,
    pub opcode: u8,
    /// Typical and maximum times (JESD216A and later).
    pub typical: Option<Duration>,
    pub max: Option<Duration>,
}

/// A fast read mode the part supports, e.g. 1-1-2 (command-address-data lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastRead {
    pub mode: &'static str,
    pub opcode: u8,
    /// Wait states plus mode clocks between the address and the data.
    pub dummy_clocks: u8,
}

/// How the part enters 4-byte addressing (BFPT DWORD 16 bits 31:24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Enter4Byte {
    /// 0xB7 on its own.
    pub b7: bool,
    /// WREN, then 0xB7.
    pub wren_b7: bool,
    /// Through the extended address register (0xC5 write, 0xC8 read).
    pub ear: bool,
    /// A dedicated 4-byte instruction set (opcodes 0x13, 0x12, 0x21, ...).
    pub opcodes: bool,
    /// Always in 4-byte mode.
    pub always: bool,
}

/// The basic flash parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bfpt {
    /// DWORDs the header says the table has (9 in JESD216, 16 in JESD216A/B, 20+ later).
    pub dwords: usize,
    pub size: u64,
    pub address_bytes: AddressBytes,
    /// The 4 KiB erase opcode of DWORD 1, when the part has one.
    pub erase_4k: Option<u8>,
    pub erase_types: Vec<EraseType>,
    pub fast_reads: Vec<FastRead>,
    /// JESD216A and later (DWORD 11).
    pub page_size: Option<u64>,
    pub page_program_typical: Option<Duration>,
    pub page_program_max: Option<Duration>,
    pub chip_erase_typical: Option<Duration>,
    pub chip_erase_max: Option<Duration>,
    /// JESD216B and later (DWORD 16).
    pub enter_4byte: Option<Enter4Byte>,
}

/// Opcodes of the 4-byte address instruction table (JESD216B section 6.6).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FourByteOps {
    pub read: Option<u8>,
    pub fast_read: Option<u8>,
    pub page_program: Option<u8>,
    /// The 4-byte opcode of each BFPT erase type, in order.
    pub erase: [Option<u8>; 4],
}

/// How a sector map detection command sends its address (JESD216 DWORD 1 bits 23:22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectAddress {
    None,
    Three,
    Four,
    /// As many bytes as the part's current address mode takes.
    Current,
}

/// A configuration detection command of the sector map table: read one byte with
/// `opcode` at `address`; the byte ANDed with `mask` is one bit of the configuration id,
/// the first command's bit the most significant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detect {
    pub opcode: u8,
    pub address: u32,
    pub address_bytes: DetectAddress,
    /// Dummy clocks between address and data; `None`: "variable" (the part's default).
    pub dummy_clocks: Option<u8>,
    pub mask: u8,
}

/// One region of a sector map: `size` bytes from where the previous region ended, erased
/// with the basic table's erase types whose bits (type 1 = bit 0) are in `erase_types`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapRegion {
    pub size: u64,
    pub erase_types: u8,
}

/// One erase layout of a sector map, for the configuration id `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorMapConfig {
    pub id: u8,
    pub regions: Vec<MapRegion>,
}

/// The sector map parameter table (JESD216B section 6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorMap {
    /// Empty when the part has one layout.
    pub detect: Vec<Detect>,
    pub maps: Vec<SectorMapConfig>,
}

impl SectorMap {
    /// The layout for the bytes the detection commands read (in their order), with the
    /// id bits in `force` set (a part whose table expects a bit its registers no longer
    /// hold); the only layout when there are no commands. `Err(id)`: no map has the id.
    pub fn select(&self, bytes: &[u8], force: u8) -> std::result::Result<&SectorMapConfig, u8> {
        if self.detect.is_empty() {
            return self.maps.first().ok_or(0);
        }
        let id = self
            .detect
            .iter()
            .zip(bytes)
            .fold(0u8, |id, (d, b)| id << 1 | u8::from(b & d.mask != 0))
            | force;
        self.maps.iter().find(|m| m.id == id).ok_or(id)
    }
}

/// What a part's SFDP says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sfdp {
    pub major: u8,
    pub minor: u8,
    /// (id, major, minor, dwords, pointer) of every parameter header.
    pub headers: Vec<(u16, u8, u8, usize, u32)>,
    pub bfpt: Bfpt,
    pub four_byte: Option<FourByteOps>,
    /// The sector map table, for parts whose erase types depend on the address.
    pub sector_map: Option<SectorMap>,
}

impl Sfdp {
    /// The JESD216 revision as the standard names it.
    pub fn revision(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }
}

fn dword(b: &[u8], i: usize) -> u32 {
    u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]])
}

fn bits(v: u32, hi: u32, lo: u32) -> u32 {
    (v >> lo) & ((1u32 << (hi - lo + 1)) - 1)
}

/// An erase or program time field: (count + 1) * unit.
fn time(count: u32, unit: Duration) -> Duration {
    unit * (count + 1)
}

/// Reads and parses the SFDP through `read(address, buffer)`. `Ok(None)` when the part
/// has no SFDP (no signature: older parts answer 0xFF or nothing).
pub fn read(
    mut read: impl FnMut(u32, &mut [u8]) -> std::result::Result<(), String>,
) -> std::result::Result<Option<Sfdp>, String> {
    let mut head = [0u8; 8];
    read(0, &mut head)?;
    if u32::from_le_bytes([head[0], head[1], head[2], head[3]]) != SIGNATURE {
        return Ok(None);
    }
    let (minor, major) = (head[4], head[5]);
    if major != 1 {
        return Err(format!(
            "SFDP header: major revision {major}, this reader knows revision 1 (JESD216)"
        ));
    }
    let count = usize::from(head[6]) + 1;
    let mut raw = vec![0u8; 8 * count];
    read(8, &mut raw)?;
    let headers: Vec<(u16, u8, u8, usize, u32)> = raw
        .chunks(8)
        .map(|h| {
            let id = u16::from_le_bytes([h[0], h[7]]);
            let pointer = u32::from_le_bytes([h[4], h[5], h[6], 0]);
            (id, h[2], h[1], usize::from(h[3]), pointer)
        })
        .collect();
    // The first header is the BFPT's by definition; a later BFPT header of a higher
    // revision supersedes it.
    let Some(&(_, _, _, len, ptr)) = headers
        .iter()
        .filter(|h| h.0 == BFPT_ID)
        .max_by_key(|h| (h.1, h.2))
    else {
        return Err("SFDP: no basic flash parameter table header".into());
    };
    if len < 9 {
        return Err(format!(
            "SFDP: the basic flash parameter table has {len} DWORDs, JESD216 needs 9"
        ));
    }
    let mut table = vec![0u8; 4 * len];
    read(ptr, &mut table)?;
    let bfpt = parse_bfpt(&table)?;
    let mut table_of = |id: u16, min: usize| -> std::result::Result<Option<Vec<u8>>, String> {
        match headers.iter().find(|h| h.0 == id) {
            Some(&(_, _, _, len, ptr)) if len >= min => {
                let mut t = vec![0u8; 4 * len];
                read(ptr, &mut t)?;
                Ok(Some(t))
            }
            _ => Ok(None),
        }
    };
    let four_byte = table_of(FOUR_BYTE_ID, 2)?.map(|t| parse_four_byte(&t));
    let sector_map = table_of(SECTOR_MAP_ID, 2)?
        .map(|t| parse_sector_map(&t))
        .transpose()?;
    Ok(Some(Sfdp {
        major,
        minor,
        sector_map,
        headers,
        bfpt,
        four_byte,
    }))
}

/// The basic flash parameter table (JESD216 section 6.4; JESD216A/B DWORDs 10-16).
pub fn parse_bfpt(t: &[u8]) -> std::result::Result<Bfpt, String> {
    let n = t.len() / 4;
    let d = |i: usize| dword(t, i - 1);
    let d1 = d(1);
    let address_bytes = match bits(d1, 18, 17) {
        0 => AddressBytes::Three,
        1 => AddressBytes::ThreeOrFour,
        2 => AddressBytes::Four,
        _ => return Err("SFDP BFPT DWORD 1: reserved address bytes value 3".into()),
    };
    let erase_4k = (bits(d1, 1, 0) == 1).then_some(bits(d1, 15, 8) as u8);
    let d2 = d(2);
    let size_bits: u64 = if d2 & (1 << 31) == 0 {
        u64::from(d2) + 1
    } else {
        let exp = d2 & 0x7fff_ffff;
        if !(3..=63).contains(&exp) {
            return Err(format!("SFDP BFPT DWORD 2: density 2^{exp} bits"));
        }
        1u64 << exp
    };
    let size = size_bits / 8;

    let mut fast_reads = Vec::new();
    let mut fast = |mode: &'static str, supported: bool, params: u32| {
        // Parameters: wait states 4:0, mode clocks 7:5, opcode 15:8.
        if supported && bits(params, 15, 8) != 0 {
            fast_reads.push(FastRead {
                mode,
                opcode: bits(params, 15, 8) as u8,
                dummy_clocks: (bits(params, 4, 0) + bits(params, 7, 5)) as u8,
            });
        }
    };
    fast("1-1-2", d1 & (1 << 16) != 0, d(4));
    fast("1-2-2", d1 & (1 << 20) != 0, d(4) >> 16);
    fast("1-1-4", d1 & (1 << 22) != 0, d(3) >> 16);
    fast("1-4-4", d1 & (1 << 21) != 0, d(3));
    fast("2-2-2", d(5) & 1 != 0, d(6) >> 16);
    fast("4-4-4", d(5) & (1 << 4) != 0, d(7) >> 16);

    // Erase types: size 2^N (N = 0: not present) and opcode, DWORDs 8 and 9; their
    // times in DWORD 10 (JESD216A).
    let sizes = [(d(8), 0u32), (d(8), 16), (d(9), 0), (d(9), 16)];
    let times = (n >= 10).then(|| d(10));
    let mut erase_types = Vec::new();
    for (i, (dw, shift)) in sizes.iter().enumerate() {
        let exp = bits(*dw, shift + 7, *shift);
        if exp == 0 {
            continue;
        }
        if exp > 32 {
            return Err(format!("SFDP BFPT: erase type {} of 2^{exp} bytes", i + 1));
        }
        let (typical, max) = match times {
            Some(t) => {
                let lo = 4 + 7 * i as u32;
                let unit = match bits(t, lo + 6, lo + 5) {
                    0 => Duration::from_millis(1),
                    1 => Duration::from_millis(16),
                    2 => Duration::from_millis(128),
                    _ => Duration::from_secs(1),
                };
                let typ = time(bits(t, lo + 4, lo), unit);
                (Some(typ), Some(typ * 2 * (bits(t, 3, 0) + 1)))
            }
            None => (None, None),
        };
        erase_types.push(EraseType {
            number: i as u8 + 1,
            size: 1u64 << exp,
            opcode: bits(*dw, shift + 15, shift + 8) as u8,
            typical,
            max,
        });
    }

    let mut b = Bfpt {
        dwords: n,
        size,
        address_bytes,
        erase_4k,
        erase_types,
        fast_reads,
        page_size: None,
        page_program_typical: None,
        page_program_max: None,
        chip_erase_typical: None,
        chip_erase_max: None,
        enter_4byte: None,
    };
    if n >= 11 {
        let d11 = d(11);
        let mult = bits(d11, 3, 0) + 1;
        b.page_size = Some(1u64 << bits(d11, 7, 4));
        let pp_unit = if d11 & (1 << 13) != 0 { 64 } else { 8 };
        let pp = time(bits(d11, 12, 8), Duration::from_micros(pp_unit));
        b.page_program_typical = Some(pp);
        b.page_program_max = Some(pp * 2 * mult);
        let ce_unit = match bits(d11, 30, 29) {
            0 => Duration::from_millis(16),
            1 => Duration::from_millis(256),
            2 => Duration::from_secs(4),
            _ => Duration::from_secs(64),
        };
        let ce = time(bits(d11, 28, 24), ce_unit);
        b.chip_erase_typical = Some(ce);
        b.chip_erase_max = Some(ce * 2 * mult);
    }
    if n >= 16 {
        let enter = bits(d(16), 31, 24);
        b.enter_4byte = Some(Enter4Byte {
            b7: enter & 1 != 0,
            wren_b7: enter & 2 != 0,
            ear: enter & 4 != 0,
            opcodes: enter & (1 << 5) != 0,
            always: enter & (1 << 6) != 0,
        });
    }
    Ok(b)
}

/// The 4-byte address instruction table (JESD216B section 6.6): DWORD 1 says which
/// 4-byte instructions exist, DWORD 2 gives the erase types' 4-byte opcodes.
pub fn parse_four_byte(t: &[u8]) -> FourByteOps {
    let d1 = dword(t, 0);
    let d2 = dword(t, 1);
    let has = |bit: u32| d1 & (1 << bit) != 0;
    let mut erase = [None; 4];
    for (i, e) in erase.iter_mut().enumerate() {
        if has(9 + i as u32) {
            *e = Some((d2 >> (8 * i)) as u8);
        }
    }
    FourByteOps {
        read: has(0).then_some(0x13),
        fast_read: has(1).then_some(0x0c),
        page_program: has(6).then_some(0x12),
        erase,
    }
}

/// The sector map parameter table: detection command descriptors (two DWORDs each,
/// descriptor type bit 1 clear), then map descriptors (a header with bit 1 set, the
/// configuration id in bits 15:8 and the region count - 1 in bits 23:16, then one DWORD
/// per region: size in 256-byte units - 1 in bits 31:8, erase type bits in 3:0). Bit 0
/// marks the last descriptor of each kind.
pub fn parse_sector_map(t: &[u8]) -> std::result::Result<SectorMap, String> {
    let n = t.len() / 4;
    let at = |i: usize| -> std::result::Result<u32, String> {
        if i < n {
            Ok(dword(t, i))
        } else {
            Err(format!(
                "SFDP sector map: a descriptor runs past the table's {n} DWORDs"
            ))
        }
    };
    let mut detect = Vec::new();
    let mut maps = Vec::new();
    let mut i = 0;
    loop {
        let d = at(i)?;
        if d & 2 == 0 {
            if !maps.is_empty() {
                return Err(format!(
                    "SFDP sector map DWORD {}: a detection command after the maps",
                    i + 1
                ));
            }
            detect.push(Detect {
                opcode: bits(d, 15, 8) as u8,
                address: at(i + 1)?,
                address_bytes: match bits(d, 23, 22) {
                    0 => DetectAddress::None,
                    1 => DetectAddress::Three,
                    2 => DetectAddress::Four,
                    _ => DetectAddress::Current,
                },
                dummy_clocks: match bits(d, 19, 16) {
                    0xf => None,
                    c => Some(c as u8),
                },
                mask: bits(d, 31, 24) as u8,
            });
            i += 2;
            if detect.len() > 8 {
                return Err("SFDP sector map: more than 8 detection commands".into());
            }
            continue;
        }
        let count = bits(d, 23, 16) as usize + 1;
        let regions = (i + 1..=i + count)
            .map(|r| {
                at(r).map(|v| MapRegion {
                    size: (u64::from(bits(v, 31, 8)) + 1) * 256,
                    erase_types: bits(v, 3, 0) as u8,
                })
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        maps.push(SectorMapConfig {
            id: bits(d, 15, 8) as u8,
            regions,
        });
        i += 1 + count;
        if d & 1 != 0 {
            break;
        }
    }
    Ok(SectorMap { detect, maps })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    /// The S28HS02GT's SFDP (read from a part; tests/data/sfdp/SOURCES.md): four
    /// detection commands (RDAR 0x65 of each die's CFR3V[3] and CFR1V[2]) and four maps,
    /// decoded as Linux's sfdp.c reads them.
    #[test]
    fn sector_map_with_detection_commands() {
        let dump = include_bytes!("../../../tests/data/sfdp/s28hs02gt.sfdp");
        let s = read(|a, out: &mut [u8]| {
            let a = a as usize;
            out.copy_from_slice(&dump[a..a + out.len()]);
            Ok(())
        })
        .unwrap()
        .unwrap();
        assert_eq!(s.bfpt.size, 256 << 20);
        let m = s.sector_map.unwrap();
        let cmd = |address, mask| Detect {
            opcode: 0x65,
            address,
            address_bytes: DetectAddress::Current,
            dummy_clocks: None,
            mask,
        };
        assert_eq!(
            m.detect,
            vec![
                cmd(0x0080_0004, 0x08),
                cmd(0x0080_0002, 0x04),
                cmd(0x0880_0004, 0x08),
                cmd(0x0880_0002, 0x04)
            ]
        );
        let ids: Vec<u8> = m.maps.iter().map(|c| c.id).collect();
        assert_eq!(ids, vec![0x02, 0x09, 0x01, 0x0a]);
        let region = |size: u64, erase_types| MapRegion { size, erase_types };
        assert_eq!(
            m.maps[0].regions,
            vec![
                region(128 << 10, 0b0001),
                region(128 << 10, 0b1000),
                region((256 << 20) - (256 << 10), 0b1000)
            ]
        );
        assert_eq!(m.maps[3].regions, vec![region(256 << 20, 0b1000)]);
        // Die 0 hybrid with its 4 KiB sectors at the bottom, die 1 uniform: 0b0010.
        assert_eq!(m.select(&[0x00, 0x00, 0x08, 0x00], 0).unwrap().id, 0x02);
        assert_eq!(m.select(&[0x08, 0x00, 0x08, 0x00], 0).unwrap().id, 0x0a);
        // Both dies hybrid at the bottom: id 0, which the table has no map for.
        assert_eq!(m.select(&[0; 4], 0), Err(0));
    }

    /// The S25FS512S's sector map as Linux read it from a part (linux-mtd, 2025-09-03):
    /// the maps' ids all have bit 0 set, which current parts' CR3NV[1] no longer gives.
    #[test]
    fn sector_map_of_s25fs512s() {
        let m = parse_sector_map(&table(&[
            0x08ff65fc, 0x00000004, 0x04ff65fc, 0x00000002, 0x02ff65fd, 0x00000004, 0xff0201fe,
            0x00007ff1, 0x00037ff4, 0x03fbfff4, 0xff0203fe, 0x03fbfff4, 0x00037ff4, 0x00007ff1,
            0xff0005ff, 0x03fffff4,
        ]))
        .unwrap();
        assert_eq!(m.detect.len(), 3);
        let sizes: Vec<(u64, u8)> = m.maps[0]
            .regions
            .iter()
            .map(|r| (r.size, r.erase_types))
            .collect();
        assert_eq!(
            sizes,
            vec![(32 << 10, 1), (224 << 10, 4), ((64 << 20) - (256 << 10), 4)]
        );
        assert_eq!(m.select(&[0, 0, 0], 0), Err(0));
        assert_eq!(m.select(&[0, 0, 0], 1).unwrap().id, 0x01);
        assert_eq!(m.select(&[0x08, 0, 0], 1).unwrap().id, 0x05);
    }

    #[test]
    fn truncated_sector_maps_are_errors() {
        // A map header that promises three regions and gives one.
        let e = parse_sector_map(&table(&[0xff0202ff, 0x00007ff1])).unwrap_err();
        assert!(e.contains("past the table"), "{e}");
        // A detection command without its address DWORD.
        assert!(parse_sector_map(&table(&[0x08ff65fc])).is_err());
    }
}
