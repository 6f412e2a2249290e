"""Owner-only files for person data; readable files for what BI users open.

Person-level data sits in warehouse.duckdb, in the WAL and the spill folder DuckDB keeps
beside it (`warehouse.duckdb.wal`, `warehouse.duckdb.tmp/`), in the rejection CSVs
(`rejections/`, they quote person_ids), in the Dagster home (run and event storage, compute
logs: they echo rejected values), in the traceback files (`logs/`) and in withdrawn
deliveries (`quarantine/`). None of it may be readable by other local users: files 0600,
folders 0700.

DuckDB creates its database and WAL with the process umask, and the WAL is created and
deleted over and over during a run, so a chmod after the fact leaves it readable for a
while. Every entry point that writes therefore calls `restrict_umask()` at run time (never at
import: importing a module must have no side effects): `zielmonitor` (cli.main) and
`WarehouseResource.yield_for_execution` (every run: each asset requires it, and it holds the
writer lock). Child processes (dbt) inherit the umask. Files made before this rule
are closed by `restrict_existing` whenever the writer lock is taken (every refresh).

What BI users read is then opened explicitly: marts.duckdb, marts_stand_*.duckdb and the
marts_parquet.<hash> versions (publish.py) and the HTML report (cli.py): `share()` gives
0644 files and 0755 folders. The data folder is created 0755 (`shared_dir`), and an existing
one keeps its mode: BI users must reach marts.duckdb, and the report lists the
marts_stand_* files; the names in it are no secret, every entry holding person data is
closed by itself. (An operator may narrow it to 0750 for a BI group; it is not widened.)
dbt's target/ and logs/ hold SQL, the manifest and run results (counts), no rows: no model
or test stores failures (`store_failures` would write them into the warehouse anyway).
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
SHARED_FILE, SHARED_DIR = 0o644, 0o755

# entries of the data folder holding person data (closed again on every refresh)
_PRIVATE_FILES = ("warehouse.duckdb", "warehouse.duckdb.wal", ".warehouse.lock")
_PRIVATE_DIRS = ("warehouse.duckdb.tmp", "rejections", "dagster_home", "logs", "quarantine")


def restrict_umask() -> None:
    """New files 0600, new folders 0700 in this process and its children (dbt)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) and make it owner-only, 0700, whatever the umask.
    For folders of person data, e.g. the quarantine of withdrawn deliveries."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIR)
    return path


def shared_dir(path: Path) -> Path:
    """Create `path` readable for everyone (0755, missing parents too); an existing folder
    keeps its mode. For the data folder, which BI users traverse to reach marts.duckdb."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True)
        folder.chmod(SHARED_DIR)
    return path


def share(*paths: Path | None) -> None:
    """Published outputs readable by BI users: files 0644, folders (and all in them) 0755.
    Symlinks are left alone; None is skipped."""
    for path in paths:
        if path is None or path.is_symlink():
            continue
        if not path.is_dir():
            path.chmod(SHARED_FILE)
            continue
        path.chmod(SHARED_DIR)
        for root, dirs, files in os.walk(path):
            for name in dirs:
                Path(root, name).chmod(SHARED_DIR)
            for name in files:
                Path(root, name).chmod(SHARED_FILE)


def restrict_existing(data_dir: Path) -> None:
    """Close the person-data entries of the data folder made before this rule (0644 files,
    0755 folders of an older warehouse): files 0600, folders 0700, rejection files 0600.
    A folder of 0700 closes everything below it, so the Dagster home is not walked."""
    for name in _PRIVATE_FILES:
        _chmod(data_dir / name, PRIVATE_FILE)
    for name in _PRIVATE_DIRS:
        _chmod(data_dir / name, PRIVATE_DIR)
    rejections = data_dir / "rejections"
    if rejections.is_dir():
        for file in rejections.iterdir():
            if file.is_file():
                _chmod(file, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink():
            path.chmod(mode)
    except FileNotFoundError:
        pass  # the WAL comes and goes
