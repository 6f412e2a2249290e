"""Files holding person data are owner-only whatever the umask; what BI users read is not.

A real `zielmonitor refresh` runs as a subprocess with the common umask 022 over a tiny
generated dataset, then a second one over a broken re-delivery (it is rejected: a rejection
CSV with person_ids is written, nothing is published). The tests run as root here, so they
check modes, not access. See docs/confidentiality.md, "Files holding person data".
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli_helpers import cli_env
from tests.ingest_helpers import rehash
from zielmonitor.config import PROJECT_DIR

TIMEOUT_S = 600


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@dataclass
class Refresh:
    returncode: int
    output: str
    wal_modes: set[int]  # modes of warehouse.duckdb.wal seen while the refresh ran


def _refresh(raw: Path, data: Path) -> Refresh:
    """`zielmonitor refresh` under umask 022, watching the WAL DuckDB creates and deletes."""
    env = cli_env(raw, data)
    wal = data / "warehouse.duckdb.wal"
    seen: set[int] = set()
    with subprocess.Popen(
        [sys.executable, "-m", "zielmonitor.cli", "refresh"], cwd=PROJECT_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: os.umask(0o022),
    ) as proc:  # fmt: skip
        deadline = time.monotonic() + TIMEOUT_S
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError):  # the WAL comes and goes
                seen.add(_mode(wal))
            time.sleep(0.005)
        if proc.poll() is None:
            proc.kill()
        output = proc.stdout.read() if proc.stdout else ""
    if wal.exists():
        seen.add(_mode(wal))
    return Refresh(proc.wait(), output, seen)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Refresh, Refresh]:
    from zielmonitor.generator import generate

    root = tmp_path_factory.mktemp("permissions")
    raw, data = root / "raw", root / "data"
    generate(raw, jobcenters=1, seed=42, start="2016-01", end="2016-03", scale=0.02)
    clean = _refresh(raw, data)
    assert clean.returncode == 0, clean.output[-4000:]
    # a warehouse and lock from before the rule (0644) are closed by the next refresh
    os.chmod(data / "warehouse.duckdb", 0o644)
    os.chmod(data / ".warehouse.lock", 0o644)
    # a broken re-delivery: an invalid code in a person row, manifest re-hashed
    newest = max((raw / "jobcenter=05111").glob("berichtsmonat=*/stand=*"))
    elb = newest / "elb_bestand.csv"
    header, first_row, rest = elb.read_bytes().split(b"\r\n", 2)
    assert header.split(b";")[3] == b"geschlecht"
    cells = first_row.split(b";")
    cells[3] = b"X"
    elb.write_bytes(b"\r\n".join([header, b";".join(cells), rest]))
    rehash(newest)
    broken = _refresh(raw, data)
    assert broken.returncode != 0, broken.output[-4000:]
    return data, clean, broken


def test_person_level_files_are_owner_only(runs: tuple[Path, Refresh, Refresh]) -> None:
    data, clean, broken = runs
    assert _mode(data / "warehouse.duckdb") == 0o600
    assert clean.wal_modes | broken.wal_modes <= {0o600}, "WAL readable by others"
    assert _mode(data / ".warehouse.lock") == 0o600

    rejections = data / "rejections"
    files = list(rejections.glob("*.csv"))
    assert files, broken.output[-4000:]
    assert any("geschlecht" in f.read_text(encoding="utf-8") for f in files)  # rows, values
    assert _mode(rejections) == 0o700
    assert {_mode(f) for f in files} == {0o600}

    home = data / "dagster_home"
    assert _mode(home) == 0o700
    exposed = [p for p in home.rglob("*") if _mode(p) & 0o077 and not p.is_symlink()]
    assert not exposed, exposed[:5]


def test_published_files_stay_readable(runs: tuple[Path, Refresh, Refresh]) -> None:
    data, _, _ = runs
    assert _mode(data) == 0o755  # BI users must reach marts.duckdb
    assert _mode(data / "marts.duckdb") == 0o644
    link = data / "marts_parquet"
    assert link.is_symlink()
    version = link.resolve()
    assert _mode(version) == 0o755
    parquet = list(version.glob("*.parquet"))
    assert parquet and {_mode(p) for p in parquet} == {0o644}
