"""The Dagster code location loads and shows raw → dbt → published as one lineage, run by
one job."""

import os
import subprocess
import sys

import pytest
from dagster import AssetKey

from zielmonitor.config import PROJECT_DIR


def test_asset_graph_has_all_layers() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    for table in ("lieferungen", "elb_bestand", "erwerbsaufnahmen", "kontakte", "leistungen"):
        assert f"raw/{table}" in keys
    assert "published/marts_duckdb" in keys
    raw = graph.get(AssetKey(["raw", "elb_bestand"]))
    assert raw.partitions_def is None  # the ingest finds the pending months itself
    staging = graph.get(AssetKey(["staging", "stg_elb_bestand"]))
    assert AssetKey(["raw", "elb_bestand"]) in staging.parent_keys
    checks = {c.name for c in graph.asset_check_keys}
    assert "vertrag_eingehalten" in checks


def test_published_marts_come_from_the_dbt_tags() -> None:
    """The publish step depends on exactly the dbt models tagged `published`."""
    from orchestration.assets.published import PUBLISHED, marts_duckdb

    deps = {key.path[-1] for key in marts_duckdb.asset_deps[marts_duckdb.key]}
    assert deps == set(PUBLISHED) and "kennzahlen_monat" in PUBLISHED


def test_dagster_definitions_validate(tmp_path) -> None:
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "ZIELMONITOR_DATA_DIR": str(tmp_path)}
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    dagster = os.path.join(os.path.dirname(sys.executable), "dagster")
    done = subprocess.run(
        [dagster, "definitions", "validate", "-m", "orchestration.definitions"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_dbt_invocation_hands_its_parse_to_the_next(tmp_path) -> None:
    from orchestration.dbt_runner import PARTIAL_PARSE, keep_parse

    invocation, project = tmp_path / "dbt_models-1", tmp_path / "target"
    invocation.mkdir()
    project.mkdir()
    keep_parse(invocation, project)  # a build that failed before parsing: nothing to hand on
    assert not (project / PARTIAL_PARSE).exists()
    (invocation / PARTIAL_PARSE).write_bytes(b"parse of this data folder")
    (project / PARTIAL_PARSE).write_bytes(b"parse of the set-up")
    keep_parse(invocation, project)
    assert (project / PARTIAL_PARSE).read_bytes() == b"parse of this data folder"
    assert sorted(p.name for p in project.iterdir()) == [PARTIAL_PARSE]  # no staged copy left


def test_dbt_stopping_is_one_clean_line(tmp_path, monkeypatch) -> None:
    """dbt's error, not its stack trace, reaches the terminal and the step's failure: here
    a BI tool holding warehouse.duckdb for writing when dbt starts (DuckDB's file lock)."""
    from orchestration.dbt_runner import failed_nodes, run_dbt

    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; con = duckdb.connect({str(warehouse)!r});"
         " print('held', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(warehouse))
        logged: list[str] = []
        args = ["build", "--select", "stg_lieferungen"]
        run = run_dbt(args, PROJECT_DIR, tmp_path / "target" / "run1", logged.append)
    finally:
        holder.kill()
    assert not run.success and run.returncode == 2
    one_line = " ".join(run.error.split())
    assert one_line.startswith("Encountered an error: IO Error: Could not set lock on file")
    assert "Conflicting lock is held" in one_line
    assert logged[0] == f"dbt {' '.join(args)}" and logged[1].startswith("Running with dbt=")
    assert f"dbt: {one_line}" in logged
    assert not any("Traceback" in line for line in logged)
    assert "Traceback" in (tmp_path / "target" / "run1" / "dbt_traceback.txt").read_text()
    assert failed_nodes(run.run_results, run.error) == (
        f"dbt build failed before it ran a model: {one_line}"
    )


def test_a_python_error_in_dbt_keeps_its_traceback(tmp_path, monkeypatch) -> None:
    """An error of dbt's own code (not one dbt reports) is one line too, its traceback in
    the run's folder; the step goes on to fail cleanly."""
    from dbt.cli.main import dbtRunner, dbtRunnerResult

    from orchestration.dbt_runner import run_dbt

    def broken(self, args):  # as dbtRunner reports an exception it did not handle
        try:
            raise KeyError("node")
        except KeyError as error:
            return dbtRunnerResult(success=False, exception=error)

    monkeypatch.setattr(dbtRunner, "invoke", broken)
    run = run_dbt(["build"], tmp_path, tmp_path / "target" / "run1", lambda _: None)
    assert (run.returncode, run.run_results, run.error) == (2, {}, "KeyError: 'node'")
    assert "Traceback" in (tmp_path / "target" / "run1" / "dbt_traceback.txt").read_text()


def test_a_stopped_run_stops_dbt_and_frees_the_warehouse(tmp_path, monkeypatch) -> None:
    """Ctrl-C (or a termination from the UI) while dbt builds: the stop goes on, dbt's process
    is told to stop and ends, and the warehouse file is free again."""
    import duckdb

    from orchestration.dbt_runner import DbtProcess

    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    dbt = DbtProcess(PROJECT_DIR, tmp_path / "run1")
    dbt.start()
    nodes = dbt.build(["build", "--select", "stg_lieferungen"], {}, lambda _: None)
    next(nodes)  # dbt has built its first node
    with pytest.raises(KeyboardInterrupt):
        nodes.throw(KeyboardInterrupt)  # Ctrl-C where the step waits for dbt
    assert not dbt.running
    dbt.close()
    duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()  # no lock left


def test_dbt_killed_fails_the_step_with_one_line(tmp_path, monkeypatch) -> None:
    """dbt's process killed while it builds (out of memory, kill -9): the step ends with the
    nodes done so far and one line saying so, instead of waiting for ever."""
    import os
    import signal

    from orchestration.dbt_runner import DbtProcess, run_to_end

    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    dbt = DbtProcess(PROJECT_DIR, tmp_path / "run1")
    dbt.start()
    nodes = dbt.build(["build", "--select", "stg_lieferungen+"], {}, lambda _: None)
    next(nodes)
    os.kill(dbt.pid, signal.SIGKILL)
    run = run_to_end(nodes)
    dbt.close()
    assert (run.returncode, run.success) == (1, False)
    assert run.error == f"dbt's process ended without a result (exit code -{signal.SIGKILL})"


def test_after_dbt_the_warehouse_is_free_for_another_process(tmp_path, monkeypatch) -> None:
    """dbt-duckdb keeps its connection open for the life of the process: the runner closes
    it, or the next writer (a refresh's publish, `zielmonitor withdraw`) would wait."""
    from orchestration.dbt_runner import run_dbt

    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(warehouse))
    run = run_dbt(["seed", "--select", "zielkatalog_arten"], PROJECT_DIR, tmp_path / "run1",
                  lambda _: None)  # fmt: skip
    assert run.success
    other = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(warehouse)!r}).close()"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert other.returncode == 0, other.stderr


