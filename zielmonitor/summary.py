"""The short summary the demo prints: what was published and the December figures."""

from __future__ import annotations

from pathlib import Path

import duckdb

from zielmonitor.report.format import ENTFAELLT, VORLAEUFIG, markiert, zahl

# (kennzahl, gruppe, variante, label) shown per year: the agreement's headline figures.
HEADLINE = (
    ("K2", "ohne_asyl8", "jfw", "Integrationsquote ohne Asyl8"),
    ("K2", "asyl8", "jfw", "Integrationsquote Asyl8"),
    ("K2E4", "gesamt", "jfw", "Integrationsquote Alleinerziehende (K2E4)"),
    ("K3E1", "gesamt", "jfw", "Integrationsquote LZB (K3E1)"),
    ("K3", "gesamt", "monat", "Bestand LZB, Veränderung zum Vorjahr (K3)"),
    ("K3E2", "gesamt", "monat", "Aktivierungsquote LZB (K3E2)"),
    ("K1E2", "gesamt", "monat", "Zahl der eLB, Veränderung zum Vorjahr (K1E2)"),
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
        for code, gruppe, variante, label in HEADLINE:
            cells = []
            for y in years:
                value = values.get((jc, y, code, gruppe, variante))
                cells.append(_cell(value))
            print(f"  {label:<46}" + "".join(f"{c:>10}" for c in cells))
    if len(jobcenters) > 3:
        print(f"\n… and {len(jobcenters) - 3} more Jobcenters in marts.duckdb")
    print(f"  ({VORLAEUFIG} vorläufig, {ENTFAELLT} nicht berechenbar)")


def _cell(value: tuple[float, bool] | None) -> str:
    """Two decimals with a German comma (no thousands separator); `p` marks a provisional
    figure, `–` one not computable."""
    if value is None:
        return ENTFAELLT
    return markiert(zahl(value[0], 2, tausender=False), value[1])
