//! SIGINT and SIGTERM as a flag: long-running commands check `stopped()` between steps
//! and end cleanly (restoring what they changed on a device, writing their last
//! records) instead of dying in the middle of a step.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// From now on SIGINT and SIGTERM set the flag instead of ending the process. A signal
/// the parent set to be ignored (a shell's `cmd &`, nohup) stays ignored.
pub fn stop_on_signals() {
    let handler: extern "C" fn(libc::c_int) = on_signal;
    for sig in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe {
            if libc::signal(sig, handler as libc::sighandler_t) == libc::SIG_IGN {
                libc::signal(sig, libc::SIG_IGN);
            }
        }
    }
}

/// True once SIGINT or SIGTERM arrived (after `stop_on_signals`).
pub fn stopped() -> bool {
    STOP.load(Ordering::Relaxed)
}
