//! man/ and completions/ are generated from the binaries' clap definitions and
//! committed. This fails when they are stale: run `make man completions`.

use std::path::Path;
use std::process::Command;

fn bins() -> Vec<(&'static str, &'static str)> {
    [
        #[cfg(feature = "etl")]
        ("etl", env!("CARGO_BIN_EXE_etl")),
        #[cfg(feature = "spictl")]
        ("spictl", env!("CARGO_BIN_EXE_spictl")),
        #[cfg(feature = "netprobe")]
        ("netprobe", env!("CARGO_BIN_EXE_netprobe")),
        #[cfg(feature = "hidctl")]
        ("hidctl", env!("CARGO_BIN_EXE_hidctl")),
        #[cfg(feature = "vidx")]
        ("vidx", env!("CARGO_BIN_EXE_vidx")),
        #[cfg(feature = "wasm-build")]
        ("wasm-build", env!("CARGO_BIN_EXE_wasm-build")),
    ]
    .to_vec()
}

#[test]
fn every_binary_has_its_generated_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let on_disk = std::fs::read_dir(root.join("src/bin")).unwrap().count();
    // A single-tool build (`--no-default-features --features spictl`) has fewer binaries.
    if cfg!(all(
        feature = "etl",
        feature = "spictl",
        feature = "netprobe",
        feature = "hidctl",
        feature = "vidx",
        feature = "wasm-build"
    )) {
        assert_eq!(
            bins().len() + 1,
            on_disk,
            "add the new binary to tests/docs_fresh.rs"
        );
    }
    let mut stale = Vec::new();
    let multicall = ("pipekit", env!("CARGO_BIN_EXE_pipekit"));
    for (name, exe) in bins().into_iter().chain([multicall]) {
        for (what, file) in [
            ("man", format!("man/{name}.1")),
            ("complete-bash", format!("completions/{name}.bash")),
            ("complete-zsh", format!("completions/_{name}")),
            ("complete-fish", format!("completions/{name}.fish")),
        ] {
            let out = Command::new(exe)
                .args(["--generate", what])
                .output()
                .unwrap();
            assert!(out.status.success(), "{name} --generate {what}");
            assert!(!out.stdout.is_empty());
            let committed = std::fs::read(root.join(&file)).unwrap_or_default();
            if committed != out.stdout {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs (run `make man completions`): {stale:?}"
    );
}

#[test]
fn man_pages_document_every_subcommand_with_examples() {
    for (name, exe) in bins() {
        let out = Command::new(exe)
            .args(["--generate", "man"])
            .output()
            .unwrap();
        let page = String::from_utf8(out.stdout).unwrap();
        // No pointer to a page that is not installed (`etl\-convert(1)`): one page per
        // tool holds its subcommands.
        let sub_page = format!("{}\\-", name.replace('-', "\\-"));
        let pointers: Vec<&str> = page
            .split_whitespace()
            .filter(|w| w.starts_with(&sub_page) && w.ends_with("(1)"))
            .collect();
        assert!(pointers.is_empty(), "{name}'s page points to {pointers:?}");
        let help = Command::new(exe).arg("--help").output().unwrap();
        let help = String::from_utf8(help.stdout).unwrap();
        assert!(help.contains("Examples:"), "{name} --help has examples");
        let commands = help
            .split("Commands:")
            .nth(1)
            .unwrap_or("")
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            // Wrapped descriptions continue on deeper-indented lines.
            .filter(|l| !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|c| *c != "help")
            .collect::<Vec<_>>();
        assert!(!commands.is_empty(), "{name} lists commands");
        for c in commands {
            assert!(
                // roff escapes hyphens: "wasm\-build build".
                page.contains(&format!(".SS \"{} {c}\"", name.replace('-', "\\-"))),
                "{name} man page documents {c}"
            );
        }
        assert!(
            page.matches("Examples:").count() >= 2,
            "{name} man page carries examples"
        );
    }
}
