//! A QEMU guest's steps as its init script prints them on the console: each step's
//! output between "@@BEGIN name" and "@@END name rc=N". Lines may carry the kernel
//! log's "[   1.234567] " prefix (guests that print through /dev/kmsg); it is dropped.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// A guest's console: QEMU's stdout line by line as it comes, its stderr whole at the
/// end (both read on threads, so neither pipe fills up and stalls the guest).
pub struct Console {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

/// What the console gave within a wait.
pub enum Next {
    Line(String),
    Quiet,
    Closed,
}

impl Console {
    /// Starts QEMU (`cmd`) with its stdin closed and its output on this console.
    pub fn start(cmd: &mut Command) -> Console {
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));
        Console::attach(child)
    }

    fn attach(mut child: Child) -> Console {
        let (tx, rx) = mpsc::channel::<String>();
        let out = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = err.read_to_string(&mut s);
            s
        });
        Console {
            child,
            lines: rx,
            stderr: Some(stderr),
        }
    }

    pub fn next(&self, wait: Duration) -> Next {
        match self.lines.recv_timeout(wait) {
            Ok(l) => Next::Line(l.trim_end_matches('\r').to_string()),
            Err(mpsc::RecvTimeoutError::Timeout) => Next::Quiet,
            Err(mpsc::RecvTimeoutError::Disconnected) => Next::Closed,
        }
    }

    /// Ends QEMU if it still runs (`kill`), waits for it, and returns its stderr.
    pub fn finish(mut self, kill: bool) -> String {
        if kill {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
        self.stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

/// Output of one guest step: its lines and exit status.
pub struct Step {
    pub lines: Vec<String>,
    pub rc: i32,
}

impl Step {
    pub fn json(&self) -> Vec<Value> {
        self.lines
            .iter()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
    #[allow(dead_code)] // each guest test uses its own subset
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// A console line without its carriage return and kernel log timestamp.
fn clean(line: &str) -> &str {
    let l = line.trim_end_matches('\r');
    match l.strip_prefix('[').and_then(|r| r.split_once("] ")) {
        Some((stamp, rest)) if stamp.trim().parse::<f64>().is_ok() => rest,
        _ => l,
    }
}

pub fn parse_steps(log: &[String]) -> HashMap<String, Step> {
    let mut steps = HashMap::new();
    let mut cur: Option<(String, Vec<String>)> = None;
    for l in log {
        let l = clean(l);
        if let Some(name) = l.strip_prefix("@@BEGIN ") {
            cur = Some((name.to_string(), Vec::new()));
        } else if let Some(rest) = l.strip_prefix("@@END ") {
            if let Some((name, lines)) = cur.take() {
                let rc = rest
                    .rsplit_once("rc=")
                    .and_then(|(_, n)| n.trim().parse().ok())
                    .unwrap_or(-1);
                steps.insert(name, Step { lines, rc });
            }
        } else if let Some((_, lines)) = cur.as_mut() {
            lines.push(l.to_string());
        }
    }
    steps
}
