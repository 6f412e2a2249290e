"""The Zielsteuerungsdialog report as one self-contained HTML file (`report --format html`).

Reads the published marts (read-only) and renders, in German: a header (Jobcenter, year,
reporting month, Datenstand, provisional or not), an overview table, one card per target of
`zielerreichung` with an inline SVG line chart (Ist, Soll path, Zielwert, Hochrechnung), the
Rahmenbedingungen (eLB and Asyl8 stock against the expectation), the Kontaktdichte per
Profillage, and a method section. No network, no external fonts or scripts: the file opens
offline and prints on A4 (one section per page, cards never split).

Marks (publishing rule in kennzahlen.md): `*` = suppressed (NULL plus `unterdrueckt`), a gap in
the charts; `-` = exactly 0; `x` = no value (monitoring target, not computable); a raised `v`
= provisional (hollow markers and a hatched band in the charts).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from zielmonitor.report.text import (
    EINHEIT,
    MONATSNAMEN,
    STATUS_LABEL,
    _berichtsmonat,
    _sortierschluessel,
    alle_jobcenter,
    ohne_ziele,
    zahl,
)

MONAT_KURZ = tuple(n[:3] for n in MONATSNAMEN)
EINHEIT_ACHSE = {
    "prozent": "Prozent",
    "anzahl": "Anzahl",
    "personen": "Personen",
    "kontakte_je_person_jahr": "Kontakte je Person und Jahr",
}
KONTAKT_GRUPPEN = {
    "marktnah": "Marktnah gepoolt (MP, AP, FP) – Ziel Z2.3",
    "MP": "Marktprofil (MP)",
    "AP": "Aktivierungsprofil (AP)",
    "FP": "Förderprofil (FP)",
    "EP": "Entwicklungsprofil (EP) – Ziel Z2.4",
    "SP": "Stabilisierungsprofil (SP) – Ziel Z2.5",
    "UP": "Unterstützungsprofil (UP) – Ziel Z2.6",
    "marktnah_u25": "Marktnahe U25 (MP, AP, FP) – Ziel Z2.13",
}
_STAND_DATEI = re.compile(r"^marts_stand_(\d{4}-\d{2}-\d{2})\.duckdb$")


# --------------------------------------------------------------------------------------------
# Number cells
# --------------------------------------------------------------------------------------------


def zelle(
    wert: float | None, einheit: str = "", *, unterdrueckt: bool = False, suffix: bool = True
) -> str:
    """One table value: `*` suppressed, `x` no value, `-` exactly 0, else German format.

    `unterdrueckt` is the row's flag: suppression NULLs single cells and flags the row, so a
    cell is suppressed when it is NULL in a flagged row; its visible neighbours stay."""
    if wert is None or (isinstance(wert, float) and math.isnan(wert)):
        return "*" if unterdrueckt else "x"
    if wert == 0:
        return "-"
    endung, stellen = EINHEIT.get(einheit, ("", 2))
    if einheit != "prozent" and float(wert).is_integer():
        stellen = 0  # counts and whole stocks without decimals
    return zahl(wert, stellen) + (endung if suffix else "")


def muster(klasse: str, text: str, form: str = "linie") -> str:
    """A legend entry: a small svg sample drawn with the chart's own css classes."""
    if form == "linie":
        bild = f'<g class="reihe {klasse}"><path class="linie" d="M1,6H27"/></g>'
    elif form == "ref":
        bild = f'<path class="ref {klasse}" d="M1,6H27"/>'
    elif form == "raute":
        bild = '<g class="hochrechnung"><path class="raute" d="M14,1l5,5l-5,5l-5,-5z"/></g>'
    elif form == "offen":
        bild = '<g class="reihe ist"><circle class="pkt offen" cx="14" cy="6" r="3.5"/></g>'
    else:  # hatched band
        bild = ('<defs><pattern id="lg-h" width="6" height="6" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate(45)"><path d="M0,0V6" class="schraffur"/></pattern>'
                '</defs><rect x="4" y="0" width="20" height="12" fill="url(#lg-h)"/>')  # fmt: skip
    return (
        f'<span class="lg"><svg class="muster" width="28" height="12" viewBox="0 0 28 12" '
        f'aria-hidden="true">{bild}</svg> {html.escape(text)}</span>'
    )


def _v(vorlaeufig: bool) -> str:
    return '<sup class="v" title="vorläufige Zahl">p</sup>' if vorlaeufig else ""


# --------------------------------------------------------------------------------------------
# SVG line chart (plain Python, small on purpose)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reihe:
    """A series over the x categories; None = gap (suppressed or missing)."""

    name: str
    werte: Sequence[float | None]
    klasse: str  # css class: ist, soll, mittel, vorjahr, ...
    offen: Sequence[bool] = ()  # hollow marker (provisional) per point
    marker: bool = True


@dataclass(frozen=True)
class Linie:
    """A horizontal reference line (Zielwert, expectation, old target)."""

    wert: float
    name: str
    klasse: str


@dataclass(frozen=True)
class Diagramm:
    titel: str
    x_labels: Sequence[str]
    reihen: Sequence[Reihe]
    linien: Sequence[Linie] = ()
    einheit: str = ""
    schraffiert: Sequence[bool] = ()  # x categories to hatch (provisional months)
    hochrechnung: float | None = None  # projected year-end value, drawn at the last category
    attribute: dict[str, str] = field(default_factory=dict)  # data-* on the <svg>
    breite: int = 640
    hoehe: int = 230


RAND_L, RAND_R, RAND_O, RAND_U = 62, 118, 14, 30
Skala = Callable[[float], float]  # data value (or category index) -> pixel


def achse(werte: Sequence[float], anzahl: int = 5) -> list[float]:
    """Round tick values covering `werte` (steps 1, 2, 2.5, 5 × 10^k); zero included when
    the data start below half their maximum, so small levels are not exaggerated."""
    lo, hi = min(werte), max(werte)
    if lo >= 0 and lo < hi / 2:
        lo = 0.0
    if hi <= 0 and hi > lo / 2:
        hi = 0.0
    if hi - lo < 1e-9:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    roh = (hi - lo) / (anzahl - 1)
    basis = 10 ** math.floor(math.log10(roh))
    schritt = next(f * basis for f in (1, 2, 2.5, 5, 10) if f * basis >= roh)
    start = math.floor(lo / schritt + 1e-9) * schritt
    ticks = [start]
    while ticks[-1] < hi - 1e-9:
        ticks.append(round(ticks[-1] + schritt, 10))
    return ticks


