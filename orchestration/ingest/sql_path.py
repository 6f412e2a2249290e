"""The vectorised path of the ingest: a clean CSV delivery is read by pyarrow and checked by
one SQL query per file inside DuckDB, then written with `INSERT … SELECT`, without a pandas
round trip.

It answers one question per delivery: is it clean? Every rule of the detailed path
(`validate.py`: parse rules, pandera schema, keys, windows, cross-file and cross-month
checks) is expressed as a SQL predicate; any violation, any file that is not a plain CSV
(Parquet, encoding trouble, blank or short rows, extra columns) and any month whose
predecessor is not in the warehouse returns None, and the caller takes the detailed path,
which names every finding. So the SQL only ever has to decide "clean", never explain: the
detailed path stays the one place for messages. Warnings (which never block) are produced
here exactly as the detailed path would, because they are stored with a loaded delivery.
tests/test_ingest_sql.py holds both paths to the same tables and warnings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa

from orchestration.contract import FILES, FLAG_FALSE, FLAG_TRUE, Column, FileSpec
from orchestration.ingest.discovery import DeliveryRef, month_start, previous_month
from orchestration.ingest.findings import Finding, warning
from orchestration.ingest.history import History, latest_loaded_stand
from orchestration.ingest.manifest import Manifest, check_folder, read_manifest
from orchestration.ingest.parse import AMOUNT_DE, AMOUNT_PLAIN
from orchestration.ingest.reader import RawFile, arrow_strings, decode, separator
from orchestration.ingest.schemas import DATE_MAX, DATE_MIN, ISO_ALPHA3, birth_month_window
from orchestration.ingest.validate import (
    AUSTRITT_WITHOUT_EINTRITT,
    BG_NOT_IN_STOCK,
    NON_EMPTY_FILES,
    ZIEL_MISSING,
    rule_context,
    unlisted_files,
)

TABLE_PREFIX = "_zm_sql_"  # temp tables of the delivery being checked, one per file


@dataclass
class SqlDelivery:
    """A clean delivery: its typed files sit in temp tables until they are written."""

    ref: DeliveryRef
    manifest: Manifest
    files: dict[str, str] = field(default_factory=dict)  # contract name -> source file name
    rows: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # warnings only

    @staticmethod
    def table(name: str) -> str:
        return TABLE_PREFIX + name


def check_delivery_sql(con: duckdb.DuckDBPyConnection, ref: DeliveryRef) -> SqlDelivery | None:
    """The clean delivery ready to write, or None: take the detailed path."""
    manifest, findings = read_manifest(ref.path)
    if manifest is None or check_folder(manifest, ref):
        return None
    prev = latest_loaded_stand(con, ref.jobcenter_id, previous_month(ref.berichtsmonat))
    if prev is None:
        return None  # first month or predecessor not loaded: the detailed path looks on disk
    ctx = rule_context(manifest.stichtag, History(prev_stichtag=prev[0]))
    out = SqlDelivery(ref, manifest, findings=findings + unlisted_files(ref.path, manifest))
    if any(f.is_error for f in out.findings):
        return None
    try:
        clean = all(_load_file(con, out, spec, ctx) for spec in FILES)
        clean = clean and _cross_checks(con, out, prev)
    except BaseException:
        drop_tables(con)
        raise
    if not clean:
        drop_tables(con)
        return None
    return out


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    for spec in FILES:
        con.execute(f"DROP TABLE IF EXISTS {SqlDelivery.table(spec.name)}")


# --- one file ---------------------------------------------------------------------------


def _load_file(con, out: SqlDelivery, spec: FileSpec, ctx) -> bool:
    """Read, type and check one file into its temp table; False when not clean."""
    listed = [n for n in (spec.csv_name, spec.parquet_name) if n in out.manifest.dateien]
    if not listed:
        return spec.optional
    table = _read_plain_csv(out, spec, listed)
    if table is None:
        return False
    _type_into_temp_table(con, spec, table)
    out.files[spec.name] = spec.csv_name
    out.rows[spec.name] = table.num_rows
    return _file_clean(con, spec, SqlDelivery.table(spec.name), ctx, table.num_rows)


def _read_plain_csv(out: SqlDelivery, spec: FileSpec, listed: list[str]) -> pa.Table | None:
    """The file's cells as strings, or None unless it is one intact, regular CSV with exactly
    the contract's columns and the manifest's checksum and row count."""
    path = out.ref.path / spec.csv_name
    if listed != [spec.csv_name] or not path.is_file():
        return None  # Parquet, both formats, or missing: the detailed path
    data = path.read_bytes()
    entry = out.manifest.dateien[spec.csv_name]
    if hashlib.sha256(data).hexdigest() != entry.sha256:
        return None
    text = decode(data, RawFile(spec.csv_name))
    if text is None:
        return None
    table = arrow_strings(text, separator(text.split("\n", 1)[0], spec), spec)
    if table is None or table.num_rows != entry.zeilen:
        return None
    if set(table.column_names) != set(spec.column_names):
        return None  # extra columns go to raw.zusatzspalten: the detailed path
    rows = np.arange(1, table.num_rows + 1, dtype=np.int32)
    return table.append_column("_zeile", pa.array(rows))


def _type_into_temp_table(con, spec: FileSpec, table: pa.Table) -> None:
    """Typed columns plus `_unparsed` (a non-empty cell that did not parse) per row."""
    typed = ", ".join(f"{_typed(c)} AS {c.name}" for c in spec.columns)
    strings = ", ".join(f"{c.name}__s" for c in spec.columns)
    unparsed = " OR ".join(f"({c.name}__s IS NOT NULL AND {c.name} IS NULL)" for c in spec.columns)
    con.register("_zm_sql_src", table)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SqlDelivery.table(spec.name)} AS"
            f" SELECT _zeile, {', '.join(spec.column_names)}, {unparsed} AS _unparsed"
            f" FROM (SELECT _zeile, {strings}, {typed}"
            f"       FROM (SELECT _zeile, {_nulled(spec)} FROM _zm_sql_src))"
        )
    finally:
        con.unregister("_zm_sql_src")


def _nulled(spec: FileSpec) -> str:
    """Cells as strings, empty = missing; the `__s` copy keeps what was written."""
    return ", ".join(f"nullif({c.name}, '') AS {c.name}__s" for c in spec.columns)


def _typed(col: Column) -> str:
    """The SQL twin of parse.py: NULL where the string does not parse."""
    s = f"{col.name}__s"
    if col.type == "date":
        return _dates(s, {r"\d{2}\.\d{2}\.\d{4}": "%d.%m.%Y", r"\d{4}-\d{2}-\d{2}": "%Y-%m-%d"})
    if col.type == "month":
        return _dates(s, {r"\d{4}-\d{2}": "%Y-%m", r"\d{2}\.\d{4}": "%m.%Y"})
    if col.type == "flag":
        cases = [f"'{v}' THEN true" for v in FLAG_TRUE] + [f"'{v}' THEN false" for v in FLAG_FALSE]
        return f"CASE lower({s}) " + " ".join(f"WHEN {c}" for c in cases) + " END"
    if col.type == "int":
        return (
            f"CASE WHEN regexp_full_match({s}, '[+-]?\\d{{1,9}}') THEN TRY_CAST({s} AS INTEGER) END"
        )
    if col.type == "amount":
        german = f"replace(replace({s}, '.', ''), ',', '.')"
        return (
            f"CASE WHEN regexp_full_match({s}, '{AMOUNT_PLAIN}')"
            f" THEN TRY_CAST({s} AS DECIMAL(14,2))"
            f" WHEN regexp_full_match({s}, '{AMOUNT_DE}')"
            f" THEN TRY_CAST({german} AS DECIMAL(14,2)) END"
        )
    return s  # text and code


def _dates(s: str, forms: dict[str, str]) -> str:
    whens = " ".join(
        f"WHEN regexp_full_match({s}, '{pattern}') THEN CAST(try_strptime({s}, '{fmt}') AS DATE)"
        for pattern, fmt in forms.items()
    )
    return f"CASE {whens} END"


def _file_clean(con, spec: FileSpec, table: str, ctx, n_rows: int) -> bool:
    violations = " OR ".join(f"coalesce({p}, true)" for p in _violations(spec, ctx))
    key = ", ".join(spec.key)
    bad, distinct = con.execute(
        f"SELECT count(*) FILTER (WHERE {violations}), count(DISTINCT ({key})) FROM {table}"
    ).fetchall()[0]
    if bad or distinct != n_rows:
        return False
    return not (n_rows == 0 and spec.name in NON_EMPTY_FILES)


def _violations(spec: FileSpec, ctx) -> list[str]:
    """One predicate per rule of schemas.py; NULL counts as a violation (coalesce above)."""
    out = ["_unparsed"]
    for c in spec.columns:
        if c.required:
            out.append(f"{c.name} IS NULL")
        checks = _column_checks(spec, c, ctx)
        out += [f"({c.name} IS NOT NULL AND NOT ({check}))" for check in checks]
    out += _frame_violations(spec.name)
    return out


def _column_checks(spec: FileSpec, c: Column, ctx) -> list[str]:
    checks = []
    if c.codes is not None:
        checks.append(f"{c.name} IN ({', '.join(repr(v) for v in c.codes)})")
    if c.min is not None:
        checks.append(f"{c.name} >= {c.min}")
    if c.max is not None:
        checks.append(f"{c.name} <= {c.max}")
    if c.name == "staatsangehoerigkeit":
        checks.append(f"regexp_full_match({c.name}, '{ISO_ALPHA3.strip('^$')}')")
    if c.type == "date":
        checks.append(f"{c.name} BETWEEN DATE '{DATE_MIN}' AND DATE '{DATE_MAX}'")
    if c.name in spec.window_dates:
        checks.append(
            f"{c.name} > DATE '{ctx.window_start}' AND {c.name} <= DATE '{ctx.window_end}'"
        )
    if c.name == "geburtsmonat":
        oldest, youngest = birth_month_window(ctx.stichtag)
        checks.append(f"{c.name} BETWEEN DATE '{oldest}' AND DATE '{youngest}'")
    if c.name == "arbeitslos_seit":
        checks.append(f"{c.name} <= DATE '{ctx.stichtag}'")
    return checks


def _frame_violations(name: str) -> list[str]:
    """Rules across columns of one row (schemas._frame_checks)."""
    return {
        "elb_bestand": ["arbeitslos IS NOT NULL AND arbeitslos <> (arbeitslos_seit IS NOT NULL)"],
        "massnahme_eintritte": [
            "NOT (instrument IS NOT DISTINCT FROM 'FBW' OR massnahme_ziel IS NULL)",
            "geplantes_ende IS NOT NULL AND eintritt IS NOT NULL AND geplantes_ende < eintritt",
        ],
    }.get(name, [])


# --- references across files and months ------------------------------------------------


def _cross_checks(con, out: SqlDelivery, prev: tuple[date, date]) -> bool:
    """validate.cross_checks with the previous month from the warehouse (always known here)."""
    t = SqlDelivery.table
    part = [out.ref.jobcenter_id, month_start(previous_month(out.ref.berichtsmonat)), prev[1]]
    known = (
        f"(SELECT person_id FROM {t('elb_bestand')} UNION ALL SELECT person_id FROM"
        " raw.elb_bestand WHERE jobcenter_id = ? AND berichtsmonat = ? AND stand = ?)"
    )
    for name in ("erwerbsaufnahmen", "massnahme_eintritte", "massnahme_austritte", "kontakte"):
        if name in out.files:
            strays = con.execute(
                f"SELECT count(*) FROM {t(name)} WHERE person_id NOT IN {known}", part
            ).fetchall()[0][0]
            if strays:
                return False  # an error when the previous month is known
    if "leistungen" in out.files:
        out.findings += _warnings(
            con,
            f"SELECT _zeile, bg_id FROM {t('leistungen')}"
            f" WHERE bg_id NOT IN (SELECT bg_id FROM {t('elb_bestand')}) ORDER BY _zeile",
            BG_NOT_IN_STOCK,
            out.files["leistungen"],
            "bg_id",
        )
    if "massnahme_eintritte" in out.files:
        out.findings += _warnings(
            con,
            f"SELECT _zeile, NULL FROM {t('massnahme_eintritte')}"
            " WHERE instrument = 'FBW' AND massnahme_ziel IS NULL ORDER BY _zeile",
            ZIEL_MISSING,
            out.files["massnahme_eintritte"],
            "massnahme_ziel",
        )
    if "massnahme_austritte" in out.files:
        return _austritte(con, out)
    return True


def _austritte(con, out: SqlDelivery) -> bool:
    t = SqlDelivery.table
    this = (
        f"SELECT foerderfall_id, person_id, instrument, eintritt FROM {t('massnahme_eintritte')}"
        if "massnahme_eintritte" in out.files
        else "SELECT NULL::VARCHAR AS foerderfall_id, NULL::VARCHAR AS person_id,"
        " NULL::VARCHAR AS instrument, NULL::DATE AS eintritt WHERE false"
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _zm_sql_known AS
        WITH this AS ({this}),
        earlier AS (
          SELECT foerderfall_id, person_id, instrument, eintritt FROM raw.massnahme_eintritte
          WHERE jobcenter_id = ? AND berichtsmonat < ?
            AND foerderfall_id IN (SELECT foerderfall_id FROM {t("massnahme_austritte")})
            AND foerderfall_id NOT IN (SELECT foerderfall_id FROM this)
          QUALIFY row_number() OVER (PARTITION BY foerderfall_id
                                     ORDER BY berichtsmonat DESC, stand DESC) = 1)
        SELECT * FROM this UNION ALL SELECT * FROM earlier""",
        [out.ref.jobcenter_id, out.ref.month_start],
    )
    try:
        errors = con.execute(
            f"""SELECT count(*) FROM {t("massnahme_austritte")} a
            JOIN _zm_sql_known k USING (foerderfall_id)
            WHERE (a.person_id IS NOT NULL AND a.person_id <> k.person_id)
               OR (a.austritt < k.eintritt)
               OR (a.abschluss_bestanden IS NOT NULL AND k.instrument <> 'FBW')"""
        ).fetchall()[0][0]
        if errors:
            return False
        out.findings += _warnings(
            con,
            f"SELECT _zeile, foerderfall_id FROM {t('massnahme_austritte')}"
            " WHERE foerderfall_id NOT IN (SELECT foerderfall_id FROM _zm_sql_known)"
            " ORDER BY _zeile",
            AUSTRITT_WITHOUT_EINTRITT,
            out.files["massnahme_austritte"],
            "foerderfall_id",
        )
    finally:
        con.execute("DROP TABLE IF EXISTS _zm_sql_known")
    return True


def _warnings(con, sql: str, kind: tuple[str, str], file: str, column: str) -> list[Finding]:
    found = con.execute(sql).fetchall()
    return [warning(*kind, file, row, column, value) for row, value in found]
