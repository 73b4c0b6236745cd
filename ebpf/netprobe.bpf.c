// SPDX-License-Identifier: GPL-2.0 OR MIT
// netprobe: TCP lifecycle from the inet_sock_set_state tracepoint, and why connections
// are slow or fail from the tcp and skb tracepoints. All are BTF tracepoints (raw
// tracepoints with typed arguments: no tracefs, and socket fields read with plain loads
// the verifier checks against the kernel's BTF instead of a probe-read call each).
//
// inet_sock_set_state fires on every TCP state change, often in softirq context where
// the current task is not the socket's owner. So the owner (pid, comm, start time) is
// recorded per socket at the moments that do run in the owner's syscall: connect()
// (CLOSE->SYN_SENT) and listen() (CLOSE->LISTEN). Accepted children inherit the owner
// of the listener on their local port (LISTEN->SYN_RECV). Every other event looks the
// owner up by socket address, also just after the close (an abortive close's reset, the
// drops of its last packets). The socket's own uid and cgroup (set when it was made)
// are read from the socket, so they are right even for sockets older than the probe.
//
// Filters are applied here, before the ring buffer, so filtered-out traffic costs no
// userspace work. Failed ring-buffer reservations are counted in `lost`, never silently
// dropped.
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
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
// include/net/inet_connection_sock.h
#define ICSK_TIME_LOSS_PROBE 5

enum {
	TCP_ESTABLISHED_ = 1,
	TCP_SYN_SENT_ = 2,
	TCP_SYN_RECV_ = 3,
	TCP_TIME_WAIT_ = 6,
	TCP_CLOSE_ = 7,
	TCP_LISTEN_ = 10,
	TCP_NEW_SYN_RECV_ = 12,
};
enum { TCP_CA_RECOVERY_ = 3, TCP_CA_LOSS_ = 4 };
// An event's bytes in the ring buffer: the record and the ring's 8-byte header.
#define RING_RECORD (136 + 8)

enum {
	KIND_CONNECT = 1,
	KIND_ACCEPT = 2,
	KIND_CLOSE = 3,
	KIND_STATE = 4,
	KIND_RETRANSMIT = 5,
	KIND_RESET = 6,
	KIND_DROP = 7,
	KIND_RTT = 8,
	// Internal to `netprobe top`, never in the ring buffer: bytes sent and received.
	KIND_TX_ = 9,
	KIND_RX_ = 10,
};

// Retransmit kinds (event.sub), most specific first.
enum { RTX_DATA = 1, RTX_SYN = 2, RTX_SYNACK = 3, RTX_TLP = 4, RTX_RTO = 5, RTX_FAST = 6 };
// Reset directions (event.sub).
enum { RST_SENT = 1, RST_RECEIVED = 2 };

// event.flags
#define F_OWNER_SOCK 1  // uid and cgroup_id were read from a full socket
#define F_FROM_PACKET 2 // addresses are the packet's source and destination, no socket

struct event {
	__u64 ts_ns;        // bpf_ktime_get_ns (CLOCK_MONOTONIC)
	__u64 skaddr;
	union {
		struct {
			__u64 duration_ns; // since connect/accept/listen, 0 when unknown
			__u64 rx_bytes;    // payload bytes received
			__u64 tx_bytes;    // payload bytes sent, retransmissions counted once
		} close;
		struct {
			__u32 rttvar_us;
			__u32 snd_cwnd;
			__u32 ssthresh;
			__u32 snd_wnd;
			__u32 rcv_wnd;
			__u32 pad;
		} rtt;
		struct {
			__u32 segs; // segments this retransmission sent (TcpRetransSegs' unit)
			__s32 err;  // 0, or why the retransmission failed
			__u32 snd_cwnd;
			__u32 pad[3];
		} rtx;
	};
	__u32 pid;          // owner's tgid, 0 when unknown
	__u32 srtt_us;      // close, rtt, retransmit: smoothed RTT
	__u32 netns;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 oldstate;      // lifecycle; other events: the socket's state in both
	__u8 newstate;
	__u8 kind;
	__u8 sub;           // retransmit kind or reset direction
	__u16 reason;       // drop: enum skb_drop_reason; sent reset: enum sk_rst_reason
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[16];
	__u64 cgroup_id;    // the socket's cgroup (v2), 0 when unknown
	__u32 uid;          // the socket's uid
	__u32 retrans;      // close, retransmit: the socket's retransmitted segments so far
	__u32 min_rtt_us;   // close: lowest RTT seen
	__u32 flags;
};
_Static_assert(sizeof(struct event) == 136, "struct event layout changed");

// What the probe knows of a socket beyond what the socket holds itself.
struct owner {
	__u64 start_ns; // connect, accept or listen; 0 when not seen
	__u32 pid;      // 0 when unknown (accepted by a listener older than the probe)
	char comm[16];
};

struct listen_key {
	__u32 netns;
	__u16 port;
	__u16 family;
};

