"""The Python side of tests/interop_formats.rs: the same records written by pyarrow,
Polars, DuckDB and the zstd/lz4 tools in every format etl reads, and what etl writes
read back by the same peers. Run by the test, one subcommand per step:

  formats.py ref DIR         DIR/ref.ndjson: the records as etl writes them (nulls left out)
  formats.py gen DIR         every peer-written file into DIR, their names on stdout
  formats.py check DIR       reads every file in DIR with each peer, one JSON line per read
  formats.py partitions DIR  DuckDB over a hive-partitioned directory, as one JSON line
  formats.py mixed DIR       DIR/c.parquet: x int32 and z string, for --union-by-name

Polars is optional unless PIPEKIT_REQUIRE_POLARS=1 (`make deps` installs it).
"""

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys

N = 20_000
GROUPS = ["alpha", "beta", "gamma"]


def records():
    """Deterministic records: x is never integral, so every reader keeps it a float;
    s is never empty (an empty CSV field is null) and has unicode, quotes, a comma and a
    backslash; n is null in every 7th record."""
    for i in range(N):
        yield {
            "id": i,
            "x": i * 0.5 + 0.25,
            "s": f'row {i}: ü€🦀 "q", c\\d',
            "b": i % 4 == 1,
            "n": None if i % 7 == 0 else i * 3 - 10_000,
            "g": GROUPS[i % 3],
        }


def without_nulls(rows):
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


REFERENCE = None


def reference():
    global REFERENCE
    if REFERENCE is None:
        REFERENCE = without_nulls(records())
    return REFERENCE


def polars():
    """Polars, or None with a note (a failure when PIPEKIT_REQUIRE_POLARS=1)."""
    try:
        import polars as pl
        return pl
    except ImportError as e:
        if os.environ.get("PIPEKIT_REQUIRE_POLARS") == "1":
            sys.exit(f"PIPEKIT_REQUIRE_POLARS=1 but polars does not import: {e}")
        print(f"note: polars is not installed ({e}); skipping its cases", file=sys.stderr)
        return None


def write_ref(d):
    with open(os.path.join(d, "ref.ndjson"), "w", encoding="utf-8") as f:
        for r in reference():
            f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


