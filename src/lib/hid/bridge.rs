//! Both ends of the bridge protocol (see `protocol`): the `Responder` that a bridge
//! device runs in front of an SPI bus (the uhid emulator and the in-process simulation
//! use it), and the `Client` that the host runs over any report `Port`, with sequence
//! numbers, timeouts, retries with the same sequence number, and counters for all of it.

use std::time::{Duration, Instant};

use super::protocol::{
    crc_ok, frame, Command, NackCode, Response, WireConfig, ACK_BIT, MAX_READ, NACK, REPORT_LEN,
    VERSION, XFER_CHUNK,
};
use crate::error::{Error, Result};
use crate::spi::bus::{ConfigChange, Segment, SpiBus};

/// The bridge's report descriptor: vendor page 0xff00, one 8-byte input report (the
/// responses) and one 8-byte output report (the requests), no report ids.
pub const BRIDGE_DESCRIPTOR: &[u8] = &[
    0x06, 0x00, 0xff, // Usage Page (Vendor 0xff00)
    0x09, 0x01, // Usage (1): the bridge
    0xa1, 0x01, // Collection (Application)
    0x15, 0x00, // Logical Minimum (0)
    0x26, 0xff, 0x00, // Logical Maximum (255)
    0x75, 0x08, // Report Size (8)
    0x95, 0x08, // Report Count (8)
    0x09, 0x02, // Usage (2): response
    0x81, 0x02, // Input (Data, Variable, Absolute)
    0x09, 0x03, // Usage (3): request
    0x91, 0x02, // Output (Data, Variable, Absolute)
    0x95, 0x05, // Report Count (5)
    0x09, 0x04, // Usage (4): SPI configuration, the CONFIG/GET_CONFIG payload
    0xb1, 0x02, // Feature (Data, Variable, Absolute)
    0xc0, // End Collection
];

/// Length of the feature report: the SPI configuration in `WireConfig` encoding, so a
/// host can read or set the bus with GET/SET_REPORT as on CP2112-style bridges.
pub const FEATURE_LEN: usize = 5;

/// The largest raw transfer the bridge buffers (one chip-select frame).
pub const XFER_BUFFER: usize = 4096;

/// The bridge's side: turns each request report into exactly one response report.
pub struct Responder {
    bus: Box<dyn SpiBus>,
    simulated: bool,
    /// The last request that was executed and its response, to answer a retry (same
    /// sequence number, same bytes) without running the SPI transaction again.
    last: Option<([u8; REPORT_LEN], [u8; REPORT_LEN])>,
    tx: Vec<u8>,
    rx: Vec<u8>,
    /// Counters, for the emulator's summary.
    pub handled: u64,
    pub crc_failures: u64,
    pub replays: u64,
}

impl Responder {
    pub fn new(bus: Box<dyn SpiBus>) -> Responder {
        let simulated = bus.info().kind == "simulation";
        Responder {
            bus,
            simulated,
            last: None,
            tx: Vec::new(),
            rx: Vec::new(),
            handled: 0,
            crc_failures: 0,
            replays: 0,
        }
    }

    pub fn bus_description(&self) -> String {
        let i = self.bus.info();
        match i.chip {
            Some(c) => format!("{} ({c})", i.device),
            None => i.device,
        }
    }

    /// Handles one output report (exactly the 8 protocol bytes).
    pub fn handle(&mut self, report: &[u8]) -> [u8; REPORT_LEN] {
        self.handled += 1;
        let seq = report.get(1).copied().unwrap_or(0);
        let cmd = report.first().copied().unwrap_or(0);
        let Ok(req) = <[u8; REPORT_LEN]>::try_from(report) else {
            return frame(NACK, seq, &[NackCode::BadLength as u8, cmd]);
        };
        if !crc_ok(&req) {
            self.crc_failures += 1;
            return frame(NACK, seq, &[NackCode::BadCrc as u8, cmd]);
        }
        if let Some((prev, resp)) = &self.last {
            if *prev == req {
                self.replays += 1;
                return *resp;
            }
        }
        let resp = match self.execute(&req) {
            Ok(data) => frame(ACK_BIT | cmd, seq, &data),
            Err(code) => frame(NACK, seq, &[code as u8, cmd]),
        };
        self.last = Some((req, resp));
        resp
    }