// Filters and choices, set by the loader before load (0 / empty = no filter).
const volatile __u32 filter_pid = 0;
const volatile __u32 filter_netns = 0;
const volatile __u16 filter_port = 0;
const volatile __u16 filter_lport = 0;
const volatile __u16 filter_rport = 0;
const volatile __u16 filter_family = 0;
const volatile __u8 filter_comm_set = 0;
const volatile char filter_comm[16] = {};
const volatile __u8 filter_uid_set = 0;
const volatile __u32 filter_uid = 0;
// --cgroup: the cgroup's id and depth; a socket matches when that cgroup is it or one
// of its ancestors.
const volatile __u64 filter_cgroup_id = 0;
const volatile __u32 filter_cgroup_level = 0;
// Bit (1 << KIND_x) set: emit that kind.
const volatile __u32 emit_mask = (1 << KIND_CONNECT) | (1 << KIND_ACCEPT) | (1 << KIND_CLOSE);
const volatile __u64 rtt_every_ns = 1000000000ULL;
// Drop reasons at or below this (SKB_NOT_DROPPED_YET, SKB_CONSUMED) are not drops.
const volatile __u32 drop_reason_min = 2;
// Pending bytes in the ring buffer at which the reader is woken: the loader sets an
// eighth of the ring, at most 1,024 events (a reader woken per 64 events spent more on
// waking up and on building small batches than on the events).
const volatile __u64 wakeup_bytes = 64 * RING_RECORD;

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

// Each socket's owner, in a table indexed by a hash of the socket's address. A slot is
// held while it is written or read by making its sequence number odd with a
// compare-and-swap, and released by making it even again: no lock to wait for, no
// list to keep, so a record costs two atomic operations on one cache line where an
// LRU hash map's update measured about 70 ns, most of the program's run (and
// per-socket storage costs more still: an allocation with every connection and a free
// with every socket). A socket whose slot a later socket took, or whose slot another
// CPU held at that instant, has an unknown owner and duration, like a socket older
// than the probe; no record is ever read half-written or as another socket's.
#define OWNER_BITS 18
struct owner_slot {
	__u64 seq; // odd while held
	__u64 sk;  // the socket this owner is of; 0 for none
	struct owner o;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << OWNER_BITS);
	__type(key, __u32);
	__type(value, struct owner_slot);
} owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct listen_key);
	__type(value, struct owner);
} listeners SEC(".maps");

// --rtt-every: when each socket last gave an rtt record.
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} rtt_last SEC(".maps");

// A socket's address as a number, for hashing. The verifier lets a program compute with
// a pointer's bits only as the difference of two pointers (with the privileges netprobe
// loads with); this one is taken against a fixed object, so it is the same number for
// a socket in every program.
static const volatile __u8 sock_anchor = 0;

static __always_inline __u64 sock_id(const void *s)
{
	return (__u64)s - (__u64)&sock_anchor;
}

// The slot of socket `sk` (its sock_id), held (its even sequence number returned in
// *seq), or 0 when another CPU holds it. Socket addresses are slab objects, so their low
// bits repeat: a multiplicative hash spreads them.
static __always_inline struct owner_slot *slot_hold(__u64 sk, __u64 *seq)
{
	__u32 i = (sk * 0x9E3779B97F4A7C15ULL) >> (64 - OWNER_BITS);
	struct owner_slot *sl = bpf_map_lookup_elem(&owners, &i);
	if (!sl)
		return 0;
	__u64 s = *(volatile __u64 *)&sl->seq;
	if ((s & 1) || __sync_val_compare_and_swap(&sl->seq, s, s + 1) != s)
		return 0;
	*seq = s;
	return sl;
}

// Lets the slot go (a full barrier on every architecture: what was written in it is
// visible before the slot is free).
static __always_inline void slot_release(struct owner_slot *sl, __u64 seq)
{
	__sync_val_compare_and_swap(&sl->seq, seq + 1, seq + 2);
}

// Records `o` as socket `sk`'s owner (in place of whatever socket had the slot).
static __always_inline void owner_set(__u64 sk, const struct owner *o)
{
	__u64 seq;
	struct owner_slot *sl = slot_hold(sk, &seq);
	if (!sl)
		return;
	sl->sk = sk;
	sl->o = *o;
	slot_release(sl, seq);
}

// Socket `sk`'s owner into *o; 0 when it is not known.
static __always_inline int owner_get(__u64 sk, struct owner *o)
{
	__u64 seq;
	struct owner_slot *sl = slot_hold(sk, &seq);
	if (!sl)
		return 0;
	int found = sl->sk == sk;
	if (found)
		*o = sl->o;
	slot_release(sl, seq);
	return found;
}

static __always_inline void current_owner(struct owner *o, __u64 now)
{
	o->start_ns = now;
	o->pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

static __always_inline int emits(int kind)
{
	return emit_mask & (1u << kind);
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

static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);
	// Atomic: a preempted program on the same CPU must not lose an increment.
	if (n)
		__sync_fetch_and_add(n, 1);
}

