//! spictl on a real kernel SPI controller: boots QEMU's sifive_u board (riscv64, TCG)
//! with Debian's riscv64 kernel, whose spi-sifive driver runs the board's SPI controller
//! with QEMU's is25wp256 flash (32 MiB, SFDP) on it. The cross-built spictl
//! (dist/riscv64gc-unknown-linux-gnu, built by `make test` before the tests) talks to
//! it through spidev; the kernel's own spi-nor driver, bound to the same flash, judges:
//! what spictl wrote, /dev/mtd0 reads, and what the kernel wrote through /dev/mtd0,
//! spictl reads. Set up by `make deps` (scripts/deps.d/45-spictl-vm.sh).
#![cfg(feature = "spictl")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "support/guest.rs"]
mod guest;
use guest::{parse_steps, Console, Next};

const TARGET: &str = "riscv64gc-unknown-linux-gnu";

fn vm_dir() -> PathBuf {
    std::env::var_os("PIPEKIT_SPI_VM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/pipekit/spictl-vm"))
}

/// The first file in `dir` whose name starts with `prefix`.
fn find(dir: &Path, prefix: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
}

fn sha(text: &str) -> String {
    text.split_whitespace().next().unwrap_or("").to_string()
}

#[test]
fn spictl_on_a_kernel_spi_controller() {
    let vm = vm_dir();
    let spictl = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("dist/{TARGET}/bin/spictl"));
    let qemu = vm.join("qemu/usr/bin/qemu-system-riscv64");
    let kernel = find(&vm.join("kernel"), "vmlinu");
    let (true, true, Some(kernel)) = (qemu.exists(), spictl.exists(), kernel) else {
        panic!(
            "missing {} or {} or the kernel in {}: run make deps (scripts/deps.d/45-spictl-vm.sh) \
             and the riscv64 build (TARGETS={TARGET} TOOLS=spictl bash scripts/dist.sh)",
            qemu.display(),
            spictl.display(),
            vm.display()
        );
    };
    let tmp = tempfile::tempdir().unwrap();
    let initrd = tmp.path().join("initrd.gz");
    let st = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/qemu/spi/mkinitramfs.sh"
        ))
        .arg(&initrd)
        .arg(&spictl)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/qemu/spi/init.sh"
        ))
        .env("PIPEKIT_SPI_VM_DIR", &vm)
        .status()
        .unwrap();
    assert!(st.success(), "mkinitramfs.sh failed");

    let started = Instant::now();
    let console = Console::start(
        Command::new(&qemu)
            .arg("-L")
            .arg(vm.join("qemu/usr/share/qemu"))
            .args(["-M", "sifive_u", "-smp", "2", "-m", "512M", "-accel", "tcg"])
            .args(["-display", "none", "-serial", "stdio", "-monitor", "none"])
            .arg("-no-reboot")
            .arg("-kernel")
            .arg(&kernel)
            .arg("-initrd")
            .arg(&initrd)
            // printk.devkmsg=on: the init script prints through /dev/kmsg, unthrottled.
            .args([
                "-append",
                "console=ttySIF0 rdinit=/init panic=-1 quiet printk.devkmsg=on",
            ]),
    );
    // Generous: TCG on a machine shared with compilers (the run takes seconds alone).
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut log: Vec<String> = Vec::new();
    let mut done = false;
    while Instant::now() < deadline {
        match console.next(Duration::from_millis(200)) {
            Next::Line(line) => {
                done |= line.contains("@@DONE");
                log.push(line);
                if done {
                    break;
                }
            }
            Next::Quiet => {}
            Next::Closed => break,
        }
    }
    let stderr = console.finish(true);
    let all = log.join("\n");
    eprintln!(
        "spictl guest: {:.1} s from QEMU's start to the last step",
        started.elapsed().as_secs_f64()
    );
    assert!(
        done,
        "the guest stopped or ran past the deadline.\nconsole:\n{all}\nqemu stderr:\n{stderr}"
    );
    assert!(!all.contains("@@MODULE-FAILED"), "{all}");
    let steps = parse_steps(&log);
    let step = |name: &str| {
        let s = steps
            .get(name)
            .unwrap_or_else(|| panic!("guest step '{name}' missing.\nconsole:\n{all}"));
        assert_eq!(s.rc, 0, "step {name}:\n{}", s.text());
        s
    };

    // spidev on spi-sifive: the device, every mode the controller takes.
    let info = step("info").json();
    assert_eq!(info[0]["device"], "/dev/spidev0.0", "{info:?}");
    for m in 0..4 {
        let x = step(&format!("mode-{m}")).json();
        let rx = x[0]["rx"].as_str().unwrap();
        assert!(
            rx.ends_with("9d7019"),
            "mode {m}: the is25wp256's JEDEC id, got {rx}"
        );
    }
    // A transfer above bufsiz: split, with the chip-select warning, and done.
    let bufsiz: usize = step("bufsiz").text().trim().parse().unwrap();
    let big = step("big-xfer");
    assert!(bufsiz < 6004, "bufsiz {bufsiz}");
    assert!(big.text().contains("chip select"), "{}", big.text());
    let bytes: usize = big.lines.last().unwrap().trim().parse().unwrap();
    assert!(
        bytes > 12_000,
        "the whole transfer's record: {}",
        big.text()
    );
    // The part from its SFDP: 32 MiB, 4-byte addressing.
    let fi = step("flash-info").json();
    assert_eq!(fi[0]["size_bytes"], 32 << 20, "{fi:?}");
    assert!(fi[0]["sfdp"].is_string(), "{fi:?}");
    assert!(
        fi[0]["addressing"].as_str().unwrap().starts_with("4-byte"),
        "{fi:?}"
    );
    // spictl's write across 16 MiB, read back by spictl and by the kernel.
    let w = step("flash-write").json();
    assert_eq!(w[0]["verified"], true, "{w:?}");
    let a = sha(&step("a-sum").text());
    assert_eq!(sha(&step("a-back-sum").text()), a);
    assert!(
        step("mtd").text().contains("mtd0: 02000000"),
        "spi-nor bound"
    );
    assert_eq!(
        sha(&step("mtd-sum").text()),
        a,
        "/dev/mtd0 holds what spictl wrote"
    );
    // The kernel's write through /dev/mtd0, read by spictl.
    step("mtd-write");
    assert_eq!(
        sha(&step("k-back-sum").text()),
        sha(&step("k-sum").text()),
        "spictl reads what the kernel wrote"
    );
}
