"""Operations: the sensor and the schedule, the one job and its writer lock, readers during a
refresh, kill -9 at every phase, revisions and as-of, and marts.duckdb opened by DuckDB 1.5.

One tiny generated dataset (scale 0.02, 2015-01 … 2016-03) is shared by the module. The
deliveries of the newest stand date (revisions of the last months) are held back and "land"
later, like a real re-delivery. Refreshes run as `zielmonitor refresh` subprocesses.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from dagster import DagsterInstance

from tests.cli_helpers import cli_env
from tests.test_incremental import MONTH_WISE
from zielmonitor.config import PROJECT_DIR
from zielmonitor.publish.marts import marts_hash

REFRESH_TIMEOUT_S = 600


# --- helpers --------------------------------------------------------------------------------


def _refresh_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "zielmonitor.cli", "refresh", *args]


def refresh(raw: Path, data: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        _refresh_cmd(*args), cwd=PROJECT_DIR, env=cli_env(raw, data, **env),
        capture_output=True, text=True, timeout=REFRESH_TIMEOUT_S,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


def kennzahlen(path: Path) -> dict[tuple, tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "SELECT jobcenter_id, berichtsmonat, kennzahl, gruppe, variante,"
            " zaehler, nenner, wert, vorlaeufig FROM kennzahlen_monat"
        ).fetchall()
    finally:
        con.close()
    return {r[:5]: r[5:] for r in rows}


def delivery_dirs(raw: Path) -> list[Path]:
    return sorted(raw.glob("jobcenter=*/berichtsmonat=*/stand=*"))


def land(delivery: Path, source_root: Path, raw: Path) -> Path:
    """Copy a held-back delivery into the raw folder (as a new delivery would arrive)."""
    target = raw / delivery.relative_to(source_root)
    shutil.copytree(delivery, target)
    return target


def no_publish_temps(data: Path) -> bool:
    return not [p for p in data.glob(".marts*") if ".tmp" in p.name]


# --- the shared dataset -----------------------------------------------------------------------


@dataclass
class Dataset:
    root: Path
    full: Path  # every generated delivery
    raw: Path  # what has "landed" so far
    held: list[Path]  # deliveries of the newest stand date, held back (under `full`)

    @property
    def held_date(self) -> date:
        return date.fromisoformat(self.held[0].name.removeprefix("stand="))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    from zielmonitor.generator import generate

    root = tmp_path_factory.mktemp("operations")
    full = root / "full"
    generate(full, jobcenters=1, seed=42, start="2015-01", end="2016-03", scale=0.02)
    newest = max(p.name for p in delivery_dirs(full))
    held = [p for p in delivery_dirs(full) if p.name == newest]
    # every held delivery revises a month that already has an earlier stand
    assert held and all(len(list(p.parent.glob("stand=*"))) > 1 for p in held)
    raw = root / "raw"
    shutil.copytree(full, raw, ignore=lambda d, names: [n for n in names if n == newest])
    return Dataset(root, full, raw, held)


@dataclass
class State:
    data: Path
    hash: str
    parquet: str  # the version directory marts_parquet points to
    output: str


@pytest.fixture(scope="module")
def first(dataset: Dataset) -> State:
    """The initial refresh, before the revisions land; a copy of its data folder is kept."""
    data = dataset.root / "data1"
    output = refresh(dataset.raw, data)
    shutil.copytree(data, dataset.root / "data1_first", symlinks=True)
    return State(data, marts_hash(data / "marts.duckdb"), os.readlink(data / "marts_parquet"),
                 output)  # fmt: skip


READER = textwrap.dedent("""
    import hashlib, sys, duckdb
    def fingerprint(con):
        rows = con.execute("SELECT * FROM kennzahlen_monat ORDER BY ALL").fetchall()
        return hashlib.sha256(repr(rows).encode()).hexdigest()
    path = sys.argv[1]
    con = duckdb.connect(path, read_only=True)
    print("before", fingerprint(con), flush=True)
    sys.stdin.readline()  # the refresh runs meanwhile, the connection stays open
    print("held", fingerprint(con), flush=True)
    con.close()
    print("reconnected", fingerprint(duckdb.connect(path, read_only=True)), flush=True)
