# vidx: build an index from generated vectors, search it, delete, compact — all through pipes.
set -euo pipefail
d="$DEMO_DIR/vidx"
rm -rf "$d" && mkdir -p "$d"
# 5000 points on 8 noisy 16-d clusters, with a text tag; the 'cluster' field is metadata.
python3 - > "$d/points.ndjson" <<'PY'
import json, random
random.seed(7)
centres = [[random.uniform(-5, 5) for _ in range(16)] for _ in range(8)]
for i in range(5000):
    c = i % 8
    print(json.dumps({"id": f"p{i}", "vec": [x + random.gauss(0, 0.5) for x in centres[c]],
                      "cluster": c, "tag": random.choice(["red", "green", "blue"])}))
PY
vidx create "$d/idx" --dim 16 --metric l2 --index-field tag,cluster -o table
vidx add "$d/idx" "$d/points.ndjson" --vector vec | etl convert -o table
# Query with three stored points: their nearest neighbours share their cluster.
head -n 3 "$d/points.ndjson" | vidx search "$d/idx" --vector vec --k 3 -o table
# Filters on the indexed fields are answered from each segment's sorted orders.
head -n 1 "$d/points.ndjson" | vidx search "$d/idx" --vector vec --k 3 --filter "tag = 'red' AND cluster IN (1, 2)" -o table
vidx delete "$d/idx" p0 p1 | etl convert -o table
{ vidx get "$d/idx" p0 p2 --no-vector -o table || test $? -eq 3; }   # p0 is gone: exit status 3
vidx compact "$d/idx" -o table
vidx stats "$d/idx" | etl convert -o table
# Back up while it is in use, then give every record back: paged, and as Parquet that
# rebuilds an equal index.
vidx snapshot "$d/idx" "$d/snap" -o table
vidx scan "$d/snap" --order insertion --limit 5 -o table
vidx scan "$d/idx" --vectors --vector vec --out "$d/dump.parquet"
vidx create "$d/idx2" --dim 16 --metric l2 >/dev/null
vidx add "$d/idx2" "$d/dump.parquet" --vector vec >/dev/null
cmp <(vidx scan "$d/idx" --vectors) <(vidx scan "$d/idx2" --vectors) && echo "vidx: the index rebuilt from its scan is equal"
