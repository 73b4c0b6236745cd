//! wasm-build: the audit of modules and components people hand it, and the custom
//! section stripping the build runs on them.

use crate::wasm::inspect::inspect;
use crate::wasm::strip::strip_custom_sections;

/// A module audited and stripped. Stripping keeps what the audit sees: the stripped
/// binary has the same imports and exports, and no custom-section bytes.
pub fn audit(data: &[u8]) {
    let Ok(before) = inspect(data) else {
        return;
    };
    before.capabilities();
    let Ok(stripped) = strip_custom_sections(data) else {
        return;
    };
    let after = inspect(&stripped).expect("a stripped module still parses");
    assert_eq!(
        before.imports, after.imports,
        "stripping changed the imports"
    );
    assert_eq!(
        before.exports, after.exports,
        "stripping changed the exports"
    );
    assert_eq!(
        after.custom_bytes, 0,
        "custom sections left after stripping"
    );
}
