//! `pipekit`: every tool of this build in one binary (`pipekit etl ...`, or a symlink named
//! after the tool). See `pipekit --help`. All logic lives in the pipekit library.
fn main() -> std::process::ExitCode {
    pipekit::cli::multicall::main()
}