def _stellen(ticks: Sequence[float]) -> int:
    """Decimals that show the tick step exactly (2.5 -> 1, 0.2 -> 1, 200 -> 0)."""
    schritt = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return next((k for k in range(4) if abs(schritt * 10**k - round(schritt * 10**k)) < 1e-6), 4)


def skaliere(wert: float, lo: float, hi: float, a: float, b: float) -> float:
    """Linear map of wert in [lo, hi] onto [a, b] (b < a for the upward y axis)."""
    return a + (wert - lo) / (hi - lo) * (b - a)


def pfad(punkte: Sequence[tuple[float, float] | None]) -> str:
    """SVG path data through the points; None breaks the line (a gap, never interpolated)."""
    teile, neu = [], True
    for p in punkte:
        if p is None:
            neu = True
            continue
        teile.append(f"{'M' if neu else 'L'}{p[0]:.1f},{p[1]:.1f}")
        neu = False
    return "".join(teile)


def etiketten_y(ys: Sequence[float], abstand: float = 11.0) -> list[float]:
    """Label positions beside reference lines, pushed apart so equal or close lines (old
    target = new target) do not print their labels on top of each other."""
    out = list(ys)
    reihenfolge = sorted(range(len(ys)), key=lambda i: ys[i])
    for vorher, i in zip(reihenfolge, reihenfolge[1:], strict=False):
        out[i] = max(out[i], out[vorher] + abstand)
    return out


def svg_diagramm(d: Diagramm) -> str:
    """The chart as an inline <svg> string."""
    n = len(d.x_labels)
    x0, x1 = RAND_L, d.breite - RAND_R
    y0, y1 = d.hoehe - RAND_U, RAND_O
    alle = [w for r in d.reihen for w in r.werte if w is not None]
    alle += [li.wert for li in d.linien]
    alle += [d.hochrechnung] if d.hochrechnung is not None else []
    attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in d.attribute.items())
    kopf = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="diagramm" role="img"{attrs} '
        f'viewBox="0 0 {d.breite} {d.hoehe}" width="{d.breite}" height="{d.hoehe}">'
        f"<title>{html.escape(d.titel)}</title>"
    )
    if not alle or n == 0:
        leer = f'<text x="{d.breite / 2}" y="{d.hoehe / 2}" class="leer">keine Daten</text>'
        return kopf + leer + "</svg>"
    ticks = achse(alle)
    lo, hi = ticks[0], ticks[-1]

    def x(i: int) -> float:
        return x0 + (i + 0.5) * (x1 - x0) / n

    def y(w: float) -> float:
        return skaliere(w, lo, hi, y0, y1)

    teile = [kopf, _schraffur(d, n, x0, x1, y0, y1)]
    teile += _gitter(ticks, y, x0, x1, _stellen(ticks), d.einheit)
    teile += [
        f'<text class="xl" x="{x(i):.1f}" y="{y0 + 17}">{html.escape(t)}</text>'
        for i, t in enumerate(d.x_labels)
    ]
    for li, ly in zip(d.linien, etiketten_y([y(li.wert) for li in d.linien]), strict=True):
        teile.append(
            f'<path class="ref {li.klasse}" d="M{x0},{y(li.wert):.1f}H{x1}"/>'
            f'<text class="refl {li.klasse}" x="{x1 + 4}" y="{ly + 4:.1f}">'
            f"{html.escape(li.name)}</text>"
        )
    for r in d.reihen:
        teile.append(_reihe_svg(r, x, y, d.einheit, d.x_labels))
    if d.hochrechnung is not None:
        teile.append(_hochrechnung_svg(d, x, y, n))
    return "".join(teile) + "</svg>"


def _schraffur(d: Diagramm, n: int, x0: float, x1: float, y0: float, y1: float) -> str:
    if not any(d.schraffiert):
        return ""
    pid = "h-" + re.sub(r"[^A-Za-z0-9_-]", "_", "-".join(d.attribute.values()) or d.titel)
    breite = (x1 - x0) / n
    baender = "".join(
        f'<rect class="vorl-band" x="{x0 + i * breite:.1f}" y="{y1}" width="{breite:.1f}" '
        f'height="{y0 - y1}" fill="url(#{pid})"/>'
        for i, s in enumerate(d.schraffiert)
        if s
    )
    muster = (
        f'<defs><pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><path d="M0,0V6" class="schraffur"/></pattern></defs>'
    )
    return muster + baender


def _gitter(
    ticks: Sequence[float], y: Skala, x0: float, x1: float, stellen: int, einheit: str
) -> list[str]:
    teile = [
        f'<path class="gitter" d="M{x0},{y(t):.1f}H{x1}"/>'
        f'<text class="yl" x="{x0 - 5}" y="{y(t) + 4:.1f}">{zahl(t, stellen)}</text>'
        for t in ticks
    ]
    if einheit:
        teile.append(
            f'<text class="achse" x="12" y="{(y(ticks[0]) + y(ticks[-1])) / 2:.1f}" '
            f'transform="rotate(-90 12 {(y(ticks[0]) + y(ticks[-1])) / 2:.1f})">'
            f"{html.escape(einheit)}</text>"
        )
    return teile


def _reihe_svg(r: Reihe, x: Skala, y: Skala, einheit: str, labels: Sequence[str]) -> str:
    punkte = [None if w is None else (x(i), y(w)) for i, w in enumerate(r.werte)]
    teile = [f'<g class="reihe {r.klasse}" data-reihe="{html.escape(r.name)}">']
    teile.append(f'<path class="linie" d="{pfad(punkte)}"/>')
    if r.marker:
        for i, p in enumerate(punkte):
            if p is None:
                continue
            offen = i < len(r.offen) and r.offen[i]
            text = f"{r.name} {labels[i]}: {zahl(r.werte[i], 2)} {einheit}".strip()
            teile.append(
                f'<circle class="pkt{" offen" if offen else ""}" cx="{p[0]:.1f}" '
                f'cy="{p[1]:.1f}" r="3.5"><title>{html.escape(text)}'
                f"{' (vorläufig)' if offen else ''}</title></circle>"
            )
    return "".join(teile) + "</g>"


