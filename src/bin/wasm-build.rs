//! `wasm-build`: see `wasm-build --help` and `man wasm-build`. All logic lives in the
//! pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::wasm::Cli>()
}
