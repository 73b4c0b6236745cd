//! The hid-recorder text format (hid-tools; documented in hid-replay(1)), both ways: the
//! capture kernel and libinput maintainers ask for. One block per device, then events:
//!
//! ```text
//! D: 0                               which device the following lines are about (only
//!                                    with several devices)
//! R: 52 05 01 09 02 a1 01 ...        report descriptor: length, then the bytes in hex
//! N: QEMU QEMU USB Mouse             name
//! P: usb-0000:00:04.0-1/input0       physical path
//! I: 3 0627 0001                     bus, vendor, product (hex)
//! E: 000000.512003 4 00 01 ff 00     event: seconds.microseconds since the first
//!                                    event, length, the bytes (report id first when the
//!                                    device numbers its reports)
//! # anything                         a comment
//! ```

use std::io::Write;

use crate::error::{Error, Location, Result};

/// Linux input bus numbers (`BUS_*` in linux/input.h) as hid-recorder's `I:` gives them.
pub const BUS_USB: u16 = 0x03;
pub const BUS_BLUETOOTH: u16 = 0x05;
pub const BUS_VIRTUAL: u16 = 0x06;
pub const BUS_I2C: u16 = 0x18;
pub const BUS_HOST: u16 = 0x19;
pub const BUS_SPI: u16 = 0x1c;

/// The bus number for hidapi's bus name (`hidctl list`'s `bus` column).
pub fn bus_number(name: &str) -> u16 {
    match name {
        "usb" => BUS_USB,
        "bluetooth" => BUS_BLUETOOTH,
        "i2c" => BUS_I2C,
        "spi" => BUS_SPI,
        "host" => BUS_HOST,
        _ => BUS_VIRTUAL,
    }
}

/// Most devices one recording may hold: a device number is an index, and a damaged
/// file must not make a replay allocate for billions of them.
pub const MAX_DEVICES: usize = 256;

/// One recorded device.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Device {
    pub name: String,
    pub phys: String,
    pub bus: u16,
    pub vid: u16,
    pub pid: u16,
    pub descriptor: Vec<u8>,
}

/// One recorded input report: the device's index, microseconds since the first event,
/// and the bytes as the device sent them (report id first when numbered).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub device: usize,
    pub us: u64,
    pub data: Vec<u8>,
}

/// Whether `head` (the first bytes of a file) is hid-recorder text: its first line that
/// is not blank starts with a comment or one of the format's line tags.
pub fn sniff(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| {
            l.starts_with('#')
                || ["D:", "R:", "N:", "P:", "I:", "E:"]
                    .iter()
                    .any(|t| l.starts_with(t))
        })
}