def _hochrechnung_svg(d: Diagramm, x: Skala, y: Skala, n: int) -> str:
    ist = next((r for r in d.reihen if r.klasse == "ist"), None)
    letzte = None if ist is None else max(
        (i for i, w in enumerate(ist.werte) if w is not None), default=None
    )  # fmt: skip
    hx, hy = x(n - 1), y(d.hochrechnung)
    teile = ['<g class="hochrechnung">']
    if letzte is not None and letzte < n - 1:
        teile.append(f'<path class="linie" d="M{x(letzte):.1f},{y(ist.werte[letzte]):.1f}'
                     f'L{hx:.1f},{hy:.1f}"/>')  # fmt: skip
    teile.append(
        f'<path class="raute" d="M{hx:.1f},{hy - 6:.1f}l6,6l-6,6l-6,-6z">'
        f"<title>Hochrechnung Jahresende: {zahl(d.hochrechnung, 2)} {d.einheit}</title></path>"
    )
    return "".join(teile) + "</g>"


# --------------------------------------------------------------------------------------------
# Data from the marts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZielMonat:
    monat: int
    ist: float | None
    soll: float | None
    abweichung: float | None
    grad: float | None
    hochrechnung: float | None
    status: str
    vorlaeufig: bool
    unterdrueckt: bool


@dataclass
class Ziel:
    ziel_id: str
    bezeichnung: str
    einheit: str = ""
    richtung: str | None = None
    art: str | None = None
    zielwert: float | None = None
    richtwert: float | None = None
    basiswert: float | None = None
    basis_bezug: str | None = None
    quelle: str | None = None
    monate: list[ZielMonat] = field(default_factory=list)

    @property
    def aktuell(self) -> ZielMonat:
        return self.monate[-1]


def _tabellen(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def _spalten(con: duckdb.DuckDBPyConnection, tabelle: str) -> set[str]:
    return {r[0] for r in con.execute(f"DESCRIBE {tabelle}").fetchall()}


def _flag(con: duckdb.DuckDBPyConnection, tabelle: str, spalte: str, alias: str = "") -> str:
    """A boolean column when the mart has it (unterdrueckt comes with suppression), else false."""
    praefix = f"{alias}." if alias else ""
    return f"coalesce({praefix}{spalte}, false)" if spalte in _spalten(con, tabelle) else "false"


def lade_ziele(con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date) -> list[Ziel]:
    tabellen = _tabellen(con)
    katalog = (
        "k.einheit, k.richtung, k.art, k.richtwert, k.basiswert, k.basis_bezug, k.quelle"
        if "ziele" in tabellen
        else "'', NULL, NULL, NULL, NULL, NULL, NULL"
    )
    join = "LEFT JOIN ziele AS k USING (jobcenter_id, jahr, ziel_id)" if "ziele" in tabellen else ""
    rows = con.execute(
        f"""
        SELECT z.ziel_id, z.bezeichnung, {katalog}, z.zielwert, month(z.berichtsmonat),
               z.ist, z.soll, z.abweichung, z.zielerreichungsgrad, z.hochrechnung, z.status,
               z.vorlaeufig, {_flag(con, "zielerreichung", "unterdrueckt", "z")}
        FROM zielerreichung AS z {join}
        WHERE z.jobcenter_id = ? AND z.jahr = ? AND z.berichtsmonat <= ?
        ORDER BY z.ziel_id, z.berichtsmonat
        """,
        [jc, bm.year, bm],
    ).fetchall()
    ziele: dict[str, Ziel] = {}
    for r in rows:
        if r[0] not in ziele:
            einheit, richtung, art, richtwert, basiswert, basis_bezug, quelle = r[2:9]
            ziele[r[0]] = Ziel(r[0], r[1], einheit or "", richtung, art, r[9], richtwert,
                               basiswert, basis_bezug, quelle)  # fmt: skip
        ziele[r[0]].monate.append(ZielMonat(*r[10:]))
    # a target with no row for the reporting month itself is still shown (its last month)
    return sorted(ziele.values(), key=lambda z: _sortierschluessel(z.ziel_id))


def vorlaeufige_monate(con: duckdb.DuckDBPyConnection, jc: str, jahr: int) -> dict[int, bool]:
    """Month -> provisional, for the month itself: `lieferstand` says it per month, so does
    kundenstruktur_monat (one month read); rahmenbedingungen_monat (reads Jan…m) is the last
    resort."""
    tabellen = _tabellen(con)
    quellen = ("lieferstand", "kundenstruktur_monat", "rahmenbedingungen_monat")
    tabelle = next((t for t in quellen if t in tabellen), None)
    if tabelle is None:
        return {}
    rows = con.execute(
        f"SELECT month(berichtsmonat), bool_or(vorlaeufig) FROM {tabelle} "
        "WHERE jobcenter_id = ? AND year(berichtsmonat) = ? GROUP BY 1",
        [jc, jahr],
    ).fetchall()
    return dict(rows)


def jobcenter_name(con: duckdb.DuckDBPyConnection, jc: str) -> str | None:
    """The name from the latest delivery's manifest (mart `lieferstand`), if published."""
    if "lieferstand" not in _tabellen(con) or "jobcenter_name" not in _spalten(con, "lieferstand"):
        return None
    row = con.execute(
        "SELECT jobcenter_name FROM lieferstand WHERE jobcenter_id = ? "
        "ORDER BY berichtsmonat DESC LIMIT 1",
        [jc],
    ).fetchone()
    return row[0] if row else None


def datenstand(con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, marts_path: Path) -> str:
    """What the figures rest on: the latest delivery stand (mart `lieferstand`), the as-of
    date of a historical file (marts_stand_<as_of>.duckdb) and the publication time."""
    teile = []
    if "lieferstand" in _tabellen(con):
        neu, stand, ab, vorl = con.execute(
            "SELECT (SELECT max(aktiver_stand) FROM lieferstand WHERE jobcenter_id = $1), "
            "aktiver_stand, endgueltig_ab, vorlaeufig FROM lieferstand "
            "WHERE jobcenter_id = $1 AND berichtsmonat = $2",
            [jc, bm],
        ).fetchone() or (None, None, None, None)
        if neu is not None:
            teile.append(f"Lieferungen bis Stand {neu:%d.%m.%Y}")
        if stand is not None:
            wie = f"vorläufig, endgültig ab Stand {ab:%d.%m.%Y}" if vorl else "endgültig"
            teile.append(
                f"{MONATSNAMEN[bm.month - 1]} aus der Lieferung vom {stand:%d.%m.%Y} ({wie})"
            )
    treffer = _STAND_DATEI.match(marts_path.name)
    if treffer:
        tag = dt.date.fromisoformat(treffer.group(1))
        teile.append(f"Auswertung wie am {tag:%d.%m.%Y} bekannt")
    zeit = dt.datetime.fromtimestamp(marts_path.stat().st_mtime)
    teile.append(f"veröffentlicht am {zeit:%d.%m.%Y, %H:%M} Uhr")
    return "; ".join(teile)


# --------------------------------------------------------------------------------------------
# HTML sections
# --------------------------------------------------------------------------------------------


def render_html(
    marts_path: Path, jobcenter_id: str | None, jahr: int | None, monat: int | None
) -> str:
    """The whole report as one HTML document.

    jobcenter_id None: every Jobcenter in the file, one after another. jahr/monat None: the
    latest month with data (as `render_report`).
    """
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        if "zielerreichung" not in _tabellen(con):
            teile = [f"<p>{html.escape(str(marts_path))}: keine Tabelle zielerreichung "
                     "(noch kein Refresh gelaufen?)</p>"]  # fmt: skip
        else:
            jcs = [jc for jc in alle_jobcenter(con, _tabellen(con)) if jobcenter_id in (None, jc)]
            teile = [_jobcenter_html(con, jc, jahr, monat, marts_path) for jc in jcs]
            if not teile:
                teile = [
                    f"<p>Keine Zielerreichung für Jobcenter {html.escape(str(jobcenter_id))}.</p>"
                ]
    finally:
        con.close()
    titel = "Zielsteuerungsdialog – Zielerreichung nach § 48b SGB II"
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{titel}</title><style>{CSS}</style></head><body>"
        + "".join(teile)
        + "</body></html>\n"
    )


