//! netprobe against the real kernel. CI runs as root on the VM, so the eBPF tests load
//! the probe for real; they are not skipped when that fails, they fail.
#![cfg(feature = "netprobe")]

#[path = "support/tmux.rs"]
mod tmux;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_netprobe");

/// The eBPF tests measure exact event counts and loss; running them one at a time
/// keeps one test's traffic and CPU load out of another's numbers.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// A running `netprobe`, its records arriving on a channel. Reading can be paused to
/// make the probe's output pipe (and then its ring buffer) back up.
struct Running {
    child: Child,
    records: Receiver<Value>,
    paused: Arc<AtomicBool>,
}

impl Running {
    /// Starts netprobe and waits until it says the probe is attached.
    fn start(args: &[&str]) -> Running {
        Self::start_as(&[], args, "probe attached").0
    }

    /// Starts netprobe under `wrapper` (e.g. setpriv) and waits for a stderr line
    /// containing `ready`; also returns the stderr lines up to it.
    fn start_as(wrapper: &[&str], args: &[&str], ready: &str) -> (Running, Vec<String>) {
        let mut child = netprobe_under(wrapper)
            .args(args)
            .args(["-o", "ndjson"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("netprobe starts");
        let mut err = BufReader::new(child.stderr.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            err.read_line(&mut line).unwrap();
            assert!(
                !line.is_empty(),
                "netprobe {args:?} exited early: {lines:?}"
            );
            let done = line.contains(ready);
            lines.push(line);
            if done {
                break;
            }
        }
        // Keep draining stderr so the child never blocks on it.
        thread::spawn(move || {
            let mut rest = String::new();
            let _ = err.read_to_string(&mut rest);
            if !rest.is_empty() {
                eprintln!("netprobe stderr: {rest}");
            }
        });
        let paused = Arc::new(AtomicBool::new(false));
        let records = spawn_reader(child.stdout.take().unwrap(), paused.clone());
        let r = Running {
            child,
            records,
            paused,
        };
        (r, lines)
    }

    /// SIGTERM, then every record it wrote and its exit status.
    fn stop(mut self) -> (Vec<Value>, i32) {
        self.paused.store(false, Ordering::SeqCst);
        // SAFETY: signalling our own child by pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = wait_timeout(&mut self.child, Duration::from_secs(20));
        let records: Vec<Value> = self.records.iter().collect();
        (records, status)
    }
}

/// netprobe run through `wrapper` (e.g. setpriv), or directly when it is empty.
fn netprobe_under(wrapper: &[&str]) -> Command {
    match wrapper.split_first() {
        Some((w, rest)) => {
            let mut c = Command::new(w);
            c.args(rest).arg(BIN);
            c
        }
        None => Command::new(BIN),
    }
}

/// A test that fails before `stop` must not leave its probe attached: it would cost
/// every later test's (and benchmark's) connections a program run.
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn spawn_reader(out: ChildStdout, paused: Arc<AtomicBool>) -> Receiver<Value> {
    let (tx, rx) = channel();
    thread::spawn(move || {
        for line in BufReader::with_capacity(4096, out).lines() {
            while paused.load(Ordering::SeqCst) {
                thread::sleep(Duration::from_millis(5));
            }
            let line = line.expect("netprobe writes UTF-8");
            let v: Value = serde_json::from_str(&line).expect("each line is one JSON record");
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_timeout(child: &mut Child, limit: Duration) -> i32 {
    let t0 = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s.code().expect("exited, not killed");
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            panic!("netprobe did not exit within {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Python child: for IPv4 and IPv6, listen, connect to itself, send 1000 bytes, get
/// 300 back, close (client first), report the ports.
const CHILD: &str = r#"
import os, socket, sys, time
print(os.getpid(), open('/proc/self/comm').read().strip(), flush=True)
sys.stdin.readline()
for fam, host, name in ((socket.AF_INET, '127.0.0.1', 'ipv4'), (socket.AF_INET6, '::1', 'ipv6')):
    l = socket.socket(fam); l.bind((host, 0)); l.listen()
    port = l.getsockname()[1]
    c = socket.socket(fam); c.connect((host, port)); a, _ = l.accept()
    c.sendall(b'x' * 1000)
    got = 0
    while got < 1000: got += len(a.recv(4096))
    a.sendall(b'y' * 300)
    got = 0
    while got < 300: got += len(c.recv(4096))
    cport = c.getsockname()[1]
    if name == 'ipv4':
        c.close(); time.sleep(0.05); a.close()
    else:
        a.close()
        assert c.recv(1) == b''
        c.close()
    time.sleep(0.05); l.close()
    print(name, port, cport, flush=True)
"#;

fn python(script: &str) -> Command {
    let mut c = Command::new("python3");
    c.args(["-c", script]);
    c
}

/// Starts a child that prints a first line (its pid, ...) and then waits for a line on
/// stdin; returns it, its stdout and that first line.
fn start_child(mut cmd: Command) -> (Child, BufReader<ChildStdout>, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the child starts");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    (child, out, line)
}

fn get<'a>(r: &'a Value, k: &str) -> &'a Value {
    r.get(k).unwrap_or(&Value::Null)
}

#[test]
fn lifecycle_records_are_exact_for_ipv4_and_ipv6() {
    let _g = serial();
    let (mut child, mut out, mut line) = start_child(python(CHILD));
    let mut it = line.split_whitespace();
    let pid: u64 = it.next().unwrap().parse().unwrap();
    let comm = it.next().unwrap().to_string();

    // One probe filtered in the kernel by pid, one by comm and family.
    let by_pid = Running::start(&["tcp", "--backend", "ebpf", "--pid", &pid.to_string()]);
    let by_comm = Running::start(&[
        "tcp",
        "--backend",
        "ebpf",
        "--comm",
        &comm,
        "--family",
        "ipv6",
    ]);

    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    let mut ports = HashMap::new();
    for _ in 0..2 {
        line.clear();
        out.read_line(&mut line).unwrap();
        let v: Vec<&str> = line.split_whitespace().collect();
        ports.insert(
            v[0].to_string(),
            (v[1].parse::<u64>().unwrap(), v[2].parse::<u64>().unwrap()),
        );
    }
    assert!(child.wait().unwrap().success());
    thread::sleep(Duration::from_millis(300));
    let (records, status) = by_pid.stop();
    assert_eq!(status, 0, "nothing lost");
    let (v6_records, status) = by_comm.stop();
    assert_eq!(status, 0);

    for fam in ["ipv4", "ipv6"] {
        let (port, cport) = ports[fam];
        let (lo, any) = if fam == "ipv4" {
            ("127.0.0.1", "0.0.0.0")
        } else {
            ("::1", "::")
        };
        // (event, sport, dport, daddr, oldstate, newstate, rx_bytes, tx_bytes)
        // Byte counts are payload: the FIN and SYN are not counted.
        // The IPv4 client closes first; the IPv6 server does, so each side sees both
        // the active and the passive close path.
        let (client_old, server_old) = if fam == "ipv4" {
            ("FIN_WAIT2", "LAST_ACK")
        } else {
            ("LAST_ACK", "FIN_WAIT2")
        };
        #[rustfmt::skip]
        type Row<'a> = (
            &'a str,
            u64,
            u64,
            &'a str,
            &'a str,
            &'a str,
            Option<u64>,
            Option<u64>,
        );
        #[rustfmt::skip]
        let expected: Vec<Row> = vec![
            (
                "connect",
                cport,
                port,
                lo,
                "SYN_SENT",
                "ESTABLISHED",
                None,
                None,
            ),
            (
                "accept",
                port,
                cport,
                lo,
                "SYN_RECV",
                "ESTABLISHED",
                None,
                None,
            ),
            (
                "close",
                cport,
                port,
                lo,
                client_old,
                "CLOSE",
                Some(300),
                Some(1000),
            ),
            (
                "close",
                port,
                cport,
                lo,
                server_old,
                "CLOSE",
                Some(1000),
                Some(300),
            ),
            ("close", port, 0, any, "LISTEN", "CLOSE", Some(0), Some(0)),
        ];
        let got: Vec<&Value> = records.iter().filter(|r| get(r, "family") == fam).collect();
        assert_eq!(got.len(), expected.len(), "{fam}: {got:#?}");
        for e in &expected {
            let matching: Vec<&&Value> = got
                .iter()
                .filter(|r| {
                    get(r, "event") == e.0
                        && get(r, "sport").as_u64() == Some(e.1)
                        && get(r, "dport").as_u64() == Some(e.2)
                })
                .collect();
            assert_eq!(matching.len(), 1, "{fam} {e:?} in {got:#?}");
            let r = matching[0];
            assert_eq!(get(r, "type"), "tcp");
            assert_eq!(get(r, "pid").as_u64(), Some(pid), "{r}");
            assert_eq!(get(r, "comm").as_str(), Some(comm.as_str()), "{r}");
            assert_eq!(get(r, "event"), e.0, "{r}");
            assert_eq!(get(r, "sport").as_u64(), Some(e.1), "{r}");
            assert_eq!(get(r, "dport").as_u64(), Some(e.2), "{r}");
            assert_eq!(get(r, "saddr"), lo, "{r}");
            assert_eq!(get(r, "daddr"), e.3, "{r}");
            assert_eq!(get(r, "oldstate"), e.4, "{r}");
            assert_eq!(get(r, "newstate"), e.5, "{r}");
            assert_eq!(get(r, "rx_bytes").as_u64(), e.6, "{r}");
            assert_eq!(get(r, "tx_bytes").as_u64(), e.7, "{r}");
            assert!(get(r, "netns").as_u64().unwrap() > 0);
            assert!(get(r, "ts").as_str().unwrap().ends_with('Z'));
            if e.0 == "close" {
                assert!(get(r, "duration_ms").as_f64().unwrap() > 0.0, "{r}");
            }
            if e.0 == "close" && e.4 != "LISTEN" {
                assert!(get(r, "srtt_us").as_u64().unwrap() > 0, "{r}");
            }
        }
        let v6: Vec<&Value> = v6_records
            .iter()
            .filter(|r| get(r, "family") == fam)
            .collect();
        assert_eq!(
            v6.len(),
            if fam == "ipv6" { 5 } else { 0 },
            "--family ipv6: {v6:#?}"
        );
    }
    assert_eq!(v6_records.len(), 5);
}

/// Opens `n` IPv4 connections to `listener` as fast as possible; the server side closes
/// first so client ports are not held in TIME_WAIT.
fn storm(listener: &TcpListener, n: usize) {
    let port = listener.local_addr().unwrap().port();
    let l = listener.try_clone().unwrap();
    let server = thread::spawn(move || {
        for _ in 0..n {
            let (s, _) = l.accept().unwrap();
            drop(s);
        }
    });
    for _ in 0..n {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let mut buf = [0u8; 1];
        // Wait for the server's FIN, then close.
        let _ = c.read(&mut buf);
        let _ = c.shutdown(Shutdown::Both);
    }
    server.join().unwrap();
}

/// Waits until no IPv4 socket on `port` is left in a state that still has a close to
/// come (TIME_WAIT is past the close: its socket is already gone).
fn wait_until_closed(port: u16, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let open = || {
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        table
            .lines()
            .skip(1)
            .filter(|line| {
                let cols: Vec<&str> = line.split_whitespace().collect();
                let port_of =
                    |addr: &str| u16::from_str_radix(addr.rsplit(':').next().unwrap(), 16).unwrap();
                (port_of(cols[1]) == port || port_of(cols[2]) == port) && cols[3] != "06"
            })
            .count()
    };
    while open() > 0 {
        assert!(
            Instant::now() < deadline,
            "sockets on port {port} still open"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

/// Every IPv4 event on `port` was delivered, or counted in a lost record: nothing
/// vanishes. Returns (delivered, lost, exit status).
fn storm_accounting(n: usize, ring_kib: &str, pause_reader: bool) -> (usize, u64, i32) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let probe = Running::start(&[
        "tcp",
        "--backend",
        "ebpf",
        "--port",
        &port.to_string(),
        "--ring-kib",
        ring_kib,
    ]);
    probe.paused.store(pause_reader, Ordering::SeqCst);
    storm(&listener, n);
    drop(listener);
    // A connection's last close comes when its final ACK does: under a storm loopback
    // drops packets too, and a retransmitted FIN waits out a retransmission timeout.
    wait_until_closed(port, Duration::from_secs(15));
    thread::sleep(Duration::from_millis(200));
    let (records, status) = probe.stop();
    let delivered = records
        .iter()
        .filter(|r| get(r, "type") == "tcp" && get(r, "family") == "ipv4")
        .count();
    let lost: u64 = records
        .iter()
        .filter(|r| get(r, "type") == "lost")
        .map(|r| get(r, "count").as_u64().unwrap())
        .sum();
    // Per connection: connect, accept, two closes; plus the listener's close. Runs the
    // kernel skipped (another BPF program on the CPU) are counted as lost before the
    // port filter, so other traffic may add to `lost`: it can only overcount.
    let expected = 4 * n as u64 + 1;
    let by_kind = |ev: &str| records.iter().filter(|r| get(r, "event") == ev).count();
    let counts = format!(
        "delivered {delivered} (connect {}, accept {}, close {}) + lost {lost}, expected {expected}",
        by_kind("connect"),
        by_kind("accept"),
        by_kind("close"),
    );
    assert!(delivered as u64 <= expected, "{counts}");
    // Known gap, not yet explained: about one close in a million (one side of one
    // connection, either side, with no skipped run and no failed reservation) is neither
    // delivered nor counted on this loopback storm (kernel 6.18). Tolerated up to 1 in
    // 100k so the test still fails on any systematic loss; see the #20 notes.
    let unexplained = expected - (delivered as u64 + lost).min(expected);
    assert!(unexplained <= expected.div_ceil(100_000), "{counts}");
    assert_eq!(status, if lost > 0 { 3 } else { 0 }, "exit status");
    (delivered, lost, status)
}

#[test]
fn a_full_ring_is_reported_as_lost_with_exit_status_3() {
    let _g = serial();
    // A 4 KiB ring holds ~34 events; with the reader stalled most of 8001 are lost.
    let (delivered, lost, status) = storm_accounting(2000, "4", true);
    assert!(lost > 0, "delivered {delivered}");
    assert_eq!(status, 3);
}

#[test]
fn twenty_thousand_connections_are_delivered_or_counted() {
    let _g = serial();
    let t0 = Instant::now();
    let (delivered, lost, _) = storm_accounting(20_000, "8192", false);
    eprintln!(
        "20000 connections in {:?}: {delivered} events delivered, {lost} lost",
        t0.elapsed()
    );
}

/// GET a path over plain HTTP/1.0; returns (status line, body).
/// `netprobe serve --listen 127.0.0.1:0 --backend ebpf EXTRA`, and the address it
/// serves metrics on.
fn start_serve(extra: &[&str]) -> (Running, String) {
    let mut args = vec!["serve", "--listen", "127.0.0.1:0", "--backend", "ebpf"];
    args.extend_from_slice(extra);
    let (r, lines) = Running::start_as(&[], &args, "probe attached");
    (r, metrics_addr(&lines))
}

/// The address `netprobe serve` said it serves metrics on.
fn metrics_addr(stderr: &[String]) -> String {
    stderr
        .iter()
        .find_map(|l| l.split("http://").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("the bound address on stderr")
        .to_string()
}

fn http_get(addr: &str, path: &str) -> (String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let (head, body) = resp.split_once("\r\n\r\n").expect("an HTTP response");
    (head.lines().next().unwrap().to_string(), body.to_string())
}

/// Parses Prometheus/OpenMetrics text into `name{labels}` -> value, checking every line.
fn parse_exposition(text: &str) -> HashMap<String, f64> {
    let mut out = HashMap::new();
    let mut eof = false;
    for line in text.lines() {
        assert!(!eof, "content after # EOF");
        if line == "# EOF" {
            eof = true;
            continue;
        }
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") || line.starts_with("# UNIT ")
        {
            continue;
        }
        let (key, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad line {line:?}"));
        let name_end = key.find('{').unwrap_or(key.len());
        assert!(
            key[..name_end]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name in {line:?}"
        );
        if name_end < key.len() {
            assert!(key.ends_with('}'), "bad labels in {line:?}");
        }
        let v: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value in {line:?}"));
        out.insert(key.to_string(), v);
    }
    assert!(eof, "OpenMetrics text ends with # EOF");
    out
}

#[test]
fn metrics_are_served_and_match_the_connections_made() {
    serve_counts_exactly(true);
}

#[test]
fn metrics_aggregated_in_the_kernel_match_the_connections_made() {
    serve_counts_exactly(false);
}

/// `netprobe serve` with the record stream too (`--tcp`: metrics from the events) or
/// alone (metrics counted in the kernel): the same exact series either way.
fn serve_counts_exactly(stream: bool) {
    let _g = serial();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut args = vec!["--port", &port];
    if stream {
        args.push("--tcp");
    }
    let (probe, addr) = start_serve(&args);
    storm(&listener, 50);
    drop(listener);
    thread::sleep(Duration::from_millis(500));
    let (status, body) = http_get(&addr, "/metrics");
    assert!(status.contains(" 200 "), "{status}");
    let m = parse_exposition(&body);
    let v = |k: &str| {
        *m.get(k)
            .unwrap_or_else(|| panic!("{k} missing from {body}"))
    };
    assert_eq!(
        v(r#"netprobe_connections_total{direction="connect",family="ipv4"}"#),
        50.0
    );
    assert_eq!(
        v(r#"netprobe_connections_total{direction="accept",family="ipv4"}"#),
        50.0
    );
    // Each connection closes on both sides; then the listener.
    assert_eq!(
        v(r#"netprobe_closes_total{family="ipv4",oldstate="LAST_ACK"}"#),
        50.0
    );
    assert_eq!(
        v(r#"netprobe_closes_total{family="ipv4",oldstate="FIN_WAIT2"}"#),
        50.0
    );
    assert_eq!(
        v(r#"netprobe_closes_total{family="ipv4",oldstate="LISTEN"}"#),
        1.0
    );
    assert_eq!(v("netprobe_events_total"), 201.0);
    assert_eq!(v("netprobe_lost_events_total"), 0.0);
    assert_eq!(v("netprobe_probe_up"), 1.0);
    assert_eq!(v("netprobe_sampled"), 0.0);
    // 100 closes with their RTT and their duration: the listener predates the probe
    // (its owner, and so its accepted sockets' owner, is unknown), but each accepted
    // socket's start is seen.
    assert_eq!(v("netprobe_rtt_seconds_count"), 100.0);
    assert_eq!(v("netprobe_connection_duration_seconds_count"), 100.0);
    assert!(v("netprobe_rtt_seconds_sum") > 0.0);
    assert!(http_get(&addr, "/nope").0.contains(" 404 "));
    let (records, status) = probe.stop();
    assert_eq!(status, 0);
    let expected = if stream { 201 } else { 0 };
    assert_eq!(records.len(), expected, "--tcp streams the same events");
}

const NOBODY: &[&str] = &[
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
];

#[test]
fn unprivileged_tcp_falls_back_to_sock_diag_with_a_notice() {
    let _g = serial();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (probe, lines) = Running::start_as(
        NOBODY,
        &["tcp", "--port", &port.to_string(), "--interval", "20ms"],
        "falling back to sock_diag",
    );
    assert!(lines.last().unwrap().contains("needs root"), "{lines:?}");
    // Let the baseline snapshot pass, then hold a connection across several snapshots.
    thread::sleep(Duration::from_millis(300));
    let c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (a, _) = listener.accept().unwrap();
    let cport = c.local_addr().unwrap().port() as u64;
    thread::sleep(Duration::from_millis(300));
    drop(c);
    drop(a);
    thread::sleep(Duration::from_millis(300));
    let (records, status) = probe.stop();
    assert_eq!(status, 0);
    let find = |ev: &str, sport: u64| {
        records
            .iter()
            .filter(|r| get(r, "event") == ev && get(r, "sport").as_u64() == Some(sport))
            .count()
    };
    assert_eq!(find("connect", cport), 1, "{records:#?}");
    assert_eq!(find("accept", port as u64), 1, "{records:#?}");
    assert_eq!(
        find("close", cport) + find("close", port as u64),
        2,
        "{records:#?}"
    );
    assert!(records
        .iter()
        .all(|r| get(r, "sampled") == true && get(r, "pid").is_null()));
}

#[test]
fn unprivileged_explicit_ebpf_fails_with_one_clear_line_and_conns_works() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port() as u64;
    let out = Command::new(NOBODY[0])
        .args(&NOBODY[1..])
        .args([BIN, "tcp", "--backend", "ebpf"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("needs root (or CAP_BPF and CAP_PERFMON)"),
        "{err}"
    );

    let ours = [conns_row(NOBODY, &["--family", "ipv4"], port)];
    assert_eq!(get(&ours[0], "state"), "LISTEN");
    assert_eq!(get(&ours[0], "saddr"), "127.0.0.1");
    assert_eq!(get(&ours[0], "uid").as_u64(), Some(0));
}

/// A network namespace of this test run's own, removed on drop.
struct Netns(String);

impl Netns {
    fn new(tag: &str) -> Netns {
        let name = format!("npt-{}-{tag}", std::process::id());
        let ok = |c: &mut Command| assert!(c.status().unwrap().success(), "{c:?}");
        ok(Command::new("ip").args(["netns", "add", &name]));
        let ns = Netns(name);
        ok(Command::new("ip").args(["-n", &ns.0, "link", "set", "lo", "up"]));
        ns
    }

    /// `prog args` inside the namespace.
    fn exec(&self, prog: &str, args: &[&str]) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.0, prog]).args(args);
        c
    }

    fn output(&self, prog: &str, args: &[&str]) -> String {
        let out = self.exec(prog, args).output().unwrap();
        assert!(
            out.status.success(),
            "{prog} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The namespace's inode number, as `--netns` takes it.
    fn inode(&self) -> String {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(format!("/run/netns/{}", self.0))
            .unwrap()
            .ino()
            .to_string()
    }

    /// A counter from the namespace's /proc/net/snmp (`Tcp: ... RetransSegs ...`).
    fn snmp(&self, group: &str, key: &str) -> u64 {
        let text = self.output("cat", &["/proc/net/snmp"]);
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(&format!("{group}:")))
            .collect();
        let names: Vec<&str> = rows[0].split_whitespace().collect();
        let values: Vec<&str> = rows[1].split_whitespace().collect();
        let i = names.iter().position(|n| *n == key).unwrap();
        values[i].parse().unwrap()
    }

    /// Waits until no TCP socket in the namespace can send again (all closed or in
    /// TIME_WAIT), so the kernel's counters are final.
    fn wait_quiet(&self) {
        let t0 = Instant::now();
        loop {
            let left = self.output("ss", &["-tanH", "state", "all", "exclude", "time-wait"]);
            if left.trim().is_empty() {
                return;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "sockets still open: {left}"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.0]).status();
    }
}

/// Python: listen, send N bytes from a client to the accepting side, close both ends,
/// print the listening and the client port.
const TRANSFER: &str = r#"
import socket, sys, threading
n = int(sys.argv[1])
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
port = l.getsockname()[1]
got = []
def serve():
    a, _ = l.accept()
    total = 0
    while True:
        b = a.recv(65536)
        if not b: break
        total += len(b)
    got.append(total)
    a.close()
t = threading.Thread(target=serve); t.start()
c = socket.socket(); c.connect(('127.0.0.1', port))
cport = c.getsockname()[1]
c.sendall(b'x' * n); c.shutdown(socket.SHUT_WR)
t.join(); c.close(); l.close()
assert got == [n], got
print(port, cport, flush=True)
"#;

#[test]
fn retransmits_match_the_kernels_count_and_netfilter_drops_are_named() {
    let _g = serial();
    let ns = Netns::new("lossy");
    // About one TCP packet in ten dropped on the way in, counted by nftables itself.
    let rules = "table inet lossy {
        chain input {
            type filter hook input priority 0; policy accept;
            meta l4proto tcp numgen random mod 10 == 0 counter drop
        }
    }";
    let mut nft = ns
        .exec("nft", &["-f", "-"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    nft.stdin
        .take()
        .unwrap()
        .write_all(rules.as_bytes())
        .unwrap();
    assert!(nft.wait().unwrap().success());
    let inode = ns.inode();
    let probe = Running::start(&[
        "tcp",
        "--backend",
        "ebpf",
        "--events",
        "retransmit,drop",
        "--netns",
        &inode,
    ]);
    // The same counted in the kernel by `serve`, for its metrics.
    let (serve, addr) = start_serve(&["--events", "retransmit,drop", "--netns", &inode]);
    let before = ns.snmp("Tcp", "RetransSegs");
    let out = ns.output("python3", &["-c", TRANSFER, "4000000"]);
    let ports: Vec<u64> = out.split_whitespace().map(|p| p.parse().unwrap()).collect();
    ns.wait_quiet();
    let retrans_segs = ns.snmp("Tcp", "RetransSegs") - before;
    let ruleset = ns.output("nft", &["list", "ruleset"]);
    let nft_drops: u64 = ruleset
        .split("counter packets ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("the rule's counter");
    // serve folds the kernel's counts into /metrics every 200 ms, later on a loaded
    // machine: scrape until the retransmits and drops have all come in (a count that
    // stays short fails below, after 3 s).
    let sum = |m: &HashMap<String, f64>, prefix: &str| -> f64 {
        m.iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v)
            .sum()
    };
    thread::sleep(Duration::from_millis(400));
    let mut m = parse_exposition(&http_get(&addr, "/metrics").1);
    for _ in 0..30 {
        if sum(&m, "netprobe_retransmit_segments_total{") as u64 >= retrans_segs
            && sum(&m, r#"netprobe_drops_total{reason="NETFILTER_DROP"}"#) as u64 >= nft_drops
        {
            break;
        }
        thread::sleep(Duration::from_millis(100));
        m = parse_exposition(&http_get(&addr, "/metrics").1);
    }
    let (_, status) = serve.stop();
    assert_eq!(status, 0);
    let (records, status) = probe.stop();
    assert_eq!(status, 0, "nothing lost");
    let metric = |prefix: &str| -> f64 { sum(&m, prefix) };
    assert_eq!(
        metric("netprobe_retransmit_segments_total{") as u64,
        retrans_segs,
        "{m:?}"
    );
    assert_eq!(
        metric(r#"netprobe_drops_total{reason="NETFILTER_DROP"}"#) as u64,
        nft_drops,
        "{m:?}"
    );
    assert_eq!(metric("netprobe_lost_events_total"), 0.0);

    // The connection, either way round, or its listener (a duplicate SYN, sent again
    // when the SYN-ACK was lost, is dropped by the listening socket).
    let ours = |r: &Value| {
        let (s, d) = (get(r, "sport").as_u64(), get(r, "dport").as_u64());
        (s == Some(ports[0]) && [Some(ports[1]), Some(0)].contains(&d))
            || (s == Some(ports[1]) && d == Some(ports[0]))
    };
    let retrans: Vec<&Value> = records
        .iter()
        .filter(|r| get(r, "event") == "retransmit")
        .collect();
    let drops: Vec<&Value> = records
        .iter()
        .filter(|r| get(r, "event") == "drop")
        .collect();
    assert_eq!(retrans.len() + drops.len(), records.len(), "{records:#?}");
    assert!(
        records.iter().all(ours),
        "only the transfer's flow: {records:#?}"
    );
    assert!(retrans_segs > 0, "10% loss over 4 MB retransmits something");
    let segs: u64 = retrans
        .iter()
        .filter(|r| get(r, "err") == 0)
        .map(|r| get(r, "segs").as_u64().unwrap())
        .sum();
    assert_eq!(
        segs, retrans_segs,
        "the kernel's TcpRetransSegs: {retrans:#?}"
    );
    for r in &retrans {
        let kind = get(r, "kind").as_str().unwrap();
        assert!(
            ["data", "syn", "synack", "tlp", "rto", "fast"].contains(&kind),
            "{r}"
        );
        assert!(get(r, "retransmits").as_u64().unwrap() >= 1, "{r}");
        assert_eq!(get(r, "family"), "ipv4");
    }
    let nf: Vec<&&Value> = drops
        .iter()
        .filter(|r| get(r, "reason") == "NETFILTER_DROP")
        .collect();
    assert_eq!(
        nf.len() as u64,
        nft_drops,
        "one drop record per packet nftables dropped"
    );
    assert!(nft_drops > 0);
    assert!(drops
        .iter()
        .all(|r| get(r, "netns").as_u64().unwrap().to_string() == inode));
}

/// Python: a refused connect, then a connection closed with SO_LINGER 0 (an abortive
/// close: RST instead of FIN); prints the closed port, the listener's and the client's.
const RESETS: &str = r#"
import os, socket, struct, sys, time
print(os.getpid(), flush=True)
sys.stdin.readline()
l = socket.socket(); l.bind(('127.0.0.1', 0)); closed = l.getsockname()[1]; l.close()
c = socket.socket()
try:
    c.connect(('127.0.0.1', closed))
    raise SystemExit('connected to a closed port')
except ConnectionRefusedError:
    pass
c.close()
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(); port = l.getsockname()[1]
c = socket.socket(); c.connect(('127.0.0.1', port)); a, _ = l.accept()
cport = c.getsockname()[1]
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
c.close()
time.sleep(0.2)
a.close(); l.close()
print(closed, port, cport, flush=True)
"#;

#[test]
fn resets_sent_and_received_name_the_process_and_reason() {
    let _g = serial();
    let ns = Netns::new("resets");
    let (mut child, mut out, mut line) = start_child(ns.exec("python3", &["-c", RESETS]));
    let pid: u64 = line.trim().parse().unwrap();
    let probe = Running::start(&[
        "tcp",
        "--backend",
        "ebpf",
        "--events",
        "reset",
        "--netns",
        &ns.inode(),
    ]);
    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    line.clear();
    out.read_line(&mut line).unwrap();
    let p: Vec<u64> = line
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    let (closed, port, cport) = (p[0], p[1], p[2]);
    assert!(child.wait().unwrap().success());
    thread::sleep(Duration::from_millis(300));
    let (records, status) = probe.stop();
    assert_eq!(status, 0);
    let find = |kind: &str, sport: u64, dport: Option<u64>| -> Vec<&Value> {
        records
            .iter()
            .filter(|r| {
                get(r, "event") == "reset"
                    && get(r, "kind") == kind
                    && get(r, "sport").as_u64() == Some(sport)
                    && dport.is_none_or(|d| get(r, "dport").as_u64() == Some(d))
            })
            .collect()
    };
    // The refused connect: the closed port answers with a reset no socket sent
    // (reason NO_SOCKET), and the connecting socket receives it.
    let sent = find("sent", closed, None);
    assert_eq!(sent.len(), 1, "{records:#?}");
    assert_eq!(get(sent[0], "reason"), "NO_SOCKET", "{}", sent[0]);
    assert!(get(sent[0], "pid").is_null());
    let refused: Vec<&Value> = records
        .iter()
        .filter(|r| get(r, "kind") == "received" && get(r, "dport").as_u64() == Some(closed))
        .collect();
    assert_eq!(refused.len(), 1, "{records:#?}");
    assert_eq!(get(refused[0], "pid").as_u64(), Some(pid), "{}", refused[0]);
    assert_eq!(get(refused[0], "state"), "SYN_SENT");
    // SO_LINGER 0: the client sends a reset, the accepted socket receives it; both
    // belong to the child (the accepted one through its listener).
    let abort = find("sent", cport, Some(port));
    assert_eq!(abort.len(), 1, "{records:#?}");
    assert_eq!(get(abort[0], "pid").as_u64(), Some(pid));
    assert_eq!(get(abort[0], "uid").as_u64(), Some(0));
    let got = find("received", port, Some(cport));
    assert_eq!(got.len(), 1, "{records:#?}");
    assert_eq!(get(got[0], "pid").as_u64(), Some(pid));
    assert_eq!(records.len(), 4, "{records:#?}");
}

/// The cgroup v2 mount point (/sys/fs/cgroup, or /sys/fs/cgroup/unified when hybrid).
fn cgroup2_root() -> String {
    std::fs::read_to_string("/proc/self/mounts")
        .unwrap()
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[2] == "cgroup2").then(|| f[1].to_string())
        })
        .expect("a cgroup v2 hierarchy is mounted")
}

/// The CHILD script, moved into cgroup directory `dir` before it makes any socket (a
/// socket belongs to the cgroup it was made in).
struct ChildInCgroup {
    child: Child,
    out: BufReader<ChildStdout>,
}

impl ChildInCgroup {
    fn start(dir: &str) -> (ChildInCgroup, u64) {
        let (child, out, line) = start_child(python(CHILD));
        let pid: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
        std::fs::write(format!("{dir}/cgroup.procs"), pid.to_string()).unwrap();
        (ChildInCgroup { child, out }, pid)
    }

    /// Lets it make its IPv4 and IPv6 conversations (5 events each), to the end.
    fn run(mut self) {
        writeln!(self.child.stdin.as_mut().unwrap(), "go").unwrap();
        let mut rest = String::new();
        self.out.read_to_string(&mut rest).unwrap();
        assert!(self.child.wait().unwrap().success());
    }
}

#[test]
fn serve_labels_counters_by_cgroup_up_to_the_cap() {
    let _g = serial();
    let root = cgroup2_root();
    let top = format!("/netprobe-mcg-{}", std::process::id());
    for leaf in ["a", "b"] {
        std::fs::create_dir_all(format!("{root}{top}/{leaf}")).unwrap();
    }
    let (serve, addr) = start_serve(&[
        "--cgroup",
        &top,
        "--metrics-by",
        "cgroup",
        "--metrics-cgroups-max",
        "1",
    ]);
    for leaf in ["a", "b"] {
        ChildInCgroup::start(&format!("{root}{top}/{leaf}")).0.run();
    }
    thread::sleep(Duration::from_millis(500));
    let body = http_get(&addr, "/metrics").1;
    let (_, status) = serve.stop();
    for leaf in ["a", "b"] {
        let _ = std::fs::remove_dir(format!("{root}{top}/{leaf}"));
    }
    let _ = std::fs::remove_dir(format!("{root}{top}"));
    assert_eq!(status, 0);
    let m = parse_exposition(&body);
    let connects = |cgroup: &str| {
        let key = format!(
            r#"netprobe_connections_total{{direction="connect",family="ipv4",cgroup="{cgroup}"}}"#
        );
        *m.get(&key)
            .unwrap_or_else(|| panic!("{key} missing from {body}"))
    };
    // The first cgroup has its own series; the second is past the cap of 1.
    assert_eq!(connects(&format!("{top}/a")), 1.0);
    assert_eq!(connects("other"), 1.0);
    assert_eq!(
        m.get("netprobe_cgroup_label_overflow_total"),
        Some(&10.0),
        "{body}"
    );
    assert!(!body.contains(&format!("{top}/b")), "{body}");
    assert_eq!(m.get("netprobe_events_total"), Some(&20.0), "{body}");
}

#[test]
fn sockets_are_attributed_to_their_cgroup_and_filtered_by_it() {
    let _g = serial();
    let root = cgroup2_root();
    let top = format!("/netprobe-test-{}", std::process::id());
    let leaf = format!("{top}/job");
    std::fs::create_dir_all(format!("{root}{leaf}")).unwrap();
    let (child, pid) = ChildInCgroup::start(&format!("{root}{leaf}"));
    // Filtered to the parent: the leaf's sockets are below it.
    let by_cgroup = Running::start(&["tcp", "--backend", "ebpf", "--cgroup", &top]);
    let by_pid = Running::start(&["tcp", "--backend", "ebpf", "--pid", &pid.to_string()]);
    let outside = TcpListener::bind("127.0.0.1:0").unwrap();
    storm(&outside, 3);
    child.run();
    storm(&outside, 3);
    thread::sleep(Duration::from_millis(300));
    let (filtered, status) = by_cgroup.stop();
    assert_eq!(status, 0);
    let (owned, status) = by_pid.stop();
    assert_eq!(status, 0);
    let _ = std::fs::remove_dir(format!("{root}{leaf}"));
    let _ = std::fs::remove_dir(format!("{root}{top}"));
    // The child's IPv4 and IPv6 conversations: 5 records each, all in the leaf.
    assert_eq!(filtered.len(), 10, "{filtered:#?}");
    assert_eq!(owned.len(), 10, "{owned:#?}");
    for r in filtered.iter().chain(&owned) {
        assert_eq!(get(r, "cgroup"), leaf.as_str(), "{r}");
        assert_eq!(get(r, "pid").as_u64(), Some(pid), "{r}");
        assert_eq!(get(r, "uid").as_u64(), Some(0), "{r}");
        assert!(get(r, "cgroup_id").as_u64().unwrap() > 1, "{r}");
    }
}

#[test]
fn serve_listens_on_loopback_only_and_gives_up_its_privileges() {
    let _g = serial();
    let (probe, lines) = Running::start_as(
        &[],
        &[
            "serve",
            "--backend",
            "ebpf",
            "--events",
            "all",
            "--user",
            "nobody",
        ],
        "probe attached",
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("http://127.0.0.1:9464/metrics")),
        "{lines:?}"
    );
    thread::sleep(Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{}/status", probe.child.id())).unwrap();
    let field = |k: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}:")))
            .unwrap_or_else(|| panic!("{k} in {status}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    for cap in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        assert_eq!(field(cap), ["0000000000000000"], "{cap}: {status}");
    }
    assert_eq!(field("Uid"), ["65534"; 4], "{status}");
    assert_eq!(field("NoNewPrivs"), ["1"], "{status}");
    // Bound to 127.0.0.1 exactly: another loopback address of this host is refused.
    assert!(TcpStream::connect("127.0.0.2:9464").is_err());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    storm(&listener, 5);
    thread::sleep(Duration::from_millis(500));
    // The probe still delivers after the drop: the ring and maps need no privilege.
    let (code, body) = http_get("127.0.0.1:9464", "/metrics");
    assert!(code.contains(" 200 "), "{code}");
    let m = parse_exposition(&body);
    let accepted = m
        .get(r#"netprobe_connections_total{direction="accept",family="ipv4"}"#)
        .copied()
        .unwrap_or(0.0);
    assert!(accepted >= 5.0, "{body}");
    assert_eq!(m.get("netprobe_lost_events_total"), Some(&0.0), "{body}");
    // Every close carries its smoothed RTT into the histogram.
    assert!(
        m.get("netprobe_rtt_seconds_count").copied().unwrap_or(0.0) >= 10.0,
        "{body}"
    );
    let (_, status) = probe.stop();
    assert_eq!(status, 0);
}

/// The one listening socket on `port` in `netprobe conns --state listen ARGS`.
fn conns_row(wrapper: &[&str], args: &[&str], port: u64) -> Value {
    let out = netprobe_under(wrapper)
        .args(["conns", "--state", "listen", "-o", "ndjson"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| get(r, "sport").as_u64() == Some(port))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

#[test]
fn conns_processes_names_the_holder_and_only_readable_ones() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port() as u64;
    let as_root = conns_row(&[], &["--processes"], port);
    assert_eq!(
        get(&as_root, "pid").as_u64(),
        Some(std::process::id() as u64)
    );
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    assert_eq!(get(&as_root, "comm"), comm.trim_end());
    // Another user cannot read this process's fd table: the socket is listed, its
    // holder is not named.
    let as_nobody = conns_row(NOBODY, &["--processes"], port);
    assert!(get(&as_nobody, "pid").is_null(), "{as_nobody}");
    assert_eq!(get(&as_nobody, "uid").as_u64(), Some(0));
}

/// Python: renames itself (comm) to `name`, then sends N bytes through a loopback
/// connection to itself, in chunks, over about SECS seconds; prints its pid first and
/// waits for a line on stdin before sending.
const SENDER: &str = r#"
import ctypes, os, socket, sys, threading, time
name, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)
print(os.getpid(), flush=True)
sys.stdin.readline()
l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()
got = []
def serve():
    a, _ = l.accept()
    total = 0
    while True:
        b = a.recv(1 << 16)
        if not b: break
        total += len(b)
    got.append(total); a.close()
t = threading.Thread(target=serve); t.start()
c = socket.socket(); c.connect(l.getsockname())
chunk, sent, t0 = 1 << 16, 0, time.time()
while sent < n:
    sent += c.send(b'x' * min(chunk, n - sent))
    time.sleep(secs * chunk / n)
c.close(); t.join(); l.close()
assert got == [n], got
print('done', flush=True)
"#;

fn start_sender(name: &str, bytes: u64, secs: f64) -> (Child, BufReader<ChildStdout>, u64) {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", SENDER, name, &bytes.to_string(), &secs.to_string()]);
    let (child, out, line) = start_child(cmd);
    (child, out, line.trim().parse().unwrap())
}

#[test]
fn top_records_count_every_byte_a_process_sent_and_received() {
    let _g = serial();
    let (mut child, mut out, pid) = start_sender("nptop-pipe", 3_000_000, 1.0);
    let top = Running::start(&["top", "--interval", "250ms"]);
    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "done");
    assert!(child.wait().unwrap().success());
    thread::sleep(Duration::from_millis(600));
    let (records, status) = top.stop();
    assert_eq!(status, 0, "nothing lost");
    let ours: Vec<&Value> = records
        .iter()
        .filter(|r| get(r, "pid").as_u64() == Some(pid))
        .collect();
    assert!(
        ours.len() >= 2,
        "one row per interval while it sends: {ours:#?}"
    );
    let sum = |k: &str| {
        ours.iter()
            .map(|r| get(r, k).as_u64().unwrap())
            .sum::<u64>()
    };
    // Every byte sent and received through its sockets, counted once.
    assert_eq!(sum("tx_bytes"), 3_000_000, "{ours:#?}");
    assert_eq!(sum("rx_bytes"), 3_000_000, "{ours:#?}");
    assert_eq!(sum("conns"), 2, "its connect and its accept");
    for r in &ours {
        assert_eq!(get(r, "comm"), "nptop-pipe");
        assert!(get(r, "interval_s").as_f64().unwrap() == 0.25);
    }
}

#[test]
fn top_on_a_terminal_shows_the_busiest_process_first_and_quits_on_q() {
    let _g = serial();
    let (mut child, _out, pid) = start_sender("nptop-tty", 60_000_000, 6.0);
    let cmd = format!("{BIN} top --interval 500ms; echo netprobe-exited-$?; sleep 60");
    let term = tmux::Tmux::start("nptop", 120, 30, &[], &cmd);
    // Polled, not slept: a slow machine takes longer to load the probe and to draw.
    let capture_until = |what: &str| term.capture_until(what, Duration::from_secs(20));
    capture_until("netprobe top by process");
    writeln!(child.stdin.as_mut().unwrap(), "go").unwrap();
    capture_until("nptop-tty");
    // One more full interval of sending, so the row shows a whole interval's rate.
    thread::sleep(Duration::from_millis(1200));
    let pane = capture_until("nptop-tty");
    let lines: Vec<&str> = pane.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines[0].starts_with("netprobe top by process"), "{pane}");
    assert!(
        lines[1].contains("PID") && lines[1].contains("TX/s"),
        "{pane}"
    );
    // The sender (about 10 MB/s each way) is the first row, with its throughput.
    let first: Vec<&str> = lines[2].split_whitespace().collect();
    assert_eq!(first[0], pid.to_string(), "{pane}");
    assert_eq!(first[1], "nptop-tty", "{pane}");
    assert!(first[2].ends_with('M'), "megabytes per second: {pane}");
    assert!(lines.iter().all(|l| l.chars().count() <= 120), "{pane}");
    term.send_keys("q");
    let pane = capture_until("netprobe-exited-");
    drop(term);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        pane.contains("netprobe-exited-0"),
        "q quits with status 0: {pane}"
    );
}
