//! The HID-to-SPI bridge protocol: fixed 8-byte reports, both directions, no report id.
//!
//! ```text
//! host -> bridge (output report)     bridge -> host (input report)
//!   0  command                         0  0x80|command (ACK) or 0x7f (NACK)
//!   1  sequence number                 1  the request's sequence number
//!   2..6  arguments (5 bytes)          2..6  data (5 bytes); NACK: 2 = error, 3 = command
//!   7  CRC-8 of bytes 0..6             7  CRC-8 of bytes 0..6
//! ```
//!
//! The CRC is CRC-8/SMBUS: polynomial 0x07, initial value 0x00, no reflection, no final
//! XOR (check value 0xF4 for "123456789").
//!
//! The sequence number makes retries safe: the host repeats a request that timed out
//! with the SAME sequence number, and a bridge that already executed it answers from
//! its cache instead of running the SPI transaction twice (a register read with side
//! effects, or a raw transfer chunk, must not happen twice).

/// Bytes in every bridge report.
pub const REPORT_LEN: usize = 8;
/// Protocol version answered by PING.
pub const VERSION: u8 = 1;
/// Data bytes carried by one XFER chunk.
pub const XFER_CHUNK: usize = 4;
/// Registers read by one REG_READ.
pub const MAX_READ: usize = 5;

pub const ACK_BIT: u8 = 0x80;
pub const NACK: u8 = 0x7f;

/// Commands (byte 0 of a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Command {
    /// args: address, value. SPI: [address & 0x7f, value].
    RegWrite = 0x01,
    /// args: address, count (1-5). SPI: [address | 0x80, 0 x count]; data: the values.
    RegRead = 0x02,
    /// args: flags (mode in bits 0-1, bit 2 LSB first, bit 3 CS active high, bit 4
    /// 3-wire), bits per word, clock in kHz (24-bit little endian; 0 keeps it).
    /// data: the configuration now in force, same layout.
    Config = 0x03,
    /// One chip-select frame is sent in chunks: args: control (bits 0-2 length 0-4,
    /// bit 6 first chunk: start a new frame, bit 7 last chunk: run the frame, with chip
    /// select held for all of it), then up to 4 bytes. data: bytes buffered so far
    /// (16-bit LE), or after the last chunk the bytes clocked. At most 4096 per frame.
    Xfer = 0x04,
    /// args: none. data: protocol version, XFER chunk size, flags (bit 0: the SPI side
    /// is a simulation).
    Ping = 0x05,
    /// args: none. data: the configuration, as CONFIG answers.
    GetConfig = 0x06,
    /// args: offset (16-bit LE) into what the last frame clocked in. data: count (1-4),
    /// then the bytes.
    XferRead = 0x07,
}

impl Command {
    pub fn from_byte(b: u8) -> Option<Command> {
        Some(match b {
            0x01 => Command::RegWrite,
            0x02 => Command::RegRead,
            0x03 => Command::Config,
            0x04 => Command::Xfer,
            0x05 => Command::Ping,
            0x06 => Command::GetConfig,
            0x07 => Command::XferRead,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Command::RegWrite => "reg-write",
            Command::RegRead => "reg-read",
            Command::Config => "config",
            Command::Xfer => "xfer",
            Command::Ping => "ping",
            Command::GetConfig => "get-config",
            Command::XferRead => "xfer-read",
        }
    }
}

/// NACK error codes (byte 2 of a NACK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum NackCode {
    /// The request's CRC did not match: it was damaged on the way. Retry.
    BadCrc = 0x01,
    UnknownCommand = 0x02,
    BadArgument = 0x03,
    /// The SPI side failed (or refused the configuration).
    BusError = 0x04,
    /// The report was not 8 bytes.
    BadLength = 0x05,
}

impl NackCode {
    pub fn from_byte(b: u8) -> Option<NackCode> {
        Some(match b {
            0x01 => NackCode::BadCrc,
            0x02 => NackCode::UnknownCommand,
            0x03 => NackCode::BadArgument,
            0x04 => NackCode::BusError,
            0x05 => NackCode::BadLength,
            _ => return None,
        })
    }

    pub fn describe(code: u8) -> String {
        match NackCode::from_byte(code) {
            Some(NackCode::BadCrc) => "bad CRC".into(),
            Some(NackCode::UnknownCommand) => "unknown command".into(),
            Some(NackCode::BadArgument) => "bad argument".into(),
            Some(NackCode::BusError) => "SPI bus error".into(),
            Some(NackCode::BadLength) => "report is not 8 bytes".into(),
            None => format!("error 0x{code:02x}"),
        }
    }
}