/// Parses a recording; `source` names it in errors.
pub fn parse(text: &str, source: &str) -> Result<(Vec<Device>, Vec<Event>)> {
    let mut devices: Vec<Device> = Vec::new();
    let mut events = Vec::new();
    let mut current = 0usize;
    let mut first_us: Option<u64> = None;
    for (n, line) in text.lines().enumerate() {
        let bad = |msg: String| {
            Error::data(
                Location {
                    source: source.to_string(),
                    line: Some(n as u64 + 1),
                    ..Default::default()
                },
                msg,
            )
            .with_hint("see hid-replay(1) for the format hid-recorder writes")
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, rest) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("'{line}' is not a hid-recorder line")))?;
        let rest = rest.trim();
        if tag == "D" {
            current = rest
                .parse()
                .ok()
                .filter(|&d| d < MAX_DEVICES)
                .ok_or_else(|| {
                    bad(format!(
                        "'D: {rest}': not a device number below {MAX_DEVICES}"
                    ))
                })?;
            continue;
        }
        if tag != "E" && devices.len() <= current {
            devices.resize(current + 1, Device::default());
        }
        match tag {
            "R" => {
                let (len, bytes) = counted_bytes(rest).map_err(bad)?;
                if bytes.len() != len {
                    return Err(bad(format!(
                        "the descriptor says {len} bytes and has {}",
                        bytes.len()
                    )));
                }
                devices[current].descriptor = bytes;
            }
            "N" => devices[current].name = rest.to_string(),
            "P" => devices[current].phys = rest.to_string(),
            "I" => {
                let f: Vec<&str> = rest.split_whitespace().collect();
                let hex = |s: &str| u16::from_str_radix(s, 16).ok();
                match f[..] {
                    [b, v, p] => {
                        let (Some(b), Some(v), Some(p)) = (hex(b), hex(v), hex(p)) else {
                            return Err(bad(format!(
                                "'I: {rest}': expected bus vendor product in hex"
                            )));
                        };
                        (
                            devices[current].bus,
                            devices[current].vid,
                            devices[current].pid,
                        ) = (b, v, p);
                    }
                    _ => return Err(bad(format!("'I: {rest}': expected bus vendor product"))),
                }
            }
            "E" => {
                if current >= devices.len() || devices[current].descriptor.is_empty() {
                    return Err(bad(format!("an event for device {current}, which has no 'R:' descriptor line before it")));
                }
                let (time, data) = rest
                    .split_once(char::is_whitespace)
                    .ok_or_else(|| bad(format!("'E: {rest}': expected time, length, bytes")))?;
                let us = micros(time)
                    .ok_or_else(|| bad(format!("'{time}': expected seconds.microseconds")))?;
                let (len, bytes) = counted_bytes(data).map_err(bad)?;
                if bytes.len() != len {
                    return Err(bad(format!(
                        "the event says {len} bytes and has {}",
                        bytes.len()
                    )));
                }
                let first = *first_us.get_or_insert(us);
                events.push(Event {
                    device: current,
                    us: us.saturating_sub(first),
                    data: bytes,
                });
            }
            _ => return Err(bad(format!("unknown line tag '{tag}:'"))),
        }
    }
    if devices.is_empty() || devices.iter().any(|d| d.descriptor.is_empty()) {
        return Err(Error::data(
            Location::of(source),
            "no report descriptor ('R:' line) for every device: not a hid-recorder file?",
        ));
    }
    Ok((devices, events))
}

/// `LEN B0 B1 ...` (hex bytes) as the length and the bytes.
fn counted_bytes(s: &str) -> std::result::Result<(usize, Vec<u8>), String> {
    let mut parts = s.split_whitespace();
    let len = parts
        .next()
        .and_then(|l| l.parse().ok())
        .ok_or_else(|| format!("'{s}': expected a length, then bytes"))?;
    let bytes = parts
        .map(|b| u8::from_str_radix(b, 16).map_err(|_| format!("'{b}' is not a hex byte")))
        .collect::<std::result::Result<Vec<u8>, String>>()?;
    Ok((len, bytes))
}

/// `SSSSSS.UUUUUU` as microseconds.
fn micros(s: &str) -> Option<u64> {
    let (sec, usec) = s.split_once('.')?;
    let usec_digits = usec.len();
    if usec_digits == 0 || usec_digits > 6 {
        return None;
    }
    let scale = 10u64.pow(6 - usec_digits as u32);
    Some(sec.parse::<u64>().ok()? * 1_000_000 + usec.parse::<u64>().ok()? * scale)
}

/// Writes hid-recorder text: `header` once per device, then `event` per report, with
/// `D:` lines whenever several devices take turns, as hid-recorder does.
pub struct Writer<W: Write> {
    out: W,
    several: bool,
    last: Option<usize>,
}

impl<W: Write> Writer<W> {
    pub fn new(out: W, devices: usize) -> Self {
        Writer {
            out,
            several: devices > 1,
            last: None,
        }
    }

    pub fn header(&mut self, index: usize, d: &Device) -> std::io::Result<()> {
        if self.several {
            writeln!(self.out, "D: {index}")?;
        }
        writeln!(self.out, "# {}", d.name)?;
        writeln!(
            self.out,
            "R: {} {}",
            d.descriptor.len(),
            spaced_hex(&d.descriptor)
        )?;
        writeln!(self.out, "N: {}", d.name)?;
        writeln!(self.out, "P: {}", d.phys)?;
        writeln!(self.out, "I: {:x} {:04x} {:04x}", d.bus, d.vid, d.pid)?;
        self.last = Some(index);
        self.out.flush()
    }

