//! vidx end to end: the built binary in real pipes, on deterministic data generated
//! here, with exact ground truth computed here.
#![cfg(feature = "vidx")]

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const VIDX: &str = env!("CARGO_BIN_EXE_vidx");

fn vidx(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut c = Command::new(VIDX);
    c.args(args)
        .env_remove("PIPEKIT_OUTPUT")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("vidx runs");
    if let Some(data) = stdin {
        let mut si = child.stdin.take().unwrap();
        let data = data.to_vec();
        std::thread::spawn(move || {
            let _ = si.write_all(&data);
        });
    }
    child.wait_with_output().unwrap()
}

fn ok(args: &[&str], stdin: Option<&[u8]>) -> Vec<Value> {
    let out = vidx(args, stdin);
    assert!(
        out.status.success(),
        "vidx {args:?}: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    records(&out.stdout)
}

fn records(b: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(b)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Roughly normal (sum of uniforms).
    fn gauss(&mut self) -> f32 {
        (0..4).map(|_| self.unit()).sum::<f32>() - 2.0
    }
}

/// `n` vectors around `clusters` random centres, plus `queries` more drawn the same way.
fn clustered(n: usize, queries: usize, dim: usize, clusters: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut r = Rng(seed);
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| (0..dim).map(|_| r.unit() * 10.0).collect())
        .collect();
    (0..n + queries)
        .map(|_| {
            let c = &centres[(r.next() % clusters as u64) as usize];
            c.iter().map(|x| x + r.gauss()).collect()
        })
        .collect()
}

fn ndjson(vs: &[Vec<f32>], first_id: usize, with_meta: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, v) in vs.iter().enumerate() {
        let id = first_id + i;
        let rec = if with_meta {
            serde_json::json!({"id": format!("v{id}"), "vector": v, "n": id, "tag": format!("t{}", id % 100)})
        } else {
            serde_json::json!({"id": format!("v{id}"), "vector": v})
        };
        serde_json::to_writer(&mut out, &rec).unwrap();
        out.push(b'\n');
    }
    out
}

fn l2(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Exact top-k ids (as "v{i}") of each query among `base` ids in `alive`.
fn truth(
    base: &[Vec<f32>],
    alive: &dyn Fn(usize) -> bool,
    qs: &[Vec<f32>],
    k: usize,
) -> Vec<Vec<String>> {
    qs.iter()
        .map(|q| {
            let mut d: Vec<(f32, usize)> = base
                .iter()
                .enumerate()
                .filter(|(i, _)| alive(*i))
                .map(|(i, v)| (l2(q, v), i))
                .collect();
            d.sort_by(|a, b| a.0.total_cmp(&b.0));
            d.iter().take(k).map(|(_, i)| format!("v{i}")).collect()
        })
        .collect()
}

fn query_ndjson(qs: &[Vec<f32>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, v) in qs.iter().enumerate() {
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"id": format!("q{i}"), "vector": v}),
        )
        .unwrap();
        out.push(b'\n');
    }
    out
}

/// recall@k of `vidx search` output against `truth`.
fn recall(hits: &[Value], truth: &[Vec<String>], k: usize) -> f64 {
    let mut found = 0;
    for (qi, t) in truth.iter().enumerate() {
        let q = format!("q{qi}");
        let got: HashSet<&str> = hits
            .iter()
            .filter(|h| h["query"] == q.as_str())
            .map(|h| h["id"].as_str().unwrap())
            .collect();
        found += t.iter().filter(|id| got.contains(id.as_str())).count();
    }
    found as f64 / (truth.len() * k) as f64
}