def _jobcenter_html(
    con: duckdb.DuckDBPyConnection, jc: str, jahr: int | None, monat: int | None, pfad_: Path
) -> str:
    grund = ohne_ziele(con, jc, _tabellen(con))
    if grund is not None:
        return (
            f'<article class="jobcenter" data-jobcenter="{html.escape(jc)}">'
            f'<p class="ohne-ziele">Jobcenter {html.escape(jc)}: {html.escape(grund)}</p></article>'
        )
    bm = _berichtsmonat(con, jc, jahr, monat)
    if bm is None:
        wann = "/".join(str(x) for x in (monat, jahr) if x is not None)
        return f"<p>Jobcenter {html.escape(jc)}: keine Zielerreichung für {wann}.</p>"
    ziele = lade_ziele(con, jc, bm)
    vorl = vorlaeufige_monate(con, jc, bm.year)
    schraffur = [vorl.get(m, False) for m in range(1, 13)]
    tabellen = _tabellen(con)
    stand = datenstand(con, jc, bm, pfad_)
    teile = [
        _kopf(jc, bm, ziele, vorl, stand, jobcenter_name(con, jc)),
        _uebersicht(ziele, bm),
        _ziele_abschnitt(ziele, bm, schraffur, jc),
    ]
    if "rahmenbedingungen_monat" in tabellen:
        teile.append(_rahmen_abschnitt(con, jc, bm, schraffur))
    if "kontaktdichte_ziele_monat" in tabellen:
        teile.append(_kontakt_abschnitt(con, jc, bm, schraffur))
    teile.append(_methode(bm, stand))
    return (
        f'<article class="jobcenter" data-jobcenter="{html.escape(jc)}">{"".join(teile)}</article>'
    )


def _kopf(
    jc: str, bm: dt.date, ziele: list[Ziel], vorl: dict[int, bool], stand: str, name: str | None
) -> str:
    monat = MONATSNAMEN[bm.month - 1]
    offen = [m for m in range(1, bm.month + 1) if vorl.get(m)]
    if any(z.aktuell.vorlaeufig for z in ziele) or offen:
        welche = ", ".join(MONAT_KURZ[m - 1] for m in offen) or "Vorjahresmonate"
        vorl_text = (
            f'<span class="warn">ja</span> – noch nicht endgültig: {welche} {bm.year}; '
            f"vorläufige Werte sind mit {_v(True)} markiert"
        )
    else:
        vorl_text = "nein – alle gelesenen Monate sind endgültig"
    zaehlung = {s: sum(1 for z in ziele if z.aktuell.status == s) for s in STATUS_LABEL}
    status = " ".join(_badge(s, f" {n}") for s, n in zaehlung.items() if n)
    return f"""
<header class="kopf">
  <h1>Zielsteuerungsdialog {bm.year} – {html.escape(name or f"Jobcenter {jc}")}</h1>
  <p class="unter">Zielerreichung nach der Zielvereinbarung {bm.year} (§ 48b SGB II)</p>
  <dl>
    <dt>Jobcenter</dt><dd>{html.escape(f"{name} ({jc})" if name else jc)}</dd>
    <dt>Jahr</dt><dd>{bm.year}</dd>
    <dt>Berichtsmonat</dt><dd>{monat} {bm.year} (Ist: Januar bis {monat})</dd>
    <dt>Datenstand</dt><dd>{html.escape(stand)}</dd>
    <dt>Vorläufig</dt><dd>{vorl_text}</dd>
    <dt>Status</dt><dd>{status}</dd>
  </dl>
</header>"""


def _badge(status: str, zusatz: str = "") -> str:
    label = STATUS_LABEL.get(status, status)
    return f'<span class="badge s-{html.escape(status)}">{html.escape(label)}{zusatz}</span>'


def _uebersicht(ziele: list[Ziel], bm: dt.date) -> str:
    zeilen = []
    for z in ziele:
        a = z.aktuell
        stand = "" if a.monat == bm.month else f" ({MONAT_KURZ[a.monat - 1]})"
        e, weg = z.einheit, a.unterdrueckt
        zellen = [
            zelle(a.ist, e, unterdrueckt=weg, suffix=False) + _v(a.vorlaeufig),
            zelle(a.soll, e, suffix=False),
            zelle(z.zielwert, e, suffix=False),
            zelle(a.hochrechnung, e, unterdrueckt=weg, suffix=False)
            + _v(a.vorlaeufig and a.hochrechnung is not None),
            _grad(a),
        ]
        zeilen.append(
            f'<tr><td><a href="#ziel-{html.escape(z.ziel_id)}">{html.escape(z.ziel_id)}</a></td>'
            f"<td>{html.escape(z.bezeichnung)}{stand}</td>"
            f"<td>{EINHEIT_KURZ.get(e, html.escape(e))}</td>"
            + "".join(f'<td class="n">{x}</td>' for x in zellen)
            + f"<td>{_badge(a.status)}</td></tr>"
        )
    return f"""
<section class="uebersicht"><h2>Überblick {MONATSNAMEN[bm.month - 1]} {bm.year}</h2>
<table class="tab"><thead><tr><th>Ziel</th><th>Bezeichnung</th><th>Einheit</th>{
        _kopfzellen("Ist", "Soll", "Zielwert", "Hochrechnung", "Grad")
    }<th>Status</th></tr></thead>
<tbody>{"".join(zeilen)}</tbody></table>{LEGENDE}</section>"""


