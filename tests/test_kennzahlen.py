"""Kennzahlen on a hand-made dataset: expected values are computed by hand (see the comments).

One dataset, one jobcenter_id per scenario family, built once per module; dbt runs twice:
on everything (`wh`) and with `as_of` on a copy of the same raw data (`wh_asof`).

History of every Jobcenter: 2015-01 .. 2016-12, Stichtag the 15th of each month.
Months up to 2016-09 have a provisional stand (ST + 5 days) and a final one (ST + 3 months);
2016-10 .. 2016-12 only a provisional stand, so they are vorläufig.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.rawdata import RawData, kennzahlen, months, query, run_dbt

JC_K2 = "10001"  # Integrationen, rules 1-3, rolling vs JFW, groups, K1/K1E1/K1E2
JC_FLOW = "10002"  # Zugangs-/Abgangsrate, FbW, Kontaktdichte
JC_ATTR = "10003"  # LZB 638 days / age 17, K3E2 catalogue, U25 at the 25th birthday
JC_REV = "10004"  # revised stand, as-of
AS_OF = "2016-12-01"

ALL = ("2015-01", "2016-12")


def build_dataset() -> RawData:
    rd = RawData(final_bis="2016-09")
    for jc in (JC_K2, JC_FLOW, JC_ATTR, JC_REV):
        rd.history(jc, *ALL)

    # --- JC_K2 ----------------------------------------------------------------------------
    for i in range(1, 11):  # N01..N10 in stock every month: 10 eLB
        pid = f"N{i:02d}"
        extra = dict(geschlecht="w", staatsangehoerigkeit="SYR") if pid == "N05" else {}
        rd.person(JC_K2, pid, *ALL, **extra)
    rd.person(JC_K2, "X1", "2016-06", "2016-12")  # enters in June 2016: 11 eLB from June
    # month 2 of the history: never counted
    rd.month(JC_K2, "2015-02").start("N06", "2015-02-01", "SVB")
    rd.month(JC_K2, "2015-08").start("N04", "2015-08-01", "SVB")  # Integration Aug 2015 (rule 1)
    rd.month(JC_K2, "2016-03").start("N01", "2016-03-01", "SVB")  # Integration Mar 2016 (rule 1)
    apr = rd.month(JC_K2, "2016-04")  # N02: three starts on one day + a Minijob -> one SVB
    apr.start("N02", "2016-04-02", "SELB").start("N02", "2016-04-02", "AUS")
    apr.start("N02", "2016-04-02", "SVB").start("N02", "2016-04-03", "GERING")
    rd.month(JC_K2, "2016-05").start("N03", "2016-05-01", "OEFF")  # K2E2 only
    rd.month(JC_K2, "2016-06").start("X1", "2016-06-10", "SVB")  # entry month -> July (rule 2)
    rd.month(JC_K2, "2016-09").start("N05", "2016-09-01", "SVB")  # Asyl8 woman, Sep 2016
    for mo in months(*ALL):  # one BG with benefits: LLU 400 -> 440, LUH 300 -> 270
        llu, luh = (400, 300) if mo < "2016-01" else (440, 270)
        rd.month(JC_K2, mo).leistung("BG_N01", llu, luh)

    # --- JC_FLOW --------------------------------------------------------------------------
    rd.person(JC_FLOW, "B1", *ALL, berufsabschluss="OHNE")
    rd.person(JC_FLOW, "B2", *ALL, profillage="EP")
    rd.person(JC_FLOW, "B3", *ALL)
    rd.person(JC_FLOW, "B4", *ALL)
    rd.person(JC_FLOW, "L1", "2015-01", "2016-05")  # leaves in June 2016
    rd.person(JC_FLOW, "Z1", "2016-09", "2016-12")  # two Zugänge in Sep 2016
    rd.person(JC_FLOW, "Z2", "2016-09", "2016-12")
    rd.month(JC_FLOW, "2016-02").eintritt("F1", "B1", "FBW", "2016-02-01", "ABSCHLUSS")
    rd.month(JC_FLOW, "2016-05").austritt("F1", "B1", "2016-05-10")
    rd.month(JC_FLOW, "2016-07").start("B1", "2016-07-01", "SVB")  # within 6 months of exit
    rd.month(JC_FLOW, "2016-03").eintritt("T1", "B3", "TW", "2016-03-01")
    # events dated after the Stichtag arrive with the next month's delivery but count in the
    # calendar month of their date: F0 (20 Dec 2015, January's window) belongs to 2015, T2
    # (20 Mar, April's window) to March, the exit of F0 (20 Jun, July's window) to June
    rd.month(JC_FLOW, "2016-01").eintritt("F0", "B1", "FBW", "2015-12-20", "ABSCHLUSS")
    rd.month(JC_FLOW, "2016-07").austritt("F0", "B1", "2016-06-20")
    rd.month(JC_FLOW, "2016-04").eintritt("T2", "B4", "TW", "2016-03-20")
    rd.month(JC_FLOW, "2016-01").kontakt("B2", "2016-01-05").kontakt("B2", "2016-01-10")
    rd.month(JC_FLOW, "2016-02").kontakt("B2", "2016-02-01", "TEL")
    rd.month(JC_FLOW, "2016-02").kontakt("B2", "2016-02-02", "SCHRIFT")  # does not count
    rd.month(JC_FLOW, "2016-01").mittel("FBW", "U25", 250).mittel("FBW", "UE25", 750)
    rd.month(JC_FLOW, "2016-02").mittel("MAT", "U25", 0).mittel("MAT", "UE25", 1000)

    # --- JC_ATTR --------------------------------------------------------------------------
    rd.person(JC_ATTR, "Q1", *ALL)
    span = ("2016-01", "2016-04")
    rd.person(JC_ATTR, "P638", *span, elb_tage_730=638, massnahme_stichtag="FBW")
    rd.person(JC_ATTR, "P637", *span, elb_tage_730=637, massnahme_stichtag="FBW")
    rd.person(
        JC_ATTR, "A17", *span, geburtsmonat="1999-03", elb_tage_730=700, massnahme_stichtag="EGZ"
    )
    rd.person(JC_ATTR, "A16", *span, geburtsmonat="1999-04", elb_tage_730=700)
    rd.person(JC_ATTR, "E", *span, elb_tage_730=700, massnahme_stichtag="ESF_LZA")
    rd.person(JC_ATTR, "N", *span, elb_tage_730=700)
    rd.person(JC_ATTR, "U", *span, geburtsmonat="1991-03")
    rd.person(JC_ATTR, "U2", *span, geburtsmonat="1991-03")
    rd.month(JC_ATTR, "2016-03").start("U", "2016-03-01", "SVB")
    rd.month(JC_ATTR, "2016-04").start("U2", "2016-04-01", "SVB")

    # --- JC_REV ---------------------------------------------------------------------------
    for i in range(1, 6):
        rd.person(JC_REV, f"R{i}", *ALL)
    nov = rd.month(JC_REV, "2016-11")  # provisional stand 2016-11-20, no starts
    assert nov.stand.isoformat() == "2016-11-20"
    rd.revise(JC_REV, "2016-11", "2016-12-20").start("R1", "2016-11-01", "SVB")
    return rd


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("kennzahlen")
    wh, wh_asof = base / "wh.duckdb", base / "wh_asof.duckdb"
    build_dataset().write(wh)
    shutil.copy(wh, wh_asof)
    run_dbt(wh, base / "full")
    run_dbt(wh_asof, base / "asof", as_of=AS_OF)
    return wh, wh_asof


@pytest.fixture(scope="module")
def kz(warehouses):
    return kennzahlen(warehouses[0])


@pytest.fixture(scope="module")
def kz_asof(warehouses):
    return kennzahlen(warehouses[1])


def wert(kz, jc, monat, kennzahl, gruppe="gesamt", variante="rollierend"):
    return kz[(jc, monat, kennzahl, gruppe, variante)]["wert"]


# --- Integrationen: rules 1-3 ---------------------------------------------------------------


def test_entry_month_window_rule2(warehouses):
    # X1 enters ELB in June 2016 and starts on 2016-06-10 (June's window): not an Integration
    # of June (not in ELB(May)), an Integration of July by rule 2.
    rows = query(
        warehouses[0],
        "select berichtsmonat, regel from marts.fct_integrationen "
        "where jobcenter_id = ? and person_id = 'X1'",
        [JC_K2],
    )
    assert [(r[0].isoformat(), r[1]) for r in rows] == [("2016-07-01", 2)]


def test_two_starts_one_window_tie_rule(warehouses):
    # N02: SELB, AUS, SVB on 2016-04-02 -> exactly one Integration, SVB wins the tie
    rows = query(
        warehouses[0],
        "select berichtsmonat, art, beginn from marts.fct_integrationen "
        "where jobcenter_id = ? and person_id = 'N02'",
        [JC_K2],
    )
    assert [(r[0].isoformat(), r[1], r[2].isoformat()) for r in rows] == [
        ("2016-04-01", "SVB", "2016-04-02")
    ]


def test_history_start_has_no_integrationen(warehouses, kz):
    # N06 starts in month 2 of the history: no ELB(t-2) for rule 2 -> never counted
    assert query(
        warehouses[0], "select count(*) from marts.fct_integrationen where person_id = 'N06'"
    ) == [(0,)]
    # first rolling K2 in month 14 (INT from month 3, twelve of them): 2016-02, not 2016-01
    assert (JC_K2, "2016-01", "K2", "gesamt", "rollierend") not in kz
    assert (JC_K2, "2016-02", "K2", "gesamt", "rollierend") in kz
    # JFW needs INT(Jan) which needs Nov of the previous year: none in 2015, from 2016-01 on
    assert (JC_K2, "2015-12", "K2", "gesamt", "jfw") not in kz
    assert wert(kz, JC_K2, "2016-01", "K2", variante="jfw") == pytest.approx(0.0)


def test_rolling_vs_jfw(kz):
    # rolling 2016-02: INT(2015-03..2016-02) = N04 (Aug 2015) = 1; mean ELB(2015-02..2016-01) = 10
    assert wert(kz, JC_K2, "2016-02", "K2") == pytest.approx(100 * 1 / 10)
    # rolling 2016-06: INT(2015-07..2016-06) = N04, N01, N02 = 3; mean ELB = 10 -> 30 %
    assert wert(kz, JC_K2, "2016-06", "K2") == pytest.approx(30.0)
    # JFW 2016-06: INT(Jan..Jun 2016) = N01, N02 = 2; mean ELB(Dec 2015..May 2016) = 10 -> 20 %
    r = kz[(JC_K2, "2016-06", "K2", "gesamt", "jfw")]
    assert (r["zaehler"], r["nenner"], r["wert"]) == pytest.approx((2, 10, 20.0))
    # Dec 2016: INT(2016) = N01, N02, X1 (Jul), N05 (Sep) = 4;
    # mean ELB(Dec 2015..Nov 2016) = (6*10 + 6*11) / 12 = 10.5 -> 38.095 %; JFW(Dec) = Q(Dec)
    assert wert(kz, JC_K2, "2016-12", "K2") == pytest.approx(100 * 4 / 10.5)
    assert wert(kz, JC_K2, "2016-12", "K2", variante="jfw") == pytest.approx(100 * 4 / 10.5)


def test_k2_groups(kz):
    # Asyl8 = N05 only (SYR): 1 Integration / mean 1 -> 100 %; ohne: 3 / 9.5
    assert wert(kz, JC_K2, "2016-12", "K2", "asyl8") == pytest.approx(100.0)
    assert wert(kz, JC_K2, "2016-12", "K2", "ohne_asyl8") == pytest.approx(100 * 3 / 9.5)
    assert wert(kz, JC_K2, "2016-12", "K2", "frauen") == pytest.approx(100.0)
    assert wert(kz, JC_K2, "2016-12", "K2", "maenner") == pytest.approx(100 * 3 / 9.5)
    # no U25 person in the stock: denominator 0 -> row present, wert NULL
    assert wert(kz, JC_K2, "2016-12", "K2", "u25") is None


def test_gering_oeff_count_only_for_k2e1_k2e2(kz, warehouses):
    # GERING (N02, Apr) and OEFF (N03, May): 1 each / 10.5 for Dec 2016, not in K2's 4
    assert wert(kz, JC_K2, "2016-12", "K2E1") == pytest.approx(100 * 1 / 10.5)
    assert wert(kz, JC_K2, "2016-12", "K2E2") == pytest.approx(100 * 1 / 10.5)
    assert kz[(JC_K2, "2016-12", "K2", "gesamt", "rollierend")]["zaehler"] == 4
    assert query(
        warehouses[0], "select count(*) from marts.fct_integrationen where person_id = 'N03'"
    ) == [(0,)]


# --- attributes --------------------------------------------------------------------------------


def test_u25_in_month_of_25th_birthday(warehouses):
    # born 1991-03: at ST 2016-02 age (24194 - 23895) div 12 = 24 -> U25; at ST 2016-03 25 -> not
    rows = query(
        warehouses[0],
        "select strftime(berichtsmonat, '%Y-%m'), alter_jahre, u25 "
        "from marts.fct_elb_bestand where jobcenter_id = ? and person_id = 'U' "
        "and berichtsmonat in ('2016-02-01', '2016-03-01') order by 1",
        [JC_ATTR],
    )
    assert rows == [("2016-02", 24, True), ("2016-03", 25, False)]
    # Integration of March uses the Feb record (U25); U2's Integration of April the Mar record
    rows = query(
        warehouses[0],
        "select person_id, strftime(berichtsmonat, '%Y-%m'), u25 "
        "from marts.fct_integrationen where jobcenter_id = ? order by 1",
        [JC_ATTR],
    )
    assert rows == [("U", "2016-03", True), ("U2", "2016-04", False)]


def test_lzb_boundaries(warehouses, kz):
    rows = query(
        warehouses[0],
        "select person_id from marts.fct_lzb_bestand "
        "where jobcenter_id = ? and berichtsmonat = '2016-03-01' order by 1",
        [JC_ATTR],
    )
    # 638 days yes, 637 no; born 1999-03 is 17 at ST 2016-03 (yes), born 1999-04 is 16 (no)
    assert [r[0] for r in rows] == ["A17", "E", "N", "P638"]
    # A17 is 16 in February: not LZB yet
    rows = query(
        warehouses[0],
        "select lzb from marts.fct_elb_bestand where "
        "jobcenter_id = ? and person_id = 'A17' and berichtsmonat = '2016-02-01'",
        [JC_ATTR],
    )
    assert rows == [(False,)]
    # K3(2016-03) = 4 LZB against 0 a year earlier -> change undefined
    r = kz[(JC_ATTR, "2016-03", "K3", "gesamt", "monat")]
    assert (r["zaehler"], r["nenner"], r["wert"]) == (4, 0, None)


def test_k3e2_catalogue(kz):
    # LZB 2016-03: P638 (FBW, active), E (ESF_LZA, active in 2016 under the 2011 rules),
    # A17 (EGZ, in the catalogue but not active), N (no measure) -> 2 / 4 = 50 %.
    # P637 (FBW) is not LZB and must not count.
    r = kz[(JC_ATTR, "2016-03", "K3E2", "gesamt", "monat")]
    assert (r["zaehler"], r["nenner"], r["wert"]) == pytest.approx((2, 4, 50.0))


# --- flows ---------------------------------------------------------------------------------------


def test_abgangsrate_over_previous_month_stock(kz):
    # Only Abgang in 2016: L1 in June; ELB(May) = 5 -> (1/5) / 12 months = 1.6667 %
    # (dividing by ELB(June) = 4 would give 2.083 %)
    assert wert(kz, JC_FLOW, "2016-12", "K1E4") == pytest.approx(100 * (1 / 5) / 12)
    assert kz[(JC_FLOW, "2016-12", "K1E4", "gesamt", "rollierend")]["zaehler"] is None


def test_zugangsrate(kz):
    # Z1, Z2 enter in Sep 2016; ELB(Sep) = 4 + 2 = 6 -> (2/6) / 12 = 2.7778 %
    assert wert(kz, JC_FLOW, "2016-12", "K1E3") == pytest.approx(100 * (2 / 6) / 12)
    # first K1E3 needs Zugang(t-11..t), Zugang needs t-1: first row 2016-01 (months 2..13)
    assert (JC_FLOW, "2015-12", "K1E3", "gesamt", "rollierend") not in kz
    assert (JC_FLOW, "2016-01", "K1E3", "gesamt", "rollierend") in kz


# --- changes vs previous year ------------------------------------------------------------------


def test_k1_changes_vs_previous_year(kz, warehouses):
    # LLU 440 vs 400 -> +10 %; LUH 270 vs 300 -> -10 %; eLB Dec 2016 11 vs 10 -> +10 %
    r = kz[(JC_K2, "2016-03", "K1", "gesamt", "monat")]
    assert (r["zaehler"], r["nenner"], r["wert"]) == pytest.approx((440, 400, 10.0))
    assert wert(kz, JC_K2, "2016-03", "K1E1", variante="monat") == pytest.approx(-10.0)
    assert wert(kz, JC_K2, "2016-12", "K1E2", variante="monat") == pytest.approx(10.0)
    assert wert(kz, JC_K2, "2016-05", "K1E2", variante="monat") == pytest.approx(0.0)
    assert (JC_K2, "2015-12", "K1", "gesamt", "monat") not in kz  # no t-12
    # YTD: (3 * 440) / (3 * 400) - 1 = +10 %
    rows = query(
        warehouses[0],
        "select wert from marts.zielkennzahlen_monat where jobcenter_id = ? "
        "and berichtsmonat = '2016-03-01' and kennzahl = 'K1_YTD'",
        [JC_K2],
    )
    assert rows[0][0] == pytest.approx(10.0)


# --- provisional, revision, as-of ----------------------------------------------------------


def test_vorlaeufig_flag(kz):
    # rolling 2016-06 reads 2015-04..2016-06: all final
    assert kz[(JC_K2, "2016-06", "K2", "gesamt", "rollierend")]["vorlaeufig"] is False
    # 2016-10 is provisional (only stand ST + 5 days)
    assert kz[(JC_K2, "2016-10", "K2", "gesamt", "rollierend")]["vorlaeufig"] is True
    assert kz[(JC_K2, "2016-09", "K1E2", "gesamt", "monat")]["vorlaeufig"] is False
    assert kz[(JC_K2, "2016-10", "K1E2", "gesamt", "monat")]["vorlaeufig"] is True
    # a rolling rate ending in Sep 2016 only reads final months
    assert kz[(JC_FLOW, "2016-09", "K1E4", "gesamt", "rollierend")]["vorlaeufig"] is False


def test_revised_stand_changes_provisional_figure(kz):
    # revision of Nov 2016 (stand 2016-12-20) adds R1's SVB start -> 1 Integration in Nov;
    # rolling 2016-11: 1 / mean ELB(Nov 2015..Oct 2016) = 5 -> 20 %
    r = kz[(JC_REV, "2016-11", "K2", "gesamt", "rollierend")]
    assert (r["zaehler"], r["wert"], r["vorlaeufig"]) == (1, pytest.approx(20.0), True)


def test_as_of_reproduces_old_figure(kz, kz_asof):
    # as of 2016-12-01 only the first Nov stand (2016-11-20) exists: 0 Integrationen -> 0 %
    r = kz_asof[(JC_REV, "2016-11", "K2", "gesamt", "rollierend")]
    assert (r["zaehler"], r["wert"], r["vorlaeufig"]) == (0, pytest.approx(0.0), True)
    # Dec 2016 (stand 2016-12-20) was not known yet
    assert not any(k[1] == "2016-12" for k in kz_asof)
    # Sep 2016 was still provisional on 2016-12-01 (final stand 2016-12-15), Aug was final
    assert kz_asof[(JC_REV, "2016-09", "K2", "gesamt", "rollierend")]["vorlaeufig"] is True
    assert kz[(JC_REV, "2016-09", "K2", "gesamt", "rollierend")]["vorlaeufig"] is False
    assert kz_asof[(JC_REV, "2016-08", "K2", "gesamt", "rollierend")]["vorlaeufig"] is False
    # figures of final months are the same either way
    assert wert(kz_asof, JC_K2, "2016-06", "K2") == wert(kz, JC_K2, "2016-06", "K2")


# --- further figures of the agreement ----------------------------------------------------------


def _ziel(wh, jc, monat, kennzahl, gruppe="gesamt"):
    rows = query(
        wh,
        "select zaehler, nenner, wert, vorlaeufig from marts.zielkennzahlen_monat "
        "where jobcenter_id = ? and berichtsmonat = ? and kennzahl = ? and gruppe = ?",
        [jc, f"{monat}-01", kennzahl, gruppe],
    )
    assert len(rows) == 1, (kennzahl, gruppe, monat, rows)
    return rows[0]


def test_fbw_and_tw(warehouses):
    wh = warehouses[0]
    # FbW ABSCHLUSS entries of B1 (berufsabschluss OHNE), counted by the date of `eintritt`:
    # F0 on 2015-12-20 (delivered with January 2016, geringqualifiziert from B1's January
    # record) counts for 2015, F1 on 2016-02-01 for February 2016
    assert _ziel(wh, JC_FLOW, "2015-12", "FBW_EINTRITTE_GQ_ABSCHLUSS")[2] == 1
    assert _ziel(wh, JC_FLOW, "2016-01", "FBW_EINTRITTE_GQ_ABSCHLUSS")[2] == 0
    assert _ziel(wh, JC_FLOW, "2016-02", "FBW_EINTRITTE_GQ_ABSCHLUSS")[2] == 1
    # exits by the date of `austritt`: F1 2016-05-10 (May), F0 2016-06-20 (June, delivered with
    # July). B1's SVB 2016-07-01 (Integration of July) lies within 6 months of both exits:
    # May 1/1, June 2/2 = 100 %. F0's window ends 2016-12-20, covered by final months only
    # once January 2017 is final -> vorläufig
    assert _ziel(wh, JC_FLOW, "2016-05", "FBW_ERFOLGSQUOTE")[:2] == (1, 1)
    z, n, w, v = _ziel(wh, JC_FLOW, "2016-06", "FBW_ERFOLGSQUOTE")
    assert (z, n, w, v) == (2, 2, pytest.approx(100.0), True)
    assert _ziel(wh, JC_FLOW, "2016-09", "FBW_ERFOLGSQUOTE")[:2] == (2, 2)
    # TW entries by date: T1 2016-03-01 and T2 2016-03-20 (April's delivery) -> March 2
    assert _ziel(wh, JC_FLOW, "2016-02", "TW_EINTRITTE")[2] == 0
    assert _ziel(wh, JC_FLOW, "2016-03", "TW_EINTRITTE")[2] == 2
    assert _ziel(wh, JC_FLOW, "2016-04", "TW_EINTRITTE")[2] == 2
    # a month's event count also reads delivery m+1 (its events after the Stichtag):
    # August reads September (final); September reads October (provisional) -> vorläufig
    assert _ziel(wh, JC_FLOW, "2016-08", "TW_EINTRITTE")[3] is False
    assert _ziel(wh, JC_FLOW, "2016-09", "TW_EINTRITTE")[3] is True
    # Eingliederungsmittel Jan + Feb: U25 250 of 250 + 750 + 0 + 1000 = 2000 -> 12.5 %
    assert _ziel(wh, JC_FLOW, "2016-02", "EGM_ANTEIL_U25")[2] == pytest.approx(12.5)


def test_kontaktdichte(warehouses):
    # B2 (EP): 2 PERS in Jan, 1 TEL in Feb (SCHRIFT not counted); mean ELB_EP(Jan, Feb) = 1
    # -> 3 / 1 * 12 / 2 = 18 contacts per person and year
    rows = query(
        warehouses[0],
        "select kontakte_ytd, elb_mittel_ytd, kontaktdichte "
        "from marts.kontaktdichte_monat where jobcenter_id = ? "
        "and berichtsmonat = '2016-02-01' and gruppe = 'EP'",
        [JC_FLOW],
    )
    assert rows == [(3, 1.0, pytest.approx(18.0))]


def test_lzb_jahresdurchschnitt_and_lza_share(warehouses):
    wh = warehouses[0]
    # JC_ATTR LZB: Jan 2016: P638, E, N = 3 (A17 is 16); Feb 3; Mar 4; -> mean(Jan..Mar) = 10/3
    z, n, w, _ = _ziel(wh, JC_ATTR, "2016-03", "LZB_JAHRESDURCHSCHNITT")
    assert (z, n, w) == (10, 3, pytest.approx(10 / 3))
    # K1E2-based Jahresdurchschnitt of JC_K2 2016-12: (5*10 + 7*11) / 12
    assert _ziel(wh, JC_K2, "2016-12", "ELB_JAHRESDURCHSCHNITT")[2] == pytest.approx(127 / 12)
    # Integrationen Jan..Dec 2016 in JC_K2: 4, none LZA -> share 0 %
    assert _ziel(wh, JC_K2, "2016-12", "INTEGRATIONEN")[2] == 4
    assert _ziel(wh, JC_K2, "2016-12", "LZA_ANTEIL_INTEGRATIONEN")[2] == pytest.approx(0.0)
