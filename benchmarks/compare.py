"""Agreement of a reference's output with the pipeline's published marts.

Per Kennzahl (and Ziel): rows on each side, rows matched on the key, rows with a value on
one side only (NULL vs value), and the max absolute difference of `wert` (`ist`).

    uv run python -m benchmarks.compare WAREHOUSE_OR_MARTS.duckdb REFERENCE_OUT_DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

KEYS = {
    "kennzahlen": ("jobcenter_id, berichtsmonat, kennzahl, gruppe, variante", "kennzahl", "wert"),
    "ziel_ist": ("jobcenter_id, berichtsmonat, ziel_id", "ziel_id", "ist"),
}
PIPELINE = {
    "kennzahlen": "SELECT jobcenter_id, berichtsmonat, kennzahl, gruppe, variante, wert"
    " FROM {db}.kennzahlen_monat",
    "ziel_ist": "SELECT jobcenter_id, berichtsmonat, ziel_id, ist FROM {db}.zielerreichung",
}


def compare(db: Path, ref_dir: Path) -> dict[str, list[dict]]:
    """`db`: the warehouse (schema `marts`, before suppression) or a published marts file
    (suppressed cells are NULL there and show up as NULL mismatches)."""
    con = duckdb.connect()
    con.execute(f"ATTACH '{db}' AS m (READ_ONLY)")
    warehouse = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'm' AND schema_name = 'marts'"
    ).fetchone()[0]
    prefix = "m.marts" if warehouse else "m"
    return {name: _compare_one(con, name, ref_dir, prefix) for name in KEYS}


def _compare_one(
    con: duckdb.DuckDBPyConnection, name: str, ref_dir: Path, prefix: str
) -> list[dict]:
    keys, code, value = KEYS[name]
    ref = ref_dir / f"ref_{name}.parquet"
    sql = f"""
      WITH p AS ({PIPELINE[name].format(db=prefix)}), r AS (SELECT {keys}, {value} FROM '{ref}'),
      -- only the figures the reference computes, for the (Jobcenter, year, figure)s the
      -- pipeline has (a Jobcenter's agreement need not have every target: 05124's has five)
      codes AS (SELECT DISTINCT {code} FROM r),
      years AS (SELECT DISTINCT jobcenter_id, year(berichtsmonat) AS y, {code} FROM p),
      j AS (SELECT {code}, p.{value} AS pv, r.{value} AS rv, p.{value} IS NOT NULL OR
                   p.{code} IS NOT NULL AS in_p, r.{code} IS NOT NULL AS in_r
            FROM (SELECT * FROM p SEMI JOIN codes USING ({code})) p
            FULL JOIN (SELECT * FROM r SEMI JOIN years
                       ON years.jobcenter_id = r.jobcenter_id
                       AND years.y = year(r.berichtsmonat)
                       AND years.{code} = r.{code}) r USING ({keys}))
      SELECT {code} AS code, count(*) FILTER (in_p) AS n_pipeline,
             count(*) FILTER (in_r) AS n_reference, count(*) FILTER (in_p AND in_r) AS matched,
             count(*) FILTER (in_p AND in_r AND (pv IS NULL) <> (rv IS NULL)) AS null_mismatch,
             max(abs(pv - rv)) AS max_abs_diff
      FROM j GROUP BY ALL ORDER BY ALL"""
    cols = ["code", "n_pipeline", "n_reference", "matched", "null_mismatch", "max_abs_diff"]
    return [dict(zip(cols, row, strict=True)) for row in con.execute(sql).fetchall()]


def agrees(result: dict[str, list[dict]], tolerance: float = 1e-9) -> bool:
    rows = [r for part in result.values() for r in part]
    return all(
        r["n_pipeline"] == r["n_reference"] == r["matched"]
        and r["null_mismatch"] == 0
        and (r["max_abs_diff"] or 0) <= tolerance
        for r in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="warehouse.duckdb or a published marts file")
    parser.add_argument("ref_dir", type=Path)
    args = parser.parse_args(argv)
    result = compare(args.db, args.ref_dir)
    for name, rows in result.items():
        print(name)
        for r in rows:
            print("  " + json.dumps(r, default=str))
    print("agrees" if agrees(result) else "DIFFERS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