EINHEIT_KURZ = {
    "prozent": "%",
    "anzahl": "Anzahl",
    "personen": "Personen",
    "kontakte_je_person_jahr": "Kontakte/Jahr",
}


LEGENDE = (
    '<p class="legende">Zeichen: <sup class="v">p</sup> vorläufige Zahl · * unterdrückt '
    "(Geheimhaltung, 1 oder 2 Personen) · - genau null · x kein Wert (Monitoring oder nicht "
    "berechenbar). Grad = Ist/Soll·100 (bei „niedriger ist besser“ Soll/Ist·100).</p>"
)


def _ziele_abschnitt(ziele: list[Ziel], bm: dt.date, schraffur: list[bool], jc: str) -> str:
    karten = "".join(_karte(z, bm, schraffur, jc) for z in ziele)
    return (
        f'<section class="ziele"><h2>Ziele im Einzelnen</h2>{_DIAGRAMM_LEGENDE}{karten}</section>'
    )


_DIAGRAMM_LEGENDE = (
    '<p class="legende">Diagramme: '
    + muster("ist", "Ist (Januar bis Monat)")
    + muster("soll", "Soll-Pfad")
    + muster("ziel", "Zielwert", "ref")
    + muster("richtwert", "Richtwert (Monitoring)", "ref")
    + muster("", "Hochrechnung Jahresende", "raute")
    + muster("", "vorläufiger Wert", "offen")
    + muster("", "Monat noch nicht endgültig", "band")
    + " Lücke: unterdrückt oder nicht berechenbar</p>"
)


def ziel_diagramm(z: Ziel, schraffur: Sequence[bool], jc: str = "") -> Diagramm:
    """The chart of one target over the 12 months of its year."""
    ist: list[float | None] = [None] * 12
    soll: list[float | None] = [None] * 12
    offen = [False] * 12
    for m in z.monate:
        ist[m.monat - 1] = m.ist
        soll[m.monat - 1] = m.soll
        offen[m.monat - 1] = m.vorlaeufig
    linien = []
    if z.zielwert is not None:
        linien.append(Linie(z.zielwert, f"Ziel {zelle(z.zielwert, z.einheit)}", "ziel"))
    elif z.richtwert is not None:
        linien.append(Linie(z.richtwert, f"Richtwert {zelle(z.richtwert, z.einheit)}", "richtwert"))
    a = z.aktuell
    return Diagramm(
        titel=f"{z.ziel_id} {z.bezeichnung}",
        x_labels=MONAT_KURZ,
        reihen=[
            Reihe("Soll", soll, "soll", marker=False),
            Reihe("Ist", ist, "ist", offen=offen),
        ],
        linien=linien,
        einheit=EINHEIT_ACHSE.get(z.einheit, ""),
        schraffiert=schraffur,
        hochrechnung=a.hochrechnung,
        attribute={"data-ziel": z.ziel_id, "data-jobcenter": jc},
    )


def _karte(z: Ziel, bm: dt.date, schraffur: list[bool], jc: str) -> str:
    a = z.aktuell
    ziel = zelle(z.zielwert, z.einheit)
    if z.zielwert is None and z.richtwert is not None:
        ziel = "Richtwert " + zelle(z.richtwert, z.einheit)
    versteckt = a.unterdrueckt
    kennwerte = [
        ("Ist Jan.–" + MONAT_KURZ[a.monat - 1], _ist(z, a)),
        ("Soll", zelle(a.soll, z.einheit)),
        ("Zielwert", ziel),
        ("Abweichung", zelle(a.abweichung, z.einheit, unterdrueckt=versteckt)),
        ("Zielerreichungsgrad", _grad(a)),
        (
            "Hochrechnung",
            zelle(a.hochrechnung, z.einheit, unterdrueckt=versteckt) + _v(a.vorlaeufig),
        ),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in kennwerte)
    richtung = {"hoeher_besser": "höher ist besser", "niedriger_besser": "niedriger ist besser"}
    meta = " · ".join(
        x for x in (richtung.get(z.richtung or ""), _basis(z), ART_TEXT.get(z.art or "")) if x
    )
    quelle = f'<p class="quelle">„{html.escape(z.quelle)}“</p>' if z.quelle else ""
    return f"""
<div class="karte" id="ziel-{html.escape(z.ziel_id)}">
  <h3><span class="id">{html.escape(z.ziel_id)}</span> {html.escape(z.bezeichnung)}
  {_badge(a.status)}</h3>
  <p class="meta">{html.escape(meta)}</p>
  <div class="inhalt">{svg_diagramm(ziel_diagramm(z, schraffur, jc))}
  <dl class="kennwerte">{dl}</dl></div>
  {_monatstabelle(z)}{quelle}
</div>"""


def _grad(a: ZielMonat) -> str:
    """Zielerreichungsgrad in whole percent, as the terminal report shows it."""
    if a.grad is None or a.grad == 0:
        return zelle(a.grad, unterdrueckt=a.unterdrueckt)
    return zahl(a.grad, 0) + " %"


def _ist(z: Ziel, a: ZielMonat) -> str:
    return zelle(a.ist, z.einheit, unterdrueckt=a.unterdrueckt) + _v(a.vorlaeufig)


def _kopfzellen(*namen: str) -> str:
    """Header cells of number columns (right-aligned like their values)."""
    return "".join(f'<th class="n">{html.escape(n)}</th>' for n in namen)


def _basis(z: Ziel) -> str:
    if z.basiswert is None:
        return ""
    bezug = f" ({z.basis_bezug})" if z.basis_bezug else ""
    return f"Basis {zelle(z.basiswert, z.einheit)}{bezug}"


ART_TEXT = {
    "jahressumme": "Ist = Summe Januar bis Monat",
    "quote": "Ist = Jahresfortschrittswert (JFW)",
    "jahresmittel_bestand": "Ist = Mittel der Monatsbestände Januar bis Monat",
    "stichtagsquote": "Ist = Mittel der monatlichen Stichtagsquoten",
    "dichte": "Ist = Kontakte je Person und Jahr, Januar bis Monat",
    "anteil": "Ist = Anteil Januar bis Monat",
    "veraenderung": "Ist = Veränderung gegenüber denselben Monaten des Vorjahres in %",
}


