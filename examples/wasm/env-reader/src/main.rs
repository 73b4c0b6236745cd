//! Reads one environment variable and prints it as an NDJSON record. Under
//! `wasm-build run` nothing is inherited, so it fails unless `--env` grants it:
//!
//!     wasm-build run env-reader.wasm                     -> exit 1, "GREETING is not set"
//!     wasm-build run env-reader.wasm --env GREETING=hi   -> {"name":"GREETING","value":"hi"}
//!
//! The variable's name is the first argument (default GREETING).
use std::process::ExitCode;

fn main() -> ExitCode {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "GREETING".to_string());
    match std::env::var(&name) {
        Ok(value) => {
            println!("{{\"name\":{},\"value\":{}}}", quote(&name), quote(&value));
            ExitCode::SUCCESS
        }
        Err(_) => {
            eprintln!("env-reader: {name} is not set; grant it with --env {name}[=VALUE]");
            ExitCode::FAILURE
        }
    }
}

/// A JSON string literal (no serde: this crate has no dependencies).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
