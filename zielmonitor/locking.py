"""One writer at a time on warehouse.duckdb, whoever starts the run.

Every run that touches the warehouse (CLI refresh, sensor, schedule, UI launch, `zielmonitor
withdraw`) holds an exclusive `flock` on `Paths.lock_file` for its whole duration: the
`WarehouseResource` takes it when the run initialises its resources and drops it at the
end (resources.py). The kernel drops the lock when its holder dies (kill -9 included), so a
crashed run never leaves it stuck, and nothing in Dagster's run storage has to be repaired.
DuckDB's own file lock stays the backstop: a process outside this lock (a BI tool opening
warehouse.duckdb for writing, a dbt child of a killed run) is waited for, then reported.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator

import duckdb

from zielmonitor.config import Paths
from zielmonitor.private_files import restrict_existing

DEFAULT_TIMEOUT_S = 4 * 3600.0  # a national refresh takes well under an hour
POLL_S = 1.0

Log = Callable[[str], None]


class WarehouseBusyError(RuntimeError):
    """Another writer kept the warehouse longer than we were willing to wait."""


def lock_timeout() -> float:
    return float(os.environ.get("ZIELMONITOR_LOCK_TIMEOUT", DEFAULT_TIMEOUT_S))


@contextlib.contextmanager
def warehouse_lock(
    paths: Paths, holder: str, log: Log = print, timeout: float | None = None
) -> Iterator[None]:
    """Hold the exclusive writer lock; wait (up to `timeout` s) while someone else has it."""
    timeout = lock_timeout() if timeout is None else timeout
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(paths.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        _acquire(fd, paths, timeout, log)
        restrict_existing(paths.data_dir)  # files of a warehouse from before the rule: 0600
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_holder_info(holder)).encode(), 0)
        _wait_for_duckdb(paths, timeout, log)
        yield
    finally:
        os.close(fd)  # closing the only descriptor releases the flock


def busy_with(paths: Paths) -> str | None:
    """Who holds the writer lock right now (None: nobody). Creates nothing: for the sensor,
    which must not read the warehouse while a run writes it."""
    try:
        fd = os.open(paths.lock_file, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except BlockingIOError:
        return describe_holder(paths)
    finally:
        os.close(fd)


def _acquire(fd: int, paths: Paths, timeout: float, log: Log) -> None:
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = describe_holder(paths)
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"warehouse.duckdb is being written by {holder}; gave up after "
                    f"{timeout:.0f} s (ZIELMONITOR_LOCK_TIMEOUT). Nothing was changed."
                ) from None
            if not announced:
                log(f"warehouse.duckdb is being written by {holder}; waiting for it to finish …")
                announced = True
            time.sleep(POLL_S)


def _wait_for_duckdb(paths: Paths, timeout: float, log: Log) -> None:
    """A BI tool may hold the file for writing (dbt's process, forked by a run, shares that
    run's lock); wait until DuckDB's own lock is free."""
    if not paths.warehouse.exists():
        return
    deadline = time.monotonic() + timeout
    announced = False
    while True:
        try:
            duckdb.connect(str(paths.warehouse)).close()  # also replays a WAL left by a crash
            return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise WarehouseBusyError(f"cannot open warehouse.duckdb: {exc}") from exc
            if not announced:
                log(f"warehouse.duckdb is still open in another process ({exc}); waiting …")
                announced = True
            time.sleep(POLL_S)


def describe_holder(paths: Paths) -> str:
    try:
        info = json.loads(paths.lock_file.read_text() or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    return f"{info.get('holder', '?')} (pid {info.get('pid')} on {info.get('host')})"


def _holder_info(holder: str) -> dict[str, object]:
    return {"holder": holder, "pid": os.getpid(), "host": socket.gethostname()}
