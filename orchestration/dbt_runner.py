"""`dbt build` in a process of its own, forked from the Dagster run's (dbt's programmatic
`dbtRunner` there), its messages into the run's log.

Not `DbtCliResource.cli`: before it starts dbt, dagster-dbt 0.29 runs `dbt --version` in a
subprocess (2.2 s) and sets up a dbt adapter in the Dagster process (1.6 s), on every
refresh, and then translates every dbt event (≈ 600 per build). Not a `dbt` command either:
a new interpreter imports dbt again (≈ 1.3 s before dbt's first message). The child is
forked when the run starts, with dbt's modules loaded (dagster-dbt imports them): it parses
the project while the ingest runs, and builds when the dbt step asks. In a thread of the
run's process (the fourth to seventh rounds), dbt's Python and Dagster's took turns on one
interpreter lock: the parse slowed the ingest, and storing each materialisation slowed the
next node (docs/benchmarks.md, "eighth round").

dbt's own JSON artefacts (manifest.json twice, run_results.json) are not written
(`--no-write-json`): that cost ≈ 0.5 s of every refresh. Each node's result comes from dbt's
`NodeFinished` event instead, as dbt finishes the node, so the step materialises a model
while dbt builds the next (dbt_models); `node_results.json` in the run's folder keeps them."""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import re
import shutil
import signal
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
ERRORS = ("MainEncounteredError", "MainStackTrace")  # why dbt stopped; its stack trace (debug)
STOP_WAIT_S = 30.0  # for dbt to cancel its query when the run is stopped


@dataclass(frozen=True)
class DbtRun:
    returncode: int  # as dbt's command line: 0 success, 1 failed nodes or hook, 2 stopped
    run_results: Mapping[str, Any]  # {"elapsed_time", "results"}; {} when no node ran
    error: str = ""  # why dbt stopped, when it did
    parsed_ahead: bool = False  # built from the parse begun with the run

    @property
    def success(self) -> bool:
        return self.returncode == 0 and bool(self.run_results)


def run_dbt(
    args: Sequence[str], project_dir: Path, target: Path, log: Callable[[str], None]
) -> DbtRun:
    """Run `dbt <args>` to its end (DbtProcess.build, no parse ahead) and return its outcome."""
    dbt = DbtProcess(project_dir, target)
    dbt.start()
    try:
        return run_to_end(dbt.build(args, {}, log))
    finally:
        dbt.close()


def run_to_end(nodes: Generator[dict[str, Any], None, DbtRun]) -> DbtRun:
    """A build's outcome, its node results read to the end."""
    while True:
        try:
            next(nodes)
        except StopIteration as done:
            return done.value


class DbtProcess:
    """dbt in a process of its own, forked when the run starts.

    Forked, the child has dbt's modules loaded already (dagster-dbt imports them), so it
    starts at once. It first parses the project with the build's vars (`parse_vars`), while
    the ingest runs, then waits for the build's arguments (`build`); a build with other vars
    parses itself. Its own interpreter lock is the point: in this process, Dagster storing a
    materialisation (≈ 25 ms of Python each) and dbt compiling the next node took turns on
    one lock (docs/benchmarks.md, eighth round).

    The child sends dbt's node results and the messages dbt shows on its terminal through a
    pipe; `build` logs the messages (Dagster's log is the step's) and yields each node's
    result as dbt finishes it. When the run is stopped or the caller stops reading, the child
    is told to stop (SIGTERM: dbt cancels its query) and the stop goes on."""

    def __init__(self, project_dir: Path, target: Path, parse_vars: Mapping | None = None) -> None:
        self.project_dir, self.target = project_dir, target
        self.parse_vars = None if parse_vars is None else dict(parse_vars)
        self._conn: Any = None
        self._process: Any = None

    def start(self) -> None:
        gc.freeze()  # neither process's collector then writes to the pages both share
        context = multiprocessing.get_context("fork")  # (spawn would import dbt again: 1.5 s)
        self._conn, child_end = context.Pipe()
        args = (child_end, self.project_dir, self.target, self.parse_vars)
        self._process = context.Process(target=_child, args=args, name="dbt", daemon=True)
        self._process.start()
        child_end.close()

    def build(
        self, args: Sequence[str], dbt_vars: Mapping[str, Any], log: Callable[[str], None]
    ) -> Generator[dict[str, Any], None, DbtRun]:
        """Run `dbt <args>` with its dbt.log in the target; log each message but the
        per-node noise; yield each node's result as dbt finishes it, and return the outcome.
        An error that stops dbt is logged as one line; its stack trace, or that of a Python
        error of dbt's own, goes to `target/dbt_traceback.txt`."""
        log(f"dbt {' '.join(args)}")
        started = time.monotonic()
        self._conn.send((list(args), dict(dbt_vars)))
        error, results, elapsed, end = "", [], None, None
        lines = BatchedLog(log)  # a line per node: one message per 2 s (log_batch.py)
        try:
            while (item := self._next(lines)) is not None:
                if item[0] == "end":
                    end = item
                    break
                name, level, msg, data = item
                if name == "NodeFinished":
                    results.append(data)
                    yield data
                elif name == "EndRunResult":
                    elapsed = data
                elif name == "MainEncounteredError":  # dbt stopped: why, in one line
                    error = msg
                    lines.flush()
                    log(f"dbt: {_one_line(error)}")
                elif name == "MainStackTrace":  # (a debug message: not in an info dbt.log)
                    (self.target / TRACEBACK).write_text(msg + "\n", encoding="utf-8")
                else:
                    lines(msg)
        except BaseException:  # the run is stopped: dbt too, and the stop goes on
            self.stop()
            raise
        finally:
            lines.flush()
        self._process.join()
        run_results = _write_results(self.target, results, elapsed or time.monotonic() - started)
        return _outcome(end, self._process.exitcode, self.target, run_results, error)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.is_alive()

    @property
    def pid(self) -> int:
        assert self._process is not None and self._process.pid is not None, "not started"
        return self._process.pid

    def close(self) -> None:
        """At the end of the run. Without a build (nothing to do, a failed ingest) the child
        ends after its parse, so no two dbt invocations write the target at once."""
        if self.running:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._process.join()
        if self._conn is not None:
            self._conn.close()
        gc.unfreeze()  # the run is over: what was frozen for it may be collected again

    def stop(self) -> None:
        """dbt cancels its query and ends; killed if it has not after STOP_WAIT_S."""
        with contextlib.suppress(OSError):
            self._process.terminate()
        self._process.join(STOP_WAIT_S)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _next(self, lines: BatchedLog) -> Any:
        """The child's next item (None: it ended); gathered lines go out meanwhile."""
        while not self._conn.poll(EVERY_S):
            lines.flush_if_due()
        try:
            return self._conn.recv()
        except EOFError:
            return None