    /// One report, `us` microseconds after the first.
    pub fn event(&mut self, index: usize, us: u64, data: &[u8]) -> std::io::Result<()> {
        if self.several && self.last != Some(index) {
            writeln!(self.out, "D: {index}")?;
        }
        self.last = Some(index);
        writeln!(
            self.out,
            "E: {:06}.{:06} {} {}",
            us / 1_000_000,
            us % 1_000_000,
            data.len(),
            spaced_hex(data)
        )?;
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

fn spaced_hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{x:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mouse() -> Device {
        Device {
            name: "QEMU QEMU USB Mouse".into(),
            phys: "usb-0000:00:04.0-1/input0".into(),
            bus: BUS_USB,
            vid: 0x0627,
            pid: 0x0001,
            descriptor: vec![0x05, 0x01, 0x09, 0x02, 0xa1, 0x01, 0xc0],
        }
    }

    #[test]
    fn writes_what_it_reads_for_one_and_several_devices() {
        for n in [1usize, 2] {
            let devices: Vec<Device> = (0..n)
                .map(|i| Device {
                    pid: i as u16 + 1,
                    ..mouse()
                })
                .collect();
            let mut w = Writer::new(Vec::new(), n);
            for (i, d) in devices.iter().enumerate() {
                w.header(i, d).unwrap();
            }
            let events = vec![
                Event {
                    device: 0,
                    us: 0,
                    data: vec![0, 1, 0xff, 0],
                },
                Event {
                    device: n - 1,
                    us: 1_500_002,
                    data: vec![1, 0, 0, 0],
                },
                Event {
                    device: 0,
                    us: 12_000_000,
                    data: vec![0, 0, 2, 0],
                },
            ];
            for e in &events {
                w.event(e.device, e.us, &e.data).unwrap();
            }
            let text = String::from_utf8(w.into_inner()).unwrap();
            assert!(text.contains("I: 3 0627 0001\n"), "{text}");
            assert!(text.contains("E: 000001.500002 4 01 00 00 00\n"), "{text}");
            assert_eq!(text.contains("D: 1"), n == 2, "{text}");
            assert!(sniff(text.as_bytes()));
            assert_eq!(parse(&text, "t").unwrap(), (devices, events));
        }
    }

    /// A file as hid-recorder writes it: comments of its own decoding, and times that
    /// do not start at zero are taken relative to the first event.
    #[test]
    fn reads_hid_recorders_own_output() {
        let text = "# QEMU QEMU USB Mouse\n# 0x05, 0x01, // Usage Page (Generic Desktop)\n\
                    R: 7 05 01 09 02 a1 01 c0\nN: QEMU QEMU USB Mouse\nP: usb-0000:00:04.0-1/input0\n\
                    I: 3 0627 0001\n# ReportID: 0 / Button: 0 ...\nE: 000002.000100 4 00 01 ff 00\n\
                    E: 000002.5 4 00 00 00 00\n";
        let (d, e) = parse(text, "t").unwrap();
        assert_eq!(d, vec![mouse()]);
        assert_eq!(e[0].us, 0);
        assert_eq!(e[1].us, 499_900);
    }

    #[test]
    fn bad_recordings_are_errors_with_a_line() {
        for (text, line) in [
            ("R: 3 05 01\nI: 3 1 1\n", 1),
            ("R: 1 05\nI: 3 1\n", 2),
            ("R: 1 05\nE: 0.0 2 00\n", 2),
            ("E: 0.0 1 00\n", 1),
            ("R: 1 zz\n", 1),
            ("R: 1 05\nX: 1\n", 2),
            ("R: 1 05\nE: 1 1 00\n", 2),
            ("D: 4000000000\nR: 1 05\n", 1),
        ] {
            let e = parse(text, "t").unwrap_err().to_string();
            assert!(
                e.contains(&format!("t:{line}")) || e.contains(&format!("line {line}")),
                "{text:?}: {e}"
            );
        }
        assert!(parse("# only a comment\n", "t").is_err());
        assert!(!sniff(b"{\"type\":\"descriptor\"}\n"));
    }
}
