"""The short summary the demo prints: what was published and the December figures."""

from __future__ import annotations

from pathlib import Path

import duckdb

from zielmonitor.report.format import ENTFAELLT, VORLAEUFIG, prozent_text
from zielmonitor.report.vergleich import (
    LABEL,
    lage,
    matrix_text,
    positionen_text,
    rangliste,
    statusmatrix,
)

# (kennzahl, gruppe, variante) shown per year: the agreement's headline figures (labels: LABEL).
HEADLINE = (
    ("K2", "ohne_asyl8", "jfw"),
    ("K2", "asyl8", "jfw"),
    ("K2E4", "gesamt", "jfw"),
    ("K3E1", "gesamt", "jfw"),
    ("K3", "gesamt", "monat"),
    ("K3E2", "gesamt", "monat"),
    ("K1E2", "gesamt", "monat"),
)


def print_summary(marts: Path) -> None:
    con = duckdb.connect(str(marts), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
        print(f"\nmarts.duckdb ({marts}):")
        for table in sorted(tables):
            count = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            print(f"  {table:<32} {count:>9,} rows")
        if "kennzahlen_monat" in tables:
            _print_headline(con)
        if "vergleich_monat" in tables:
            _print_vergleich(con)
        if "zielerreichung" in tables:
            _print_matrix(con)
    finally:
        con.close()


def _print_headline(con: duckdb.DuckDBPyConnection) -> None:
    rows = con.execute(
        """
        SELECT jobcenter_id, year(berichtsmonat) AS jahr, kennzahl, gruppe, variante,
               wert, vorlaeufig
        FROM kennzahlen_monat
        WHERE month(berichtsmonat) = 12 AND wert IS NOT NULL
        """
    ).fetchall()
    values = {(r[0], r[1], r[2], r[3], r[4]): (r[5], r[6]) for r in rows}
    jobcenters = sorted({r[0] for r in rows})
    years = sorted({r[1] for r in rows})
    for jc in jobcenters[:3]:
        print(f"\nJobcenter {jc}, Dezember-Werte (Jahreswert), in %:")
        print(f"  {'Kennzahl':<46}" + "".join(f"{y:>10}" for y in years))
        for code, gruppe, variante in HEADLINE:
            cells = []
            for y in years:
                wert, vorl = values.get((jc, y, code, gruppe, variante), (None, False))
                cells.append(prozent_text(wert, vorlaeufig=vorl))
            print(f"  {LABEL[code, gruppe]:<46}" + "".join(f"{c:>10}" for c in cells))
    if len(jobcenters) > 3:
        print(f"\n… and {len(jobcenters) - 3} more Jobcenters in marts.duckdb")
    print(f"  ({VORLAEUFIG} vorläufig, {ENTFAELLT} nicht berechenbar)")


def _print_vergleich(con: duckdb.DuckDBPyConnection) -> None:
    """The first Jobcenter against its Vergleichstyp, Land and Germany in the latest
    December (docs/vergleich.md), and the ranking of its type for K2."""
    bm = con.execute(
        "SELECT max(berichtsmonat) FROM vergleich_monat WHERE month(berichtsmonat) = 12"
    ).fetchone()[0]
    if bm is None:
        return
    jc = con.execute(
        "SELECT min(jobcenter_id) FROM vergleich_monat WHERE berichtsmonat = ?", [bm]
    ).fetchone()[0]
    typ, positionen = lage(con, jc, bm)
    print(f"\nVergleich Dezember {bm.year}: Jobcenter {jc} im Vergleichstyp {typ} "
          "(BA-Aggregate: Summe Zähler / Summe Nenner):")  # fmt: skip
    for line in positionen_text(typ, positionen):
        print(line)
    print(f"  Rangfolge im Vergleichstyp {typ}, K2 rollierend:")
    for rang, mitglied, wert in rangliste(con, typ, bm, "K2", "gesamt", "rollierend"):
        print(f"    {rang if rang is not None else '*':>3}. {mitglied}  {prozent_text(wert):>8} %")
    print("  (* unterdrückt: nicht gerankt; ein Typwert mit einem unterdrückten Mitglied ist"
          " selbst unterdrückt)")  # fmt: skip


def _print_matrix(con: duckdb.DuckDBPyConnection) -> None:
    matrix = statusmatrix(con)
    if not matrix.zeilen:
        return
    print("\nZielstatus je Jobcenter (Statusmatrix, letzter Berichtsmonat des Jahres):")
    for line in matrix_text(matrix):
        print(line)
