//! `hidctl`: see `hidctl --help` and `man hidctl`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::hid::Cli>()
}
