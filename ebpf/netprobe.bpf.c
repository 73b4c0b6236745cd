// SPDX-License-Identifier: GPL-2.0 OR MIT
// netprobe: TCP lifecycle events from the inet_sock_set_state tracepoint (attached raw).
//
// The tracepoint fires on every TCP state change, often in softirq context where the
// current task is not the socket's owner. So the owner (pid, comm, start time) is
// recorded per socket at the moments that do run in the owner's syscall: connect()
// (CLOSE->SYN_SENT) and listen() (CLOSE->LISTEN). Accepted children inherit the
// owner of the listener on their local port (LISTEN->SYN_RECV). Later events look the
// owner up by socket pointer. Filters are applied here, before the ring buffer, so
// filtered-out traffic costs no userspace work. Failed ring-buffer reservations are
// counted in `lost`, never silently dropped.
//
// Keep `struct event` in sync with src/lib/netprobe/event.rs (EVENT_SIZE and offsets).

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6

enum { TCP_ESTABLISHED_ = 1, TCP_SYN_SENT_ = 2, TCP_SYN_RECV_ = 3, TCP_CLOSE_ = 7, TCP_LISTEN_ = 10 };
// Pending bytes in the ring buffer before the reader is woken (about 64 events).
#define WAKEUP_BYTES (64 * 128)

enum { KIND_CONNECT = 1, KIND_ACCEPT = 2, KIND_CLOSE = 3, KIND_STATE = 4 };

struct event {
	__u64 ts_ns;        // bpf_ktime_get_ns (CLOCK_MONOTONIC)
	__u64 skaddr;
	__u64 duration_ns;  // close: since connect/accept/listen, 0 when unknown
	__u64 rx_bytes;     // close: payload bytes received
	__u64 tx_bytes;     // close: payload bytes sent, retransmissions counted once
	__u32 pid;          // owner's tgid, 0 when unknown
	__u32 srtt_us;      // close: smoothed RTT
	__u32 netns;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 oldstate;
	__u8 newstate;
	__u8 kind;
	__u8 pad[3];
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[16];
};
_Static_assert(sizeof(struct event) == 112, "struct event layout changed");

struct owner {
	__u64 start_ns;
	__u32 pid;
	char comm[16];
};

struct listen_key {
	__u32 netns;
	__u16 port;
	__u16 family;
};

// Filters, set by the loader before load (0 / empty = no filter).
const volatile __u32 filter_pid = 0;
const volatile __u32 filter_netns = 0;
const volatile __u16 filter_port = 0;
const volatile __u16 filter_lport = 0;
const volatile __u16 filter_rport = 0;
const volatile __u16 filter_family = 0;
const volatile __u8 filter_comm_set = 0;
const volatile char filter_comm[16] = {};
const volatile __u8 emit_states = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, __u64);
	__type(value, struct owner);
} owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct listen_key);
	__type(value, struct owner);
} listeners SEC(".maps");

static __always_inline void current_owner(struct owner *o, __u64 now)
{
	o->start_ns = now;
	o->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline int comm_matches(const char *comm)
{
	if (!filter_comm_set)
		return 1;
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (comm[i] != filter_comm[i])
			return 0;
		if (comm[i] == 0)
			return 1;
	}
	return 1;
}