fn dir_size(d: &Path) -> u64 {
    std::fs::read_dir(d)
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[test]
fn recall_at_10_on_20k_clustered_vectors_at_default_ef() {
    recall_at_default_ef(&[], "sq8");
}

#[test]
fn recall_holds_without_quantization_too() {
    recall_at_default_ef(&["--quantize", "none"], "none");
}

/// Builds a 20k × 48 clustered index with `create_args` and checks recall@10 ≥ 0.95
/// at the default ef, exact distances, metadata and `--exact`.
fn recall_at_default_ef(create_args: &[&str], quantize: &str) {
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    let idx = idx.to_str().unwrap();
    let (n, nq, dim) = (20_000, 1_000, 48);
    let all = clustered(n, nq, dim, 50, 0x5eed);
    let (base, qs) = all.split_at(n);
    let dim = dim.to_string();
    let mut create = vec!["create", idx, "--dim", &dim, "--metric", "l2"];
    create.extend_from_slice(create_args);
    ok(&create, None);
    let commits = ok(&["add", idx], Some(&ndjson(base, 0, true)));
    assert_eq!(commits.last().unwrap()["records"], n as u64);
    let stats = ok(&["stats", idx], None);
    assert_eq!(stats[0]["quantize"], quantize);
    assert_eq!(stats[0]["records"], n as u64);
    assert_eq!(
        stats[0]["segments"], 1,
        "the memtable was flushed at the end of add"
    );
    let hits = ok(&["search", idx, "--k", "10"], Some(&query_ndjson(qs)));
    assert_eq!(hits.len(), nq * 10);
    let t10 = truth(base, &|_| true, qs, 10);
    let r = recall(&hits, &t10, 10);
    eprintln!("recall@10 at default ef ({quantize}): {r:.4}");
    assert!(r >= 0.95, "recall@10 {r}");
    // Hits carry rank, distance (Euclidean) and the metadata.
    let h = &hits[0];
    assert_eq!(h["rank"], 1);
    let i: usize = h["id"].as_str().unwrap()[1..].parse().unwrap();
    assert_eq!(h["n"], i as u64);
    let d = h["distance"].as_f64().unwrap();
    assert!((d - (l2(&qs[0], &base[i]) as f64).sqrt()).abs() < 1e-3);
    // --exact is the ground truth.
    let exact = ok(
        &["search", idx, "--k", "10", "--exact"],
        Some(&query_ndjson(&qs[..50])),
    );
    assert_eq!(recall(&exact, &t10[..50], 10), 1.0);
}

#[test]
fn signals_during_add_keep_every_committed_record() {
    use std::os::unix::process::ExitStatusExt;
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    let idx = idx.to_str().unwrap();
    let (n, dim) = (100_000, 16);
    let all = clustered(n, 200, dim, 40, 77);
    let (base, qs) = all.split_at(n);
    // A small memtable, so flushes (segment writes + manifest swaps) happen during the add.
    create_l2_16(idx, 30_000, &[]);
    // Each add resumes where the last one was stopped and is stopped in turn, once the
    // index holds `until` committed records: by Ctrl-C, a service stop, the OOM killer.
    let mut live = 0usize;
    for (signal, until) in [(2, 20_000), (15, 45_000), (9, 75_000)] {
        let mut child = signals::default_signals(&mut Command::new(VIDX))
            .args(["add", idx, "--batch-size", "2000"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = ndjson(&base[live..], live, false);
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
        let mut committed = live as u64;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        while let Some(Ok(line)) = lines.next() {
            let v: Value = serde_json::from_str(&line).unwrap();
            committed = live as u64 + v["records"].as_u64().unwrap();
            if committed >= until {
                break;
            }
        }
        unsafe { libc_kill(child.id() as i32, signal) };
        // SIGINT and SIGTERM let the group being logged finish and be acknowledged:
        // read the commits to the end. SIGKILL ends it wherever it is.
        for line in lines.by_ref() {
            let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
            committed = live as u64 + v["records"].as_u64().unwrap();
        }
        drop(lines);
        let out = child.wait_with_output().unwrap();
        let _ = feeder.join();
        let err = String::from_utf8_lossy(&out.stderr);
        if signal == 9 {
            assert_eq!(out.status.signal(), Some(9), "{err}");
            assert!(err.is_empty(), "signal 9: not quiet: {err}");
        } else {
            // One line: the stop, with how many records of this run are in.
            assert_eq!(out.status.code(), Some(1), "signal {signal}: {err}");
            let want = format!(
                "interrupted by a signal after {} records, all of them committed",
                committed - live as u64
            );
            assert!(
                err.lines().count() == 1 && err.contains(&want),
                "signal {signal}: {err}"
            );
        }
        assert!(committed >= until && committed < n as u64, "{committed}");
        // Reopens without repair: a reader straight away, with every committed id.
        live = assert_committed(idx, committed as usize, &format!("after signal {signal}"));
    }
    // The writer reopens (cutting any torn tail) and takes the rest; recall holds.
    let rest = ndjson(&base[live..], live, false);
    let out = vidx(&["add", idx], Some(&rest));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats = ok(&["stats", idx], None);
    assert_eq!(stats[0]["records"], n as u64);
    let hits = ok(&["search", idx, "--k", "10"], Some(&query_ndjson(qs)));
    let r = recall(&hits, &truth(base, &|_| true, qs, 10), 10);
    eprintln!("recall@10 after three stops and reopens: {r:.4}");
    assert!(r >= 0.95, "recall {r}");
}

/// An empty 16-dimensional L2 index flushing its memtable every `memtable` records,
/// with `more` create options.
fn create_l2_16(idx: &str, memtable: usize, more: &[&str]) {
    let memtable = memtable.to_string();
    let mut args = vec![
        "create",
        idx,
        "--dim",
        "16",
        "--metric",
        "l2",
        "--memtable",
        &memtable,
    ];
    args.extend(more);
    ok(&args, None);
}

/// The index opens and holds ids v0..v`committed`; returns how many records are live.
fn assert_committed(idx: &str, committed: usize, what: &str) -> usize {
    let stats = ok(&["stats", idx], None);
    let live = stats[0]["records"].as_u64().unwrap() as usize;
    assert!(
        live >= committed,
        "{what}: {live} live < {committed} committed"
    );
    let ids: Vec<String> = (0..committed).map(|i| format!("v{i}")).collect();
    for chunk in ids.chunks(4000) {
        let mut args = vec!["get", idx, "--no-vector"];
        args.extend(chunk.iter().map(String::as_str));
        assert_eq!(ok(&args, None).len(), chunk.len(), "{what}");
    }
    live
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn deleted_ids_never_come_back_and_compaction_shrinks_the_directory() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("idx");
    let idx = dir.to_str().unwrap();
    let (n, dim) = (6_000, 12);
    let all = clustered(n, 0, dim, 20, 4242);
    ok(
        &[
            "create",
            idx,
            "--dim",
            "12",
            "--metric",
            "l2",
            "--memtable",
            "2500",
        ],
        None,
    );
    ok(&["add", idx], Some(&ndjson(&all, 0, true)));
    // Overwrite 200 ids with new metadata (new copies in a newer segment / memtable).
    let mut over = Vec::new();
    for (i, v) in all.iter().enumerate().take(200) {
        let rec = serde_json::json!({"id": format!("v{i}"), "vector": v, "n": -1});
        serde_json::to_writer(&mut over, &rec).unwrap();
        over.push(b'\n');
    }
    ok(&["add", idx], Some(&over));
    // Delete every 5th id: spread over all segments and the memtable.
    let deleted: Vec<usize> = (0..n).step_by(5).collect();
    let del_ids: Vec<String> = deleted.iter().map(|i| format!("v{i}")).collect();
    let mut stdin = Vec::new();
    for id in &del_ids {
        stdin.extend_from_slice(format!("{{\"id\":\"{id}\"}}\n").as_bytes());
    }
    let r = ok(&["delete", idx, "--stdin"], Some(&stdin));
    assert_eq!(r[0]["deleted"], deleted.len() as u64);
    let dead: HashSet<String> = del_ids.iter().cloned().collect();
    let qs: Vec<Vec<f32>> = deleted.iter().take(300).map(|&i| all[i].clone()).collect();
    let check = |when: &str| {
        let hits = ok(&["search", idx, "--k", "10"], Some(&query_ndjson(&qs)));
        assert_eq!(hits.len(), qs.len() * 10, "{when}: k hits per query");
        for h in &hits {
            let id = h["id"].as_str().unwrap();
            assert!(!dead.contains(id), "{when}: deleted {id} came back");
            let i: usize = id[1..].parse().unwrap();
            let expect = if i < 200 { -1 } else { i as i64 };
            assert_eq!(h["n"], expect, "{when}: {id} shows its newest metadata");
        }
        let out = vidx(&["get", idx, "v5", "v10", "v1"], None);
        assert_eq!(out.status.code(), Some(3), "{when}: get of deleted ids");
        let got = records(&out.stdout);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0]["id"], "v1");
        assert!(String::from_utf8_lossy(&out.stderr).contains("'v5' is not in"));
        let stats = ok(&["stats", idx], None);
        assert_eq!(stats[0]["records"], (n - deleted.len()) as u64, "{when}");
        let r = recall(&hits, &truth(&all, &|i| i % 5 != 0, &qs, 10), 10);
        assert!(r >= 0.95, "{when}: recall {r}");
    };
    check("before compaction");
    let before = dir_size(&dir);
    let c = ok(&["compact", idx], None);
    assert_eq!(c[0]["segments_after"], 1);
    let after = dir_size(&dir);
    assert!(
        after < before,
        "compaction shrinks the directory: {before} -> {after}"
    );
    assert!(c[0]["dropped"].as_u64().unwrap() >= 200);
    check("after compaction");
    // And they stay gone through another writer session and compaction.
    ok(
        &["add", idx],
        Some(&ndjson(&clustered(10, 0, dim, 2, 9), n, false)),
    );
    ok(&["compact", idx], None);
    check_gone(idx, &del_ids[..50]);
}

/// Deleting without adding leaves a memtable of tombstones only; compacting flushes it
/// as a segment without vectors, which must open (quantized or not).
#[test]
fn a_segment_of_tombstones_only_opens() {
    for quantize in ["sq8", "none"] {
        let t = tempfile::tempdir().unwrap();
        let idx = t.path().join("idx");
        let idx = idx.to_str().unwrap();
        ok(&["create", idx, "--dim", "4", "--quantize", quantize], None);
        let vs: Vec<Vec<f32>> = (0..2000)
            .map(|i| vec![1.0 + i as f32, 2.0, 3.0, (i % 7) as f32])
            .collect();
        ok(&["add", idx], Some(&ndjson(&vs, 0, false)));
        ok(&["delete", idx, "v0", "v1"], None);
        ok(&["compact", idx], None);
        let stats = ok(&["stats", idx, "--verify"], None);
        assert_eq!(stats[0]["records"], 1998, "{quantize}");
        let (code, _) = err(&["get", idx, "v0"], None);
        assert_eq!(code, 3, "{quantize}: v0 stays deleted");
        let hits = ok(
            &["search", idx, "--k", "1", "--vector", "v"],
            Some(b"{\"id\":\"q\",\"v\":[3,2,3,2]}\n"),
        );
        assert_eq!(hits[0]["id"], "v2", "{quantize}");
    }
}

fn check_gone(idx: &str, ids: &[String]) {
    let mut args = vec!["get", idx];
    args.extend(ids.iter().map(String::as_str));
    let out = vidx(&args, None);
    assert_eq!(out.status.code(), Some(3));
    assert!(records(&out.stdout).is_empty());
}

fn err(args: &[&str], stdin: Option<&[u8]>) -> (i32, String) {
    let out = vidx(args, stdin);
    assert!(!out.status.success(), "vidx {args:?} should fail");
    let e = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(e.lines().count(), 1, "one error line: {e}");
    (out.status.code().unwrap(), e)
}

#[test]
fn bad_input_gets_clear_errors_naming_the_record_or_file() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("idx");
    let idx = dir.to_str().unwrap();
    ok(&["create", idx, "--dim", "3"], None);
    ok(
        &["add", idx],
        Some(b"{\"id\":\"a\",\"vector\":[1,2,3],\"x\":1}\n"),
    );
    let (_, e) = err(
        &["add", idx],
        Some(b"{\"id\":\"b\",\"vector\":[1,2,3]}\n{\"id\":\"c\",\"vector\":[1,2]}\n"),
    );
    assert!(
        e.contains("record 2 (id 'c')") && e.contains("2 values") && e.contains("dimension 3"),
        "{e}"
    );
    let (_, e) = err(
        &["add", idx],
        Some(b"{\"id\":\"d\",\"vector\":[1,1e39,3]}\n"),
    );
    assert!(e.contains("record 1 (id 'd')") && e.contains("inf"), "{e}");
    let (_, e) = err(
        &["add", idx],
        Some(b"{\"id\":\"e\",\"vector\":[1,2,3]}\n{\"vector\":[1,2,3]}\n"),
    );
    assert!(e.contains("record 2") && e.contains("id is missing"), "{e}");
    let (_, e) = err(
        &["add", idx],
        Some(b"{\"id\":\"f\",\"vector\":[\"a\",\"b\",\"c\"]}\n"),
    );
    assert!(
        e.contains("list of numbers") && e.contains("record 1"),
        "{e}"
    );
    let (_, e) = err(
        &["add", idx],
        Some(b"{\"name\":\"g\",\"vector\":[1,2,3]}\n"),
    );
    assert!(e.contains("--id"), "{e}");
    let (_, e) = err(
        &["add", idx, "--vector", "emb"],
        Some(b"{\"id\":\"h\",\"vector\":[1,2,3]}\n"),
    );
    assert!(e.contains("'emb'"), "{e}");
    // Nothing of a failed group was stored: only 'a' (and the good 'b'/'e' rows were
    // in failed groups too).
    let s = ok(&["stats", idx], None);
    assert_eq!(s[0]["records"], 1);
    let (code, e) = err(&["search", idx], Some(b"{\"vector\":[1,2]}\n"));
    assert_eq!(code, 1);
    assert!(e.contains("record 1") && e.contains("dimension 3"), "{e}");
    let (code, e) = err(
        &["search", t.path().join("nope").to_str().unwrap()],
        Some(b""),
    );
    assert_eq!(
        code, 1,
        "a missing index is a missing file, not a usage error"
    );
    assert!(e.contains("not a vidx index"), "{e}");

    // A torn WAL tail (a crash mid-write): cut and reported by the next writer, not fatal.
    let wal = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("wal-"))
        .unwrap()
        .path();
    let mut f = std::fs::OpenOptions::new().append(true).open(&wal).unwrap();
    f.write_all(&[40, 0, 0, 0, 1, 2, 3, 4, 5, 6]).unwrap();
    drop(f);
    let s = ok(&["stats", idx], None);
    assert_eq!(s[0]["wal_torn_bytes"], 10);
    let out = vidx(&["add", idx], Some(b"{\"id\":\"z\",\"vector\":[3,2,1]}\n"));
    assert!(out.status.success());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("torn tail of 10 bytes") && e.contains("wal-"),
        "{e}"
    );
    let s = ok(&["stats", idx], None);
    assert_eq!(s[0]["records"], 2);
    assert_eq!(s[0]["wal_torn_bytes"], 0);

    // Corrupt and truncated segments are named.
    let big: Vec<Vec<f32>> = clustered(1500, 0, 3, 3, 5);
    ok(&["add", idx], Some(&ndjson(&big, 100, false)));
    let seg = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .find(|e| e.file_name().to_string_lossy().ends_with(".vseg"))
        .unwrap()
        .path();
    let good = std::fs::read(&seg).unwrap();
    // The middle byte of a section, from the header's table (offset, length, checksum
    // per section, from byte 56): 6 is the graph's level 0, 12 the metadata columns.
    let middle = |section: usize| {
        let at = 56 + section * 24;
        let field = |o: usize| u64::from_le_bytes(good[o..o + 8].try_into().unwrap()) as usize;
        field(at) + field(at + 8) / 2
    };
    let mut bad = good.clone();
    bad[middle(12)] ^= 0xff;
    std::fs::write(&seg, &bad).unwrap();
    // The metadata columns are checked when a filter reads them (and by --verify),
    // like the rest of the bulk, not by every open.
    let (code, e) = err(
        &["search", idx, "--filter", "x = 1"],
        Some(b"{\"vector\":[1,2,3]}\n"),
    );
    assert_eq!(code, 1);
    assert!(
        e.contains(&seg.display().to_string()) && e.contains("corrupt"),
        "{e}"
    );
    let (_, e) = err(&["stats", idx, "--verify"], None);
    assert!(e.contains(&seg.display().to_string()), "{e}");
    // A damaged graph is found by opening.
    let mut bad = good.clone();
    bad[middle(6)] ^= 0xff;
    std::fs::write(&seg, &bad).unwrap();
    let (code, e) = err(&["search", idx], Some(b"{\"vector\":[1,2,3]}\n"));
    assert_eq!(code, 1);
    assert!(
        e.contains(&seg.display().to_string()) && e.contains("corrupt"),
        "{e}"
    );
    std::fs::write(&seg, &good[..good.len() / 2]).unwrap();
    let (_, e) = err(&["stats", idx], None);
    assert!(
        e.contains(&seg.display().to_string()) && e.contains("truncated"),
        "{e}"
    );
    std::fs::write(&seg, &good).unwrap();
    ok(&["stats", idx, "--verify"], None);
}