// Time-wait and request sockets are only a `struct sock_common`: the fields of a full
// `struct sock` (uid, cgroup, protocol, TCP state) must not be read from them.
static __always_inline int full_sock(const struct sock_common *c)
{
	__u8 state = c->skc_state;
	return state != TCP_TIME_WAIT_ && state != TCP_NEW_SYN_RECV_;
}

// What the filters look at, read before a ring-buffer slot is reserved so that
// filtered-out events cost no reservation.
struct flow {
	__u64 cgroup_id;
	__u32 netns;
	__u32 uid;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 state;
	__u8 owned; // uid and cgroup_id were read from a full socket
};

// Family, ports, netns and state from the common part every TCP socket (full,
// time-wait or request) has; read_flow adds uid and cgroup from a full socket.
static __always_inline void read_common(struct flow *f, const struct sock_common *c)
{
	f->family = c->skc_family;
	f->sport = c->skc_num;
	f->dport = bpf_ntohs(c->skc_dport);
	f->netns = c->skc_net.net->ns.inum;
	f->state = c->skc_state;
	f->uid = 0;
	f->cgroup_id = 0;
	f->owned = 0;
}

static __always_inline void read_flow(struct flow *f, const struct sock *s)
{
	read_common(f, &s->__sk_common);
	if (full_sock(&s->__sk_common)) {
		// skc_num is cleared when a closing socket gives its port back (a reset sent
		// on an abortive close comes after that); inet_sport keeps it. (A probe read:
		// the verifier reads a `struct sock *` only as far as a struct sock goes, and
		// the cast helper refuses a socket reached through an skb.)
		f->sport = bpf_ntohs(BPF_CORE_READ((const struct inet_sock *)s, inet_sport));
		f->uid = s->sk_uid.val;
		struct cgroup *cg = s->sk_cgrp_data.cgroup;
		f->cgroup_id = cg ? cg->kn->id : 0;
		f->owned = 1;
	}
}

// The flow into the event, and the addresses from the socket.
static __always_inline void fill_from_sock(struct event *e, const struct flow *f,
					   const struct sock_common *c)
{
	e->family = f->family;
	e->sport = f->sport;
	e->dport = f->dport;
	e->netns = f->netns;
	e->oldstate = e->newstate = f->state;
	e->uid = f->uid;
	e->cgroup_id = f->cgroup_id;
	e->flags = f->owned ? F_OWNER_SOCK : 0;
	if (f->family == AF_INET6) {
		__builtin_memcpy(e->saddr, c->skc_v6_rcv_saddr.in6_u.u6_addr8, 16);
		__builtin_memcpy(e->daddr, c->skc_v6_daddr.in6_u.u6_addr8, 16);
	} else {
		__builtin_memset(e->saddr, 0, 16);
		__builtin_memset(e->daddr, 0, 16);
		*(__u32 *)e->saddr = c->skc_rcv_saddr;
		*(__u32 *)e->daddr = c->skc_daddr;
	}
}

// Whether a socket's cgroup is the --cgroup one or below it.
static __always_inline int cgroup_matches(const struct sock_common *c)
{
	if (!filter_cgroup_id)
		return 1;
	if (!full_sock(c))
		return 0;
	const struct sock *s = (const struct sock *)c;
	struct cgroup *cg = BPF_CORE_READ(s, sk_cgrp_data.cgroup);
	if (!cg)
		return 0;
	int level = BPF_CORE_READ(cg, level);
	if (level < (int)filter_cgroup_level)
		return 0;
	struct cgroup *anc = 0;
	bpf_core_read(&anc, sizeof(anc), &cg->ancestors[filter_cgroup_level]);
	if (!anc)
		return 0;
	return BPF_CORE_READ(anc, kn, id) == filter_cgroup_id;
}

// The filters every event passes, with the owner found for its socket (or none) and
// the socket itself (none for a packet without one).
static __always_inline int passes(const struct flow *f, const struct owner *o,
				  const struct sock_common *c)
{
	if (filter_pid && (!o || o->pid != filter_pid))
		return 0;
	if (filter_comm_set && (!o || !comm_matches(o->comm)))
		return 0;
	if (filter_netns && f->netns != filter_netns)
		return 0;
	if (filter_family && f->family != filter_family)
		return 0;
	if (filter_lport && f->sport != filter_lport)
		return 0;
	if (filter_rport && f->dport != filter_rport)
		return 0;
	if (filter_port && f->sport != filter_port && f->dport != filter_port)
		return 0;
	if (filter_uid_set && (!f->owned || f->uid != filter_uid))
		return 0;
	if (filter_cgroup_id && (!c || !cgroup_matches(c)))
		return 0;
	return 1;
}

static __always_inline void set_owner(struct event *e, const struct owner *o)
{
	if (o) {
		e->pid = o->pid;
		__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
	} else {
		e->pid = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	}
}

// In-kernel aggregation (`netprobe serve` without a record stream): instead of going
// through the ring buffer, each event is counted into per-CPU slots that userspace
// reads a few times a second, so the events cost no wakeups and no userspace work.
// Keep the slot layout in sync with src/lib/netprobe/stats.rs.
const volatile __u8 aggregate = 0;

