//! `sim:loopback`: MOSI wired to MISO, the way spidev_test is usually run. What goes
//! out comes back, whatever the settings, which makes it the reference for `xfer` and
//! `pipe`.

use super::Chip;
use crate::error::Result;
use crate::spi::bus::BusConfig;

pub struct Loopback;

impl Chip for Loopback {
    fn part(&self) -> &'static str {
        "loopback (MOSI wired to MISO)"
    }
    fn select(&mut self) {}
    fn exchange(&mut self, tx: &[u8], rx: &mut [u8]) {
        rx.copy_from_slice(tx);
    }
    fn deselect(&mut self) -> Result<()> {
        Ok(())
    }
    fn check_config(&self, _cfg: &BusConfig) -> std::result::Result<(), String> {
        Ok(())
    }
    fn eight_bit_only(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use crate::spi::bus::SpiBus;
    use crate::spi::sim::SimBus;

    #[test]
    fn echoes_every_segment() {
        let mut bus = SimBus::open("sim:loopback").unwrap();
        assert_eq!(bus.xfer(&[1, 2, 0xff]).unwrap(), vec![1, 2, 0xff]);
    }
}