def test_dbt_that_cannot_start_fails_the_step_instead_of_hanging(tmp_path, monkeypatch) -> None:
    """An error before dbt runs at all (a broken installation): the step's thread, waiting
    for dbt's events, is released and the step fails with one line."""
    import threading

    from dbt.cli.main import dbtRunner

    from orchestration.dbt_runner import run_dbt

    def broken(self, *args, **kwargs):
        raise RuntimeError("broken installation")

    monkeypatch.setattr(dbtRunner, "__init__", broken)
    outcome = []
    step = threading.Thread(
        target=lambda: outcome.append(run_dbt(["build"], tmp_path, tmp_path / "r1", print)),
        daemon=True,
    )
    step.start()
    step.join(timeout=60)
    assert outcome, "run_dbt still waits for dbt"
    assert (outcome[0].returncode, outcome[0].error) == (2, "RuntimeError: broken installation")


def test_the_parse_begun_with_the_run_serves_only_a_build_with_its_vars(
    tmp_path, monkeypatch
) -> None:
    """dbt's process parses the project when the run starts: a build with the same vars
    starts from that parse, one with other vars parses itself; a parse that fails leaves
    the build to parse and report the error as always."""
    from orchestration.dbt_runner import DbtProcess, run_to_end

    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    seed = ["seed", "--select", "zielkatalog_arten"]
    for build_vars, ahead in (({"as_of": None}, True), ({"as_of": "2016-06-30"}, False)):
        dbt = DbtProcess(PROJECT_DIR, tmp_path / f"run-{ahead}", {"as_of": None})
        dbt.start()
        run = run_to_end(dbt.build(seed, build_vars, lambda _: None))
        dbt.close()
        assert (run.success, run.parsed_ahead) == (True, ahead)
    broken = DbtProcess(tmp_path, tmp_path / "run2", {"as_of": None})  # no dbt project there
    broken.start()
    run = run_to_end(broken.build(["build"], {"as_of": None}, lambda _: None))
    broken.close()
    assert (run.returncode, run.parsed_ahead) == (2, False)
    assert "dbt_project.yml" in run.error


