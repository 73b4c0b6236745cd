//! Names of usage pages and usages (HID Usage Tables 1.4) for the pages people meet on
//! the command line: Generic Desktop, Keyboard/Keypad, LED, Button, Consumer, Digitizer
//! and the vendor-defined range. Unknown usages are shown as hex, never guessed.

/// The name of a usage page.
pub fn page_name(page: u16) -> String {
    match page {
        0x01 => "Generic Desktop".into(),
        0x02 => "Simulation Controls".into(),
        0x06 => "Generic Device Controls".into(),
        0x07 => "Keyboard/Keypad".into(),
        0x08 => "LED".into(),
        0x09 => "Button".into(),
        0x0c => "Consumer".into(),
        0x0d => "Digitizer".into(),
        0x0f => "Physical Input Device".into(),
        0x14 => "Auxiliary Display".into(),
        0x20 => "Sensors".into(),
        0x84 => "Power Device".into(),
        0x85 => "Battery System".into(),
        0xff00..=0xffff => format!("Vendor 0x{page:04x}"),
        _ => format!("Page 0x{page:04x}"),
    }
}

/// The name of a usage on a page; `None` when this table does not know it.
pub fn usage_name(page: u16, usage: u16) -> Option<String> {
    let fixed = match page {
        0x01 => generic_desktop(usage),
        0x07 => return keyboard(usage),
        0x08 => led(usage),
        0x09 => {
            return Some(if usage == 0 {
                "No Button".into()
            } else {
                format!("Button {usage}")
            })
        }
        0x0c => consumer(usage),
        0x0d => digitizer(usage),
        0xff00..=0xffff => return Some(format!("Vendor Usage 0x{usage:02x}")),
        _ => None,
    };
    fixed.map(str::to_string)
}

/// `Page/Usage` for records and tables, falling back to hex.
pub fn full_name(page: u16, usage: u16) -> String {
    match usage_name(page, usage) {
        Some(u) => format!("{}/{}", page_name(page), u),
        None => format!("{}/0x{usage:04x}", page_name(page)),
    }
}

fn generic_desktop(u: u16) -> Option<&'static str> {
    Some(match u {
        0x01 => "Pointer",
        0x02 => "Mouse",
        0x04 => "Joystick",
        0x05 => "Gamepad",
        0x06 => "Keyboard",
        0x07 => "Keypad",
        0x08 => "Multi-axis Controller",
        0x30 => "X",
        0x31 => "Y",
        0x32 => "Z",
        0x33 => "Rx",
        0x34 => "Ry",
        0x35 => "Rz",
        0x36 => "Slider",
        0x37 => "Dial",
        0x38 => "Wheel",
        0x39 => "Hat Switch",
        0x3a => "Counted Buffer",
        0x3b => "Byte Count",
        0x3c => "Motion Wakeup",
        0x3d => "Start",
        0x3e => "Select",
        0x40 => "Vx",
        0x41 => "Vy",
        0x42 => "Vz",
        0x80 => "System Control",
        0x81 => "System Power Down",
        0x82 => "System Sleep",
        0x83 => "System Wake Up",
        0x85 => "System Main Menu",
        0x90 => "D-pad Up",
        0x91 => "D-pad Down",
        0x92 => "D-pad Right",
        0x93 => "D-pad Left",
        _ => return None,
    })
}

