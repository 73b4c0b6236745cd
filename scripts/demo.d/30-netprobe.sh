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
netprobe conns --state LISTEN --family ipv4 -o table