#[test]
fn one_writer_at_a_time_and_readers_are_not_blocked() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("idx");
    let idx = dir.to_str().unwrap();
    ok(&["create", idx, "--dim", "2", "--metric", "ip"], None);
    ok(
        &["add", idx],
        Some(b"{\"id\":1,\"vector\":[1,0]}\n{\"id\":2,\"vector\":[0,1]}\n"),
    );
    // A writer waiting on its input holds the lock.
    let mut w = Command::new(VIDX)
        .args(["add", idx])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut wi = w.stdin.take().unwrap();
    wi.write_all(b"{\"id\":3,\"vector\":[1,1]}\n").unwrap();
    wi.flush().unwrap();
    let mut lines = BufReader::new(w.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["records"], 1);
    let (code, e) = err(&["delete", idx, "1"], None);
    assert_eq!(code, 1, "a busy index is a failure, not a usage error");
    assert!(
        e.contains("locked by another vidx writer") && e.contains("pid"),
        "{e}"
    );
    // A reader sees what is committed so far, including the live writer's record.
    let hits = ok(&["search", idx, "--k", "3"], Some(b"{\"vector\":[1,1]}\n"));
    assert_eq!(hits[0]["id"], "3");
    assert_eq!(hits[0]["distance"], -2.0);
    drop(wi);
    assert!(w.wait().unwrap().success());
    ok(&["delete", idx, "1"], None);
}

