"""Parse one column of strings into canonical typed values, vectorised.

Every parser returns the typed column and a mask of cells that were present but did not
parse; the caller turns that mask into findings. Missing (None) stays missing.

The formats (patterns, strptime formats, flag spellings, amount rule) are the contract's
(`contract.py`); sql_path.py types the same cells in DuckDB from the same definitions.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from zielmonitor.contract import (
    AMOUNT_AMBIGUOUS,
    AMOUNT_DE,
    AMOUNT_PLAIN,
    DATE_FORMS,
    FLAG_FALSE,
    FLAG_TRUE,
    INT_PATTERN,
    MONTH_FORMS,
)

Parsed = tuple[pd.Series, pd.Series]  # (typed values, unparsable mask)


def parse_series(values: pd.Series, logical_type: str) -> Parsed:
    parser = _PARSERS.get(logical_type)
    if parser is None:  # text and code stay strings
        return values.astype(object), pd.Series(False, index=values.index)
    return parser(values.astype(object))


def ambiguous_amounts(values: pd.Series) -> pd.Series:
    """Cells like `1.234`: German thousands or a decimal with 3 places? Never guessed."""
    return _matches(values, AMOUNT_AMBIGUOUS)


def _matches(values: pd.Series, pattern: str) -> pd.Series:
    return values.astype("string").str.fullmatch(pattern).fillna(False).astype(bool)


def _dates(values: pd.Series, forms: dict[str, str]) -> Parsed:
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    for pattern, fmt in forms.items():
        hit = _matches(values, pattern)
        if hit.any():
            parsed = pd.to_datetime(values[hit], format=fmt, errors="coerce")
            out[hit] = parsed.astype("datetime64[us]")
    return out, values.notna() & out.isna()


def _date(values: pd.Series) -> Parsed:
    return _dates(values, DATE_FORMS)


def _month(values: pd.Series) -> Parsed:
    return _dates(values, MONTH_FORMS)


_FLAGS = {**dict.fromkeys(FLAG_TRUE, True), **dict.fromkeys(FLAG_FALSE, False)}


def _flag(values: pd.Series) -> Parsed:
    lowered = values.astype("string").str.lower()
    out = lowered.map(_FLAGS, na_action="ignore").astype("boolean")
    return out, values.notna() & out.isna()


def _int(values: pd.Series) -> Parsed:
    hit = _matches(values, INT_PATTERN)
    out = pd.to_numeric(values.where(hit), errors="coerce").astype("Int64")
    return out, values.notna() & out.isna()


def _amount(values: pd.Series) -> Parsed:
    text = values.astype("string")
    german = _matches(values, AMOUNT_DE)
    plain = _matches(values, AMOUNT_PLAIN)
    normalised = text.where(plain)
    normalised = normalised.mask(
        german, text.str.replace(".", "", regex=False).str.replace(",", ".")
    )
    out = pd.to_numeric(normalised, errors="coerce").astype("Float64")
    return out, values.notna() & out.isna()


_PARSERS: dict[str, Callable[[pd.Series], Parsed]] = {
    "date": _date,
    "month": _month,
    "flag": _flag,
    "int": _int,
    "amount": _amount,
}