    fn execute(&mut self, r: &[u8; REPORT_LEN]) -> std::result::Result<[u8; 5], NackCode> {
        let a = &r[2..7];
        let mut out = [0u8; 5];
        match Command::from_byte(r[0]).ok_or(NackCode::UnknownCommand)? {
            Command::Ping => {
                out[0] = VERSION;
                out[1] = XFER_CHUNK as u8;
                out[2] = u8::from(self.simulated);
            }
            Command::RegWrite => {
                self.bus
                    .xfer(&[a[0] & 0x7f, a[1]])
                    .map_err(|_| NackCode::BusError)?;
            }
            Command::RegRead => {
                let n = a[1] as usize;
                if n == 0 || n > MAX_READ {
                    return Err(NackCode::BadArgument);
                }
                let mut tx = vec![0u8; n + 1];
                tx[0] = a[0] | 0x80;
                let rx = self.bus.xfer(&tx).map_err(|_| NackCode::BusError)?;
                out[..n].copy_from_slice(&rx[1..=n]);
            }
            Command::Config => {
                self.apply_config(&[a[0], a[1], a[2], a[3], a[4]])?;
                out = self.wire_config()?.encode();
            }
            Command::GetConfig => out = self.wire_config()?.encode(),
            Command::Xfer => {
                let ctl = a[0];
                let len = (ctl & 7) as usize;
                if len > XFER_CHUNK || (len == 0 && ctl & 0x80 == 0) {
                    return Err(NackCode::BadArgument);
                }
                if ctl & 0x40 != 0 {
                    self.tx.clear();
                }
                if self.tx.len() + len > XFER_BUFFER {
                    return Err(NackCode::BadArgument);
                }
                self.tx.extend_from_slice(&a[1..1 + len]);
                if ctl & 0x80 != 0 {
                    let mut seg = [Segment::new(std::mem::take(&mut self.tx))];
                    self.bus
                        .transfer(&mut seg)
                        .map_err(|_| NackCode::BusError)?;
                    let [seg] = seg;
                    self.rx = seg.rx;
                    out[..2].copy_from_slice(&(self.rx.len() as u16).to_le_bytes());
                } else {
                    out[..2].copy_from_slice(&(self.tx.len() as u16).to_le_bytes());
                }
            }
            Command::XferRead => {
                let off = u16::from_le_bytes([a[0], a[1]]) as usize;
                if off >= self.rx.len() {
                    return Err(NackCode::BadArgument);
                }
                let n = (self.rx.len() - off).min(XFER_CHUNK);
                out[0] = n as u8;
                out[1..1 + n].copy_from_slice(&self.rx[off..off + n]);
            }
        }
        Ok(out)
    }

    /// Reconfigures the bus from a CONFIG payload (speed 0 keeps the clock).
    fn apply_config(&mut self, payload: &[u8; 5]) -> std::result::Result<(), NackCode> {
        let w = WireConfig::decode(payload);
        if w.bits == 0 || w.bits > 32 {
            return Err(NackCode::BadArgument);
        }
        let change = ConfigChange {
            mode: Some(w.mode),
            bits: Some(w.bits),
            speed_hz: (w.speed_khz != 0).then(|| w.speed_khz.saturating_mul(1000)),
            lsb_first: Some(w.lsb_first),
            cs_high: Some(w.cs_high),
            three_wire: Some(w.three_wire),
        };
        self.bus.configure(&change).map_err(|_| NackCode::BusError)
    }

    /// GET_REPORT(Feature): the bus configuration.
    pub fn feature(&self) -> std::result::Result<[u8; FEATURE_LEN], NackCode> {
        Ok(self.wire_config()?.encode())
    }

