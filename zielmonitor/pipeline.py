"""Run the pipeline from the command line: prepare, refresh.

A refresh is one run of the Dagster job `refresh`, executed in process against the project's
Dagster instance (so it shows in the Dagster UI like any other), launched exactly as the
sensor, the schedule and the UI launch it (`orchestration.launch`). Dagster is imported only
when a refresh runs: the rest of the package imports without it.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from zielmonitor.config import DBT_PROJECT_DIR, PROJECT_DIR, Paths, get_paths
from zielmonitor.private_files import private_dir, shared_dir

Log = Callable[[str], None]


@contextlib.contextmanager
def loading_for_the_run() -> Iterator[None]:
    """Imports and set-up whose objects live as long as the process. Python's collector
    would walk them again and again while they load (five full collections while Dagster,
    dagster-dbt and dbt load: ≈ 0.4 s of ≈ 2 s here, docs/benchmarks.md, eighth round); so it
    is paused meanwhile, and what loaded is frozen (`gc.freeze`): not walked again during
    the run (the dbt resource unfreezes it when the run ends, dbt_runner.DbtProcess.close)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def prepare_environment(paths: Paths) -> None:
    """DAGSTER_HOME under the data folder with the project's dagster.yaml; dbt env. Called
    by the commands at run time (never at import); profiles.yml finds the warehouse through
    ZIELMONITOR_DATA_DIR, set here to the resolved data folder."""
    shared_dir(paths.data_dir)  # 0755 when new: BI users reach marts.duckdb (private_files.py)
    private_dir(paths.dagster_home)  # 0700: run storage and compute logs hold person data
    source = PROJECT_DIR / "dagster.yaml"
    target = paths.dagster_home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != source.read_bytes():
        shutil.copyfile(source, target)
    os.environ["DAGSTER_HOME"] = str(paths.dagster_home)
    # this environment's dbt and dagster first on PATH: subprocesses (dbt, the code server of
    # `dagster dev`) must find them without an activated virtualenv
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [venv_bin, os.environ.get("PATH")]))
    os.environ["ZIELMONITOR_RAW_DIR"] = str(paths.raw_dir)
    os.environ["ZIELMONITOR_DATA_DIR"] = str(paths.data_dir)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.setdefault("DBT_USE_COLORS", "false")


def unreadable_dagster_storage(paths: Paths) -> list[Path]:
    """The SQLite files of the Dagster home that SQLite cannot open (a disk fault, a file
    overwritten): Dagster fails on them at every start with "file is not a database". They
    hold the run history only; no figure depends on them."""
    broken = []
    for db in sorted(paths.dagster_home.rglob("*.db")):
        try:
            with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con:
                con.execute("PRAGMA schema_version").fetchall()
        except sqlite3.DatabaseError:
            broken.append(db)
    return broken


def manifest_is_stale() -> bool:
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists() or not manifest_is_complete(manifest):
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", *(DBT_PROJECT_DIR / "dbt_project").rglob("*")]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def manifest_is_complete(manifest: Path) -> bool:
    """False for a manifest cut short (a parse killed while dbt wrote it, a full disk): it
    would fail every later refresh at Dagster's start with a JSONDecodeError. Reads the first
    and the last bytes only; dbt writes one JSON object."""
    with manifest.open("rb") as fh:
        head = fh.read(1)
        fh.seek(max(0, manifest.stat().st_size - 64))
        return head == b"{" and fh.read().rstrip().endswith(b"}")


def prepare_dbt(log: Log = print, force: bool = False) -> None:
    """Parse the dbt project into target/manifest.json (Dagster reads it at import)."""
    if not force and not manifest_is_stale():
        return
    from zielmonitor.build_state import dbt_vars

    log("dbt: parsing the project (manifest for Dagster) …")
    # the vars of a refresh's `dbt build`: dbt keeps the parse (partial parsing) only when
    # vars and profile are unchanged, else every refresh re-parses (~5 s)
    cmd = [sys.executable, "-m", "dbt.cli.main", "parse", "--profiles-dir", str(DBT_PROJECT_DIR),
           "--project-dir", str(DBT_PROJECT_DIR), "--vars", json.dumps(dbt_vars(None)),
           "--quiet"]  # fmt: skip
    done = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class RefreshOutcome:
    success: bool
    seconds: float
    run_id: str | None  # None: no run (nothing to do, or nothing to read)
    message: str = ""


def refresh(as_of: str | None = None, log: Log = print, full: bool = False) -> RefreshOutcome:
    """One run of the job `refresh`: ingest of the new, changed or vanished deliveries, then
    dbt, mart checks and publish (the run prints through Dagster's concise logger). The
    writer lock is the WarehouseResource's: a second writer waits for this one.

    No run at all when nothing changed since the published file was built (no delivery new,
    changed or gone, no folder error, same code; zielmonitor/build_state.py): the
    question is answered in about a second, without Dagster or dbt. `full`: always a run,
    rebuilding every model."""
    started = time.monotonic()
    paths = get_paths()
    prepare_environment(paths)
    prepare_dbt(log)
    with loading_for_the_run():
        from zielmonitor.build_state import nothing_to_do
        from zielmonitor.ingest import discover

    refs, problems = discover(paths.raw_dir, None)
    if not refs:
        return RefreshOutcome(False, 0.0, None, f"no deliveries under {paths.raw_dir}")
    if not full and nothing_to_do(paths, paths.marts_as_of(as_of), refs, problems):
        return RefreshOutcome(True, time.monotonic() - started, None, NOTHING_TO_DO)
    with loading_for_the_run():
        from orchestration.launch import execute_refresh

    trigger = f"zielmonitor refresh (as_of={as_of}{', full' if full else ''})"
    outcome = execute_refresh(as_of, trigger=trigger, full=full)
    seconds = time.monotonic() - started
    return RefreshOutcome(outcome.success, seconds, outcome.run_id, outcome.message)


NOTHING_TO_DO = (
    "nothing to do: no delivery is new, changed or gone and the code is the same since the"
    " marts were published (`zielmonitor refresh --full` rebuilds everything)"
)