#define S_OPENED 0             // + (accept ? 2 : 0) + (ipv6 ? 1 : 0)
#define S_CLOSED 4             // + (ipv6 ? 16 : 0) + oldstate
#define S_DURATION 36          // 13 buckets <= 100us * 4^i, then +Inf
#define S_DURATION_SUM_NS 50
#define S_DURATION_COUNT 51
#define S_RX_BYTES 52
#define S_TX_BYTES 53
#define S_RETRANS_SEGS 54      // + (ipv6 ? 8 : 0) + retransmit kind
#define S_RESET_SENT 70        // + sk_rst_reason, the last slot for reasons >= 63
#define S_RESET_SENT_SLOTS 64
#define S_RESET_RECEIVED 134
#define S_DROP 135             // + skb_drop_reason, the last slot for reasons >= 255
#define S_DROP_SLOTS 256
#define S_RTT 391              // 20 buckets <= 10us * 2^i, then +Inf
#define S_RTT_SUM_US 412
#define S_RTT_COUNT 413
#define S_EVENTS 414
#define STATS_SLOTS 416
_Static_assert(S_RESET_SENT + S_RESET_SENT_SLOTS == S_RESET_RECEIVED, "stats layout");
_Static_assert(S_DROP + S_DROP_SLOTS == S_RTT, "stats layout");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STATS_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

// aggregate mode fills this per-CPU scratch event instead of a ring-buffer slot.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct event);
} scratch SEC(".maps");

static __always_inline void stat_add(__u32 slot, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &slot);
	// Atomic: another program (a softirq's) can run between this one's load and store.
	if (v)
		__sync_fetch_and_add(v, n);
}

static __always_inline void count_rtt(__u32 srtt_us)
{
	if (!srtt_us)
		return;
	__u32 b = 20;
#pragma unroll
	for (int i = 19; i >= 0; i--)
		if (srtt_us <= (10u << i))
			b = i;
	stat_add(S_RTT + b, 1);
	stat_add(S_RTT_SUM_US, srtt_us);
	stat_add(S_RTT_COUNT, 1);
}

static __always_inline void count_event(const struct event *e)
{
	__u32 v6 = e->family == AF_INET6;
	stat_add(S_EVENTS, 1);
	switch (e->kind) {
	case KIND_CONNECT:
	case KIND_ACCEPT:
		stat_add(S_OPENED + (e->kind == KIND_ACCEPT ? 2 : 0) + v6, 1);
		break;
	case KIND_CLOSE: {
		stat_add(S_CLOSED + v6 * 16 + (e->oldstate & 15), 1);
		__u64 d = e->close.duration_ns;
		if (d) {
			__u32 b = 13;
#pragma unroll
			for (int i = 12; i >= 0; i--)
				if (d <= (100000ULL << (2 * i)))
					b = i;
			stat_add(S_DURATION + b, 1);
			stat_add(S_DURATION_SUM_NS, d);
			stat_add(S_DURATION_COUNT, 1);
		}
		stat_add(S_RX_BYTES, e->close.rx_bytes);
		stat_add(S_TX_BYTES, e->close.tx_bytes);
		count_rtt(e->srtt_us);
		break;
	}
	case KIND_RETRANSMIT:
		if (e->rtx.err == 0)
			stat_add(S_RETRANS_SEGS + v6 * 8 + (e->sub & 7), e->rtx.segs);
		break;
	case KIND_RESET:
		if (e->sub == RST_SENT)
			stat_add(S_RESET_SENT + (e->reason < S_RESET_SENT_SLOTS - 1 ? e->reason : S_RESET_SENT_SLOTS - 1), 1);
		else
			stat_add(S_RESET_RECEIVED, 1);
		break;
	case KIND_DROP:
		stat_add(S_DROP + (e->reason < S_DROP_SLOTS - 1 ? e->reason : S_DROP_SLOTS - 1), 1);
		break;
	case KIND_RTT:
		count_rtt(e->srtt_us);
		break;
	}
}

// `netprobe top`: per-socket totals kept in the kernel and read by userspace every
// interval, so a busy socket's sends and receives cost a map update each, never a
// ring-buffer record. Keep in sync with `SockStat` in src/lib/netprobe/top.rs.
const volatile __u8 top_mode = 0;

struct sockstat {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 cgroup_id;
	__u32 pid;
	__u32 uid;
	__u32 retrans_segs;
	__u32 drops;
	__u32 opened;       // connects and accepts of this socket seen
	__u32 closed;       // 1 once closed: userspace forgets it after the next read
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 pad;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[16];
};
_Static_assert(sizeof(struct sockstat) == 104, "struct sockstat layout changed");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct sockstat);
} sockstats SEC(".maps");

