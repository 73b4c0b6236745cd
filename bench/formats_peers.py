"""The peers' side of bench/formats.sh: one task, one tool, as its users would write it.

Usage: formats_peers.py TOOL TASK IN OUT THREADS
  TOOL: duckdb | polars | pyarrow
  TASK: to-arrow (NDJSON, compressed or not -> Arrow IPC stream),
        to-ndjson (Parquet -> NDJSON), to-parquet (NDJSON -> zstd Parquet)
"""
import os
import sys

tool, task, src, out, threads = sys.argv[1:6]
os.environ["POLARS_MAX_THREADS"] = threads
codec = {"gz": "gzip", "zst": "zstd"}.get(src.rsplit(".", 1)[-1])


def write_stream(table):
    import pyarrow.ipc as ipc
    with ipc.new_stream(out, table.schema) as w:
        w.write_table(table)


if tool == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.sql(f"SET threads={threads}")
    con.sql("SET enable_progress_bar=false")
    if task == "to-arrow":
        t = con.sql(f"SELECT * FROM read_json_auto('{src}')").arrow()
        write_stream(t.read_all() if hasattr(t, "read_all") else t)
    elif task == "to-ndjson":
        con.sql(f"COPY (SELECT * FROM read_parquet('{src}')) TO '{out}' (FORMAT json)")
    else:
        con.sql(f"COPY (SELECT * FROM read_json_auto('{src}')) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
elif tool == "polars":
    import polars as pl
    if task == "to-arrow":
        if codec:
            import pyarrow as pa
            data = pa.input_stream(src, compression=codec).read()
            pl.read_ndjson(data).write_ipc_stream(out)
        else:
            pl.read_ndjson(src).write_ipc_stream(out)
    elif task == "to-ndjson":
        pl.read_parquet(src).write_ndjson(out)
    else:
        pl.read_ndjson(src).write_parquet(out, compression="zstd")
elif tool == "pyarrow":
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq
    if task == "to-arrow":
        write_stream(pj.read_json(pa.input_stream(src, compression=codec)))
    elif task == "to-parquet":
        pq.write_table(pj.read_json(src), out, compression="zstd")
    else:
        sys.exit("pyarrow writes no NDJSON")