def _monatstabelle(z: Ziel) -> str:
    kopf = "".join(f"<th>{MONAT_KURZ[m.monat - 1]}</th>" for m in z.monate)
    ist = "".join(
        f'<td class="n">{zelle(m.ist, z.einheit, unterdrueckt=m.unterdrueckt, suffix=False)}'
        f"{_v(m.vorlaeufig)}</td>"
        for m in z.monate
    )
    soll = "".join(f'<td class="n">{zelle(m.soll, z.einheit, suffix=False)}</td>' for m in z.monate)
    status = "".join(_status_zelle(m.status) for m in z.monate)
    return (
        f'<table class="tab monate"><thead><tr><th></th>{kopf}</tr></thead><tbody>'
        f"<tr><th>Ist</th>{ist}</tr><tr><th>Soll</th>{soll}</tr>"
        f"<tr><th>Status</th>{status}</tr></tbody></table>"
    )


def _status_zelle(status: str) -> str:
    label = STATUS_LABEL.get(status, status)
    return (
        f'<td class="c s-{html.escape(status)}" title="{html.escape(label)}">'
        f"{html.escape(label.split()[0] if label.split() else label)}</td>"
    )


def _rahmen_abschnitt(
    con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, schraffur: list[bool]
) -> str:
    unterdr = _flag(con, "rahmenbedingungen_monat", "unterdrueckt")
    rows = con.execute(
        f"""SELECT month(berichtsmonat), elb_bestand, elb_mittel_ytd, elb_erwartung,
                   elb_abweichung_prozent, asyl8_bestand, asyl8_anteil,
                   elb_bestand_vorjahresmonat, asyl8_bestand_vorjahresmonat, vorlaeufig, {unterdr}
            FROM rahmenbedingungen_monat
            WHERE jobcenter_id = ? AND year(berichtsmonat) = ? AND berichtsmonat <= ?
            ORDER BY 1""",
        [jc, bm.year, bm],
    ).fetchall()
    if not rows:
        return '<section class="rahmen"><h2>Rahmenbedingungen</h2><p>Keine Daten.</p></section>'
    reihe = _monatsreihen(rows, ["elb", "mittel", "erw", "abw", "asyl8", "anteil", "elb_vj",
                                 "asyl8_vj", "vorl", "unterdr"])  # fmt: skip
    erwartung = next((w for w in reihe["erw"] if w is not None), None)
    elb = Diagramm(
        titel="eLB-Bestand je Monat und Jahresdurchschnitt gegen die Erwartung",
        x_labels=MONAT_KURZ,
        reihen=[
            Reihe("Vorjahresmonat", reihe["elb_vj"], "vorjahr", marker=False),
            Reihe("Ø Jan. bis Monat", reihe["mittel"], "mittel", offen=reihe["vorl"]),
            Reihe("Bestand", reihe["elb"], "ist", offen=reihe["vorl"]),
        ],
        linien=[Linie(erwartung, f"erwartet Ø {zelle(erwartung)}", "ziel")] if erwartung else [],
        einheit="Personen",
        schraffiert=schraffur,
        attribute={"data-rahmen": "elb", "data-jobcenter": jc},
    )
    asyl = Diagramm(
        titel="eLB aus den Asylherkunftsländern (Asyl8) je Monat",
        x_labels=MONAT_KURZ,
        reihen=[
            Reihe("Vorjahresmonat", reihe["asyl8_vj"], "vorjahr", marker=False),
            Reihe("Asyl8-Bestand", reihe["asyl8"], "ist", offen=reihe["vorl"]),
        ],
        einheit="Personen",
        schraffiert=schraffur,
        attribute={"data-rahmen": "asyl8", "data-jobcenter": jc},
        hoehe=190,
    )
    tabelle = _rahmen_tabelle(rows)
    return f"""
<section class="rahmen"><h2>Rahmenbedingungen {bm.year}</h2>
<p>Unterjährige Abweichungen von den Rahmenbedingungen der Zielvereinbarung: Bestand der
erwerbsfähigen Leistungsberechtigten (eLB) und der eLB aus den acht nichteuropäischen
Asylherkunftsländern (Asyl8) je Monat, gegen den erwarteten Jahresdurchschnitt
(Ø {zelle(erwartung)} eLB).</p>
<p class="legende">{_RAHMEN_LEGENDE}</p>
<div class="karte"><h4>{elb.titel}</h4>{svg_diagramm(elb)}</div>
<div class="karte"><h4>{asyl.titel}</h4>{svg_diagramm(asyl)}</div>
{tabelle}</section>"""


_RAHMEN_LEGENDE = (
    muster("ist", "Bestand im Monat")
    + muster("mittel", "Ø Januar bis Monat")
    + muster("vorjahr", "Vorjahresmonat")
    + muster("ziel", "erwarteter Jahresdurchschnitt", "ref")
    + muster("", "vorläufig", "offen")
)
_KONTAKT_LEGENDE = (
    muster("ist", "Januar bis Monat")
    + muster("monat", "Monat allein")
    + muster("ziel", "Ziel neu", "ref")
    + muster("alt", "Ziel alt", "ref")
    + muster("", "vorläufig", "offen")
)


def _monatsreihen(rows: Sequence[tuple], namen: Sequence[str]) -> dict[str, list]:
    """Rows (month first, then the named columns) -> 12-month lists; a month without a row
    and a suppressed (NULL) value are both gaps."""
    out: dict[str, list] = {n: [None] * 12 for n in namen}
    for r in rows:
        for n, w in zip(namen, r[1:], strict=True):
            out[n][r[0] - 1] = w
    out["vorl"] = [bool(v) for v in out["vorl"]]
    return out


def _rahmen_tabelle(rows: Sequence[tuple]) -> str:
    zeilen = []
    for r in rows:
        werte = ((r[1], ""), (r[2], ""), (r[4], "prozent"), (r[5], ""), (r[6], "prozent"))
        zellen = "".join(
            f'<td class="n">{zelle(w, e, unterdrueckt=bool(r[10]))}{_v(r[9])}</td>'
            for w, e in werte
        )
        zeilen.append(f"<tr><td>{MONATSNAMEN[r[0] - 1]}</td>{zellen}</tr>")
    return (
        '<table class="tab"><thead><tr><th>Monat</th><th class="n">eLB-Bestand</th>'
        '<th class="n">Ø Jan. bis Monat</th><th class="n">Abweichung von der Erwartung</th>'
        '<th class="n">Asyl8-Bestand</th><th class="n">Asyl8-Anteil</th></tr>'
        f"</thead><tbody>{''.join(zeilen)}</tbody></table>"
    )


