"""The Zielsteuerungsdialog report as HTML: the SVG chart helpers (unit tests) and the whole
page rendered in headless Chromium (Debian package `chromium`, installed by
tests/setup_chromium.sh), checked in the DOM Chromium dumps after layout.

The marts come from the hand-made dataset of tests/target_data.py (one dbt build of the target
models, ~20 s). One value is then suppressed in a copy of the marts, the way the publishing
rule will publish it (NULL plus `unterdrueckt`), so the `*` and the chart gap are exercised.
A screenshot and the PDF print are kept in tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from tests.target_data import JC, build_target_warehouse
from zielmonitor.publish.marts import publish
from zielmonitor.report.charts import Diagramm, Linie, Reihe, achse, etiketten_y, pfad, skaliere
from zielmonitor.report.format import markiert, mit_einheit, prozent_ganz, vorzeichen, zahl, zelle
from zielmonitor.report.html import render_html, svg_diagramm

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# no network, no profile, no background services: the page must render from the file alone
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
UNTERDRUECKT = ("Z2.7", 3)  # target and month suppressed in the test copy of the marts
# the marts the report reads (lieferstand: its Datenstand and provisional months)
BERICHT_MARTS = {"zielerreichung", "ziele", "kontaktdichte_ziele_monat", "kundenstruktur_monat",
                 "rahmenbedingungen_monat", "fbw_monat", "talentwerkstatt_monat",
                 "eingliederungsmittel_monat", "lieferstand"}  # fmt: skip


# --------------------------------------------------------------------------------------------
# Unit tests: chart helpers and table cells
# --------------------------------------------------------------------------------------------


def test_pfad_breaks_at_gaps() -> None:
    assert pfad([(0, 0), (1, 1), None, (3, 3), (4, 4)]) == "M0.0,0.0L1.0,1.0M3.0,3.0L4.0,4.0"
    assert pfad([None, (2, 5), None]) == "M2.0,5.0"  # a lone point: no line, its marker shows it
    assert pfad([None, None]) == ""


def test_skaliere_maps_linearly_and_flips_y() -> None:
    assert skaliere(0, 0, 10, 200, 20) == 200  # lowest value at the bottom
    assert skaliere(10, 0, 10, 200, 20) == 20
    assert skaliere(2.5, 0, 10, 200, 20) == pytest.approx(155)


def test_achse_round_steps_and_zero() -> None:
    assert achse([3, 9.2]) == [0, 2.5, 5, 7.5, 10]  # starts at 0: 3 < 9.2 / 2
    assert achse([31_500, 32_300]) == [31_400, 31_600, 31_800, 32_000, 32_200, 32_400]
    assert achse([19.6, 20.2]) == pytest.approx([19.6, 19.8, 20.0, 20.2])
    assert achse([12, 12]) == [10, 11, 12, 13, 14]  # a flat line gets ±10 % room
    assert achse([-4, 2]) == [-4, -2, 0, 2]


def test_svg_points_scaled_and_gaps_in_chart() -> None:
    d = Diagramm(
        titel="Test",
        x_labels=["Jan", "Feb", "Mär", "Apr"],
        reihen=[Reihe("Ist", [0.0, 5.0, None, 10.0], "ist", offen=[False, False, False, True])],
        linien=[Linie(8.0, "Ziel 8", "ziel")],
        attribute={"data-ziel": "X1"},
        breite=62 + 400 + 118,  # plot area 400 px wide: 100 px per month
        hoehe=14 + 200 + 30,  # plot area 200 px high: ticks 0 … 10
    )
    svg = svg_diagramm(d)
    ist = re.search(r'data-reihe="Ist"><path class="linie" d="([^"]*)"', svg).group(1)
    # x: left margin 62 + (i + 0.5) * 100; y: bottom 214 − value * 20; the gap splits the line
    assert ist == "M112.0,214.0L212.0,114.0M412.0,14.0"
    assert svg.count('<circle class="pkt"') == 2 and svg.count("pkt offen") == 1
    assert '<path class="ref ziel" d="M62,54.0H462"/>' in svg  # Zielwert 8 at y 214 − 160
    assert 'data-ziel="X1"' in svg and ">7,5<" in svg and ">10,0<" in svg  # German ticks


def test_svg_without_values_says_so() -> None:
    d = Diagramm(titel="leer", x_labels=["Jan"], reihen=[Reihe("Ist", [None], "ist")])
    assert "keine Daten" in svg_diagramm(d)


def test_reference_labels_do_not_overlap() -> None:
    assert etiketten_y([50.0, 50.0, 120.0]) == [50.0, 61.0, 120.0]


def test_zelle_marks() -> None:
    assert zelle(None, "anzahl", unterdrueckt=True) == "*"
    assert zelle(5.0, "anzahl", unterdrueckt=True) == "5"  # the row flag alone hides nothing
    assert zelle(0.0, "anzahl") == "-"
    assert zelle(None, "prozent") == "x"
    assert zelle(20.2, "prozent") == "20,20 %"
    assert zelle(48869.0, "personen") == "48.869 Pers."
    assert zelle(10.66, "kontakte_je_person_jahr", suffix=False) == "10,7"


def test_one_formatter_for_terminal_html_and_summary() -> None:
    assert zahl(48869.0) == "48.869" and zahl(20.2, 2) == "20,20" and zahl(None) == "–"
    assert zahl(1234.5, 2, tausender=False) == "1234,50"  # the summary's cells
    assert mit_einheit(None, "anzahl") == "–" and mit_einheit(None, "anzahl", geheim=True) == "*"
    assert markiert("12,5", True) == "12,5 p" and markiert("12,5", False) == "12,5"
    assert vorzeichen(-0.44) == "−0,4" and vorzeichen(1.26) == "+1,3"
    assert prozent_ganz(0.0) == "0 %" and prozent_ganz(0.0, null="-") == "-"
    assert prozent_ganz(None, geheim=True) == "*" and prozent_ganz(104.4) == "104 %"


# --------------------------------------------------------------------------------------------
# The page in Chromium
# --------------------------------------------------------------------------------------------


def _chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} missing under CI: tests/setup_chromium.sh must run first")
    pytest.skip(f"{CHROMIUM} not installed (run tests/setup_chromium.sh); CI fails instead")


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("report_html")
    # lieferstand too: the report's Datenstand and provisional months
    wh = build_target_warehouse(work, extra_select=["+lieferstand"])
    target = work / "marts.duckdb"
    publish(wh, target, _gebaute_marts(wh))
    _unterdruecke(target, *UNTERDRUECKT)
    return target


def _gebaute_marts(warehouse: Path) -> list[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
        ).fetchall()
    finally:
        con.close()
    gebaut = {r[0] for r in rows}
    return sorted(gebaut & BERICHT_MARTS)


def _unterdruecke(marts_path: Path, ziel_id: str, monat: int) -> None:
    """Suppress one month of one target as the publishing rule will (NULL plus flag)."""
    con = duckdb.connect(str(marts_path))
    try:
        spalten = {r[0] for r in con.execute("DESCRIBE zielerreichung").fetchall()}
        if "unterdrueckt" not in spalten:
            con.execute("ALTER TABLE zielerreichung ADD COLUMN unterdrueckt BOOLEAN DEFAULT false")
        con.execute(
            "UPDATE zielerreichung SET ist = NULL, abweichung = NULL, zielerreichungsgrad = NULL,"
            " hochrechnung = NULL, unterdrueckt = true"
            " WHERE ziel_id = ? AND month(berichtsmonat) = ?",
            [ziel_id, monat],
        )
    finally:
        con.close()


@pytest.fixture(scope="module")
def seite(marts: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    chromium = _chromium()
    work = tmp_path_factory.mktemp("chromium")
    datei = work / "zielsteuerungsdialog.html"
    datei.write_text(render_html(marts, JC, None, None), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    png, pdf = ARTIFACTS / "report_html.png", ARTIFACTS / "report_html.pdf"
    png.unlink(missing_ok=True)
    pdf.unlink(missing_ok=True)
    basis = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profil'}"]
    url = datei.as_uri()
    dom = _run([*basis, "--dump-dom", url]).stdout
    _run([*basis, f"--screenshot={png}", "--window-size=1280,4000", url])
    _run([*basis, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url])
    shutil.copyfile(datei, ARTIFACTS / "report_html.html")
    return {"html": datei.read_text(encoding="utf-8"), "dom": dom, "png": png, "pdf": pdf}


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


class _Diagramme(HTMLParser):
    """Per <svg data-ziel|data-rahmen|data-kontakt>: the path data of each series (by
    data-reihe) and the number of markers, as laid out in the dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.svgs: dict[str, dict] = {}
        self._svg: dict | None = None
        self._reihe: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "svg":
            key = next((f"{k}={v}" for k, v in a.items() if k.startswith("data-") and
                        k != "data-jobcenter"), None)  # fmt: skip
            self._svg = None if key is None else self.svgs.setdefault(key, {"reihen": {}, "pkt": 0})
        elif self._svg is not None and tag == "g" and a.get("data-reihe"):
            self._reihe = a["data-reihe"]
        elif self._svg is not None and tag == "path" and self._reihe and a.get("d"):
            self._svg["reihen"][self._reihe] = a["d"]
        elif self._svg is not None and tag == "circle":
            self._svg["pkt"] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg = None
        elif tag == "g":
            self._reihe = None


