"""The Zielsteuerungsdialog report as one self-contained HTML file (`report --format html`).

Reads the published marts (read-only) and renders, in German: a header (Jobcenter, year,
reporting month, Datenstand, provisional or not), an overview table, one card per target of
`zielerreichung` with an inline SVG line chart (Ist, Soll path, Zielwert, Hochrechnung), the
Rahmenbedingungen (eLB and Asyl8 stock against the expectation), the Kontaktdichte per
Profillage, and a method section. No network, no external fonts or scripts: the file opens
offline and prints on A4 (one section per page, cards never split).

This module reads the marts and prepares the figures; the markup is in the Jinja2 templates
of `templates/` (autoescaped), the stylesheet in `templates/report.css` (inlined), the charts'
geometry in `charts.py`, and every number is formatted by `format.py`.

Marks (publishing rule in kennzahlen.md, signs of official statistics): `*` = suppressed
(NULL plus `unterdrueckt`), a gap in the charts; `-` = exactly 0; `x` = no value (monitoring
target, not computable); a raised `p` = vorläufige Zahl (hollow markers and a hatched band in
the charts).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
from markupsafe import Markup

from zielmonitor.report.charts import Diagramm, Linie, Reihe, geometrie
from zielmonitor.report.format import (
    MONAT_KURZ,
    MONATSNAMEN,
    STATUS_LABEL,
    prozent_ganz,
    zelle,
)
from zielmonitor.report.jinja import css, environment
from zielmonitor.report.queries import (
    alle_jobcenter,
    berichtsmonat,
    flag_sql,
    ohne_berichtsmonat,
    ohne_ziele,
    sortierschluessel,
    spalten,
    tabellen,
)
from zielmonitor.report.vergleich import (
    Streuung,
    hat_vergleich,
    lage,
    statusmatrix,
    streuung,
    vergleichsmonat,
)

TITEL = "Zielsteuerungsdialog – Zielerreichung nach § 48b SGB II"
EINHEIT_ACHSE = {
    "prozent": "Prozent",
    "anzahl": "Anzahl",
    "personen": "Personen",
    "kontakte_je_person_jahr": "Kontakte je Person und Jahr",
}
EINHEIT_KURZ = {
    "prozent": "%",
    "anzahl": "Anzahl",
    "personen": "Personen",
    "kontakte_je_person_jahr": "Kontakte/Jahr",
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
RICHTUNG_TEXT = {"hoeher_besser": "höher ist besser", "niedriger_besser": "niedriger ist besser"}
ART_TEXT = {
    "jahressumme": "Ist = Summe Januar bis Monat",
    "quote": "Ist = Jahresfortschrittswert (JFW)",
    "jahresmittel_bestand": "Ist = Mittel der Monatsbestände Januar bis Monat",
    "stichtagsquote": "Ist = Mittel der monatlichen Stichtagsquoten",
    "dichte": "Ist = Kontakte je Person und Jahr, Januar bis Monat",
    "anteil": "Ist = Anteil Januar bis Monat",
    "veraenderung": "Ist = Veränderung gegenüber denselben Monaten des Vorjahres in %",
}
_STAND_DATEI = re.compile(r"^marts_stand_(\d{4}-\d{2}-\d{2})\.duckdb$")


def svg_diagramm(d: Diagramm) -> Markup:
    """The chart as an inline <svg> (template `diagramm.svg.j2`)."""
    return environment().get_template("diagramm.svg.j2").module.diagramm(geometrie(d))


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
    kennzahl: str | None = None  # the Kennzahl of a Kennzahl-based target (its type chart)
    gruppe: str | None = None
    monate: list[ZielMonat] = field(default_factory=list)

    @property
    def aktuell(self) -> ZielMonat:
        return self.monate[-1]


def lade_ziele(con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date) -> list[Ziel]:
    vorhanden = tabellen(con)
    katalog = (
        "k.einheit, k.richtung, k.art, k.richtwert, k.basiswert, k.basis_bezug, k.quelle"
        if "ziele" in vorhanden
        else "'', NULL, NULL, NULL, NULL, NULL, NULL"
    )
    mit_kennzahl = "ziele" in vorhanden and "kennzahl" in spalten(con, "ziele")
    kennzahl = "k.kennzahl, k.gruppe" if mit_kennzahl else "NULL, NULL"
    join = "LEFT JOIN ziele AS k USING (jobcenter_id, jahr, ziel_id)"
    join = join if "ziele" in vorhanden else ""
    rows = con.execute(
        f"""
        SELECT z.ziel_id, z.bezeichnung, {katalog}, {kennzahl}, z.zielwert, month(z.berichtsmonat),
               z.ist, z.soll, z.abweichung, z.zielerreichungsgrad, z.hochrechnung, z.status,
               z.vorlaeufig, {flag_sql(con, "zielerreichung", "unterdrueckt", "z")}
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
            ziele[r[0]] = Ziel(r[0], r[1], einheit or "", richtung, art, r[11], richtwert,
                               basiswert, basis_bezug, quelle, *r[9:11])  # fmt: skip
        ziele[r[0]].monate.append(ZielMonat(*r[12:]))
    # a target with no row for the reporting month itself is still shown (its last month)
    return sorted(ziele.values(), key=lambda z: sortierschluessel(z.ziel_id))