def _kontakt_abschnitt(
    con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, schraffur: list[bool]
) -> str:
    unterdr = _flag(con, "kontaktdichte_ziele_monat", "unterdrueckt")
    rows = con.execute(
        f"""SELECT gruppe, month(berichtsmonat), kontaktdichte_ytd, kontaktdichte_monat,
                   ziel_alt, ziel_neu, erreichungsgrad_neu, vorlaeufig, {unterdr}
            FROM kontaktdichte_ziele_monat
            WHERE jobcenter_id = ? AND year(berichtsmonat) = ? AND berichtsmonat <= ?
            ORDER BY 1, 2""",
        [jc, bm.year, bm],
    ).fetchall()
    gruppen: dict[str, list[tuple]] = {}
    for r in rows:
        gruppen.setdefault(r[0], []).append(r[1:])
    reihenfolge = [g for g in KONTAKT_GRUPPEN if g in gruppen] + sorted(
        g for g in gruppen if g not in KONTAKT_GRUPPEN
    )
    multiples, tabelle = [], []
    for g in reihenfolge:
        d = kontakt_diagramm(g, gruppen[g], schraffur, jc)
        multiples.append(
            f'<div class="klein"><h4>{html.escape(d.titel)}</h4>{svg_diagramm(d)}</div>'
        )
        tabelle.append(_kontakt_zeile(g, gruppen[g][-1]))
    return f"""
<section class="kontakte"><h2>Kontaktdichte je Profillage {bm.year}</h2>
<p>Kontakte (persönlich, telefonisch) je Person und Jahr, Januar bis Monat, gegen das neue Ziel
der Vereinbarung und das bisherige Ziel. MP, AP und FP tragen das gepoolte Ziel der
marktnahen Profillagen (Z2.3).</p>
<p class="legende">{_KONTAKT_LEGENDE}</p>
<div class="multiples">{"".join(multiples)}</div>
<table class="tab"><thead><tr><th>Profillage</th>{
        _kopfzellen("Kontaktdichte Jan. bis Monat", "Ziel alt", "Ziel neu", "Erreichungsgrad (neu)")
    }</tr></thead>
<tbody>{"".join(tabelle)}</tbody></table></section>"""


def kontakt_diagramm(
    gruppe: str, rows: Sequence[tuple], schraffur: Sequence[bool], jc: str = ""
) -> Diagramm:
    """Small multiple of one profile: rows (month, ytd, month alone, old, new, grade,
    vorlaeufig, unterdrueckt)."""
    ytd: list[float | None] = [None] * 12
    einzeln: list[float | None] = [None] * 12
    offen = [False] * 12
    for monat, wert, wert_monat, _alt, _neu, _grad, vorl, _unterdr in rows:
        ytd[monat - 1] = wert  # NULL (suppressed) stays a gap
        einzeln[monat - 1] = wert_monat
        offen[monat - 1] = bool(vorl)
    alt, neu = rows[-1][3], rows[-1][4]
    linien = [Linie(neu, f"Ziel {zelle(neu)}", "ziel")] if neu is not None else []
    if alt is not None:
        linien.append(Linie(alt, f"alt {zelle(alt)}", "alt"))
    return Diagramm(
        titel=KONTAKT_GRUPPEN.get(gruppe, gruppe),
        x_labels=[k[0] for k in MONAT_KURZ],
        reihen=[
            Reihe("Monat allein", einzeln, "monat", marker=False),
            Reihe("Jan. bis Monat", ytd, "ist", offen=offen),
        ],
        linien=linien,
        schraffiert=schraffur,
        attribute={"data-kontakt": gruppe, "data-jobcenter": jc},
        breite=330,
        hoehe=170,
    )


def _kontakt_zeile(gruppe: str, r: tuple) -> str:
    _monat, ytd, _m, alt, neu, grad, vorl, unterdr = r
    return (
        f"<tr><td>{html.escape(KONTAKT_GRUPPEN.get(gruppe, gruppe))}</td>"
        f'<td class="n">{zelle(ytd, unterdrueckt=bool(unterdr))}{_v(vorl)}</td>'
        f'<td class="n">{zelle(alt)}</td><td class="n">{zelle(neu)}</td>'
        f'<td class="n">{zelle(grad, "prozent", unterdrueckt=bool(unterdr))}</td></tr>'
    )


def _methode(bm: dt.date, stand: str) -> str:
    return f"""
<section class="methode"><h2>Methode und Definitionen</h2>
<p><b>Datenstand:</b> {html.escape(stand)}. Ein Monat ist endgültig, wenn eine Lieferung mit
Stand mindestens drei Monate nach dem Stichtag vorliegt; eine Zahl ist vorläufig, sobald sie
einen noch nicht endgültigen Monat liest (auch Vorjahresmonate des Soll-Pfads).</p>
<p><b>Ist</b> ist immer der Wert Januar bis Berichtsmonat {bm.year}, je nach Art des Ziels:
Summen (Integrationen, FbW- und Talentwerkstatt-Eintritte) als Summe der Monate;
Integrationsquoten als Jahresfortschrittswert (Integrationen Januar bis Monat durch den
durchschnittlichen eLB-Bestand Dezember des Vorjahres bis Vormonat, Dezemberwert = Jahreswert;
Integrationen nach den Zählregeln der BA-Detailbeschreibung zu K2);
Bestände (LZB, LZA) als Mittel der Monatsbestände; die Aktivierungsquote LZB (K3E2) als Mittel
der monatlichen Stichtagsquoten; Kontaktdichten als persönliche und telefonische Kontakte je
Person und Jahr (Kontakte durch durchschnittlichen Bestand der Profillage, hochgerechnet auf
12 Monate); Anteile (FbW-Erfolgsquote, U25-Anteil an den Eingliederungsmitteln, LZA-Anteil an
den Integrationen) als Anteil der Summen Januar bis Monat; die Monitoringgrößen K1 und K1E1
als Veränderung der Summe Januar bis Monat gegenüber denselben Monaten des Vorjahres.
Die Rechenregeln stehen in <code>kennzahlen.md</code> (Spezifikation) und
<code>docs/kennzahlen.md</code>, die Zielarten in <code>docs/targets.md</code>.</p>
<p><b>Soll-Pfad:</b> der Zielwert, verteilt nach dem Verlauf desselben Werts im Vorjahr
(Soll(m) = Zielwert · Vorjahr(m) / Vorjahr(Dezember)); ohne Vorjahr eine Gerade. Die
<b>Hochrechnung</b> ist Ist / Vorjahresanteil, also der Jahresendwert bei gleichem Verlauf;
sie erreicht das Ziel genau dann, wenn das Ist auf oder über dem Pfad liegt.</p>
<p><b>Status:</b> {_badge("erreicht")} endgültige Daten und Ziel sicher erreicht (Dezember, oder
eine Summe hat den Zielwert schon überschritten); {_badge("auf_kurs")} Ist auf oder besser als
der Soll-Pfad; {_badge("knapp")} höchstens 5 % hinter dem Soll; {_badge("gefaehrdet")} mehr als
5 % hinter dem Soll; {_badge("monitoring")} kein Zielwert oder keine Richtung, nur beobachtet.
Bei „niedriger ist besser“ (LZB-Jahresdurchschnitt) sind Abweichung und Grad umgekehrt
gelesen.</p>
<p><b>Geheimhaltung (§ 16 BStatG):</b> Fallzahlen von 1 oder 2 Personen und daraus
ableitbare Werte erscheinen als *, in Diagrammen als Lücke; 0 erscheint als -. Personenbezogene
Daten verlassen das geschützte Warehouse nie; dieser Bericht liest nur die veröffentlichten
Marts.</p>
</section>"""


