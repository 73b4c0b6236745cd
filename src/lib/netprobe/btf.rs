//! Enum names from the running kernel's BTF (`/sys/kernel/btf/vmlinux`), so a drop or
//! reset reason is reported by the name this kernel gives its number (`enum
//! skb_drop_reason` gains and renumbers members between releases; a table compiled in
//! would be wrong on the next kernel). Only enums are read: the parser walks the type
//! section far enough to skip every other kind (format: the kernel's
//! Documentation/bpf/btf.rst).

use std::collections::HashMap;

use crate::error::{Error, Result};

pub const VMLINUX: &str = "/sys/kernel/btf/vmlinux";

const MAGIC: u16 = 0xeb9f;
const KIND_ENUM: u32 = 6;
const KIND_ENUM64: u32 = 19;

/// Named enums' members, value -> name, from one BTF blob.
#[derive(Debug, Default, Clone)]
pub struct Enums {
    enums: HashMap<String, HashMap<i64, String>>,
}

impl Enums {
    /// The enums named in `wanted` from the running kernel's BTF.
    pub fn from_kernel(wanted: &[&str]) -> Result<Enums> {
        let data = std::fs::read(VMLINUX).map_err(|e| Error::io(VMLINUX, e))?;
        Enums::parse(&data, wanted).map_err(|msg| Error::device(VMLINUX, msg))
    }

