"""Reads shared by the terminal and the HTML report: which marts and columns a published file
has, which Jobcenters it covers, the Berichtsmonat to show and the order of the targets."""

from __future__ import annotations

import datetime as dt

import duckdb

# published marts with one row per Jobcenter and month: who has figures, with or without targets
JOBCENTER_QUELLEN = ("zielerreichung", "lieferstand", "kennzahlen_monat", "rahmenbedingungen_monat")


def tabellen(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}


def spalten(con: duckdb.DuckDBPyConnection, tabelle: str) -> set[str]:
    return {r[0] for r in con.execute(f'DESCRIBE "{tabelle}"').fetchall()}


def flag_sql(con: duckdb.DuckDBPyConnection, tabelle: str, spalte: str, alias: str = "") -> str:
    """A boolean column when the mart has it (unterdrueckt comes with suppression), else false."""
    praefix = f"{alias}." if alias else ""
    return f"coalesce({praefix}{spalte}, false)" if spalte in spalten(con, tabelle) else "false"


def alle_jobcenter(con: duckdb.DuckDBPyConnection, vorhanden: set[str]) -> list[str]:
    """Every Jobcenter in the published marts, also those without a target row."""
    quellen = [t for t in JOBCENTER_QUELLEN if t in vorhanden]
    sql = " UNION ".join(f'SELECT jobcenter_id FROM "{t}"' for t in quellen)
    return [r[0] for r in con.execute(f"SELECT DISTINCT * FROM ({sql}) ORDER BY 1").fetchall()]


def ohne_ziele(con: duckdb.DuckDBPyConnection, jc: str, vorhanden: set[str]) -> str | None:
    """Why a Jobcenter has no Zielerreichung at all (None when it has some): no agreement
    in the target catalogue, or none for the years its data cover."""
    sql = "SELECT count(*) FROM zielerreichung WHERE jobcenter_id = ?"
    if con.execute(sql, [jc]).fetchone()[0]:
        return None
    jahre: list[int] = []
    if "ziele" in vorhanden:
        sql = "SELECT DISTINCT jahr FROM ziele WHERE jobcenter_id = ? ORDER BY 1"
        jahre = [r[0] for r in con.execute(sql, [jc]).fetchall()]
    if not jahre:
        return "keine Zielvereinbarung im Zielkatalog, also keine Ziele zu berichten."
    return (
        "keine Zielvereinbarung im Zielkatalog für die Jahre mit Daten (Zielkatalog: "
        f"{', '.join(str(j) for j in jahre)})."
    )


def berichtsmonat(
    con: duckdb.DuckDBPyConnection, jc: str, jahr: int | None, monat: int | None
) -> dt.date | None:
    """The latest month with Zielerreichung (within `jahr` and/or that `monat` if given)."""
    bedingungen, params = ["jobcenter_id = ?"], [jc]
    if jahr is not None:
        bedingungen.append("year(berichtsmonat) = ?")
        params.append(jahr)
    if monat is not None:
        bedingungen.append("month(berichtsmonat) = ?")
        params.append(monat)
    sql = f"SELECT max(berichtsmonat) FROM zielerreichung WHERE {' AND '.join(bedingungen)}"
    return con.execute(sql, params).fetchone()[0]


def ohne_berichtsmonat(jahr: int | None, monat: int | None) -> str:
    """The asked-for period, for the message when it has no Zielerreichung ('3/2016')."""
    return "/".join(str(x) for x in (monat, jahr) if x is not None)


def sortierschluessel(ziel_id: str) -> tuple:
    """Z2.10 after Z2.9: compare the numeric parts as numbers."""
    teile = ziel_id.lstrip("ZRTzrt").split(".")
    try:
        return (ziel_id[:1], *(int(t) for t in teile))
    except ValueError:
        return (ziel_id, 0)
