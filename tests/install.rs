//! `make install` and `make install-dist` into a temporary prefix: every binary, man page
//! and completion lands where bash-completion, zsh, fish and man look, the installed
//! binaries run, and `man -l` renders every installed page without a warning.

use std::path::Path;
use std::process::Command;

/// The release directory the tests' binaries were built into (`make install` copies from
/// it); `-o build` tells make not to rebuild it with a second `cargo build`.
fn release_dir() -> &'static Path {
    // This test runs as target/release/deps/install-HASH.
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf().leak()
}

fn make(args: &[&str]) -> std::process::Output {
    let out = Command::new("make")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `make install VARS...` from this build's release directory.
fn make_install(vars: &[&str]) {
    let release = format!("RELEASE={}", release_dir().display());
    let mut args = vec!["-o", "build", "install", release.as_str()];
    args.extend_from_slice(vars);
    make(&args);
}

/// The tools this build has, as `src/bin/` names them; `make install` leaves out the
/// multicall binary unless asked (TOOLS=pipekit), as it repeats the others.
fn built_tools() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut tools: Vec<String> = std::fs::read_dir(root.join("src/bin"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            p.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .filter(|t| t != "pipekit" && release_dir().join(t).is_file())
        .collect();
    tools.sort();
    tools
}

/// Every file one tool installs under `root` (PREFIX with DESTDIR in front).
fn installed_files(root: &Path, tool: &str) -> Vec<std::path::PathBuf> {
    vec![
        root.join("bin").join(tool),
        root.join(format!("share/man/man1/{tool}.1")),
        root.join(format!("share/bash-completion/completions/{tool}")),
        root.join(format!("share/zsh/vendor-completions/_{tool}")),
        root.join(format!("share/fish/vendor_completions.d/{tool}.fish")),
    ]
}

/// `man -l` formats the page the way a user sees it; groff's warnings (a bad macro, an
/// unknown escape) go to stderr.
fn assert_man_renders(page: &Path, tool: &str) {
    let out = Command::new("man")
        .arg("-l")
        .arg(page)
        .env("MANWIDTH", "80")
        .env("MAN_KEEP_FORMATTING", "0")
        .env("PAGER", "cat")
        .env("MANPAGER", "cat")
        .output()
        .expect("man is installed by make deps (man-db)");
    // Bold and underline come as overstrikes ("N\bN"): keep the printed characters.
    let mut text = String::new();
    for c in String::from_utf8_lossy(&out.stdout).chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "man -l {}: {stderr}", page.display());
    // "cannot adjust line": a line holding one long unbreakable token (a URL pattern)
    // is left unjustified, which is only cosmetic; any other warning fails.
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.contains("cannot adjust line"))
        .collect();
    assert!(warnings.is_empty(), "man -l {}: {stderr}", page.display());
    assert!(
        text.contains("NAME") && text.contains("SYNOPSIS") && text.contains(tool),
        "man -l {} rendered:\n{text}",
        page.display()
    );
}

#[test]
fn make_install_puts_binaries_pages_and_completions_under_the_prefix() {
    let tools = built_tools();
    assert!(!tools.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("usr");
    make_install(&[&format!("PREFIX={}", prefix.display())]);
    for tool in &tools {
        for file in installed_files(&prefix, tool) {
            assert!(file.is_file(), "{} was not installed", file.display());
        }
        let out = Command::new(prefix.join("bin").join(tool))
            .arg("--version")
            .output()
            .unwrap();
        assert!(out.status.success(), "{tool} --version");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with(tool.as_str()));
        assert_man_renders(&prefix.join(format!("share/man/man1/{tool}.1")), tool);
    }
}

#[test]
fn destdir_stages_an_install_without_touching_the_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let stage = tmp.path().join("stage");
    make_install(&[
        "PREFIX=/opt/pipekit-test-prefix",
        &format!("DESTDIR={}", stage.display()),
    ]);
    assert!(!Path::new("/opt/pipekit-test-prefix").exists());
    for tool in built_tools() {
        for file in installed_files(&stage.join("opt/pipekit-test-prefix"), &tool) {
            assert!(file.is_file(), "{} was not staged", file.display());
        }
    }
}

/// The aarch64 tarball `make test` builds first (spictl, hidctl): its checksums are
/// verified, its binaries installed run under qemu-user, its pages render.
#[cfg(all(feature = "spictl", feature = "hidctl"))]
#[test]
fn make_install_dist_installs_a_verified_tarball() {
    let target = "aarch64-unknown-linux-musl";
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("edge");
    make(&[
        "install-dist",
        &format!("TARGET={target}"),
        &format!("PREFIX={}", prefix.display()),
    ]);
    for tool in ["spictl", "hidctl"] {
        for file in installed_files(&prefix, tool) {
            assert!(file.is_file(), "{} was not installed", file.display());
        }
        let out = Command::new("qemu-aarch64-static")
            .arg(prefix.join("bin").join(tool))
            .arg("--version")
            .output()
            .expect("qemu-user-static is installed by make deps");
        let version = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{tool} --version under qemu");
        assert!(version.contains(target), "{version}");
        assert_man_renders(&prefix.join(format!("share/man/man1/{tool}.1")), tool);
    }
}

#[test]
fn install_dist_refuses_a_tarball_that_does_not_exist() {
    let out = Command::new("make")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "install-dist",
            "TARGET=sparc64-no-such-target",
            "PREFIX=/nonexistent",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not built; run make dist TARGETS=sparc64-no-such-target"),
        "{stderr}"
    );
}