// A raw tracepoint: the arguments (sk, oldstate, newstate) as the kernel passes them,
// and the fields read from the socket as the tracepoint's own TP_fast_assign does. No
// perf buffer is involved, and a run the kernel has to skip (this program already
// running on the CPU) is counted in the program's recursion_misses, which userspace
// reports as lost.
SEC("raw_tracepoint/inet_sock_set_state")
int inet_sock_set_state(struct bpf_raw_tracepoint_args *ctx)
{
	// The context is the argument array itself, read at fixed offsets: vmlinux.h
	// declares `args` as a zero-length array, which a CO-RE access would relocate.
	__u64 *args = (__u64 *)ctx;
	struct sock *s = (struct sock *)args[0];
	struct inet_sock *inet = (struct inet_sock *)s;
	__u16 protocol = BPF_CORE_READ(s, sk_protocol);
	if (protocol != IPPROTO_TCP)
		return 0;

	__u64 now = bpf_ktime_get_ns();
	__u64 sk = (__u64)s;
	int oldstate = (int)args[1];
	int newstate = (int)args[2];
	__u16 family = BPF_CORE_READ(s, __sk_common.skc_family);
	__u16 sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	__u16 dport = bpf_ntohs(BPF_CORE_READ(s, __sk_common.skc_dport));
	__u32 netns = BPF_CORE_READ(s, __sk_common.skc_net.net, ns.inum);
	struct owner o = {};
	struct owner *known = 0;
	__u8 kind = KIND_STATE;

	if (oldstate == TCP_CLOSE_ && newstate == TCP_SYN_SENT_) {
		// connect() runs in the owner's task.
		current_owner(&o, now);
		bpf_map_update_elem(&owners, &sk, &o, BPF_ANY);
	} else if (oldstate == TCP_CLOSE_ && newstate == TCP_LISTEN_) {
		current_owner(&o, now);
		bpf_map_update_elem(&owners, &sk, &o, BPF_ANY);
		struct listen_key lk = { .netns = netns, .port = sport, .family = family };
		bpf_map_update_elem(&listeners, &lk, &o, BPF_ANY);
	} else if (oldstate == TCP_LISTEN_ && newstate == TCP_SYN_RECV_) {
		// A child socket cloned from the listener: it belongs to the listener's owner.
		struct listen_key lk = { .netns = netns, .port = sport, .family = family };
		struct owner *l = bpf_map_lookup_elem(&listeners, &lk);
		if (l) {
			o = *l;
			o.start_ns = now;
			bpf_map_update_elem(&owners, &sk, &o, BPF_ANY);
		}
	}

	if (oldstate == TCP_SYN_SENT_ && newstate == TCP_ESTABLISHED_)
		kind = KIND_CONNECT;
	else if (oldstate == TCP_SYN_RECV_ && newstate == TCP_ESTABLISHED_)
		kind = KIND_ACCEPT;
	else if (newstate == TCP_CLOSE_)
		kind = KIND_CLOSE;

	known = bpf_map_lookup_elem(&owners, &sk);
	if (known)
		o = *known;
	if (kind == KIND_CLOSE) {
		if (oldstate == TCP_LISTEN_) {
			struct listen_key lk = { .netns = netns, .port = sport, .family = family };
			struct owner *l = bpf_map_lookup_elem(&listeners, &lk);
			// Only forget the port if this listener registered it (SO_REUSEPORT).
			if (l && l->pid == o.pid)
				bpf_map_delete_elem(&listeners, &lk);
		}
		bpf_map_delete_elem(&owners, &sk);
	}

	if (kind == KIND_STATE && !emit_states)
		return 0;
	if (filter_pid && o.pid != filter_pid)
		return 0;
	if (filter_netns && netns != filter_netns)
		return 0;
	if (filter_family && family != filter_family)
		return 0;
	if (filter_lport && sport != filter_lport)
		return 0;
	if (filter_rport && dport != filter_rport)
		return 0;
	if (filter_port && sport != filter_port && dport != filter_port)
		return 0;
	if (!comm_matches(o.comm))
		return 0;

	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&lost, &zero);
		// Atomic: a preempted program on the same CPU must not lose an increment.
		if (n)
			__sync_fetch_and_add(n, 1);
		return 0;
	}
	e->ts_ns = now;
	e->skaddr = sk;
	e->pid = o.pid;
	__builtin_memcpy(e->comm, o.comm, sizeof(e->comm));
	e->netns = netns;
	e->family = family;
	e->sport = sport;
	e->dport = dport;
	e->oldstate = oldstate;
	e->newstate = newstate;
	e->kind = kind;
	e->pad[0] = e->pad[1] = e->pad[2] = 0;
	e->duration_ns = 0;
	e->rx_bytes = 0;
	e->tx_bytes = 0;
	e->srtt_us = 0;
	if (family == AF_INET6) {
		bpf_core_read(e->saddr, 16, &s->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &s->__sk_common.skc_v6_daddr);
	} else {
		__builtin_memset(e->saddr, 0, 16);
		__builtin_memset(e->daddr, 0, 16);
		bpf_core_read(e->saddr, 4, &inet->inet_saddr);
		bpf_core_read(e->daddr, 4, &s->__sk_common.skc_daddr);
	}
	if (kind == KIND_CLOSE) {
		struct tcp_sock *tp = (struct tcp_sock *)sk;
		if (known && o.start_ns)
			e->duration_ns = now - o.start_ns;
		// Payload bytes. bytes_received also counts a FIN that reached this socket
		// (tcp_fin sets SOCK_DONE); bytes_sent counts payload of every transmission,
		// so retransmitted bytes are taken off. Neither counts SYNs.
		__u64 rx = BPF_CORE_READ(tp, bytes_received);
		unsigned long flags = BPF_CORE_READ(s, __sk_common.skc_flags);
		if ((flags & (1UL << SOCK_DONE)) && rx > 0)
			rx -= 1;
		e->rx_bytes = rx;
		e->tx_bytes = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
		e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	}
	// Waking the reader costs more than the event: only wake it once a batch is
	// pending. Userspace also polls every few milliseconds, so a lone event still
	// arrives promptly.
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(e, pending >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
