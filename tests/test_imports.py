"""Importing the domain package and the Dagster code location has no side effects: no
environment variable changes, no file is written (issue 15). And no `dagster._` import."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from zielmonitor.config import PROJECT_DIR

IMPORT_ALL = """
import importlib, json, os, pkgutil, sys
import zielmonitor

before, umask = dict(os.environ), os.umask(0o022)
os.umask(umask)
names = [m.name for m in pkgutil.walk_packages(zielmonitor.__path__, "zielmonitor.")]
names = [n for n in names if n != "zielmonitor.__main__"]
for name in [*names, "orchestration.definitions"]:
    importlib.import_module(name)
after, umask_after = dict(os.environ), os.umask(umask)
changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
print(json.dumps({"modules": len(names), "changed": changed, "umask": [umask, umask_after]}))
"""


def _listing(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below the roots with its size and mtime."""
    found: dict[str, tuple[int, int]] = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            # skipped: bytecode, the run folders of dagster-dbt (target/dbt_models-<run>) and
            # the parse a finished dbt run hands back (target/partial_parse.msgpack, staged
            # as .partial_parse.msgpack.<pid>), which refreshes of other test workers write
            # meanwhile
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith("dbt_models-")]
            for name in [*dirs, *(f for f in files if "partial_parse.msgpack" not in f)]:
                path = Path(folder, name)
                stat = path.lstat()
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return found


def test_importing_changes_no_variable_and_writes_no_file(tmp_path: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    # without what an earlier import in this process may have set (pandera sets PYARROW_* and
    # SPARK_*), so the child shows whether importing our packages sets it
    unset = ("ZIELMONITOR_", "DAGSTER", "PYARROW_", "SPARK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update(HOME=str(home), DAGSTER_HOME=str(tmp_path / "dagster_home"),
               ZIELMONITOR_DATA_DIR=str(data), ZIELMONITOR_RAW_DIR=str(tmp_path / "raw"),
               PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=str(PROJECT_DIR))  # fmt: skip
    # the places an import could write to: its cwd, HOME, the data and Dagster folders, and
    # the project's dbt target/ and logs/ (a parse at import would write the manifest)
    watched = [tmp_path, PROJECT_DIR / "target", PROJECT_DIR / "logs"]
    top_level = sorted(p.name for p in PROJECT_DIR.iterdir())
    before = _listing(*[w for w in watched if w.exists()])
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["modules"] > 20
    assert result["changed"] == []
    assert result["umask"][0] == result["umask"][1]
    assert _listing(*[w for w in watched if w.exists()]) == before
    assert sorted(p.name for p in PROJECT_DIR.iterdir()) == top_level
    assert not data.exists() and not (tmp_path / "dagster_home").exists()


PRIVATE_IMPORT = re.compile(r"\bdagster\._|dagster_dbt\._|dagster\._core")


def test_no_private_dagster_api() -> None:
    """Private modules change with any Dagster upgrade: none in code, tests or config."""
    offenders = []
    for folder in ("zielmonitor", "orchestration", "tests", "benchmarks"):
        for path in sorted((PROJECT_DIR / folder).rglob("*.py")):
            if path.name != Path(__file__).name and PRIVATE_IMPORT.search(path.read_text()):
                offenders.append(str(path.relative_to(PROJECT_DIR)))
    for config in ("dagster.yaml", "pyproject.toml"):
        if PRIVATE_IMPORT.search((PROJECT_DIR / config).read_text()):
            offenders.append(config)
    assert offenders == []


def test_what_a_refresh_loads_is_frozen_and_collection_goes_on() -> None:
    """The refresh's imports load with the collector paused and are frozen afterwards
    (pipeline.loading_for_the_run); the collector runs again after, also after an error."""
    code = """
import gc, json
from zielmonitor.pipeline import loading_for_the_run
frozen = gc.get_freeze_count()
with loading_for_the_run():
    paused = not gc.isenabled()
    import duckdb
try:
    with loading_for_the_run():
        raise ValueError
except ValueError:
    pass
print(json.dumps([paused, gc.isenabled(), gc.get_freeze_count() > frozen]))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, True, True]
