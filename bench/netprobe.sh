#!/usr/bin/env bash
# netprobe vs bpftrace on a loopback connection storm (needs root). Three runs of the same
# storm: no probe, `netprobe tcp` streaming NDJSON into a pipe reader, and a bpftrace
# one-liner on the same tracepoint printing one line per state change. Reports
# connections/s for each, and checks that netprobe delivered every event or counted it
# as lost (4 events per connection: connect, accept, two closes; plus the listener close).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${SECS:-5}"
PORT="${PORT:-47001}"
BIN="$PWD/target/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -pthread -o "$work/storm" bench/storm.c

wait_for() { # file pattern
    for _ in $(seq 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; return 1
}

read -r base_n base_rate < <("$work/storm" "$PORT" "$SECS")

mkfifo "$work/np.fifo"
cat "$work/np.fifo" >"$work/np.out" &
reader=$!
"$BIN/netprobe" tcp --backend ebpf --port "$PORT" -o ndjson 2>"$work/np.err" >"$work/np.fifo" &
np=$!
wait_for "$work/np.err" "probe attached"
read -r np_n np_rate < <("$work/storm" "$PORT" "$SECS")
sleep 1
kill -TERM $np
np_status=0; wait $np || np_status=$?
wait $reader
delivered=$(grep -c '"type":"tcp"' "$work/np.out" || true)
lost=$( (grep '"type":"lost"' "$work/np.out" || true) | sed 's/.*"count":\([0-9]*\).*/\1/' | awk '{s += $1} END {print s + 0}')
expected=$((4 * np_n + 1))

bpftrace -e "tracepoint:sock:inet_sock_set_state /args->sport == $PORT || args->dport == $PORT/ {
  printf(\"%d %s %d %d %d %d\\n\", pid, comm, args->sport, args->dport, args->oldstate, args->newstate); }" \
    >"$work/bt.out" 2>&1 &
bt=$!
wait_for "$work/bt.out" "Attaching"
read -r bt_n bt_rate < <("$work/storm" "$PORT" "$SECS")
sleep 1
kill -INT $bt; wait $bt || true
bt_lines=$(($(wc -l <"$work/bt.out") - 1))

printf '%-34s %12s %14s\n' "run (${SECS}s storm, $(nproc) CPUs)" "connections" "connections/s"
printf '%-34s %12s %14s\n' "no probe" "$base_n" "$base_rate"
printf '%-34s %12s %14s\n' "netprobe tcp | reader" "$np_n" "$np_rate"
printf '%-34s %12s %14s\n' "bpftrace one-liner" "$bt_n" "$bt_rate"
echo "netprobe: $delivered events delivered + $lost lost = $((delivered + lost)); expected $expected; exit status $np_status"
echo "bpftrace: $bt_lines lines printed"
echo "netprobe keeps $((100 * np_rate / base_rate))% of the unprobed rate, $(echo "scale=1; $np_rate / $bt_rate" | bc)x the bpftrace rate"
if [ $((delivered + lost)) -ne "$expected" ]; then
    for ev in connect accept close; do
        echo "  $ev: $(grep -c "\"event\":\"$ev\"" "$work/np.out" || true)" >&2
    done
    echo "netprobe: events went missing" >&2
    exit 1
fi
