"""Validate one delivery completely: manifest, files, every row, and references across files
and months. Returns the parsed files too, so the loader never reads a file twice."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from zielmonitor.contract import FILES, FILES_BY_NAME, MANIFEST_NAME, FileSpec
from zielmonitor.ingest import relations
from zielmonitor.ingest.discovery import (
    DeliveryRef,
    not_regular,
    outside_finding,
    outside_raw,
    read_regular,
    ref_from_path,
)
from zielmonitor.ingest.findings import MAX_PER_RULE, Finding, cap, error, more, warning
from zielmonitor.ingest.history import History, load_history
from zielmonitor.ingest.manifest import Manifest, check_folder, read_manifest
from zielmonitor.ingest.reader import ParsedFile, parse_file, read_file
from zielmonitor.ingest.schemas import FileSchema, RuleContext, build_schema
from zielmonitor.ingest.schemas import findings_from_cases as schema_findings

NON_EMPTY_FILES = ("elb_bestand", "leistungen")  # a Jobcenter never has no stock / no BGs
logger = logging.getLogger(__name__)


@dataclass
class CheckedDelivery:
    ref: DeliveryRef
    manifest: Manifest | None = None
    files: dict[str, ParsedFile] = field(default_factory=dict)  # contract name -> parsed
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not any(f.is_error for f in self.findings)


def validate_delivery(
    path: Path, *, raw_dir: Path | None = None, warehouse: Path | None = None
) -> list[Finding]:
    """Every finding for the delivery folder `path` (same checks as the ingest).

    `raw_dir` (default: three levels above `path`) and `warehouse` (opened read-only if it
    exists) supply the previous month for window and cross-month checks."""
    ref = ref_from_path(path)
    if ref is None:
        why = "not a delivery folder jobcenter=XXXXX/berichtsmonat=YYYY-MM/stand=YYYY-MM-DD"
        return [error("folder_name", why, file=path.name)]
    raw_dir = raw_dir if raw_dir is not None else ref.path.parents[2]
    if warehouse is not None and warehouse.exists():
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return check_delivery(ref, raw_dir, con).findings
    return check_delivery(ref, raw_dir, None).findings


def check_delivery(
    ref: DeliveryRef, raw_dir: Path | None, con: duckdb.DuckDBPyConnection | None
) -> CheckedDelivery:
    """Every finding of the delivery, at most MAX_PER_RULE per file and rule (findings.cap).
    An unexpected exception in one file's checks becomes that file's `internal_error`."""
    out = CheckedDelivery(ref)
    links = links_out(ref, raw_dir, [MANIFEST_NAME])
    if links:
        out.findings += links
        return out
    out.manifest, manifest_findings = read_manifest(ref.path)
    out.findings += manifest_findings
    if out.manifest is None:
        return out
    out.findings += check_folder(out.manifest, ref)
    history = load_history(ref.jobcenter_id, ref.berichtsmonat, raw_dir, con)
    ctx = rule_context(out.manifest.stichtag, history)
    out.findings += unlisted_files(ref.path, out.manifest)
    links = links_out(ref, raw_dir, contract_files(out.manifest))
    out.findings += links
    for spec in FILES:
        name = _resolve(spec, out.manifest, ref.path, out.findings)
        if name is not None and name not in {f.file for f in links}:
            out.findings += guarded(lambda s=spec, n=name: _check_file(out, s, n, ctx), name)
    out.findings += guarded(lambda: cross_checks(out.files, history))
    if not out.ok:  # a loaded delivery keeps every warning (raw.warnungen, as the SQL path)
        out.findings = cap(out.findings)
    return out


def guarded(check: Callable[[], list[Finding] | None], file: str | None = None) -> list[Finding]:
    """The findings `check` returns; an exception becomes an `internal_error` of `file` (one
    line; the traceback goes to the log). What a delivery holds must never end the ingest."""
    try:
        return check() or []
    except Exception as exc:
        logger.exception("checking %s failed", file or "the delivery")
        return [internal_error(exc, file)]


def internal_error(exc: BaseException, file: str | None = None) -> Finding:
    text = " ".join(str(exc).split())[:200]  # one line: the terminal shows one per finding
    why = f"check failed with {type(exc).__name__}: {text} (traceback in the run's log)"
    return error("internal_error", why, file)


def links_out(ref: DeliveryRef, raw_dir: Path | None, names: list[str]) -> list[Finding]:
    """Files of the delivery that are links resolving outside the raw folder: never read
    (a link to /etc/passwd was). Links within the raw folder are followed."""
    root = raw_dir if raw_dir is not None else ref.path.parents[2]
    return [outside_finding(n) for n in names if outside_raw(ref.path / n, root)]


def contract_files(manifest: Manifest) -> list[str]:
    known = {n for spec in FILES for n in (spec.csv_name, spec.parquet_name)}
    return sorted(n for n in manifest.dateien if n in known)


def rule_context(stichtag: date, history: History) -> RuleContext:
    """Window (stichtag(t-1), stichtag(t)]; first month of a history: one calendar month back."""
    start = history.prev_stichtag
    if start is None or start >= stichtag:
        start = (pd.Timestamp(stichtag) - pd.DateOffset(months=1)).date()
    return RuleContext(stichtag, start, stichtag)


def unlisted_files(folder: Path, manifest: Manifest) -> list[Finding]:
    out = []
    known = {n for spec in FILES for n in (spec.csv_name, spec.parquet_name)}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == MANIFEST_NAME:
            continue
        if path.name not in manifest.dateien:
            out.append(
                warning(
                    "file_not_in_manifest",
                    "file on disk not listed in the manifest; ignored, not loaded",
                    path.name,
                )
            )
    for name in manifest.dateien:
        if name not in known:
            out.append(
                warning(
                    "unknown_file",
                    "manifest lists a file the contract does not know; not loaded",
                    MANIFEST_NAME,
                    value=name,
                )
            )
    return out


def _resolve(spec: FileSpec, manifest: Manifest, folder: Path, findings: list[Finding]):
    """The one listed file (CSV or Parquet) of `spec`, or None after reporting why not."""
    listed = [n for n in (spec.csv_name, spec.parquet_name) if n in manifest.dateien]
    if len(listed) > 1:
        findings.append(
            error(
                "ambiguous_file",
                "both CSV and Parquet listed for one file",
                MANIFEST_NAME,
                value=", ".join(listed),
            )
        )
        return None
    if not listed:
        if not spec.optional:
            findings.append(
                error("file_missing", "required file not listed in the manifest", spec.csv_name)
            )
        return None
    if not_regular(folder / listed[0]):  # a FIFO would block the read for ever
        why = "not a regular file (FIFO, device, folder?): not read"
        findings.append(error("not_a_regular_file", why, listed[0]))
        return None
    if not (folder / listed[0]).is_file():
        findings.append(
            error("file_missing", "file listed in the manifest is not on disk", listed[0])
        )
        return None
    return listed[0]


def _check_file(out: CheckedDelivery, spec: FileSpec, name: str, ctx: RuleContext) -> None:
    path = out.ref.path / name
    entry = out.manifest.dateien[name]
    digest = hashlib.sha256(read_regular(path)).hexdigest()
    if digest != entry.sha256:
        out.findings.append(
            error(
                "sha256_mismatch",
                f"sha256 differs from the manifest "
                f"({entry.sha256[:12]}…): file truncated or altered",
                name,
                value=digest[:12] + "…",
            )
        )
    raw = read_file(path, spec)
    if raw.encoding is not None and raw.rows != entry.zeilen:
        out.findings.append(
            error(
                "row_count_mismatch",
                f"manifest says zeilen={entry.zeilen}, file has {raw.rows} data rows",
                name,
                value=raw.rows,
            )
        )
    if raw.strings is not None and raw.rows == 0 and spec.name in NON_EMPTY_FILES:
        out.findings.append(error("no_rows", "file has a header but no data rows", name))
    parsed = parse_file(raw, spec)
    if parsed is not None:
        schema = build_schema(spec, ctx)
        raw.findings += _schema_findings(schema, parsed, name)
        out.files[spec.name] = parsed
    out.findings += raw.findings


def _schema_findings(fs: FileSchema, parsed: ParsedFile, file: str) -> list[Finding]:
    """The schema's failures as findings, capped before they become findings: pandera found
    1.1 million failures of a broken file in 2 s, turning all of them into findings took 46 s."""
    from pandera.errors import SchemaErrors  # lazily, as pandera in schemas.build_schema

    try:
        fs.schema.validate(parsed.typed, lazy=True)
    except SchemaErrors as exc:
        cases, hidden = _capped_cases(fs, exc.failure_cases, parsed.unparsable)
        found = schema_findings(fs, cases, parsed.raw.strings, file, parsed.unparsable)
        return found + [more("error", file, rule, n) for rule, n in hidden.items()]
    return []


def _capped_cases(
    fs: FileSchema, cases: pd.DataFrame, unparsable: set[tuple[int, str]]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The failure cases that become findings (filtered as schemas._findings filters them),
    at most MAX_PER_RULE per rule, and how many more each rule has."""
    check = cases["check"].astype(str)
    target = check.map(fs.frame_rules)
    keep = target.isna() | (target == cases["column"])  # frame rules: their target column
    cells = zip(cases["index"], cases["column"], strict=True)
    keep &= pd.Series([cell not in unparsable for cell in cells], index=cases.index)
    dupes = check == "multiple_fields_uniqueness"
    keep &= ~(dupes & cases["index"].where(dupes).duplicated())  # a row once
    rule = check.where(~dupes, "duplicate_key")[keep]
    kept = cases[keep]
    nth = kept.groupby(rule, sort=False).cumcount()
    hidden = rule[nth >= MAX_PER_RULE].value_counts().to_dict()
    return kept[nth < MAX_PER_RULE], {str(r): int(n) for r, n in hidden.items()}