    /// SET_REPORT(Feature): reconfigures the bus; the payload is exactly FEATURE_LEN bytes.
    pub fn set_feature(&mut self, payload: &[u8]) -> std::result::Result<(), NackCode> {
        let p: &[u8; FEATURE_LEN] = payload.try_into().map_err(|_| NackCode::BadLength)?;
        self.apply_config(p)
    }

    fn wire_config(&self) -> std::result::Result<WireConfig, NackCode> {
        let c = self.bus.config().map_err(|_| NackCode::BusError)?;
        Ok(WireConfig {
            mode: c.mode,
            lsb_first: c.lsb_first,
            cs_high: c.cs_high,
            three_wire: c.three_wire,
            bits: c.bits,
            speed_khz: c.speed_hz / 1000,
        })
    }
}

/// Where the client's reports go: one HID device's output and input reports.
pub trait Port {
    /// Sends one 8-byte request as an output report.
    fn send(&mut self, report: &[u8; REPORT_LEN]) -> Result<()>;
    /// The next input report, or None when `timeout` passes without one.
    fn recv(&mut self, timeout: Duration) -> Result<Option<Vec<u8>>>;
    /// Names the device in messages.
    fn name(&self) -> String;
}

/// What happened on the wire, for the summary line and records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub requests: u64,
    pub retries: u64,
    pub timeouts: u64,
    /// Responses whose CRC did not match.
    pub crc_errors: u64,
    /// NACKs for a request the bridge received damaged (bad CRC).
    pub nack_crc: u64,
    /// Other NACKs (bad argument, bus error...).
    pub nacks: u64,
    /// Responses to an earlier sequence number (late answers to a retried request).
    pub stale: u64,
    /// Input reports that were not 8 bytes.
    pub short_reports: u64,
    /// Requests that failed after all retries.
    pub failed: u64,
}

impl Stats {
    /// True when anything but clean request/response pairs happened.
    pub fn eventful(&self) -> bool {
        self.retries
            + self.timeouts
            + self.crc_errors
            + self.nack_crc
            + self.nacks
            + self.stale
            + self.short_reports
            + self.failed
            > 0
    }

    pub fn summary(&self) -> String {
        format!(
            "{} requests, {} retries, {} timeouts, {} response CRC errors, {} NACKs for damaged requests, {} other NACKs, {} stale, {} short reports, {} failed",
            self.requests,
            self.retries,
            self.timeouts,
            self.crc_errors,
            self.nack_crc,
            self.nacks,
            self.stale,
            self.short_reports,
            self.failed
        )
    }
}

/// The host side of the protocol.
pub struct Client<P: Port> {
    port: P,
    seq: u8,
    pub timeout: Duration,
    pub retries: u32,
    pub stats: Stats,
}

impl<P: Port> Client<P> {
    pub fn new(port: P, timeout: Duration, retries: u32) -> Self {
        Client {
            port,
            seq: 0,
            timeout,
            retries,
            stats: Stats::default(),
        }
    }

    pub fn port(&self) -> &P {
        &self.port
    }

