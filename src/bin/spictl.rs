//! `spictl`: see `spictl --help` and `man spictl`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::spi::Cli>()
}
