//! `--device`: which bus to open. A path (or `spidevB.C`) is real hardware through
//! spidev; `sim:...` is a simulated chip; `hid:VID:PID` is a HID-SPI bridge speaking
//! hidctl's bridge protocol over hidraw. Nothing else is accepted, so a typo fails
//! before anything is sent.

use super::bus::SpiBus;
use super::sim::SimBus;
use super::spidev::SpidevBus;
use crate::error::{Error, Result};

pub const DEVICE_HELP: &str =
    "/dev/spidevB.C, hid:VID:PID[:SERIAL] (a HID-SPI bridge), or a simulation: sim:loopback, sim:mcp3008[=SIGNAL], sim:mcp3208[=SIGNAL], sim:w25q128[=IMAGE] (also w25q256, mx25l25635e, mx25l25645g, mx66l1g45g, sst26vf064b), sim:regmap=MAP.toml";

pub fn open(spec: Option<&str>) -> Result<Box<dyn SpiBus>> {
    let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(Error::Usage(format!(
            "no device given: use --device (or SPICTL_DEVICE) with {DEVICE_HELP}"
        )));
    };
    if spec.starts_with("sim:") {
        return Ok(Box::new(SimBus::open(spec)?));
    }
    if spec.starts_with("hid:") {
        #[cfg(feature = "hidctl")]
        return Ok(Box::new(crate::hid::spibus::HidBridgeBus::open(spec)?));
        #[cfg(not(feature = "hidctl"))]
        return Err(Error::Usage(format!(
            "--device {spec}: this spictl was built without the hidctl feature (HID bridges)"
        )));
    }
    if spec.starts_with('/') || spec.starts_with("./") {
        return Ok(Box::new(SpidevBus::open(spec)?));
    }
    if let Some(rest) = spec.strip_prefix("spidev") {
        if rest.split_once('.').is_some_and(|(b, c)| {
            !b.is_empty()
                && !c.is_empty()
                && b.bytes().all(|x| x.is_ascii_digit())
                && c.bytes().all(|x| x.is_ascii_digit())
        }) {
            return Ok(Box::new(SpidevBus::open(&format!("/dev/{spec}"))?));
        }
    }
    Err(Error::Usage(format!(
        "--device {spec}: not a device; expected {DEVICE_HELP}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_selection() {
        assert!(matches!(open(None).err().unwrap(), Error::Usage(_)));
        // A HID bridge that is not plugged in is a device error (a usage error when
        // spictl is built without HID support).
        let hid = open(Some("hid:1234:5678")).err().unwrap();
        if cfg!(feature = "hidctl") {
            assert!(matches!(hid, Error::Device { .. }), "{hid}");
        } else {
            assert!(matches!(hid, Error::Usage(_)), "{hid}");
        }
        assert!(matches!(
            open(Some("hid:nonsense")).err().unwrap(),
            Error::Usage(_)
        ));
        assert!(matches!(
            open(Some("spidev0")).err().unwrap(),
            Error::Usage(_)
        ));
        // A well-formed spidev name that does not exist here is a device error.
        assert!(matches!(
            open(Some("spidev7.3")).err().unwrap(),
            Error::Device { .. }
        ));
        assert_eq!(
            open(Some("sim:loopback")).unwrap().info().kind,
            "simulation"
        );
    }
}
