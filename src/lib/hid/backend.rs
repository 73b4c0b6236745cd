//! The device seam: `HidBackend` lists and opens devices, `HidDevice` moves reports.
//! The real implementation is hidapi's pure-Rust hidraw backend; tests use device
//! models (`ModelBackend`) and the in-process bridge simulation (`sim`).
//!
//! The report id convention, the same for every call here: the first byte of a buffer
//! is the report id, 0 when the device does not number its reports (hidraw's and
//! hidapi's convention). The command line never asks users to type it inside HEX;
//! `--report-id` gives it.

use std::time::Duration;

use serde::Serialize;

use crate::error::{Error, Result};

/// One HID interface (one hidraw node), as `hidctl list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceInfo {
    pub path: String,
    pub vid: u16,
    pub pid: u16,
    pub serial: String,
    pub manufacturer: String,
    pub product: String,
    pub release: u16,
    pub interface: i32,
    pub bus: String,
    /// Every top-level usage of the interface (the kernel/hidapi list the device once
    /// per top-level collection; we list it once with all of them).
    pub usages: Vec<(u16, u16)>,
    /// True when an enumeration produced this entry, so its node existed a moment
    /// ago: a node missing at open then means the device went away, not a wrong path.
    #[serde(skip)]
    pub listed: bool,
}

impl DeviceInfo {
    /// A path given by the user that no enumeration showed (a udev symlink, or a node
    /// already gone): only the path is known, and a missing node is a wrong path.
    pub fn unlisted(path: &str) -> DeviceInfo {
        DeviceInfo {
            path: path.to_string(),
            vid: 0,
            pid: 0,
            serial: String::new(),
            manufacturer: String::new(),
            product: String::new(),
            release: 0,
            interface: -1,
            bus: String::new(),
            usages: Vec::new(),
            listed: false,
        }
    }
}

#[cfg(test)]
impl DeviceInfo {
    /// A device entry for the tests' model backends.
    pub fn model(
        path: &str,
        vid: u16,
        pid: u16,
        serial: &str,
        usages: &[(u16, u16)],
    ) -> DeviceInfo {
        DeviceInfo {
            path: path.into(),
            vid,
            pid,
            serial: serial.into(),
            manufacturer: "QEMU".into(),
            product: "model".into(),
            release: 0,
            interface: 0,
            bus: "usb".into(),
            usages: usages.to_vec(),
            listed: false,
        }
    }
}

/// The error for a device whose node or open handle vanished: one message for the
/// open, the calls after it and the device models, so scripts can match one text.
pub fn went_away(dev: &str) -> Error {
    Error::device(
        dev,
        "the device went away (unplugged or its driver unbound)",
    )
    .with_hint("plug it back in and run 'hidctl list' to find its new path")
}