CSS = """
:root{--ink:#1b1b1b;--grau:#6b6b6b;--linie:#d0d0d0;--ist:#0b4f9c;--soll:#555;--ziel:#b3261e;
--ok:#1e7b34;--kurs:#1f6f8b;--knapp:#a36100;--gef:#b3261e;--mon:#5f5f5f}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif;color:var(--ink);
margin:0 auto;max-width:1100px;padding:16px 24px;font-size:13px;line-height:1.4}
h1{font-size:22px;margin:0 0 2px}h2{font-size:18px;border-bottom:2px solid var(--ink);
padding-bottom:3px;margin-top:28px}h3{font-size:15px;margin:0 0 4px}h4{font-size:12px;margin:0}
.unter{color:var(--grau);margin:0 0 8px}
.kopf dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
.kopf dt{font-weight:bold}.kopf dd{margin:0}
.warn{font-weight:bold;color:var(--knapp)}
.badge{display:inline-block;border:1.5px solid currentColor;border-radius:10px;padding:0 7px;
font-size:12px;font-weight:bold;white-space:nowrap;vertical-align:middle;background:#fff}
.s-erreicht{color:var(--ok)}.s-auf_kurs{color:var(--kurs)}.s-knapp{color:var(--knapp)}
.s-gefaehrdet{color:var(--gef)}.s-monitoring{color:var(--mon)}
.badge.s-gefaehrdet{border-width:3px;border-style:double}
.badge.s-knapp{border-style:dashed}.badge.s-monitoring{border-style:dotted}
.tab{border-collapse:collapse;margin:8px 0;font-size:12px}
.tab th,.tab td{border-bottom:1px solid var(--linie);padding:2px 6px;text-align:left}
.tab td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.tab td.c{text-align:center}.tab th.n{text-align:right}
.monate{font-size:11px}.monate th{font-weight:normal;color:var(--grau)}
sup.v{font-size:9px;font-weight:bold;color:var(--knapp);margin-left:1px}
.legende{color:var(--grau);font-size:11px}
.lg{white-space:nowrap;margin-right:10px}svg.muster{vertical-align:middle}
.karte{border:1px solid var(--linie);border-radius:4px;padding:10px 12px;margin:12px 0;
break-inside:avoid;page-break-inside:avoid}
.karte .id{color:var(--grau)}
.meta,.quelle{color:var(--grau);font-size:11px;margin:2px 0}.quelle{font-style:italic}
.inhalt{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.kennwerte{display:grid;grid-template-columns:max-content max-content;gap:2px 10px;margin:6px 0}
.kennwerte dt{color:var(--grau)}.kennwerte dd{margin:0;text-align:right;font-weight:bold}
.multiples{display:flex;flex-wrap:wrap;gap:8px}
.klein{border:1px solid var(--linie);border-radius:4px;padding:4px;break-inside:avoid}
svg.diagramm{max-width:100%;height:auto;font-size:10px;overflow:visible}
svg .gitter{stroke:#e4e4e4;stroke-width:1}
svg .yl{text-anchor:end;fill:var(--grau)}svg .xl{text-anchor:middle;fill:var(--grau)}
svg .achse{text-anchor:middle;fill:var(--grau)}svg .leer{text-anchor:middle;fill:var(--grau)}
svg .linie{fill:none;stroke-width:2}
svg .ist .linie{stroke:var(--ist);stroke-width:2.5}svg .ist .pkt{fill:var(--ist);stroke:var(--ist)}
svg .pkt.offen{fill:#fff;stroke-width:1.8}
svg .soll .linie{stroke:var(--soll);stroke-dasharray:7 4}
svg .mittel .linie{stroke:var(--ist);stroke-dasharray:7 4;stroke-width:1.8}
svg .mittel .pkt{fill:#fff;stroke:var(--ist);r:2.5}
svg .vorjahr .linie,svg .monat .linie{stroke:#9a9a9a;stroke-dasharray:2 3;stroke-width:1.5}
svg .ref{stroke-width:1.5;fill:none}svg .ref.ziel{stroke:var(--ziel)}
svg .ref.alt,svg .ref.richtwert{stroke:var(--grau);stroke-dasharray:1 3}
svg .refl{font-size:10px}svg .refl.ziel{fill:var(--ziel)}
svg .refl.alt,svg .refl.richtwert{fill:var(--grau)}
svg .hochrechnung .linie{stroke:var(--ist);stroke-dasharray:1 3;stroke-width:1.5}
svg .raute{fill:#fff;stroke:var(--ist);stroke-width:2}
svg .schraffur{stroke:#c9c9c9;stroke-width:2}
@page{size:A4;margin:14mm 12mm}
@media print{
 body{max-width:none;padding:0;font-size:9pt}
 .tab{font-size:8pt}.monate{font-size:7pt}.tab th,.tab td{padding:1px 3px}
 .tab .badge{font-size:7pt;padding:0 4px}
 .inhalt{flex-wrap:nowrap;gap:6px}.inhalt svg.diagramm{width:73%;height:auto}
 svg.diagramm{font-size:12px}svg .refl{font-size:11px}
 .kennwerte{font-size:8pt;gap:1px 6px}.karte{padding:6px 8px;margin:8px 0}
 section:not(.uebersicht){break-before:page;page-break-before:always}
 a{color:inherit;text-decoration:none}
 .karte{border-color:#999}
 svg.diagramm{max-width:100%}
}
"""
