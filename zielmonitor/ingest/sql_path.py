"""The vectorised path of the ingest: clean CSV deliveries are read by pyarrow and checked by
SQL inside DuckDB, a batch of deliveries at a time, then written with `INSERT … SELECT`,
without a pandas round trip.

It answers one question per delivery: is it clean? Every rule of the detailed path
(`validate.py`: parse rules, pandera schema, keys, windows) is expressed as a SQL predicate,
generated from the contract; the cross-file and cross-month rules are the queries of
`relations.py`, which the detailed path runs too. Any violation, any file that is not a plain CSV
(Parquet, encoding trouble, blank or short rows, extra columns) and any month whose
predecessor is on disk but not in the warehouse sends the delivery to the detailed path,
which names every finding. A month with no predecessor anywhere (the first of a history) is
checked here as the detailed path checks it: persons outside the stock are warnings. So the
SQL only ever has to decide "clean", never explain: the detailed path names the findings.
Warnings (which never block) are stored with a loaded delivery; those across files come from
relations.findings, as in the detailed path.
tests/test_ingest_sql.py holds both paths to the same tables and warnings.

A batch holds deliveries of one month, at most one per Jobcenter (so none depends on
another), and each file type is typed and checked by one statement for the whole batch:
per-statement cost, not rows, dominated when every delivery had its own statements.
Reading (`prepare`) touches only the disk, so the caller can run it ahead in a thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from zielmonitor.contract import (
    AMOUNT_DE,
    AMOUNT_PLAIN,
    DATE_FORMS,
    FILES,
    FILES_BY_NAME,
    FLAG_FALSE,
    FLAG_TRUE,
    INT_PATTERN,
    LINEAGE_COLUMNS,
    MANIFEST_NAME,
    MONTH_FORMS,
    Column,
    FileSpec,
    Rule,
)
from zielmonitor.ingest import relations
from zielmonitor.ingest.discovery import (
    DeliveryRef,
    month_start,
    previous_month,
    read_regular,
    relative_path,
)
from zielmonitor.ingest.findings import Finding
from zielmonitor.ingest.history import History, latest_loaded_stands, stands_on_disk
from zielmonitor.ingest.manifest import Manifest, check_folder, read_manifest
from zielmonitor.ingest.reader import RawFile, arrow_strings, decode, long_line, separator
from zielmonitor.ingest.schemas import birth_month_window
from zielmonitor.ingest.validate import (
    contract_files,
    links_out,
    rule_context,
    unlisted_files,
)

TABLE_PREFIX = relations.PREFIX  # temp tables of the batch being checked, one per file
DELIVERIES = TABLE_PREFIX + "lieferung"  # one row per delivery of the batch: its rule context


@dataclass
class Prepared:
    """A delivery read from disk that may be clean: its files as string tables."""

    ref: DeliveryRef
    manifest: Manifest
    findings: list[Finding]  # warnings only
    tables: dict[str, pa.Table]  # contract name -> cells as strings plus `_zeile`

    @property
    def rows(self) -> int:
        return sum(t.num_rows for t in self.tables.values())


@dataclass
class SqlDelivery:
    """A clean delivery of a checked batch; its rows sit in the batch's temp tables."""

    ref: DeliveryRef
    manifest: Manifest
    index: int  # `_d` in the temp tables
    files: dict[str, str] = field(default_factory=dict)  # contract name -> source file name
    rows: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # warnings only

    @staticmethod
    def table(name: str) -> str:
        return relations.table(name)  # the names the rules of relations.py read


# --- reading (disk only, thread-safe) -----------------------------------------------------


def prepare(ref: DeliveryRef) -> Prepared | None:
    """The delivery's files as strings, or None when it is not a set of plain CSVs that match
    the manifest (the detailed path then reads and explains). Runs in the read-ahead
    thread; the caller turns an exception into "not clean" (load._read_batch)."""
    if links_out(ref, None, [MANIFEST_NAME]):
        return None
    manifest, findings = read_manifest(ref.path)
    if manifest is None or check_folder(manifest, ref):
        return None
    findings = findings + unlisted_files(ref.path, manifest)
    findings += links_out(ref, None, contract_files(manifest))
    if any(f.is_error for f in findings):
        return None
    tables = {}
    for spec in FILES:
        listed = [n for n in (spec.csv_name, spec.parquet_name) if n in manifest.dateien]
        if not listed:
            if spec.optional:
                continue
            return None
        table = _read_plain_csv(ref.path, manifest, spec, listed)
        if table is None:
            return None
        tables[spec.name] = table
    return Prepared(ref, manifest, findings, tables)


