#![allow(dead_code)] // each test file that includes this uses part of it
//! A detached tmux session running one shell command on a terminal of a given size, for
//! tests of what a program draws on a terminal. The session is killed when dropped.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    session: String,
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Tmux {
    /// Starts `cmd` in a new session `name` of `cols` x `rows`, with `env` set.
    pub fn start(name: &str, cols: u16, rows: u16, env: &[&str], cmd: &str) -> Tmux {
        let session = format!("{name}-{}", std::process::id());
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            &cols,
            "-y",
            &rows,
        ];
        for e in env {
            args.extend(["-e", e]);
        }
        args.push(cmd);
        tmux(&args);
        Tmux { session }
    }

    /// The pane's text now.
    pub fn capture(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.session])
    }

    /// The pane once it shows `what`, or after `limit` (polled: a slow machine takes
    /// longer to draw).
    pub fn capture_until(&self, what: &str, limit: Duration) -> String {
        let t0 = Instant::now();
        loop {
            let pane = self.capture();
            if pane.contains(what) || t0.elapsed() > limit {
                return pane;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn send_keys(&self, keys: &str) {
        tmux(&["send-keys", "-t", &self.session, keys]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.session]);
    }
}
