"""`dbt build` in the Dagster process (dbt's programmatic `dbtRunner`), its messages into
the run's log.

Not `DbtCliResource.cli`: before it starts dbt, dagster-dbt 0.29 runs `dbt --version` in a
subprocess (2.2 s) and sets up a dbt adapter in the Dagster process (1.6 s), on every
refresh, and then translates every dbt event (≈ 600 per build). Not a `dbt` subprocess
either: starting one cost ≈ 1.3 s before dbt's first message on every refresh; in this
process dbt's modules are mostly loaded already (dagster-dbt imports them). Its messages
are logged as they come (docs/benchmarks.md, "Results (issue 16, fourth round: dbt in the
Dagster process)").

dbt's own JSON artefacts (manifest.json twice, run_results.json) are not written
(`--no-write-json`): that cost ≈ 0.5 s of every refresh. Each node's result comes from dbt's
`NodeFinished` event instead, as dbt finishes the node, so the step materialises a model
while dbt builds the next (dbt_models); `node_results.json` in the run's folder keeps them."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration.log_batch import EVERY_S, BatchedLog

NOISE = re.compile(r"^\d+ of \d+ (START|PASS) ")  # per node; dbt.log and node_results keep them
PARTIAL_PARSE = "partial_parse.msgpack"
NODE_RESULTS = "node_results.json"  # each node's result, in the field names of run_results.json
TRACEBACK = "dbt_traceback.txt"  # the stack trace of an error that stopped dbt
SHOWN = ("info", "warn", "error")  # dbt's levels on its terminal (debug: dbt_log_level)


@dataclass(frozen=True)
class DbtRun:
    returncode: int  # as dbt's command line: 0 success, 1 failed nodes or hook, 2 stopped
    run_results: Mapping[str, Any]  # {"elapsed_time", "results"}; {} when no node ran
    error: str = ""  # why dbt stopped, when it did

    @property
    def success(self) -> bool:
        return self.returncode == 0 and bool(self.run_results)


def run_dbt(
    args: Sequence[str], project_dir: Path, target: Path, log: Callable[[str], None]
) -> DbtRun:
    """Run `dbt <args>` to its end (stream_dbt) and return its outcome."""
    nodes = stream_dbt(args, project_dir, target, log)
    while True:
        try:
            next(nodes)
        except StopIteration as done:
            return done.value


def stream_dbt(
    args: Sequence[str],
    project_dir: Path,
    target: Path,
    log: Callable[[str], None],
    manifest: Any = None,
) -> Generator[dict[str, Any], None, DbtRun]:
    """Run `dbt <args>` with its dbt.log in `target`, from `manifest` (DbtParse's) if given,
    else from the parse in the project's target/ (its parent), handing dbt's parse back to
    it (`keep_parse`); log each message but the per-node noise; yield each node's result as
    dbt finishes it, and return the outcome. An error that stops dbt is logged as one line;
    its stack trace, or that of a Python error of dbt's own, goes to
    `target/dbt_traceback.txt`.

    dbt runs in a thread of its own: this thread logs its messages (Dagster's log is the
    step's) and, when the run is stopped (Ctrl-C, terminated from the UI) or the caller
    stops reading, cancels dbt's query and lets the stop go on."""
    if manifest is None:
        _take_parse(target)
    log(f"dbt {' '.join(args)}")
    events: queue.SimpleQueue[Any] = queue.SimpleQueue()
    worker = _DbtThread([*args, *_options(project_dir, target)], events, manifest)
    started = time.monotonic()
    worker.start()
    error, results, elapsed = "", [], None
    lines = BatchedLog(log)  # a line per node: one message per 2 s (orchestration/log_batch.py)
    try:
        while (event := _next_event(events, lines)) is not None:
            name, level, msg = event.info.name, event.info.level, str(event.info.msg).strip()
            if name == "NodeFinished":
                results.append(_node_result(event.data))
                yield results[-1]
            elif name == "EndRunResult":
                elapsed = event.data.elapsed_time
            if name == "MainEncounteredError":  # dbt stopped: why, in one line
                error = msg
                lines.flush()
                log(f"dbt: {_one_line(error)}")
            elif name == "MainStackTrace":  # (a debug message: not in an info dbt.log)
                (target / TRACEBACK).write_text(msg + "\n", encoding="utf-8")
            elif _shown(level, msg):
                lines(msg)
    except BaseException:  # the run is stopped: dbt too, and the stop goes on
        _cancel_queries()
        raise
    finally:
        lines.flush()
    worker.join()
    if manifest is None:
        keep_parse(target, target.parent)
    run_results = _write_results(target, results, elapsed or time.monotonic() - started)
    return _outcome(worker, target, run_results, error)


def _next_event(events: queue.SimpleQueue[Any], lines: BatchedLog) -> Any:
    """dbt's next event; the gathered lines go out while dbt works on a long node."""
    while True:
        try:
            return events.get(timeout=EVERY_S)
        except queue.Empty:
            lines.flush_if_due()


def _options(project_dir: Path, target: Path) -> list[str]:
    return [
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target),  # the run's own dbt.log
        "--log-level", "none", "--log-level-file", dbt_log_level(),  # messages: via `events`
        "--no-write-json",  # node results: from the events
        "--no-use-colors",  # plain text in the run's log, whoever launched it (UI, daemon)
    ]  # fmt: skip


def dbt_log_level() -> str:
    """The level of the run's dbt.log: `info` (a line per node, every message), or `debug`
    (every query, ≈ 0.3 s more per refresh at SF1) with ZIELMONITOR_DBT_LOG_LEVEL=debug."""
    return os.environ.get("ZIELMONITOR_DBT_LOG_LEVEL", "info")


def _take_parse(target: Path) -> None:
    """The project's last parse (target/partial_parse.msgpack) into the run's `target`."""
    target.mkdir(parents=True, exist_ok=True)
    parse = target.parent / PARTIAL_PARSE
    if parse.exists():
        shutil.copyfile(parse, target / PARTIAL_PARSE)


class DbtParse(threading.Thread):
    """`dbt parse` with the build's vars, in a thread of its own, started when the run starts:
    the ingest runs meanwhile, and the build starts from its manifest (`dbtRunner(manifest=…)`,
    dbt's programmatic API) instead of parsing again, ≈ 0.7 s of every refresh. When the
    parse fails, the build parses itself and reports the error as always."""

    def __init__(self, dbt_vars: Mapping[str, Any], project_dir: Path, target: Path) -> None:
        super().__init__(name="dbt-parse", daemon=True)
        self.dbt_vars, self.project_dir, self.target = dict(dbt_vars), project_dir, target
        self._manifest: Any = None

    def run(self) -> None:
        with contextlib.suppress(Exception):  # (the build then parses and reports it)
            _take_parse(self.target)
            from dbt.cli.main import dbtRunner

            cli = ["parse", "--vars", json.dumps(self.dbt_vars)]
            result = dbtRunner().invoke([*cli, *_options(self.project_dir, self.target)])
            if result.success:
                keep_parse(self.target, self.target.parent)
                self._manifest = result.result

    def manifest(self, dbt_vars: Mapping[str, Any]) -> Any:
        """The parsed manifest for a build with `dbt_vars`, once the parse is done; None
        when the parse failed or had other vars."""
        self.join()
        return self._manifest if dict(dbt_vars) == self.dbt_vars else None


def _node_result(finished: Any) -> dict[str, Any]:
    """A `NodeFinished` event as an entry of dbt's run_results.json."""
    result = finished.run_result
    return {
        "unique_id": finished.node_info.unique_id,
        "status": result.status,
        "message": result.message or None,
        "execution_time": result.execution_time,
        "timing": [
            {
                "name": t.name,
                "started_at": t.started_at.ToJsonString(),
                "completed_at": t.completed_at.ToJsonString(),
            }
            for t in result.timing_info
        ],  # fmt: skip
    }


def _write_results(target: Path, results: list[dict[str, Any]], elapsed: float) -> dict:
    """node_results.json, as dbt's run_results.json has them: {} when no node ran."""
    if not results:
        return {}
    run_results = {"elapsed_time": elapsed, "results": results}
    (target / NODE_RESULTS).write_text(json.dumps(run_results, indent=1), encoding="utf-8")
    return run_results


def _shown(level: str, msg: str) -> bool:
    """What dbt shows on its terminal, less the per-node START/PASS lines (dbt.log and
    node_results.json keep them)."""
    return level in SHOWN and bool(msg) and not NOISE.match(msg)


class _DbtThread(threading.Thread):
    """One dbt invocation; every dbt event into `events`, then None."""

    def __init__(self, cli: list[str], events: queue.SimpleQueue[Any], manifest: Any) -> None:
        super().__init__(name="dbt", daemon=True)  # a stopped run's process may exit
        self.cli, self.events, self.manifest = cli, events, manifest
        self.result: Any = None  # dbtRunner's result
        self.error: BaseException | None = None  # dbt could not be started at all

    def run(self) -> None:
        try:
            from dbt.cli.main import dbtRunner

            dbt = dbtRunner(manifest=self.manifest, callbacks=[self.events.put])
            self.result = dbt.invoke(self.cli)
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


def _outcome(
    worker: _DbtThread, target: Path, run_results: Mapping[str, Any], error: str
) -> DbtRun:
    """dbt's outcome as its command line gives it: exit code and the nodes' results (kept
    also when an on-run-end hook fails, unlike dbtRunner's result)."""
    result = worker.result
    if result is not None and result.success:
        return DbtRun(0, run_results)
    exception = getattr(result, "exception", None) or worker.error
    if exception is not None and not error:  # not dbt's own error: a Python error in dbt
        lines = traceback.format_exception(exception)
        (target / TRACEBACK).write_text("".join(lines), encoding="utf-8")
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
