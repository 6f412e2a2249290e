"""The comparison mart vergleich_monat on a hand-made set of seven Jobcenters (docs/vergleich.md);
the dataset, its members and the expected December 2016 values: tests/vergleich_data.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.vergleich_data import INTEGRATIONEN, NENNER, STOCK, build_vergleich_warehouse

TABLES = ["kennzahlen_monat", "vergleich_monat"]


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from orchestration.assets.published import suppression_rules
    from zielmonitor.publish.marts import publish

    base = tmp_path_factory.mktemp("vergleich")
    wh = build_vergleich_warehouse(base, ["vergleich_monat"])
    pub = base / "marts.duckdb"
    publish(wh, pub, TABLES, suppression=suppression_rules(TABLES))
    return {"wh": wh, "pub": pub}


def _rows(path: Path, table: str, where: str) -> dict[str, dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute(f"SELECT * FROM {table} WHERE {where}")
        cols = [c[0] for c in cur.description]
        return {r[0]: dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
    finally:
        con.close()


DEZ_K2 = ("berichtsmonat = DATE '2016-12-01' AND kennzahl = 'K2' AND gruppe = 'gesamt' "
          "AND variante = 'rollierend'")  # fmt: skip


def _warehouse(marts: dict[str, Path], where: str = DEZ_K2) -> dict[str, dict]:
    return _rows(marts["wh"], "marts.vergleich_monat", where)


def test_type_land_and_germany_are_sums_over_sums(marts: dict[str, Path]) -> None:
    r = _warehouse(marts)
    assert set(r) == set(STOCK)
    for jc in STOCK:  # own value as kennzahlen_monat
        assert r[jc]["wert"] == pytest.approx(100 * INTEGRATIONEN[jc] / NENNER[jc])
    # IIIe: (4 + 6 + 1) / (20 + 50 + 10) = 11 / 80, not the mean of 20 %, 12 %, 10 %
    assert r["05111"]["wert_vergleichstyp"] == pytest.approx(100 * 11 / 80)
    assert r["05111"]["zaehler_vergleichstyp"] == 11
    assert r["05111"]["anzahl_vergleichstyp"] == 3
    # V, a type of two: 9 / 70.5
    assert r["05113"]["wert_vergleichstyp"] == pytest.approx(100 * 9 / 70.5)
    assert r["05913"]["anzahl_vergleichstyp"] == 2
    # IIId, a type of one: the type is the Jobcenter
    assert r["05116"]["wert_vergleichstyp"] == r["05116"]["wert"] == pytest.approx(20.0)
    # Land: NRW = all but G: 23 / 165.5; Bayern = G; Germany = all: 28 / 190.5
    assert r["05111"]["wert_land"] == pytest.approx(100 * 23 / 165.5)
    assert r["09162"]["wert_land"] == pytest.approx(20.0)
    assert r["05111"]["wert_deutschland"] == r["09162"]["wert_deutschland"]
    assert r["05111"]["wert_deutschland"] == pytest.approx(100 * 28 / 190.5)
    assert r["05111"]["anzahl_deutschland"] == 7
    assert r["05111"]["abstand_vergleichstyp"] == pytest.approx(20.0 - 100 * 11 / 80)


def test_change_and_averaged_rate_of_a_group(marts: dict[str, Path]) -> None:
    base = "berichtsmonat = DATE '2016-12-01' AND kennzahl = '{}'"
    # K1E2 (eLB against a year earlier) of V: (31 + 40) / (30 + 40) - 1
    k1e2 = _warehouse(marts, base.format("K1E2"))
    assert k1e2["05913"]["wert_vergleichstyp"] == pytest.approx(100 * (71 / 70 - 1))
    assert k1e2["05913"]["wert"] == pytest.approx(0.0)
    # K1E3 (mean over Jan..Dec 2016 of Zugang / eLB): V's sums have one Zugang in June of 71
    k1e3 = _warehouse(marts, base.format("K1E3"))
    assert k1e3["05913"]["wert_vergleichstyp"] == pytest.approx(100 * (1 / 71) / 12)
    assert k1e3["05113"]["wert"] == pytest.approx(100 * (1 / 31) / 12)
    assert k1e3["05116"]["wert_vergleichstyp"] == k1e3["05116"]["wert"] == 0.0


def test_ranks_in_the_warehouse(marts: dict[str, Path]) -> None:
    r = _warehouse(marts)
    rang = {jc: (r[jc]["rang_vergleichstyp"], r[jc]["anzahl_rang_vergleichstyp"]) for jc in r}
    assert rang["05111"] == (1, 3) and rang["05315"] == (2, 3) and rang["05124"] == (3, 3)
    assert rang["05913"] == (1, 2) and rang["05113"] == (2, 2)  # 15 % before 9.8 %
    assert rang["05116"] == (1, 1)


def test_published_suppressed_member_unranked_and_its_groups_suppressed(
    marts: dict[str, Path],
) -> None:
    r = _rows(marts["pub"], "vergleich_monat", DEZ_K2)
    c = r["05124"]  # one Integration: primary, as in kennzahlen_monat
    assert c["zaehler"] is None and c["wert"] is None and c["unterdrueckt"]
    assert c["rang_vergleichstyp"] is None and c["abstand_vergleichstyp"] is None
    # its type, Land and Germany would give C's count back: 11 - 4 - 6 = 1
    for jc in ("05111", "05315", "05124"):
        assert r[jc]["zaehler_vergleichstyp"] is None and r[jc]["wert_vergleichstyp"] is None
    for jc in STOCK:
        assert r[jc]["wert_deutschland"] is None
    assert r["05111"]["wert_land"] is None
    # ranked again over the values shown: no gap where C stood
    assert (r["05111"]["rang_vergleichstyp"], r["05111"]["anzahl_rang_vergleichstyp"]) == (1, 2)
    assert (r["05315"]["rang_vergleichstyp"], r["05315"]["anzahl_rang_vergleichstyp"]) == (2, 2)
    assert r["05111"]["wert"] == pytest.approx(20.0)  # own values of the others stay
    # groups without a suppressed member are published: V (two), IIId (one), Bayern
    assert r["05113"]["wert_vergleichstyp"] == pytest.approx(100 * 9 / 70.5)
    assert r["05913"]["rang_vergleichstyp"] == 1
    assert r["05116"]["wert_vergleichstyp"] == pytest.approx(20.0)
    assert r["09162"]["wert_land"] == pytest.approx(20.0)


def test_published_own_cells_equal_kennzahlen_monat(marts: dict[str, Path]) -> None:
    con = duckdb.connect(str(marts["pub"]), read_only=True)
    try:
        diff = con.execute(
            "SELECT count(*) FROM vergleich_monat v JOIN kennzahlen_monat k USING "
            "(jobcenter_id, berichtsmonat, kennzahl, gruppe, variante) WHERE "
            "v.zaehler IS DISTINCT FROM k.zaehler OR v.nenner IS DISTINCT FROM k.nenner "
            "OR v.wert IS DISTINCT FROM k.wert"
        ).fetchone()[0]
        hidden = con.execute("SELECT count(*) FROM kennzahlen_monat WHERE unterdrueckt").fetchone()[
            0
        ]
    finally:
        con.close()
    assert hidden > 0 and diff == 0


def test_generator_master_data_is_the_seed(tmp_path: Path) -> None:
    import csv

    from zielmonitor.generator import STAMMDATEN_DATEI, write_stammdaten
    from zielmonitor.generator.jobcenters import VERGLEICHSTYPEN_2014, jobcenter_specs

    write_stammdaten(tmp_path, jobcenter_specs(30, seed=42))
    seed = Path(__file__).parents[1] / "dbt_project/seeds/jobcenter_stammdaten.csv"
    with (tmp_path / STAMMDATEN_DATEI).open(encoding="utf-8") as a:
        generated = list(csv.DictReader(a))
    with seed.open(encoding="utf-8") as b:
        assert generated == list(csv.DictReader(b))
    assert len(VERGLEICHSTYPEN_2014) == 15
    assert {r["vergleichstyp"] for r in generated} <= dict(VERGLEICHSTYPEN_2014).keys()
