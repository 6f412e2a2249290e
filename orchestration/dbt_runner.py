"""`dbt build` as a plain subprocess, its messages into the run's log.

Not `DbtCliResource.cli`: before it starts dbt, dagster-dbt 0.29 runs `dbt --version` in a
subprocess (2.2 s) and sets up a dbt adapter in the Dagster process (1.6 s), on every
refresh, and then translates every dbt event (≈ 600 per build). The refresh needs none of
it: the asset keys of what dbt built come from run_results.json (dbt_models), and dbt's
messages are logged as they come (docs/benchmarks.md, "Less around dbt")."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NOISE = re.compile(r"^\d+ of \d+ (START|PASS) ")  # per node; dbt.log and run_results keep them
PARTIAL_PARSE = "partial_parse.msgpack"


def dbt_executable() -> str:
    """The dbt of this environment, found without an activated venv on PATH."""
    return str(Path(sys.executable).with_name("dbt"))


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    run_results: Mapping[str, Any]  # {} when dbt stopped before running a node
    error: str = ""  # why dbt stopped, when it did (its error, or its last line outside the log)

    @property
    def success(self) -> bool:
        return self.returncode == 0 and bool(self.run_results)


def run_dbt(
    args: Sequence[str],
    project_dir: Path,
    target: Path,
    log: Callable[[str], None],
    executable: str | None = None,  # this environment's dbt
) -> DbtRun:
    """Run `dbt <args>` with its artefacts and dbt.log in `target`, starting from the parse
    in the project's target/ (its parent) and handing dbt's parse back to it
    (`keep_parse`); log each message but the per-node noise. An
    error that stops dbt is logged as one line, without its stack trace (dbt.log keeps
    it); what dbt writes outside its JSON log goes to `target/dbt_output.txt`."""
    target.mkdir(parents=True, exist_ok=True)
    parse = target.parent / PARTIAL_PARSE
    if parse.exists():
        shutil.copyfile(parse, target / PARTIAL_PARSE)
    cmd = [
        executable or dbt_executable(), "--log-format", "json", *args,
        "--project-dir", str(project_dir), "--profiles-dir", str(project_dir),
        "--target-path", str(target), "--log-path", str(target),  # the run's own dbt.log
    ]  # fmt: skip
    log(f"dbt {' '.join(args)}")
    other = target / "dbt_output.txt"
    with (
        other.open("w", encoding="utf-8") as raw,
        subprocess.Popen(
            cmd, cwd=project_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True,
        ) as proc,
    ):  # fmt: skip
        assert proc.stdout is not None
        error = last_raw = ""
        try:
            for line in proc.stdout:
                event = _event(line)
                if event is None:  # not dbt's log: a crash of dbt's Python, or a usage error
                    raw.write(line)
                    last_raw = line.strip() or last_raw
                elif event.name == "MainEncounteredError":  # dbt stopped: why, in one line
                    error = event.msg
                    log(f"dbt: {_one_line(error)}")
                elif event.name != "MainStackTrace" and event.msg and not NOISE.match(event.msg):
                    log(event.msg)  # (a stack trace stays in the run's dbt.log)
        except BaseException:  # the run is stopped (Ctrl-C, terminated from the UI): dbt too
            proc.terminate()
            raise
    keep_parse(target, target.parent)
    results = target / "run_results.json"
    run_results = json.loads(results.read_text(encoding="utf-8")) if results.exists() else {}
    return DbtRun(proc.returncode, run_results, error or last_raw)


@dataclass(frozen=True)
class _Event:
    name: str
    msg: str


def _event(line: str) -> _Event | None:
    """One line of dbt's JSON log; None for a line that is not one."""
    try:
        info = json.loads(line)["info"]
        return _Event(str(info["name"]), str(info["msg"]).strip())
    except (ValueError, KeyError, TypeError):
        return None


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
