//! Python scripts run by tests that let the community's tools judge our files
//! (pyarrow, DuckDB: installed by `make deps`).

use std::process::Command;

/// Runs `script` with `python3 -c` and `args`; its stdout. Fails the test with
/// Python's stderr when the script fails.
pub fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python failed (is pyarrow installed? run `make deps`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