pub trait HidDevice {
    /// The device's path (or simulation name) for messages.
    fn name(&self) -> String;
    /// The report descriptor.
    fn descriptor(&self) -> Result<Vec<u8>>;
    /// Sends an output report: `data[0]` is the report id (0: unnumbered).
    fn write(&mut self, data: &[u8]) -> Result<usize>;
    /// The next input report into `buf` (report id first when numbered). Ok(0) when
    /// the timeout passed; None waits forever.
    fn read(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> Result<usize>;
    /// Feature report: `buf[0]` is the report id on the way in; returns the length.
    fn get_feature(&mut self, buf: &mut [u8]) -> Result<usize>;
    fn set_feature(&mut self, data: &[u8]) -> Result<()>;
    /// Asks for an input report (GET_REPORT): `buf[0]` is the report id on the way in;
    /// returns the length with that byte.
    fn get_input(&mut self, _buf: &mut [u8]) -> Result<usize> {
        Err(Error::device(
            self.name(),
            "this device cannot be asked for input reports",
        ))
    }
}

pub trait HidBackend {
    fn list(&self) -> Result<Vec<DeviceInfo>>;
    fn open(&self, info: &DeviceInfo) -> Result<Box<dyn HidDevice>>;
}

/// Merges the per-usage entries that hidapi reports into one per path, keeping order.
pub fn dedupe(entries: Vec<DeviceInfo>) -> Vec<DeviceInfo> {
    let mut out: Vec<DeviceInfo> = Vec::new();
    for e in entries {
        if let Some(prev) = out.iter_mut().find(|d| d.path == e.path) {
            for u in e.usages {
                if !prev.usages.contains(&u) {
                    prev.usages.push(u);
                }
            }
        } else {
            out.push(e);
        }
    }
    out
}

/// Linux hidraw through hidapi.
pub struct Hidraw;

/// The top-level application collections of a hidraw node, decoded by our own
/// descriptor parser from sysfs. hidapi also reports nested collections (a mouse's
/// Pointer inside its Mouse), which are not separate interfaces.
fn top_level_usages(path: &str) -> Option<Vec<(u16, u16)>> {
    let node = std::path::Path::new(path).file_name()?.to_str()?;
    let bytes = std::fs::read(format!("/sys/class/hidraw/{node}/device/report_descriptor")).ok()?;
    let tops: Vec<(u16, u16)> = super::descriptor::decode(&bytes)
        .top_level
        .iter()
        .map(|t| (t.usage_page, t.usage))
        .collect();
    (!tops.is_empty()).then_some(tops)
}

fn hid_err(dev: &str, e: hidapi::HidError) -> Error {
    let text = e.to_string();
    // hidapi folds errno into text. ENOENT here means the node was listed a moment ago
    // and is gone now: the device was removed between the listing and the open.
    if text.contains("disconnected")
        || text.contains("ENODEV")
        || text.contains("No such device")
        || text.contains("No such file or directory")
    {
        return went_away(dev);
    }
    Error::device(dev, text)
}

/// Opens the node once with std to turn errno into a clear message (hidapi folds it
/// into text), e.g. permission denied with the udev rule that fixes it. A missing node
/// that an enumeration just listed went away (hidapi's ENOENT is never reached: this
/// open fails first); one nobody listed is a wrong path. ENODEV is hidraw's answer
/// while the device unbinds and its node is not removed yet.
fn check_access(info: &DeviceInfo) -> Result<()> {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&info.path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(Error::device(
            &info.path,
            "permission denied",
        )
        .with_hint(format!(
            "run as root, or add a udev rule such as KERNEL==\"hidraw*\", ATTRS{{idVendor}}==\"{:04x}\", ATTRS{{idProduct}}==\"{:04x}\", MODE=\"0660\", GROUP=\"plugdev\" and re-plug",
            info.vid, info.pid
        ))),
        Err(e)
            if (e.kind() == std::io::ErrorKind::NotFound && info.listed)
                || e.raw_os_error() == Some(libc::ENODEV) =>
        {
            Err(went_away(&info.path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::device(
            &info.path,
            "no such device",
        )
        .with_hint("run 'hidctl list' to see the HID devices present")),
        Err(e) => Err(Error::io(format!("opening {}", info.path), e)),
    }
}

impl HidBackend for Hidraw {
    fn list(&self) -> Result<Vec<DeviceInfo>> {
        let api = hidapi::HidApi::new().map_err(|e| hid_err("hidapi", e))?;
        let entries = api
            .device_list()
            .map(|d| DeviceInfo {
                path: d.path().to_string_lossy().into_owned(),
                vid: d.vendor_id(),
                pid: d.product_id(),
                serial: d.serial_number().unwrap_or("").to_string(),
                manufacturer: d.manufacturer_string().unwrap_or("").to_string(),
                product: d.product_string().unwrap_or("").to_string(),
                release: d.release_number(),
                interface: d.interface_number(),
                bus: format!("{:?}", d.bus_type()).to_lowercase(),
                usages: vec![(d.usage_page(), d.usage())],
                listed: true,
            })
            .collect();
        let mut devices = dedupe(entries);
        for d in &mut devices {
            if let Some(tops) = top_level_usages(&d.path) {
                d.usages = tops;
            }
        }
        Ok(devices)
    }

    fn open(&self, info: &DeviceInfo) -> Result<Box<dyn HidDevice>> {
        check_access(info)?;
        let api = hidapi::HidApi::new().map_err(|e| hid_err("hidapi", e))?;
        let path = std::ffi::CString::new(info.path.clone())
            .map_err(|_| Error::Usage(format!("{:?}: a path cannot hold NUL", info.path)))?;
        let dev = api.open_path(&path).map_err(|e| hid_err(&info.path, e))?;
        Ok(Box::new(HidrawDevice {
            path: info.path.clone(),
            dev,
        }))
    }
}

pub struct HidrawDevice {
    path: String,
    dev: hidapi::HidDevice,
}

impl HidDevice for HidrawDevice {
    fn name(&self) -> String {
        self.path.clone()
    }

    fn descriptor(&self) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; hidapi::MAX_REPORT_DESCRIPTOR_SIZE];
        let n = self
            .dev
            .get_report_descriptor(&mut buf)
            .map_err(|e| hid_err(&self.path, e))?;
        buf.truncate(n);
        Ok(buf)
    }

    fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.dev.write(data).map_err(|e| hid_err(&self.path, e))
    }

    fn read(&mut self, buf: &mut [u8], timeout: Option<Duration>) -> Result<usize> {
        let ms = match timeout {
            None => -1,
            Some(t) => t.as_millis().min(i32::MAX as u128) as i32,
        };
        self.dev
            .read_timeout(buf, ms)
            .map_err(|e| hid_err(&self.path, e))
    }

    fn get_feature(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.dev
            .get_feature_report(buf)
            .map_err(|e| hid_err(&self.path, e))
    }

    fn get_input(&mut self, buf: &mut [u8]) -> Result<usize> {
        self.dev
            .get_input_report(buf)
            .map_err(|e| hid_err(&self.path, e))
    }

    fn set_feature(&mut self, data: &[u8]) -> Result<()> {
        self.dev
            .send_feature_report(data)
            .map_err(|e| hid_err(&self.path, e))
    }
}