#[test]
fn filtered_search_at_1_percent_selectivity_keeps_recall() {
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    let idx = idx.to_str().unwrap();
    let (n, nq, dim) = (20_000, 200, 32);
    let all = clustered(n, nq, dim, 30, 0xf117);
    let (base, qs) = all.split_at(n);
    // Two segments and a memtable, so the filter runs on each kind of source.
    ok(
        &[
            "create",
            idx,
            "--dim",
            "32",
            "--metric",
            "l2",
            "--memtable",
            "8000",
        ],
        None,
    );
    ok(&["add", idx], Some(&ndjson(&base[..19_500], 0, true)));
    ok(&["add", idx], Some(&ndjson(&base[19_500..], 19_500, true)));
    // tag = 't7': ids 7, 107, 207, ... = 1% of the records.
    let hits = ok(
        &["search", idx, "--k", "10", "--filter", "tag = 't7'"],
        Some(&query_ndjson(qs)),
    );
    for h in &hits {
        assert_eq!(h["tag"], "t7");
    }
    let r = recall(&hits, &truth(base, &|i| i % 100 == 7, qs, 10), 10);
    eprintln!("recall@10 with a 1% filter: {r:.4}");
    assert!(r >= 0.95, "filtered recall {r}");
    // A 30% filter goes through the graphs (above the exact-scan threshold).
    let hits = ok(
        &["search", idx, "--k", "10", "--filter", "n % 10 < 3"],
        Some(&query_ndjson(qs)),
    );
    let r = recall(&hits, &truth(base, &|i| i % 10 < 3, qs, 10), 10);
    eprintln!("recall@10 with a 30% filter: {r:.4}");
    assert!(r >= 0.95, "filtered recall {r}");
    let (code, e) = err(
        &["search", idx, "--filter", "nosuch = 1"],
        Some(&query_ndjson(&qs[..1])),
    );
    assert!(code == 1 || code == 2);
    assert!(e.contains("nosuch"), "{e}");
}

#[test]
fn indexed_fields_answer_filters_as_evaluation_does() {
    let t = tempfile::tempdir().unwrap();
    let (n, dim) = (6_000, 8);
    let all = clustered(n, 40, dim, 12, 0x1d3);
    let (base, qs) = all.split_at(n);
    let qs = query_ndjson(qs);
    // The same records into an index without field indexes and one with them: a
    // segment (the first add's 5,000, compacted into one whatever batches the pipe
    // delivered them in) and a memtable of the second add's 1,000 (under the 1,024 an
    // add flushes at its end), so both kinds of source meet each filter.
    let mut dirs = Vec::new();
    for fields in [None, Some("tag,n,nosuch")] {
        let dir = t
            .path()
            .join(if fields.is_some() { "indexed" } else { "plain" });
        let d = dir.to_str().unwrap().to_string();
        let mut args = vec![
            "create",
            &d,
            "--dim",
            "8",
            "--metric",
            "l2",
            "--memtable",
            "4000",
        ];
        if let Some(f) = fields {
            args.extend(["--index-field", f]);
        }
        let made = ok(&args, None);
        assert_eq!(
            made[0]["index_fields"].as_array().unwrap().len(),
            fields.map_or(0, |_| 3)
        );
        ok(&["add", &d], Some(&ndjson(&base[..5_000], 0, true)));
        ok(&["compact", &d], None);
        ok(&["add", &d], Some(&ndjson(&base[5_000..], 5_000, true)));
        let st = ok(&["stats", &d], None);
        assert_eq!(st[0]["segments"], 1, "{:?}", st[0]);
        assert_eq!(st[0]["memtable_rows"], 1_000, "{:?}", st[0]);
        assert_eq!(st[0]["columnar_segments"], 1, "{:?}", st[0]);
        dirs.push(d);
    }
    for sql in [
        "tag = 't7'",
        "n >= 100 AND n < 400",
        "tag IN ('t1', 't2') OR n < 50",
        "n BETWEEN 10 AND 5000 AND tag <> 't3' AND n % 10 < 3",
        "tag IS NULL",
        "n > 5990",
    ] {
        let scans: Vec<Vec<Value>> = dirs
            .iter()
            .map(|d| ok(&["scan", d, "--filter", sql], None))
            .collect();
        assert_eq!(scans[0], scans[1], "scan --filter \"{sql}\"");
        let hits: Vec<Vec<Value>> = dirs
            .iter()
            .map(|d| ok(&["search", d, "--k", "5", "--filter", sql], Some(&qs)))
            .collect();
        assert_eq!(hits[0], hits[1], "search --filter \"{sql}\"");
    }
    // A field no record has is named in the error, as without indexes.
    for d in &dirs {
        let (_, e) = err(&["scan", d, "--filter", "nosuch = 1"], None);
        assert!(e.contains("nosuch"), "{e}");
    }
    let (code, e) = err(
        &[
            "create",
            &format!("{}/x", dirs[0]),
            "--dim",
            "2",
            "--index-field",
            "a,,b",
        ],
        None,
    );
    assert_eq!(code, 2, "{e}");
}

