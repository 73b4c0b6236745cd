//! Names of usage pages and usages, from the HID Usage Tables as the `hut` crate ships
//! them (generated from the USB-IF's tables, so every page the spec defines is named
//! the way the spec names it). Usages the tables do not define are shown as hex, never
//! guessed.

use hut::{AsUsagePage, Usage, UsagePage};

/// The name of a usage page: the spec's (and Wacom's, which the tables carry),
/// "Vendor 0xff00" for the rest of the vendor-defined range, "Page 0x4242" for a page
/// the tables do not define.
pub fn page_name(page: u16) -> String {
    match UsagePage::from_usage_page_value(page) {
        Ok(UsagePage::VendorDefinedPage(_)) => format!("Vendor 0x{page:04x}"),
        Ok(UsagePage::ReservedUsagePage(_)) | Err(_) => format!("Page 0x{page:04x}"),
        Ok(p) => p.name(),
    }
}

/// The name of a usage on a page; `None` when the tables do not define it.
pub fn usage_name(page: u16, usage: u16) -> Option<String> {
    match Usage::new_from_page_and_id(page, usage) {
        Ok(Usage::VendorDefinedPage { .. }) => Some(format!("Vendor Usage 0x{usage:02x}")),
        Ok(Usage::ReservedUsagePage { .. }) | Err(_) => None,
        Ok(u) if u.usage_page_value() != page => None,
        Ok(u) => Some(u.name()),
    }
}

/// `Page/Usage` for records and tables, falling back to hex.
pub fn full_name(page: u16, usage: u16) -> String {
    match usage_name(page, usage) {
        Some(u) => format!("{}/{}", page_name(page), u),
        None => format!("{}/0x{usage:04x}", page_name(page)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(full_name(0x01, 0x06), "Generic Desktop/Keyboard");
        assert_eq!(full_name(0x01, 0x30), "Generic Desktop/X");
        assert_eq!(full_name(0x07, 0x04), "Keyboard/Keypad/Keyboard A");
        assert_eq!(
            full_name(0x07, 0xe0),
            "Keyboard/Keypad/Keyboard LeftControl"
        );
        assert_eq!(full_name(0x08, 0x02), "LED/Caps Lock");
        assert_eq!(full_name(0x09, 3), "Button/Button 3");
        assert_eq!(full_name(0x0d, 0x42), "Digitizers/Tip Switch");
        assert_eq!(full_name(0x20, 0x200), "Sensors/Event");
        assert_eq!(full_name(0xff00, 1), "Vendor 0xff00/Vendor Usage 0x01");
        assert_eq!(page_name(0xff0d), "Wacom");
        // Undefined ids and pages are hex, not guesses.
        assert_eq!(
            full_name(0x01, 0x0a),
            "Generic Desktop/Water Cooling Device"
        );
        assert_eq!(full_name(0x01, 0x03), "Generic Desktop/0x0003");
        assert_eq!(full_name(0x07, 0x00), "Keyboard/Keypad/0x0000");
        assert_eq!(page_name(0x4242), "Page 0x4242");
    }
}
