"""Row and key tests counted in one query per model by dbt's on-run-end hook, not run as dbt
nodes (dbt_project/macros/zeilentests.sql; issue 16): they fail as the nodes would, name the
failed tests and their rows, look only at the months under test, and leave a `dbt build` by
hand as dbt has it."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.dbt_runner import DbtRun, failed_nodes, run_dbt
from tests.rawdata import ROOT, RawData
from tests.rawdata import run_dbt as build
from zielmonitor.build_state import row_tests_in_one_query

JC = "10009"
MACRO = ROOT / "dbt_project" / "macros" / "zeilentests.sql"
GESCHLECHT = "accepted_values_stg_elb_bestand_geschlecht__m__w__d"
PERSON = "not_null_stg_elb_bestand_person_id"
FOERDERFALL = (
    "unique_key_stg_massnahme_eintritte_jobcenter_id__berichtsmonat__stand__foerderfall_id"
)


def test_the_hook_counts_the_kinds_the_refresh_leaves_out() -> None:
    """One list each, dbt_project.yml's vars `row_tests` and `key_tests`: the refresh's
    --exclude and the hook."""
    assert "var('row_tests') + var('key_tests')" in MACRO.read_text()
    assert row_tests_in_one_query() == "test_name:not_null test_name:accepted_values " \
        "test_name:rows_satisfy test_name:unique_key"  # fmt: skip


def test_row_tests_have_no_config_the_hook_would_ignore() -> None:
    """The hook counts failing rows as dbt's defaults judge them: a `where`, a severity or a
    threshold of a row or key test's own would be ignored, so none may have one."""
    manifest = json.loads((ROOT / "target" / "manifest.json").read_text(encoding="utf-8"))
    defaults = {"where": None, "severity": "ERROR", "fail_calc": "count(*)", "warn_if": "!= 0",
                "error_if": "!= 0", "limit": None, "store_failures": None}  # fmt: skip
    kinds = row_tests_in_one_query().replace("test_name:", "").split()
    row_tests = [
        n for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and n.get("test_metadata", {}).get("name") in kinds
    ]  # fmt: skip
    assert len(row_tests) > 230
    for test in row_tests:
        own = {k: test["config"].get(k) for k in defaults}
        assert own == defaults, test["unique_id"]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three months, built; then rows of stg_elb_bestand broken in 2016-03 (a missing person,
    a sex outside m/w/d) and in 2016-01 (a sex outside m/w/d: before the months under test),
    and a Förderfall of each of these months delivered twice."""
    base = tmp_path_factory.mktemp("row_tests")
    path = base / "warehouse.duckdb"
    rd = RawData(final_bis="2016-01")
    rd.history(JC, "2016-01", "2016-03")
    for person in ("P1", "P2", "P3"):
        rd.person(JC, person, "2016-01", "2016-03")
    rd.month(JC, "2016-01").eintritt("F1", "P1", "TW", "2016-01-04")
    rd.month(JC, "2016-03").eintritt("F3", "P3", "TW", "2016-03-01")
    rd.write(path)
    build(path, base / "first")
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE raw.elb_bestand SET geschlecht = 'x' WHERE person_id = 'P1'"
                    " AND berichtsmonat IN ('2016-01-01', '2016-03-01')")  # fmt: skip
        con.execute("UPDATE raw.elb_bestand SET person_id = NULL WHERE person_id = 'P2'"
                    " AND berichtsmonat = '2016-03-01'")  # fmt: skip
        con.execute("INSERT INTO raw.massnahme_eintritte SELECT * FROM raw.massnahme_eintritte")
    return path


def _stg_elb_bestand(
    warehouse: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch, *args: str
) -> DbtRun:
    """stg_elb_bestand and stg_massnahme_eintritte, built."""
    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(warehouse))
    args = ("build", "--select", "stg_elb_bestand", "stg_massnahme_eintritte", *args)
    return run_dbt(args, ROOT, workdir / "target", lambda _: None)


def test_the_hook_fails_naming_each_failed_test_in_the_months_under_test(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with duckdb.connect(str(warehouse)) as con:  # as set_test_scope does: from 2016-02 on
        con.execute("CREATE OR REPLACE TABLE steuerung.testumfang AS SELECT DATE '2016-02-01' ab")
    dbt = _stg_elb_bestand(warehouse, tmp_path, monkeypatch, "--exclude", row_tests_in_one_query())
    assert not dbt.success
    assert {r["status"] for r in dbt.run_results["results"]} == {"success"}  # no test node
    assert failed_nodes(dbt.run_results, dbt.error) == "\n  ".join([
        "dbt build failed after its models, in dbt's on-run-end hook:",
        "3 test(s) failed:",
        f"FAIL {GESCHLECHT}: 1 rows",  # 2016-03 only: 2016-01 was tested when it was built
        f"FAIL {PERSON}: 1 rows",
        f"FAIL {FOERDERFALL}: 1 rows",  # F3; a key found twice is one row, as the node has it
    ])  # fmt: skip
    with duckdb.connect(str(warehouse)) as con:  # the next build by hand tests every month
        assert con.execute("SELECT count(*) FROM steuerung.testumfang").fetchone() == (0,)


def test_every_month_when_no_month_is_named(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbt = _stg_elb_bestand(warehouse, tmp_path, monkeypatch, "--exclude", row_tests_in_one_query())
    # 2016-03 and both stands of the final 2016-01
    assert f"FAIL {GESCHLECHT}: 3 rows" in failed_nodes(dbt.run_results, dbt.error)
    assert f"FAIL {FOERDERFALL}: 3 rows" in failed_nodes(dbt.run_results, dbt.error)


def test_a_build_by_hand_runs_them_as_nodes_and_leaves_nothing_to_the_hook(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dbt = _stg_elb_bestand(warehouse, tmp_path, monkeypatch)
    failed = {r["unique_id"].split(".")[2] for r in dbt.run_results["results"]
              if r["status"] == "fail"}  # fmt: skip
    assert failed == {GESCHLECHT, PERSON, FOERDERFALL}
    assert "in dbt's on-run-end hook" not in failed_nodes(dbt.run_results, dbt.error)


def test_an_incremental_build_counts_the_tests_of_the_views_it_left_as_they_are(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh does not create the views again (build_state.views_kept): the hook counts
    the row and key tests of the views the built models read, in the months under test."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("CREATE OR REPLACE TABLE steuerung.testumfang AS SELECT DATE '2016-02-01' ab")
    monkeypatch.setenv("ZIELMONITOR_WAREHOUSE", str(warehouse))
    exclude = f"{row_tests_in_one_query()} stg_elb_bestand int_lieferungen"
    args = ("build", "--select", "fct_elb_bestand", "--exclude", exclude)
    dbt = run_dbt(args, ROOT, tmp_path / "target", lambda _: None)
    built = {r["unique_id"] for r in dbt.run_results["results"]}
    assert {u for u in built if u.startswith("model.")} == {"model.zielmonitor.fct_elb_bestand"}
    assert failed_nodes(dbt.run_results, dbt.error).endswith(
        f"FAIL {GESCHLECHT}: 1 rows\n  FAIL {PERSON}: 1 rows"
    )
