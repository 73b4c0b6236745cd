//! `netprobe`: see `netprobe --help` and `man netprobe`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::netprobe::Cli>()
}