static __always_inline void count_top(const struct event *e)
{
	__u64 sk = e->skaddr;
	if (!sk)
		return; // a packet without a socket belongs to no row
	struct sockstat *st = bpf_map_lookup_elem(&sockstats, &sk);
	int fresh = e->kind == KIND_CONNECT || e->kind == KIND_ACCEPT;
	if (!st || (fresh && st->closed)) {
		if (e->kind == KIND_CLOSE)
			return;
		// A new socket, or a new one at the address of a closed one not yet read.
		struct sockstat init = {};
		init.cgroup_id = e->cgroup_id;
		init.pid = e->pid;
		init.uid = e->uid;
		init.family = e->family;
		init.sport = e->sport;
		init.dport = e->dport;
		__builtin_memcpy(init.saddr, e->saddr, 16);
		__builtin_memcpy(init.daddr, e->daddr, 16);
		__builtin_memcpy(init.comm, e->comm, 16);
		if (bpf_map_update_elem(&sockstats, &sk, &init, BPF_ANY)) {
			count_lost(); // the table is full: counted, never silent
			return;
		}
		st = bpf_map_lookup_elem(&sockstats, &sk);
		if (!st)
			return;
	}
	switch (e->kind) {
	case KIND_CONNECT:
	case KIND_ACCEPT:
		__sync_fetch_and_add(&st->opened, 1);
		break;
	case KIND_CLOSE:
		st->closed = 1;
		break;
	case KIND_RETRANSMIT:
		if (e->rtx.err == 0)
			__sync_fetch_and_add(&st->retrans_segs, e->rtx.segs);
		break;
	case KIND_DROP:
		__sync_fetch_and_add(&st->drops, 1);
		break;
	case KIND_TX_:
		__sync_fetch_and_add(&st->tx_bytes, e->close.tx_bytes);
		break;
	case KIND_RX_:
		__sync_fetch_and_add(&st->rx_bytes, e->close.rx_bytes);
		break;
	}
}

