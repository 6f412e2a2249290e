"""Target catalogue and target comparison: zielerreichung per kind, by hand-computed values.

One dbt build (target models and their parents) over the dataset of tests/target_data.py,
with the test catalogue loaded through the dbt var `zielkatalog_zusatz`. Expected values are
literals; the comment beside each shows the arithmetic from the events in target_data.py.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.assets.published import suppression_rules
from tests.target_data import JC, build_target_warehouse
from zielmonitor.publish.checks import check_published
from zielmonitor.publish.marts import publish
from zielmonitor.report.text import render_report

# the target marts (docs/targets.md)
PUBLISHED = ["eingliederungsmittel_monat", "fbw_monat", "kontaktdichte_ziele_monat",
             "kundenstruktur_monat", "rahmenbedingungen_monat", "talentwerkstatt_monat", "ziele",
             "zielerreichung"]  # fmt: skip


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_target_warehouse(tmp_path_factory.mktemp("ziele"))


@pytest.fixture(scope="module")
def marts(warehouse: Path) -> Path:
    target = warehouse.with_name("marts.duckdb")
    publish(warehouse, target, PUBLISHED)
    return target


def zeile(warehouse: Path, ziel_id: str, monat: str) -> dict:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        cur = con.execute(
            "SELECT * FROM marts.zielerreichung WHERE jobcenter_id = ? AND ziel_id = ? "
            "AND strftime(berichtsmonat, '%Y-%m') = ?",
            [JC, ziel_id, monat],
        )
        cols = [c[0] for c in cur.description]
        rows = cur.fetchall()
    finally:
        con.close()
    assert len(rows) == 1, (ziel_id, monat, rows)
    return dict(zip(cols, rows[0], strict=True))


def assert_werte(row: dict, **erwartet: object) -> None:
    for spalte, wert in erwartet.items():
        if isinstance(wert, float):
            assert row[spalte] == pytest.approx(wert, abs=1e-4), (spalte, row)
        else:
            assert row[spalte] == wert, (spalte, row)


def test_jahressumme_with_previous_year_pattern(warehouse: Path) -> None:
    # TW entries 2015: Jan 1, Mar 1, Jul 2, Oct 1 = 5; cumulated to March 2 -> P(3) = 2/5 = 0.4
    # 2016: Jan 1, Feb 1, Mar 1 -> Ist(March) = 3. Entries count by the date of `eintritt`, so
    # March also reads April's delivery (entries of 16-31 March), which is provisional.
    # T2 target 10: Soll = 10 * 0.4 = 4, Abweichung -1, Grad 3/4 = 75 %,
    # Hochrechnung 3 / 0.4 = 7.5, 25 % behind the path -> gefaehrdet
    assert_werte(zeile(warehouse, "T2", "2016-03"), ist=3.0, soll=4.0, zielwert=10.0,
                 abweichung=-1.0, zielerreichungsgrad=75.0, hochrechnung=7.5,
                 status="gefaehrdet", vorlaeufig=True)  # fmt: skip
    # T3 target 7.8: Soll = 7.8 * 0.4 = 3.12, Grad 3/3.12 = 96.1538 %, 3.85 % behind -> knapp
    assert_werte(zeile(warehouse, "T3", "2016-03"), soll=3.12, abweichung=-0.12,
                 zielerreichungsgrad=96.153846, status="knapp")  # fmt: skip
    # T4 target 2: January P(1) = 1/5, Soll 0.4, Ist 1 -> auf_kurs
    assert_werte(zeile(warehouse, "T4", "2016-01"), ist=1.0, soll=0.4, status="auf_kurs",
                 vorlaeufig=False)  # fmt: skip
    # February: Ist 2 >= 2, reading deliveries Jan..Mar (all final); an annual sum cannot
    # fall -> erreicht
    assert_werte(zeile(warehouse, "T4", "2016-02"), ist=2.0, status="erreicht", vorlaeufig=False)
    # March: met, but April's delivery is provisional -> only auf_kurs; P(3) = 0.4, Soll 0.8
    assert_werte(zeile(warehouse, "T4", "2016-03"), ist=3.0, soll=0.8, status="auf_kurs",
                 vorlaeufig=True)  # fmt: skip
    # April is provisional itself; P(4) = 2/5 -> Soll 2 * 0.4 = 0.8
    assert_werte(zeile(warehouse, "T4", "2016-04"), ist=3.0, soll=0.8, status="auf_kurs",
                 vorlaeufig=True)  # fmt: skip


def test_quote_jfw_with_previous_year_pattern(warehouse: Path) -> None:
    # stock 10 every month; Integrationen 2015: Jan, Mar, Jun, Sep, Dec (one each)
    # JFW 2015: March 2/10 = 20 %, December 5/10 = 50 % -> P(3) = 20/50 = 0.4
    # JFW 2016 March: 3 Integrationen (Jan, Feb, Mar) / mean stock Dec..Feb 10 = 30 %
    # T1 target 60: Soll 24, Abweichung 6, Grad 125 %, Hochrechnung 30 / 0.4 = 75
    assert_werte(zeile(warehouse, "T1", "2016-03"), ist=30.0, soll=24.0, abweichung=6.0,
                 zielerreichungsgrad=125.0, hochrechnung=75.0, status="auf_kurs",
                 vorlaeufig=False)  # fmt: skip
    # Z2.1 (real catalogue, 20.2 % ohne Asyl8): 9 of 10 persons not Asyl8, 2 of the 3
    # Integrationen (P01, P02) -> 2/9 = 22.2222 %; 2015 ohne Asyl8: March 2/9, December 5/9
    # -> P(3) = 0.4, Soll 20.2 * 0.4 = 8.08
    assert_werte(zeile(warehouse, "Z2.1", "2016-03"), ist=22.2222, soll=8.08, zielwert=20.2,
                 status="auf_kurs")  # fmt: skip


def test_jahresmittel_bestand_lower_is_better(warehouse: Path) -> None:
    # LZB: P04-P07 every month (4), P08 LZB from February 2016 -> Jan 4, Feb 5, Mar 5
    # Ist March = (4 + 5 + 5) / 3 = 4.6667; 2015 constant 4 -> P = 4/4 = 1
    # T5 target 5 (lower is better): Soll 5, Abweichung -0.3333,
    # Grad inverted 5 / 4.6667 = 107.1429 %, Hochrechnung 4.6667 -> auf_kurs
    assert_werte(zeile(warehouse, "T5", "2016-03"), ist=4.666667, soll=5.0,
                 abweichung=-0.333333, zielerreichungsgrad=107.142857, hochrechnung=4.666667,
                 status="auf_kurs")  # fmt: skip
    # T6 target 4.5: 4.6667 is 3.7 % above -> knapp; Grad 4.5 / 4.6667 = 96.4286 %
    assert_werte(zeile(warehouse, "T6", "2016-03"), soll=4.5, abweichung=0.166667,
                 zielerreichungsgrad=96.428571, status="knapp")  # fmt: skip
    # April (provisional): LZB 5 -> mean 19/4 = 4.75, 5.6 % above 4.5 -> gefaehrdet
    assert_werte(zeile(warehouse, "T6", "2016-04"), ist=4.75, status="gefaehrdet",
                 vorlaeufig=True)  # fmt: skip


def test_stichtagsquote(warehouse: Path) -> None:
    # K3E2 = LZB in MAT / LZB: Jan 1/4 = 25 %, Feb 2/5 = 40 %, Mar 2/5 = 40 %
    # Ist March = (25 + 40 + 40) / 3 = 35 %; 2015 constant 25 % -> P = 1
    # T7 target 40: Soll 40, Abweichung -5, Grad 87.5 %, 12.5 % behind -> gefaehrdet
    assert_werte(zeile(warehouse, "T7", "2016-03"), ist=35.0, soll=40.0, abweichung=-5.0,
                 zielerreichungsgrad=87.5, hochrechnung=35.0, status="gefaehrdet")  # fmt: skip


def test_dichte_with_previous_year_pattern(warehouse: Path) -> None:
    # marktnah MP/AP/FP = 3 persons; contacts 2016: Jan 3, Feb 2, Mar 3 = 8
    # Ist = 8 / 3 * 12 / 3 = 10.6667 contacts per person and year
    # 2015: Jan-Jun 3, Jul-Dec 6 per month: March 9/3*12/3 = 12, December 54/3*12/12 = 18
    # P(3) = 12/18 = 2/3; Z2.3 target 12: Soll 8, Grad 133.33 %, Hochrechnung 10.6667*1.5 = 16
    assert_werte(zeile(warehouse, "Z2.3", "2016-03"), ist=10.666667, soll=8.0, zielwert=12.0,
                 abweichung=2.666667, zielerreichungsgrad=133.333333, hochrechnung=16.0,
                 status="auf_kurs")  # fmt: skip
    # EP (P04, P05): one TEL contact in March -> 1 / 2 * 12 / 3 = 2; no EP contacts in 2015,
    # so no pattern: the level target 6 is the Soll in every month
    assert_werte(zeile(warehouse, "Z2.4", "2016-03"), ist=2.0, soll=6.0,
                 zielerreichungsgrad=33.333333, status="gefaehrdet")  # fmt: skip


def test_monitoring_rows(warehouse: Path) -> None:
    # LLU 2016 Jan 1100 + Feb 1100 + Mar 1300 = 3500 against 3 * 1000 -> +16.6667 %
    assert_werte(zeile(warehouse, "Z1.1", "2016-03"), ist=16.666667, soll=None, zielwert=None,
                 abweichung=None, zielerreichungsgrad=None, status="monitoring")  # fmt: skip
    # U25 share of Eingliederungsmittel: (100 + 100) / (400 + 600) = 20 %
    assert_werte(zeile(warehouse, "Z2.11", "2016-03"), ist=20.0, soll=None,
                 status="monitoring")  # fmt: skip


def test_second_catalogue_needs_no_code_change(warehouse: Path) -> None:
    # Z9.* is a fictional 2015 agreement loaded as extra rows; no 2014 year -> straight line
    # Z9.1 (TW, 6 per year) March 2015: Ist 2, Soll 6 * 3/12 = 1.5, Hochrechnung 2 * 12/3 = 8
    assert_werte(zeile(warehouse, "Z9.1", "2015-03"), ist=2.0, soll=1.5, hochrechnung=8.0,
                 zielerreichungsgrad=133.333333, status="auf_kurs", jahr=2015)  # fmt: skip
    # December 2015: 5 < 6 on final data -> Soll = target, 16.7 % behind -> gefaehrdet
    assert_werte(zeile(warehouse, "Z9.1", "2015-12"), ist=5.0, soll=6.0, status="gefaehrdet")
    # Z9.2 (quota 48 %): JFW December 2015 = 5/10 = 50 % >= 48, final -> erreicht
    assert_werte(zeile(warehouse, "Z9.2", "2015-12"), ist=50.0, soll=48.0, status="erreicht")
    # one row per month of 2015 for each fictional target
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute(
        "SELECT ziel_id, count(*) FROM marts.zielerreichung WHERE ziel_id LIKE 'Z9.%' GROUP BY 1"
    ).fetchall()
    con.close()
    assert dict(rows) == {"Z9.1": 12, "Z9.2": 12}


def test_every_real_target_has_rows(warehouse: Path) -> None:
    # every catalogue target whose figure exists in the data has one row per month of 2016
    # with data (Jan-Jun); Z2.10 (no FbW exits) has no computable Ist
    con = duckdb.connect(str(warehouse), read_only=True)
    counts = dict(con.execute(
        "SELECT ziel_id, count(*) FROM marts.zielerreichung WHERE ziel_id LIKE 'Z%' "
        "AND jahr = 2016 GROUP BY 1"
    ).fetchall())  # fmt: skip
    con.close()
    erwartet = {f"Z{z}" for z in ("1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
                                  "2.8", "2.9", "2.11", "2.12", "2.13", "2.14", "3.1", "3.2",
                                  "3.3", "3.4", "3.5")}  # fmt: skip
    assert set(counts) == erwartet
    assert set(counts.values()) == {6}


def test_published_marts_pass_their_checks(warehouse: Path, tmp_path: Path) -> None:
    # as the publish step does it: suppressed, then checked as published
    rules = suppression_rules(PUBLISHED)
    publish(warehouse, tmp_path / "marts.duckdb", PUBLISHED, suppression=rules)
    assert check_published(tmp_path / "marts.duckdb", rules) == {t: [] for t in PUBLISHED}


def test_rahmenbedingungen_as_published(marts: Path) -> None:
    with duckdb.connect(str(marts), read_only=True) as con:
        rahmen = con.execute(
            "SELECT elb_bestand, elb_mittel_ytd, elb_erwartung, asyl8_bestand "
            "FROM rahmenbedingungen_monat WHERE berichtsmonat = DATE '2016-03-01'"
        ).fetchone()
    # 10 persons, 1 of them SYR; expectation 48,869 from zielkatalog_rahmen
    assert rahmen == (10, 10.0, 48869.0, 1)


def test_report_rendering(marts: Path) -> None:
    text = render_report(marts, JC, 2016, 3)
    assert "Zielerreichung Jobcenter 05111 – März 2016" in text
    assert "Integrationsquote ohne Asylherkunftsländer" in text
    assert "Kontaktdichte marktnahe Profillagen (MP, AP, FP)" in text
    zeilen = {z.split()[0]: z for z in text.splitlines() if z[:1] in "ZT" and "." in z[:5]}
    zeilen.update({z.split()[0]: z for z in text.splitlines() if z.startswith("T")})
    # T4 (target 2) is met in March, but TW entries of 16-31 March come with April's
    # provisional delivery: auf Kurs, marked provisional; it is erreicht in February
    assert "▲ auf Kurs" in zeilen["T4"] and " p " in zeilen["T4"]
    feb = {z.split()[0]: z for z in render_report(marts, JC, 2016, 2).splitlines()
           if z.startswith("T")}  # fmt: skip
    assert "✔ erreicht" in feb["T4"]
    assert "● knapp" in zeilen["T3"]
    assert "✖ gefährdet" in zeilen["T2"]
    assert "▲ auf Kurs" in zeilen["T1"]
    assert "· Monitoring" in zeilen["Z1.1"]
    # German number format and units: 30,00 %, 10,7 Kontakte/Jahr, 31.902 Pers.
    assert "30,00 %" in zeilen["T1"]
    assert "10,7 Kontakte/Jahr" in zeilen["Z2.3"]
    assert "31.902 Pers." in zeilen["Z3.1"]
    assert "Rahmenbedingungen: eLB Ø Jan–Mär 10 (erwartet Ø 48.869" in text
    # March: rows reading only Jan..Mar carry no provisional marker; the event counts (TW)
    # also read April's provisional delivery and do
    assert all(" p " not in zeilen[z] for z in ("T1", "Z2.1", "Z2.3", "Z3.1"))
    assert " p " in zeilen["T2"] and " p " in zeilen["Z2.14"] and "p vorläufig" in text
    april = render_report(marts, JC, 2016, 4)
    assert "p vorläufig" in april and "40,00 % p" in april
    # default: the latest month with data (June 2016)
    assert "Juni 2016" in render_report(marts, None, None, None)