def test_a_run_without_a_build_ends_dbt_after_its_parse(tmp_path) -> None:
    """Nothing to do, or a failed ingest: dbt's process is told so and ends."""
    from orchestration.dbt_runner import DbtProcess

    dbt = DbtProcess(PROJECT_DIR, tmp_path / "run1", {"as_of": None})
    dbt.start()
    assert dbt.running
    dbt.close()
    assert not dbt.running and (tmp_path / "run1" / "partial_parse.msgpack").exists()


@pytest.mark.parametrize("kept", [0, 1, 1_000, -2], ids=["empty", "one_byte", "cut", "unclosed"])
def test_a_manifest_cut_short_is_parsed_again(kept: int, tmp_path) -> None:
    """A dbt parse killed while writing the manifest left a file that failed every later
    refresh at Dagster's start (JSONDecodeError): the set-up treats it as stale."""
    from zielmonitor.config import DBT_PROJECT_DIR
    from zielmonitor.pipeline import manifest_is_complete

    whole = (DBT_PROJECT_DIR / "target" / "manifest.json").read_bytes()
    assert manifest_is_complete(DBT_PROJECT_DIR / "target" / "manifest.json")
    cut = tmp_path / "manifest.json"
    cut.write_bytes(whole[:kept] if kept >= 0 else whole.rstrip()[:kept])
    assert not manifest_is_complete(cut)


def test_unreadable_dagster_storage_is_named(tmp_path) -> None:
    """SQLite's "file is not a database" names no file; the CLI names it from this list."""
    import sqlite3

    from zielmonitor.config import Paths
    from zielmonitor.pipeline import unreadable_dagster_storage

    paths = Paths(raw_dir=tmp_path / "raw", data_dir=tmp_path)
    (paths.dagster_home / "history" / "runs").mkdir(parents=True)
    for good in ("history/runs.db", "history/runs/eins.db"):
        with sqlite3.connect(paths.dagster_home / good) as con:
            con.execute("CREATE TABLE t (x)")
    bad = paths.dagster_home / "history" / "runs" / "zwei.db"
    bad.write_bytes(os.urandom(4096))
    assert unreadable_dagster_storage(paths) == [bad]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("2099-01-01", "after today"),
        ("2016-02-30", "expected a date"),
        ("2016-2-3", "expected a date"),
        ("../../tmp/x", "expected a date"),
    ],
)
def test_an_as_of_that_is_no_past_date_is_refused(value: str, why: str, capsys) -> None:
    """It names a file (`marts_stand_<as_of>.duckdb`) and the figures known that day: the
    CLI and a launch from the Dagster UI (through `Paths.marts_as_of`) refuse the same."""
    from zielmonitor.cli import build_parser
    from zielmonitor.config import Paths, as_of_date

    assert as_of_date("2016-12-31") == "2016-12-31"
    with pytest.raises(ValueError, match=why):
        Paths(raw_dir=PROJECT_DIR, data_dir=PROJECT_DIR).marts_as_of(value)
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["refresh", "--as-of", value])
    assert exit_.value.code == 2 and why in capsys.readouterr().err