def _read_plain_csv(folder: Path, manifest: Manifest, spec: FileSpec, listed: list[str]):
    """The file's cells as strings, or None unless it is one intact, regular CSV with exactly
    the contract's columns and the manifest's checksum and row count."""
    path = folder / spec.csv_name
    if listed != [spec.csv_name] or not path.is_file():
        return None  # Parquet, both formats, missing or no regular file: the detailed path
    data = read_regular(path)
    entry = manifest.dateien[spec.csv_name]
    if hashlib.sha256(data).hexdigest() != entry.sha256 or long_line(data, spec.csv_name):
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
    return table.select(list(spec.column_names)).append_column("_zeile", pa.array(rows))


# --- checking a batch ---------------------------------------------------------------------


def check_batch(
    con: duckdb.DuckDBPyConnection, batch: list[Prepared], raw_dir: Path
) -> tuple[list[SqlDelivery], list[DeliveryRef]]:
    """The clean deliveries, ready to write (`insert_batch`), and those for the detailed
    path. `batch`: one month, at most one delivery per Jobcenter."""
    candidates, detailed = _with_predecessor(con, batch, raw_dir)
    if not candidates:
        return [], detailed
    try:
        _register_deliveries(con, candidates, raw_dir)
        bad: set[int] = set()
        for spec in FILES:
            parts = [
                (d, p.tables[spec.name])
                for d, (p, _) in enumerate(candidates)
                if spec.name in p.tables
            ]
            if parts:
                _type_into_temp_table(con, spec, parts)
                bad |= _unclean_files(con, spec)
        warnings = _cross_checks(con, candidates, bad)
    except BaseException:
        drop_tables(con)
        raise
    clean = []
    for d, (p, _) in enumerate(candidates):
        if d in bad:
            detailed.append(p.ref)
            continue
        files = {name: FILES_BY_NAME[name].csv_name for name in p.tables}
        rows = {name: t.num_rows for name, t in p.tables.items()}
        clean.append(SqlDelivery(p.ref, p.manifest, d, files, rows, p.findings + warnings[d]))
    if bad:
        con.execute(f"DELETE FROM {DELIVERIES} WHERE _d IN ({', '.join(map(str, sorted(bad)))})")
    return clean, detailed


# (stichtag, stand) of the previous month's latest stand; None: no previous month anywhere
Predecessor = tuple[date, date] | None


def _with_predecessor(
    con, batch: list[Prepared], raw_dir: Path
) -> tuple[list[tuple[Prepared, Predecessor]], list[DeliveryRef]]:
    """Deliveries whose previous month is in the warehouse (its latest stand) or nowhere (a
    history's first month), and the rest: a previous month only on disk is read and checked
    by the detailed path (history.load_history)."""
    candidates, detailed = [], []
    month = previous_month(batch[0].ref.berichtsmonat)
    latest = latest_loaded_stands(con, month)
    for p in batch:
        prev = latest.get(p.ref.jobcenter_id)
        if prev is None and stands_on_disk(raw_dir, p.ref.jobcenter_id, month):
            detailed.append(p.ref)
        else:
            candidates.append((p, prev))
    return candidates, detailed


def _register_deliveries(
    con, candidates: list[tuple[Prepared, Predecessor]], raw_dir: Path
) -> None:
    """One row per delivery: lineage, predecessor and the dates its rules compare with."""
    rows: dict[str, list] = {"_d": list(range(len(candidates)))}
    for p, prev in candidates:
        ctx = rule_context(p.manifest.stichtag, History(prev_stichtag=prev[0] if prev else None))
        oldest, youngest = birth_month_window(ctx.stichtag)
        row = {
            "jobcenter_id": p.ref.jobcenter_id,
            "berichtsmonat": p.ref.month_start,
            "stand": p.ref.stand,
            "pfad": relative_path(p.ref.path, raw_dir),
            "vormonat": month_start(previous_month(p.ref.berichtsmonat)),
            "vormonat_stand": prev[1] if prev else None,
            "stichtag": ctx.stichtag,
            "window_start": ctx.window_start,
            "window_end": ctx.window_end,
            "birth_oldest": oldest,
            "birth_youngest": youngest,
        }
        for name, value in row.items():
            rows.setdefault(name, []).append(value)
    types = {"_d": pa.int32(), "vormonat_stand": pa.date32()}  # the latter may be all NULL
    columns = {n: pa.array(v, types.get(n)) for n, v in rows.items()}
    con.register("_zm_sql_src", pa.table(columns))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {DELIVERIES} AS SELECT * FROM _zm_sql_src")
    finally:
        con.unregister("_zm_sql_src")