def vorlaeufige_monate(con: duckdb.DuckDBPyConnection, jc: str, jahr: int) -> dict[int, bool]:
    """Month -> provisional, for the month itself: `lieferstand` says it per month, so does
    kundenstruktur_monat (one month read); rahmenbedingungen_monat (reads Jan…m) is the last
    resort."""
    vorhanden = tabellen(con)
    quellen = ("lieferstand", "kundenstruktur_monat", "rahmenbedingungen_monat")
    tabelle = next((t for t in quellen if t in vorhanden), None)
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
    if "lieferstand" not in tabellen(con) or "jobcenter_name" not in spalten(con, "lieferstand"):
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
    if "lieferstand" in tabellen(con):
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
# The page: figures prepared here, markup in templates/
# --------------------------------------------------------------------------------------------


def render_html(
    marts_path: Path, jobcenter_id: str | None, jahr: int | None, monat: int | None
) -> str:
    """The whole report as one HTML document.

    jobcenter_id None: the overview of all agreements (status matrix, position in the
    Vergleichstyp, links) and then every Jobcenter in the file, one after another. jahr/monat
    None: the latest month with data (as `render_report`).
    """
    hinweis, jobcenter, ueberblick = None, [], None
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        vorhanden = tabellen(con)
        if "zielerreichung" not in vorhanden:
            hinweis = f"{marts_path}: keine Tabelle zielerreichung (noch kein Refresh gelaufen?)"
        else:
            jcs = [jc for jc in alle_jobcenter(con, vorhanden) if jobcenter_id in (None, jc)]
            jobcenter = [_jobcenter(con, jc, jahr, monat, marts_path) for jc in jcs]
            if not jobcenter:
                hinweis = f"Keine Zielerreichung für Jobcenter {jobcenter_id}."
            elif jobcenter_id is None:
                ueberblick = _ueberblick(con, jobcenter, jahr)
    finally:
        con.close()
    seite = environment().get_template("report.html.j2")
    return seite.render(
        titel=TITEL,
        css=css(),
        hinweis=hinweis,
        jobcenter=jobcenter,
        ueberblick=ueberblick,
        zelle=zelle,
        grad=grad,
        EINHEIT_KURZ=EINHEIT_KURZ,
    )


def _jobcenter(
    con: duckdb.DuckDBPyConnection, jc: str, jahr: int | None, monat: int | None, pfad: Path
) -> dict[str, Any]:
    """What the templates show of one Jobcenter: a reason when it has no targets, or every
    section's figures."""
    vorhanden = tabellen(con)
    grund = ohne_ziele(con, jc, vorhanden)
    if grund is not None:
        return {"jc": jc, "grund": grund}
    bm = berichtsmonat(con, jc, jahr, monat)
    if bm is None:
        return {"jc": jc, "grund": None, "bm": None, "wann": ohne_berichtsmonat(jahr, monat)}
    ziele = lade_ziele(con, jc, bm)
    mit_vergleich = "vergleich_monat" in vorhanden
    vorl = vorlaeufige_monate(con, jc, bm.year)
    schraffur = [vorl.get(m, False) for m in range(1, 13)]
    offen = [m for m in range(1, bm.month + 1) if vorl.get(m)]
    noch_offen = None
    if any(z.aktuell.vorlaeufig for z in ziele) or offen:
        noch_offen = ", ".join(MONAT_KURZ[m - 1] for m in offen) or "Vorjahresmonate"
    zaehlung = [(s, sum(1 for z in ziele if z.aktuell.status == s)) for s in STATUS_LABEL]
    return {
        "jc": jc,
        "grund": None,
        "bm": bm,
        "name": jobcenter_name(con, jc),
        "stand": datenstand(con, jc, bm, pfad),
        "noch_offen": noch_offen,
        "zaehlung": [(s, n) for s, n in zaehlung if n],
        "ziele": ziele,
        "karten": [
            _karte(z, schraffur, jc, _typ_svg(con, jc, bm.year, z) if mit_vergleich else None)
            for z in ziele
        ],
        "rahmen": (
            _rahmen(con, jc, bm, schraffur) if "rahmenbedingungen_monat" in vorhanden else None
        ),
        "kontakte": (
            _kontakte(con, jc, bm, schraffur) if "kontaktdichte_ziele_monat" in vorhanden else None
        ),
    }


