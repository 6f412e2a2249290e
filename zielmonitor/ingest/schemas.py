"""pandera schemas for every contract file, built from `contract.FILES` (not hand-copied),
plus the delivery-dependent rules (event window, age range) of one delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from zielmonitor.contract import Column, FileSpec
from zielmonitor.ingest.findings import Finding, error

DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)
ISO_ALPHA3 = r"^[A-Z]{3}$"
MIN_AGE, MAX_AGE = 15, 67


@dataclass(frozen=True)
class RuleContext:
    """What the delivery-dependent rules need: the Stichtag and the event window."""

    stichtag: date
    window_start: date  # exclusive: stichtag(t-1)
    window_end: date  # inclusive: stichtag(t)


@dataclass(frozen=True)
class FileSchema:
    schema: pa.DataFrameSchema
    messages: dict[tuple[str | None, str], str]  # (column, rule) -> message
    frame_rules: dict[str, str]  # rule of a frame-wide check -> the column it reports on
    key: tuple[str, ...]


def _ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d)


def birth_month_window(stichtag: date) -> tuple[date, date]:
    """Oldest and youngest allowed birth month: MAX_AGE and MIN_AGE years before the Stichtag."""
    return (
        date(stichtag.year - MAX_AGE, stichtag.month, 1),
        date(stichtag.year - MIN_AGE, stichtag.month, 1),
    )


def build_schema(spec: FileSpec, ctx: RuleContext) -> FileSchema:
    messages: dict[tuple[str | None, str], str] = {}
    columns = {c.name: _column(spec, c, ctx, messages) for c in spec.columns}
    frame_checks, frame_rules = _frame_checks(spec, messages)
    schema = pa.DataFrameSchema(
        columns,
        checks=frame_checks,
        unique=list(spec.key),
        report_duplicates="all",
        name=spec.name,
    )
    return FileSchema(schema, messages, frame_rules, spec.key)


def _column(spec: FileSpec, col: Column, ctx: RuleContext, messages: dict) -> pa.Column:
    checks: list[pa.Check] = []

    def add(check_factory, rule: str, message: str) -> None:
        checks.append(check_factory(rule))
        messages[(col.name, rule)] = message

    if col.codes is not None:
        codes = list(col.codes)
        add(
            lambda r: pa.Check.isin(codes, error=r),
            "code_list",
            f"not in the code list {', '.join(codes)}",
        )
    if col.min is not None:
        add(lambda r: pa.Check.ge(col.min, error=r), "min", f"must be >= {col.min:g}")
    if col.max is not None:
        add(lambda r: pa.Check.le(col.max, error=r), "max", f"must be <= {col.max:g}")
    if col.name == "staatsangehoerigkeit":
        add(
            lambda r: pa.Check.str_matches(ISO_ALPHA3, error=r),
            "iso3166_alpha3",
            "must be 3 upper-case letters (ISO 3166-1 alpha-3, XXX = unknown)",
        )
    if col.type == "date":
        add(
            lambda r: pa.Check.in_range(_ts(DATE_MIN), _ts(DATE_MAX), error=r),
            "date_range",
            f"implausible date (allowed {DATE_MIN}..{DATE_MAX})",
        )
    if col.name in spec.window_dates:
        lo, hi = _ts(ctx.window_start), _ts(ctx.window_end)
        add(
            lambda r: pa.Check(lambda s: (s > lo) & (s <= hi), error=r),
            "window",
            f"outside the month's window ({ctx.window_start}, {ctx.window_end}]",
        )
    if col.name == "geburtsmonat":
        oldest, youngest = birth_month_window(ctx.stichtag)
        add(
            lambda r: pa.Check.in_range(_ts(oldest), _ts(youngest), error=r),
            "age_range",
            f"birth month must be {MIN_AGE}-{MAX_AGE} years before the Stichtag "
            f"({oldest:%Y-%m}..{youngest:%Y-%m})",
        )
    if col.name == "arbeitslos_seit":
        add(
            lambda r: pa.Check.le(_ts(ctx.stichtag), error=r),
            "after_stichtag",
            f"unemployment cannot start after the Stichtag {ctx.stichtag}",
        )
    messages[(col.name, "not_nullable")] = "required value is missing"
    return pa.Column(None, checks=checks, nullable=not col.required, required=True)


def _frame_checks(spec: FileSpec, messages: dict) -> tuple[list[pa.Check], dict[str, str]]:
    """Rules across columns of one row; each reports on one target column."""
    rules = {
        "elb_bestand": [
            (
                "arbeitslos_seit_iff_arbeitslos",
                "arbeitslos_seit",
                _arbeitslos_seit,
                "arbeitslos_seit must be present exactly when arbeitslos = J",
            ),
        ],
        "massnahme_eintritte": [
            (
                "massnahme_ziel_fbw_only",
                "massnahme_ziel",
                _ziel_only_fbw,
                "massnahme_ziel is for instrument FBW only, must be empty otherwise",
            ),
            (
                "end_before_start",
                "geplantes_ende",
                _end_after_start,
                "geplantes_ende lies before eintritt",
            ),
        ],
    }.get(spec.name, [])
    checks, targets = [], {}
    for rule, column, fn, message in rules:
        checks.append(pa.Check(fn, error=rule, ignore_na=False))  # NA rows must be checked too
        targets[rule] = column
        messages[(column, rule)] = message
    return checks, targets


def _arbeitslos_seit(df: pd.DataFrame) -> pd.Series:
    return (df["arbeitslos"] == df["arbeitslos_seit"].notna()).fillna(True).astype(bool)


def _ziel_only_fbw(df: pd.DataFrame) -> pd.Series:
    return (df["instrument"].eq("FBW") | df["massnahme_ziel"].isna()).astype(bool)


def _end_after_start(df: pd.DataFrame) -> pd.Series:
    return (df["geplantes_ende"] >= df["eintritt"]).fillna(True).astype(bool)


def run_schema(
    fs: FileSchema,
    typed: pd.DataFrame,
    strings: pd.DataFrame,
    file: str,
    unparsable: set[tuple[int, str]],
) -> list[Finding]:
    """Validate lazily (every failure in one run) and turn failure cases into findings."""
    try:
        fs.schema.validate(typed, lazy=True)
    except SchemaErrors as exc:
        return findings_from_cases(fs, exc.failure_cases, strings, file, unparsable)
    return []


def findings_from_cases(
    fs: FileSchema,
    cases: pd.DataFrame,
    strings: pd.DataFrame,
    file: str,
    unparsable: set[tuple[int, str]],
) -> list[Finding]:
    out: list[Finding] = []
    seen_dupes: set[int] = set()
    for case in cases.itertuples(index=False):
        row = None if pd.isna(case.index) else int(case.index)
        column, rule = case.column, str(case.check)
        if rule == "multiple_fields_uniqueness":
            if row not in seen_dupes:
                seen_dupes.add(row)
                key = "+".join(fs.key)
                value = "|".join(str(strings.at[row, k]) for k in fs.key)
                out.append(
                    error("duplicate_key", f"key ({key}) is not unique", file, row, key, value)
                )
            continue
        if rule in fs.frame_rules and column != fs.frame_rules[rule]:
            continue  # frame-wide checks fail once per column; keep the target column
        if (row, column) in unparsable:
            continue  # already reported as unparsable
        value = strings.at[row, column] if row is not None and column in strings else None
        message = fs.messages.get((column, rule), f"failed check {rule}")
        out.append(error(rule, message, file, row, column, value))
    return sorted(out, key=lambda f: (f.row or 0, f.column or "", f.rule))
