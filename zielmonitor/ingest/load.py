"""Validate-then-write: every selected delivery is checked completely; a valid one replaces
its (jobcenter, berichtsmonat, stand) partition as a whole (committed in batches of deliveries,
never in part), a broken one loads nothing and is reported in the terminal, in
`raw.ablehnungen` and in a rejections file."""

from __future__ import annotations

import contextlib
import csv
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa

from zielmonitor.config import duckdb_memory_limit
from zielmonitor.contract import (
    DUCKDB_TYPE,
    FILES,
    LIEFERUNGEN_DDL,
    LINEAGE_COLUMNS,
    MANIFEST_NAME,
    FileSpec,
    raw_table_ddl,
)
from zielmonitor.ingest.discovery import DeliveryRef, discover, relative_path
from zielmonitor.ingest.findings import FINDING_FIELDS, Finding, error, is_summary
from zielmonitor.ingest.manifest import Manifest, manifest_sha256
from zielmonitor.ingest.mirror import (
    Key,
    delete_partition,
    remove_vanished,
    vanished,
    withdrawn_manifests,
)
from zielmonitor.ingest.reader import ParsedFile
from zielmonitor.ingest.sql_path import (
    Prepared,
    SqlDelivery,
    check_batch,
    drop_tables,
    insert_batch,
    prepare,
)
from zielmonitor.ingest.validate import CheckedDelivery, check_delivery, internal_error

Status = Literal["loaded", "unchanged", "rejected"]
MAX_LINES = 20  # findings printed per delivery; the rejections file has all of them
MAX_LINE_CHARS = 400  # a terminal line; a finding's value may be long (rejections file: all)
logger = logging.getLogger(__name__)  # tracebacks of failed checks (the terminal gets a line)
FOLDER_REJECTIONS = "_ordner.csv"  # folder errors of the last run
# Deliveries are committed in batches of about this many rows: a commit per delivery flushed
# the WAL and checkpointed each time (20 % of the ingest at SF1). A delivery is still all or
# nothing; a crash loses the uncommitted batch, which the next refresh loads again.
COMMIT_EVERY_ROWS = 2_000_000
# Deliveries checked together by the SQL path: one month, one stand per Jobcenter, about this
# many bytes of files (a month of SF100 is ~330 MB; two batches are in memory at a time).
BATCH_BYTES = 128 * 2**20

SIDE_TABLES_DDL = (
    """CREATE TABLE IF NOT EXISTS raw.zusatzspalten (
  jobcenter_id VARCHAR, berichtsmonat DATE, stand DATE, datei VARCHAR, _zeile INTEGER,
  spalte VARCHAR, wert VARCHAR, _geladen_am TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS raw.warnungen (
  jobcenter_id VARCHAR, berichtsmonat DATE, stand DATE, datei VARCHAR, zeile INTEGER,
  spalte VARCHAR, wert VARCHAR, regel VARCHAR, meldung VARCHAR, _geladen_am TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS raw.ablehnungen (
  laufzeit TIMESTAMP, jobcenter_id VARCHAR, berichtsmonat VARCHAR, stand VARCHAR,
  pfad VARCHAR, schwere VARCHAR, datei VARCHAR, zeile INTEGER, spalte VARCHAR, wert VARCHAR,
  regel VARCHAR, meldung VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS raw.entfernungen (
  laufzeit TIMESTAMP, jobcenter_id VARCHAR, berichtsmonat DATE, stand DATE, pfad VARCHAR,
  manifest_sha256 VARCHAR, grund VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS raw.rueckzuege (
  am TIMESTAMP, wer VARCHAR, grund VARCHAR, jobcenter_id VARCHAR, berichtsmonat DATE,
  stand DATE, pfad VARCHAR, quarantaene VARCHAR, manifest_sha256 VARCHAR)""",
)


@dataclass
class DeliveryOutcome:
    ref: DeliveryRef
    status: Status
    findings: list[Finding] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # loaded rows per raw table
    rejection_file: Path | None = None
    checked_by: Literal["sql", "detailed", "none"] = "none"  # which path decided

    @property
    def delivery(self) -> str:
        return self.ref.label

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]


