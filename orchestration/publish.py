"""Publish: copy the published marts from the restricted warehouse into marts.duckdb.

The new file is built beside the old one and swapped in with one atomic rename, so a BI tool
never sees half a refresh, and a reader holding the old file open keeps its (old) snapshot.
Written in DuckDB storage version v1.4.0, which the DuckDB 1.4/1.5 drivers of BI tools open.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

STORAGE_VERSION = "v1.4.0"
SOURCE_SCHEMA = "marts"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    rows: dict[str, int]


def publish(warehouse: Path, target: Path, tables: Sequence[str]) -> PublishResult:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{warehouse}' AS wh (READ_ONLY)")
        con.execute(f"ATTACH '{tmp}' AS pub (STORAGE_VERSION '{STORAGE_VERSION}')")
        rows = {t: _copy_table(con, t) for t in sorted(tables)}
        con.execute("DETACH pub")
    finally:
        con.close()
    _fsync(tmp)
    os.replace(tmp, target)  # atomic on POSIX: readers see the old or the new file, never half
    _fsync(target.parent)
    return PublishResult(path=target, rows=rows)


def _copy_table(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # Sorted by every column so the same figures give the same file content, run after run.
    cols = [r[0] for r in con.execute(f"DESCRIBE wh.{SOURCE_SCHEMA}.{table}").fetchall()]
    order = ", ".join(f'"{c}"' for c in cols)
    con.execute(
        f"CREATE TABLE pub.{table} AS SELECT * FROM wh.{SOURCE_SCHEMA}.{table} ORDER BY {order}"
    )
    return con.execute(f"SELECT count(*) FROM pub.{table}").fetchone()[0]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