def grad(a: ZielMonat) -> str:
    """Zielerreichungsgrad in whole percent, as the terminal report shows it ('-' for 0)."""
    return prozent_ganz(a.grad, geheim=a.unterdrueckt, fehlt="x", null="-")


def _karte(z: Ziel, schraffur: list[bool], jc: str, vergleich: Markup | None) -> dict[str, Any]:
    zielwert = zelle(z.zielwert, z.einheit)
    if z.zielwert is None and z.richtwert is not None:
        zielwert = "Richtwert " + zelle(z.richtwert, z.einheit)
    basis = ""
    if z.basiswert is not None:
        bezug = f" ({z.basis_bezug})" if z.basis_bezug else ""
        basis = f"Basis {zelle(z.basiswert, z.einheit)}{bezug}"
    meta = (RICHTUNG_TEXT.get(z.richtung or ""), basis, ART_TEXT.get(z.art or ""))
    return {
        "ziel": z,
        "zielwert": zielwert,
        "meta": " · ".join(x for x in meta if x),
        "diagramm": svg_diagramm(ziel_diagramm(z, schraffur, jc)),
        "vergleich": vergleich,
    }


# --------------------------------------------------------------------------------------------
# The comparison (docs/vergleich.md): overview of all agreements, a target against its type
# --------------------------------------------------------------------------------------------


def _ueberblick(
    con: duckdb.DuckDBPyConnection, jobcenter: list[dict[str, Any]], jahr: int | None
) -> dict[str, Any]:
    """The overview page: status matrix, each Jobcenter's position in its type, links."""
    bms = [j["bm"] for j in jobcenter if j.get("bm")]
    matrix = statusmatrix(con, jahr or (max(bms).year if bms else None))
    bis = max(bms) if bms else (dt.date(jahr, 12, 1) if jahr else None)
    vbm = vergleichsmonat(con, bis) if hat_vergleich(con) else None
    lagen = []
    if vbm is not None:
        for j in jobcenter:
            typ, positionen = lage(con, j["jc"], vbm)
            lagen.append({"jc": j["jc"], "typ": typ, "positionen": positionen})
    namen = {j["jc"]: j.get("name") or jobcenter_name(con, j["jc"]) for j in jobcenter}
    return {"matrix": matrix, "monat": vbm, "lage": lagen, "namen": namen}


def _typ_svg(con: duckdb.DuckDBPyConnection, jc: str, jahr: int, z: Ziel) -> Markup | None:
    """The type chart of a Kennzahl-based target (the file has vergleich_monat)."""
    if z.kennzahl is None:
        return None
    s = streuung(con, jc, jahr, z.kennzahl, z.gruppe)
    return None if s is None else svg_diagramm(typ_diagramm(z, z.kennzahl, s, jc))


def typ_diagramm(z: Ziel, kennzahl: str, s: Streuung, jc: str) -> Diagramm:
    """Small chart: the Jobcenter's value against its type's value and spread."""
    art = {"jfw": "JFW", "rollierend": "12 Monate", "monat": "Monatswert"}.get(s.variante, "")
    return Diagramm(
        titel=f"{kennzahl} ({art}) im Vergleichstyp {s.typ}, {s.anzahl} Jobcenter",
        x_labels=[k[0] for k in MONAT_KURZ],
        reihen=[
            Reihe("Typ höchster Wert", s.maximum, "vorjahr", marker=False),
            Reihe("Typ niedrigster Wert", s.minimum, "monat", marker=False),
            Reihe("Vergleichstyp", s.typwert, "soll", marker=False),
            Reihe("Jobcenter", s.eigen, "ist"),
        ],
        einheit="Prozent",
        attribute={"data-vergleich": z.ziel_id, "data-jobcenter": jc},
        breite=330,
        hoehe=170,
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
        hochrechnung=z.aktuell.hochrechnung,
        attribute={"data-ziel": z.ziel_id, "data-jobcenter": jc},
    )


RAHMEN_SPALTEN = ("elb", "mittel", "erw", "abw", "asyl8", "anteil", "elb_vj", "asyl8_vj", "vorl",
                  "unterdr")  # fmt: skip


def _rahmen(
    con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, schraffur: list[bool]
) -> dict[str, Any]:
    rows = con.execute(
        f"""SELECT month(berichtsmonat), elb_bestand, elb_mittel_ytd, elb_erwartung,
                   elb_abweichung_prozent, asyl8_bestand, asyl8_anteil,
                   elb_bestand_vorjahresmonat, asyl8_bestand_vorjahresmonat, vorlaeufig,
                   {flag_sql(con, "rahmenbedingungen_monat", "unterdrueckt")}
            FROM rahmenbedingungen_monat
            WHERE jobcenter_id = ? AND year(berichtsmonat) = ? AND berichtsmonat <= ?
            ORDER BY 1""",
        [jc, bm.year, bm],
    ).fetchall()
    if not rows:
        return {"zeilen": []}
    reihe = _monatsreihen(rows, RAHMEN_SPALTEN)
    erwartung = next((w for w in reihe["erw"] if w is not None), None)
    return {
        "erwartung": erwartung,
        "diagramme": [_svg(d) for d in rahmen_diagramme(reihe, erwartung, schraffur, jc)],
        "zeilen": [_rahmen_zeile(r) for r in rows],
    }


