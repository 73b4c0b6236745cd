#!/usr/bin/env python3
"""Writes a deterministic NDJSON benchmark file: ROWS records (default 900,000, ~130 MB)
of web-log-like events with unicode, quotes, escapes, nulls and a nested object."""
import json, random, sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 900_000
rnd = random.Random(42)
users = ["alice", "bøb", "çarla \"the admin\"", "δημήτρης", "山田", "o'neil", "tab\there", "🦀 crab"]
paths = ["/", "/api/v1/items", "/api/v1/items/{id}", "/login", "/static/app.js", "/search?q=\u00e9t\u00e9"]
out = sys.stdout
for i in range(rows):
    rec = {
        "id": i,
        "ts": f"2026-11-26T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{rnd.randrange(10**9):09d}Z",
        "user": rnd.choice(users) if i % 17 else None,
        "path": rnd.choice(paths).replace("{id}", str(rnd.randrange(10**6))),
        "status": rnd.choice([200, 200, 200, 201, 204, 301, 404, 500]),
        "bytes": rnd.randrange(1 << 20),
        "latency_ms": round(rnd.expovariate(1 / 20), 3) if i % 9 else None,
        "agent": {"name": rnd.choice(["curl", "firefox", "chrome"]), "version": rnd.randrange(1, 130)},
    }
    out.write(json.dumps(rec, ensure_ascii=False))
    out.write("\n")