""")


@dataclass
class Revised(State):
    reader: dict[str, str]


@pytest.fixture(scope="module")
def revised(dataset: Dataset, first: State) -> Revised:
    """The revisions land; the refresh runs while another process holds marts.duckdb open."""
    for delivery in dataset.held:
        land(delivery, dataset.full, dataset.raw)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(first.data / "marts.duckdb")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        seen = {"before": reader.stdout.readline().split()[1]}
        output = refresh(dataset.raw, first.data)
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    seen.update(line.split() for line in out.splitlines())
    data = first.data
    return Revised(data, marts_hash(data / "marts.duckdb"), os.readlink(data / "marts_parquet"),
                   output, seen)  # fmt: skip


# --- automation: sensor and schedule ------------------------------------------------------------


def _evaluate(raw: Path, data: Path, monkeypatch: pytest.MonkeyPatch, settle: str = "0"):
    from dagster import build_sensor_context

    from orchestration.automation import new_deliveries_sensor

    monkeypatch.setenv("ZIELMONITOR_RAW_DIR", str(raw))
    monkeypatch.setenv("ZIELMONITOR_DATA_DIR", str(data))
    monkeypatch.setenv("ZIELMONITOR_SENSOR_SETTLE_SECONDS", settle)
    with DagsterInstance.ephemeral() as instance:
        return new_deliveries_sensor(build_sensor_context(instance=instance))


def _launched_like_the_cli(request) -> None:  # noqa: ANN001
    from orchestration.launch import refresh_run

    spec = refresh_run(trigger="sensor")
    assert request.run_config == spec.run_config and request.tags.items() >= spec.tags.items()


def test_sensor_requests_a_refresh_while_the_raw_folder_differs_from_the_warehouse(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import RunRequest

    raw = tmp_path / "raw"
    shutil.copytree(dataset.full, raw, ignore=shutil.ignore_patterns(dataset.held[0].name))
    empty = tmp_path / "data"  # nothing loaded yet

    request = _evaluate(raw, empty, monkeypatch)
    assert isinstance(request, RunRequest) and request.run_key.startswith("lieferungen-")
    _launched_like_the_cli(request)
    assert _evaluate(raw, empty, monkeypatch).run_key == request.run_key  # same set, same key

    land(dataset.held[0], dataset.full, raw)  # a new stand of an old month
    second = _evaluate(raw, empty, monkeypatch)
    assert isinstance(second, RunRequest) and second.run_key != request.run_key


def test_sensor_waits_until_a_delivery_has_settled(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import SkipReason

    result = _evaluate(dataset.full, tmp_path / "data", monkeypatch, settle="3600")
    assert isinstance(result, SkipReason) and "still being copied" in str(result.skip_message)


def test_sensor_requests_nothing_after_a_cli_refresh(
    dataset: Dataset, first: State, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One record of what is loaded: raw.lieferungen, written by the refresh, read by the
    sensor. A held-back delivery landing, or a loaded one vanishing, is a new request."""
    from dagster import RunRequest, SkipReason

    raw = tmp_path / "raw"
    shutil.copytree(dataset.full, raw, ignore=shutil.ignore_patterns(dataset.held[0].name))
    data = tmp_path / "data"
    shutil.copytree(dataset.root / "data1_first", data, symlinks=True)  # after the CLI refresh
    assert isinstance(_evaluate(raw, data, monkeypatch), SkipReason)

    landed = land(dataset.held[0], dataset.full, raw)
    assert isinstance(_evaluate(raw, data, monkeypatch), RunRequest)
    shutil.rmtree(landed)
    gone = delivery_dirs(raw)[0]
    shutil.rmtree(gone)
    assert isinstance(_evaluate(raw, data, monkeypatch), RunRequest)  # vanished: a refresh


