//! Headless Chromium (installed by scripts/deps.d/60-wasm.sh) with a throwaway profile
//! and no background network traffic, for tests of what a browser makes of our output.

use std::process::{Command, Output};

pub fn headless(args: &[String]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-quic",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium runs (scripts/deps.d/60-wasm.sh installs it)")
}