# --- references across files and months -----------------------------------------------


def cross_checks(files: dict[str, ParsedFile], history: History) -> list[Finding]:
    """The rules of relations.py over this delivery's typed frames, registered in an
    in-memory DuckDB under the names the SQL path's batch tables have (`_d` = 0)."""
    if "elb_bestand" not in files:
        return []  # the stock itself is broken: already an error
    with duckdb.connect() as con:
        for name in files.keys() & relations.READS.keys():
            con.register(relations.table(name), _frame(name, files[name].typed))
        _register_history(con, history)
        names = {name: parsed.raw.file for name, parsed in files.items()}
        source = None if history.prev_persons is None else history.prev_source

        def written(name: str, row: int, column: str, _value: object) -> object:
            return files[name].raw.strings.at[row, column]

        return relations.findings(con, names, {0: source}, written)[0]


_ARROW_TYPES = {"date": pa.date32(), "month": pa.date32(), "flag": pa.bool_()}


def _frame(name: str, typed: pd.DataFrame) -> pa.Table:
    """The columns the rules read, typed as in the SQL path (an all-missing column has no
    type of its own in pandas), plus `_d` and the row number `_zeile`."""
    columns = {c.name: c.type for c in FILES_BY_NAME[name].columns}
    out = {"_d": pa.array(np.zeros(len(typed), dtype=np.int32))}
    out["_zeile"] = pa.array(typed.index.to_numpy(dtype=np.int64))
    for column in relations.READS[name]:
        kind = _ARROW_TYPES.get(columns[column], pa.string())
        values = pa.array(typed[column], from_pandas=True)
        out[column] = values.cast(kind) if values.type != kind else values
    return pa.table(out)


def _register_history(con: duckdb.DuckDBPyConnection, history: History) -> None:
    persons = sorted(history.prev_persons or ())
    con.register(
        relations.table(relations.PREV_PERSONS),
        pa.table(
            {
                "_d": pa.array([0] * len(persons), pa.int32()),
                "person_id": pa.array(persons, pa.string()),
            }
        ),
    )
    earlier = history.earlier_eintritte
    con.register(
        relations.table(relations.EARLIER_EINTRITTE),
        pa.table(
            {
                "_d": pa.array([0] * len(earlier), pa.int32()),
                "foerderfall_id": pa.array(list(earlier), pa.string()),
                "person_id": pa.array([e.person_id for e in earlier.values()], pa.string()),
                "instrument": pa.array([e.instrument for e in earlier.values()], pa.string()),
                "eintritt": pa.array([e.eintritt for e in earlier.values()], pa.date32()),
            }
        ),
    )
