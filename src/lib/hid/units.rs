//! Units and physical values of report fields (HID 1.11, section 6.2.2.7): a field's
//! Unit item says what its values measure (a nibble for the system, then signed nibble
//! exponents of length, mass, time, temperature, current and luminous intensity), and
//! its physical range and Unit Exponent map logical values onto that unit.

/// The unit systems' names for length, mass and temperature; time, current and
/// luminous intensity are the same in all four.
const SYSTEMS: [(&str, &str, &str); 4] = [
    ("cm", "g", "K"),      // 1: SI Linear
    ("rad", "g", "K"),     // 2: SI Rotation
    ("in", "slug", "°F"),  // 3: English Linear
    ("deg", "slug", "°F"), // 4: English Rotation
];

/// A signed 4-bit value, as unit exponents are coded.
fn nibble(v: u32) -> i32 {
    let n = (v & 0xf) as i32;
    if n >= 8 {
        n - 16
    } else {
        n
    }
}

/// The unit as text ("cm", "deg", "cm/s^2", "g*cm^2/s^2"), or `None` for no unit, a
/// vendor-defined or reserved system, or a system without exponents.
pub fn unit_text(unit: u32) -> Option<String> {
    let system = unit & 0xf;
    let (length, mass, temperature) = *SYSTEMS.get((system as usize).checked_sub(1)?)?;
    let names = [length, mass, "s", temperature, "A", "cd"];
    let mut up = Vec::new();
    let mut down = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let e = nibble(unit >> (4 * (i + 1)));
        let term = |e: i32| {
            if e == 1 {
                name.to_string()
            } else {
                format!("{name}^{e}")
            }
        };
        match e {
            0 => {}
            e if e > 0 => up.push(term(e)),
            e => down.push(term(-e)),
        }
    }
    match (up.is_empty(), down.is_empty()) {
        (true, true) => None,
        (false, true) => Some(up.join("*")),
        (true, false) => Some(format!("1/{}", down.join("/"))),
        (false, false) => Some(format!("{}/{}", up.join("*"), down.join("/"))),
    }
}

/// A Unit Exponent item's value: the 4-bit signed coding the HID errata and every
/// descriptor in the wild use for one-byte values 0x0-0xf (0xe is -2), else the item's
/// signed value (as Linux reads it).
pub fn unit_exponent(data_value: u32, signed_value: i64) -> i32 {
    if data_value <= 0xf {
        nibble(data_value)
    } else {
        signed_value.clamp(i32::MIN.into(), i32::MAX.into()) as i32
    }
}

/// What a field's logical values mean physically.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub logical_min: i64,
    pub logical_max: i64,
    pub physical_min: i64,
    pub physical_max: i64,
    pub unit_exponent: i32,
}

impl Scale {
    /// The physical value of a logical one, in the field's unit: linear between the
    /// physical extents (the logical ones when both physical extents are 0, as the spec
    /// says), times 10^exponent. `None` when the logical range is empty.
    pub fn physical(&self, logical: f64) -> Option<f64> {
        let (pmin, pmax) = if self.physical_min == 0 && self.physical_max == 0 {
            (self.logical_min, self.logical_max)
        } else {
            (self.physical_min, self.physical_max)
        };
        let span = (self.logical_max as f64) - (self.logical_min as f64);
        if span == 0.0 {
            return None;
        }
        let ratio = ((pmax as f64) - (pmin as f64)) / span;
        let v = pmin as f64 + (logical - (self.logical_min as f64)) * ratio;
        Some(v * 10f64.powi(self.unit_exponent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_as_text() {
        assert_eq!(unit_text(0x11).as_deref(), Some("cm")); // SI Linear length
        assert_eq!(unit_text(0x13).as_deref(), Some("in")); // English Linear
        assert_eq!(unit_text(0x14).as_deref(), Some("deg")); // English Rotation
        assert_eq!(unit_text(0x12).as_deref(), Some("rad"));
        assert_eq!(unit_text(0x1001).as_deref(), Some("s"));
        assert_eq!(unit_text(0xe011).as_deref(), Some("cm/s^2")); // acceleration
        assert_eq!(unit_text(0xf0d121).as_deref(), Some("cm^2*g/s^3/A")); // volt
        assert_eq!(unit_text(0x010001).as_deref(), Some("K"));
        assert_eq!(unit_text(0xf001).as_deref(), Some("1/s")); // hertz
        assert_eq!(unit_text(0), None);
        assert_eq!(unit_text(0x01), None); // a system and no exponent
        assert_eq!(unit_text(0x1f), None); // vendor-defined system
    }

    #[test]
    fn exponents_and_physical_values() {
        assert_eq!(unit_exponent(0x0e, 0x0e), -2);
        assert_eq!(unit_exponent(0x03, 3), 3);
        assert_eq!(unit_exponent(0xfe, -2), -2); // a signed byte, as some devices write it
                                                 // A touch screen: X 0..4095 over 0..120 mm written as cm*10^-1.
        let s = Scale {
            logical_min: 0,
            logical_max: 4095,
            physical_min: 0,
            physical_max: 120,
            unit_exponent: -1,
        };
        assert_eq!(s.physical(4095.0), Some(12.0));
        assert!((s.physical(2048.0).unwrap() - 6.0015).abs() < 1e-3);
        // No physical extents: the logical ones.
        let s = Scale {
            logical_min: -127,
            logical_max: 127,
            physical_min: 0,
            physical_max: 0,
            unit_exponent: 0,
        };
        assert_eq!(s.physical(-5.0), Some(-5.0));
        let empty = Scale {
            logical_max: -127,
            ..s
        };
        assert_eq!(empty.physical(1.0), None);
    }
}