    /// Parses `data` (a whole BTF blob), keeping the enums named in `wanted`.
    pub fn parse(data: &[u8], wanted: &[&str]) -> std::result::Result<Enums, String> {
        let rd = |off: usize, n: usize| -> std::result::Result<&[u8], String> {
            data.get(off..off + n)
                .ok_or_else(|| format!("truncated BTF at byte {off}"))
        };
        let u32_at = |off: usize| -> std::result::Result<u32, String> {
            Ok(u32::from_le_bytes(rd(off, 4)?.try_into().expect("4 bytes")))
        };
        let magic = u16::from_le_bytes(rd(0, 2)?.try_into().expect("2 bytes"));
        if magic != MAGIC {
            // BTF is in the host's byte order; a big-endian blob reads as 0x9feb here.
            return Err(format!(
                "not BTF in this machine's byte order (magic {magic:#06x})"
            ));
        }
        let hdr_len = u32_at(4)? as usize;
        let (type_off, type_len) = (u32_at(8)? as usize, u32_at(12)? as usize);
        let (str_off, str_len) = (u32_at(16)? as usize, u32_at(20)? as usize);
        let types = rd(hdr_len + type_off, type_len)?;
        let strings = rd(hdr_len + str_off, str_len)?;
        let name = |off: u32| -> &str {
            let s = strings.get(off as usize..).unwrap_or(&[]);
            let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
            std::str::from_utf8(&s[..end]).unwrap_or("")
        };
        let t32 = |off: usize| -> std::result::Result<u32, String> {
            types
                .get(off..off + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
                .ok_or_else(|| format!("truncated BTF type section at byte {off}"))
        };
        let mut out = Enums::default();
        let mut pos = 0;
        while pos < types.len() {
            let (name_off, info) = (t32(pos)?, t32(pos + 4)?);
            let kind = (info >> 24) & 0x1f;
            let vlen = (info & 0xffff) as usize;
            let signed = info >> 31 == 1;
            let body = pos + 12;
            let extra = match kind {
                1 | 14 | 17 => 4,           // INT, VAR, DECL_TAG
                3 => 12,                    // ARRAY
                4 | 5 | 15 => vlen * 12,    // STRUCT, UNION, DATASEC
                KIND_ENUM | 13 => vlen * 8, // ENUM, FUNC_PROTO
                KIND_ENUM64 => vlen * 12,
                2 | 7..=12 | 16 | 18 => 0,
                other => return Err(format!("unknown BTF kind {other} at type byte {pos}")),
            };
            if (kind == KIND_ENUM || kind == KIND_ENUM64) && wanted.contains(&name(name_off)) {
                let mut members = HashMap::with_capacity(vlen);
                for i in 0..vlen {
                    let (m, value) = if kind == KIND_ENUM {
                        let m = body + i * 8;
                        let raw = t32(m + 4)?;
                        (
                            m,
                            if signed {
                                raw as i32 as i64
                            } else {
                                raw as i64
                            },
                        )
                    } else {
                        let m = body + i * 12;
                        (m, (t32(m + 4)? as u64 | (t32(m + 8)? as u64) << 32) as i64)
                    };
                    members.insert(value, name(t32(m)?).to_string());
                }
                out.enums.insert(name(name_off).to_string(), members);
            }
            pos = body + extra;
        }
        Ok(out)
    }

    /// The member of enum `en` with `value`, without `prefix` when it starts with it.
    pub fn name(&self, en: &str, value: i64, prefix: &str) -> Option<&str> {
        let n = self.enums.get(en)?.get(&value)?;
        Some(n.strip_prefix(prefix).unwrap_or(n))
    }

    /// The value of member `member` of enum `en`.
    pub fn value(&self, en: &str, member: &str) -> Option<i64> {
        self.enums
            .get(en)?
            .iter()
            .find_map(|(v, n)| (n == member).then_some(*v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A BTF blob: an INT, a STRUCT with one member, an ENUM and an ENUM64.
    fn blob() -> Vec<u8> {
        let strings = b"\0int\0s\0m\0color\0RED\0BLUE\0big\0HUGE\0";
        let s = |w: &str| {
            strings
                .windows(w.len() + 2)
                .position(|x| x[0] == 0 && &x[1..=w.len()] == w.as_bytes() && x[w.len() + 1] == 0)
                .expect("string in table") as u32
                + 1
        };
        let mut t = Vec::new();
        let mut push = |words: &[u32]| words.iter().for_each(|w| t.extend(w.to_le_bytes()));
        push(&[s("int"), 1 << 24, 4, 32]); // INT
        push(&[s("s"), 4 << 24 | 1, 4, s("m"), 1, 0]); // STRUCT { int m; }
        push(&[s("color"), 6 << 24 | 2, 4, s("RED"), 0, s("BLUE"), 12]); // ENUM
        push(&[s("big"), 19 << 24 | 1, 8, s("HUGE"), 1, 2]); // ENUM64: 2 << 32 | 1
        let mut b = Vec::new();
        b.extend(MAGIC.to_le_bytes());
        b.extend([1u8, 0]);
        for w in [
            24u32,
            0,
            t.len() as u32,
            t.len() as u32,
            strings.len() as u32,
        ] {
            b.extend(w.to_le_bytes());
        }
        b.extend(&t);
        b.extend(strings);
        b
    }

    #[test]
    fn reads_enum_and_enum64_members_past_other_kinds() {
        let e = Enums::parse(&blob(), &["color", "big"]).unwrap();
        assert_eq!(e.name("color", 12, ""), Some("BLUE"));
        assert_eq!(e.name("color", 0, "R"), Some("ED"));
        assert_eq!(e.name("big", (2 << 32) | 1, ""), Some("HUGE"));
        assert_eq!(e.value("color", "BLUE"), Some(12));
        assert_eq!(e.name("color", 5, ""), None);
        assert!(Enums::parse(&blob(), &["nope"])
            .unwrap()
            .name("color", 0, "")
            .is_none());
    }

    #[test]
    fn rejects_truncated_and_foreign_blobs() {
        let b = blob();
        assert!(Enums::parse(&b[..b.len() - 20], &["color"]).is_err());
        let mut swapped = b.clone();
        swapped[0..2].copy_from_slice(&MAGIC.to_be_bytes());
        assert!(Enums::parse(&swapped, &["color"]).is_err());
        assert!(Enums::parse(&[], &["color"]).is_err());
    }

    #[test]
    fn the_running_kernel_names_netfilter_drops() {
        if !std::path::Path::new(VMLINUX).exists() {
            return; // no BTF here: the loader refuses to run anyway
        }
        let e = Enums::from_kernel(&["skb_drop_reason"]).unwrap();
        let v = e
            .value("skb_drop_reason", "SKB_DROP_REASON_NETFILTER_DROP")
            .expect("a kernel with drop reasons names NETFILTER_DROP");
        assert_eq!(
            e.name("skb_drop_reason", v, "SKB_DROP_REASON_"),
            Some("NETFILTER_DROP")
        );
    }
}