#[path = "support/small_disk.rs"]
mod small_disk;

#[path = "support/signals.rs"]
mod signals;

#[test]
fn a_full_disk_fails_adds_and_compaction_clearly_and_loses_no_commit() {
    let disk = small_disk::SmallDisk::mount(3 << 20);
    let idx = disk.path().join("idx");
    let idx = idx.to_str().unwrap();
    let dim = 16;
    create_l2_16(idx, 2000, &[]);
    let all = clustered(200_000, 0, dim, 40, 5);
    let mut committed = 0;
    let mut failed = None;
    for batch in all.chunks(1000) {
        let out = vidx(&["add", idx], Some(&ndjson(batch, committed, false)));
        if out.status.success() {
            committed += batch.len();
            continue;
        }
        failed = Some((
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
        break;
    }
    let (code, err) = failed.expect("the disk filled up");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("No space left"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(
        committed >= 2000,
        "{committed} committed before the disk was full"
    );

    let check = |what: &str| {
        assert_committed(idx, committed, what);
        let q = query_ndjson(&all[..1]);
        let hits = ok(&["search", idx, "--k", "1"], Some(&q));
        assert_eq!(hits[0]["id"], "v0", "{what}");
    };
    check("after the failed add");
    // Compaction needs room for the merged segment: it fails or succeeds, never loses.
    let out = vidx(&["compact", idx], None);
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("No space left"), "{err}");
    }
    check("after compacting on a full disk");
}

/// Records with metadata of every kind scan has to type: integers, floats, text,
/// booleans, nested objects, lists, a timestamp, fields some records lack.
fn rich_ndjson(vs: &[Vec<f32>], first_id: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, v) in vs.iter().enumerate() {
        let id = first_id + i;
        let lang = ["en", "de", "fr"][id % 3];
        let mut rec = serde_json::json!({"id": id, "vector": v, "n": id, "score": id as f64 / 8.0,
            "lang": lang, "ok": id.is_multiple_of(2),
            "where": {"shelf": id % 7, "room": format!("r{}", id % 4)},
            "tags": [format!("t{}", id % 5), "all"],
            "ts": format!("2026-12-0{}T10:00:00.{:09}Z", 1 + id % 3, id)});
        if id.is_multiple_of(10) {
            rec.as_object_mut().unwrap().remove("lang");
        }
        serde_json::to_writer(&mut out, &rec).unwrap();
        out.push(b'\n');
    }
    out
}

/// A cosine index of 3,000 records spread over two segments and the memtable, with
/// some records deleted and some written twice.
fn scanned_index(dir: &Path) -> (String, Vec<Vec<f32>>) {
    let idx = dir.join("idx").to_str().unwrap().to_string();
    let all = clustered(3_000, 20, 24, 12, 0x5ca7);
    let args = ["create", &idx, "--dim", "24", "--memtable", "1200"];
    ok(&args, None);
    ok(&["add", &idx], Some(&rich_ndjson(&all[..2_600], 0)));
    ok(
        &["add", &idx],
        Some(&rich_ndjson(&all[2_600..3_000], 2_600)),
    );
    // Overwritten (newest copy in the memtable) and deleted records, across sources.
    ok(&["add", &idx], Some(&rich_ndjson(&all[3_000..], 100)));
    ok(&["delete", &idx, "5", "1500", "2999"], None);
    (idx, all)
}

#[test]
fn scan_to_parquet_and_add_rebuild_an_equal_index() {
    let t = tempfile::tempdir().unwrap();
    let (idx, all) = scanned_index(t.path());
    let dump = t.path().join("dump.parquet");
    let dump = dump.to_str().unwrap();
    ok(&["scan", &idx, "--vectors", "--out", dump], None);
    let copy = t.path().join("copy");
    let copy = copy.to_str().unwrap();
    ok(&["create", copy, "--dim", "24"], None);
    ok(&["add", copy, dump], None);
    // Same ids, metadata and vectors, bit for bit (f32 printed in full either way).
    let a = vidx(&["scan", &idx, "--vectors", "-o", "ndjson"], None);
    let b = vidx(&["scan", copy, "--vectors", "-o", "ndjson"], None);
    assert!(a.status.success() && b.status.success());
    let recs = records(&a.stdout);
    assert_eq!(recs.len(), 3_000 - 3);
    assert!(a.stdout == b.stdout, "the rebuilt index scans differently");
    // Integer ids come back in numeric order, every field typed as it was added.
    assert_eq!(recs[0]["id"], "0");
    assert_eq!(recs[9]["id"], "10");
    assert_eq!(recs[9]["where"]["room"], "r2");
    assert_eq!(recs[9]["tags"][1], "all");
    assert!(recs[9].get("lang").is_none(), "{}", recs[9]);
    assert_eq!(recs[1]["lang"], "de");
    assert_eq!(recs[1]["ts"], "2026-12-02T10:00:00.000000001Z");
    assert_eq!(recs[1]["score"], 0.125);
    // The stored vectors are unit length and the written-twice records kept their
    // newer vector.
    let v100: Vec<f32> = recs
        .iter()
        .find(|r| r["id"] == "100")
        .map(|r| serde_json::from_value(r["vector"].clone()).unwrap())
        .unwrap();
    let want: f32 = all[3_000].iter().map(|x| x * x).sum::<f32>().sqrt();
    for (got, x) in v100.iter().zip(&all[3_000]) {
        assert!((got - x / want).abs() < 1e-6);
    }
    // The same search results, exactly.
    let q = query_ndjson(&all[2_990..]);
    let sa = vidx(&["search", &idx, "--exact", "-o", "ndjson"], Some(&q));
    let sb = vidx(&["search", copy, "--exact", "-o", "ndjson"], Some(&q));
    assert!(sa.status.success() && sa.stdout == sb.stdout);
    assert_eq!(records(&sa.stdout).len(), 30 * 10);
}