def drop_tables(con: duckdb.DuckDBPyConnection) -> None:
    views = [relations.PREV_PERSONS, relations.EARLIER_EINTRITTE]
    for view in views:
        con.execute(f"DROP VIEW IF EXISTS {relations.table(view)}")
    tables = [s.name for s in FILES] + [relations.KNOWN_EINTRITTE]
    for table in [relations.table(t) for t in tables] + [DELIVERIES]:
        con.execute(f"DROP TABLE IF EXISTS {table}")


# --- one file type ------------------------------------------------------------------------


def _type_into_temp_table(con, spec: FileSpec, parts: list[tuple[int, pa.Table]]) -> None:
    """Typed columns plus `_unparsed` (a non-empty cell that did not parse) per row."""
    source = pa.concat_tables(
        t.append_column("_d", pa.array(np.full(t.num_rows, d, dtype=np.int32))) for d, t in parts
    )
    typed = ", ".join(f"{_typed(c)} AS {c.name}" for c in spec.columns)
    strings = ", ".join(f"{c.name}__s" for c in spec.columns)
    unparsed = " OR ".join(f"({c.name}__s IS NOT NULL AND {c.name} IS NULL)" for c in spec.columns)
    con.register("_zm_sql_src", source)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {SqlDelivery.table(spec.name)} AS"
            f" SELECT _d, _zeile, {', '.join(spec.column_names)}, {unparsed} AS _unparsed"
            f" FROM (SELECT _d, _zeile, {strings}, {typed}"
            f"       FROM (SELECT _d, _zeile, {_nulled(spec)} FROM _zm_sql_src))"
        )
    finally:
        con.unregister("_zm_sql_src")


def _nulled(spec: FileSpec) -> str:
    """Cells as strings, empty = missing; the `__s` copy keeps what was written."""
    return ", ".join(f"nullif({c.name}, '') AS {c.name}__s" for c in spec.columns)


def _typed(col: Column) -> str:
    """The SQL form of parse.py, from the contract's formats: NULL where it does not parse."""
    s = f"{col.name}__s"
    if col.type in ("date", "month"):
        forms = DATE_FORMS if col.type == "date" else MONTH_FORMS
        return "CASE " + " ".join(
            f"WHEN regexp_full_match({s}, {_sql(pattern)})"
            f" THEN CAST(try_strptime({s}, {_sql(fmt)}) AS DATE)"
            for pattern, fmt in forms.items()
        ) + " END"  # fmt: skip
    if col.type == "flag":
        cases = [f"'{v}' THEN true" for v in FLAG_TRUE] + [f"'{v}' THEN false" for v in FLAG_FALSE]
        return f"CASE lower({s}) " + " ".join(f"WHEN {c}" for c in cases) + " END"
    if col.type == "int":
        whole = f"regexp_full_match({s}, {_sql(INT_PATTERN)})"
        return f"CASE WHEN {whole} THEN TRY_CAST({s} AS INTEGER) END"
    if col.type == "amount":
        german = f"replace(replace({s}, '.', ''), ',', '.')"
        return (
            f"CASE WHEN regexp_full_match({s}, {_sql(AMOUNT_PLAIN)})"
            f" THEN TRY_CAST({s} AS DECIMAL(14,2))"
            f" WHEN regexp_full_match({s}, {_sql(AMOUNT_DE)})"
            f" THEN TRY_CAST({german} AS DECIMAL(14,2)) END"
        )
    return s  # text and code


def _sql(value: object) -> str:
    """A constant as a SQL literal (strings quoted, dates typed, numbers as they are)."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return repr(value)


def _unclean_files(con, spec: FileSpec) -> set[int]:
    """Deliveries of the batch with a rule violation or a duplicate key in this file."""
    violations = " OR ".join(f"coalesce({p}, true)" for p in _violations(spec))
    key = ", ".join(f"t.{k}" for k in spec.key)
    found = con.execute(
        f"SELECT _d FROM {SqlDelivery.table(spec.name)} t JOIN {DELIVERIES} l USING (_d)"
        f" GROUP BY _d HAVING count(*) FILTER (WHERE {violations}) > 0"
        f" OR count(DISTINCT ({key})) <> count(*)"
    ).fetchall()
    return {d for (d,) in found}


def _violations(spec: FileSpec) -> list[str]:
    """One predicate per rule of the contract (`FileSpec.rules`, the rules pandera checks in
    schemas.py); NULL counts as a violation (coalesce above). Delivery-dependent dates come
    from the batch's delivery table `l`."""
    out = ["t._unparsed"] + [f"t.{c.name} IS NULL" for c in spec.columns if c.required]
    for rule in spec.rules:
        v = f"t.{rule.column}"
        if rule.kind in ("isin", "matches", "range"):
            out.append(f"({v} IS NOT NULL AND NOT ({_value_test(rule, v)}))")
        else:
            out.append(_row_violation(rule, v, f"t.{rule.other}"))
    return out


