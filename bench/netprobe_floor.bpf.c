// The floor under any tracepoint probe: programs that do nothing, attached to the raw
// tracepoints netprobe attaches (bench/netprobe.sh's "floor" runs). What the storm loses
// with these is what the kernel spends entering BPF at those tracepoints; what netprobe
// loses beyond it is its programs' own work and its userspace. Built with -DALL for the
// tracepoints of `--events all` (and serve), without it for the lifecycle one alone.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EMPTY(tp) \
    SEC("raw_tracepoint/" #tp) int floor_##tp(struct bpf_raw_tracepoint_args *ctx) { return 0; }

EMPTY(inet_sock_set_state)
#ifdef ALL
EMPTY(tcp_retransmit_skb)
EMPTY(tcp_retransmit_synack)
EMPTY(tcp_send_reset)
EMPTY(tcp_receive_reset)
EMPTY(kfree_skb)
EMPTY(tcp_probe)
#endif

char LICENSE[] SEC("license") = "GPL";