    /// One request with retries; returns the ACK's 5 data bytes.
    pub fn request(&mut self, cmd: Command, args: &[u8]) -> Result<[u8; 5]> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let req = frame(cmd as u8, seq, args);
        self.stats.requests += 1;
        let mut last_problem = String::from("no answer");
        for attempt in 0..=self.retries {
            if attempt > 0 {
                self.stats.retries += 1;
            }
            self.port.send(&req)?;
            let deadline = Instant::now() + self.timeout;
            // Reports that were not the answer, to explain a timeout.
            let mut noise: Option<String> = None;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Some(bytes) = self.port.recv(left)? else {
                    self.stats.timeouts += 1;
                    last_problem = format!("no answer within {} ms", self.timeout.as_millis());
                    if let Some(n) = noise.take() {
                        last_problem.push_str(&format!(" (only {n})"));
                    }
                    break;
                };
                let Ok(resp) = <[u8; REPORT_LEN]>::try_from(bytes.as_slice()) else {
                    self.stats.short_reports += 1;
                    noise = Some(format!("a {}-byte report instead of 8", bytes.len()));
                    continue;
                };
                if !crc_ok(&resp) {
                    self.stats.crc_errors += 1;
                    last_problem = "a response with a bad CRC".into();
                    break;
                }
                match Response::parse(&resp) {
                    Some(r) if r.seq() != seq => {
                        self.stats.stale += 1;
                        continue;
                    }
                    Some(Response::Nack { code, .. }) if code == NackCode::BadCrc as u8 => {
                        self.stats.nack_crc += 1;
                        last_problem = "the bridge received the request damaged (bad CRC)".into();
                        break;
                    }
                    Some(Response::Nack { code, .. }) => {
                        self.stats.nacks += 1;
                        return Err(Error::device(
                            self.port.name(),
                            format!(
                                "bridge refused {} (seq {seq}): {}",
                                cmd.name(),
                                NackCode::describe(code)
                            ),
                        ));
                    }
                    Some(Response::Ack { command, data, .. }) if command == cmd as u8 => {
                        return Ok(data)
                    }
                    _ => {
                        noise = Some(format!(
                            "an unexpected report {}",
                            crate::record::text::to_hex(&resp)
                        ));
                        continue;
                    }
                }
            }
        }
        self.stats.failed += 1;
        Err(Error::device(
            self.port.name(),
            format!(
                "bridge {} (seq {seq}) failed after {} tries: {last_problem}",
                cmd.name(),
                self.retries + 1
            ),
        )
        .with_hint("check that the device is a hidctl bridge (hidctl spi ping); raise --timeout or --retries on a slow link"))
    }

    /// Sends a report exactly as given (no CRC fix-up, no retry) and returns the first
    /// input report that comes back, for protocol debugging.
    pub fn raw(&mut self, report: &[u8; REPORT_LEN]) -> Result<Option<Vec<u8>>> {
        self.stats.requests += 1;
        self.port.send(report)?;
        let r = self.port.recv(self.timeout)?;
        if r.is_none() {
            self.stats.timeouts += 1;
        }
        Ok(r)
    }

    pub fn ping(&mut self) -> Result<(u8, u8, bool)> {
        let d = self.request(Command::Ping, &[])?;
        Ok((d[0], d[1], d[2] & 1 != 0))
    }

    pub fn reg_write(&mut self, addr: u8, value: u8) -> Result<()> {
        self.request(Command::RegWrite, &[addr, value]).map(|_| ())
    }

    pub fn reg_read(&mut self, addr: u8, n: usize) -> Result<Vec<u8>> {
        let n = n.clamp(1, MAX_READ);
        let d = self.request(Command::RegRead, &[addr, n as u8])?;
        Ok(d[..n].to_vec())
    }

    pub fn config(&mut self, c: &WireConfig) -> Result<WireConfig> {
        let d = self.request(Command::Config, &c.encode())?;
        Ok(WireConfig::decode(&d))
    }

    pub fn get_config(&mut self) -> Result<WireConfig> {
        let d = self.request(Command::GetConfig, &[])?;
        Ok(WireConfig::decode(&d))
    }

    /// One chip-select frame: `tx` out, the same number of bytes back.
    pub fn xfer(&mut self, tx: &[u8]) -> Result<Vec<u8>> {
        if tx.is_empty() {
            return Ok(Vec::new());
        }
        if tx.len() > XFER_BUFFER {
            return Err(Error::Usage(format!(
                "{}: {} bytes in one chip-select frame; the bridge buffers at most {XFER_BUFFER}",
                self.port.name(),
                tx.len()
            )));
        }
        let chunks: Vec<&[u8]> = tx.chunks(XFER_CHUNK).collect();
        let last = chunks.len() - 1;
        for (i, c) in chunks.iter().enumerate() {
            let mut ctl = c.len() as u8;
            if i == 0 {
                ctl |= 0x40;
            }
            if i == last {
                ctl |= 0x80;
            }
            let mut args = [0u8; 5];
            args[0] = ctl;
            args[1..1 + c.len()].copy_from_slice(c);
            self.request(Command::Xfer, &args)?;
        }
        let mut rx = Vec::with_capacity(tx.len());
        while rx.len() < tx.len() {
            let off = (rx.len() as u16).to_le_bytes();
            let d = self.request(Command::XferRead, &[off[0], off[1]])?;
            let n = (d[0] as usize).min(XFER_CHUNK);
            if n == 0 {
                return Err(Error::device(
                    self.port.name(),
                    "bridge returned an empty transfer chunk",
                ));
            }
            rx.extend_from_slice(&d[1..1 + n]);
        }
        rx.truncate(tx.len());
        Ok(rx)
    }
}