def _punkte(d: str) -> int:
    return len(re.findall(r"[ML]", d))


def _ziele_2016(marts_path: Path) -> dict[str, int]:
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT ziel_id, count(ist) FROM zielerreichung WHERE jobcenter_id = ? "
            "AND jahr = 2016 GROUP BY 1",
            [JC],
        ).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_every_target_has_a_rendered_chart(seite: dict, marts: Path) -> None:
    p = _Diagramme()
    p.feed(seite["dom"])
    ziele = _ziele_2016(marts)
    assert len(ziele) >= 20
    for ziel_id, monate_mit_ist in ziele.items():
        svg = p.svgs.get(f"data-ziel={ziel_id}")
        assert svg is not None, f"no chart for {ziel_id}"
        ist = svg["reihen"].get("Ist", "")
        assert _punkte(ist) >= 2, (ziel_id, ist)
        assert svg["pkt"] == monate_mit_ist, ziel_id  # one marker per month with an Ist


def test_suppressed_value_is_a_gap_and_a_star(seite: dict) -> None:
    p = _Diagramme()
    p.feed(seite["dom"])
    ziel_id, monat = UNTERDRUECKT
    ist = p.svgs[f"data-ziel={ziel_id}"]["reihen"]["Ist"]
    assert ist.count("M") == 2 and _punkte(ist) == 5, ist  # Jan–Feb, gap in March, Apr–Jun
    karte = seite["dom"].split(f'id="ziel-{JC}-{ziel_id}"')[1].split('class="karte"')[0]
    assert re.search(
        r"<tr><th>Ist</th>(<td[^>]*>[^<]*(<sup[^>]*>p</sup>)?</td>){2}<td[^>]*>\*<", karte
    )


