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
import pandas as pd
from pandera.errors import SchemaErrors

from zielmonitor.contract import FILES, MANIFEST_NAME, FileSpec
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

EVENT_FILES = ("erwerbsaufnahmen", "massnahme_eintritte", "massnahme_austritte", "kontakte")
NON_EMPTY_FILES = ("elb_bestand", "leistungen")  # a Jobcenter never has no stock / no BGs
# (rule, message) of the cross-file warnings; the SQL path (sql_path.py) writes the same
BG_NOT_IN_STOCK = ("bg_not_in_stock", "BG not in elb_bestand (allowed for BGs of non-eLB only)")
ZIEL_MISSING = ("massnahme_ziel_missing", "FBW Eintritt without massnahme_ziel")
AUSTRITT_WITHOUT_EINTRITT = (
    "austritt_without_eintritt",
    "no Eintritt of this or an earlier loaded month (may predate the history)",
)
PERSON_NOT_PROVABLE = (  # the previous month is unknown: a warning, not an error
    "person_not_in_stock",
    "person not in this month's elb_bestand; previous month unknown, so not provable",
)
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
    out: list[Finding] = []
    stock = files.get("elb_bestand")
    if stock is None:
        return out  # the stock itself is broken: already an error
    persons = set(stock.typed["person_id"].dropna())
    out += _persons_in_stock(files, persons, history)
    if "leistungen" in files:
        out += _bg_in_stock(files["leistungen"], set(stock.typed["bg_id"].dropna()))
    if "massnahme_eintritte" in files:
        out += _fbw_ziel(files["massnahme_eintritte"])
    if "massnahme_austritte" in files:
        out += _austritte(files["massnahme_austritte"], files.get("massnahme_eintritte"), history)
    return out


def _persons_in_stock(files, persons: set[str], history: History) -> list[Finding]:
    known = persons | (history.prev_persons or set())
    out = []
    for name in EVENT_FILES:
        parsed = files.get(name)
        if parsed is None:
            continue
        ids = parsed.typed["person_id"]
        strays = ids[ids.notna() & ~ids.isin(known)]
        file = parsed.raw.file
        if history.prev_persons is None:  # warnings are stored with a loaded delivery: all
            out += [
                warning(*PERSON_NOT_PROVABLE, file, r, "person_id", p) for r, p in strays.items()
            ]
            continue
        why = (
            "person in neither this month's nor the previous month's elb_bestand"
            f" ({history.prev_source})"
        )
        for row, person in strays.iloc[:MAX_PER_RULE].items():  # errors: the first ones tell
            out.append(error("person_not_in_stock", why, file, row, "person_id", person))
        if len(strays) > MAX_PER_RULE:
            out.append(more("error", file, "person_not_in_stock", len(strays) - MAX_PER_RULE))
    return out


def _bg_in_stock(leistungen: ParsedFile, bgs: set[str]) -> list[Finding]:
    ids = leistungen.typed["bg_id"]
    return [
        warning(
            *BG_NOT_IN_STOCK,
            leistungen.raw.file,
            row,
            "bg_id",
            bg,
        )
        for row, bg in ids[ids.notna() & ~ids.isin(bgs)].items()
    ]


def _fbw_ziel(eintritte: ParsedFile) -> list[Finding]:
    df = eintritte.typed
    missing = df[df["instrument"].eq("FBW") & df["massnahme_ziel"].isna()]
    return [
        warning(
            *ZIEL_MISSING,
            eintritte.raw.file,
            row,
            "massnahme_ziel",
        )
        for row in missing.index
    ]


def _austritte(austritte: ParsedFile, eintritte: ParsedFile | None, history: History):
    known = {
        fid: (e.person_id, e.instrument, e.eintritt) for fid, e in history.earlier_eintritte.items()
    }
    if eintritte is not None:
        for r in eintritte.typed.itertuples():
            eintritt = None if pd.isna(r.eintritt) else r.eintritt.date()
            known[r.foerderfall_id] = (r.person_id, r.instrument, eintritt)
    out = []
    file = austritte.raw.file
    for r in austritte.typed.itertuples():
        match = known.get(r.foerderfall_id)
        if match is None:
            out.append(
                warning(
                    *AUSTRITT_WITHOUT_EINTRITT,
                    file,
                    r.Index,
                    "foerderfall_id",
                    r.foerderfall_id,
                )
            )
            continue
        out += _austritt_matches(r, match, file, austritte.raw.strings)
    return out


def _austritt_matches(
    r, match: tuple[str, str, date | None], file: str, strings: pd.DataFrame
) -> list[Finding]:
    person, instrument, eintritt = match
    out = []
    if r.person_id is not None and r.person_id != person:
        out.append(
            error(
                "austritt_person_mismatch",
                f"Eintritt of this Förderfall belongs to person {person}",
                file,
                r.Index,
                "person_id",
                r.person_id,
            )
        )
    if eintritt is not None and not pd.isna(r.austritt) and r.austritt.date() < eintritt:
        out.append(
            error(
                "austritt_before_eintritt",
                f"Austritt before the Eintritt {eintritt}",
                file,
                r.Index,
                "austritt",
                strings.at[r.Index, "austritt"],
            )
        )
    if not pd.isna(r.abschluss_bestanden) and instrument != "FBW":
        out.append(
            error(
                "abschluss_bestanden_fbw_only",
                f"abschluss_bestanden is for FBW only, Förderfall is {instrument}",
                file,
                r.Index,
                "abschluss_bestanden",
                strings.at[r.Index, "abschluss_bestanden"],
            )
        )
    return out
