//! Linux uhid (`/dev/uhid`, include/uapi/linux/uhid.h): a HID device implemented in
//! userspace. The kernel side is a real HID device: hid-generic binds to it and a
//! hidraw node appears, so everything above it (hidapi, `hidctl`, other programs)
//! sees hardware. The event structs are written out here with their exact layout
//! (packed, as the header declares them) and pinned by tests.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::Duration;

use crate::error::{Error, Location, Result};

pub const UHID_DESTROY: u32 = 1;
pub const UHID_START: u32 = 2;
pub const UHID_STOP: u32 = 3;
pub const UHID_OPEN: u32 = 4;
pub const UHID_CLOSE: u32 = 5;
pub const UHID_OUTPUT: u32 = 6;
pub const UHID_GET_REPORT: u32 = 9;
pub const UHID_GET_REPORT_REPLY: u32 = 10;
pub const UHID_CREATE2: u32 = 11;
pub const UHID_INPUT2: u32 = 12;
pub const UHID_SET_REPORT: u32 = 13;
pub const UHID_SET_REPORT_REPLY: u32 = 14;

pub const UHID_DATA_MAX: usize = 4096;
pub const HID_MAX_DESCRIPTOR_SIZE: usize = 4096;

/// enum uhid_report_type
pub const UHID_FEATURE_REPORT: u8 = 0;
pub const UHID_OUTPUT_REPORT: u8 = 1;
pub const UHID_INPUT_REPORT: u8 = 2;