/// Device models for tests: fixed devices with descriptors and a script of input
/// reports; writes are recorded.
#[derive(Default)]
pub struct ModelBackend {
    pub devices: Vec<(DeviceInfo, Vec<u8>, Vec<Vec<u8>>)>,
}

impl HidBackend for ModelBackend {
    fn list(&self) -> Result<Vec<DeviceInfo>> {
        Ok(dedupe(
            self.devices
                .iter()
                .map(|d| DeviceInfo {
                    listed: true,
                    ..d.0.clone()
                })
                .collect(),
        ))
    }

    fn open(&self, info: &DeviceInfo) -> Result<Box<dyn HidDevice>> {
        let (i, desc, inputs) = self
            .devices
            .iter()
            .find(|d| d.0.path == info.path)
            .ok_or_else(|| Error::device(&info.path, "no such device"))?;
        Ok(Box::new(ModelDevice {
            path: i.path.clone(),
            descriptor: desc.clone(),
            inputs: inputs.iter().cloned().collect(),
            written: Vec::new(),
        }))
    }
}

pub struct ModelDevice {
    pub path: String,
    pub descriptor: Vec<u8>,
    pub inputs: std::collections::VecDeque<Vec<u8>>,
    pub written: Vec<Vec<u8>>,
}

impl HidDevice for ModelDevice {
    fn name(&self) -> String {
        self.path.clone()
    }
    fn descriptor(&self) -> Result<Vec<u8>> {
        Ok(self.descriptor.clone())
    }
    fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.written.push(data.to_vec());
        Ok(data.len())
    }
    fn read(&mut self, buf: &mut [u8], _timeout: Option<Duration>) -> Result<usize> {
        match self.inputs.pop_front() {
            Some(r) => {
                let n = r.len().min(buf.len());
                buf[..n].copy_from_slice(&r[..n]);
                Ok(n)
            }
            None => Err(went_away(&self.path)),
        }
    }
    fn get_feature(&mut self, buf: &mut [u8]) -> Result<usize> {
        Ok(buf.len())
    }
    fn set_feature(&mut self, data: &[u8]) -> Result<()> {
        self.written.push(data.to_vec());
        Ok(())
    }
}

/// What the kernel calls a hidraw node's device, from its sysfs uevent: `HID_NAME`
/// (e.g. `QEMU QEMU USB Mouse`, manufacturer and product as HIDIOCGRAWNAME gives them)
/// and `HID_PHYS` (e.g. `usb-0000:00:04.0-1/input0`), which hid-recorder records.
/// None for paths that are not hidraw nodes or when sysfs does not say.
pub fn hidraw_uevent(path: &str, key: &str) -> Option<String> {
    let node = std::path::Path::new(path).file_name()?.to_str()?;
    if !node.starts_with("hidraw") {
        return None;
    }
    let uevent = std::fs::read_to_string(format!("/sys/class/hidraw/{node}/device/uevent")).ok()?;
    uevent
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(path: &str, page: u16, usage: u16) -> DeviceInfo {
        DeviceInfo {
            listed: true,
            ..DeviceInfo::model(path, 0x0627, 1, "", &[(page, usage)])
        }
    }

    #[test]
    fn dedupe_merges_usages_per_path() {
        let d = dedupe(vec![
            info("/dev/hidraw0", 1, 2),
            info("/dev/hidraw1", 1, 6),
            info("/dev/hidraw0", 0xc, 1),
            info("/dev/hidraw0", 1, 2),
        ]);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].usages, vec![(1, 2), (0xc, 1)]);
    }

    #[test]
    fn missing_node_is_a_clear_error() {
        let e = Hidraw
            .open(&DeviceInfo::unlisted("/dev/hidraw-does-not-exist"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("/dev/hidraw-does-not-exist: no such device") && e.contains("hidctl list"),
            "{e}"
        );
    }

    /// A node listed a moment ago and removed before the open (the device unplugged
    /// between listing and reading): the device went away, not a wrong path.
    #[test]
    fn listed_node_that_vanished_went_away() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("hidraw9");
        std::fs::write(&node, b"").unwrap();
        let path = node.to_str().unwrap();
        let listed = info(path, 1, 6);
        std::fs::remove_file(&node).unwrap();
        let e = Hidraw.open(&listed).err().unwrap().to_string();
        assert!(
            e.contains(&format!("{path}: the device went away"))
                && e.contains("plug it back in")
                && e.contains("hidctl list"),
            "{e}"
        );
        assert!(!e.contains('\n'), "one line: {e}");
        let unlisted = Hidraw
            .open(&DeviceInfo::unlisted(path))
            .err()
            .unwrap()
            .to_string();
        assert!(unlisted.contains("no such device"), "{unlisted}");
    }
}
