"""Statistical confidentiality (§ 16 BStatG) of everything published.

Unit tests run the generic mechanism on small hand-made tables; the scan builds a small
synthetic Jobcenter end to end (generator → refresh → marts.duckdb + Parquet) and checks
every published table against the unsuppressed figures of the restricted warehouse.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from zielmonitor.publish import suppression as sup
from zielmonitor.publish.marts import publish

# ------------------------------------------------------------------ hand-made tables


def _run(tables: dict[str, str], metas: dict[str, Any]) -> duckdb.DuckDBPyConnection:
    """Create `tables` (name -> SELECT) in memory, suppress them, return the connection."""
    con = duckdb.connect()
    for name, select in tables.items():
        con.execute(f"CREATE TABLE {name} AS {select}")
    sup.apply_suppression(con, "memory", sup.rules_for(tables, metas))
    return con


def _values(con: duckdb.DuckDBPyConnection, sql: str) -> dict[Any, Any]:
    return dict(con.execute(sql).fetchall())


GRUPPEN = "SELECT * FROM (VALUES {}) AS v(gruppe, n)"


def _split_meta(parts: list[str], remainder: str = "public") -> dict[str, Any]:
    return {
        "counts": [{"columns": ["n"]}],
        "splits": [{"name": "s", "by": "gruppe", "within": ["k"], "columns": ["n"],
                    "total": "gesamt", "parts": parts, "remainder": remainder}],
    }  # fmt: skip


def _gruppen(rows: str) -> str:
    return f"SELECT 1 AS k, * FROM (VALUES {rows}) AS v(gruppe, n)"


def test_primary_suppresses_one_and_two_but_not_zero() -> None:
    con = _run({"t": "SELECT * FROM (VALUES ('a', 1), ('b', 2), ('c', 0), ('d', 3)) v(k, n)"},
               {"t": {"counts": [{"columns": ["n"]}]}})  # fmt: skip
    assert _values(con, "SELECT k, n FROM t") == {"a": None, "b": None, "c": 0, "d": 3}
    assert _values(con, "SELECT k, unterdrueckt FROM t") == {
        "a": True, "b": True, "c": False, "d": False}  # fmt: skip


def test_secondary_suppression_of_the_complement() -> None:
    # gesamt 10 = x 2 + y 8: x alone would be gesamt - y; the next-smallest (y) goes too
    con = _run({"t": _gruppen("('gesamt', 10), ('x', 2), ('y', 8)")},
               {"t": _split_meta(["x", "y"])})  # fmt: skip
    assert _values(con, "SELECT gruppe, n FROM t") == {"gesamt": 10, "x": None, "y": None}


def test_secondary_never_picks_a_zero() -> None:
    con = _run({"t": _gruppen("('gesamt', 5), ('x', 2), ('y', 0), ('z', 3)")},
               {"t": _split_meta(["x", "y", "z"])})  # fmt: skip
    assert _values(con, "SELECT gruppe, n FROM t") == {"gesamt": 5, "x": None, "y": 0, "z": None}


def test_hidden_remainder_cell_d_is_protected() -> None:
    # gesamt 20 = frauen 9 + maenner 9 + d 2 (not published): d would be gesamt - f - m
    con = _run({"t": _gruppen("('gesamt', 20), ('frauen', 9), ('maenner', 9)")},
               {"t": _split_meta(["frauen", "maenner"])})  # fmt: skip
    werte = _values(con, "SELECT gruppe, n FROM t")
    assert werte["gesamt"] == 20
    assert sorted([werte["frauen"], werte["maenner"]], key=str) == [9, None]


def test_secret_remainder_alone_protects_a_suppressed_part() -> None:
    # LZB Integrationen within all: the complement is not published, so a suppressed part
    # needs no partner; but a complement of 1 (all - lzb) must not be derivable
    meta = {"t": _split_meta(["lzb"], remainder="secret")}
    con = _run({"t": _gruppen("('gesamt', 40), ('lzb', 2)")}, meta)
    assert _values(con, "SELECT gruppe, n FROM t") == {"gesamt": 40, "lzb": None}
    con = _run({"t": _gruppen("('gesamt', 40), ('lzb', 39)")}, meta)
    assert _values(con, "SELECT gruppe, n FROM t") == {"gesamt": 40, "lzb": None}


def test_rate_with_suppressed_numerator_is_suppressed() -> None:
    con = _run(
        {"t": "SELECT 1 AS k, 2 AS zaehler, 50 AS nenner, 4.0 AS wert, 1.5 AS anderes"},
        {"t": {"counts": [{"columns": ["zaehler", "nenner"]}],
               "rates": [{"column": "wert", "from": ["zaehler", "nenner"]}]}},
    )  # fmt: skip
    assert con.execute("SELECT zaehler, nenner, wert, anderes, unterdrueckt FROM t").fetchone() == (
        None, 50, None, 1.5, True)  # fmt: skip


def test_iteration_across_two_linked_splits() -> None:
    # a 2×2 table with margins: every row and every column is a split of its total
    zellen = ", ".join(
        f"('{z}', '{s}', {n})"
        for z, s, n in [("a", "x", 2), ("a", "y", 5), ("a", "T", 7), ("b", "x", 4), ("b", "y", 6),
                        ("b", "T", 10), ("T", "x", 6), ("T", "y", 11), ("T", "T", 17)]
    )  # fmt: skip
    split = {"columns": ["n"], "total": "T", "parts": ["x", "y"]}
    meta = {"counts": [{"columns": ["n"]}],
            "splits": [{"name": "zeile", "by": "spalte", "within": ["zeile"], **split},
                       {"name": "spalte", "by": "zeile", "within": ["spalte"], **split,
                        "parts": ["a", "b"]}]}  # fmt: skip
    con = _run({"t": f"SELECT * FROM (VALUES {zellen}) v(zeile, spalte, n)"}, {"t": meta})
    weg = set(con.execute("SELECT zeile, spalte FROM t WHERE n IS NULL").fetchall())
    # a/x primary; row a -> a/y; column x -> b/x; column y (a/y alone) -> b/y; row b has two
    assert weg == {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y")}


def test_cumulative_series_protects_the_month_by_difference() -> None:
    # YTD 3, 4, 8: February's count (1) is YTD(Feb) - YTD(Jan); the smaller YTD goes
    con = _run(
        {"t": "SELECT 'J' AS k, make_date(2016, m, 1) AS berichtsmonat, n FROM "
              "(VALUES (1, 3), (2, 4), (3, 8)) v(m, n)"},
        {"t": {"counts": [{"columns": ["n"]}],
               "cumulative": [{"column": "n", "within": ["k"]}]}},
    )  # fmt: skip
    assert [r[0] for r in con.execute("SELECT n FROM t ORDER BY berichtsmonat").fetchall()] == [
        None, 4, 8]  # fmt: skip


def test_same_value_in_two_tables_is_suppressed_in_both() -> None:
    # x is suppressed secondarily in `a`; `b` publishes the same figure and must hide it too
    meta_a = _split_meta(["x", "y"])
    meta_a["same_value"] = [{"column": "n", "where": "gruppe = 'y'", "id": ["'Y'"]}]
    meta_b = {"counts": [{"columns": ["wert"]}], "same_value": [{"column": "wert", "id": ["'Y'"]}]}
    con = _run({"a": _gruppen("('gesamt', 10), ('x', 2), ('y', 8)"), "b": "SELECT 8 AS wert"},
               {"a": meta_a, "b": meta_b})  # fmt: skip
    assert con.execute("SELECT wert, unterdrueckt FROM b").fetchone() == (None, True)


def test_missing_or_malformed_metadata_fails() -> None:
    with pytest.raises(sup.SuppressionConfigError, match="no meta.suppression"):
        sup.rules_for(["t"], {})
    with pytest.raises(sup.SuppressionConfigError, match="reason"):
        sup.parse_rule("t", {"none": ""})
    with pytest.raises(sup.SuppressionConfigError, match="unknown"):
        sup.parse_rule("t", {"counts": [{"columns": ["n"]}], "rate": []})
    assert sup.parse_rule("ziele", {"none": "catalogue"}).none_reason == "catalogue"


def test_publish_without_a_rule_for_a_table_fails(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.a AS SELECT 1 AS n")
    con.execute("CREATE TABLE marts.b AS SELECT 1 AS n")
    con.close()
    rules = {"a": sup.parse_rule("a", {"counts": [{"columns": ["n"]}]})}
    with pytest.raises(sup.SuppressionConfigError, match=r"\['b'\]"):
        publish(tmp_path / "wh.duckdb", tmp_path / "marts.duckdb", ["a", "b"], suppression=rules)
    assert not (tmp_path / "marts.duckdb").exists()


def test_one_id_for_different_values_is_a_declaration_error() -> None:
    meta = {"counts": [{"columns": ["n"]}], "same_value": [{"column": "n", "id": ["'X'"]}]}
    with pytest.raises(sup.SuppressionConfigError, match="different values"):
        _run({"t": "SELECT * FROM (VALUES (5), (6)) v(n)"}, {"t": meta})


# ------------------------------------------------------------------ scan of a real publish

PERSON_COLUMNS = {"person_id", "bg_id", "foerderfall_id", "pseudonym"}
PSEUDONYM = re.compile(r"^[PBF]\d{6,}$")


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Small synthetic Jobcenters (Düsseldorf ≈ 900 eLB and two smaller ones, many small
    cells; two share a Vergleichstyp) through the whole refresh."""
    from zielmonitor.generator import generate

    work = tmp_path_factory.mktemp("geheimhaltung")
    saved = dict(os.environ)
    os.environ["ZIELMONITOR_RAW_DIR"] = str(work / "raw")
    os.environ["ZIELMONITOR_DATA_DIR"] = str(work / "data")
    try:
        generate(work / "raw", jobcenters=3, scale=0.02, start="2015-01", end="2016-06")
        from zielmonitor.pipeline import refresh

        outcome = refresh(log=lambda _: None)
        assert outcome.success, outcome.message
    finally:
        os.environ.clear()
        os.environ.update(saved)
    from orchestration.assets.published import PUBLISHED, suppression_rules

    data = work / "data"
    roh = work / "unsuppressed.duckdb"  # the same tables, copied without suppression
    publish(data / "warehouse.duckdb", roh, PUBLISHED)
    yield {"data": data, "marts": data / "marts.duckdb", "roh": roh, "tables": PUBLISHED,
           "rules": suppression_rules(PUBLISHED)}  # fmt: skip


