//! The bridge as a simulated HID device, in process: the same `Responder` the uhid
//! emulator runs, behind the `HidDevice` interface, with deterministic fault injection
//! (lost responses, damaged requests, damaged responses) to exercise the client's
//! timeouts, retries and counters. `--device sim:CHIP` selects it on the command line;
//! it names itself a simulation everywhere.

use std::collections::VecDeque;
use std::time::Duration;

use super::backend::{DeviceInfo, HidDevice};
use super::bridge::{Port, Responder, BRIDGE_DESCRIPTOR, FEATURE_LEN};
use super::protocol::{NackCode, REPORT_LEN};
use crate::error::{Error, Result};
use crate::spi::bus::SpiBus;

/// Every Nth report is affected (0: never).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Faults {
    pub drop_response_every: u32,
    pub corrupt_request_every: u32,
    pub corrupt_response_every: u32,
    /// The response arrives cut to 5 bytes (a short read on the host).
    pub short_response_every: u32,
}

impl Faults {
    /// `drop=N,corrupt-request=N,corrupt-response=N,short-response=N`.
    pub fn parse(text: &str) -> std::result::Result<Faults, String> {
        let mut f = Faults::default();
        for part in text.split(',').filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}': expected KEY=N"))?;
            let n: u32 = v
                .parse()
                .map_err(|_| format!("'{part}': N must be a whole number"))?;
            match k {
                "drop" => f.drop_response_every = n,
                "corrupt-request" => f.corrupt_request_every = n,
                "corrupt-response" => f.corrupt_response_every = n,
                "short-response" => f.short_response_every = n,
                _ => {
                    return Err(format!(
                        "'{k}': unknown fault (drop, corrupt-request, corrupt-response, short-response)"
                    ))
                }
            }
        }
        Ok(f)
    }
}

fn hits(every: u32, n: u64) -> bool {
    every != 0 && n.is_multiple_of(u64::from(every))
}

/// The simulated bridge device.
pub struct SimBridge {
    spec: String,
    responder: Responder,
    queue: VecDeque<Vec<u8>>,
    faults: Faults,
    requests: u64,
    responses: u64,
}

impl SimBridge {
    pub fn new(spec: &str, bus: Box<dyn SpiBus>, faults: Faults) -> SimBridge {
        SimBridge {
            spec: spec.to_string(),
            responder: Responder::new(bus),
            queue: VecDeque::new(),
            faults,
            requests: 0,
            responses: 0,
        }
    }

    /// `sim:CHIP[=ARG]` with spictl's simulated chips.
    pub fn open(spec: &str, faults: Faults) -> Result<SimBridge> {
        let bus = crate::spi::sim::SimBus::open(spec)?;
        Ok(SimBridge::new(spec, Box::new(bus), faults))
    }

    pub fn responder(&self) -> &Responder {
        &self.responder
    }

    pub fn info(&self) -> DeviceInfo {
        DeviceInfo {
            path: self.spec.clone(),
            vid: super::emulate::DEFAULT_VID,
            pid: super::emulate::DEFAULT_PID,
            serial: String::new(),
            manufacturer: "pipekit".into(),
            product: format!(
                "simulated HID-SPI bridge ({})",
                self.responder.bus_description()
            ),
            release: 0,
            interface: 0,
            bus: "simulation".into(),
            usages: vec![(0xff00, 1)],
            listed: false,
        }
    }
}

impl HidDevice for SimBridge {
    fn name(&self) -> String {
        format!("{} (simulated bridge)", self.spec)
    }

    fn descriptor(&self) -> Result<Vec<u8>> {
        Ok(BRIDGE_DESCRIPTOR.to_vec())
    }

    fn write(&mut self, data: &[u8]) -> Result<usize> {
        // Unnumbered reports: byte 0 is the report id 0, then the 8 protocol bytes.
        let Some((&0, body)) = data.split_first() else {
            return Err(Error::device(
                self.name(),
                "the bridge has no numbered reports; the report id byte must be 0",
            ));
        };
        if body.len() > REPORT_LEN {
            return Err(Error::device(
                self.name(),
                format!("output report is {REPORT_LEN} bytes; got {}", body.len()),
            ));
        }
        let mut body = body.to_vec();
        body.resize(REPORT_LEN, 0);
        self.requests += 1;
        if hits(self.faults.corrupt_request_every, self.requests) {
            body[3] ^= 0x10;
        }
        let mut resp = self.responder.handle(&body).to_vec();
        self.responses += 1;
        if hits(self.faults.drop_response_every, self.responses) {
            return Ok(data.len());
        }
        if hits(self.faults.corrupt_response_every, self.responses) {
            resp[2] ^= 0x01;
        }
        if hits(self.faults.short_response_every, self.responses) {
            resp.truncate(5);
        }
        self.queue.push_back(resp);
        Ok(data.len())
    }

    fn read(&mut self, buf: &mut [u8], _timeout: Option<Duration>) -> Result<usize> {
        // Simulated time: an empty queue means the timeout has passed.
        match self.queue.pop_front() {
            Some(r) => {
                let n = r.len().min(buf.len());
                buf[..n].copy_from_slice(&r[..n]);
                Ok(n)
            }
            None => Ok(0),
        }
    }