def test_sensor_skips_while_a_run_writes(
    dataset: Dataset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import SkipReason

    from zielmonitor.config import Paths
    from zielmonitor.locking import warehouse_lock

    data = tmp_path / "data"
    with warehouse_lock(Paths(dataset.full, data), "a test holding the lock"):
        result = _evaluate(dataset.full, data, monkeypatch)
    assert isinstance(result, SkipReason) and "a test holding the lock" in str(result.skip_message)


@pytest.mark.parametrize(
    ("tick", "month"),
    [(datetime(2016, 4, 20, 6), "2016-03"), (datetime(2016, 1, 20, 6), "2015-12")],
)
def test_schedule_refreshes_once_a_month(tick: datetime, month: str) -> None:
    from dagster import build_schedule_context

    from orchestration.automation import monthly_safety_net
    from orchestration.launch import refresh_run

    when = tick.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    request = monthly_safety_net(build_schedule_context(scheduled_execution_time=when))
    assert request.run_key == f"monatlich-{month}"  # the previous month: once per month
    assert request.run_config == refresh_run().run_config


def test_one_job_one_writer_lock() -> None:
    """Every launch runs the job `refresh` in one process; the WarehouseResource's lock is
    the only serialisation (no run-queue limits), and every asset requires that resource."""
    import yaml

    from orchestration.definitions import defs

    config = yaml.safe_load((PROJECT_DIR / "dagster.yaml").read_text())
    assert "concurrency" not in config and "run_coordinator" not in config
    assert [job.name for job in defs.resolve_all_job_defs() if not job.name.startswith("__")] == [
        "refresh"
    ]
    assert defs.resolve_job_def("refresh").executor_def.name == "in_process"
    for assets in defs.assets or []:
        assert "warehouse" in assets.required_resource_keys, assets


def test_second_writer_waits_then_fails_clearly(dataset: Dataset, tmp_path: Path) -> None:
    from zielmonitor.config import Paths
    from zielmonitor.locking import warehouse_lock

    data = tmp_path / "data"
    with warehouse_lock(Paths(dataset.raw, data), "a test holding the lock"):
        done = subprocess.run(
            _refresh_cmd(), cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
            env=cli_env(dataset.raw, data, ZIELMONITOR_LOCK_TIMEOUT="2"),
        )  # fmt: skip
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    assert "being written by a test holding the lock" in text
    assert "Traceback" not in text
    assert not (data / "warehouse.duckdb").exists()


def test_publish_removes_temps_of_killed_publishes(tmp_path: Path) -> None:
    from zielmonitor.publish.marts import remove_stale_temps

    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = [
        tmp_path / f".marts.duckdb.{dead.pid}.tmp",
        tmp_path / f".marts.duckdb.{dead.pid}.tmp.wal",
    ]
    for path in stale:
        path.write_bytes(b"half")
    (tmp_path / f".marts_parquet.{dead.pid}.tmp").mkdir()
    live = tmp_path / f".marts.duckdb.{os.getppid()}.tmp"  # a publish still running elsewhere
    live.write_bytes(b"busy")
    assert len(remove_stale_temps(tmp_path)) == 3
    assert live.exists() and not any(p.exists() for p in stale)


# --- readers, revisions, as-of, idempotency -----------------------------------------------------


def test_reader_holding_marts_open_through_a_refresh(first: State, revised: Revised) -> None:
    assert revised.reader["before"] == revised.reader["held"]  # its snapshot stays consistent
    assert revised.reader["reconnected"] != revised.reader["before"]  # new figures after reconnect
    assert revised.hash != first.hash and revised.parquet != first.parquet
    assert no_publish_temps(revised.data)


def test_parquet_export_matches_marts(revised: Revised) -> None:
    link = revised.data / "marts_parquet"
    assert link.is_symlink() and not Path(os.readlink(link)).is_absolute()
    con = duckdb.connect(str(revised.data / "marts.duckdb"), read_only=True)
    try:
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            in_db = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            parquet = link / f"{table}.parquet"
            assert con.execute(f"SELECT * FROM '{parquet}' ORDER BY ALL").fetchall() == in_db
    finally:
        con.close()
    versions = sorted(p.name for p in revised.data.glob("marts_parquet.*"))
    assert len(versions) <= 2  # the live one and the one before


def test_new_stand_changes_only_the_months_it_touches(
    dataset: Dataset, first: State, revised: Revised
) -> None:
    assert f"ingest: {len(dataset.held)} loaded" in revised.output  # only the new deliveries
    revised_from = min(date.fromisoformat(p.parent.name[-7:] + "-01") for p in dataset.held)
    before = kennzahlen(dataset.root / "data1_first" / "marts.duckdb")
    after = kennzahlen(revised.data / "marts.duckdb")
    untouched = {k for k in before if k[1] < revised_from}
    assert untouched and all(after.get(k) == before[k] for k in untouched)
    touched = {k for k in before | after if k[1] >= revised_from}
    assert any(before.get(k) != after.get(k) for k in touched)  # the revision shows
    con = duckdb.connect(str(revised.data / "marts.duckdb"), read_only=True)
    stands = con.execute(
        "SELECT strftime(berichtsmonat, '%Y-%m'), aktiver_stand, anzahl_staende FROM lieferstand"
    ).fetchall()
    con.close()
    held_months = {p.parent.name.removeprefix("berichtsmonat=") for p in dataset.held}
    for month, stand, count in stands:
        if month in held_months:
            assert stand == dataset.held_date and count >= 2


def test_as_of_reproduces_the_figures_known_then(
    dataset: Dataset, first: State, revised: Revised
) -> None:
    as_of = (dataset.held_date - timedelta(days=1)).isoformat()
    refresh(dataset.raw, revised.data, "--as-of", as_of)
    assert marts_hash(revised.data / f"marts_stand_{as_of}.duckdb") == first.hash
    assert marts_hash(revised.data / "marts.duckdb") == revised.hash  # live marts untouched


def test_same_deliveries_twice_give_identical_marts(revised: Revised) -> None:
    marts = revised.data / "marts.duckdb"
    inode = marts.stat().st_ino
    assert "nothing to do" in refresh(revised.data.parent / "raw", revised.data)
    assert marts.stat().st_ino == inode
    refresh(revised.data.parent / "raw", revised.data, "--full")  # every model rebuilt
    assert marts.stat().st_ino != inode  # published anew …
    assert marts_hash(marts) == revised.hash  # … with the same rows and values
    assert os.readlink(revised.data / "marts_parquet") == revised.parquet  # byte-identical


def test_month_wise_facts_equal_a_build_from_scratch(
    dataset: Dataset, revised: Revised, tmp_path: Path
) -> None:
    """The revised refresh rebuilt the incremental facts from the revised months on; a new
    warehouse built from nothing over the same deliveries has the same facts and marts.
    Refreshed once more first: an as-of test before may have left as-of facts, which the
    next refresh must rebuild from the first month whose stand differs."""
    refresh(dataset.raw, revised.data)
    scratch = tmp_path / "scratch"
    refresh(dataset.raw, scratch)
    assert marts_hash(scratch / "marts.duckdb") == revised.hash
    with duckdb.connect(str(revised.data / "warehouse.duckdb"), read_only=True) as con:
        con.execute(f"ATTACH '{scratch / 'warehouse.duckdb'}' AS s (READ_ONLY)")
        for name in MONTH_WISE:
            table = f"marts.{name}"
            described = con.execute(f"SELECT * FROM {table} LIMIT 0").description
            cols = ", ".join(d[0] for d in described)
            for a, b in ((table, f"s.{table}"), (f"s.{table}", table)):
                sql = f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL"
                sql += f" SELECT {cols} FROM {b})"
                assert con.execute(sql).fetchall()[0][0] == 0, f"{name}: rows of {a} not in {b}"
        stands = "SELECT count(DISTINCT stand) FROM marts.fct_elb_bestand"
        assert con.execute(stands).fetchall()[0][0] > 1


# --- kill -9 ------------------------------------------------------------------------------------

PHASES = {
    # phase: (line that marks it, kill the process group (True) or the main process only)
    "ingest": ("loaded jobcenter=", True),
    "dbt": (" OK created sql table model intermediate.", False),  # leaves dbt orphaned
    "publish": ("publish: copied ", True),
}


def _kill_at(raw: Path, data: Path, marker: str, whole_group: bool) -> list[str]:
    proc = subprocess.Popen(
        _refresh_cmd(), cwd=PROJECT_DIR, env=cli_env(raw, data), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    try:
        for line in _lines(proc):
            lines.append(line)
            if marker in line:
                (os.killpg if whole_group else os.kill)(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait()
    assert any(marker in line for line in lines), "".join(lines[-30:])
    return lines


def _lines(proc: subprocess.Popen) -> Iterator[str]:
    deadline = time.monotonic() + REFRESH_TIMEOUT_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            return
        yield line


def test_kill_9_at_any_phase_then_refresh_converges(
    dataset: Dataset, first: State, revised: Revised
) -> None:
    data = dataset.root / "data_killed"
    shutil.copytree(dataset.root / "data1_first", data, symlinks=True)  # the state before
    for phase, (marker, whole_group) in PHASES.items():
        _kill_at(dataset.raw, data, marker, whole_group)
        published = marts_hash(data / "marts.duckdb")  # opens: never half a file
        assert published in (first.hash, revised.hash), phase
    refresh(dataset.raw, data)
    assert marts_hash(data / "marts.duckdb") == revised.hash
    assert os.readlink(data / "marts_parquet") == revised.parquet
    assert no_publish_temps(data)
    duckdb.connect(str(data / "warehouse.duckdb"), read_only=True).close()
    # the killed runs stay "started" in run storage, but block nothing: the kernel dropped
    # their writer lock, and no run-queue limit counts them


# --- marts.duckdb in DuckDB 1.5 -----------------------------------------------------------------

DUCKDB_15 = PROJECT_DIR / ".cache" / "duckdb15"
READ_15 = textwrap.dedent("""
    import json, sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    sql = "SELECT table_name FROM duckdb_tables() ORDER BY 1"
    tables = [r[0] for r in con.execute(sql).fetchall()]
    row = con.execute("SELECT * FROM kennzahlen_monat ORDER BY ALL LIMIT 1").fetchone()
    out = {"version": duckdb.__version__, "tables": tables, "row": [str(v) for v in row]}
    print(json.dumps(out))
""")


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=5).close()
        return True
    except OSError:
        return False


def _duckdb_15_python() -> Path:
    python = DUCKDB_15 / "bin" / "python"
    probe = [str(python), "-c", "import duckdb; assert duckdb.__version__.startswith('1.5.')"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    if not _pypi_reachable():
        pytest.skip("PyPI unreachable: cannot install DuckDB 1.5")
    shutil.rmtree(DUCKDB_15, ignore_errors=True)
    uv = shutil.which("uv") or str(PROJECT_DIR / ".uv" / "bin" / "uv")
    if Path(uv).exists():
        subprocess.run([uv, "venv", "-q", str(DUCKDB_15)], check=True)
        install = [uv, "pip", "install", "-q", "--python", str(python), "duckdb==1.5.*"]
    else:
        subprocess.run([sys.executable, "-m", "venv", str(DUCKDB_15)], check=True)
        install = [str(python), "-m", "pip", "install", "-q", "duckdb==1.5.*"]
    subprocess.run(install, check=True, timeout=300)
    return python


def test_marts_open_in_duckdb_1_5(first: State) -> None:
    python = _duckdb_15_python()
    done = subprocess.run(
        [str(python), "-c", READ_15, str(first.data / "marts.duckdb")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["version"].startswith("1.5.")
    assert {"kennzahlen_monat", "zielerreichung", "lieferstand"} <= set(result["tables"])
    assert result["row"]
