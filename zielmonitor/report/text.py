"""The Zielerreichung report for the terminal (`zielmonitor report`).

Reads the published marts (`zielerreichung`, `ziele`, `rahmenbedingungen_monat`) from
marts.duckdb, read-only, and renders one table per Jobcenter for one reporting month: German
labels, values with units and German number format, a status column to scan, and the
Rahmenbedingungen line (eLB mean against the expectation). Signs as in official statistics:
`p` vorläufige Zahl, `*` geheim gehalten (suppressed), `-` genau null, `–` entfällt.

A Jobcenter with published figures but no agreement in the target catalogue (or whose data
end before its first catalogue year) has no `zielerreichung` rows; the report names it and
says so instead of leaving it out (`ohne_ziele`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from zielmonitor.report.format import (
    MONATSNAMEN,
    STATUS_LABEL,
    markiert,
    mit_einheit,
    prozent_ganz,
    vorzeichen,
    zahl,
)
from zielmonitor.report.queries import (
    alle_jobcenter,
    berichtsmonat,
    ohne_berichtsmonat,
    ohne_ziele,
    sortierschluessel,
    spalten,
    tabellen,
)

BEZEICHNUNG_BREITE = 52


@dataclass(frozen=True)
class _Zeile:
    ziel_id: str
    bezeichnung: str
    einheit: str
    ist: float
    soll: float | None
    zielwert: float | None
    hochrechnung: float | None
    grad: float | None
    status: str
    vorlaeufig: bool
    unterdrueckt: bool = False

    def zellen(self) -> tuple[str, ...]:
        """The row as table cells; Ist and Hochrechnung carry the provisional marker."""
        e, geheim, vorl = self.einheit, self.unterdrueckt, self.vorlaeufig
        return (
            self.ziel_id,
            _kuerzen(self.bezeichnung, BEZEICHNUNG_BREITE),
            markiert(mit_einheit(self.ist, e, geheim=geheim), vorl and self.ist is not None),
            mit_einheit(self.soll, e),
            mit_einheit(self.zielwert, e),
            markiert(
                mit_einheit(self.hochrechnung, e, geheim=geheim),
                vorl and self.hochrechnung is not None,
            ),
            prozent_ganz(self.grad, geheim=geheim),
            STATUS_LABEL.get(self.status, self.status),
        )


def render_report(
    marts_path: Path, jobcenter_id: str | None, jahr: int | None, monat: int | None
) -> str:
    """The Zielerreichung table(s) as text.

    jobcenter_id None: every Jobcenter in the file. jahr/monat None: the latest month with
    data (within `jahr` if given; `monat` alone means that month of the latest year).
    """
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        vorhanden = tabellen(con)
        if "zielerreichung" not in vorhanden:
            return f"{marts_path}: keine Tabelle zielerreichung (noch kein Refresh gelaufen?)\n"
        jobcenter = [jc for jc in alle_jobcenter(con, vorhanden) if jobcenter_id in (None, jc)]
        if not jobcenter:
            return f"Keine Zielerreichung für Jobcenter {jobcenter_id} in {marts_path}.\n"
        teile = [_jobcenter_report(con, jc, jahr, monat, vorhanden) for jc in jobcenter]
    finally:
        con.close()
    return "\n".join(teile)


def _jobcenter_report(
    con: duckdb.DuckDBPyConnection,
    jc: str,
    jahr: int | None,
    monat: int | None,
    vorhanden: set[str],
) -> str:
    grund = ohne_ziele(con, jc, vorhanden)
    if grund is not None:
        return f"Jobcenter {jc}: {grund}\n"
    bm = berichtsmonat(con, jc, jahr, monat)
    if bm is None:
        return f"Jobcenter {jc}: keine Zielerreichung für {ohne_berichtsmonat(jahr, monat)}.\n"
    zeilen = _lade_zeilen(con, jc, bm, vorhanden)
    kopf = (
        f"Zielerreichung Jobcenter {jc} – {MONATSNAMEN[bm.month - 1]} {bm.year} "
        f"(Ist: Januar bis {MONATSNAMEN[bm.month - 1]})"
    )
    linien = [kopf, "=" * len(kopf), *_tabelle(zeilen), ""]
    if "rahmenbedingungen_monat" in vorhanden:
        linien.append(_rahmen_zeile(con, jc, bm))
    zaehlung = {s: sum(1 for z in zeilen if z.status == s) for s in STATUS_LABEL}
    linien.append(
        "Status: " + ", ".join(f"{STATUS_LABEL[s]} {n}" for s, n in zaehlung.items() if n)
    )
    if any(z.vorlaeufig for z in zeilen):
        linien.append("p vorläufig (mindestens ein gelesener Monat ist noch nicht endgültig)")
    if any(z.unterdrueckt for z in zeilen):
        linien.append("* geheim gehalten (Fallzahl 1 oder 2 oder daraus ableitbar, § 16 BStatG)")
    linien.append(
        "Grad = Ist/Soll·100 (bei „niedriger ist besser“ Soll/Ist·100); knapp = bis 5 % "
        "hinter dem Soll; Hochrechnung = Jahresendwert nach dem Vorjahresmuster."
    )
    return "\n".join(linien) + "\n"


def _lade_zeilen(
    con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date, vorhanden: set[str]
) -> list[_Zeile]:
    # the unit comes from the published catalogue; without it every value is shown bare
    einheit_sql = "coalesce(k.einheit, '')" if "ziele" in vorhanden else "''"
    join = (
        "LEFT JOIN ziele AS k ON k.jobcenter_id = z.jobcenter_id AND k.jahr = z.jahr "
        "AND k.ziel_id = z.ziel_id"
        if "ziele" in vorhanden
        else ""
    )
    geheim_sql = "z.unterdrueckt" if "unterdrueckt" in spalten(con, "zielerreichung") else "false"
    rows = con.execute(
        f"""
        SELECT z.ziel_id, z.bezeichnung, {einheit_sql}, z.ist, z.soll, z.zielwert,
               z.hochrechnung, z.zielerreichungsgrad, z.status, z.vorlaeufig, {geheim_sql}
        FROM zielerreichung AS z {join}
        WHERE z.jobcenter_id = ? AND z.berichtsmonat = ?
        """,
        [jc, bm],
    ).fetchall()
    return sorted((_Zeile(*r) for r in rows), key=lambda z: sortierschluessel(z.ziel_id))


def _tabelle(zeilen: list[_Zeile]) -> list[str]:
    """The fixed-width table: header, rule, one line per target; numbers right-aligned."""
    spalten_ = ("Ziel", "Bezeichnung", "Ist", "Soll", "Zielwert", "Hochrechnung", "Grad", "Status")
    tabelle = [spalten_, *(z.zellen() for z in zeilen)]
    breiten = [max(len(r[i]) for r in tabelle) for i in range(len(spalten_))]
    rechts = {2, 3, 4, 5, 6}
    linien = []
    for n, r in enumerate(tabelle):
        zellen = [
            c.rjust(breiten[i]) if i in rechts else c.ljust(breiten[i]) for i, c in enumerate(r)
        ]
        linien.append("  ".join(zellen).rstrip())
        if n == 0:
            linien.append("  ".join("-" * b for b in breiten))
    return linien


def _rahmen_zeile(con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date) -> str:
    r = con.execute(
        """
        SELECT elb_bestand, elb_mittel_ytd, elb_erwartung, elb_abweichung_prozent,
               asyl8_bestand, asyl8_anteil, vorlaeufig
        FROM rahmenbedingungen_monat WHERE jobcenter_id = ? AND berichtsmonat = ?
        """,
        [jc, bm],
    ).fetchone()
    if r is None:
        return "Rahmenbedingungen: keine Daten für den Monat."
    bestand, mittel, erwartung, abw, asyl8, asyl8_anteil, vorl = r
    teil = (
        f"Rahmenbedingungen: eLB Ø Jan–{MONATSNAMEN[bm.month - 1][:3]} "
        f"{markiert(zahl(mittel, 0), vorl)}"
    )
    if erwartung is not None:
        teil += f" (erwartet Ø {zahl(erwartung, 0)}, {vorzeichen(abw)} %)"
    teil += (
        f"; Bestand {markiert(zahl(bestand, 0), vorl)}, "
        f"davon Asyl8 {markiert(zahl(asyl8, 0), vorl)}"
    )
    if asyl8_anteil is not None:
        teil += f" ({zahl(asyl8_anteil, 1)} %)"
    return teil


def _kuerzen(text: str, breite: int) -> str:
    return text if len(text) <= breite else text[: breite - 1] + "…"
