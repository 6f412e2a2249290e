"""`dbt build` in the Dagster process (dbt's programmatic `dbtRunner`), its messages into
the run's log.

Not `DbtCliResource.cli`: before it starts dbt, dagster-dbt 0.29 runs `dbt --version` in a
subprocess (2.2 s) and sets up a dbt adapter in the Dagster process (1.6 s), on every
refresh, and then translates every dbt event (≈ 600 per build). Not a `dbt` subprocess
either: starting one cost ≈ 1.3 s before dbt's first message on every refresh; in this
process dbt's modules are mostly loaded already (dagster-dbt imports them). The asset keys
of what dbt built come from its run_results.json (dbt_models); its messages are logged as
they come (docs/benchmarks.md, "Results (issue 16, fourth round: dbt in the Dagster
process)")."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOISE = re.compile(r"^\d+ of \d+ (START|PASS) ")  # per node; dbt.log and run_results keep them
PARTIAL_PARSE = "partial_parse.msgpack"
SHOWN = ("info", "warn", "error")  # dbt's levels on its terminal; debug stays in dbt.log


@dataclass(frozen=True)
class DbtRun:
    returncode: int  # as dbt's command line: 0 success, 1 failed nodes or hook, 2 stopped
    run_results: Mapping[str, Any]  # {} when dbt stopped before running a node
    error: str = ""  # why dbt stopped, when it did

    @property
    def success(self) -> bool:
        return self.returncode == 0 and bool(self.run_results)


def run_dbt(
    args: Sequence[str], project_dir: Path, target: Path, log: Callable[[str], None]
) -> DbtRun:
    """Run `dbt <args>` with its artefacts and dbt.log in `target`, starting from the parse
    in the project's target/ (its parent) and handing dbt's parse back to it
    (`keep_parse`); log each message but the per-node noise. An error that stops dbt is
    logged as one line; its stack trace stays in dbt.log, and a Python error of dbt's own
    goes to `target/dbt_traceback.txt`.

    dbt runs in a thread of its own: this thread logs its messages (Dagster's log is the
    step's) and, when the run is stopped (Ctrl-C, terminated from the UI), cancels dbt's
    query and lets the stop go on."""
    target.mkdir(parents=True, exist_ok=True)
    parse = target.parent / PARTIAL_PARSE
    if parse.exists():
        shutil.copyfile(parse, target / PARTIAL_PARSE)
    cli = [
        *args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target),  # the run's own dbt.log
        "--log-level", "none", "--log-level-file", "debug",  # messages: through `events`
    ]  # fmt: skip
    log(f"dbt {' '.join(args)}")
    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    worker = _DbtThread(cli, events)
    worker.start()
    error = ""
    try:
        while (event := events.get()) is not None:
            name, level, msg = event.info.name, event.info.level, str(event.info.msg).strip()
            if name == "MainEncounteredError":  # dbt stopped: why, in one line
                error = msg
                log(f"dbt: {_one_line(error)}")
            elif _shown(name, level, msg):
                log(msg)
    except BaseException:  # the run is stopped: dbt too, and the stop goes on
        _cancel_queries()
        raise
    worker.join()
    keep_parse(target, target.parent)
    return _outcome(worker, target, error)


def _shown(name: str, level: str, msg: str) -> bool:
    """What dbt shows on its terminal, less the per-node START/PASS lines and its stack
    trace (dbt.log and run_results.json keep both)."""
    return level in SHOWN and bool(msg) and not NOISE.match(msg) and name != "MainStackTrace"


class _DbtThread(threading.Thread):
    """One dbt invocation; every dbt event into `events`, then None."""

    def __init__(self, cli: list[str], events: queue.SimpleQueue[Any]) -> None:
        super().__init__(name="dbt", daemon=True)  # a stopped run's process may exit
        self.cli, self.events = cli, events
        self.result: Any = None  # dbtRunner's result
        self.error: BaseException | None = None  # dbt could not be started at all

    def run(self) -> None:
        try:
            from dbt.cli.main import dbtRunner

            self.result = dbtRunner(callbacks=[self.events.put]).invoke(self.cli)
        except BaseException as error:  # (invoke itself returns every error in its result)
            self.error = error
        finally:
            _close_connections()
            self.events.put(None)  # whatever happened: the step's thread stops waiting


def _close_connections() -> None:
    """dbt-duckdb keeps its connection for the process's life: the warehouse file must be
    free for the publish step and the next writer (dbt-duckdb#616)."""
    with contextlib.suppress(Exception):
        from dbt.adapters.duckdb import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()


def _cancel_queries() -> None:
    with contextlib.suppress(Exception):  # nothing open, or dbt done: the stop goes on
        from dbt.adapters.factory import get_adapter_by_type

        get_adapter_by_type("duckdb").cancel_open_connections()


def _outcome(worker: _DbtThread, target: Path, error: str) -> DbtRun:
    """dbt's outcome as its command line gives it: exit code and run_results.json (written
    also when an on-run-end hook fails, unlike dbtRunner's result)."""
    result = worker.result
    path = target / "run_results.json"
    run_results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if result is not None and result.success:
        return DbtRun(0, run_results)
    exception = getattr(result, "exception", None) or worker.error
    if exception is not None and not error:  # not dbt's own error: a Python error in dbt
        lines = traceback.format_exception(exception)
        (target / "dbt_traceback.txt").write_text("".join(lines), encoding="utf-8")
        error = f"{type(exception).__name__}: {exception}"
    return DbtRun(1 if run_results else 2, run_results, error)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def keep_parse(invocation_target: Path, project_target: Path) -> None:
    """dbt keeps a parse only for the same profile (the warehouse path, so the data folder)
    and vars. Handing this invocation's parse back lets the next refresh of this data folder
    skip the ~4 s full parse (a refresh with another ZIELMONITOR_DATA_DIR or an --as-of
    re-parses once). Replaced atomically: another data folder's refresh may read it."""
    source = invocation_target / PARTIAL_PARSE
    if not source.exists():
        return
    staged = project_target / f".{PARTIAL_PARSE}.{os.getpid()}"
    shutil.copyfile(source, staged)
    os.replace(staged, project_target / PARTIAL_PARSE)


def failed_nodes(run_results: Mapping[str, Any], error: str = "") -> str:
    """`dbt build failed: …` naming every failed test and model, one per line."""
    failed = [r for r in run_results.get("results", []) if r.get("status") in ("fail", "error")]
    if not run_results:
        why = _one_line(error) or "see the dbt messages above"
        return f"dbt build failed before it ran a model: {why}"
    if not failed:  # a hook: the row tests' one (dbt_project/macros/zeilentests.sql)
        lines = [line.strip() for line in error.splitlines()[2:]]  # after "…in operation…"
        lines = [line for line in lines if line and not line.startswith(">")]  # no macro stack
        return "\n  ".join(["dbt build failed after its models, in dbt's on-run-end hook:", *lines])
    lines = [f"dbt build failed: {len(failed)} failed test(s) or model(s)"]
    for result in failed:
        name = str(result.get("unique_id", "?")).split(".")[2]
        message = str(result.get("message") or "").strip().splitlines()
        lines.append(f"  {result['status'].upper()} {name}: {message[0] if message else ''}")
    return "\n".join(lines)
