# netprobe: clang-19 compiles ebpf/netprobe.bpf.c (build.rs), bpftool dumps vmlinux.h from
# the kernel's BTF, libbpf-dev provides bpf_helpers.h / bpf_core_read.h. The tests and
# demo use python3 (already needed) and curl for loopback connections; nftables drops a
# share of packets in a test namespace (retransmits, drop reasons); tmux gives
# `netprobe top` a terminal in its test; the benchmark compares against bpftrace.
apt_install clang-19 bpftool libbpf-dev curl bpftrace nftables tmux
