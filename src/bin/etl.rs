//! `etl`: see `etl --help` and `man etl`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::etl::Cli>()
}
