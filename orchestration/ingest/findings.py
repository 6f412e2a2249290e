"""One finding of the delivery validation: what is wrong, where, and how bad."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

FINDING_FIELDS = ("severity", "file", "row", "column", "value", "rule", "message")


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
        return " ".join(parts) + f" [{self.rule}]: {self.message}"


def error(
    rule: str,
    message: str,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: Any = None,
) -> Finding:
    return Finding("error", file, row, column, _text(value), rule, message)


def warning(
    rule: str,
    message: str,
    file: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: Any = None,
) -> Finding:
    return Finding("warning", file, row, column, _text(value), rule, message)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)
