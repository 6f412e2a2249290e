"""Month-wise incremental facts (dbt_project/macros/monatsweise.sql): a build after a new
month must equal a build from scratch, including the rows of the month before (whose
neighbour comparison the new month decides) and a person becoming LZB. Revised stands of
earlier months: tests/test_operations.py::test_month_wise_facts_equal_a_build_from_scratch."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.rawdata import RawData, run_dbt

JC = "10009"
FACTS = ("fct_elb_bestand", "fct_leistungen", "fct_kontakte")
MARTS = ("kennzahlen_monat", "zielkennzahlen_monat", "kontaktdichte_monat")


def scenario(until: str) -> RawData:
    """2015-12 .. `until`; the April delivery brings an entry, an exit, a new LZB, a start."""
    rd = RawData(final_bis="2016-01")
    rd.history(JC, "2015-12", until)
    rd.person(JC, "P1", "2015-12", until)
    rd.person(JC, "P2", "2015-12", "2016-03")  # leaves: not in the April stock
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


@pytest.mark.parametrize("table", [f"marts.{f}" for f in FACTS] +
                         [f"marts.{m}" for m in MARTS])  # fmt: skip
def test_incremental_build_equals_build_from_scratch(builds: tuple[Path, Path], table: str):
    grown, scratch = builds
    with (
        duckdb.connect(str(grown), read_only=True) as a,
        duckdb.connect(str(scratch), read_only=True) as b,
    ):
        assert _rows(a, table) == _rows(b, table)


def test_the_new_month_decides_the_month_before(builds: tuple[Path, Path]):
    grown, _ = builds
    with duckdb.connect(str(grown), read_only=True) as con:
        march = dict(
            con.execute(
                "SELECT person_id, im_folgemonat FROM marts.fct_elb_bestand"
                " WHERE berichtsmonat = DATE '2016-03-01'"
            ).fetchall()
        )
        lzb = con.execute(
            "SELECT strftime(berichtsmonat, '%Y-%m'), stand FROM marts.fct_lzb_bestand"
            " WHERE person_id = 'P4'"
        ).fetchall()
    assert march == {"P1": True, "P2": False, "P4": True, "B1": True}  # NULL before April
    assert [m for m, _ in lzb] == ["2016-04"]
