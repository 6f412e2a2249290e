"""A small hand-countable dataset and test catalogue for the target-comparison tests.

Jobcenter 05111, ten persons in the stock every month from 2014-11 to 2016-06 (so 2015 has a
complete JFW and serves as the previous-year pattern of 2016). Months up to 2016-03 are final,
2016-04 … 2016-06 provisional. Every number the tests expect is derived in test_targets.py
from the events listed here. The TW entries are dated before the 15th, so the calendar month
they count in is also the month that delivers them; but a month's event count also reads the
next delivery (entries after its Stichtag), so TW/FbW rows are provisional from March 2016.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import duckdb

from tests.rawdata import RawData, months, run_dbt

JC = "05111"

# Integrationen (SVB, beginn on the 1st, inside the window (15th of t-1, 15th of t]).
INTEGRATIONEN = {
    "2015-01": "P02", "2015-03": "P01", "2015-06": "P02", "2015-09": "P01", "2015-12": "P02",
    "2016-01": "P01", "2016-02": "P02", "2016-03": "P03", "2016-04": "P04",
}  # fmt: skip
# Talentwerkstatt entries per month (all by P07).
TW = {"2015-01": 1, "2015-03": 1, "2015-07": 2, "2015-10": 1,
      "2016-01": 1, "2016-02": 1, "2016-03": 1}  # fmt: skip
# PERS contacts of the marktnah persons P01-P03 per month.
KONTAKTE_MARKTNAH = {**{mo: 3 for mo in months("2015-01", "2015-06")},
                     **{mo: 6 for mo in months("2015-07", "2015-12")},
                     "2016-01": 3, "2016-02": 2, "2016-03": 3}  # fmt: skip
# LLU of the one BG with benefits.
LLU = {**{mo: 1000 for mo in months("2014-11", "2015-12")},
       "2016-01": 1100, "2016-02": 1100, "2016-03": 1300}  # fmt: skip

PERSONEN = {
    "P01": dict(alleinerziehend=True, profillage="MP", geburtsmonat="1994-06"),
    "P02": dict(alleinerziehend=True, profillage="AP"),
    "P03": dict(staatsangehoerigkeit="SYR", profillage="FP"),
    "P04": dict(
        profillage="EP", elb_tage_730=700, berufsabschluss="OHNE", massnahme_stichtag="MAT"
    ),
    "P05": dict(profillage="EP", elb_tage_730=700, berufsabschluss="OHNE"),
    "P06": dict(profillage="SP", elb_tage_730=700, arbeitslos=True, arbeitslos_seit="2013-01-01"),
    "P07": dict(
        profillage="UP",
        elb_tage_730=700,
        arbeitslos=True,
        arbeitslos_seit="2013-01-01",
        schwerbehindert=True,
    ),
    "P08": dict(profillage="Z", elb_tage_730=500),
    "P09": dict(profillage="I"),
    "P10": dict(profillage=None),
}


def build_raw() -> RawData:
    raw = RawData(final_bis="2016-03")
    raw.history(JC, "2014-11", "2016-06")
    for pid, attrs in PERSONEN.items():
        overrides: dict[str, dict] = {}
        if pid == "P05":  # in a MAT measure from February 2016 on (K3E2)
            overrides = {mo: {"massnahme_stichtag": "MAT"} for mo in months("2016-02", "2016-06")}
        if pid == "P08":  # becomes LZB in February 2016
            overrides = {mo: {"elb_tage_730": 700} for mo in months("2016-02", "2016-06")}
        raw.person(JC, pid, "2014-11", "2016-06", overrides=overrides, **attrs)
    for mo, pid in INTEGRATIONEN.items():
        raw.month(JC, mo).start(pid, f"{mo}-01", "SVB")
    fall = 0
    for mo, n in TW.items():
        for i in range(n):
            fall += 1
            raw.month(JC, mo).eintritt(f"TW{fall:03d}", "P07", "TW", f"{mo}-{2 + i:02d}")
    for mo, n in KONTAKTE_MARKTNAH.items():
        for i in range(n):
            pid = ("P01", "P02", "P03")[i % 3]
            raw.month(JC, mo).kontakt(pid, f"{mo}-{1 + i // 3:02d}", "PERS")
    # not counted: a written contact; counted for EP: one contact of P04 in March 2016
    raw.month(JC, "2016-03").kontakt("P02", "2016-03-10", "SCHRIFT")
    raw.month(JC, "2016-03").kontakt("P04", "2016-03-10", "TEL")
    for mo, llu in LLU.items():
        raw.month(JC, mo).leistung("BG_P01", llu, 500)
    raw.month(JC, "2016-01").mittel("MAT", "U25", 100).mittel("MAT", "UE25", 300)
    raw.month(JC, "2016-02").mittel("MAT", "U25", 100).mittel("MAT", "UE25", 500)
    return raw


# Test catalogue rows (loaded through the dbt var `zielkatalog_zusatz`): small targets that
# make each kind's arithmetic and status visible, and a fictional 2015 agreement (ids Z9.*)
# that no code knows about.
_T = ("jobcenter_id", "jahr", "ziel_id", "bezeichnung", "figur", "gruppe", "art", "richtung",
      "einheit", "zielwert")  # fmt: skip
TEST_KATALOG: list[tuple] = [
    (
        JC,
        2016,
        "T1",
        "Integrationsquote (Test)",
        "K2",
        "gesamt",
        "quote",
        "hoeher_besser",
        "prozent",
        60.0,
    ),
    (
        JC,
        2016,
        "T2",
        "Talentwerkstatt (Test, gefährdet)",
        "TW_EINTRITTE",
        "gesamt",
        "jahressumme",
        "hoeher_besser",
        "anzahl",
        10.0,
    ),
    (
        JC,
        2016,
        "T3",
        "Talentwerkstatt (Test, knapp)",
        "TW_EINTRITTE",
        "gesamt",
        "jahressumme",
        "hoeher_besser",
        "anzahl",
        7.8,
    ),
    (
        JC,
        2016,
        "T4",
        "Talentwerkstatt (Test, erreicht)",
        "TW_EINTRITTE",
        "gesamt",
        "jahressumme",
        "hoeher_besser",
        "anzahl",
        2.0,
    ),
    (
        JC,
        2016,
        "T5",
        "LZB-Jahresdurchschnitt (Test)",
        "LZB_JAHRESDURCHSCHNITT",
        "gesamt",
        "jahresmittel_bestand",
        "niedriger_besser",
        "personen",
        5.0,
    ),
    (
        JC,
        2016,
        "T6",
        "LZB-Jahresdurchschnitt (Test, knapp)",
        "LZB_JAHRESDURCHSCHNITT",
        "gesamt",
        "jahresmittel_bestand",
        "niedriger_besser",
        "personen",
        4.5,
    ),
    (
        JC,
        2016,
        "T7",
        "Aktivierungsquote LZB (Test)",
        "K3E2_JAHRESWERT",
        "gesamt",
        "stichtagsquote",
        "hoeher_besser",
        "prozent",
        40.0,
    ),
    (
        JC,
        2015,
        "Z9.1",
        "Talentwerkstatt 2015 (fiktiv)",
        "TW_EINTRITTE",
        "gesamt",
        "jahressumme",
        "hoeher_besser",
        "anzahl",
        6.0,
    ),
    (
        JC,
        2015,
        "Z9.2",
        "Integrationsquote 2015 (fiktiv)",
        "K2",
        "gesamt",
        "quote",
        "hoeher_besser",
        "prozent",
        48.0,
    ),
]
ZUSATZ_RELATION = "testdaten.zielkatalog_zusatz"


def write_test_catalogue(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS testdaten")
        con.execute(
            f"""CREATE OR REPLACE TABLE {ZUSATZ_RELATION} (
                jobcenter_id VARCHAR, jahr INTEGER, ziel_id VARCHAR, abschnitt VARCHAR,
                bezeichnung VARCHAR, kennzahl VARCHAR, figur VARCHAR, gruppe VARCHAR,
                art VARCHAR, richtung VARCHAR, einheit VARCHAR, zielwert DOUBLE,
                richtwert DOUBLE, basiswert DOUBLE, basis_bezug VARCHAR, quelle VARCHAR)"""
        )
        for row in TEST_KATALOG:
            values = dict(zip(_T, row, strict=True))
            cols = ", ".join(values)
            con.execute(
                f"INSERT INTO {ZUSATZ_RELATION} ({cols}, abschnitt, quelle) "
                f"VALUES ({', '.join('?' * len(values))}, 'II', 'Testkatalog')",
                list(values.values()),
            )
    finally:
        con.close()


def run_dbt_build(
    warehouse: Path, workdir: Path, extra_select: Sequence[str] = ()
) -> subprocess.CompletedProcess:
    """One `dbt build` of the target models and their parents, with the test catalogue."""
    return run_dbt(
        warehouse,
        workdir,
        select=["+tag:ziele", *extra_select],
        dbt_vars={"zielkatalog_zusatz": ZUSATZ_RELATION},
        extra_args=["--indirect-selection", "cautious"],
    )


def build_target_warehouse(work: Path, extra_select: Sequence[str] = ()) -> Path:
    """The small raw dataset, the fictional catalogue and the target marts in `work`."""
    wh = work / "warehouse.duckdb"
    build_raw().write(wh)
    write_test_catalogue(wh)
    run_dbt_build(wh, work, extra_select)
    return wh