@dataclass
class IngestResult:
    outcomes: list[DeliveryOutcome] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # folder junk found by discovery
    removed: list[Key] = field(default_factory=list)  # folder gone: rows deleted

    def _having(self, status: Status) -> list[DeliveryOutcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def loaded(self) -> list[DeliveryOutcome]:
        return self._having("loaded")

    @property
    def unchanged(self) -> list[DeliveryOutcome]:
        return self._having("unchanged")

    @property
    def rejected(self) -> list[DeliveryOutcome]:
        return self._having("rejected")

    @property
    def ok(self) -> bool:
        """False when anything was rejected: the caller should fail the run (non-zero exit)."""
        return not self.rejected and not any(p.is_error for p in self.problems)

    def summary(self) -> str:
        bad = sum(p.is_error for p in self.problems)
        fast = sum(o.checked_by == "sql" for o in self.loaded)
        line = (
            f"ingest: {len(self.loaded)} loaded, {len(self.unchanged)} unchanged, "
            f"{len(self.rejected)} rejected, {len(self.removed)} removed, {bad} folder errors"
        )
        return line + (f" ({fast} of the loaded checked in SQL)" if self.loaded else "")


def ingest(
    warehouse: Path,
    raw_dir: Path,
    months: Iterable[str] | None = None,
    *,
    rejections_dir: Path,
    log: Callable[[str], None] = print,
    force: bool = False,
    vectorised: bool = True,
) -> IngestResult:
    """Load every delivery of `months` (None: all) below `raw_dir` into `warehouse`.

    Deliveries are taken in month, Jobcenter and stand order so each month sees its
    predecessor, in batches within a month (`_batches`). `force` reloads deliveries whose
    manifest is unchanged. `vectorised` checks and writes clean CSV deliveries in DuckDB
    (sql_path.py); False sends every delivery through the detailed path (same result,
    slower; for tests)."""
    run_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    every_ref, problems = discover(raw_dir, None)  # all months: the mirror needs them
    wanted = None if months is None else set(months)
    refs = [r for r in every_ref if wanted is None or r.berichtsmonat in wanted]
    result = IngestResult(problems=problems)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), config={"memory_limit": duckdb_memory_limit()}) as con:
        ensure_tables(con)
        _record_problems(con, problems, run_at, rejections_dir, log)
        result.removed = remove_vanished(con, every_ref, run_at, log)
        loaded = {} if force else _loaded_manifests(con)
        todo = [r for r in refs if not _already_loaded(loaded, r)]
        pending = set(todo)
        result.outcomes += [DeliveryOutcome(r, "unchanged") for r in refs if r not in pending]

        def done(outcome: DeliveryOutcome) -> None:
            _report(con, outcome, raw_dir, run_at, rejections_dir, log)
            result.outcomes.append(outcome)

        todo = _refuse_withdrawn(con, todo, done)
        _load_in_batches(con, todo, raw_dir, run_at, vectorised, done)
        order = {r: i for i, r in enumerate(refs)}
        result.outcomes.sort(key=lambda o: order[o.ref])
    log(result.summary())
    return result


def pending_months(warehouse: Path, refs: Sequence[DeliveryRef]) -> list[str]:
    """Months of the discovered deliveries (`refs`: every delivery in the raw folder) that are
    not loaded with this manifest (new, changed or rejected before), and months of loaded
    deliveries whose folder is gone: what a refresh has to ingest. Reads the warehouse only."""
    loaded = loaded_manifests(warehouse)
    pending = {r.berichtsmonat for r in refs if not _already_loaded(loaded, r)}
    gone = vanished(loaded, refs)
    return sorted(pending | {f"{month:%Y-%m}" for _, month, _ in gone})


def loaded_manifests(warehouse: Path) -> dict[Key, str]:
    """The one record of what is loaded (raw.lieferungen), read by the ingest and the sensor:
    the manifest sha256 of every loaded delivery by (jobcenter, month start, stand); empty
    before the first load. Raises duckdb.IOException while a writer holds the file."""
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw'"
            " AND table_name = 'lieferungen'"
        ).fetchall()[0][0]
        return _loaded_manifests(con) if exists else {}


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for spec in FILES:
        con.execute(raw_table_ddl(spec))
    con.execute(LIEFERUNGEN_DDL)
    for ddl in SIDE_TABLES_DDL:
        con.execute(ddl)