def _value_test(rule: Rule, v: str) -> str:
    """The SQL form of an `isin`, `matches` or `range` rule (schemas._value_test)."""
    if rule.kind == "isin":
        return f"{v} IN ({', '.join(map(_sql, rule.values))})"
    if rule.kind == "matches":
        return f"regexp_full_match({v}, {_sql(rule.pattern)})"
    lo, hi = (f"l.{b}" if isinstance(b, str) else _sql(b) for b in (rule.lo, rule.hi))
    tests = [f"{v} {'>' if rule.lo_open else '>='} {lo}"] if rule.lo is not None else []
    tests += [f"{v} <= {hi}"] if rule.hi is not None else []
    return " AND ".join(tests)


def _row_violation(rule: Rule, v: str, other: str) -> str:
    """The SQL form of a rule across columns of a row (schemas.ROW_TESTS), as a violation."""
    if rule.kind == "present_iff":
        return f"{other} IS NOT NULL AND {other} <> ({v} IS NOT NULL)"
    if rule.kind == "only_if":
        allowed = ", ".join(map(_sql, rule.values))
        return f"NOT (coalesce({other} IN ({allowed}), false) OR {v} IS NULL)"
    return f"{v} IS NOT NULL AND {other} IS NOT NULL AND {v} < {other}"  # not_before


# --- references across files and months ------------------------------------------------


def _cross_checks(
    con, candidates: list[tuple[Prepared, Predecessor]], bad: set[int]
) -> dict[int, list[Finding]]:
    """The rules of relations.py with the previous month from the warehouse (or none at all):
    adds the deliveries with errors to `bad`, returns the warnings per delivery."""
    names = _batch_tables(con) & set(FILES_BY_NAME)
    _history_views(con, "massnahme_austritte" in names)
    files = {name: FILES_BY_NAME[name].csv_name for name in names}
    sources = {d: "warehouse" if prev else None for d, (_, prev) in enumerate(candidates)}
    found = relations.findings(con, files, sources)
    bad |= {d for d, fs in found.items() if any(f.is_error for f in fs)}
    return {d: [f for f in fs if not f.is_error] for d, fs in found.items()}


def _history_views(con, with_austritte: bool) -> None:
    """The previous month's persons and the earlier Eintritte the rules read, as views on
    the warehouse; the Eintritte only of the Förderfälle the batch's Austritte name."""
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {relations.table(relations.PREV_PERSONS)} AS
        SELECT l._d, r.person_id FROM raw.elb_bestand r JOIN {DELIVERIES} l
          ON r.jobcenter_id = l.jobcenter_id AND r.berichtsmonat = l.vormonat
         AND r.stand = l.vormonat_stand"""
    )
    if not with_austritte:
        return
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {relations.table(relations.EARLIER_EINTRITTE)} AS
        SELECT a._d, r.foerderfall_id, r.person_id, r.instrument, r.eintritt
        FROM {SqlDelivery.table("massnahme_austritte")} a JOIN {DELIVERIES} l USING (_d)
        JOIN raw.massnahme_eintritte r
          ON r.jobcenter_id = l.jobcenter_id AND r.foerderfall_id = a.foerderfall_id
         AND r.berichtsmonat < l.berichtsmonat
        QUALIFY row_number() OVER (PARTITION BY a._d, a.foerderfall_id
                                   ORDER BY r.berichtsmonat DESC, r.stand DESC) = 1"""
    )


def _batch_tables(con) -> set[str]:
    found = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE ?",
        [TABLE_PREFIX + "%"],
    ).fetchall()
    return {name.removeprefix(TABLE_PREFIX) for (name,) in found}


# --- writing ------------------------------------------------------------------------------


def insert_batch(con, run_at: datetime) -> None:
    """Write the clean deliveries' rows (those left in the delivery table) to the raw tables.
    No ORDER BY: `_zeile` keeps the file order and no model relies on storage order."""
    for name in sorted(_batch_tables(con) & set(FILES_BY_NAME)):
        spec = FILES_BY_NAME[name]
        cols = ", ".join(spec.column_names)
        con.execute(
            f"INSERT INTO raw.{name} ({', '.join(n for n, _ in LINEAGE_COLUMNS)}, {cols})"
            f" SELECT l.jobcenter_id, l.berichtsmonat, l.stand,"
            f" l.pfad || '/{spec.csv_name}', t._zeile, ?, {cols}"
            f" FROM {SqlDelivery.table(name)} t JOIN {DELIVERIES} l USING (_d)",
            [run_at],
        )
