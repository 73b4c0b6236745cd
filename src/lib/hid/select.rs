//! `--device`: which HID device. `VID:PID[:SERIAL]` (hex) picks from the enumeration, a
//! path (`/dev/hidrawN`) names the node, and `sim:CHIP[=ARG]` is the bridge simulated
//! in process in front of one of spictl's simulated chips. Ambiguity is an error that
//! lists the candidates, never a silent first match.

use super::backend::{DeviceInfo, HidBackend, HidDevice};
use super::sim::{Faults, SimBridge};
use crate::error::{Error, Result};

pub const DEVICE_HELP: &str =
    "VID:PID[:SERIAL] in hex (e.g. 0627:0001), a hidraw path (/dev/hidraw0), or sim:CHIP for the simulated bridge (sim:loopback, sim:mcp3008, sim:w25q128[=IMAGE], sim:regmap=MAP.toml)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    Path(String),
    Ids {
        vid: u16,
        pid: u16,
        serial: Option<String>,
    },
    Sim(String),
}

fn hex16(s: &str) -> Option<u16> {
    let s = s.trim_start_matches("0x");
    if s.is_empty() || s.len() > 4 {
        return None;
    }
    u16::from_str_radix(s, 16).ok()
}

pub fn parse(spec: &str) -> Result<Spec> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(Error::Usage(format!(
            "no device given: use --device with {DEVICE_HELP}"
        )));
    }
    if spec.starts_with("sim:") {
        return Ok(Spec::Sim(spec.to_string()));
    }
    if spec.starts_with('/') || spec.starts_with("./") {
        return Ok(Spec::Path(spec.to_string()));
    }
    let mut parts = spec.splitn(3, ':');
    let (Some(v), Some(p)) = (parts.next(), parts.next()) else {
        return Err(Error::Usage(format!(
            "--device {spec}: expected {DEVICE_HELP}"
        )));
    };
    match (hex16(v), hex16(p)) {
        (Some(vid), Some(pid)) => Ok(Spec::Ids {
            vid,
            pid,
            serial: parts.next().map(str::to_string),
        }),
        _ => Err(Error::Usage(format!(
            "--device {spec}: VID and PID are 1-4 hex digits; expected {DEVICE_HELP}"
        ))),
    }
}

/// Finds and opens the device a spec names.
pub fn open(
    backend: &dyn HidBackend,
    spec: &str,
    faults: Faults,
) -> Result<(DeviceInfo, Box<dyn HidDevice>)> {
    match parse(spec)? {
        Spec::Sim(s) => {
            let sim = SimBridge::open(&s, faults)?;
            Ok((sim.info(), Box::new(sim)))
        }
        Spec::Path(p) => {
            let info = backend
                .list()?
                .into_iter()
                .find(|d| d.path == p)
                .unwrap_or_else(|| DeviceInfo::unlisted(&p));
            let dev = backend.open(&info)?;
            Ok((info, dev))
        }
        Spec::Ids { vid, pid, serial } => {
            let all = backend.list()?;
            let found: Vec<DeviceInfo> = all
                .into_iter()
                .filter(|d| d.vid == vid && d.pid == pid)
                .filter(|d| serial.as_ref().is_none_or(|s| &d.serial == s))
                .collect();
            match found.len() {
                0 => Err(Error::device(
                    format!("{vid:04x}:{pid:04x}{}", serial.map(|s| format!(":{s}")).unwrap_or_default()),
                    "no such HID device",
                )
                .with_hint("run 'hidctl list' to see the devices present (and check permissions on /dev/hidraw*)")),
                1 => {
                    let info = found.into_iter().next().unwrap_or_else(|| unreachable!());
                    let dev = backend.open(&info)?;
                    Ok((info, dev))
                }
                _ => Err(Error::Usage(format!(
                    "--device {spec}: {} interfaces match ({}); add :SERIAL or give the path",
                    found.len(),
                    found
                        .iter()
                        .map(|d| format!("{} serial '{}' {}", d.path, d.serial, d.product))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hid::backend::ModelBackend;

    fn dev(path: &str, vid: u16, pid: u16, serial: &str) -> DeviceInfo {
        DeviceInfo::model(path, vid, pid, serial, &[(1, 6)])
    }

    #[test]
    fn parse_specs() {
        assert_eq!(
            parse("0627:0001").unwrap(),
            Spec::Ids {
                vid: 0x627,
                pid: 1,
                serial: None
            }
        );
        assert_eq!(
            parse("0x1209:b1d9:ab:c").unwrap(),
            Spec::Ids {
                vid: 0x1209,
                pid: 0xb1d9,
                serial: Some("ab:c".into())
            }
        );
        assert_eq!(
            parse("/dev/hidraw0").unwrap(),
            Spec::Path("/dev/hidraw0".into())
        );
        assert!(matches!(parse("sim:loopback").unwrap(), Spec::Sim(_)));
        for bad in ["", "hidraw0", "12345:1", "zz:1", "0627"] {
            assert!(matches!(parse(bad), Err(Error::Usage(_))), "{bad}");
        }
    }

    #[test]
    fn selection_by_ids_serial_and_path() {
        let b = ModelBackend {
            devices: vec![
                (dev("/dev/hidraw0", 0x627, 1, "42"), vec![], vec![]),
                (dev("/dev/hidraw1", 0x627, 1, "68284"), vec![], vec![]),
                (dev("/dev/hidraw2", 0x1209, 1, ""), vec![], vec![]),
            ],
        };
        let f = Faults::default();
        assert_eq!(open(&b, "1209:0001", f).unwrap().0.path, "/dev/hidraw2");
        assert_eq!(
            open(&b, "0627:0001:68284", f).unwrap().0.path,
            "/dev/hidraw1"
        );
        assert_eq!(open(&b, "/dev/hidraw0", f).unwrap().0.serial, "42");
        let amb = open(&b, "0627:0001", f).err().unwrap().to_string();
        assert!(
            amb.contains("2 interfaces match") && amb.contains("/dev/hidraw1"),
            "{amb}"
        );
        let none = open(&b, "dead:beef", f).err().unwrap().to_string();
        assert!(none.contains("no such HID device"), "{none}");
    }
}