def _child(conn: Any, project_dir: Path, target: Path, parse_vars: dict | None) -> None:
    """The forked dbt process: parse, wait for a build, run it, send the outcome."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the run, which stops us
    signal.signal(signal.SIGTERM, _interrupt)
    _end_with_parent()
    try:
        manifest = _parse(parse_vars, project_dir, target) if parse_vars is not None else None
        request = conn.recv()
        if request is None:
            return
        args, dbt_vars = request
        if parse_vars is None or dbt_vars != parse_vars:
            manifest = None
        outcome = _build(conn, args, manifest, project_dir, target)
        conn.send(("end", *outcome, manifest is not None))
    except (EOFError, OSError, KeyboardInterrupt):
        pass  # the run ended or stopped us
    finally:
        _close_connections()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # dbt cancels its open queries on it


def _end_with_parent() -> None:
    """SIGTERM when the run's process dies (kill -9 included): no dbt left writing."""
    with contextlib.suppress(Exception):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _parse(dbt_vars: Mapping[str, Any], project_dir: Path, target: Path) -> Any:
    """`dbt parse` with the build's vars: its manifest, or None when it failed (the build then
    parses itself and reports the error as always)."""
    with contextlib.suppress(Exception):
        _take_parse(target)
        from dbt.cli.main import dbtRunner

        cli = ["parse", "--vars", json.dumps(dict(dbt_vars)), *_options(project_dir, target)]
        result = dbtRunner().invoke(cli)
        if result.success:
            keep_parse(target, target.parent)
            return result.result
    return None


def _build(
    conn: Any, args: Sequence[str], manifest: Any, project_dir: Path, target: Path
) -> tuple[bool, tuple[str, str] | None]:
    """One dbt invocation, its events sent as they come: (success, Python error)."""
    if manifest is None:
        _take_parse(target)
    result, error = None, None
    try:
        from dbt.cli.main import dbtRunner

        dbt = dbtRunner(manifest=manifest, callbacks=[lambda e: _send(conn, e)])
        result = dbt.invoke([*args, *_options(project_dir, target)])
    except Exception as exc:  # (invoke itself returns every error in its result)
        error = exc
    if manifest is None:
        keep_parse(target, target.parent)
    exception = getattr(result, "exception", None) or error
    success = result is not None and result.success
    return success, None if exception is None else _error_info(exception)


def _send(conn: Any, event: Any) -> None:
    """What the run needs of a dbt event: node results, the end, errors, shown messages."""
    name, level = event.info.name, event.info.level
    if name == "NodeFinished":
        conn.send((name, level, "", _node_result(event.data)))
    elif name == "EndRunResult":
        conn.send((name, level, "", event.data.elapsed_time))
    elif level in SHOWN or name in ERRORS:  # debug events, most of them, are never rendered
        msg = str(event.info.msg).strip()
        if name in ERRORS or _shown(level, msg):
            conn.send((name, level, msg, None))


def _error_info(exception: BaseException) -> tuple[str, str]:
    lines = traceback.format_exception(exception)
    return f"{type(exception).__name__}: {exception}", "".join(lines)


def _options(project_dir: Path, target: Path) -> list[str]:
    return [
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target),  # the run's own dbt.log
        "--log-level", "none", "--log-level-file", dbt_log_level(),  # messages: via the pipe
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


def _close_connections() -> None:
    """dbt-duckdb keeps its connection for the process's life: the warehouse file must be
    free for the publish step and the next writer (dbt-duckdb#616)."""
    with contextlib.suppress(Exception):
        from dbt.adapters.duckdb import DuckDBConnectionManager

        DuckDBConnectionManager.close_all_connections()


def _outcome(
    end: tuple | None, exitcode: int | None, target: Path, run_results: Mapping, error: str
) -> DbtRun:
    """dbt's outcome as its command line gives it: exit code and the nodes' results (kept
    also when an on-run-end hook fails, unlike dbtRunner's result)."""
    if end is None:  # the child died (killed, out of memory)
        error = error or f"dbt's process ended without a result (exit code {exitcode})"
        return DbtRun(1 if run_results else 2, run_results, error)
    _, success, python_error, parsed_ahead = end
    if success:
        return DbtRun(0, run_results, parsed_ahead=parsed_ahead)
    if python_error is not None and not error:  # not dbt's own error: a Python error in dbt
        error, trace = python_error
        (target / TRACEBACK).write_text(trace, encoding="utf-8")
    return DbtRun(1 if run_results else 2, run_results, error, parsed_ahead)


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
