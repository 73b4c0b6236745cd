//! spictl: register-map files (TOML written by people, read with every command).

use super::assert_names;
use crate::spi::regmap::RegMap;

/// A register map parsed; when it loads, every register's frames, reset value and
/// fields are used as the commands use them.
pub fn regmap(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let map = match RegMap::parse(text, "fuzz.toml") {
        Ok(m) => m,
        Err(e) => return assert_names(&e, "fuzz.toml"),
    };
    let p = &map.protocol;
    for r in &map.registers {
        let frame = p.read_frame(r.address, r.bytes);
        assert_eq!(frame.len(), p.addr_bytes as usize + r.bytes);
        let value = p.encode(r.reset, r.bytes);
        assert_eq!(
            p.decode(&value),
            r.reset,
            "{}: reset value round trip",
            r.name
        );
        p.write_frame(r.address, &value);
        for f in &r.fields {
            assert!(
                f.lo <= f.hi && f.hi < 8 * r.bytes as u32,
                "{}: bits",
                f.name
            );
            f.extract(r.reset);
            for name in f.values.values() {
                let _ = f.value_of(name);
            }
        }
        assert!(map.find(&r.name).is_some());
    }
}
