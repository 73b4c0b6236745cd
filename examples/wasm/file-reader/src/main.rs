//! Reads a file through a preopened directory and copies it to stdout; with `--copy-to
//! PATH` it also writes the bytes there. Under `wasm-build run` it sees only what
//! `--dir HOST::GUEST[:ro]` mounts, and a `:ro` mount refuses the write:
//!
//!     wasm-build run file-reader.wasm --dir data::/data:ro -- /data/in.txt
//!     wasm-build run file-reader.wasm --dir data::/data -- /data/in.txt --copy-to /data/out.txt
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (path, copy_to) = match args.as_slice() {
        [path] => (path, None),
        [path, flag, to] if flag == "--copy-to" => (path, Some(to)),
        _ => {
            eprintln!("usage: file-reader PATH [--copy-to PATH]");
            return ExitCode::from(2);
        }
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("file-reader: reading {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    if std::io::stdout().write_all(&bytes).is_err() {
        return ExitCode::FAILURE;
    }
    if let Some(to) = copy_to {
        if let Err(e) = std::fs::write(to, &bytes) {
            eprintln!("file-reader: writing {to}: {e}");
            return ExitCode::FAILURE;
        }
        eprintln!("file-reader: wrote {} bytes to {to}", bytes.len());
    }
    ExitCode::SUCCESS
}
