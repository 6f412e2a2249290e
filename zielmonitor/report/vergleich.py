"""The comparison of Jobcenters (docs/vergleich.md), read from the published marts: the status
matrix of all agreements (Jobcenter × target), a Jobcenter's position in its Vergleichstyp,
and the monthly spread of its type for a target's chart. Shared by the HTML overview, the
summary the demo prints and the text lines of the closing note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from zielmonitor.report.format import ENTFAELLT, STATUS_LABEL, prozent_text
from zielmonitor.report.queries import sortierschluessel, tabellen

# (kennzahl, gruppe) -> label, of the Kennzahlen the comparison and the demo's summary show
LABEL = {
    ("K2", "gesamt"): "Integrationsquote (K2)",
    ("K2", "ohne_asyl8"): "Integrationsquote ohne Asyl8",
    ("K2", "asyl8"): "Integrationsquote Asyl8",
    ("K2E4", "gesamt"): "Integrationsquote Alleinerziehende (K2E4)",
    ("K3E1", "gesamt"): "Integrationsquote LZB (K3E1)",
    ("K3", "gesamt"): "Bestand LZB, Veränderung zum Vorjahr (K3)",
    ("K3E2", "gesamt"): "Aktivierungsquote LZB (K3E2)",
    ("K1E2", "gesamt"): "Zahl der eLB, Veränderung zum Vorjahr (K1E2)",
}
# (kennzahl, gruppe, variante): the key Kennzahlen of the position in the type, as the
# § 48a publication shows them (rolling quotas, changes and Stichtag ratios of the month)
SCHLUESSEL = (
    ("K2", "gesamt", "rollierend"),
    ("K2E4", "gesamt", "rollierend"),
    ("K3E1", "gesamt", "rollierend"),
    ("K3E2", "gesamt", "monat"),
    ("K1E2", "gesamt", "monat"),
)
STATUS_KURZ = {s: label.split(" ", 1)[0] for s, label in STATUS_LABEL.items()}


@dataclass
class Matrix:
    """Status of every target of every agreement in the reporting month of each Jobcenter."""

    ziel_ids: list[str]
    zeilen: list[tuple[str, str, dict[str, str]]]  # (jc, Berichtsmonat text, status)
    ohne: list[str] = field(default_factory=list)  # Jobcenters without an agreement


@dataclass(frozen=True)
class Position:
    label: str
    wert: float | None
    typ: float | None
    land: float | None
    deutschland: float | None
    rang: int | None
    anzahl_rang: int | None
    abstand: float | None
    vorlaeufig: bool
    unterdrueckt: bool


def hat_vergleich(con: duckdb.DuckDBPyConnection) -> bool:
    return "vergleich_monat" in tabellen(con)


def statusmatrix(con: duckdb.DuckDBPyConnection, jahr: int | None = None) -> Matrix:
    """Each Jobcenter's targets in its latest month of `jahr` (default: the latest year)."""
    if jahr is None:
        jahr = con.execute("SELECT max(jahr) FROM zielerreichung").fetchone()[0]
    rows = con.execute(
        """
        WITH letzter AS (
            SELECT jobcenter_id, max(berichtsmonat) AS bm FROM zielerreichung
            WHERE jahr = ? GROUP BY 1)
        SELECT z.jobcenter_id, z.berichtsmonat, z.ziel_id, z.status
        FROM zielerreichung AS z JOIN letzter AS l
            ON z.jobcenter_id = l.jobcenter_id AND z.berichtsmonat = l.bm
        ORDER BY 1
        """,
        [jahr],
    ).fetchall()
    zeilen: dict[str, tuple[str, str, dict[str, str]]] = {}
    for jc, bm, ziel_id, status in rows:
        zeilen.setdefault(jc, (jc, f"{bm:%m/%Y}", {}))[2][ziel_id] = status
    ziel_ids = sorted({r[2] for r in rows}, key=sortierschluessel)
    alle = _jobcenter_mit_daten(con)
    return Matrix(ziel_ids, list(zeilen.values()), [jc for jc in alle if jc not in zeilen])


def _jobcenter_mit_daten(con: duckdb.DuckDBPyConnection) -> list[str]:
    quelle = "vergleich_monat" if hat_vergleich(con) else "zielerreichung"
    sql = f"SELECT DISTINCT jobcenter_id FROM {quelle} ORDER BY 1"
    return [r[0] for r in con.execute(sql).fetchall()]


def vergleichsmonat(con: duckdb.DuckDBPyConnection, bis: dt.date | None = None) -> dt.date | None:
    """The latest month of vergleich_monat (not after `bis`)."""
    sql = "SELECT max(berichtsmonat) FROM vergleich_monat WHERE berichtsmonat <= ?"
    return con.execute(sql, [bis or dt.date.max]).fetchone()[0]


def lage(con: duckdb.DuckDBPyConnection, jc: str, bm: dt.date) -> tuple[str | None, list[Position]]:
    """The Vergleichstyp of `jc` in month `bm` (None without a row) and its key Kennzahlen
    (SCHLUESSEL, those with a row) against its type, Land and Germany: one query."""
    rows = con.execute(
        """SELECT kennzahl, gruppe, variante, vergleichstyp, wert, wert_vergleichstyp,
                  wert_land, wert_deutschland, rang_vergleichstyp, anzahl_rang_vergleichstyp,
                  abstand_vergleichstyp, vorlaeufig, unterdrueckt
           FROM vergleich_monat WHERE jobcenter_id = ? AND berichtsmonat = ?""",
        [jc, bm],
    ).fetchall()
    typ = next((r[3] for r in rows if r[3] is not None), None)
    werte = {r[:3]: r[4:] for r in rows}
    positionen = [
        Position(LABEL[k, g], *werte[k, g, v]) for k, g, v in SCHLUESSEL if (k, g, v) in werte
    ]
    return typ, positionen