def _load_in_batches(
    con,
    refs: list[DeliveryRef],
    raw_dir: Path,
    run_at: datetime,
    vectorised: bool,
    done: Callable[[DeliveryOutcome], None],
) -> None:
    """Check and write every delivery, committing about every COMMIT_EVERY_ROWS rows."""
    con.begin()
    try:
        uncommitted = 0
        for batch, prepared in _read_ahead(_batches(refs), vectorised):
            for outcome in _ingest_batch(con, batch, prepared, raw_dir, run_at):
                done(outcome)
                uncommitted += sum(outcome.rows.values())
            if uncommitted >= COMMIT_EVERY_ROWS:
                con.commit()
                con.begin()
                uncommitted = 0
        con.commit()
    except BaseException:
        # the deliveries since the last commit load again next time; a failed commit (a full
        # disk) has ended the transaction already, and its error is the one to report
        with contextlib.suppress(duckdb.Error):
            con.rollback()
        raise


def _batches(refs: list[DeliveryRef]) -> list[list[DeliveryRef]]:
    """Deliveries of one month, one stand per Jobcenter, about BATCH_BYTES of files: first
    every Jobcenter's earliest stand, then the revisions (each stand sees its predecessor)."""
    batches: list[list[DeliveryRef]] = []
    for _, month in groupby(refs, key=lambda r: r.berichtsmonat):
        rounds: list[list[DeliveryRef]] = []  # k: every Jobcenter's k-th stand
        seen: dict[str, int] = {}  # Jobcenter -> stands so far
        for ref in month:  # in Jobcenter and stand order
            k = seen[ref.jobcenter_id] = seen.get(ref.jobcenter_id, -1) + 1
            if k == len(rounds):
                rounds.append([])
            rounds[k].append(ref)
        for in_round in rounds:
            batches += _by_size(in_round)
    return batches


def _by_size(refs: list[DeliveryRef]) -> list[list[DeliveryRef]]:
    batches: list[list[DeliveryRef]] = [[]]
    size = 0
    for ref in refs:
        if size >= BATCH_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(ref)
        size += sum(p.stat().st_size for p in ref.path.iterdir() if p.is_file())
    return batches


def _read_ahead(
    batches: list[list[DeliveryRef]], vectorised: bool
) -> Iterator[tuple[list[DeliveryRef], list[Prepared | None]]]:
    """Each batch with its files read for the SQL path; the next batch is read in a thread
    while DuckDB checks and writes this one (reading is disk and pyarrow, no warehouse)."""
    if not vectorised:
        yield from ((batch, [None] * len(batch)) for batch in batches)
        return
    if not batches:
        return
    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(_read_batch, batches[0])
        for i, batch in enumerate(batches):
            ready = ahead.result()
            if i + 1 < len(batches):
                ahead = pool.submit(_read_batch, batches[i + 1])
            yield batch, ready


def _read_batch(batch: list[DeliveryRef]) -> list[Prepared | None]:
    return [_prepare_or_none(ref) for ref in batch]


def _prepare_or_none(ref: DeliveryRef) -> Prepared | None:
    """`prepare`, or None when reading raised: the detailed path then reads the delivery
    again and names the problem (or rejects it as `internal_error`)."""
    try:
        return prepare(ref)
    except Exception:
        logger.exception("reading %s for the SQL path failed; checked in detail", ref.label)
        return None


def _ingest_batch(
    con, batch: list[DeliveryRef], prepared: list[Prepared | None], raw_dir: Path, run_at
) -> list[DeliveryOutcome]:
    """Outcomes in batch order: the clean deliveries written together, the rest one by one
    through the detailed path."""
    ready = [p for p in prepared if p is not None]
    detailed = [r for r, p in zip(batch, prepared, strict=True) if p is None]
    outcomes: dict[DeliveryRef, DeliveryOutcome] = {}
    clean, unclean = _check_in_sql(con, ready, raw_dir)
    try:
        _clear_partitions(con, [c.ref for c in clean])
        insert_batch(con, run_at)
    finally:
        drop_tables(con)
    _record_deliveries(con, [(c.ref, c.manifest, c.findings) for c in clean], raw_dir, run_at)
    for c in clean:
        findings = _ordered(c.findings)
        outcomes[c.ref] = DeliveryOutcome(c.ref, "loaded", findings, c.rows, checked_by="sql")
    for ref in detailed + unclean:
        outcomes[ref] = _ingest_detailed(con, ref, raw_dir, run_at)
    return [outcomes[r] for r in batch]


