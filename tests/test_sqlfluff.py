"""The dbt models are `sqlfluff lint` clean (dbt templater, DuckDB dialect, rules in .sqlfluff).

The dbt templater compiles every model as dbt would; profiles.yml reads the warehouse path from
ZIELMONITOR_WAREHOUSE, so the lint gets a scratch file of its own. About a minute."""

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlfluff
from sqlfluff.core import FluffConfig

from zielmonitor.config import PROJECT_DIR

LINTED = ("dbt_project/models", "dbt_project/tests")


def test_dbt_models_lint_clean(tmp_path: Path) -> None:
    sqlfluff_bin = Path(sys.executable).parent / "sqlfluff"
    # its own warehouse, target/ and logs/: the lint must not touch what other tests read
    env = {
        **os.environ,
        "ZIELMONITOR_WAREHOUSE": str(tmp_path / "lint.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    done = subprocess.run(
        [str(sqlfluff_bin), "lint", *LINTED, "--format", "json", "--processes", "1"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    files = json.loads(done.stdout)
    assert len(files) > 40, done.stderr  # every model and singular test was linted
    found = [
        f"{f['filepath']}:{v['start_line_no']} {v['code']} {v['description']}"
        for f in files
        for v in f["violations"]
    ]
    assert found == [], "\n".join(found)
    assert done.returncode == 0, done.stderr


def test_rule_set_flags_what_the_house_style_forbids() -> None:
    """The configured rules are live: uppercase keywords and leading commas fail."""
    config = FluffConfig.from_path(str(PROJECT_DIR), overrides={"templater": "raw"})
    bad = "SELECT\n    a\n    , b\nFROM t\n"
    codes = {v["code"] for v in sqlfluff.lint(bad, config=config)}
    assert {"CP01", "LT04"} <= codes
