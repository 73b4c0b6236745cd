//! `vidx`: see `vidx --help` and `man vidx`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::main::<pipekit::vidx::Cli>()
}