/// Keyboard usages: letters, digits and the named keys of the boot keyboard.
fn keyboard(u: u16) -> Option<String> {
    Some(match u {
        0x00 => "No Event".into(),
        0x01 => "ErrorRollOver".into(),
        0x02 => "POSTFail".into(),
        0x03 => "ErrorUndefined".into(),
        0x04..=0x1d => ((b'a' + (u - 0x04) as u8) as char).to_string(),
        0x1e..=0x26 => ((b'1' + (u - 0x1e) as u8) as char).to_string(),
        0x27 => "0".into(),
        0x28 => "Enter".into(),
        0x29 => "Escape".into(),
        0x2a => "Backspace".into(),
        0x2b => "Tab".into(),
        0x2c => "Space".into(),
        0x2d => "-".into(),
        0x2e => "=".into(),
        0x2f => "[".into(),
        0x30 => "]".into(),
        0x31 => "\\".into(),
        0x33 => ";".into(),
        0x34 => "'".into(),
        0x35 => "`".into(),
        0x36 => ",".into(),
        0x37 => ".".into(),
        0x38 => "/".into(),
        0x39 => "Caps Lock".into(),
        0x3a..=0x45 => format!("F{}", u - 0x3a + 1),
        0x46 => "Print Screen".into(),
        0x47 => "Scroll Lock".into(),
        0x48 => "Pause".into(),
        0x49 => "Insert".into(),
        0x4a => "Home".into(),
        0x4b => "Page Up".into(),
        0x4c => "Delete".into(),
        0x4d => "End".into(),
        0x4e => "Page Down".into(),
        0x4f => "Right Arrow".into(),
        0x50 => "Left Arrow".into(),
        0x51 => "Down Arrow".into(),
        0x52 => "Up Arrow".into(),
        0x53 => "Num Lock".into(),
        0x65 => "Application".into(),
        0xe0 => "Left Control".into(),
        0xe1 => "Left Shift".into(),
        0xe2 => "Left Alt".into(),
        0xe3 => "Left GUI".into(),
        0xe4 => "Right Control".into(),
        0xe5 => "Right Shift".into(),
        0xe6 => "Right Alt".into(),
        0xe7 => "Right GUI".into(),
        _ => return None,
    })
}

fn led(u: u16) -> Option<&'static str> {
    Some(match u {
        0x01 => "Num Lock",
        0x02 => "Caps Lock",
        0x03 => "Scroll Lock",
        0x04 => "Compose",
        0x05 => "Kana",
        0x06 => "Power",
        0x07 => "Shift",
        _ => return None,
    })
}

fn consumer(u: u16) -> Option<&'static str> {
    Some(match u {
        0x01 => "Consumer Control",
        0x30 => "Power",
        0x40 => "Menu",
        0xb0 => "Play",
        0xb1 => "Pause",
        0xb5 => "Scan Next Track",
        0xb6 => "Scan Previous Track",
        0xb7 => "Stop",
        0xcd => "Play/Pause",
        0xe2 => "Mute",
        0xe9 => "Volume Increment",
        0xea => "Volume Decrement",
        0x0238 => "AC Pan",
        _ => return None,
    })
}

fn digitizer(u: u16) -> Option<&'static str> {
    Some(match u {
        0x01 => "Digitizer",
        0x02 => "Pen",
        0x04 => "Touch Screen",
        0x05 => "Touch Pad",
        0x20 => "Stylus",
        0x22 => "Finger",
        0x30 => "Tip Pressure",
        0x32 => "In Range",
        0x42 => "Tip Switch",
        0x47 => "Confidence",
        0x51 => "Contact Identifier",
        0x54 => "Contact Count",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(full_name(0x01, 0x06), "Generic Desktop/Keyboard");
        assert_eq!(full_name(0x07, 0x04), "Keyboard/Keypad/a");
        assert_eq!(full_name(0x07, 0x27), "Keyboard/Keypad/0");
        assert_eq!(full_name(0x07, 0x3a), "Keyboard/Keypad/F1");
        assert_eq!(full_name(0x08, 0x02), "LED/Caps Lock");
        assert_eq!(full_name(0x09, 3), "Button/Button 3");
        assert_eq!(full_name(0xff00, 1), "Vendor 0xff00/Vendor Usage 0x01");
        assert_eq!(full_name(0x01, 0x99), "Generic Desktop/0x0099");
        assert_eq!(page_name(0x4242), "Page 0x4242");
    }
}