// Waking the reader costs more than the event (an irq_work: an interrupt each, and on a
// virtual machine an exit to the hypervisor). So the reader is woken once, by the event
// that takes the pending data past wakeup_bytes; a reader that is behind is awake
// anyway (it reads until the ring is empty before it sleeps), and waking it again for
// each event, as forcing a wakeup whenever that much was pending did, took a quarter of
// the CPU under the storm. Userspace also polls every 10 ms: a lone event, or a
// crossing two CPUs both stepped over, still arrives promptly.
static __always_inline void submit(struct event *e)
{
	if (top_mode) {
		count_top(e);
		return;
	}
	if (aggregate) {
		count_event(e);
		return;
	}
	// Counts this event (reserved, not yet submitted) and any other CPU's in flight.
	__u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	int crossed = pending >= wakeup_bytes && pending - wakeup_bytes < 2 * RING_RECORD;
	bpf_ringbuf_submit(e, crossed ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

// A reserved event (a ring-buffer slot, or the scratch event when aggregating) with
// every field that is not per-kind cleared.
static __always_inline struct event *reserve(__u8 kind, __u64 now, __u64 sk)
{
	struct event *e;
	if (aggregate || top_mode) {
		__u32 zero = 0;
		e = bpf_map_lookup_elem(&scratch, &zero);
		if (!e)
			return 0;
	} else {
		e = bpf_ringbuf_reserve(&events, sizeof(struct event), 0);
		if (!e) {
			count_lost();
			return 0;
		}
	}
	e->ts_ns = now;
	e->skaddr = sk;
	e->kind = kind;
	e->sub = 0;
	e->reason = 0;
	e->srtt_us = 0;
	e->retrans = 0;
	e->min_rtt_us = 0;
	e->close.duration_ns = 0;
	e->close.rx_bytes = 0;
	e->close.tx_bytes = 0;
	return e;
}

// Counting in the kernel (`netprobe serve`) without an owner, uid or cgroup filter: only
// what the counters and the remaining filters take is read (family, ports, netns, and a
// close's bytes, RTT and duration), not the addresses, uid, cgroup or owner of a record
// nobody sees. A load-time constant: the verifier drops the branches it rules out.
#define LEAN (aggregate && !filter_pid && !filter_comm_set && !filter_uid_set && !filter_cgroup_id)

// It runs on every state change of every socket, so it reads the socket with plain loads
// and keeps owners in the slot table above (two atomic operations, no lock or list).
// No perf buffer is involved, and a run the kernel has to skip (a BPF program already
// running on the CPU) is counted in the program's recursion_misses, which userspace
// reports as lost.
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state, struct sock *s, int oldstate, int newstate)
{
	// 0 for a socket that is not TCP (the tracepoint serves other protocols too).
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(s);
	if (!tp)
		return 0;

	// skc_num is cleared before a closing socket's last change; inet_sport keeps it.
	__u16 sport = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
	__u16 family = s->__sk_common.skc_family;
	__u32 netns = s->__sk_common.skc_net.net->ns.inum;
	struct owner o = {};
	int known = 0;
	__u64 now = 0;
	__u8 kind = KIND_STATE;
	if (oldstate == TCP_SYN_SENT_ && newstate == TCP_ESTABLISHED_)
		kind = KIND_CONNECT;
	else if (oldstate == TCP_SYN_RECV_ && newstate == TCP_ESTABLISHED_)
		kind = KIND_ACCEPT;
	else if (newstate == TCP_CLOSE_)
		kind = KIND_CLOSE;

	if (oldstate == TCP_CLOSE_ && newstate == TCP_SYN_SENT_) {
		// connect() runs in the owner's task. Counting lean, only the start matters.
		now = bpf_ktime_get_ns();
		if (LEAN)
			o.start_ns = now;
		else
			current_owner(&o, now);
		owner_set(sock_id(s), &o);
		known = 1;
	} else if (oldstate == TCP_CLOSE_ && newstate == TCP_LISTEN_) {
		now = bpf_ktime_get_ns();
		current_owner(&o, now);
		owner_set(sock_id(s), &o);
		known = 1;
		// Built in each branch that needs it, not on every run.
		struct listen_key lk = { .netns = netns, .port = sport, .family = family };
		bpf_map_update_elem(&listeners, &lk, &o, BPF_ANY);
	} else if (oldstate == TCP_LISTEN_ && newstate == TCP_SYN_RECV_) {
		// A socket cloned from the listener: it belongs to the listener's owner. For
		// a listener older than the probe the owner is unknown (pid 0), the start is
		// known; either way this record replaces one a closed socket at the same
		// address may have left.
		now = bpf_ktime_get_ns();
		if (!LEAN) {
			struct listen_key lk = { .netns = netns, .port = sport, .family = family };
			struct owner *l = bpf_map_lookup_elem(&listeners, &lk);
			if (l)
				o = *l;
		}
		o.start_ns = now;
		owner_set(sock_id(s), &o);
		known = 1;
	}

	if (kind == KIND_CLOSE) {
		if (oldstate == TCP_LISTEN_) {
			known = owner_get(sock_id(s), &o);
			struct listen_key lk = { .netns = netns, .port = sport, .family = family };
			struct owner *l = bpf_map_lookup_elem(&listeners, &lk);
			// Only forget the port if this listener registered it (SO_REUSEPORT).
			if (l && l->pid == o.pid)
				bpf_map_delete_elem(&listeners, &lk);
		}
		// The owner stays known after the close: a reset sent on an abortive close,
		// and the drops of its last packets, come after it. A later socket at the
		// same address replaces it at its first transition above.
		// A hash delete on every close costs; only rtt sampling fills this map.
		if (emits(KIND_RTT)) {
			__u64 sk = (__u64)s;
			bpf_map_delete_elem(&rtt_last, &sk);
		}
	}

	if (!emits(kind))
		return 0;
	// The time and the owner only for a change that is reported (most are not), and
	// when counting only for a close's duration.
	if (!LEAN || kind == KIND_CLOSE) {
		if (!now)
			now = bpf_ktime_get_ns();
		if (!known)
			known = owner_get(sock_id(s), &o);
	}
	struct flow f = {};
	if (LEAN) {
		f.family = family;
		f.dport = bpf_ntohs(s->__sk_common.skc_dport);
		f.netns = netns;
	} else {
		read_flow(&f, s);
	}
	f.sport = sport;
	if (!passes(&f, known ? &o : 0, &s->__sk_common))
		return 0;

	struct event *e = reserve(kind, now, (__u64)s);
	if (!e)
		return 0;
	if (LEAN) {
		e->family = f.family;
	} else {
		fill_from_sock(e, &f, &s->__sk_common);
		set_owner(e, known ? &o : 0);
	}
	e->oldstate = oldstate;
	e->newstate = newstate;
	if (kind == KIND_CLOSE) {
		if (known && o.start_ns)
			e->close.duration_ns = now - o.start_ns;
		// Payload bytes. bytes_received also counts a FIN that reached this socket
		// (tcp_fin sets SOCK_DONE); bytes_sent counts payload of every transmission,
		// so retransmitted bytes are taken off. Neither counts SYNs.
		__u64 rx = tp->bytes_received;
		unsigned long flags = s->__sk_common.skc_flags;
		if ((flags & (1UL << SOCK_DONE)) && rx > 0)
			rx -= 1;
		e->close.rx_bytes = rx;
		e->close.tx_bytes = tp->bytes_sent - tp->bytes_retrans;
		e->srtt_us = tp->srtt_us >> 3;
		if (!LEAN) {
			e->retrans = tp->total_retrans;
			e->min_rtt_us = tp->rtt_min.s[0].v;
		}
	}
	submit(e);
	return 0;
}

// An event about socket `s` (any kind of TCP socket: full, time-wait or request):
// filtered, then reserved and filled. Returns 0 when filtered out or the ring is full
// (counted).
static __always_inline struct event *sock_event(__u8 kind, const struct sock *s)
{
	const struct sock_common *c = &s->__sk_common;
	struct flow f;
	read_flow(&f, s);
	struct owner o;
	int known = owner_get(sock_id(s), &o);
	if (!passes(&f, known ? &o : 0, c))
		return 0;
	struct event *e = reserve(kind, bpf_ktime_get_ns(), (__u64)s);
	if (!e)
		return 0;
	fill_from_sock(e, &f, c);
	set_owner(e, known ? &o : 0);
	return e;
}

// tcp_retransmit_skb(sk, skb, err): every retransmission of a data or SYN segment,
// including failed attempts (err != 0), after __tcp_retransmit_skb counted it.
SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcp_retransmit_skb, const struct sock *s, const struct sk_buff *skb, int err)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock((void *)s);
	if (!tp)
		return 0;
	struct event *e = sock_event(KIND_RETRANSMIT, s);
	if (!e)
		return 0;
	struct inet_connection_sock *icsk = &tp->inet_conn;
	struct tcp_skb_cb *cb = (struct tcp_skb_cb *)&skb->cb[0];
	__u8 ca_state = BPF_CORE_READ_BITFIELD(icsk, icsk_ca_state);
	__u8 pending = icsk->icsk_pending;
	__u16 segs = 0;
	bpf_core_read(&segs, sizeof(segs), &cb->tcp_gso_segs);
	if (e->newstate == TCP_SYN_SENT_)
		e->sub = RTX_SYN;
	else if (ca_state == TCP_CA_LOSS_)
		e->sub = RTX_RTO;
	else if (ca_state == TCP_CA_RECOVERY_)
		e->sub = RTX_FAST;
	else if (pending == ICSK_TIME_LOSS_PROBE)
		e->sub = RTX_TLP;
	else
		e->sub = RTX_DATA;
	e->rtx.segs = segs ? segs : 1;
	e->rtx.err = err;
	e->rtx.snd_cwnd = tp->snd_cwnd;
	e->rtx.pad[0] = e->rtx.pad[1] = e->rtx.pad[2] = 0;
	e->srtt_us = tp->srtt_us >> 3;
	e->retrans = tp->total_retrans;
	submit(e);
	return 0;
}

