# etl: generate records, convert NDJSON -> Arrow IPC -> Parquet, read back, inspect.
set -euo pipefail
python3 - > "$DEMO_DIR/events.ndjson" <<'PY'
import json, random
random.seed(7)
hosts = ["alpha", "béta", "gamma \"q\""]
for i in range(20000):
    print(json.dumps({"ts": f"2026-11-26T10:{i // 600 % 60:02d}:{i // 10 % 60:02d}.{i % 10}00000000Z",
                      "host": random.choice(hosts), "bytes": random.randint(0, 1 << 20),
                      "latency_ms": round(random.random() * 50, 3) if i % 7 else None,
                      "tags": {"region": "eu", "tier": i % 3}}, ensure_ascii=False))
PY
etl convert "$DEMO_DIR/events.ndjson" -o arrow | etl convert --out "$DEMO_DIR/events.parquet"
etl schema "$DEMO_DIR/events.parquet"
etl count "$DEMO_DIR/events.parquet" -o table
etl convert "$DEMO_DIR/events.parquet" -o ndjson | head -n 3
# SQL, a streaming filter/projection, and an external sort.
etl sql 'SELECT host, count(*) AS n, round(avg(latency_ms), 2) AS avg_ms FROM input GROUP BY host ORDER BY n DESC' \
    "$DEMO_DIR/events.parquet" -o table
etl filter 'latency_ms > 49.9' "$DEMO_DIR/events.ndjson" | etl select 'ts, host, latency_ms' -o table
etl sort --by 'bytes DESC' --memory 4M "$DEMO_DIR/events.ndjson" | etl head -n 3 -o table
# Files other tools write: rotated, compressed logs (sniffed, not named), a JSON array,
# a hive-partitioned Parquet directory written with zstd and read back whole.
mkdir -p "$DEMO_DIR/logs/2026-11-26" "$DEMO_DIR/logs/2026-11-27"
head -n 10000 "$DEMO_DIR/events.ndjson" | gzip > "$DEMO_DIR/logs/2026-11-26/events.1"
tail -n 10000 "$DEMO_DIR/events.ndjson" | zstd -q > "$DEMO_DIR/logs/2026-11-27/events.1"
etl count "$DEMO_DIR/logs/2026-*/*" -o table
etl head -n 3 "$DEMO_DIR/events.ndjson" -o ndjson | jq -s . > "$DEMO_DIR/events.json"
etl convert "$DEMO_DIR/events.json" -o table
etl select 'host, bytes, latency_ms' "$DEMO_DIR/events.ndjson" -o arrow |
    etl convert --partition-by host --compression zstd --out "$DEMO_DIR/by-host"
etl sql 'SELECT host, count(*) AS n FROM input GROUP BY host ORDER BY host' "$DEMO_DIR/by-host" -o table
etl select 'ts, host, bytes, latency_ms' "$DEMO_DIR/events.parquet" --out "$DEMO_DIR/events.tsv.gz"
etl head -n 2 "$DEMO_DIR/events.tsv.gz" -o table
# Look instead of read: one record per column, then charts (a file, and the terminal).
etl summarize "$DEMO_DIR/events.parquet" -o table
etl plot --kind hist --y latency_ms --bins 25 "$DEMO_DIR/events.parquet" --out "$DEMO_DIR/latency.png"
etl plot --x ts --y bytes "$DEMO_DIR/events.parquet" --out "$DEMO_DIR/bytes.svg" --title 'bytes per event'
ls -l "$DEMO_DIR/latency.png" "$DEMO_DIR/bytes.svg"
COLUMNS=90 LINES=22 etl plot --x host --y bytes "$DEMO_DIR/events.parquet"
