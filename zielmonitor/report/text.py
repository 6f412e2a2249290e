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

MONATSNAMEN = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember")  # fmt: skip

STATUS_LABEL = {
    "erreicht": "✔ erreicht",
    "auf_kurs": "▲ auf Kurs",
    "knapp": "● knapp",
    "gefaehrdet": "✖ gefährdet",
    "monitoring": "· Monitoring",
}

# unit code of the catalogue -> (suffix, decimals for non-integral values)
EINHEIT = {
    "prozent": (" %", 2),
    "anzahl": ("", 1),
    "personen": (" Pers.", 1),
    "kontakte_je_person_jahr": (" Kontakte/Jahr", 1),
}

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


def zahl(wert: float | None, nachkommastellen: int = 0) -> str:
    """German number format: 48.869 and 20,20; '–' for missing."""
    if wert is None:
        return "–"
    text = f"{wert:,.{nachkommastellen}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def mit_einheit(wert: float | None, einheit: str, geheim: bool = False) -> str:
    if wert is None:
        return "*" if geheim else "–"
    if wert == 0:
        return "-"  # genau null
    suffix, stellen = EINHEIT.get(einheit, ("", 2))
    if einheit != "prozent" and float(wert).is_integer():
        stellen = 0  # counts and whole stocks without decimals
    return zahl(wert, stellen) + suffix


def render_report(
    marts_path: Path, jobcenter_id: str | None, jahr: int | None, monat: int | None
) -> str:
    """The Zielerreichung table(s) as text.

    jobcenter_id None: every Jobcenter in the file. jahr/monat None: the latest month with
    data (within `jahr` if given; `monat` alone means that month of the latest year).
    """
    con = duckdb.connect(str(marts_path), read_only=True)
    try:
        tabellen = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "zielerreichung" not in tabellen:
            return f"{marts_path}: keine Tabelle zielerreichung (noch kein Refresh gelaufen?)\n"
        jobcenter = [jc for jc in alle_jobcenter(con, tabellen) if jobcenter_id in (None, jc)]
        if not jobcenter:
            return f"Keine Zielerreichung für Jobcenter {jobcenter_id} in {marts_path}.\n"
        teile = [_jobcenter_report(con, jc, jahr, monat, tabellen) for jc in jobcenter]
    finally:
        con.close()
    return "\n".join(teile)


# published marts with one row per Jobcenter and month: who has figures, with or without targets
JOBCENTER_QUELLEN = ("zielerreichung", "lieferstand", "kennzahlen_monat", "rahmenbedingungen_monat")


def alle_jobcenter(con: duckdb.DuckDBPyConnection, tabellen: set[str]) -> list[str]:
    """Every Jobcenter in the published marts, also those without a target row."""
    quellen = [t for t in JOBCENTER_QUELLEN if t in tabellen]
    sql = " UNION ".join(f'SELECT jobcenter_id FROM "{t}"' for t in quellen)
    return [r[0] for r in con.execute(f"SELECT DISTINCT * FROM ({sql}) ORDER BY 1").fetchall()]


def ohne_ziele(con: duckdb.DuckDBPyConnection, jc: str, tabellen: set[str]) -> str | None:
    """Why a Jobcenter has no Zielerreichung at all (None when it has some): no agreement
    in the target catalogue, or none for the years its data cover."""
    sql = "SELECT count(*) FROM zielerreichung WHERE jobcenter_id = ?"
    if con.execute(sql, [jc]).fetchone()[0]:
        return None
    jahre: list[int] = []
    if "ziele" in tabellen:
        sql = "SELECT DISTINCT jahr FROM ziele WHERE jobcenter_id = ? ORDER BY 1"
        jahre = [r[0] for r in con.execute(sql, [jc]).fetchall()]
    if not jahre:
        return "keine Zielvereinbarung im Zielkatalog, also keine Ziele zu berichten."
    return (
        "keine Zielvereinbarung im Zielkatalog für die Jahre mit Daten (Zielkatalog: "
        f"{', '.join(str(j) for j in jahre)})."
    )


def _berichtsmonat(
    con: duckdb.DuckDBPyConnection, jc: str, jahr: int | None, monat: int | None
) -> dt.date | None:
    bedingungen, params = ["jobcenter_id = ?"], [jc]
    if jahr is not None:
        bedingungen.append("year(berichtsmonat) = ?")
        params.append(jahr)
    if monat is not None:
        bedingungen.append("month(berichtsmonat) = ?")
        params.append(monat)
    sql = f"SELECT max(berichtsmonat) FROM zielerreichung WHERE {' AND '.join(bedingungen)}"
    return con.execute(sql, params).fetchone()[0]