def rahmen_diagramme(
    reihe: dict[str, list], erwartung: float | None, schraffur: Sequence[bool], jc: str
) -> tuple[Diagramm, Diagramm]:
    """The eLB stock (with its mean against the expectation) and the Asyl8 stock."""
    vorl = reihe["vorl"]
    linien = [Linie(erwartung, f"erwartet Ø {zelle(erwartung)}", "ziel")] if erwartung else []
    elb = _bestand_diagramm(
        "eLB-Bestand je Monat und Jahresdurchschnitt gegen die Erwartung",
        [
            Reihe("Vorjahresmonat", reihe["elb_vj"], "vorjahr", marker=False),
            Reihe("Ø Jan. bis Monat", reihe["mittel"], "mittel", offen=vorl),
            Reihe("Bestand", reihe["elb"], "ist", offen=vorl),
        ],
        {"data-rahmen": "elb", "data-jobcenter": jc},
        schraffur,
        linien=linien,
    )
    asyl = _bestand_diagramm(
        "eLB aus den Asylherkunftsländern (Asyl8) je Monat",
        [
            Reihe("Vorjahresmonat", reihe["asyl8_vj"], "vorjahr", marker=False),
            Reihe("Asyl8-Bestand", reihe["asyl8"], "ist", offen=vorl),
        ],
        {"data-rahmen": "asyl8", "data-jobcenter": jc},
        schraffur,
        hoehe=190,
    )
    return elb, asyl


def _bestand_diagramm(
    titel: str,
    reihen: list[Reihe],
    attribute: dict[str, str],
    schraffur: Sequence[bool],
    **weitere: Any,
) -> Diagramm:
    """A chart of stocks of persons over the 12 months (`weitere`: lines, height)."""
    return Diagramm(
        titel=titel,
        x_labels=MONAT_KURZ,
        reihen=reihen,
        einheit="Personen",
        schraffiert=schraffur,
        attribute=attribute,
        **weitere,
    )


def _rahmen_zeile(r: tuple) -> tuple[str, list[str], bool]:
    """(month name, cells, provisional) of the Rahmenbedingungen table."""
    werte = ((r[1], ""), (r[2], ""), (r[4], "prozent"), (r[5], ""), (r[6], "prozent"))
    zellen = [zelle(w, e, unterdrueckt=bool(r[10])) for w, e in werte]
    return MONATSNAMEN[r[0] - 1], zellen, r[9]


def _monatsreihen(rows: Sequence[tuple], namen: Sequence[str]) -> dict[str, list]:
    """Rows (month first, then the named columns) -> 12-month lists; a month without a row
    and a suppressed (NULL) value are both gaps."""
    out: dict[str, list] = {n: [None] * 12 for n in namen}
    for r in rows:
        for n, w in zip(namen, r[1:], strict=True):
            out[n][r[0] - 1] = w
    out["vorl"] = [bool(v) for v in out["vorl"]]
    return out


def _svg(d: Diagramm) -> dict[str, Any]:
    return {"titel": d.titel, "svg": svg_diagramm(d)}


@dataclass(frozen=True)
class KontaktZeile:
    titel: str
    ytd: float | None
    alt: float | None
    neu: float | None
    grad: float | None
    vorlaeufig: bool
    unterdrueckt: bool


def _kontakte(
    con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, schraffur: list[bool]
) -> dict[str, Any]:
    rows = con.execute(
        f"""SELECT gruppe, month(berichtsmonat), kontaktdichte_ytd, kontaktdichte_monat,
                   ziel_alt, ziel_neu, erreichungsgrad_neu, vorlaeufig,
                   {flag_sql(con, "kontaktdichte_ziele_monat", "unterdrueckt")}
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
    zeilen = []
    for g in reihenfolge:
        _monat, ytd, _m, alt, neu, grad_, vorl, unterdr = gruppen[g][-1]
        titel = KONTAKT_GRUPPEN.get(g, g)
        zeilen.append(KontaktZeile(titel, ytd, alt, neu, grad_, vorl, bool(unterdr)))
    return {
        "diagramme": [_svg(kontakt_diagramm(g, gruppen[g], schraffur, jc)) for g in reihenfolge],
        "zeilen": zeilen,
    }


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