def gen(d):
    import duckdb
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    write_ref(d)
    rows = list(records())
    schema = pa.schema([("id", pa.int64()), ("x", pa.float64()), ("s", pa.string()),
                        ("b", pa.bool_()), ("n", pa.int64()), ("g", pa.string())])
    t = pa.Table.from_pylist(rows, schema=schema)
    names = []

    def path(name):
        names.append(name)
        return os.path.join(d, name)

    # pyarrow Parquet: every codec, both data page versions, dictionary on and off
    # (alternating), several row groups. pyarrow's 'lz4' is LZ4_RAW.
    for i, codec in enumerate(["snappy", "gzip", "zstd", "lz4", "brotli", "none"]):
        for j, version in enumerate(["1.0", "2.0"]):
            dictionary = (i + j) % 2 == 0
            name = f"pa-{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}.parquet"
            pq.write_table(t, path(name), compression=codec, data_page_version=version,
                           use_dictionary=dictionary, row_group_size=6000)

    pl = polars()
    if pl is not None:
        pl.from_arrow(t).write_parquet(path("polars.parquet"))  # zstd by default

    con = duckdb.connect()
    con.register("t", t)
    for name, options in [("duckdb.parquet", "FORMAT parquet, COMPRESSION zstd"),
                          ("duckdb.json", "FORMAT json, ARRAY true"),
                          ("duckdb.csv", "FORMAT csv, HEADER true")]:
        con.execute(f"COPY (SELECT * FROM t ORDER BY id) TO '{path(name)}' ({options})")

    # Arrow IPC stream and file, in several batches, with each buffer compression.
    for codec in [None, "lz4", "zstd"]:
        options = ipc.IpcWriteOptions(compression=codec)
        with ipc.new_stream(path(f"pa-{codec or 'none'}.arrows"), schema, options=options) as w:
            w.write_table(t, max_chunksize=7000)
        with ipc.new_file(path(f"pa-{codec or 'none'}.arrow"), schema, options=options) as w:
            w.write_table(t, max_chunksize=7000)

    # Objects pretty-printed one after another (jq style), non-ASCII as \u escapes.
    with open(path("pretty.json"), "w") as f:
        f.write("\n".join(json.dumps(r, indent=2) for r in rows) + "\n")

    pcsv.write_csv(t, path("pa.tsv"), pcsv.WriteOptions(delimiter="\t"))

    # NDJSON with explicit nulls, plain and under each stream compression.
    lines = [json.dumps(r, ensure_ascii=False) + "\n" for r in rows]
    plain = "".join(lines).encode()
    with open(path("data.ndjson"), "wb") as f:
        f.write(plain)
    for name, packed in [("data.ndjson.gz", gzip.compress(plain)),
                         ("data.ndjson.bz2", bz2.compress(plain)),
                         ("data.ndjson.xz", lzma.compress(plain)),
                         # Two gzip members back to back, as `cat a.gz b.gz` or bgzip make.
                         ("multi.ndjson.gz",
                          gzip.compress("".join(lines[:N // 3]).encode())
                          + gzip.compress("".join(lines[N // 3:]).encode()))]:
        with open(path(name), "wb") as f:
            f.write(packed)
    for tool, ext in [("zstd", "zst"), ("lz4", "lz4")]:
        with open(path(f"data.ndjson.{ext}"), "wb") as f:
            subprocess.run([tool, "-q", "-c", os.path.join(d, "data.ndjson")],
                           stdout=f, check=True)

    print("\n".join(names))


def ndjson_rows(path):
    """The records of an NDJSON file under any of the stream compressions."""
    ext = path.rsplit(".", 1)[1]
    if ext in ("zst", "lz4"):
        tool = {"zst": "zstd", "lz4": "lz4"}[ext]
        data = subprocess.run([tool, "-q", "-d", "-c", path], check=True,
                              capture_output=True).stdout
    else:
        opener = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open, "ndjson": open}[ext]
        with opener(path, "rb") as f:
            data = f.read()
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def check(d):
    import duckdb
    import pyarrow.csv as pcsv
    import pyarrow.ipc as ipc
    import pyarrow.parquet as pq

    pl = polars()
    print(json.dumps({"polars": pl is not None}))
    con = duckdb.connect()

    def report(name, reader, rows, sum_id, n, **extra):
        print(json.dumps({"file": name, "reader": reader, "rows": rows,
                          "sum_id": int(sum_id or 0), "n": n, **extra}))

    def table(name, reader, t):
        same = without_nulls(t.to_pylist()) == reference()
        ids, n = t.column("id"), t.column("n")
        report(name, reader, t.num_rows, sum(ids.to_pylist()), len(n) - n.null_count, same=same)

    def frame(name, df):
        report(name, "polars", df.height, df["id"].sum(), df.height - df["n"].null_count())

    def duck(name, scan):
        rows, sum_id, n = con.execute(f"SELECT count(*), sum(id), count(n) FROM {scan}").fetchone()
        report(name, "duckdb", rows, sum_id, n)

    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if name.endswith(".parquet"):
            table(name, "pyarrow", pq.read_table(p))
            meta = pq.ParquetFile(p).metadata
            c = meta.row_group(0).column(0)
            print(json.dumps({
                "file": name,
                "codec": c.compression,
                "row_groups": [meta.row_group(i).num_rows for i in range(meta.num_row_groups)],
                "min_max": c.statistics is not None and c.statistics.has_min_max,
                # Older pyarrow does not expose these: count them as present.
                "column_index": getattr(c, "has_column_index", True),
                "offset_index": getattr(c, "has_offset_index", True),
            }))
            duck(name, f"read_parquet('{p}')")
            if pl is not None:
                frame(name, pl.read_parquet(p))
        elif name.endswith(".arrows"):
            with open(p, "rb") as f:
                table(name, "pyarrow", ipc.open_stream(f).read_all())
            if pl is not None:
                frame(name, pl.read_ipc_stream(p))
        elif name.endswith(".arrow"):
            table(name, "pyarrow", ipc.open_file(p).read_all())
            if pl is not None:
                frame(name, pl.read_ipc(p))
        elif ".ndjson" in name:
            rows = ndjson_rows(p)
            same = without_nulls(rows) == reference()
            report(name, "python", len(rows), sum(r["id"] for r in rows),
                   sum(r.get("n") is not None for r in rows), same=same)
            codec = {"gz": "gzip", "zst": "zstd"}.get(name.rsplit(".", 1)[1])
            if codec:
                duck(name, f"read_json_auto('{p}', format='newline_delimited', compression='{codec}')")
        elif name.endswith(".csv.gz"):
            table(name, "pyarrow", pcsv.read_csv(p))
            duck(name, f"read_csv_auto('{p}')")
        else:
            sys.exit(f"check: no reader for {name}")


def partitions(d):
    import duckdb
    import pyarrow.parquet as pq

    scan = f"read_parquet('{d}/**/*.parquet', hive_partitioning=true)"
    con = duckdb.connect()
    rows, sum_id = con.execute(f"SELECT count(*), sum(id) FROM {scan}").fetchone()
    groups = dict(con.execute(f"SELECT g, count(*) FROM {scan} GROUP BY g").fetchall())
    first = os.path.join(d, sorted(os.listdir(d))[0], "part-0.parquet")
    print(json.dumps({"rows": rows, "sum_id": int(sum_id), "groups": groups,
                      "file_columns": pq.read_schema(first).names}))


def mixed(d):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({"x": pa.array([3], pa.int32()), "z": pa.array(["t"], pa.string())})
    pq.write_table(t, os.path.join(d, "c.parquet"))


if __name__ == "__main__":
    command, directory = sys.argv[1], sys.argv[2]
    {"ref": write_ref, "gen": gen, "check": check, "partitions": partitions,
     "mixed": mixed}[command](directory)
