//! `hidctl emulate bridge`: a real HID device through /dev/uhid that answers the bridge
//! protocol in front of an SPI bus (one of spictl's simulated chips, or a spidev node),
//! and `hidctl replay`'s device. The kernel sees a USB HID device; hidraw, hidapi and
//! `hidctl spi` / `spictl --device hid:...` reach it like hardware.

use std::time::Duration;

use super::bridge::{Responder, BRIDGE_DESCRIPTOR, FEATURE_LEN};
use super::protocol::REPORT_LEN;
use super::uhid::{CreateParams, Event, Uhid, BUS_USB, UHID_FEATURE_REPORT, UHID_INPUT_REPORT};
use crate::cli::{warn, Outcome};
use crate::error::Result;

/// pid.codes test VID/PID: free for testing, never sold on hardware.
pub const DEFAULT_VID: u16 = 0x1209;
pub const DEFAULT_PID: u16 = 0x0001;

/// SIGINT/SIGTERM end the emulation cleanly (the device is destroyed on the way out).
pub use crate::cli::signals::{stop_on_signals, stopped};

/// Strips the report id byte 0 that hidraw puts in front of an unnumbered output
/// report when it reaches uhid.
pub fn output_payload(data: &[u8]) -> &[u8] {
    if data.len() == REPORT_LEN + 1 && data[0] == 0 {
        &data[1..]
    } else {
        data
    }
}

pub struct BridgeOptions {
    pub vid: u16,
    pub pid: u16,
    pub name: String,
    /// Stop after this many requests (None: until a signal).
    pub count: Option<u64>,
}

/// Runs the bridge until SIGINT/SIGTERM (or `count` requests).
pub fn run_bridge(mut responder: Responder, opts: &BridgeOptions) -> Result<Outcome> {
    stop_on_signals();
    let uhid = Uhid::create(&CreateParams {
        name: opts.name.clone(),
        phys: "pipekit-hidctl-emulate".into(),
        uniq: String::new(),
        bus: BUS_USB,
        vendor: opts.vid.into(),
        product: opts.pid.into(),
        version: 1,
        descriptor: BRIDGE_DESCRIPTOR.to_vec(),
    })?;
    eprintln!(
        "hidctl: emulating a HID-SPI bridge {:04x}:{:04x} through /dev/uhid, SPI side {}; SIGINT or SIGTERM stops it",
        opts.vid,
        opts.pid,
        responder.bus_description()
    );
    let mut requests = 0u64;
    let mut ignored = 0u64;
    // The input report a GET_REPORT(Input) request reads: the last answer sent (all
    // zeros before the first), as a device reports its current input state.
    let mut last_input = [0u8; REPORT_LEN];
    while !stopped() && opts.count.is_none_or(|c| requests < c) {
        let Some(ev) = uhid.next_event(Some(Duration::from_millis(200)))? else {
            continue;
        };
        match ev {
            Event::Output { data, .. } => {
                requests += 1;
                let resp = responder.handle(output_payload(&data));
                uhid.input(&resp)?;
                last_input = resp;
            }
            // The feature report (unnumbered): the SPI configuration; the input report:
            // the last answer. The reply carries the report id byte first, as hidraw
            // hands it to the caller.
            Event::GetReport { id, rnum, rtype } => {
                let report = match rtype {
                    UHID_FEATURE_REPORT => responder.feature().ok().map(|r| r.to_vec()),
                    UHID_INPUT_REPORT => Some(last_input.to_vec()),
                    _ => None,
                };
                match report.filter(|_| rnum == 0) {
                    Some(report) => {
                        let mut data = vec![0u8];
                        data.extend_from_slice(&report);
                        uhid.get_report_reply(id, 0, &data)?;
                    }
                    None => {
                        ignored += 1;
                        uhid.get_report_reply(id, libc::EIO as u16, &[])?;
                    }
                }
            }
            Event::SetReport {
                id,
                rnum,
                rtype,
                data,
            } => {
                // hidraw passes the report id byte (0) in front of the report.
                let body = match data.split_first() {
                    Some((0, rest)) if rest.len() == FEATURE_LEN => rest,
                    _ => &data[..],
                };
                let ok = rnum == 0
                    && rtype == UHID_FEATURE_REPORT
                    && responder.set_feature(body).is_ok();
                if !ok {
                    ignored += 1;
                }
                let err = if ok { 0 } else { libc::EIO as u16 };
                uhid.set_report_reply(id, err)?;
            }
            _ => {}
        }
    }
    eprintln!(
        "hidctl: bridge stopped: {} requests, {} with a bad CRC (NACKed), {} retries answered from cache, {} report requests refused (bad id, type or configuration)",
        responder.handled, responder.crc_failures, responder.replays, ignored
    );
    if responder.crc_failures > 0 {
        warn(&format!(
            "{} requests arrived damaged and were NACKed",
            responder.crc_failures
        ));
    }
    Ok(Outcome::Complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_only_the_unnumbered_report_id() {
        assert_eq!(
            output_payload(&[0, 1, 2, 3, 4, 5, 6, 7, 8]),
            &[1, 2, 3, 4, 5, 6, 7, 8]
        );
        assert_eq!(
            output_payload(&[1, 2, 3, 4, 5, 6, 7, 8]),
            &[1, 2, 3, 4, 5, 6, 7, 8]
        );
        assert_eq!(output_payload(&[9, 1, 2, 3, 4, 5, 6, 7, 8]).len(), 9);
    }
}
