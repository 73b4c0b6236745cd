//! `spictl --device hid:VID:PID`: the HID bridge as a third `SpiBus`, next to spidev
//! and the simulated chips. Every spictl command (xfer, reg, flash, sample) then runs
//! over the bridge protocol: one chip-select frame per group of segments (chip select
//! stays active across segments unless one ends in @cs), configuration through CONFIG.
//! A frame larger than the bridge's buffer is split as spidev splits at its bufsiz
//! (the same plan, one warning), because chip select then toggles between the pieces.

use std::cell::RefCell;
use std::time::Duration;

use super::backend::Hidraw;
use super::bridge::{Client, XFER_BUFFER};
use super::protocol::WireConfig;
use super::select;
use super::sim::{DevicePort, Faults};
use crate::cli::warn;
use crate::error::{Error, Result};
use crate::spi::bus::{word_bytes, BusConfig, BusInfo, ConfigChange, Segment, SpiBus, Splitter};

pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
pub const DEFAULT_RETRIES: u32 = 3;

pub struct HidBridgeBus {
    spec: String,
    client: RefCell<Client<DevicePort>>,
    simulated: bool,
    /// Cuts frames to the bridge's buffer (`XFER_BUFFER`).
    split: Splitter,
}

impl HidBridgeBus {
    /// Opens `hid:VID:PID[:SERIAL]`, `hid:/dev/hidrawN` or `hid:sim:CHIP`.
    pub fn open(spec: &str) -> Result<HidBridgeBus> {
        let inner = spec.strip_prefix("hid:").unwrap_or(spec);
        let (_, dev) = select::open(&Hidraw, inner, Faults::default())?;
        let client = Client::new(DevicePort { dev }, DEFAULT_TIMEOUT, DEFAULT_RETRIES);
        Self::with_client(spec, client)
    }

    pub fn with_client(spec: &str, mut client: Client<DevicePort>) -> Result<HidBridgeBus> {
        let (version, _, simulated) = client
            .ping()
            .map_err(|e| Error::device(spec, format!("not answering as a HID-SPI bridge: {e}")))?;
        if version != super::protocol::VERSION {
            return Err(Error::device(
                spec,
                format!(
                    "bridge speaks protocol version {version}; this hidctl speaks {}",
                    super::protocol::VERSION
                ),
            ));
        }
        Ok(HidBridgeBus {
            spec: spec.to_string(),
            client: RefCell::new(client),
            simulated,
            split: Splitter::new(
                XFER_BUFFER,
                usize::MAX,
                format!("the HID bridge's buffer ({XFER_BUFFER} bytes)"),
            ),
        })
    }

    fn run_frame(&self, tx: &[u8]) -> Result<Vec<u8>> {
        self.client.borrow_mut().xfer(tx)
    }
}

impl Drop for HidBridgeBus {
    fn drop(&mut self) {
        let s = self.client.borrow().stats;
        if s.eventful() {
            warn(&format!("{}: bridge link: {}", self.spec, s.summary()));
        }
    }
}

fn to_bus(w: WireConfig) -> BusConfig {
    BusConfig {
        mode: w.mode,
        bits: w.bits,
        speed_hz: w.speed_khz.saturating_mul(1000),
        lsb_first: w.lsb_first,
        cs_high: w.cs_high,
        three_wire: w.three_wire,
    }
}

impl SpiBus for HidBridgeBus {
    fn info(&self) -> BusInfo {
        BusInfo {
            device: self.spec.clone(),
            kind: if self.simulated {
                "simulation"
            } else {
                "hid-bridge"
            },
            chip: self
                .simulated
                .then(|| "behind a HID-SPI bridge (simulated SPI side)".to_string()),
            max_transfer: XFER_BUFFER,
            state: None,
        }
    }

    fn config(&self) -> Result<BusConfig> {
        Ok(to_bus(self.client.borrow_mut().get_config()?))
    }

