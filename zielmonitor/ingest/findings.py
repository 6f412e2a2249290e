"""One finding of the delivery validation: what is wrong, where, and how bad."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, Literal

Severity = Literal["error", "warning"]

FINDING_FIELDS = ("severity", "file", "row", "column", "value", "rule", "message")
# Findings listed per (file, rule, severity); the rest are counted in one summary finding of
# the same rule. A file broken on every row (605,257 findings, 9 minutes) is rejected in
# seconds, and the first hundred examples explain it as well as all of them.
MAX_PER_RULE = 100
_SUMMARY = re.compile(r"… and ([0-9,]+) more ")


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str | None  # file name inside the delivery folder (None: the delivery as a whole)
    row: int | None  # 1-based data row, header excluded (None: file or column level)
    column: str | None
    value: str | None  # the offending value as written in the file
    rule: str  # stable rule id, documented in docs/validation.md
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """One terminal line naming file, row, column, value and rule."""
        parts = [self.severity.upper(), self.file or "-"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        return printable(" ".join(parts) + f" [{self.rule}]: {self.message}")


def printable(text: str) -> str:
    """`text` with control and format characters escaped (`\\n`, `\\x1b`, `\\u202e`): a folder
    or file name is the source system's, and one line must stay one line on the terminal,
    without escape sequences acting on it."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def finding(
    severity: Severity,
    rule: str,
    message: str,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: Any = None,
) -> Finding:
    return Finding(severity, file, row, column, _text(value), rule, message)


# error(rule, message, file=None, row=None, column=None, value=None), warning(...) likewise
error = partial(finding, "error")
warning = partial(finding, "warning")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def more(severity: Severity, file: str | None, rule: str, count: int) -> Finding:
    """The summary finding standing for `count` findings left out of the list."""
    what = f"… and {count:,} more {rule} findings in this file"
    return Finding(severity, file, None, None, None, rule, f"{what} (first {MAX_PER_RULE} listed)")


def cap(findings: Iterable[Finding], limit: int = MAX_PER_RULE) -> list[Finding]:
    """At most `limit` findings per (file, rule, severity), in order, plus one summary each
    for the rest. Idempotent: the counts of earlier summaries are added up, not listed."""
    shown: dict[tuple, int] = {}
    hidden: dict[tuple, int] = {}
    out: list[Finding] = []
    for f in findings:
        key = (f.severity, f.file, f.rule)
        earlier = _summarised(f)
        if earlier:
            hidden[key] = hidden.get(key, 0) + earlier
        elif shown.get(key, 0) < limit:
            shown[key] = shown.get(key, 0) + 1
            out.append(f)
        else:
            hidden[key] = hidden.get(key, 0) + 1
    return out + [more(sev, file, rule, n) for (sev, file, rule), n in hidden.items()]


def is_summary(f: Finding) -> bool:
    return _summarised(f) > 0


def _summarised(f: Finding) -> int:
    m = _SUMMARY.match(f.message) if f.row is None else None
    return int(m.group(1).replace(",", "")) if m else 0