    fn get_feature(&mut self, buf: &mut [u8]) -> Result<usize> {
        // As hidraw: buf[0] is the report id (0, unnumbered), the report follows.
        if buf.first() != Some(&0) {
            return Err(self.no_such_feature());
        }
        let report = self
            .responder
            .feature()
            .map_err(|c| Error::device(self.name(), NackCode::describe(c as u8)))?;
        let n = report.len().min(buf.len() - 1);
        buf[1..=n].copy_from_slice(&report[..n]);
        Ok(n + 1)
    }

    fn set_feature(&mut self, data: &[u8]) -> Result<()> {
        let Some((&0, body)) = data.split_first() else {
            return Err(self.no_such_feature());
        };
        if body.len() != FEATURE_LEN {
            return Err(Error::device(
                self.name(),
                format!(
                    "the feature report is {FEATURE_LEN} bytes; got {}",
                    body.len()
                ),
            ));
        }
        self.responder
            .set_feature(body)
            .map_err(|c| Error::device(self.name(), NackCode::describe(c as u8)))
    }
}

impl SimBridge {
    fn no_such_feature(&self) -> Error {
        Error::device(
            self.name(),
            format!("the bridge has one feature report, unnumbered (id 0), of {FEATURE_LEN} bytes"),
        )
    }
}

/// A `Port` on any HID device: requests as output report 0, responses from input.
pub struct DevicePort {
    pub dev: Box<dyn HidDevice>,
}

impl Port for DevicePort {
    fn send(&mut self, report: &[u8; REPORT_LEN]) -> Result<()> {
        let mut out = [0u8; REPORT_LEN + 1];
        out[1..].copy_from_slice(report);
        let n = self.dev.write(&out)?;
        if n != out.len() {
            return Err(Error::device(
                self.dev.name(),
                format!("short write: {n} of {} bytes", out.len()),
            ));
        }
        Ok(())
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        let mut buf = [0u8; 64];
        let n = self.dev.read(&mut buf, Some(timeout))?;
        Ok((n > 0).then(|| buf[..n].to_vec()))
    }

    fn name(&self) -> String {
        self.dev.name()
    }
}

/// A port straight onto a `SimBridge` (tests look at its responder).
pub struct SimPort {
    inner: SimBridge,
}

impl SimPort {
    pub fn new(bus: Box<dyn SpiBus>, faults: Faults) -> SimPort {
        SimPort {
            inner: SimBridge::new("sim:test", bus, faults),
        }
    }

    pub fn responder(&self) -> &Responder {
        self.inner.responder()
    }
}

impl Port for SimPort {
    fn send(&mut self, report: &[u8; REPORT_LEN]) -> Result<()> {
        let mut out = vec![0u8];
        out.extend_from_slice(report);
        self.inner.write(&out).map(|_| ())
    }

    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>> {
        let mut buf = [0u8; 64];
        let n = self.inner.read(&mut buf, Some(timeout))?;
        Ok((n > 0).then(|| buf[..n].to_vec()))
    }

    fn name(&self) -> String {
        self.inner.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_specs() {
        assert_eq!(
            Faults::parse("drop=3,corrupt-request=5").unwrap(),
            Faults {
                drop_response_every: 3,
                corrupt_request_every: 5,
                corrupt_response_every: 0,
                short_response_every: 0
            }
        );
        assert!(Faults::parse("drop").is_err());
        assert!(Faults::parse("explode=1").is_err());
        assert!(Faults::parse("drop=x").is_err());
    }

    #[test]
    fn report_id_must_be_zero() {
        let mut b = SimBridge::open("sim:loopback", Faults::default()).unwrap();
        assert!(b.write(&[1, 5, 1, 0, 0, 0, 0, 0, 0]).is_err());
        assert!(b.write(&[0; 10]).is_err());
    }

    #[test]
    fn feature_report_is_the_bus_configuration() {
        let mut b = SimBridge::open("sim:loopback", Faults::default()).unwrap();
        // mode 3, LSB first, 16 bits, 2000 kHz
        b.set_feature(&[0, 0x07, 16, 0xd0, 0x07, 0]).unwrap();
        let mut buf = [0u8; FEATURE_LEN + 1];
        assert_eq!(b.get_feature(&mut buf).unwrap(), FEATURE_LEN + 1);
        assert_eq!(buf, [0, 0x07, 16, 0xd0, 0x07, 0]);
        // The protocol's GET_CONFIG sees the same bus.
        let cfg = b.responder.feature().unwrap();
        assert_eq!(cfg, [0x07, 16, 0xd0, 0x07, 0]);
        // Zero bits per word is refused and changes nothing; so is a numbered report.
        assert!(b.set_feature(&[0, 0, 0, 0, 0, 0]).is_err());
        assert!(b.set_feature(&[1, 0x07, 8, 0, 0, 0]).is_err());
        assert!(b.get_feature(&mut [2u8; 6]).is_err());
        b.get_feature(&mut buf).unwrap();
        assert_eq!(buf[2], 16);
    }
}