    fn configure(&mut self, change: &ConfigChange) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        if let Some(hz) = change.speed_hz {
            if !hz.is_multiple_of(1000) || hz / 1000 > 0xff_ffff {
                return Err(Error::Usage(format!(
                    "{}: the HID bridge sets the clock in whole kHz up to 16.7 GHz; {hz} Hz is not one",
                    self.spec
                )));
            }
        }
        let next = change.apply(self.config()?);
        let want = WireConfig {
            mode: next.mode,
            lsb_first: next.lsb_first,
            cs_high: next.cs_high,
            three_wire: next.three_wire,
            bits: next.bits,
            speed_khz: next.speed_hz / 1000,
        };
        self.client.borrow_mut().config(&want).map_err(|e| {
            Error::device(
                &self.spec,
                format!("the bridge refused the configuration: {e}"),
            )
        })?;
        Ok(())
    }

    fn transfer(&mut self, segments: &mut [Segment]) -> Result<()> {
        let cfg = self.config()?;
        crate::spi::bus::check_word_alignment(&self.spec, cfg.bits, segments)?;
        // Group segments into chip-select frames.
        let mut start = 0;
        while start < segments.len() {
            let mut end = start;
            while end < segments.len() - 1 && !segments[end].cs_change {
                end += 1;
            }
            for s in &segments[start..=end] {
                if s.speed_hz.is_some_and(|hz| hz != cfg.speed_hz) {
                    return Err(Error::Usage(format!(
                        "{}: the HID bridge runs a frame at one clock; @speed differs from the bus clock {} Hz",
                        self.spec, cfg.speed_hz
                    )));
                }
            }
            for s in &segments[start..end] {
                if s.delay_us > 0 {
                    return Err(Error::Usage(format!(
                        "{}: the HID bridge cannot pause inside a chip-select frame; put @cs on the segment with @delay",
                        self.spec
                    )));
                }
            }
            let frame = &mut segments[start..=end];
            let lens: Vec<usize> = frame.iter().map(|s| s.tx.len()).collect();
            let (pieces, warning) = self.split.plan(&self.spec, &lens, word_bytes(cfg.bits));
            if let Some(w) = warning {
                warn(&w);
            }
            for s in frame.iter_mut() {
                s.rx = vec![0; s.tx.len()];
            }
            for message in pieces {
                let tx: Vec<u8> = message
                    .iter()
                    .flat_map(|p| &frame[p.segment].tx[p.offset..p.offset + p.len])
                    .copied()
                    .collect();
                let rx = self.run_frame(&tx)?;
                let mut off = 0;
                for p in &message {
                    frame[p.segment].rx[p.offset..p.offset + p.len]
                        .copy_from_slice(&rx[off..off + p.len]);
                    off += p.len;
                }
            }
            if segments[end].delay_us > 0 {
                std::thread::sleep(Duration::from_micros(segments[end].delay_us.into()));
            }
            start = end + 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hid::sim::SimBridge;

    fn sim(chip: &str) -> HidBridgeBus {
        let dev = SimBridge::open(chip, Faults::default()).unwrap();
        let client = Client::new(DevicePort { dev: Box::new(dev) }, DEFAULT_TIMEOUT, 2);
        HidBridgeBus::with_client(&format!("hid:{chip}"), client).unwrap()
    }

    #[test]
    fn flash_id_and_segments_over_the_bridge() {
        let mut bus = sim("sim:w25q128");
        assert_eq!(bus.info().kind, "simulation");
        assert_eq!(
            bus.xfer(&[0x9f, 0, 0, 0]).unwrap(),
            vec![0xff, 0xef, 0x40, 0x18]
        );
        // Two segments in one frame: the command, then the answer.
        let mut segs = [Segment::new(vec![0x9f]), Segment::new(vec![0, 0, 0])];
        bus.transfer(&mut segs).unwrap();
        assert_eq!(segs[1].rx, vec![0xef, 0x40, 0x18]);
        // Chip select released between frames: the second frame is a new command.
        let mut segs = [
            Segment {
                cs_change: true,
                ..Segment::new(vec![0x9f, 0])
            },
            Segment::new(vec![0x9f, 0, 0, 0]),
        ];
        bus.transfer(&mut segs).unwrap();
        assert_eq!(segs[0].rx, vec![0xff, 0xef]);
        assert_eq!(segs[1].rx, vec![0xff, 0xef, 0x40, 0x18]);
    }

    #[test]
    fn frames_larger_than_the_buffer_are_split() {
        let mut bus = sim("sim:loopback");
        let big: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let mut segs = [Segment::new(vec![0xa5; 3]), Segment::new(big.clone())];
        bus.transfer(&mut segs).unwrap();
        assert_eq!(segs[0].rx, vec![0xa5; 3]);
        assert_eq!(segs[1].rx, big, "every piece lands where it belongs");
        // Warned once: a second large frame on the same bus plans without a warning.
        let (pieces, warning) = bus.split.plan("x", &[3, 10_000], 1);
        assert_eq!((pieces.len(), warning), (3, None));
    }

    #[test]
    fn configuration_goes_through_the_bridge() {
        let mut bus = sim("sim:w25q128");
        bus.configure(&ConfigChange {
            mode: Some(3),
            speed_hz: Some(10_000_000),
            ..Default::default()
        })
        .unwrap();
        let c = bus.config().unwrap();
        assert_eq!((c.mode, c.speed_hz), (3, 10_000_000));
        let e = bus
            .configure(&ConfigChange {
                speed_hz: Some(1_000_500),
                ..Default::default()
            })
            .unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
        // The MCP3008 refuses mode 1: the bridge NACKs with a bus error.
        let mut adc = sim("sim:mcp3008");
        let e = adc
            .configure(&ConfigChange {
                mode: Some(1),
                ..Default::default()
            })
            .unwrap_err()
            .to_string();
        assert!(e.contains("refused"), "{e}");
    }
}