def test_sections_and_header(seite: dict) -> None:
    p = _Diagramme()
    p.feed(seite["dom"])
    assert _punkte(p.svgs["data-rahmen=elb"]["reihen"]["Bestand"]) == 6
    assert _punkte(p.svgs["data-rahmen=asyl8"]["reihen"]["Asyl8-Bestand"]) == 6
    for gruppe in ("MP", "AP", "FP", "EP", "SP", "UP", "marktnah", "marktnah_u25"):
        assert _punkte(p.svgs[f"data-kontakt={gruppe}"]["reihen"]["Jan. bis Monat"]) == 6, gruppe
    dom = seite["dom"]
    erwartet = ["Zielsteuerungsdialog 2016 – JC 05111", "JC 05111 (05111)", "Juni 2016",
                "Datenstand",
                "noch nicht endgültig: Apr, Mai, Jun 2016", "Lieferungen bis Stand 20.06.2016",
                "Juni aus der Lieferung vom 20.06.2016 (vorläufig", "Rahmenbedingungen 2016",
                "Kontaktdichte je Profillage 2016", "Methode und Definitionen",
                "▲ auf Kurs", "✖ gefährdet", "· Monitoring", "Ø 48.869"]  # fmt: skip
    for text in erwartet:
        assert text in dom, text