def violations(raw: Path, pub: Path, rules: dict[str, sup.TableRule]) -> list[str]:
    """What an intruder could read from `pub`: small visible counts, a suppressed value
    recoverable from its split, a value hidden in one place but shown in another, a group
    value (vergleich_monat) shown although one of its members is suppressed.
    `raw` holds the same tables unsuppressed, row for row (same sort order)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{raw}' AS roh (READ_ONLY)")
    con.execute(f"ATTACH '{pub}' AS pub (READ_ONLY)")
    con.execute("USE roh")
    # cells, splits, groups and ids as declared, on the raw values; then what pub hides
    for rule in sup.register(con, rules):
        for col in sorted(rule.columns()):
            con.execute(
                f'UPDATE {sup._CELLS} AS c SET supp = p."{col}" IS NULL FROM (SELECT rowid AS '
                f'rid, "{col}" FROM pub.main."{rule.table}") AS p WHERE c.tbl = ? AND c.col = ? '
                "AND c.rid = p.rid AND c.v IS NOT NULL",
                [rule.table, col],
            )
    found = [f"{t}.{c}: visible count {v}" for t, c, v in con.execute(
        f"SELECT tbl, col, v FROM {sup._CELLS} WHERE cnt AND NOT supp AND v > 0 AND v < 3"
    ).fetchall()]  # fmt: skip
    found += [f"split {i}: suppressed value recoverable" for (i,) in con.execute(f"""
        WITH m AS (SELECT i.inst, i.remainder, i.expected, b.total, b.coef, c.v, c.supp
                   FROM {sup._INSTANCES} i JOIN {sup._MEMBERS} b USING (inst)
                   JOIN {sup._CELLS} c USING (tbl, rid, col)),
        s AS (SELECT inst, any_value(remainder) AS r, any_value(expected) AS e, count(*) AS n,
                     count(v) AS nv, count_if(supp) AS ns,
                     sum(CASE WHEN total THEN coef * v ELSE -coef * v END) AS rest
              FROM m GROUP BY inst),
        k AS (SELECT *, rest > 1e-9 AND rest < 3 - 1e-9 AS klein FROM s WHERE n = e AND nv = n)
        SELECT inst FROM k WHERE (r = 'public' AND ns + klein::INT = 1) OR (r = 'secret'
              AND ns = 0 AND klein)""").fetchall()]  # fmt: skip
    found += [
        f"group {g}: shown with a suppressed member"
        for (g,) in con.execute(f"""
        SELECT DISTINCT a.gkey FROM {sup._GROUPS} a
        JOIN {sup._CELLS} ac ON ac.tbl = a.tbl AND ac.rid = a.rid AND ac.col = a.col
        JOIN {sup._GROUPS} m ON m.gkey = a.gkey AND NOT m.aggregat
        JOIN {sup._CELLS} mc ON mc.tbl = m.tbl AND mc.rid = m.rid AND mc.col = m.col
        WHERE a.aggregat AND NOT ac.supp AND ac.v IS NOT NULL AND mc.supp""").fetchall()
    ]
    found += [f"id {s}: hidden in one table, shown in another" for (s,) in con.execute(
        f"SELECT sid FROM {sup._CELLS} WHERE sid IS NOT NULL AND v IS NOT NULL GROUP BY sid "
        "HAVING count_if(supp) BETWEEN 1 AND count(*) - 1"
    ).fetchall()]  # fmt: skip
    con.close()
    return found


def test_scan_finds_nothing_in_the_published_marts(published: dict[str, Any]) -> None:
    assert violations(published["roh"], published["marts"], published["rules"]) == []


def test_scan_would_fail_without_suppression(published: dict[str, Any]) -> None:
    # the dataset has primary cases: the unsuppressed copy must be caught by the same scan
    found = violations(published["roh"], published["roh"], published["rules"])
    assert any("visible count" in f for f in found)
    assert sum("visible count" in f for f in found) >= 10
    con = duckdb.connect(str(published["marts"]), read_only=True)
    flagged = con.execute("SELECT count(*) FROM kennzahlen_monat WHERE unterdrueckt").fetchone()
    con.close()
    assert flagged[0] > 0


def test_every_published_table_has_the_flag_and_no_person_data(
    published: dict[str, Any],
) -> None:
    con = duckdb.connect(str(published["marts"]), read_only=True)
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert tables == set(published["tables"])
    ids = _warehouse_ids(published["data"] / "warehouse.duckdb")
    for table in tables:
        cols = dict(con.execute(f"SELECT column_name, data_type FROM duckdb_columns() "
                                f"WHERE table_name = '{table}'").fetchall())  # fmt: skip
        assert cols.get(sup.FLAG) == "BOOLEAN", table
        assert not PERSON_COLUMNS & set(cols), table
        for col, typ in cols.items():
            if typ == "VARCHAR":
                werte = {
                    r[0] for r in con.execute(f'SELECT DISTINCT "{col}" FROM {table}').fetchall()
                }
                assert not {w for w in werte if w and PSEUDONYM.match(w)}, (table, col)
                assert not werte & ids, (table, col)
    con.close()


def test_parquet_export_equals_the_suppressed_tables(published: dict[str, Any]) -> None:
    folder = published["data"] / "marts_parquet"
    if not folder.exists():
        pytest.skip("no Parquet export in this build")
    con = duckdb.connect()
    con.execute(f"ATTACH '{published['marts']}' AS m (READ_ONLY)")
    for table in published["tables"]:
        datei = folder / f"{table}.parquet"
        assert datei.exists(), table
        for a, b in [(f"'{datei}'", f"m.{table}"), (f"m.{table}", f"'{datei}'")]:
            rest = con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()
            assert rest == (0,), table
    con.close()


def _warehouse_ids(warehouse: Path) -> set[str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns() "
            "WHERE column_name IN ('person_id', 'bg_id', 'foerderfall_id') "
            "AND schema_name = 'raw'"
        ).fetchall()
        ids: set[str] = set()
        for schema, table, col in rows:
            ids |= {r[0] for r in con.execute(f'SELECT DISTINCT "{col}" FROM {schema}.{table}')
                    .fetchall() if r[0] is not None}  # fmt: skip
        return ids
    finally:
        con.close()


def _show_again(
    published: dict[str, Any], tmp_path: Path, table: str, column: str, where: str
) -> list[str]:
    """Undo one suppression: in a copy of the published marts, the first cell of
    `table.column` that is NULL there, >= 3 unsuppressed and matches `where` (p: published,
    r: unsuppressed row) gets its value back. What the scan finds in that copy."""
    kopie = tmp_path / "marts.duckdb"
    kopie.write_bytes(published["marts"].read_bytes())
    with duckdb.connect(str(kopie)) as con:
        con.execute(f"ATTACH '{published['roh']}' AS roh (READ_ONLY)")
        rid = con.execute(
            f"SELECT p.rowid FROM {table} p JOIN roh.{table} r ON p.rowid = r.rowid "
            f"WHERE p.{column} IS NULL AND r.{column} >= 3 AND {where} LIMIT 1"
        ).fetchone()
        assert rid, f"the dataset should have a suppressed {table}.{column} to show again"
        con.execute(
            f"UPDATE {table} SET {column} = (SELECT {column} FROM roh.{table} WHERE rowid = $1)"
            " WHERE rowid = $1",
            [rid[0]],
        )
    return violations(published["roh"], kopie, published["rules"])


def test_scan_catches_a_secondary_cell_shown_again(
    published: dict[str, Any], tmp_path: Path
) -> None:
    # undo one secondary suppression: the value it protected becomes recoverable
    assert _show_again(published, tmp_path, "kennzahlen_monat", "zaehler", "r.variante = 'jfw'")


def test_scan_catches_a_type_value_shown_with_a_suppressed_member(
    published: dict[str, Any], tmp_path: Path
) -> None:
    # show a suppressed Vergleichstyp value again: its suppressed member becomes recoverable
    found = _show_again(
        published, tmp_path, "vergleich_monat", "zaehler_vergleichstyp",
        "p.zaehler IS NOT NULL AND r.anzahl_vergleichstyp > 1",
    )  # fmt: skip
    assert any(f.startswith("group ") for f in found)
