# netprobe: trace real loopback HTTP connections with the eBPF probe (root), then show the
# unprivileged sock_diag snapshot of listening sockets.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    echo "netprobe demo: not root, so only the sock_diag snapshot (no eBPF)"
    netprobe conns --state LISTEN -o table
    exit 0
fi
python3 -u -m http.server --bind 127.0.0.1 0 >"$DEMO_DIR/http.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$DEMO_DIR/http.log")
    [ -n "$port" ] && break
    sleep 0.05
done
[ -n "$port" ] || { echo "netprobe demo: the HTTP server did not start" >&2; exit 1; }
# 3 requests = 3 x (connect + accept + 2 closes) = 12 events; stop there.
netprobe tcp --port "$port" --count 12 --duration 20s >"$DEMO_DIR/tcp.ndjson" 2>"$DEMO_DIR/probe.err" &
probe=$!
until grep -q "probe attached" "$DEMO_DIR/probe.err"; do
    kill -0 $probe 2>/dev/null || { cat "$DEMO_DIR/probe.err" >&2; exit 1; }
    sleep 0.05
done
for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$port/"; done
wait $probe
etl convert "$DEMO_DIR/tcp.ndjson" -o table

# Why a connection failed: a connect to a closed port is answered by a reset no socket
# sent (reason NO_SOCKET, from the kernel's own enum) and received by curl's socket.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
netprobe tcp --events reset --port "$closed" --count 2 --duration 20s >"$DEMO_DIR/resets.ndjson" 2>"$DEMO_DIR/probe.err" &
probe=$!
until grep -q "probe attached" "$DEMO_DIR/probe.err"; do
    kill -0 $probe 2>/dev/null || { cat "$DEMO_DIR/probe.err" >&2; exit 1; }
    sleep 0.05
done
curl -s -o /dev/null "http://127.0.0.1:$closed/" || true
wait $probe
etl select 'event, kind, reason, pid, comm, sport, dport, state' "$DEMO_DIR/resets.ndjson" -o table
netprobe conns --state LISTEN --family ipv4 --processes -o table
