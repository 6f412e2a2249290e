"""pandera schemas for every contract file, generated from the rules of `contract.FILES`
(`FileSpec.rules`; the SQL path generates its predicates from the same rules), plus the
delivery-dependent dates (event window, age range) of one delivery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from zielmonitor.contract import MAX_AGE, MIN_AGE, FileSpec, Rule
from zielmonitor.ingest.findings import Finding, error

if TYPE_CHECKING:
    import pandera.pandas as pa


@dataclass(frozen=True)
class RuleContext:
    """What the delivery-dependent rules need: the Stichtag and the event window."""

    stichtag: date
    window_start: date  # exclusive: stichtag(t-1)
    window_end: date  # inclusive: stichtag(t)

    @property
    def birth_oldest(self) -> date:
        return birth_month_window(self.stichtag)[0]

    @property
    def birth_youngest(self) -> date:
        return birth_month_window(self.stichtag)[1]

    def value(self, bound: Any) -> Any:
        """A rule's bound: a constant, or the name of one of the dates above."""
        return getattr(self, bound) if isinstance(bound, str) else bound

    def message(self, rule: Rule) -> str:
        fields = ("stichtag", "window_start", "window_end", "birth_oldest", "birth_youngest")
        return rule.message.format(**{f: getattr(self, f) for f in fields})


@dataclass(frozen=True)
class FileSchema:
    schema: pa.DataFrameSchema
    messages: dict[tuple[str | None, str], str]  # (column, rule) -> message
    frame_rules: dict[str, str]  # rule of a frame-wide check -> the column it reports on
    key: tuple[str, ...]


def birth_month_window(stichtag: date) -> tuple[date, date]:
    """Oldest and youngest allowed birth month: MAX_AGE and MIN_AGE years before the Stichtag."""
    return (
        date(stichtag.year - MAX_AGE, stichtag.month, 1),
        date(stichtag.year - MIN_AGE, stichtag.month, 1),
    )


def build_schema(spec: FileSpec, ctx: RuleContext) -> FileSchema:
    # imported here, not at module level: importing pandera sets SPARK_LOCAL_IP and
    # PYARROW_IGNORE_TIMEZONE, and importing zielmonitor must change no variable
    import pandera.pandas as pa

    messages = {(r.column, r.code): ctx.message(r) for r in spec.rules}
    messages |= {(c.name, "not_nullable"): "required value is missing" for c in spec.columns}
    value_checks: dict[str, list[pa.Check]] = {c.name: [] for c in spec.columns}
    frame_checks, frame_rules = [], {}
    for rule in spec.rules:
        if rule.kind in ROW_TESTS:  # NA rows must be checked too
            frame_checks.append(pa.Check(_row_test(rule), error=rule.code, ignore_na=False))
            frame_rules[rule.code] = rule.column
        else:
            value_checks[rule.column].append(pa.Check(_value_test(rule, ctx), error=rule.code))
    columns = {
        c.name: pa.Column(None, checks=value_checks[c.name], nullable=not c.required)
        for c in spec.columns
    }
    schema = pa.DataFrameSchema(
        columns, checks=frame_checks, unique=list(spec.key), report_duplicates="all",
        name=spec.name,
    )  # fmt: skip
    return FileSchema(schema, messages, frame_rules, spec.key)


def _value_test(rule: Rule, ctx: RuleContext) -> Callable[[pd.Series], pd.Series]:
    """The pandas form of an `isin`, `matches` or `range` rule (present values only)."""
    if rule.kind == "isin":
        return lambda s: s.isin(rule.values)
    if rule.kind == "matches":
        return lambda s: s.astype(str).str.fullmatch(rule.pattern)
    lo, hi = (_bound(ctx.value(b)) for b in (rule.lo, rule.hi))

    def within(s: pd.Series) -> pd.Series:  # not "in_range": pandera would take its builtin
        ok = pd.Series(True, index=s.index)
        if lo is not None:
            ok &= (s > lo) if rule.lo_open else (s >= lo)
        return ok & (s <= hi) if hi is not None else ok

    return within


def _bound(value: Any) -> Any:
    return pd.Timestamp(value) if isinstance(value, date) else value


def _row_test(rule: Rule) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda df: ROW_TESTS[rule.kind](df[rule.column], df[rule.other], rule).astype(bool)


# The pandas form of the rules across columns of a row: True = the row passes.
ROW_TESTS: dict[str, Callable[[pd.Series, pd.Series, Rule], pd.Series]] = {
    "present_iff": lambda col, flag, _: (flag == col.notna()).fillna(True),
    "only_if": lambda col, other, r: other.isin(r.values) | col.isna(),
    "not_before": lambda col, other, _: (col >= other).fillna(True),
}


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