def _jobcenter_report(
    con: duckdb.DuckDBPyConnection,
    jc: str,
    jahr: int | None,
    monat: int | None,
    tabellen: set[str],
) -> str:
    grund = ohne_ziele(con, jc, tabellen)
    if grund is not None:
        return f"Jobcenter {jc}: {grund}\n"
    bm = _berichtsmonat(con, jc, jahr, monat)
    if bm is None:
        wann = "/".join(str(x) for x in (monat, jahr) if x is not None)
        return f"Jobcenter {jc}: keine Zielerreichung für {wann}.\n"
    # the unit comes from the published catalogue; without it every value is shown bare
    einheit_sql = "coalesce(k.einheit, '')" if "ziele" in tabellen else "''"
    join = (
        "LEFT JOIN ziele AS k ON k.jobcenter_id = z.jobcenter_id AND k.jahr = z.jahr "
        "AND k.ziel_id = z.ziel_id"
        if "ziele" in tabellen
        else ""
    )
    spalten_z = {r[0] for r in con.execute("DESCRIBE zielerreichung").fetchall()}
    geheim_sql = "z.unterdrueckt" if "unterdrueckt" in spalten_z else "false"
    rows = con.execute(
        f"""
        SELECT z.ziel_id, z.bezeichnung, {einheit_sql}, z.ist, z.soll, z.zielwert,
               z.hochrechnung, z.zielerreichungsgrad, z.status, z.vorlaeufig, {geheim_sql}
        FROM zielerreichung AS z {join}
        WHERE z.jobcenter_id = ? AND z.berichtsmonat = ?
        """,
        [jc, bm],
    ).fetchall()
    zeilen = sorted((_Zeile(*r) for r in rows), key=lambda z: _sortierschluessel(z.ziel_id))

    kopf = (
        f"Zielerreichung Jobcenter {jc} – {MONATSNAMEN[bm.month - 1]} {bm.year} "
        f"(Ist: Januar bis {MONATSNAMEN[bm.month - 1]})"
    )
    spalten = ("Ziel", "Bezeichnung", "Ist", "Soll", "Zielwert", "Hochrechnung", "Grad", "Status")
    tabelle = [spalten]
    for z in zeilen:
        p = " p" if z.vorlaeufig else ""  # vorläufige Zahl
        geheim = z.unterdrueckt
        tabelle.append(
            (
                z.ziel_id,
                _kuerzen(z.bezeichnung, BEZEICHNUNG_BREITE),
                mit_einheit(z.ist, z.einheit, geheim) + (p if z.ist is not None else ""),
                mit_einheit(z.soll, z.einheit),
                mit_einheit(z.zielwert, z.einheit),
                mit_einheit(z.hochrechnung, z.einheit, geheim)
                + (p if z.hochrechnung is not None else ""),
                ("*" if geheim else "–") if z.grad is None else zahl(z.grad, 0) + " %",
                STATUS_LABEL.get(z.status, z.status),
            )
        )
    breiten = [max(len(r[i]) for r in tabelle) for i in range(len(spalten))]
    rechts = {2, 3, 4, 5, 6}  # numbers right-aligned
    linien = [kopf, "=" * len(kopf)]
    for n, r in enumerate(tabelle):
        zellen = [
            c.rjust(breiten[i]) if i in rechts else c.ljust(breiten[i]) for i, c in enumerate(r)
        ]
        linien.append("  ".join(zellen).rstrip())
        if n == 0:
            linien.append("  ".join("-" * b for b in breiten))
    linien.append("")
    if "rahmenbedingungen_monat" in tabellen:
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
    bestand, mittel, erwartung, abw, asyl8, asyl8_anteil, vorlaeufig = r
    stern = " p" if vorlaeufig else ""
    teil = f"Rahmenbedingungen: eLB Ø Jan–{MONATSNAMEN[bm.month - 1][:3]} {zahl(mittel, 0)}{stern}"
    if erwartung is not None:
        teil += f" (erwartet Ø {zahl(erwartung, 0)}, {_vorzeichen(abw)} %)"
    teil += f"; Bestand {zahl(bestand, 0)}{stern}, davon Asyl8 {zahl(asyl8, 0)}{stern}"
    if asyl8_anteil is not None:
        teil += f" ({zahl(asyl8_anteil, 1)} %)"
    return teil


def _vorzeichen(wert: float | None) -> str:
    if wert is None:
        return "–"
    return ("+" if wert >= 0 else "−") + zahl(abs(wert), 1)


def _kuerzen(text: str, breite: int) -> str:
    return text if len(text) <= breite else text[: breite - 1] + "…"


def _sortierschluessel(ziel_id: str) -> tuple:
    # Z2.10 after Z2.9: compare the numeric parts as numbers
    teile = ziel_id.lstrip("ZRTzrt").split(".")
    try:
        return (ziel_id[:1], *(int(t) for t in teile))
    except ValueError:
        return (ziel_id, 0)
