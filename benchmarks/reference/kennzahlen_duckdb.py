"""Hand-written DuckDB reference of `kennzahlen_monat` and the Zielerreichung Ist values,
straight from the raw files: the parsing and base tables of `reference_duckdb.py`
(`reference.sql`) plus `kennzahlen.sql`. Writes one Parquet file per output.

    uv run python -m benchmarks.reference.kennzahlen_duckdb RAW_DIR --out DIR [--threads N]
        [--database FILE]

In memory by default. Tables in memory cannot be spilled, so from SF100 on (12 GB of CSV)
the load runs out of memory (measured: 18.8 GiB used at DuckDB's default limit, 80 % of
RAM); `--database FILE` keeps the tables in a file (the harness passes it above 4 GB of raw
data), which then costs the reference its own write, like the pipeline's warehouse.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import duckdb

from benchmarks.reference.reference_duckdb import SQL as BASE_SQL
from benchmarks.reference.reference_duckdb import load

SQL = Path(__file__).with_name("kennzahlen.sql")
OUTPUTS = ("ref_kennzahlen", "ref_ziel_ist")


def compute(
    raw_dir: Path, threads: int | None = None, database: Path | None = None
) -> duckdb.DuckDBPyConnection:
    if database is not None:
        database.unlink(missing_ok=True)
    con = duckdb.connect(str(database) if database else ":memory:")
    con.execute("SET enable_progress_bar = false")
    # in memory up to DuckDB's default limit (80 % of RAM), then spilled to disk (SF100)
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/kennzahlen_duckdb.tmp'")
    if database is not None:  # row order is irrelevant here; keeping it buffers whole files
        con.execute("SET preserve_insertion_order = false")
    if threads:
        con.execute(f"SET threads = {threads}")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        load(con, raw_dir, Path(tmp))
        t1 = time.perf_counter()
        con.execute(BASE_SQL.read_text(encoding="utf-8"))
        con.execute(SQL.read_text(encoding="utf-8"))
    print(f"kennzahlen_duckdb: load {t1 - t0:.1f} s, SQL {time.perf_counter() - t1:.1f} s")
    return con


def write(con: duckdb.DuckDBPyConnection, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for table in OUTPUTS:
        con.execute(f"COPY {table} TO '{out / table}.parquet' (FORMAT parquet)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--database", type=Path, help="file-backed instead of in memory")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    write(compute(args.raw_dir, args.threads, args.database), args.out)
    print(f"kennzahlen_duckdb: {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