def test_self_contained_and_printable(seite: dict) -> None:
    html = seite["html"]
    extern = re.findall(r"(?:src|href)=\"(?!#)[^\"]*\"|https?://(?!www\.w3\.org/2000/svg)", html)
    assert extern == [] and "<script" not in html and "<link" not in html
    assert "@import" not in html and not re.search(r"url\((?!#)", html)
    assert "@page{size:A4" in html and "@media print" in html
    pdf = seite["pdf"].read_bytes()
    seiten = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(seiten) >= 5  # header + overview, targets, Rahmen, Kontakte, Methode on own pages
    assert all(abs(float(w) - 595) < 2 and abs(float(h) - 842) < 2 for w, h in seiten)  # A4
    assert seite["png"].stat().st_size > 50_000  # a real page, not a blank image


# --------------------------------------------------------------------------------------------
# The overview of all agreements (report without --jobcenter; docs/vergleich.md)
# --------------------------------------------------------------------------------------------

UEBERBLICK_MARTS = ["kennzahlen_monat", "vergleich_monat", "zielerreichung", "ziele",
                    "lieferstand"]  # fmt: skip


@pytest.fixture(scope="module")
def ueberblick(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Seven hand-made Jobcenters (tests/vergleich_data.py), two of them with an agreement
    (05111 and the fictional one of 05124), published with suppression and rendered."""
    from orchestration.assets.published import suppression_rules
    from tests.vergleich_data import build_vergleich_warehouse

    chromium = _chromium()
    work = tmp_path_factory.mktemp("ueberblick")
    wh = build_vergleich_warehouse(work, UEBERBLICK_MARTS)
    marts_path = work / "marts.duckdb"
    publish(wh, marts_path, UEBERBLICK_MARTS, suppression=suppression_rules(UEBERBLICK_MARTS))
    datei = work / "zielsteuerungsdialog.html"
    datei.write_text(render_html(marts_path, None, None, None), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / "report_ueberblick.png"
    png.unlink(missing_ok=True)
    basis = [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profil'}"]
    dom = _run([*basis, "--dump-dom", datei.as_uri()]).stdout
    _run([*basis, f"--screenshot={png}", "--window-size=1280,1600", datei.as_uri()])
    shutil.copyfile(datei, ARTIFACTS / "report_ueberblick.html")
    return {"html": datei.read_text(encoding="utf-8"), "dom": dom, "png": png}


def test_overview_renders_matrix_and_positions(ueberblick: dict) -> None:
    dom = ueberblick["dom"]
    assert "Zielvereinbarungen im Überblick" in dom and "Statusmatrix" in dom
    zeilen = re.findall(r'<tr><th><a href="#jc-(\d{5})">', dom.split("Statusmatrix")[1])
    assert zeilen[:2] == ["05111", "05124"]  # two agreements, one row each
    assert "Lage im Vergleichstyp, Dezember 2016" in dom
    assert dom.count('class="c s-') >= 25  # coloured status cells (21 + 6 targets)
    assert ueberblick["png"].stat().st_size > 30_000


def test_overview_every_link_resolves_and_no_network(ueberblick: dict) -> None:
    dom, html = ueberblick["dom"], ueberblick["html"]
    ids = re.findall(r'\sid="([^"]+)"', dom)
    links = re.findall(r'href="#([^"]+)"', dom)
    assert links and [x for x in links if x not in set(ids)] == []
    assert all(ids.count(x) == 1 for x in set(links)), "a link target is ambiguous"
    for jc in ("05111", "05124", "05315", "09162"):
        assert f'href="#jc-{jc}"' in dom
    extern = re.findall(r"(?:src|href)=\"(?!#)[^\"]*\"|https?://(?!www\.w3\.org/2000/svg)", html)
    assert extern == [] and "<script" not in html and "<link" not in html


def test_target_cards_show_the_type_spread(ueberblick: dict) -> None:
    # the Kennzahl-based targets with an Ist in this small dataset: Z2.1 of both agreements
    dom = ueberblick["dom"]
    for jc in ("05111", "05124"):
        assert f'data-vergleich="Z2.1" data-jobcenter="{jc}"' in dom, jc
    p = _Diagramme()
    p.feed(dom)
    assert set(p.svgs["data-vergleich=Z2.1"]["reihen"]) >= {"Jobcenter", "Vergleichstyp"}
    assert "data-vergleich=Z2.3" not in p.svgs  # Kontaktdichte: no Kennzahl, no type chart
