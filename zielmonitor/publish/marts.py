"""Publish: copy the published marts from the restricted warehouse into marts.duckdb and a
Parquet export of the same tables (`marts_parquet/<table>.parquet`).

Both are built completely beside the live versions and swapped in atomically, so a BI tool
never sees half a refresh, and a reader holding the old file open keeps its (old) snapshot:
- marts.duckdb: one `os.replace` of the finished file;
- marts_parquet: a symlink to a versioned directory `marts_parquet.<content hash>`, flipped by
  `os.replace` of a new symlink; the previous version stays for readers still listing it.
Written in DuckDB storage version v1.4.0, which the DuckDB 1.4/1.5 drivers of BI tools open.
Temporary files of a publish killed half-way are removed by the next one.

The staged file is checked as published (after suppression, `validate`) before anything is
swapped in: a failed check raises `PublishBlocked` and leaves the live files untouched.
Paths go into DuckDB's SQL as bound parameters, never as text (a folder may hold a `'`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zielmonitor.private_files import share
from zielmonitor.publish.suppression import TableRule, suppress_published

STORAGE_VERSION = "v1.4.0"
SOURCE_SCHEMA = "marts"
_TEMP = re.compile(r"^\.marts[^/]*\.(\d+)\.tmp(\.\w+)?$")  # .<name>.<pid>.tmp[.suffix]


# checks of the staged marts file: table -> failure messages (empty = passed)
Validate = Callable[[Path], Mapping[str, Sequence[str]]]


@dataclass(frozen=True)
class PublishResult:
    path: Path
    rows: dict[str, int]
    parquet: Path | None = None  # the versioned directory the symlink points to
    checks: dict[str, list[str]] = field(default_factory=dict)


class PublishBlocked(RuntimeError):
    """A check of the staged marts failed: nothing was published."""

    def __init__(self, checks: dict[str, list[str]]) -> None:
        self.checks = checks
        failed = sorted(name for name, problems in checks.items() if problems)
        super().__init__(f"mart checks failed for {', '.join(failed)}: nothing published")


def publish(
    warehouse: Path,
    target: Path,
    tables: Sequence[str],
    parquet_link: Path | None = None,
    log: Callable[[str], None] = lambda _: None,
    suppression: Mapping[str, TableRule] | None = None,
    validate: Validate | None = None,
) -> PublishResult:
    """`suppression`: per-table rules (§ 16 BStatG), applied to the copies before anything
    is swapped in or exported; None only for plain copies (tests of the copy mechanics).
    `validate`: checks run on the staged, suppressed file; any failure raises
    `PublishBlocked` before the Parquet export and the swap."""
    remove_stale_temps(target.parent)
    tmp = _temp(target)
    try:
        rows = _build(warehouse, tmp, sorted(tables), log, suppression)
        checks = {t: list(p) for t, p in (validate(tmp) if validate else {}).items()}
        if any(checks.values()):
            raise PublishBlocked(checks)
        version = _export_parquet(tmp, parquet_link, sorted(tables)) if parquet_link else None
    except BaseException:
        tmp.unlink(missing_ok=True)  # a blocked or failed publish leaves nothing behind
        raise
    _install(tmp, target, parquet_link, version)
    return PublishResult(path=target, rows=rows, parquet=version, checks=checks)


def _install(tmp: Path, target: Path, parquet_link: Path | None, version: Path | None) -> None:
    """Put the final published files in place: the staged marts file becomes `target`, the
    Parquet symlink points to `version`. Everything readers see is written here."""
    share(tmp, version)  # built under umask 077 (private_files.py): BI users read them
    _fsync(tmp)
    os.replace(tmp, target)  # atomic on POSIX: readers see the old or the new file, never half
    if parquet_link is not None and version is not None:
        _flip_symlink(parquet_link, version)
    _fsync(target.parent)


def _temp(path: Path, suffix: str = "") -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp{suffix}")


def _build(
    warehouse: Path,
    tmp: Path,
    tables: list[str],
    log: Callable[[str], None],
    suppression: Mapping[str, TableRule] | None = None,
):
    con = duckdb.connect()
    try:
        # bound, not spliced into the SQL: a path may contain a quote
        con.execute("ATTACH ? AS wh (READ_ONLY)", [str(warehouse)])
        con.execute(f"ATTACH ? AS pub (STORAGE_VERSION '{STORAGE_VERSION}')", [str(tmp)])
        rows = {}
        for table in tables:
            rows[table] = _copy_table(con, table)
            log(f"publish: copied {table} ({rows[table]} rows)")
        if suppression is not None:
            suppress_published(con, "pub", tables, suppression, log)
        con.execute("DETACH pub")
    finally:
        con.close()
    return rows


def _copy_table(con: duckdb.DuckDBPyConnection, table: str) -> int:
    # Sorted by every column so the same figures give the same file content, run after run.
    cols = [r[0] for r in con.execute(f"DESCRIBE wh.{SOURCE_SCHEMA}.{_ident(table)}").fetchall()]
    order = ", ".join(_ident(c) for c in cols)
    name = _ident(table)
    con.execute(
        f"CREATE TABLE pub.{name} AS SELECT * FROM wh.{SOURCE_SCHEMA}.{name} ORDER BY {order}"
    )
    return con.execute(f"SELECT count(*) FROM pub.{name}").fetchone()[0]


def _ident(name: str) -> str:
    """A quoted SQL identifier (table and column names come from the dbt manifest)."""
    return '"' + name.replace('"', '""') + '"'


# --- Parquet ----------------------------------------------------------------------------


def _export_parquet(marts: Path, link: Path, tables: list[str]) -> Path:
    """Write every table to a new directory named by its content hash; return it."""
    staging = _temp(link)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    con = duckdb.connect(str(marts), read_only=True)
    try:
        for table in tables:
            con.execute(
                f"COPY (SELECT * FROM {_ident(table)} ORDER BY ALL) TO ? (FORMAT parquet)",
                [str(staging / f"{table}.parquet")],
            )
    finally:
        con.close()
    version = link.with_name(f"{link.name}.{_content_hash(staging)}")
    for file in staging.iterdir():
        _fsync(file)
    if version.exists():  # same figures as a version on disk: keep that one
        shutil.rmtree(staging)
    else:
        os.replace(staging, version)
    return version


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for file in sorted(folder.iterdir()):
        digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:16]


def _flip_symlink(link: Path, version: Path) -> None:
    previous = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():  # a plain directory from an older layout
        os.replace(link, link.with_name(f"{link.name}.legacy"))
    tmp_link = _temp(link, ".link")
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(version.name)  # relative: the data folder may be moved or mounted
    os.replace(tmp_link, link)
    # keep the live version and the one before: a reader may still be listing it
    keep = {version.name} | ({previous.name} if previous else set())
    _prune_versions(link, keep)


def _prune_versions(link: Path, keep: set[str]) -> None:
    for folder in link.parent.glob(f"{link.name}.*"):
        if folder.is_dir() and not folder.is_symlink() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


# --- housekeeping ------------------------------------------------------------------------


def remove_stale_temps(folder: Path) -> list[Path]:
    """Temporary files and folders of publishes whose process is gone (killed half-way)."""
    removed = []
    for path in folder.glob(".marts*"):
        match = _TEMP.match(path.name)
        if match and (int(match.group(1)) == os.getpid() or not _alive(int(match.group(1)))):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def marts_hash(path: Path) -> str:
    """A hash of every published table's sorted rows (and the table names): equal hashes,
    equal figures to the bit (tests/test_operations.py, benchmarks/run.py)."""
    digest = hashlib.sha256()
    with duckdb.connect(str(path), read_only=True) as con:
        sql = "SELECT table_name FROM duckdb_tables() ORDER BY 1"
        for (table,) in con.execute(sql).fetchall():
            digest.update(table.encode())
            for row in con.execute(f"SELECT * FROM {_ident(table)} ORDER BY ALL").fetchall():
                digest.update(repr(row).encode())
    return digest.hexdigest()