/// CRC-8/SMBUS (poly 0x07, init 0, no reflection, no xorout).
pub fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in bytes {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Builds a report: byte 0, sequence, up to 5 payload bytes, CRC.
pub fn frame(first: u8, seq: u8, payload: &[u8]) -> [u8; REPORT_LEN] {
    let mut r = [0u8; REPORT_LEN];
    r[0] = first;
    r[1] = seq;
    let n = payload.len().min(5);
    r[2..2 + n].copy_from_slice(&payload[..n]);
    r[7] = crc8(&r[..7]);
    r
}

pub fn crc_ok(r: &[u8; REPORT_LEN]) -> bool {
    crc8(&r[..7]) == r[7]
}

/// A decoded response from the bridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    Ack { command: u8, seq: u8, data: [u8; 5] },
    Nack { seq: u8, code: u8, command: u8 },
}

impl Response {
    /// Parses a response whose CRC is already checked.
    pub fn parse(r: &[u8; REPORT_LEN]) -> Option<Response> {
        let mut data = [0u8; 5];
        data.copy_from_slice(&r[2..7]);
        if r[0] == NACK {
            Some(Response::Nack {
                seq: r[1],
                code: r[2],
                command: r[3],
            })
        } else if r[0] & ACK_BIT != 0 {
            Some(Response::Ack {
                command: r[0] & !ACK_BIT,
                seq: r[1],
                data,
            })
        } else {
            None
        }
    }

    pub fn seq(&self) -> u8 {
        match *self {
            Response::Ack { seq, .. } | Response::Nack { seq, .. } => seq,
        }
    }
}

/// Bus configuration as the bridge carries it (CONFIG / GET_CONFIG payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireConfig {
    pub mode: u8,
    pub lsb_first: bool,
    pub cs_high: bool,
    pub three_wire: bool,
    pub bits: u8,
    /// 0 in a CONFIG request: keep the clock.
    pub speed_khz: u32,
}

impl WireConfig {
    pub fn encode(&self) -> [u8; 5] {
        let flags = (self.mode & 3)
            | u8::from(self.lsb_first) << 2
            | u8::from(self.cs_high) << 3
            | u8::from(self.three_wire) << 4;
        let k = self.speed_khz.min(0xff_ffff).to_le_bytes();
        [flags, self.bits, k[0], k[1], k[2]]
    }

    pub fn decode(p: &[u8; 5]) -> WireConfig {
        WireConfig {
            mode: p[0] & 3,
            lsb_first: p[0] & 4 != 0,
            cs_high: p[0] & 8 != 0,
            three_wire: p[0] & 16 != 0,
            bits: p[1],
            speed_khz: u32::from_le_bytes([p[2], p[3], p[4], 0]),
        }
    }
}

/// A one-line description of a report in either direction, for `hidctl spi raw` and
/// error messages.
pub fn describe(r: &[u8; REPORT_LEN]) -> String {
    let crc = if crc_ok(r) { "crc ok" } else { "CRC MISMATCH" };
    match Response::parse(r) {
        Some(Response::Nack { seq, code, command }) => format!(
            "NACK seq {seq}: {} (command 0x{command:02x}), {crc}",
            NackCode::describe(code)
        ),
        Some(Response::Ack { command, seq, data }) => format!(
            "ACK {} seq {seq} data {}, {crc}",
            Command::from_byte(command).map_or("?", |c| c.name()),
            crate::record::text::to_hex(&data)
        ),
        None => match Command::from_byte(r[0]) {
            Some(c) => format!(
                "request {} seq {} args {}, {crc}",
                c.name(),
                r[1],
                crate::record::text::to_hex(&r[2..7])
            ),
            None => format!("unknown report 0x{:02x}, {crc}", r[0]),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc8_smbus_check_value() {
        assert_eq!(crc8(b"123456789"), 0xf4);
        assert_eq!(crc8(&[]), 0);
    }

    #[test]
    fn frames_and_parse() {
        let f = frame(0x02, 7, &[0x10, 1]);
        assert_eq!(&f[..7], &[0x02, 7, 0x10, 1, 0, 0, 0]);
        assert!(crc_ok(&f));
        let mut bad = f;
        bad[3] ^= 1;
        assert!(!crc_ok(&bad));
        let ack = frame(0x82, 7, &[0xab]);
        assert_eq!(
            Response::parse(&ack),
            Some(Response::Ack {
                command: 2,
                seq: 7,
                data: [0xab, 0, 0, 0, 0]
            })
        );
        let nack = frame(NACK, 9, &[NackCode::BadCrc as u8, 0x01]);
        assert!(describe(&nack).contains("NACK seq 9: bad CRC"));
    }

    #[test]
    fn config_round_trip() {
        let c = WireConfig {
            mode: 3,
            lsb_first: true,
            cs_high: false,
            three_wire: true,
            bits: 16,
            speed_khz: 10_000,
        };
        assert_eq!(WireConfig::decode(&c.encode()), c);
        assert_eq!(c.encode()[0], 0b1_0111);
    }
}
