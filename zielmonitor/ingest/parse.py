"""Parse one column of strings into canonical typed values, vectorised.

Every parser returns the typed column and a mask of cells that were present but did not
parse; the caller turns that mask into findings. Missing (None) stays missing.

Amount rule (decided per value by its pattern, see docs/validation.md):
  plain      `1234`, `1234.5`, `1234.56`          -> dot is the decimal point (max 2 decimals)
  German     `1234,56`, `1.234,56`, `1.234.567`   -> dots group thousands, comma is decimal
  ambiguous  `1.234` (one dot, exactly 3 digits after it) -> rejected, never guessed
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from zielmonitor.contract import FLAG_FALSE, FLAG_TRUE

Parsed = tuple[pd.Series, pd.Series]  # (typed values, unparsable mask)

AMOUNT_PLAIN = r"-?[0-9]+(?:\.[0-9]{1,2})?"
AMOUNT_DE = r"-?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),[0-9]{1,2}|-?[0-9]{1,3}(?:\.[0-9]{3}){2,}"
AMOUNT_AMBIGUOUS = r"-?[0-9]{1,3}\.[0-9]{3}"

# rule id and human hint per logical type, used in the findings
RULES: dict[str, tuple[str, str]] = {
    "date": ("date_format", "not a date TT.MM.JJJJ or JJJJ-MM-TT"),
    "month": ("month_format", "not a month JJJJ-MM or MM.JJJJ"),
    "flag": ("flag_format", "not a flag J/N, 1/0 or ja/nein"),
    "int": ("int_format", "not a whole number"),
    "amount": ("amount_format", "not an amount 1.234,56 or 1234.56"),
}


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
    return _dates(
        values,
        {r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}": "%d.%m.%Y", r"[0-9]{4}-[0-9]{2}-[0-9]{2}": "%Y-%m-%d"},
    )


def _month(values: pd.Series) -> Parsed:
    return _dates(values, {r"[0-9]{4}-[0-9]{2}": "%Y-%m", r"[0-9]{2}\.[0-9]{4}": "%m.%Y"})


_FLAGS = {**dict.fromkeys(FLAG_TRUE, True), **dict.fromkeys(FLAG_FALSE, False)}


def _flag(values: pd.Series) -> Parsed:
    lowered = values.astype("string").str.lower()
    out = lowered.map(_FLAGS, na_action="ignore").astype("boolean")
    return out, values.notna() & out.isna()


def _int(values: pd.Series) -> Parsed:
    hit = _matches(values, r"[+-]?[0-9]{1,9}")
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
