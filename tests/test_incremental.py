"""Month-wise incremental models (dbt_project/macros/monatsweise.sql): a build after a new
month must equal a build from scratch, including the Abgänge of the new month (counted
against the month before, whose rows stay as they are), a person becoming LZB and a removed
month that holds no rows of a model but decides later months. Revised stands of
earlier months: tests/test_operations.py::test_month_wise_facts_equal_a_build_from_scratch."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.rawdata import RawData, run_dbt

JC = "10009"
MONTH_WISE = (  # the month-wise models (macros/monatsweise.sql)
    "fct_elb_bestand", "fct_kontakte", "fct_erwerbsaufnahmen_zuordnung", "fct_integrationen",
    "agg_monatsbasis", "agg_kontaktdichte_monat",
)  # fmt: skip
MARTS = ("kennzahlen_monat", "zielkennzahlen_monat", "kontaktdichte_monat")


def scenario(until: str) -> RawData:
    """2015-12 .. `until`; the April delivery brings an entry, an exit, a new LZB, a start."""
    rd = RawData(final_bis="2016-01")
    rd.history(JC, "2015-12", until)
    rd.person(JC, "P1", "2015-12", until)
    rd.person(JC, "P2", "2015-12", "2016-03", elb_tage_730=700)  # LZB, leaves: not in April
    rd.person(JC, "P4", "2015-12", until, overrides={"2016-04": {"elb_tage_730": 640}},
              elb_tage_730=600)  # fmt: skip
    rd.person(JC, "B1", "2015-12", until, profillage="EP")
    for mo in ("2016-01", "2016-02", "2016-03"):
        rd.month(JC, mo).leistung("BG_P1", 400, 300).kontakt("B1", f"{mo}-05")
    if until >= "2016-04":
        rd.person(JC, "P3", "2016-04", until)  # enters in April
        rd.month(JC, "2016-04").start("P1", "2016-04-01", "SVB").leistung("BG_P1", 410, 300)
    return rd


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    cols = sorted(d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description)
    return con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("incremental")
    grown, scratch = base / "grown.duckdb", base / "scratch.duckdb"
    scenario("2016-03").write(grown)
    run_dbt(grown, base / "first")
    with duckdb.connect(str(grown)) as con:  # the deliveries as they stand a month later
        con.execute("DROP SCHEMA raw CASCADE")
    scenario("2016-04").write(grown)
    run_dbt(grown, base / "second")
    scenario("2016-04").write(scratch)
    run_dbt(scratch, base / "scratch")
    return grown, scratch


@pytest.mark.parametrize("table", [f"marts.{f}" for f in MONTH_WISE] +
                         [f"marts.{m}" for m in MARTS])  # fmt: skip
def test_incremental_build_equals_build_from_scratch(builds: tuple[Path, Path], table: str):
    grown, scratch = builds
    with (
        duckdb.connect(str(grown), read_only=True) as a,
        duckdb.connect(str(scratch), read_only=True) as b,
    ):
        assert _rows(a, table) == _rows(b, table)


def test_the_new_month_counts_the_abgaenge_of_the_month_before(builds: tuple[Path, Path]):
    """April by hand: March holds P1, P2 (LZB), P4, B1; April holds P1, P3 (new), P4 (LZB from
    April), B1. So 4 in ELB(t-1), 1 Abgang (P2), 1 Zugang (P3); 1 LZB in t-1, 1 LZB-Abgang (P2),
    1 LZB-Zugang (P4)."""
    grown, _ = builds
    with duckdb.connect(str(grown), read_only=True) as con:
        april = con.execute(
            "SELECT elb, elb_vormonat, abgaenge, zugaenge, lzb, lzb_vormonat, lzb_abgaenge,"
            " lzb_zugaenge FROM marts.agg_monatsbasis WHERE berichtsmonat = DATE '2016-04-01'"
        ).fetchone()
        lzb = con.execute(
            "SELECT strftime(berichtsmonat, '%Y-%m'), stand FROM marts.fct_lzb_bestand"
            " WHERE person_id = 'P4'"
        ).fetchall()
    assert april == (4, 4, 1, 1, 1, 1, 1, 1)
    assert [m for m, _ in lzb] == ["2016-04"]


def _compiled(builds: tuple[Path, Path], build: str) -> Path:
    """dbt's compiled SQL of one build of the fixture."""
    return builds[0].parent / build / "target" / "compiled" / "zielmonitor" / "dbt_project"


