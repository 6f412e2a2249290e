"""One writer at a time on warehouse.duckdb, whoever starts it.

Runs launched by the daemon are serialised by the run queue (dagster.yaml), but the CLI
refresh executes in process and bypasses the queue. Both therefore take an exclusive `flock`
on `$ZIELMONITOR_DATA_DIR/.warehouse.lock` for the whole run: `pipeline.refresh` around
`execute_in_process`, and daemon runs through `locked_in_process_executor`. The kernel drops
the lock when its holder dies (kill -9 included), so a crashed run never leaves it stuck.

A run killed with -9 stays STARTED in the Dagster instance and would hold the run queue's
slot (max 1 run) for ever; `fail_dead_runs` marks such runs failed once their recorded
process is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from dagster import DagsterEvent, DagsterInstance, DagsterRunStatus, RunsFilter, executor
from dagster._core.definitions.executor_definition import (
    IN_PROC_CONFIG,
    in_process_executor,
)
from dagster._core.executor.in_process import InProcessExecutor

from zielmonitor.private_files import restrict_existing, restrict_umask

LOCK_NAME = ".warehouse.lock"
WRITER_TAG = "zielmonitor/warehouse"  # every warehouse-writing run; the queue limits it to 1
PID_TAG = "zielmonitor/pid"
HOST_TAG = "zielmonitor/host"
DEFAULT_TIMEOUT_S = 4 * 3600.0  # a national refresh takes well under an hour
POLL_S = 1.0

Log = Callable[[str], None]


class WarehouseBusyError(RuntimeError):
    """Another writer kept the warehouse longer than we were willing to wait."""


def lock_timeout() -> float:
    return float(os.environ.get("ZIELMONITOR_LOCK_TIMEOUT", DEFAULT_TIMEOUT_S))


@contextlib.contextmanager
def warehouse_lock(
    data_dir: Path, holder: str, log: Log = print, timeout: float | None = None
) -> Iterator[None]:
    """Hold the exclusive writer lock; wait (up to `timeout` s) while someone else has it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, path, lock_timeout() if timeout is None else timeout, log)
        restrict_existing(data_dir)  # files of a warehouse from before the rule: 0600
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder_info(holder)).encode(), 0)
        _wait_for_duckdb(data_dir / "warehouse.duckdb", log, timeout)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the flock


def _acquire(fd: int, path: Path, timeout: float, log: Log) -> None:
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = describe_holder(path)
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"warehouse.duckdb is being written by {holder}; gave up after "
                    f"{timeout:.0f} s (ZIELMONITOR_LOCK_TIMEOUT). Nothing was changed."
                ) from None
            if not announced:
                log(f"warehouse.duckdb is being written by {holder}; waiting for it to finish …")
                announced = True
            time.sleep(POLL_S)


def _wait_for_duckdb(warehouse: Path, log: Log, timeout: float | None) -> None:
    """A refresh killed with -9 can leave its dbt child running for a while (the child is
    not in our lock); wait until DuckDB's own file lock on the warehouse is free."""
    if not warehouse.exists():
        return
    deadline = time.monotonic() + (lock_timeout() if timeout is None else timeout)
    announced = False
    while True:
        try:
            duckdb.connect(str(warehouse)).close()  # also replays a WAL left by a crash
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise WarehouseBusyError(f"cannot open warehouse.duckdb: {exc}") from exc
            if not announced:
                log(f"warehouse.duckdb is still open in another process ({exc}); waiting …")
                announced = True
            time.sleep(POLL_S)


def describe_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"{info.get('holder', '?')} (pid {info.get('pid')} on {info.get('host')})"


def _holder_info(holder: str) -> dict[str, object]:
    return {"holder": holder, "pid": os.getpid(), "host": socket.gethostname()}


def writer_tags() -> dict[str, str]:
    """Tags of a run executing in this process: lets a later run see whether it died."""
    return {WRITER_TAG: "write", PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


# --- runs left STARTED by a killed process ----------------------------------------------

_LIVE = [DagsterRunStatus.STARTED, DagsterRunStatus.STARTING, DagsterRunStatus.CANCELING]


def fail_dead_runs(instance: DagsterInstance, log: Log = print, skip: str | None = None) -> int:
    """Mark warehouse runs failed whose recorded process (this host) no longer exists."""
    runs = instance.get_runs(RunsFilter(statuses=_LIVE, tags={WRITER_TAG: "write"}))
    failed = 0
    for run in runs:
        if run.run_id == skip or not _is_dead(run.tags):
            continue
        message = f"process {run.tags[PID_TAG]} of this run is gone (killed?); marked failed"
        instance.report_run_failed(run, message=message)
        log(f"run {run.run_id}: {message}")
        failed += 1
    return failed


def _is_dead(tags: dict[str, str]) -> bool:
    pid, host = tags.get(PID_TAG), tags.get(HOST_TAG)
    if not pid or host != socket.gethostname():
        return False  # not yet executing, or another machine: cannot judge
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


# --- the executor of daemon-launched runs -----------------------------------------------


class _LockedInProcessExecutor(InProcessExecutor):
    """In-process execution (one process for the run) inside the warehouse writer lock."""

    def execute(self, plan_context, execution_plan) -> Iterator[DagsterEvent]:  # noqa: ANN001
        from zielmonitor.config import get_paths

        restrict_umask()  # the run writes person data (private_files.py)
        instance, run = plan_context.instance, plan_context.dagster_run
        messages: list[str] = []
        with warehouse_lock(get_paths().data_dir, f"Dagster run {run.run_id}", messages.append):
            for message in messages:
                yield DagsterEvent.engine_event(plan_context, message)
            instance.add_run_tags(run.run_id, writer_tags())
            fail_dead_runs(instance, plan_context.log.warning, skip=run.run_id)
            yield from super().execute(plan_context, execution_plan)


@executor(name="warehouse_locked_in_process", config_schema=IN_PROC_CONFIG)
def locked_in_process_executor(init_context) -> InProcessExecutor:  # noqa: ANN001
    """The default executor of this code location (jobs, UI launches, asset backfills)."""
    base = in_process_executor.executor_creation_fn(init_context)  # type: ignore[misc]
    return _LockedInProcessExecutor(base.retries, base.step_dependency_config)
