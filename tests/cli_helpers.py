"""Run `zielmonitor` as the operator does: a subprocess on a raw folder and a data folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from zielmonitor.config import PROJECT_DIR

CLI_TIMEOUT_S = 600
UNSET = ("DAGSTER_HOME", "ZIELMONITOR_WAREHOUSE")


def cli_env(raw: Path, data: Path, **extra: str) -> dict[str, str]:
    # the CLI sets DAGSTER_HOME under the data folder; ZIELMONITOR_WAREHOUSE would point dbt
    # at another warehouse (profiles.yml)
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(ZIELMONITOR_RAW_DIR=str(raw), ZIELMONITOR_DATA_DIR=str(data), **extra)
    return env


def run_cli(raw: Path, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`zielmonitor ARGS` with its exit code and everything it printed (stdout + stderr)."""
    return subprocess.run(
        [sys.executable, "-m", "zielmonitor.cli", *args], cwd=PROJECT_DIR,
        env=cli_env(raw, data, **env), capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
    )  # fmt: skip


def output(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout + done.stderr


def assert_clean_failure(done: subprocess.CompletedProcess[str]) -> str:
    """Non-zero exit, and no traceback on the operator's terminal."""
    text = output(done)
    assert done.returncode != 0, text[-4000:]
    assert "Traceback" not in text, text[-4000:]
    return text