def _check_in_sql(
    con, ready: list[Prepared], raw_dir: Path
) -> tuple[list[SqlDelivery], list[DeliveryRef]]:
    """`check_batch`; when it raises, the whole batch goes the detailed way, one by one. A
    DuckDB error aborts the open transaction (and with it the batches since the last
    commit), which no fallback can repair: that one still ends the ingest."""
    if not ready:
        return [], []
    try:
        return check_batch(con, ready, raw_dir)
    except Exception:
        if not _transaction_usable(con):
            raise
        logger.exception("SQL check of a batch failed; its deliveries are checked in detail")
        drop_tables(con)
        return [], [p.ref for p in ready]


def _transaction_usable(con) -> bool:
    try:
        con.execute("SELECT 1").fetchall()
    except duckdb.Error:
        return False
    return True


def _ingest_detailed(con, ref: DeliveryRef, raw_dir: Path, run_at: datetime) -> DeliveryOutcome:
    try:
        checked = check_delivery(ref, raw_dir, con)  # guards every file's checks itself
    except Exception as exc:  # the last net: whatever the delivery holds, the others go on
        if not _transaction_usable(con):
            raise
        logger.exception("checking %s failed", ref.label)
        return DeliveryOutcome(ref, "rejected", [internal_error(exc)], checked_by="detailed")
    if not checked.ok:
        return DeliveryOutcome(ref, "rejected", _ordered(checked.findings), checked_by="detailed")
    _clear_partitions(con, [ref])
    part = [ref.jobcenter_id, ref.month_start, ref.stand]
    rows = _insert_parsed(con, checked, part, raw_dir, run_at)
    _record_deliveries(con, [(ref, checked.manifest, checked.findings)], raw_dir, run_at)
    return DeliveryOutcome(ref, "loaded", _ordered(checked.findings), rows, checked_by="detailed")


def _refuse_withdrawn(
    con, refs: list[DeliveryRef], done: Callable[[DeliveryOutcome], None]
) -> list[DeliveryRef]:
    """A delivery withdrawn earlier (same manifest) that reappears in the raw folder is
    rejected, naming the withdrawal; the others go on."""
    withdrawn = withdrawn_manifests(con)
    rest = []
    for ref in refs:
        why = withdrawn.get(manifest_sha256(ref.path) or "")
        if why is None:
            rest.append(ref)
        else:
            done(DeliveryOutcome(ref, "rejected", [error("withdrawn", why, MANIFEST_NAME)]))
    return rest


def _loaded_manifests(con) -> dict[Key, str]:
    """sha256 of the manifest of every loaded delivery, by (jobcenter, month start, stand)."""
    found = con.execute(
        "SELECT jobcenter_id, berichtsmonat, stand, manifest_sha256 FROM raw.lieferungen"
    ).fetchall()
    return {(jc, month, stand): sha for jc, month, stand, sha in found}


def _already_loaded(loaded: dict[Key, str], ref: DeliveryRef) -> bool:
    sha = loaded.get((ref.jobcenter_id, ref.month_start, ref.stand))
    return sha is not None and sha == manifest_sha256(ref.path)


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Errors first, by file and row; a file's "… and N more" summary after its rows."""
    return sorted(findings, key=lambda f: (not f.is_error, f.file or "", *_row_key(f)))


def _row_key(f: Finding) -> tuple[int, int]:
    return (1, 0) if is_summary(f) else (0, f.row or 0)


# --- writing a valid delivery ----------------------------------------------------------


def _clear_partitions(con, refs: list[DeliveryRef]) -> None:
    """A reload replaces the partition as a whole; a first load has nothing to delete. Runs
    inside the ingest's open transaction, so the delivery is committed with its batch or not
    at all. Every write goes through one transaction with its raw.lieferungen row, so a
    partition without that row cannot exist (a killed write leaves nothing): one query for
    the deliveries loaded before."""
    if not refs:
        return
    months = sorted({r.month_start for r in refs})
    loaded = set(
        con.execute(
            "SELECT jobcenter_id, berichtsmonat, stand FROM raw.lieferungen"
            f" WHERE berichtsmonat IN ({', '.join('?' for _ in months)})",
            months,
        ).fetchall()
    )
    for ref in refs:
        key = (ref.jobcenter_id, ref.month_start, ref.stand)
        if key in loaded:
            delete_partition(con, key)  # its manifest row too: written anew after the files


