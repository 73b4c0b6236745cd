//! hidctl: report descriptors and the reports they describe, and the HID-to-SPI bridge
//! protocol as the emulated bridge parses it.

use crate::hid::bridge::Responder;
use crate::hid::descriptor::{self, Direction};
use crate::hid::protocol::{self, NackCode, Response, NACK, REPORT_LEN};
use crate::spi::sim::SimBus;

/// hidraw never hands over a report longer than this (the kernel's HID_MAX_BUFFER_SIZE).
const MAX_REPORT: usize = 16384;

/// A descriptor (the bytes) decoded, then every report it declares decoded from a
/// payload of the report's size and from one cut short (the bytes again, cycled).
pub fn descriptor(data: &[u8]) {
    let d = descriptor::decode(data);
    for item in &d.items {
        assert!(
            item.offset < data.len(),
            "item at {} past the end",
            item.offset
        );
    }
    for dir in [Direction::Input, Direction::Output, Direction::Feature] {
        for id in d.ids(dir) {
            let report = d.report(id, dir).expect("ids() lists reports that exist");
            let full = (report.bytes() as usize).min(MAX_REPORT);
            let payload: Vec<u8> = data.iter().copied().cycle().take(full).collect();
            descriptor::decode_report(report, &payload);
            descriptor::decode_report(report, &payload[..full / 2]);
        }
    }
}

/// A stream of output reports into the emulated bridge (over a simulated loopback SPI
/// device). Each report is one length byte, then that many bytes (length mod 10, so
/// the wrong lengths come up too); bit 7 of the length byte seals the report with its
/// CRC, so the fuzzer reaches the commands and not only the CRC check. Every answer
/// must be a whole response with a good CRC, for the request's sequence number.
pub fn bridge(data: &[u8]) {
    let mut bridge = Responder::new(Box::new(
        SimBus::open("sim:loopback").expect("the loopback device opens"),
    ));
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let len = (head & 0x7f) as usize % (REPORT_LEN + 2);
        let take = len.min(tail.len());
        let mut report = tail[..take].to_vec();
        rest = &tail[take..];
        let sealed = head & 0x80 != 0 && report.len() == REPORT_LEN;
        if sealed {
            report[7] = protocol::crc8(&report[..7]);
        }
        let answer = bridge.handle(&report);
        assert!(
            protocol::crc_ok(&answer),
            "answer with a bad CRC: {answer:02x?}"
        );
        let parsed = Response::parse(&answer).expect("the bridge answers ACK or NACK");
        assert_eq!(parsed.seq(), report.get(1).copied().unwrap_or(0));
        if report.len() != REPORT_LEN {
            assert_eq!(answer[..3], [NACK, parsed.seq(), NackCode::BadLength as u8]);
        } else if !sealed && !protocol::crc_ok(report[..].try_into().unwrap()) {
            assert_eq!(answer[..3], [NACK, parsed.seq(), NackCode::BadCrc as u8]);
        }
        // The host's side reads the same answer.
        protocol::describe(&answer);
    }
    let _ = bridge.set_feature(data);
    let _ = bridge.feature();
}