#[test]
fn scan_pages_orders_and_filters() {
    let t = tempfile::tempdir().unwrap();
    let (idx, _) = scanned_index(t.path());
    let ids = |args: &[&str]| -> Vec<String> {
        ok(args, None)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    for order in ["id", "insertion"] {
        let all = ids(&["scan", &idx, "--order", order]);
        assert_eq!(all.len(), 2_997);
        // Pages of 400, each after the last id of the one before.
        let mut paged: Vec<String> = Vec::new();
        loop {
            let mut args = vec!["scan", idx.as_str(), "--order", order, "--limit", "400"];
            let last = paged.last().cloned().unwrap_or_default();
            if !paged.is_empty() {
                args.extend(["--after", last.as_str()]);
            }
            let page = ids(&args);
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        assert_eq!(paged, all, "{order}");
        if order == "insertion" {
            // The records written again (ids 100..119) come last, in their new order.
            let tail: Vec<String> = (100..120).map(|i| i.to_string()).collect();
            assert_eq!(&all[all.len() - 20..], tail.as_slice());
        } else {
            let nums: Vec<u64> = all.iter().map(|s| s.parse().unwrap()).collect();
            assert!(nums.windows(2).all(|w| w[0] < w[1]));
        }
    }
    let de = ok(&["scan", &idx, "--filter", "lang = 'de' AND n < 300"], None);
    let want: Vec<String> = (0..300)
        .filter(|i| i % 3 == 1 && i % 10 != 0 && *i != 5)
        .map(|i| i.to_string())
        .collect();
    let got: Vec<&str> = de.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(got, want);
    // A metadata field named like the output's id field is a usage error, not a loss.
    let (code, e) = err(&["scan", &idx, "--id", "lang"], None);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("'lang'"), "{e}");
    let (code, e) = err(
        &["scan", &idx, "--order", "insertion", "--after", "5"],
        None,
    );
    assert_eq!(code, 2, "{e}");
}

/// Ten snapshots taken while `vidx add` writes (flushing and compacting meanwhile):
/// each opens, passes `stats --verify`, and holds exactly the first N records added,
/// N at least the commits acknowledged before it started.
#[test]
fn snapshots_of_a_live_index_are_consistent_and_restore() {
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    let idx = idx.to_str().unwrap();
    let (n, dim) = (60_000, 16);
    let all = clustered(n, 0, dim, 20, 0x5a9);
    // Flushes every 6,000 records, compaction at 3 segments.
    create_l2_16(idx, 6000, &["--compact-at", "3"]);
    let mut writer = Command::new(VIDX)
        .args(["add", idx, "--batch-size", "500", "-o", "ndjson"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = writer.stdin.take().unwrap();
    let data = ndjson(&all, 0, true);
    // Fed at about 20,000 records a second, so the snapshots see it at work.
    let feeder = std::thread::spawn(move || {
        for chunk in data.chunks(data.len() / 60) {
            if stdin.write_all(chunk).is_err() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    });
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let reader = {
        let acked = acked.clone();
        let out = writer.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let v: Value = serde_json::from_str(&line.unwrap()).unwrap();
                acked.store(
                    v["records"].as_u64().unwrap(),
                    std::sync::atomic::Ordering::SeqCst,
                );
            }
        })
    };
    let mut seen = Vec::new();
    for i in 0..10 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        let before = acked.load(std::sync::atomic::Ordering::SeqCst);
        let snap = t.path().join(format!("snap{i}"));
        let snap = snap.to_str().unwrap();
        let rep = ok(&["snapshot", idx, snap], None);
        let held = rep[0]["records"].as_u64().unwrap();
        assert!(
            held >= before,
            "snapshot {i} holds {held} < {before} acknowledged"
        );
        let stats = ok(&["stats", snap, "--verify"], None);
        assert_eq!(stats[0]["records"].as_u64(), Some(held));
        // Exactly the first `held` records, in the order they were added.
        let ids: Vec<String> = ok(&["scan", snap, "--order", "insertion"], None)
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        let want: Vec<String> = (0..held).map(|i| format!("v{i}")).collect();
        assert!(ids == want, "snapshot {i}: not the first {held} records");
        seen.push((held, rep[0]["segments"].as_u64().unwrap()));
    }
    feeder.join().unwrap();
    let status = writer.wait().unwrap();
    reader.join().unwrap();
    assert!(status.success());
    eprintln!("snapshots (records, segments): {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].0 <= w[1].0),
        "snapshots taken in turn hold more and more: {seen:?}"
    );
    assert!(seen.iter().any(|s| s.0 > 0 && s.0 < n as u64), "{seen:?}");

    // Restore: into a new directory; over an index only with --force and no writer.
    let copy = t.path().join("copy");
    let copy = copy.to_str().unwrap();
    let snap0 = t.path().join("snap0");
    let snap0 = snap0.to_str().unwrap();
    let rep = ok(&["restore", snap0, copy], None);
    assert_eq!(rep[0]["replaced"], false);
    let (code, e) = err(&["restore", snap0, idx], None);
    assert_eq!(code, 2, "{e}");
    assert!(e.contains("--force"), "{e}");
    let mut held = Command::new(VIDX)
        .args(["add", idx])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The writer holds the lock once its pid is in LOCK.
    let lock = Path::new(idx).join("LOCK");
    let pid = held.id().to_string();
    let t0 = std::time::Instant::now();
    while std::fs::read_to_string(&lock).unwrap_or_default().trim() != pid {
        assert!(
            t0.elapsed().as_secs() < 30,
            "the writer never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let (code, e) = err(&["restore", snap0, idx, "--force"], None);
    assert_eq!(code, 1, "{e}");
    assert!(e.contains("locked"), "{e}");
    drop(held.stdin.take());
    assert!(held.wait().unwrap().success());
    let rep = ok(&["restore", snap0, idx, "--force"], None);
    assert_eq!(rep[0]["replaced"], true);
    let first = ok(&["stats", snap0], None)[0]["records"].clone();
    assert_eq!(ok(&["stats", idx, "--verify"], None)[0]["records"], first);
    // The restored index takes writes; the snapshot it came from is unchanged.
    ok(&["add", idx], Some(&ndjson(&all[..10], 100_000, true)));
    assert_eq!(ok(&["stats", snap0], None)[0]["records"], first);
    // Only the index's own files were left beside it.
    let names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    // Into a non-empty directory that is not an index: refused.
    let (code, _) = err(&["snapshot", idx, t.path().to_str().unwrap()], None);
    assert_eq!(code, 2);
}

#[test]
fn update_changes_metadata_only_and_delete_takes_a_filter() {
    let t = tempfile::tempdir().unwrap();
    let (idx, _) = scanned_index(t.path());
    let get = |id: &str| ok(&["get", &idx, id], None).remove(0);
    let before: Vec<Value> = ["1", "2", "3", "4", "2000"]
        .iter()
        .map(|i| get(i))
        .collect();
    // Merged in, twice in one group; replaced; fields removed; one in a segment.
    let input = br#"{"id":1,"lang":"it","extra":5}
{"id":4,"a":1}
{"id":4,"b":2,"n":40}
{"id":2000,"lang":"it"}
"#;
    let rep = ok(&["update", &idx], Some(input));
    assert_eq!(rep.last().unwrap()["updated"], 3);
    ok(
        &["update", &idx, "--replace"],
        Some(br#"{"id":2,"only":true}"#),
    );
    ok(
        &["update", &idx, "--unset", "tags,where"],
        Some(br#"{"id":3}"#),
    );
    let after: Vec<Value> = ["1", "2", "3", "4", "2000"]
        .iter()
        .map(|i| get(i))
        .collect();
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(b["vector"], a["vector"], "the vector is kept: {a}");
    }
    assert_eq!(after[0]["lang"], "it");
    assert_eq!(after[0]["extra"], 5);
    assert_eq!(after[0]["n"], 1);
    assert_eq!(after[0]["where"], before[0]["where"]);
    let fields = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(fields(&after[1]), ["id", "only", "vector"]);
    assert!(after[2].get("tags").is_none() && after[2].get("where").is_none());
    assert_eq!(after[2]["lang"], before[2]["lang"]);
    assert_eq!(
        (after[3]["a"].clone(), after[3]["b"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(after[3]["n"], 40);
    // Filters see the new metadata, in the memtable and over a segment's record.
    let it = ok(&["scan", &idx, "--filter", "lang = 'it'"], None);
    let ids: Vec<&str> = it.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2000"]);
    // An id the index does not hold: reported, exit 3; a vector: refused.
    let out = vidx(&["update", &idx], Some(br#"{"id":999999,"x":1}"#));
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'999999'"));
    let (code, e) = err(&["update", &idx], Some(br#"{"id":1,"vector":[1,2]}"#));
    assert_eq!(code, 2, "{e}");

    // Delete by filter: exactly the records that pass.
    let de = ok(&["scan", &idx, "--filter", "lang = 'de'"], None).len();
    // Ids with id % 3 == 1, less those without a lang (id % 10 == 0) and id 1, now 'it'.
    assert_eq!(de, 1_000 - 100 - 1);
    let rep = ok(&["delete", &idx, "--filter", "lang = 'de'"], None);
    assert_eq!(rep[0]["deleted"], de as u64);
    assert!(ok(&["scan", &idx, "--filter", "lang = 'de'"], None).is_empty());
    assert_eq!(
        ok(&["stats", &idx], None)[0]["records"],
        (2_997 - de) as u64
    );
    let out = vidx(&["delete", &idx, "--filter", "lang = 'de'", "7"], None);
    assert_eq!(out.status.code(), Some(2), "ids and --filter together");
}

/// Hits are built as columns: query, rank, id, distance, then the metadata, typed; a
/// metadata field named like one of the first four comes out as `meta_NAME`.
#[test]
fn search_hits_carry_typed_metadata_beside_their_own_fields() {
    let t = tempfile::tempdir().unwrap();
    let idx = t.path().join("idx");
    let idx = idx.to_str().unwrap();
    ok(&["create", idx, "--dim", "2", "--metric", "l2"], None);
    let docs =
        br#"{"id":"a","vector":[0,0],"distance":"far","rank":7,"ts":"2026-12-01T00:00:00Z","w":1.5}
{"id":"b","vector":[1,0],"w":2}
{"id":"c","vector":[5,5]}
"#;
    ok(&["add", idx], Some(docs));
    let hits = ok(
        &["search", idx, "--k", "3", "-o", "ndjson"],
        Some(br#"{"id":"q","vector":[0.1,0]}"#),
    );
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0]["id"], "a");
    assert_eq!(hits[0]["rank"], 1);
    assert_eq!(hits[0]["meta_rank"], 7);
    assert_eq!(hits[0]["meta_distance"], "far");
    assert!((hits[0]["distance"].as_f64().unwrap() - 0.1).abs() < 1e-6);
    assert_eq!(hits[0]["ts"], "2026-12-01T00:00:00.000000000Z");
    assert_eq!(hits[1]["w"], 2.0);
    assert!(hits[2].get("w").is_none(), "{}", hits[2]);
    assert_eq!(hits[2]["query"], "q");
}

/// Queries are read, searched and their hits written on three threads (NDJSON output:
/// in batches of 256 queries): the hits are those of a one-query-at-a-time search, in
/// query order; a bad query stops the search with an error naming it after the hits
/// of the batches before it went out; a closed pipe ends the search quietly.
#[test]
fn search_streams_hits_in_query_order_and_stops_clearly_at_a_bad_query() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("idx");
    let idx = dir.to_str().unwrap();
    let all = clustered(3_000, 700, 16, 10, 77);
    let (base, qs) = all.split_at(3_000);
    create_l2_16(idx, 100_000, &[]);
    ok(&["add", idx], Some(&ndjson(base, 0, true)));
    let streamed = ok(&["search", idx, "--k", "3"], Some(&query_ndjson(qs)));
    let one_batch = ok(
        &[
            "search",
            idx,
            "--k",
            "3",
            "--batch-size",
            "100000",
            "-o",
            "ndjson",
        ],
        Some(&query_ndjson(qs)),
    );
    assert_eq!(streamed.len(), 700 * 3);
    assert_eq!(streamed, one_batch, "the same hits in the same order");
    // Query 301 has the wrong dimension: the first batch's hits are out, then the error.
    let mut input = query_ndjson(&qs[..300]);
    input.extend_from_slice(b"{\"id\":\"bad\",\"vector\":[1,2]}\n");
    input.extend_from_slice(&query_ndjson(&qs[300..]));
    let out = vidx(&["search", idx, "--k", "3"], Some(&input));
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("record 301 (id 'bad')") && e.contains("2 values"),
        "{e}"
    );
    // The batches before the bad query's are out. Their size depends on how much of the
    // input the pipe held at each read (queries are taken as they come, at most 64 at
    // a time), so the batch holding query 301 starts at query 237 or later.
    let hits = records(&out.stdout);
    assert!(
        hits.len().is_multiple_of(3) && (237 * 3..=300 * 3).contains(&hits.len()),
        "the hits of whole queries before the bad one: {}",
        hits.len()
    );
    assert_eq!(hits[..], streamed[..hits.len()]);
    // A reader that stops after one line: exit 0 and nothing on stderr.
    let mut child = Command::new(VIDX)
        .args(["search", idx, "--k", "3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let many: Vec<u8> = (0..20).flat_map(|_| query_ndjson(qs)).collect();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&many);
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("\"rank\":1"), "{first}");
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[path = "support/python.rs"]
mod python;
use python::python;

/// A Parquet file as pyarrow writes one: 300 records whose metadata has types NDJSON
/// cannot say (int32, float32, uint8, timestamp[ms], date32, binary) and a text field
/// named `ts` that looks like a timestamp.
const TYPED_PARQUET: &str = r#"
import sys, datetime, pyarrow as pa, pyarrow.parquet as pq
n = 300
vec = pa.list_(pa.float32(), 8)
t = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "vector": pa.array([[((i * 7 + j * 3) % 11) / 10 + 0.05 for j in range(8)] for i in range(n)], vec),
    "year": pa.array([2000 + i % 30 for i in range(n)], pa.int32()),
    "score": pa.array([i / 64 for i in range(n)], pa.float32()),
    "small": pa.array([i % 200 for i in range(n)], pa.uint8()),
    "at": pa.array([1764547200000 + i * 1001 for i in range(n)], pa.timestamp("ms", tz="UTC")),
    "day": pa.array([datetime.date(2026, 1, 1) + datetime.timedelta(days=i) for i in range(n)], pa.date32()),
    "blob": pa.array([bytes([i % 256, 255 - i % 256]) for i in range(n)], pa.binary()),
    "ts": pa.array([f"2026-12-01T00:00:{i % 60:02d}Z" if i % 3 else None for i in range(n)], pa.string()),
})
pq.write_table(t, sys.argv[1])
"#;

/// Prints a Parquet file's or Arrow stream's metadata columns (name: type) and, for a
/// scan, whether its values equal the typed source's, row by row in id order.
const TYPES_OF: &str = r#"
import sys, pyarrow as pa, pyarrow.ipc as ipc, pyarrow.parquet as pq
path = sys.argv[1]
t = pq.read_table(path) if path.endswith(".parquet") else ipc.open_stream(open(path, "rb")).read_all()
for f in t.schema:
    if f.name in ("year", "score", "small", "at", "day", "blob", "ts"):
        print(f"{f.name}: {f.type}")
if len(sys.argv) > 2:
    src = pq.read_table(sys.argv[2])
    ids = [int(i) for i in t.column("id").to_pylist()]
    order = sorted(range(len(ids)), key=lambda k: ids[k])
    for name in ("year", "score", "small", "at", "day", "blob", "ts"):
        have = [t.column(name)[k].as_py() for k in order]
        want = [src.column(name)[i].as_py() for i in sorted(ids)]
        print(f"{name} equal: {have == want}")
"#;

/// #19 item 3: metadata keeps the Arrow types its input gave it (declared in the
/// manifest) in segment columns, scans, hits and rebuilt indexes; NDJSON values the
/// declared type holds keep it, one it does not widens it.
#[test]
fn metadata_keeps_the_types_its_inputs_gave() {
    let t = tempfile::tempdir().unwrap();
    let p = |name: &str| t.path().join(name).to_str().unwrap().to_string();
    let (src, dump, hits, idx, copy) = (
        p("typed.parquet"),
        p("dump.parquet"),
        p("hits.arrows"),
        p("idx"),
        p("copy"),
    );
    python(TYPED_PARQUET, &[&src]);
    let create = |dir: &str| {
        ok(
            &[
                "create",
                dir,
                "--dim",
                "8",
                "--metric",
                "l2",
                "--memtable",
                "100",
            ],
            None,
        )
    };
    create(&idx);
    // Three flushes: the rows sit in a segment's typed columns.
    ok(&["add", &idx, &src], None);
    let stats = ok(&["stats", &idx], None);
    assert!(stats[0]["segments"].as_u64().unwrap() >= 1, "{stats:?}");
    assert_eq!(
        stats[0]["meta_types"],
        "at:timestamp[ms, UTC],blob:binary,day:date32,score:float32,small:uint8,ts:utf8,year:int32"
    );
    let want = "year: int32\nscore: float\nsmall: uint8\nat: timestamp[ms, tz=UTC]\n\
                day: date32[day]\nblob: binary\nts: string\n";
    ok(&["scan", &idx, "--vectors", "--out", &dump], None);
    let scanned = python(TYPES_OF, &[&dump, &src]);
    assert!(scanned.starts_with(want), "{scanned}");
    assert!(!scanned.contains("equal: False"), "{scanned}");
    // A filter on the int32 column, hits written as Arrow with the same types.
    ok(
        &[
            "search",
            &idx,
            "--k",
            "5",
            "--filter",
            "year = 2022",
            "-o",
            "arrow",
            "--out",
            &hits,
        ],
        Some(b"{\"vector\":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]}\n"),
    );
    assert!(python(TYPES_OF, &[&hits]).starts_with(want));
    let years = ok(
        &["search", &idx, "--k", "5", "--filter", "year = 2022"],
        Some(b"{\"vector\":[0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8]}\n"),
    );
    assert_eq!(years.len(), 5);
    assert!(years.iter().all(|h| h["year"] == 2022), "{years:?}");
    // The dump rebuilds an index that scans the same, types and all.
    create(&copy);
    ok(&["add", &copy, &dump], None);
    let again = vidx(&["scan", &copy, "--vectors", "-o", "ndjson"], None);
    let first = vidx(&["scan", &idx, "--vectors", "-o", "ndjson"], None);
    assert!(again.stdout == first.stdout);
    let redump = p("redump.parquet");
    ok(&["scan", &copy, "--vectors", "--out", &redump], None);
    assert!(python(TYPES_OF, &[&redump, &src]).starts_with(want));
    // NDJSON integers an int32 holds keep it ...
    let v = "[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]";
    let rec = |id: u64, year: u64| format!("{{\"id\":{id},\"vector\":{v},\"year\":{year}}}\n");
    ok(&["add", &idx], Some(rec(1000, 2031).as_bytes()));
    ok(&["scan", &idx, "--out", &dump], None);
    assert!(python(TYPES_OF, &[&dump]).starts_with("year: int32\n"));
    // ... and one beyond its range widens the field to int64, values intact.
    ok(&["add", &idx], Some(rec(1001, 3_000_000_000).as_bytes()));
    ok(&["scan", &idx, "--out", &dump], None);
    assert!(python(TYPES_OF, &[&dump]).starts_with("year: int64\n"));
    let big = ok(&["get", &idx, "1001", "1000", "-o", "ndjson"], None);
    assert_eq!(big[0]["year"], 3_000_000_000u64);
    assert_eq!(big[1]["year"], 2031);
}
