"""`etl summarize` against DuckDB's SUMMARIZE on the same file (tests/etl.rs runs it on
a generated web-log file; bench/summarize.sh on the 900k-record benchmark file).

  summarize_duckdb.py ETL FILE.ndjson [ETL SUMMARIZE ARGS...]

Per column DuckDB can summarize (structs left out: etl gives their counts only):
  - rows equal SUMMARIZE's count; nulls equal count(*) - count(col) and give
    SUMMARIZE's null_percentage; min and max equal (numbers as numbers, text as text,
    times to DuckDB's microsecond);
  - mean equals avg() to 1e-12 relative (both are exact sums);
  - distinct equals count(DISTINCT col) when etl says it is exact, else within 3%;
  - every quantile etl gives (p1 .. p99) has a rank error under 1%: the share of
    values below it is at most q + 0.01 and the share at or below it at least q - 0.01.
Prints one JSON line per column with what was compared, exits 1 on any difference.
"""
import datetime
import json
import subprocess
import sys

import duckdb

etl, path, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
ours = [
    json.loads(line)
    for line in subprocess.run(
        [etl, "summarize", path, "-o", "ndjson", *extra], check=True, capture_output=True, text=True
    ).stdout.splitlines()
]
con = duckdb.connect()
con.execute(f"CREATE TABLE t AS SELECT * FROM read_json_auto('{path}')")
summary = {r[0]: r for r in con.execute("SUMMARIZE t").fetchall()}
QUANTILES = {"p1": 0.01, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p99": 0.99}
failed = False


def parse_ours(text):
    """etl's RFC 3339 with nanoseconds, cut to DuckDB's microseconds."""
    return datetime.datetime.fromisoformat(text[:26] + "+00:00")


def parse_duckdb(text):
    """DuckDB's '2026-11-26 00:00:00.686579+00'."""
    text = text.replace(" ", "T")
    return datetime.datetime.fromisoformat(text + ":00" if text[-3] in "+-" else text)


for col in ours:
    name = col["column"]
    s = summary[name]
    ctype = s[1]
    report = {"column": name, "type": ctype, "problems": []}
    bad = report["problems"]
    if ctype.startswith("STRUCT"):
        report["skipped"] = "struct"
        print(json.dumps(report))
        continue
    q = f'"{name}"'
    rows, nonnull, distinct = con.execute(
        f"SELECT count(*), count({q}), count(DISTINCT {q}) FROM t"
    ).fetchone()
    if col["rows"] != s[10] or col["rows"] != rows:
        bad.append(f"rows {col['rows']} vs {s[10]}")
    if col["nulls"] != rows - nonnull:
        bad.append(f"nulls {col['nulls']} vs {rows - nonnull}")
    # DuckDB shows the percentage with two decimals.
    if abs(100 * col["nulls"] / rows - float(s[11])) > 0.0051:
        bad.append(f"null % {100 * col['nulls'] / rows} vs {s[11]}")
    numeric = ctype in ("BIGINT", "DOUBLE", "INTEGER")
    timelike = ctype.startswith("TIMESTAMP")
    for key, theirs in (("min", s[2]), ("max", s[3])):
        mine = col[key]
        if numeric:
            same = float(mine) == float(theirs)
        elif timelike:
            gap = abs((parse_ours(mine) - parse_duckdb(theirs)).total_seconds())
            same = gap <= 1.5e-6
        else:
            same = mine == theirs
        if not same:
            bad.append(f"{key} {mine!r} vs {theirs!r}")
    if numeric:
        avg = con.execute(f"SELECT avg({q}) FROM t").fetchone()[0]
        if abs(col["mean"] - avg) > 1e-12 * max(1.0, abs(avg)):
            bad.append(f"mean {col['mean']} vs {avg}")
        report["mean"] = col["mean"]
    if col["distinct_exact"]:
        if col["distinct"] != distinct:
            bad.append(f"distinct {col['distinct']} vs {distinct}")
    elif abs(col["distinct"] - distinct) > 0.03 * distinct:
        bad.append(f"distinct {col['distinct']} (estimated) vs {distinct}")
    report["distinct"] = [col["distinct"], distinct, col["distinct_exact"]]
    if numeric or timelike:
        worst = 0.0
        for key, share in QUANTILES.items():
            v = col[key]
            lit = f"TIMESTAMPTZ '{v[:26]}+00'" if timelike else v
            below, at_or_below = con.execute(
                f"SELECT count(*) FILTER ({q} < {lit}), count(*) FILTER ({q} <= {lit}) FROM t"
            ).fetchone()
            lo, hi = below / nonnull, at_or_below / nonnull
            err = max(0.0, lo - share, share - hi)
            worst = max(worst, err)
            if err > 0.01:
                bad.append(f"{key} {v}: rank {lo:.4f}..{hi:.4f}")
        report["worst_rank_error"] = round(worst, 5)
    failed |= bool(bad)
    print(json.dumps(report))
sys.exit(1 if failed else 0)
