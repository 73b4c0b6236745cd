//! Named regions of a flash image, so read, write, erase and verify can work on one of
//! them (`--layout FILE --region NAME`), as flashrom's `-l`/`-i` and `--fmap` do:
//!
//! - flashrom's layout text: one region per line, `START:END NAME` in hex, END
//!   inclusive (`00000000:00000fff fd`); `#` starts a comment.
//! - An FMAP (flashmap, used by coreboot and ChromeOS firmware) anywhere in a file,
//!   typically the firmware image itself: the signature `__FMAP__`, version 1.x, the
//!   flash's base and size, its name, and the areas (offset, size, name, flags), all
//!   little endian and packed.

use std::path::Path;

use crate::error::{Error, Location, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub start: usize,
    /// Exclusive.
    pub end: usize,
}

const FMAP_SIGNATURE: &[u8; 8] = b"__FMAP__";
/// signature, major, minor, base (8), size (4), name (32), area count (2).
const FMAP_HEADER: usize = 8 + 1 + 1 + 8 + 4 + 32 + 2;
/// offset (4), size (4), name (32), flags (2).
const FMAP_AREA: usize = 4 + 4 + 32 + 2;

fn name_of(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// The areas of the first valid FMAP in `bytes` (a signature followed by a version 1
/// header whose areas fit in the bytes), with where it was found.
pub fn find_fmap(bytes: &[u8]) -> Option<(usize, Vec<Region>)> {
    let mut from = 0;
    while let Some(pos) = bytes[from..]
        .windows(8)
        .position(|w| w == FMAP_SIGNATURE)
        .map(|p| p + from)
    {
        from = pos + 1;
        let Some(h) = bytes.get(pos..pos + FMAP_HEADER) else {
            break;
        };
        if h[8] != 1 {
            continue;
        }
        let count = le(&h[FMAP_HEADER - 2..]) as usize;
        let areas_at = pos + FMAP_HEADER;
        let Some(raw) = bytes.get(areas_at..areas_at + count * FMAP_AREA) else {
            continue;
        };
        let regions = raw
            .chunks(FMAP_AREA)
            .map(|a| {
                let start = le(&a[0..4]) as usize;
                Region {
                    start,
                    end: start + le(&a[4..8]) as usize,
                    name: name_of(&a[8..40]),
                }
            })
            .collect();
        return Some((pos, regions));
    }
    None
}

/// flashrom's layout text; `Err((line, why))` at the first line that is not one.
pub fn parse_text(text: &str) -> std::result::Result<Vec<Region>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let bad = |why: &str| (i + 1, format!("'{line}': {why}"));
        let (range, name) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| bad("expected START:END NAME"))?;
        let (a, b) = range
            .split_once(':')
            .ok_or_else(|| bad("expected START:END in hex"))?;
        let hex = |s: &str| usize::from_str_radix(s.trim_start_matches("0x"), 16);
        let (Ok(start), Ok(last)) = (hex(a), hex(b)) else {
            return Err(bad("START and END are hex numbers"));
        };
        if last < start {
            return Err(bad("END is before START"));
        }
        out.push(Region {
            name: name.trim().to_string(),
            start,
            end: last + 1,
        });
    }
    if out.is_empty() {
        return Err((1, "no regions".into()));
    }
    Ok(out)
}

/// The regions a `--layout` file names: layout text, or an FMAP inside the file.
pub fn load(path: &Path) -> Result<Vec<Region>> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if let Some((_, regions)) = find_fmap(&bytes) {
        return Ok(regions);
    }
    let at = |line: usize| Location {
        source: path.display().to_string(),
        line: Some(line as u64),
        ..Default::default()
    };
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Error::data(
            at(1),
            "neither flashrom layout text (START:END NAME) nor a file with an FMAP",
        )
    })?;
    parse_text(text).map_err(|(line, why)| Error::data(at(line), why))
}

/// The region called `name`, inside a `size`-byte flash.
pub fn pick(regions: &[Region], name: &str, size: usize, source: &str) -> Result<Region> {
    let r = regions.iter().find(|r| r.name == name).ok_or_else(|| {
        let names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
        Error::Usage(format!(
            "--region {name}: {source} has no such region (it has {})",
            names.join(", ")
        ))
    })?;
    if r.end > size {
        return Err(Error::Usage(format!(
            "--region {name}: {:#x}..{:#x} is outside the {} KiB flash",
            r.start,
            r.end,
            size >> 10
        )));
    }
    Ok(r.clone())
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// An FMAP as coreboot's fmaptool writes it: header, then the areas.
    pub fn fmap(areas: &[(&str, u32, u32)]) -> Vec<u8> {
        let mut v = FMAP_SIGNATURE.to_vec();
        v.extend([1, 1]);
        v.extend(0u64.to_le_bytes());
        v.extend((16u32 << 20).to_le_bytes());
        let mut name = [0u8; 32];
        name[..4].copy_from_slice(b"FLSH");
        v.extend(name);
        v.extend((areas.len() as u16).to_le_bytes());
        for (n, off, size) in areas {
            v.extend(off.to_le_bytes());
            v.extend(size.to_le_bytes());
            let mut name = [0u8; 32];
            name[..n.len()].copy_from_slice(n.as_bytes());
            v.extend(name);
            v.extend(0u16.to_le_bytes());
        }
        v
    }

    #[test]
    fn flashrom_layout_text() {
        let r = parse_text(
            "# Intel descriptor\n00000000:00000fff fd\n00001000:001fffff bios  # main\n\n",
        )
        .unwrap();
        assert_eq!(
            r,
            vec![
                Region {
                    name: "fd".into(),
                    start: 0,
                    end: 0x1000
                },
                Region {
                    name: "bios".into(),
                    start: 0x1000,
                    end: 0x20_0000
                }
            ]
        );
        assert_eq!(parse_text("0:zz x").unwrap_err().0, 1);
        assert_eq!(parse_text("fd\n").unwrap_err().0, 1);
        assert_eq!(parse_text("10:0f x").unwrap_err().0, 1);
    }

    #[test]
    fn fmap_anywhere_in_an_image() {
        let mut image = vec![0xffu8; 0x3000];
        // A stray signature without a valid header first, then the real one.
        image[0x100..0x108].copy_from_slice(FMAP_SIGNATURE);
        let f = fmap(&[("RO_SECTION", 0, 0x2000), ("RW_A", 0x2000, 0x1000)]);
        image[0x1000..0x1000 + f.len()].copy_from_slice(&f);
        let (at, regions) = find_fmap(&image).unwrap();
        assert_eq!(at, 0x1000);
        assert_eq!(
            regions[1],
            Region {
                name: "RW_A".into(),
                start: 0x2000,
                end: 0x3000
            }
        );
        // Cut short: no FMAP.
        assert!(find_fmap(&image[..0x1000 + FMAP_HEADER + 10]).is_none());
        let p = pick(&regions, "RW_A", 0x3000, "x").unwrap();
        assert_eq!(p.start, 0x2000);
        assert!(pick(&regions, "nope", 0x3000, "x")
            .unwrap_err()
            .to_string()
            .contains("RO_SECTION, RW_A"));
        assert!(pick(&regions, "RW_A", 0x2800, "x").is_err());
    }
}