#[cfg(test)]
mod tests {
    use super::super::sim::{Faults, SimPort};
    use super::*;
    use crate::spi::sim::SimBus;

    fn regmap_bus() -> Box<dyn SpiBus> {
        Box::new(SimBus::open("sim:loopback").unwrap())
    }

    #[test]
    fn responder_checks_crc_and_replays_retries() {
        let mut r = Responder::new(regmap_bus());
        let req = frame(Command::Ping as u8, 1, &[]);
        let a = r.handle(&req);
        assert_eq!(a[0], 0x85);
        assert_eq!(a[2], VERSION);
        let b = r.handle(&req);
        assert_eq!(a, b);
        assert_eq!(r.replays, 1);
        let mut bad = frame(Command::Ping as u8, 2, &[]);
        bad[7] ^= 0xff;
        let n = r.handle(&bad);
        assert_eq!((n[0], n[1], n[2]), (NACK, 2, NackCode::BadCrc as u8));
        let short = r.handle(&[1, 2, 3]);
        assert_eq!(short[2], NackCode::BadLength as u8);
        let unknown = r.handle(&frame(0x42, 3, &[]));
        assert_eq!(unknown[2], NackCode::UnknownCommand as u8);
    }

    #[test]
    fn xfer_through_the_bridge_matches_the_bus() {
        let port = SimPort::new(regmap_bus(), Faults::default());
        let mut c = Client::new(port, Duration::from_millis(50), 2);
        let tx: Vec<u8> = (0..=200u8).collect();
        assert_eq!(c.xfer(&tx).unwrap(), tx);
        assert!(!c.stats.eventful(), "{}", c.stats.summary());
    }

    #[test]
    fn retries_recover_from_lost_and_damaged_reports() {
        let faults = Faults {
            drop_response_every: 3,
            corrupt_request_every: 5,
            corrupt_response_every: 7,
            short_response_every: 0,
        };
        let port = SimPort::new(regmap_bus(), faults);
        // Five retries: with these periods six failures in a row cannot happen (3 and
        // 6 steps apart are drops; the others fall on distinct multiples of 5 and 7).
        let mut c = Client::new(port, Duration::from_millis(1), 5);
        let tx: Vec<u8> = (0..64u8).collect();
        assert_eq!(c.xfer(&tx).unwrap(), tx);
        let s = c.stats;
        assert!(
            s.timeouts > 0 && s.nack_crc > 0 && s.crc_errors > 0,
            "{}",
            s.summary()
        );
        assert_eq!(s.retries, s.timeouts + s.nack_crc + s.crc_errors);
        assert_eq!(s.failed, 0);
        // Each chunk ran exactly once on the bus, although some were sent twice: the
        // loopback would still echo, so check the responder's replay counter instead.
        assert!(c.port().responder().replays > 0);
    }

    #[test]
    fn a_dead_link_fails_after_the_retries() {
        let faults = Faults {
            drop_response_every: 1,
            ..Faults::default()
        };
        let port = SimPort::new(regmap_bus(), faults);
        let mut c = Client::new(port, Duration::from_millis(1), 2);
        let e = c.ping().unwrap_err().to_string();
        assert!(e.contains("failed after 3 tries"), "{e}");
        assert_eq!(c.stats.timeouts, 3);
        assert_eq!(c.stats.failed, 1);
    }
}