def rangliste(
    con: duckdb.DuckDBPyConnection, typ: str, bm: dt.date, kennzahl: str, gruppe: str,
    variante: str,
) -> list[tuple[int | None, str, float | None]]:  # fmt: skip
    """(rank, Jobcenter, value) of every member of `typ`; the unranked (suppressed) last."""
    return con.execute(
        "SELECT rang_vergleichstyp, jobcenter_id, wert FROM vergleich_monat "
        "WHERE vergleichstyp = ? AND berichtsmonat = ? AND kennzahl = ? AND gruppe = ? "
        "AND variante = ? ORDER BY rang_vergleichstyp NULLS LAST, jobcenter_id",
        [typ, bm, kennzahl, gruppe, variante],
    ).fetchall()


@dataclass(frozen=True)
class Streuung:
    """Per month of a year: the Jobcenter's value, its type's value and the spread (lowest
    and highest value shown) of the type's members; None = gap."""

    variante: str
    typ: str
    eigen: list[float | None]
    typwert: list[float | None]
    minimum: list[float | None]
    maximum: list[float | None]
    anzahl: int


def streuung(
    con: duckdb.DuckDBPyConnection, jc: str, jahr: int, kennzahl: str, gruppe: str
) -> Streuung | None:
    """The type spread of one Kennzahl over the months of `jahr`; the variante the target
    reads (JFW for quotas, else the month's value). The file must have vergleich_monat."""
    rows = con.execute(
        """
        WITH v AS (
            SELECT * FROM vergleich_monat WHERE year(berichtsmonat) = $2
            AND kennzahl = $3 AND gruppe = $4),
        wahl AS (
            SELECT variante FROM v WHERE jobcenter_id = $1
            ORDER BY CASE variante WHEN 'jfw' THEN 0 WHEN 'monat' THEN 1 ELSE 2 END LIMIT 1),
        eigen AS (SELECT * FROM v WHERE jobcenter_id = $1 AND variante = (FROM wahl))
        SELECT month(e.berichtsmonat), e.wert, e.wert_vergleichstyp, min(m.wert), max(m.wert),
               e.anzahl_vergleichstyp, e.vergleichstyp, e.variante
        FROM eigen AS e JOIN v AS m ON m.vergleichstyp = e.vergleichstyp
            AND m.berichtsmonat = e.berichtsmonat AND m.variante = e.variante
        GROUP BY ALL ORDER BY 1
        """,
        [jc, jahr, kennzahl, gruppe],
    ).fetchall()
    if not rows:
        return None
    reihen: list[list[float | None]] = [[None] * 12 for _ in range(4)]
    for r in rows:
        for i in range(4):
            reihen[i][r[0] - 1] = r[1 + i]
    return Streuung(rows[-1][7], rows[-1][6], *reihen, anzahl=max(r[5] for r in rows))


# --- text (the demo's summary and the closing note) ------------------------------------------


def matrix_text(m: Matrix) -> list[str]:
    """The status matrix as fixed-width lines (symbols of STATUS_LABEL, '·' monitoring)."""
    breite = max([5, *(len(z) for z in m.ziel_ids)]) + 1
    kopf = f"  {'Jobcenter':<10}{'Monat':<9}" + "".join(f"{z:>{breite}}" for z in m.ziel_ids)
    out = [kopf]
    for jc, bm, status in m.zeilen:
        zellen = (STATUS_KURZ.get(status.get(z, ""), ENTFAELLT) for z in m.ziel_ids)
        out.append(f"  {jc:<10}{bm:<9}" + "".join(f"{c:>{breite}}" for c in zellen))
    if m.ohne:
        out.append(f"  ohne Zielvereinbarung: {', '.join(m.ohne)}")
    legende = " ".join(STATUS_LABEL.values())
    out.append(f"  ({legende}; {ENTFAELLT} kein solches Ziel)")
    return out


def positionen_text(typ: str | None, positionen: list[Position]) -> list[str]:
    """Type and positions (`lage`) as fixed-width lines."""
    out = [f"  {'Kennzahl (%)':<46}{'Jobcenter':>10}{'Typ ' + str(typ):>10}{'Land':>8}"
           f"{'Deutschl.':>11}{'Rang':>7}{'Abstand':>9}"]  # fmt: skip
    for p in positionen:
        rang = f"{p.rang}/{p.anzahl_rang}" if p.rang is not None else ENTFAELLT
        geheim = p.unterdrueckt
        out.append(
            f"  {p.label:<46}{prozent_text(p.wert, vorlaeufig=p.vorlaeufig, geheim=geheim):>10}"
            f"{prozent_text(p.typ, geheim=geheim):>10}{prozent_text(p.land, geheim=geheim):>8}"
            f"{prozent_text(p.deutschland, geheim=geheim):>11}{rang:>7}"
            f"{prozent_text(p.abstand):>9}"
        )
    return out