Delivered = tuple[DeliveryRef, Manifest, list[Finding]]  # a delivery written, with its findings


def _record_deliveries(con, delivered: list[Delivered], raw_dir: Path, run_at: datetime) -> None:
    """The deliveries' warnings and manifest rows, written after their files: one statement
    each for a batch (a statement per delivery cost ≈ 3 ms, 12 s of the SF100 ingest)."""
    if not delivered:
        return
    _insert_warnings(con, delivered, run_at)
    refs = [ref for ref, _, _ in delivered]
    manifests = [m for _, m, _ in delivered]
    rows = pa.table(
        {
            "jobcenter_id": pa.array([r.jobcenter_id for r in refs], pa.string()),
            "jobcenter_name": pa.array([m.jobcenter_name for m in manifests], pa.string()),
            "berichtsmonat": pa.array([r.month_start for r in refs], pa.date32()),
            "stichtag": pa.array([m.stichtag for m in manifests], pa.date32()),
            "stand": pa.array([r.stand for r in refs], pa.date32()),
            "vertrag": pa.array([m.vertrag for m in manifests], pa.int32()),
            "pfad": pa.array([relative_path(r.path, raw_dir) for r in refs], pa.string()),
            "manifest_sha256": pa.array([m.sha256 for m in manifests], pa.string()),
        }
    )
    con.register("_zm_lieferungen", rows)
    try:
        con.execute(
            "INSERT OR REPLACE INTO raw.lieferungen SELECT *, ? FROM _zm_lieferungen", [run_at]
        )
    finally:
        con.unregister("_zm_lieferungen")


def _insert_parsed(con, checked: CheckedDelivery, part: list, raw_dir: Path, run_at: datetime):
    rows: dict[str, int] = {}
    for spec in FILES:
        if spec.name in checked.files:
            parsed = checked.files[spec.name]
            source = relative_path(checked.ref.path / parsed.raw.file, raw_dir)
            rows[spec.name] = _insert_file(con, spec, parsed, part, source, run_at)
    _insert_extras(con, checked, part, run_at)
    return rows


