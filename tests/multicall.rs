//! The multicall binary: `pipekit TOOL ...` and a symlink named after a tool behave as
//! that tool's own binary (output, exit status, error prefix); `--install-links` creates
//! the links and never replaces a file it did not make.
#![cfg(all(feature = "etl", feature = "spictl"))]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const PIPEKIT: &str = env!("CARGO_BIN_EXE_pipekit");
const ETL: &str = env!("CARGO_BIN_EXE_etl");

fn run(cmd: &mut Command, stdin: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const RECORDS: &str = "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n";

#[test]
fn pipekit_tool_is_the_tool() {
    let args = ["convert", "-o", "csv"];
    let own = run(Command::new(ETL).args(args), RECORDS);
    let multi = run(Command::new(PIPEKIT).arg("etl").args(args), RECORDS);
    assert_eq!(own.status.code(), Some(0));
    assert_eq!(multi.status.code(), own.status.code());
    assert_eq!(multi.stdout, own.stdout);
    assert_eq!(
        String::from_utf8_lossy(&multi.stdout),
        "id,name\n1,a\n2,b\n"
    );

    // A usage error is the tool's, named after the tool.
    let bad = run(
        Command::new(PIPEKIT).args(["etl", "convert", "--no-such-flag"]),
        "",
    );
    assert_eq!(bad.status.code(), Some(2));
    let bad = run(
        Command::new(PIPEKIT).args(["etl", "select", "no_such_field"]),
        RECORDS,
    );
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.starts_with("etl: error:"), "{stderr}");
}

#[test]
fn a_symlink_named_after_a_tool_runs_that_tool() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("spictl");
    std::os::unix::fs::symlink(PIPEKIT, &link).unwrap();
    let out = run(Command::new(&link).arg("--version"), "");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("spictl "));
    let out = run(
        Command::new(&link).args(["flash", "id", "--device", "sim:w25q128"]),
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ef4018"));
}

#[test]
fn install_links_links_every_tool_and_keeps_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        Command::new(PIPEKIT).arg("--install-links").arg(dir.path()),
        "",
    );
    assert!(out.status.success());
    let list = run(Command::new(PIPEKIT).arg("--list"), "");
    let tools: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert!(tools.contains(&"etl".to_string()) && tools.contains(&"spictl".to_string()));
    let exe = std::fs::canonicalize(PIPEKIT).unwrap();
    for tool in &tools {
        assert_eq!(std::fs::read_link(dir.path().join(tool)).unwrap(), exe);
    }
    // Again: nothing to do, nothing printed.
    let again = run(
        Command::new(PIPEKIT).arg("--install-links").arg(dir.path()),
        "",
    );
    assert!(again.status.success());
    assert!(again.stdout.is_empty());

    // A separately installed tool is left alone and named.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("etl"), "#!/bin/sh\n").unwrap();
    let out = run(
        Command::new(PIPEKIT)
            .arg("--install-links")
            .arg(other.path()),
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("etl") && stderr.contains("left as they are"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(other.path().join("etl")).unwrap(),
        "#!/bin/sh\n"
    );
    assert!(other.path().join("spictl").is_symlink());
}
