//! Signals as a program started from an interactive shell gets them.

use std::os::unix::process::CommandExt;
use std::process::Command;

/// `cmd` starts with SIGINT and SIGQUIT at their default action. A test run started in
/// the background of a non-interactive shell (`make test &`, `nohup ... &`) inherits
/// them ignored, and a program keeps an ignored signal ignored, as it should: a test
/// that stops a program with SIGINT would then wait for ever, or pass without the
/// signal having been seen.
pub fn default_signals(cmd: &mut Command) -> &mut Command {
    // SAFETY: between fork and exec the closure only calls signal(2), which is
    // async-signal-safe, and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        })
    }
}