// tcp_retransmit_synack(listener, req): the flow is the request socket's.
SEC("tp_btf/tcp_retransmit_synack")
int BPF_PROG(tcp_retransmit_synack, const struct sock *listener, const struct request_sock *req)
{
	struct flow f;
	read_common(&f, &req->__req_common);
	// A request socket has no uid or cgroup of its own: the listener's.
	f.uid = listener->sk_uid.val;
	struct cgroup *cg = listener->sk_cgrp_data.cgroup;
	f.cgroup_id = cg ? cg->kn->id : 0;
	f.owned = 1;
	f.state = TCP_SYN_RECV_;
	struct owner lo;
	struct owner *o = owner_get(sock_id(listener), &lo) ? &lo : 0;
	if (!passes(&f, o, &listener->__sk_common))
		return 0;
	struct event *e = reserve(KIND_RETRANSMIT, bpf_ktime_get_ns(), (__u64)req);
	if (!e)
		return 0;
	fill_from_sock(e, &f, &req->__req_common);
	set_owner(e, o);
	e->sub = RTX_SYNACK;
	e->rtx.segs = 1;
	e->rtx.err = 0;
	e->rtx.snd_cwnd = 0;
	e->rtx.pad[0] = e->rtx.pad[1] = e->rtx.pad[2] = 0;
	// num_retrans counts this SYN-ACK only after the tracepoint: add it, so that
	// `retransmits` includes the one reported, as tcp_sock's total_retrans does.
	e->retrans = req->num_retrans + 1;
	submit(e);
	return 0;
}

// An event about a TCP packet no socket is known for: the flow from its IPv4/IPv6 and
// TCP headers, source as saddr/sport; `answered` swaps them, for a packet that came in
// and is being answered (its destination is this host's end). Filtered, then reserved
// and filled; 0 when the packet is not TCP, its headers cannot be read, it is filtered
// out or the ring is full (counted).
static __always_inline struct event *packet_event(__u8 kind, struct sk_buff *skb, int answered)
{
	unsigned char *head = BPF_CORE_READ(skb, head);
	__u16 nh = BPF_CORE_READ(skb, network_header);
	__u16 proto = bpf_ntohs(BPF_CORE_READ(skb, protocol));
	unsigned char *ip = head + nh;
	unsigned char *th;
	__u8 b[40];
	__u8 src[16] = {}, dst[16] = {};
	struct flow f = {};
	if (proto == ETH_P_IP) {
		if (bpf_probe_read_kernel(b, 20, ip))
			return 0;
		if ((b[0] >> 4) != 4 || b[9] != IPPROTO_TCP)
			return 0;
		f.family = AF_INET;
		__builtin_memcpy(src, &b[12], 4);
		__builtin_memcpy(dst, &b[16], 4);
		th = ip + (b[0] & 0xf) * 4;
	} else if (proto == ETH_P_IPV6) {
		if (bpf_probe_read_kernel(b, 40, ip))
			return 0;
		// Only a TCP header right after the fixed header; extension headers are rare
		// on TCP and their packets are left out rather than misread.
		if ((b[0] >> 4) != 6 || b[6] != IPPROTO_TCP)
			return 0;
		f.family = AF_INET6;
		__builtin_memcpy(src, &b[8], 16);
		__builtin_memcpy(dst, &b[24], 16);
		th = ip + 40;
	} else {
		return 0;
	}
	__u16 ports[2];
	if (bpf_probe_read_kernel(ports, sizeof(ports), th))
		return 0;
	f.sport = bpf_ntohs(ports[answered ? 1 : 0]);
	f.dport = bpf_ntohs(ports[answered ? 0 : 1]);
	struct net_device *dev = BPF_CORE_READ(skb, dev);
	f.netns = dev ? BPF_CORE_READ(dev, nd_net.net, ns.inum) : 0;
	if (!passes(&f, 0, 0))
		return 0;
	struct event *e = reserve(kind, bpf_ktime_get_ns(), 0);
	if (!e)
		return 0;
	e->family = f.family;
	e->sport = f.sport;
	e->dport = f.dport;
	e->netns = f.netns;
	e->oldstate = e->newstate = 0;
	e->uid = 0;
	e->cgroup_id = 0;
	e->flags = answered ? 0 : F_FROM_PACKET;
	__builtin_memcpy(e->saddr, answered ? dst : src, 16);
	__builtin_memcpy(e->daddr, answered ? src : dst, 16);
	set_owner(e, 0);
	return e;
}