def _insert_file(
    con, spec: FileSpec, parsed: ParsedFile, part: list, source: str, run_at: datetime
) -> int:
    frame = parsed.typed.rename_axis("_zeile").reset_index()
    selects = [f"{_cast(c.name, c.type)} AS {c.name}" for c in spec.columns]
    lineage = ", ".join(n for n, _ in LINEAGE_COLUMNS)
    con.register("_zm_neu", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        con.execute(
            f"INSERT INTO raw.{spec.name} ({lineage}, {', '.join(spec.column_names)})"
            f" SELECT ?, ?, ?, ?, CAST(_zeile AS INTEGER), ?, {', '.join(selects)} FROM _zm_neu",
            [*part, source, run_at],
        )
    finally:
        con.unregister("_zm_neu")
    return len(frame)


def _cast(name: str, logical_type: str) -> str:
    if logical_type == "amount":  # floats parsed from <= 2 decimals: rounding makes them exact
        return f"CAST(ROUND({name}, 2) AS {DUCKDB_TYPE['amount']})"
    return f"CAST({name} AS {DUCKDB_TYPE[logical_type]})"


def _insert_extras(con, checked: CheckedDelivery, part: list, run_at: datetime) -> None:
    extras = [
        p.raw.extras.assign(datei=p.raw.file)
        for p in checked.files.values()
        if p.raw.extras is not None and len(p.raw.extras)
    ]
    if extras:
        frame = pd.concat(extras, ignore_index=True).astype({"value": object})
        con.register("_zm_extra", pa.Table.from_pandas(frame, preserve_index=False))
        try:
            con.execute(
                "INSERT INTO raw.zusatzspalten SELECT ?, ?, ?, datei, CAST(row AS INTEGER),"
                ' "column", CAST(value AS VARCHAR), ? FROM _zm_extra',
                [*part, run_at],
            )
        finally:
            con.unregister("_zm_extra")


def _insert_warnings(con, delivered: list[Delivered], run_at: datetime) -> None:
    warnings = [(ref, f) for ref, _, findings in delivered for f in findings if not f.is_error]
    if not warnings:
        return
    names = ("file", "row", "column", "value", "rule", "message")
    types = {n: pa.int32() if n == "row" else pa.string() for n in names}
    columns = {
        "jobcenter_id": pa.array([r.jobcenter_id for r, _ in warnings], pa.string()),
        "berichtsmonat": pa.array([r.month_start for r, _ in warnings], pa.date32()),
        "stand": pa.array([r.stand for r, _ in warnings], pa.date32()),
    }
    columns |= {n: pa.array([getattr(f, n) for _, f in warnings], types[n]) for n in names}
    con.register("_zm_warn", pa.table(columns))
    try:
        con.execute(
            "INSERT INTO raw.warnungen SELECT jobcenter_id, berichtsmonat, stand, file, row,"
            ' "column", value, rule, message, ? FROM _zm_warn',
            [run_at],
        )
    finally:
        con.unregister("_zm_warn")


# --- reporting rejections --------------------------------------------------------------


def _report(
    con, outcome: DeliveryOutcome, raw_dir: Path, run_at: datetime, rejections_dir: Path, log
) -> None:
    if outcome.status == "rejected":
        _record_rejection(con, outcome, raw_dir, run_at, rejections_dir)
    elif outcome.status == "loaded":  # a fixed delivery: its old rejection is stale
        (rejections_dir / f"{outcome.ref.file_stem}.csv").unlink(missing_ok=True)
    _log_outcome(outcome, log)


def _record_rejection(
    con, outcome: DeliveryOutcome, raw_dir: Path, run_at: datetime, rejections_dir: Path
) -> None:
    ref = outcome.ref
    where = relative_path(ref.path, raw_dir)
    who = [ref.jobcenter_id, ref.berichtsmonat, ref.stand.isoformat(), where]
    _insert_rejections(con, run_at, who, outcome.findings)
    outcome.rejection_file = _write_rejection_file(
        rejections_dir / f"{ref.file_stem}.csv", who, outcome.findings
    )


def _record_problems(
    con, problems: list[Finding], run_at: datetime, rejections_dir: Path, log: Callable[[str], None]
) -> None:
    for p in problems:
        log(f"RAW FOLDER {p.line()}")
    errors = [p for p in problems if p.is_error]
    (rejections_dir / FOLDER_REJECTIONS).unlink(missing_ok=True)
    if errors:
        _insert_rejections(con, run_at, [None, None, None, None], errors)
        _write_rejection_file(rejections_dir / FOLDER_REJECTIONS, [None] * 4, errors)


def _insert_rejections(con, run_at: datetime, who: list, findings: list[Finding]) -> None:
    con.executemany(
        "INSERT INTO raw.ablehnungen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [run_at, *who, f.severity, f.file, f.row, f.column, f.value, f.rule, f.message]
            for f in findings
        ],
    )


def _write_rejection_file(path: Path, who: list, findings: list[Finding]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(["jobcenter_id", "berichtsmonat", "stand", "pfad", *FINDING_FIELDS])
        for f in findings:
            writer.writerow(
                [*(w or "" for w in who), *("" if v is None else v for v in f.as_dict().values())]
            )
    return path


def _log_outcome(outcome: DeliveryOutcome, log: Callable[[str], None]) -> None:
    ref = outcome.ref
    n_err, n_warn = len(outcome.errors), len(outcome.warnings)
    if outcome.status == "unchanged":
        return  # counted in the summary line; a monthly refresh would list every old delivery
    if outcome.status == "loaded":
        # One line per loaded delivery; its warnings are kept in raw.warnungen.
        total = sum(outcome.rows.values())
        note = f", {n_warn} warnings (raw.warnungen)" if n_warn else ""
        log(f"loaded {ref.label}: {total} rows in {len(outcome.rows)} tables{note}")
        return
    log(
        f"REJECTED {ref.label}: {n_err} errors, {n_warn} warnings; nothing loaded,"
        f" earlier stands untouched -> {outcome.rejection_file}"
    )
    # errors first, each on its line; warnings never block, so only counted here
    shown = outcome.errors[:MAX_LINES]
    for f in shown:
        log(_shortened(f"  {f.line()}"))
    hidden = n_err - len(shown)
    if hidden or n_warn:
        more = f"{hidden} more errors and " if hidden else ""
        log(f"  ... {more}{n_warn} warnings: all findings in {outcome.rejection_file}")


def _shortened(line: str) -> str:
    """At most MAX_LINE_CHARS (Finding.line() already escapes line breaks)."""
    return line if len(line) <= MAX_LINE_CHARS else line[: MAX_LINE_CHARS - 1] + "…"