def test_only_the_months_that_read_the_new_one_are_rebuilt(builds: tuple[Path, Path]):
    """April is new: each model deletes and recomputes its rows from April minus its lookback,
    not from the start of the history (the models' compiled SQL of the second build)."""
    compiled = _compiled(builds, "second")
    expected = {
        "fct_erwerbsaufnahmen_zuordnung": "2016-04-01",  # reads t, t-1, t-2
        "fct_elb_bestand": "2016-04-01",  # reads t-1, never ahead: March stays
        "fct_integrationen": "2016-01-01",  # t+3: bedarfsdeckend
        "agg_monatsbasis": "2016-01-01",
        "fct_kontakte": "2016-04-01",
        "agg_kontaktdichte_monat": "2016-04-01",
    }
    for model, month in expected.items():
        sql = (compiled / "models" / "marts" / f"{model}.sql").read_text(encoding="utf-8")
        assert f"berichtsmonat >= date '{month}'" in sql, model


def test_each_model_is_tested_from_the_rows_its_lookback_rebuilds(builds: tuple[Path, Path]):
    """An incremental refresh names its first changed month; the data tests of each model
    look back from it by the model's lookback, and a model rebuilt in full by the largest of
    the month-wise models it reads (macros/testumfang.sql; the compiled tests)."""
    compiled = _compiled(builds, "second")
    expected = {
        "staging/_staging__models.yml/unique_key_stg_erwerbsaufnahme*": 0,
        "marts/_marts__models.yml/unique_key_fct_erwerbsaufnahme*": 0,
        "marts/_marts__models.yml/unique_key_fct_elb_bestand_*": 0,
        "marts/_marts__models.yml/unique_key_fct_leistungen_*": 0,  # a view over month-wise 0
        "marts/_marts__models.yml/unique_key_fct_integratione*": 3,
        "marts/_marts__models.yml/unique_key_agg_zielbasis_monat_*": 3,  # reads agg_monatsbasis
    }
    for pattern, months in expected.items():
        (test,) = (compiled / "models").glob(pattern)
        sql = test.read_text(encoding="utf-8")
        assert f"steuerung.testumfang), date '1900-01-01')) + interval ({-months}) month" in sql, (
            test.name
        )


def _first_month_scenario(since: str) -> RawData:
    """P1 starts a job in February: an Integration only while December and January (ELB
    t-2 and t-1) are delivered."""
    rd = RawData(final_bis="2016-01")
    rd.history(JC, since, "2016-03")
    rd.person(JC, "P1", since, "2016-03")
    rd.month(JC, "2016-02").start("P1", "2016-02-01", "SVB")
    return rd


def test_a_removed_month_without_rows_rebuilds_the_months_it_decides(tmp_path: Path):
    grown, scratch = tmp_path / "grown.duckdb", tmp_path / "scratch.duckdb"
    _first_month_scenario("2015-12").write(grown)
    run_dbt(grown, tmp_path / "first")
    with duckdb.connect(str(grown)) as con:  # December withdrawn
        assert con.execute("SELECT count(*) FROM marts.fct_integrationen").fetchone()[0] == 1
        con.execute("DROP SCHEMA raw CASCADE")
    _first_month_scenario("2016-01").write(grown)
    run_dbt(grown, tmp_path / "second")
    _first_month_scenario("2016-01").write(scratch)
    run_dbt(scratch, tmp_path / "scratch")
    with (
        duckdb.connect(str(grown), read_only=True) as a,
        duckdb.connect(str(scratch), read_only=True) as b,
    ):
        assert a.execute("SELECT count(*) FROM marts.fct_integrationen").fetchone()[0] == 0
        for table in MONTH_WISE + MARTS:
            assert _rows(a, f"marts.{table}") == _rows(b, f"marts.{table}"), table