// tcp_send_reset(sk, skb, reason): sk is 0 when no socket matched the packet being
// answered (a connection to a closed port); then the flow is read from that packet.
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(tcp_send_reset, const struct sock *s, const struct sk_buff *skb,
	     enum sk_rst_reason reason)
{
	struct event *e = 0;
	if (s)
		e = sock_event(KIND_RESET, s);
	else if (skb)
		e = packet_event(KIND_RESET, (struct sk_buff *)skb, 1);
	if (!e)
		return 0;
	e->sub = RST_SENT;
	e->reason = (__u16)reason;
	submit(e);
	return 0;
}

// tcp_receive_reset(sk): a valid RST arrived for this socket.
SEC("tp_btf/tcp_receive_reset")
int BPF_PROG(tcp_receive_reset, struct sock *s)
{
	struct event *e = sock_event(KIND_RESET, s);
	if (!e)
		return 0;
	e->sub = RST_RECEIVED;
	submit(e);
	return 0;
}

// kfree_skb(skb, location, reason, rx_sk): a packet freed as dropped. Only TCP packets
// are reported; the flow is the socket's when the packet belongs to one, otherwise the
// packet's own source and destination.
SEC("tp_btf/kfree_skb")
int BPF_PROG(kfree_skb, struct sk_buff *skb, void *location, enum skb_drop_reason reason,
	     struct sock *rx_sk)
{
	if ((__u32)reason < drop_reason_min)
		return 0;
	struct sock *s = rx_sk;
	if (!s)
		s = skb->sk;
	struct event *e;
	if (s && full_sock(&s->__sk_common) && s->sk_protocol != IPPROTO_TCP)
		return 0; // another protocol's socket
	if (s)
		e = sock_event(KIND_DROP, s);
	else
		e = packet_event(KIND_DROP, skb, 0);
	if (!e)
		return 0;
	e->reason = reason;
	submit(e);
	return 0;
}

// tcp_probe(sk, skb): every segment received on an established socket; sampled per
// socket to one record per --rtt-every.
SEC("tp_btf/tcp_probe")
int BPF_PROG(tcp_probe, struct sock *s, const struct sk_buff *skb)
{
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(s);
	if (!tp)
		return 0;
	__u64 sk = (__u64)s;
	__u64 now = bpf_ktime_get_ns();
	__u64 *last = bpf_map_lookup_elem(&rtt_last, &sk);
	if (last && now - *last < rtt_every_ns)
		return 0;
	bpf_map_update_elem(&rtt_last, &sk, &now, BPF_ANY);
	struct event *e = sock_event(KIND_RTT, s);
	if (!e)
		return 0;
	e->srtt_us = tp->srtt_us >> 3;
	e->rtt.rttvar_us = tp->mdev_us >> 2;
	e->rtt.snd_cwnd = tp->snd_cwnd;
	e->rtt.ssthresh = tp->snd_ssthresh;
	e->rtt.snd_wnd = tp->snd_wnd;
	e->rtt.rcv_wnd = tp->rcv_wnd;
	e->rtt.pad = 0;
	e->retrans = tp->total_retrans;
	submit(e);
	return 0;
}

// sock_send_length(sk, ret, flags) and sock_recv_length: every send and receive
// syscall's result; attached only for `netprobe top`.
static __always_inline int count_bytes(struct sock *s, int ret, __u8 kind)
{
	if (ret <= 0 || s->sk_protocol != IPPROTO_TCP)
		return 0;
	struct event *e = sock_event(kind, s);
	if (!e)
		return 0;
	if (kind == KIND_TX_)
		e->close.tx_bytes = ret;
	else
		e->close.rx_bytes = ret;
	submit(e);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(sock_send_length, struct sock *s, int ret, int flags)
{
	return count_bytes(s, ret, KIND_TX_);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(sock_recv_length, struct sock *s, int ret, int flags)
{
	return count_bytes(s, ret, KIND_RX_);
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