/// Bus types from linux/input.h. hidapi lists only USB, Bluetooth, I2C and SPI devices,
/// so emulated devices say USB.
pub const BUS_USB: u16 = 0x03;

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct Create2Req {
    pub name: [u8; 128],
    pub phys: [u8; 64],
    pub uniq: [u8; 64],
    pub rd_size: u16,
    pub bus: u16,
    pub vendor: u32,
    pub product: u32,
    pub version: u32,
    pub country: u32,
    pub rd_data: [u8; HID_MAX_DESCRIPTOR_SIZE],
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct Input2Req {
    pub size: u16,
    pub data: [u8; UHID_DATA_MAX],
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct OutputReq {
    pub data: [u8; UHID_DATA_MAX],
    pub size: u16,
    pub rtype: u8,
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct GetReportReq {
    pub id: u32,
    pub rnum: u8,
    pub rtype: u8,
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct GetReportReplyReq {
    pub id: u32,
    pub err: u16,
    pub size: u16,
    pub data: [u8; UHID_DATA_MAX],
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct SetReportReq {
    pub id: u32,
    pub rnum: u8,
    pub rtype: u8,
    pub size: u16,
    pub data: [u8; UHID_DATA_MAX],
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct SetReportReplyReq {
    pub id: u32,
    pub err: u16,
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct StartReq {
    pub dev_flags: u64,
}

/// The union inside struct uhid_event; its size is that of the largest member
/// (uhid_create2_req).
#[repr(C, packed)]
#[derive(Clone, Copy)]
pub union Payload {
    pub create2: Create2Req,
    pub input2: Input2Req,
    pub output: OutputReq,
    pub get_report: GetReportReq,
    pub get_report_reply: GetReportReplyReq,
    pub set_report: SetReportReq,
    pub set_report_reply: SetReportReplyReq,
    pub start: StartReq,
}

#[repr(C, packed)]
#[derive(Clone, Copy)]
pub struct RawEvent {
    pub kind: u32,
    pub u: Payload,
}

pub const EVENT_SIZE: usize = std::mem::size_of::<RawEvent>();

impl RawEvent {
    pub fn zeroed(kind: u32) -> RawEvent {
        // SAFETY: every member is plain integers and byte arrays; all-zero is valid.
        let mut e: RawEvent = unsafe { std::mem::zeroed() };
        e.kind = kind;
        e
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: a packed POD struct viewed as its bytes.
        unsafe { std::slice::from_raw_parts(self as *const RawEvent as *const u8, EVENT_SIZE) }
    }

    /// From up to EVENT_SIZE bytes read from /dev/uhid (missing bytes are zero).
    pub fn from_bytes(b: &[u8]) -> RawEvent {
        let mut e = RawEvent::zeroed(0);
        let n = b.len().min(EVENT_SIZE);
        // SAFETY: writes at most EVENT_SIZE bytes into the zeroed POD struct.
        unsafe {
            std::ptr::copy_nonoverlapping(b.as_ptr(), &mut e as *mut RawEvent as *mut u8, n);
        }
        e
    }
}

fn copy_str(dst: &mut [u8], s: &str) {
    let n = s.len().min(dst.len() - 1);
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
}

/// What the device is, for UHID_CREATE2.
#[derive(Debug, Clone)]
pub struct CreateParams {
    pub name: String,
    pub phys: String,
    pub uniq: String,
    pub bus: u16,
    pub vendor: u32,
    pub product: u32,
    pub version: u32,
    pub descriptor: Vec<u8>,
}

pub fn create2_event(p: &CreateParams) -> Result<RawEvent> {
    if p.descriptor.is_empty() || p.descriptor.len() > HID_MAX_DESCRIPTOR_SIZE {
        return Err(Error::data(
            Location::of("the report descriptor"),
            format!(
                "{} bytes; uhid takes 1 to {HID_MAX_DESCRIPTOR_SIZE}",
                p.descriptor.len()
            ),
        ));
    }
    let mut e = RawEvent::zeroed(UHID_CREATE2);
    // SAFETY: writing the create2 member of a zeroed union.
    let c = unsafe { &mut e.u.create2 };
    copy_str(&mut c.name, &p.name);
    copy_str(&mut c.phys, &p.phys);
    copy_str(&mut c.uniq, &p.uniq);
    c.rd_size = p.descriptor.len() as u16;
    c.bus = p.bus;
    c.vendor = p.vendor;
    c.product = p.product;
    c.version = p.version;
    c.country = 0;
    c.rd_data[..p.descriptor.len()].copy_from_slice(&p.descriptor);
    Ok(e)
}

pub fn input2_event(data: &[u8]) -> Result<RawEvent> {
    if data.len() > UHID_DATA_MAX {
        return Err(Error::data(
            Location::of("an input report"),
            format!("{} bytes; uhid takes at most {UHID_DATA_MAX}", data.len()),
        ));
    }
    let mut e = RawEvent::zeroed(UHID_INPUT2);
    // SAFETY: writing the input2 member of a zeroed union.
    let i = unsafe { &mut e.u.input2 };
    i.size = data.len() as u16;
    i.data[..data.len()].copy_from_slice(data);
    Ok(e)
}

/// A decoded event from the kernel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Start {
        flags: u64,
    },
    Stop,
    Open,
    Close,
    Output {
        data: Vec<u8>,
        rtype: u8,
    },
    GetReport {
        id: u32,
        rnum: u8,
        rtype: u8,
    },
    SetReport {
        id: u32,
        rnum: u8,
        rtype: u8,
        data: Vec<u8>,
    },
    Other(u32),
}

pub fn decode_event(e: &RawEvent) -> Event {
    // SAFETY: each arm reads the union member that the kernel filled for that type;
    // every member is plain old data, so any bytes are a valid value.
    unsafe {
        match e.kind {
            UHID_START => Event::Start {
                flags: e.u.start.dev_flags,
            },
            UHID_STOP => Event::Stop,
            UHID_OPEN => Event::Open,
            UHID_CLOSE => Event::Close,
            UHID_OUTPUT => {
                let o = e.u.output;
                let n = (o.size as usize).min(UHID_DATA_MAX);
                Event::Output {
                    data: o.data[..n].to_vec(),
                    rtype: o.rtype,
                }
            }
            UHID_GET_REPORT => {
                let g = e.u.get_report;
                Event::GetReport {
                    id: g.id,
                    rnum: g.rnum,
                    rtype: g.rtype,
                }
            }
            UHID_SET_REPORT => {
                let s = e.u.set_report;
                let n = (s.size as usize).min(UHID_DATA_MAX);
                Event::SetReport {
                    id: s.id,
                    rnum: s.rnum,
                    rtype: s.rtype,
                    data: s.data[..n].to_vec(),
                }
            }
            k => Event::Other(k),
        }
    }
}

/// An open /dev/uhid with one created device; destroyed on drop.
pub struct Uhid {
    fd: OwnedFd,
}

impl Uhid {
    pub fn create(p: &CreateParams) -> Result<Uhid> {
        let path = c"/dev/uhid";
        // SAFETY: open(2) on a constant NUL-terminated path.
        let raw = unsafe { libc::open(path.as_ptr(), libc::O_RDWR | libc::O_CLOEXEC) };
        if raw < 0 {
            let e = std::io::Error::last_os_error();
            return Err(match e.kind() {
                std::io::ErrorKind::NotFound => Error::device("/dev/uhid", "not present")
                    .with_hint("this kernel lacks uhid (CONFIG_UHID) or the module is not loaded: modprobe uhid"),
                std::io::ErrorKind::PermissionDenied => Error::device("/dev/uhid", "permission denied")
                    .with_hint("creating HID devices needs root (or write access to /dev/uhid)"),
                _ => Error::io("opening /dev/uhid", e),
            });
        }
        // SAFETY: raw is a file descriptor we just opened and own.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let u = Uhid { fd };
        u.send(&create2_event(p)?)?;
        Ok(u)
    }

    fn send(&self, e: &RawEvent) -> Result<()> {
        let b = e.as_bytes();
        // SAFETY: write(2) of a buffer we own.
        let n = unsafe { libc::write(self.fd.as_raw_fd(), b.as_ptr().cast(), b.len()) };
        if n < 0 {
            return Err(Error::io(
                "writing to /dev/uhid",
                std::io::Error::last_os_error(),
            ));
        }
        if n as usize != b.len() {
            return Err(Error::device(
                "/dev/uhid",
                format!("short write: {n} of {} bytes", b.len()),
            ));
        }
        Ok(())
    }

    /// Sends an input report (report id first when the device numbers reports).
    pub fn input(&self, data: &[u8]) -> Result<()> {
        self.send(&input2_event(data)?)
    }

    pub fn get_report_reply(&self, id: u32, err: u16, data: &[u8]) -> Result<()> {
        let mut e = RawEvent::zeroed(UHID_GET_REPORT_REPLY);
        let n = data.len().min(UHID_DATA_MAX);
        // SAFETY: writing one member of a zeroed union.
        let r = unsafe { &mut e.u.get_report_reply };
        r.id = id;
        r.err = err;
        r.size = n as u16;
        r.data[..n].copy_from_slice(&data[..n]);
        self.send(&e)
    }

    pub fn set_report_reply(&self, id: u32, err: u16) -> Result<()> {
        let mut e = RawEvent::zeroed(UHID_SET_REPORT_REPLY);
        // SAFETY: writing one member of a zeroed union.
        let r = unsafe { &mut e.u.set_report_reply };
        r.id = id;
        r.err = err;
        self.send(&e)
    }

    /// The next event, or None after `timeout`.
    pub fn next_event(&self, timeout: Option<Duration>) -> Result<Option<Event>> {
        let mut pfd = libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = timeout.map_or(-1, |t| t.as_millis().min(i32::MAX as u128) as i32);
        // SAFETY: poll(2) on one pollfd we own.
        let r = unsafe { libc::poll(&mut pfd, 1, ms) };
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                return Ok(None);
            }
            return Err(Error::io("waiting on /dev/uhid", e));
        }
        if r == 0 {
            return Ok(None);
        }
        let mut buf = vec![0u8; EVENT_SIZE];
        // SAFETY: read(2) into a buffer we own, at most its length.
        let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if matches!(
                e.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::WouldBlock
            ) {
                return Ok(None);
            }
            return Err(Error::io("reading /dev/uhid", e));
        }
        Ok(Some(decode_event(&RawEvent::from_bytes(
            &buf[..n as usize],
        ))))
    }
}

impl Drop for Uhid {
    fn drop(&mut self) {
        let _ = self.send(&RawEvent::zeroed(UHID_DESTROY));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn struct_layout_matches_linux_uhid_h() {
        // Sizes from the packed structs in include/uapi/linux/uhid.h.
        assert_eq!(
            size_of::<Create2Req>(),
            128 + 64 + 64 + 2 + 2 + 4 * 4 + 4096
        );
        assert_eq!(size_of::<Create2Req>(), 4372);
        assert_eq!(offset_of!(Create2Req, phys), 128);
        assert_eq!(offset_of!(Create2Req, uniq), 192);
        assert_eq!(offset_of!(Create2Req, rd_size), 256);
        assert_eq!(offset_of!(Create2Req, bus), 258);
        assert_eq!(offset_of!(Create2Req, vendor), 260);
        assert_eq!(offset_of!(Create2Req, product), 264);
        assert_eq!(offset_of!(Create2Req, version), 268);
        assert_eq!(offset_of!(Create2Req, country), 272);
        assert_eq!(offset_of!(Create2Req, rd_data), 276);
        assert_eq!(size_of::<Input2Req>(), 4098);
        assert_eq!(size_of::<OutputReq>(), 4099);
        assert_eq!(offset_of!(OutputReq, size), 4096);
        assert_eq!(offset_of!(OutputReq, rtype), 4098);
        assert_eq!(size_of::<GetReportReq>(), 6);
        assert_eq!(size_of::<GetReportReplyReq>(), 4104);
        assert_eq!(offset_of!(GetReportReplyReq, data), 8);
        assert_eq!(size_of::<SetReportReq>(), 4104);
        assert_eq!(offset_of!(SetReportReq, size), 6);
        assert_eq!(size_of::<SetReportReplyReq>(), 6);
        assert_eq!(offset_of!(RawEvent, u), 4);
        assert_eq!(EVENT_SIZE, 4376);
    }

    #[test]
    fn create2_and_input2_bytes() {
        let p = CreateParams {
            name: "bridge".into(),
            phys: "".into(),
            uniq: "x".into(),
            bus: BUS_USB,
            vendor: 0x1209,
            product: 0x0001,
            version: 1,
            descriptor: vec![0x06, 0x00, 0xff],
        };
        let e = create2_event(&p).unwrap();
        let b = e.as_bytes();
        assert_eq!(&b[0..4], &11u32.to_le_bytes());
        assert_eq!(&b[4..10], b"bridge");
        assert_eq!(b[4 + 192], b'x');
        assert_eq!(&b[4 + 256..4 + 258], &3u16.to_le_bytes());
        assert_eq!(&b[4 + 258..4 + 260], &3u16.to_le_bytes());
        assert_eq!(&b[4 + 260..4 + 264], &0x1209u32.to_le_bytes());
        assert_eq!(&b[4 + 276..4 + 279], &[0x06, 0x00, 0xff]);
        let i = input2_event(&[1, 2, 3]).unwrap();
        assert_eq!(&i.as_bytes()[..9], &[12, 0, 0, 0, 3, 0, 1, 2, 3]);
        assert!(input2_event(&[0; 4097]).is_err());
        assert!(create2_event(&CreateParams {
            descriptor: vec![],
            ..p
        })
        .is_err());
    }

    #[test]
    fn decode_output_and_get_report() {
        let mut raw = vec![0u8; EVENT_SIZE];
        raw[..4].copy_from_slice(&UHID_OUTPUT.to_le_bytes());
        raw[4..7].copy_from_slice(&[0, 5, 9]);
        raw[4 + 4096..4 + 4098].copy_from_slice(&3u16.to_le_bytes());
        raw[4 + 4098] = UHID_OUTPUT_REPORT;
        assert_eq!(
            decode_event(&RawEvent::from_bytes(&raw)),
            Event::Output {
                data: vec![0, 5, 9],
                rtype: UHID_OUTPUT_REPORT
            }
        );
        let mut raw = vec![0u8; 10];
        raw[..4].copy_from_slice(&UHID_GET_REPORT.to_le_bytes());
        raw[4..8].copy_from_slice(&77u32.to_le_bytes());
        raw[8] = 3;
        raw[9] = UHID_FEATURE_REPORT;
        assert_eq!(
            decode_event(&RawEvent::from_bytes(&raw)),
            Event::GetReport {
                id: 77,
                rnum: 3,
                rtype: 0
            }
        );
        // A hostile size field never reads past the buffer.
        let mut raw = vec![0u8; EVENT_SIZE];
        raw[..4].copy_from_slice(&UHID_OUTPUT.to_le_bytes());
        raw[4 + 4096..4 + 4098].copy_from_slice(&u16::MAX.to_le_bytes());
        match decode_event(&RawEvent::from_bytes(&raw)) {
            Event::Output { data, .. } => assert_eq!(data.len(), UHID_DATA_MAX),
            other => panic!("{other:?}"),
        }
    }
}
