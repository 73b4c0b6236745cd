//! Build script. Only the `netprobe` feature needs it: it compiles the kernel-side
//! program `ebpf/netprobe.bpf.c` into BPF bytecode in OUT_DIR, which the library embeds
//! with `include_bytes_aligned!`. Without the feature this does nothing, so the other
//! tools build without clang or bpftool.
//!
//! CO-RE: `vmlinux.h` is dumped from the build machine's BTF (or taken from
//! `NETPROBE_VMLINUX_H`); field offsets are relocated at load time against the running
//! kernel's BTF, so the object is not tied to the build machine's kernel.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    describe_build();
    if env::var_os("CARGO_FEATURE_NETPROBE").is_none() {
        return;
    }
    if let Err(msg) = build_bpf() {
        panic!("netprobe: {msg}");
    }
}

/// What `--version` reports (`cli::LONG_VERSION`): the commit (with `-dirty` for
/// uncommitted changes; `unknown` outside a git checkout), the target triple and the
/// tool features this build has.
fn describe_build() {
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/index");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let commit = match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(c)
            if git(&["status", "--porcelain", "--untracked-files=no"])
                .is_some_and(|s| !s.is_empty()) =>
        {
            format!("{c}-dirty")
        }
        Some(c) => c,
        None => "unknown".into(),
    };
    println!("cargo:rustc-env=PIPEKIT_COMMIT={commit}");
    println!(
        "cargo:rustc-env=PIPEKIT_TARGET={}",
        env::var("TARGET").unwrap_or_default()
    );
    let features: Vec<String> = [
        "etl",
        "kafka",
        "spictl",
        "hidctl",
        "netprobe",
        "vidx",
        "wasm-build",
    ]
    .iter()
    .filter(|f| {
        let var = format!("CARGO_FEATURE_{}", f.to_uppercase().replace('-', "_"));
        env::var_os(var).is_some()
    })
    .map(|f| f.to_string())
    .collect();
    println!("cargo:rustc-env=PIPEKIT_FEATURES={}", features.join(" "));
}

fn build_bpf() -> Result<(), String> {
    println!("cargo:rerun-if-changed=ebpf/netprobe.bpf.c");
    println!("cargo:rerun-if-env-changed=NETPROBE_CLANG");
    println!("cargo:rerun-if-env-changed=NETPROBE_VMLINUX_H");
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let include = out.join("bpf-include");
    std::fs::create_dir_all(&include).map_err(|e| format!("{}: {e}", include.display()))?;
    let vmlinux = include.join("vmlinux.h");
    match env::var_os("NETPROBE_VMLINUX_H") {
        Some(p) => {
            std::fs::copy(&p, &vmlinux)
                .map_err(|e| format!("copying NETPROBE_VMLINUX_H {p:?}: {e}"))?;
        }
        None if !vmlinux.exists() => dump_vmlinux(&vmlinux)?,
        None => {}
    }
    let clang = env::var("NETPROBE_CLANG").unwrap_or_else(|_| "clang-19".into());
    let arch = match env::var("CARGO_CFG_TARGET_ARCH").as_deref() {
        Ok("x86_64") => "x86",
        Ok("aarch64") => "arm64",
        Ok("riscv64") => "riscv",
        Ok(other) => return Err(format!("no BPF target arch mapping for {other}")),
        Err(e) => return Err(e.to_string()),
    };
    let object = out.join("netprobe.bpf.o");
    let status = Command::new(&clang)
        .args(["-target", "bpf", "-O2", "-g", "-Wall", "-Werror"])
        .arg(format!("-D__TARGET_ARCH_{arch}"))
        .arg("-I")
        .arg(&include)
        .arg("-c")
        .arg("ebpf/netprobe.bpf.c")
        .arg("-o")
        .arg(&object)
        .status()
        .map_err(|e| {
            format!("cannot run {clang}: {e}; install it with scripts/deps.sh (apt: clang-19 libbpf-dev) or set NETPROBE_CLANG")
        })?;
    if !status.success() {
        return Err(format!(
            "{clang} failed to compile ebpf/netprobe.bpf.c ({status})"
        ));
    }
    Ok(())
}

fn dump_vmlinux(dest: &Path) -> Result<(), String> {
    let btf = "/sys/kernel/btf/vmlinux";
    if !Path::new(btf).exists() {
        return Err(format!(
            "{btf} is missing (kernel without BTF); set NETPROBE_VMLINUX_H to a vmlinux.h"
        ));
    }
    let output = Command::new("bpftool")
        .args(["btf", "dump", "file", btf, "format", "c"])
        .output()
        .map_err(|e| format!("cannot run bpftool: {e}; install it with scripts/deps.sh (apt: bpftool) or set NETPROBE_VMLINUX_H"))?;
    if !output.status.success() {
        return Err(format!(
            "bpftool btf dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    std::fs::write(dest, output.stdout).map_err(|e| format!("{}: {e}", dest.display()))
}
