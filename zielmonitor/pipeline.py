"""Run the pipeline from the command line: prepare, refresh, summarise.

A refresh is two Dagster runs, executed in process against the project's Dagster instance
(so they show up in the Dagster UI like any other): `ingest` over the months with new or
changed deliveries, then `transform` (dbt → mart checks → publish). The sensor and the UI use
the single job `refresh`, which does both in one run.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from zielmonitor.config import DBT_PROJECT_DIR, PROJECT_DIR, Paths, get_paths
from zielmonitor.private_files import private_dir, shared_dir

if TYPE_CHECKING:
    from zielmonitor.ingest import DeliveryRef, Finding

Log = Callable[[str], None]


def prepare_environment(paths: Paths) -> None:
    """DAGSTER_HOME under the data folder with the project's dagster.yaml; dbt env."""
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
    os.environ["ZIELMONITOR_WAREHOUSE"] = str(paths.warehouse)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.setdefault("DBT_USE_COLORS", "false")


def manifest_is_stale() -> bool:
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [DBT_PROJECT_DIR / "dbt_project.yml", *(DBT_PROJECT_DIR / "dbt_project").rglob("*")]
    return any(p.is_file() and p.stat().st_mtime > built for p in sources)


def prepare_dbt(log: Log = print, force: bool = False) -> None:
    """Parse the dbt project into target/manifest.json (Dagster reads it at import)."""
    if not force and not manifest_is_stale():
        return
    log("dbt: parsing the project (manifest for Dagster) …")
    cmd = [sys.executable, "-m", "dbt.cli.main", "parse", "--profiles-dir", str(DBT_PROJECT_DIR),
           "--project-dir", str(DBT_PROJECT_DIR), "--quiet"]  # fmt: skip
    done = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{done.stdout}\n{done.stderr}")


@dataclass
class RefreshOutcome:
    success: bool
    seconds: float
    months: list[str]
    run_id: str | None
    message: str = ""


def refresh(as_of: str | None = None, log: Log = print) -> RefreshOutcome:
    """Ingest the months with new or changed deliveries, then dbt, checks and publish.

    Only pending months are ingested (each partition costs Dagster events and a scan);
    dbt always rebuilds, since a new stand of an old month changes later figures too."""
    paths = get_paths()
    prepare_environment(paths)
    prepare_dbt(log)
    started = time.monotonic()
    from orchestration.locking import WarehouseBusyError, warehouse_lock
    from zielmonitor.ingest import discover

    refs, problems = discover(paths.raw_dir, None)
    if not refs:
        return RefreshOutcome(False, 0.0, [], None, f"no deliveries under {paths.raw_dir}")

    # Under the writer lock: a second writer (CLI refresh or daemon-launched run) waits for
    # it, and the pending months are read from a warehouse nobody else is changing.
    try:
        with warehouse_lock(paths.data_dir, f"zielmonitor refresh (as_of={as_of})", log):
            months = _months_to_ingest(paths.warehouse, refs, problems)
            if months:
                log(f"refresh: ingest {len(months)} month(s) {months[0]} … {months[-1]}, "
                    "then dbt, publish")  # fmt: skip
            else:
                log("refresh: no new deliveries; rebuilding dbt models and publishing")
            success, run_id, message = _execute(months, as_of, log)
    except WarehouseBusyError as exc:
        return RefreshOutcome(False, time.monotonic() - started, [], None, str(exc))
    return RefreshOutcome(success, time.monotonic() - started, months, run_id, message)


def _execute(months: list[str], as_of: str | None, log: Log) -> tuple[bool, str, str]:
    """Two runs in this process: `ingest` over the pending month range, then `transform`
    (dbt, mart checks, publish). One `refresh` run would plan every dbt asset once per month
    of the range (42 assets x 36 months of SQLite events for a full rebuild); the sensor and
    the UI still use the single `refresh` job."""
    from dagster import DagsterInstance

    from orchestration.automation import range_tags
    from orchestration.definitions import defs
    from orchestration.locking import fail_dead_runs, writer_tags

    steps = [("transform", {})]  # without pending months: dbt, mart checks and publish only
    if months:
        steps.insert(0, ("ingest", range_tags(months[0], months[-1])))
    with DagsterInstance.get() as instance:
        fail_dead_runs(instance, log)  # runs of refreshes killed earlier hold no lock any more
        for name, extra_tags in steps:
            with _dbt_progress_only():
                result = defs.resolve_job_def(name).execute_in_process(
                    instance=instance,
                    run_config=_run_config(as_of, name),
                    # with this process's pid: a later run can tell if it was killed
                    tags={**writer_tags(), **extra_tags},
                    raise_on_error=False,
                )
            if not result.success:  # a rejected delivery stops here: nothing is published
                return False, result.run_id, _failure(result)
            if name == "ingest":  # the run id names the ingest's events (benchmarks/breakdown)
                log(f"refresh: ingest done (run {result.run_id})")
    return True, result.run_id, ""


def _months_to_ingest(
    warehouse: Path, refs: list[DeliveryRef], problems: list[Finding]
) -> list[str]:
    """Pending months as a contiguous range (one backfill run); junk folders in the raw tree
    still go through the ingest so they are reported."""
    from zielmonitor.ingest import pending_months

    pending = pending_months(warehouse, refs)
    if not pending and any(p.is_error for p in problems):
        pending = [max(r.berichtsmonat for r in refs)]
    return pending


@contextlib.contextmanager
def _dbt_progress_only() -> Iterator[None]:
    """dagster-dbt echoes every dbt event to stdout; keep the terminal to one line per model
    (and every warning or error). The full log stays in the run's event log in Dagster."""
    original = sys.stdout
    sys.stdout = _LineFilter(original, re.compile(r"^\d+ of \d+ (START|PASS) "))
    try:
        yield
    finally:
        sys.stdout = original


class _LineFilter(io.TextIOBase):
    def __init__(self, target: TextIO, drop: re.Pattern[str]) -> None:
        self._target, self._drop, self._buffer = target, drop, ""

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            if not self._drop.match(line):
                self._target.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self._target.flush()


def _run_config(as_of: str | None, job: str) -> dict:
    config: dict = {"loggers": {"concise": {"config": {"log_level": "INFO"}}}}
    if job == "transform":
        config["ops"] = {
            "dbt_models": {"config": {"as_of": as_of}},
            "published__marts_duckdb": {"config": {"as_of": as_of}},
        }
    return config


def _failure(result) -> str:  # noqa: ANN001 - dagster's ExecuteInProcessResult
    """What went wrong, for the terminal: failed checks with their findings, else the steps."""
    if result.success:
        return ""
    lines: list[str] = []
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        check = event.event_specific_data
        if check.passed:
            continue
        detail = check.metadata.get("fehler") or check.metadata.get("details")
        text = getattr(detail, "value", detail)
        if text and text != "-":
            lines.append(f"{check.asset_key.to_user_string()} [{check.check_name}]:")
            lines += [f"  {line}" for line in str(text).splitlines()]
    for event in result.all_events:
        if event.is_step_failure and not lines:
            err = event.step_failure_data.error
            while err is not None and err.cause is not None:  # the error, not Dagster's wrapper
                err = err.cause
            first = err.message.strip().splitlines()[0] if err and err.message.strip() else "?"
            lines.append(f"step {event.step_key} failed: {first} (traceback in the run's log)")
    return "\n".join(lines) or "a blocking check failed: downstream steps were skipped"
