"""The extract contract (`shared/spec/extract-contract.md`, version 1) as data.

One place for file names, columns, logical types, codes, keys, value formats and row rules.
The generator writes by it, the reader parses by it, and both checking forms are generated
from it: the pandera schemas of the detailed path (`ingest/schemas.py`) and the SQL
predicates of the SQL path (`ingest/sql_path.py`). A rule changes here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

CONTRACT_VERSION = 1
MANIFEST_NAME = "_lieferung.json"
FIRST_BERICHTSMONAT = "2005-01"  # SGB II began in January 2005: no earlier month exists

LogicalType = Literal["text", "code", "month", "date", "flag", "int", "amount"]

# DuckDB type of each logical type in the raw schema (values are normalised before the write).
DUCKDB_TYPE: dict[str, str] = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "month": "DATE",  # first day of the month
    "date": "DATE",
    "flag": "BOOLEAN",
    "int": "INTEGER",
    "amount": "DECIMAL(14,2)",
}

GESCHLECHT = ("m", "w", "d")
SCHULABSCHLUSS = ("OHNE", "HS", "MR", "FHR", "AHR", "UNB")
BERUFSABSCHLUSS = ("OHNE", "BETR", "AKAD", "UNB")
PROFILLAGE = ("MP", "AP", "FP", "EP", "SP", "UP", "Z", "I")
ERWERBSART = ("SVB", "AUS", "SELB", "GERING", "OEFF")
FOERDERUNG = ("EGZ", "ESG")
ARBEITSZEIT = ("VZ", "TZ")
INSTRUMENT = (
    "FBW", "MAT", "AGH", "FAV", "FREI", "TW", "ESF_LZA", "BVB", "EQ",
    "EGZ", "ESG", "VB", "KOM16A",
)  # fmt: skip
MASSNAHME_ZIEL = ("ABSCHLUSS", "TQ", "ANPASSUNG", "GRUNDKOMP")
AUSTRITTSGRUND = ("REGULAER", "ABBRUCH", "SONSTIG")
KONTAKTART = ("PERS", "TEL", "SCHRIFT", "GRUPPE")
ZIELGRUPPE = ("U25", "UE25")

# --- value formats (read by parse.py in pandas and by sql_path.py in DuckDB) -------------
# Regular expressions use `[0-9]`, never `\d`: Python's `\d` matches any Unicode digit,
# DuckDB's (RE2) only ASCII ones. Both forms full-match the whole (trimmed) cell.

# Flag spellings the contract allows (compared case-insensitively).
FLAG_TRUE = ("j", "1", "ja")
FLAG_FALSE = ("n", "0", "nein")
# pattern -> strptime format, tried in order
DATE_FORMS = {
    r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}": "%d.%m.%Y",
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}": "%Y-%m-%d",
}
MONTH_FORMS = {r"[0-9]{4}-[0-9]{2}": "%Y-%m", r"[0-9]{2}\.[0-9]{4}": "%m.%Y"}
INT_PATTERN = r"[+-]?[0-9]{1,9}"
# Amounts, decided per value by the pattern (docs/validation.md, "Format tolerance"):
AMOUNT_PLAIN = r"-?[0-9]+(?:\.[0-9]{1,2})?"  # dot = decimal point
AMOUNT_DE = r"-?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+),[0-9]{1,2}|-?[0-9]{1,3}(?:\.[0-9]{3}){2,}"
AMOUNT_AMBIGUOUS = r"-?[0-9]{1,3}\.[0-9]{3}"  # `1.234`: never guessed, `amount_ambiguous`

# Finding (rule, message) of a cell that does not parse as its logical type.
FORMAT_RULES: dict[str, tuple[str, str]] = {
    "date": ("date_format", "not a date TT.MM.JJJJ or JJJJ-MM-TT"),
    "month": ("month_format", "not a month JJJJ-MM or MM.JJJJ"),
    "flag": ("flag_format", "not a flag J/N, 1/0 or ja/nein"),
    "int": ("int_format", "not a whole number"),
    "amount": ("amount_format", "not an amount 1.234,56 or 1234.56"),
}


# --- row rules ----------------------------------------------------------------------------

DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2099, 12, 31)  # any date outside is implausible
MIN_AGE, MAX_AGE = 15, 67  # eLB are 15 to 67 years old at the Stichtag

RuleKind = Literal["isin", "matches", "range", "present_iff", "only_if", "not_before"]
# A bound of a range rule: a constant, or the name of a delivery-dependent date of the
# delivery's rule context (stichtag, window_start, window_end, birth_oldest, birth_youngest).
Bound = float | date | str | None


@dataclass(frozen=True)
class Rule:
    """One row rule in the one form both checkers are generated from (pandera in
    ingest/schemas.py, SQL in ingest/sql_path.py). `isin`, `matches` and `range` test a
    present value of `column` (an empty one is `not_nullable`'s business); `present_iff`,
    `only_if` and `not_before` compare `column` with `other` in the same row and report on
    `column`. `message` is formatted with the delivery's rule context ({stichtag}, ...)."""

    code: str  # the finding's rule id (docs/validation.md)
    column: str
    kind: RuleKind
    message: str
    values: tuple[str, ...] = ()  # isin: the allowed codes; only_if: the values `other` needs
    pattern: str | None = None  # matches: full match (no anchors: both forms anchor)
    lo: Bound = None  # range: lower bound, inclusive unless lo_open
    hi: Bound = None  # range: upper bound, inclusive
    lo_open: bool = False
    other: str | None = None  # present_iff: the flag; only_if / not_before: the other column


def column_rules(col: Column) -> tuple[Rule, ...]:
    """The rules a column's own declaration implies: code list, min/max, plausible dates."""
    out = []
    if col.codes is not None:
        out.append(
            Rule("code_list", col.name, "isin", f"not in the code list {', '.join(col.codes)}",
                 values=col.codes)
        )  # fmt: skip
    if col.min is not None:
        out.append(Rule("min", col.name, "range", f"must be >= {col.min:g}", lo=col.min))
    if col.max is not None:
        out.append(Rule("max", col.name, "range", f"must be <= {col.max:g}", hi=col.max))
    if col.type == "date":
        why = f"implausible date (allowed {DATE_MIN}..{DATE_MAX})"
        out.append(Rule("date_range", col.name, "range", why, lo=DATE_MIN, hi=DATE_MAX))
    return tuple(out)


def window_rule(column: str) -> Rule:
    """An event date inside the month's event window (stichtag(t-1), stichtag(t)]."""
    why = "outside the month's window ({window_start}, {window_end}]"
    return Rule("window", column, "range", why, lo="window_start", hi="window_end", lo_open=True)


@dataclass(frozen=True)
class Column:
    name: str
    type: LogicalType
    required: bool = True  # False: empty (missing) is allowed
    codes: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class FileSpec:
    name: str  # base name without extension, also the raw table name
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional: bool = False
    # date columns that must lie inside the month's event window (stichtag(t-1), stichtag(t)]
    window_dates: tuple[str, ...] = field(default_factory=tuple)
    # rules beyond what the columns declare (patterns, age, rules across columns of a row)
    extra_rules: tuple[Rule, ...] = field(default_factory=tuple)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every row rule of the file, in column order: what both checkers run."""
        out: list[Rule] = []
        for col in self.columns:
            out += column_rules(col)
            out += [window_rule(col.name)] if col.name in self.window_dates else []
        return tuple(out) + self.extra_rules

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def parquet_name(self) -> str:
        return f"{self.name}.parquet"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


C = Column
PERSON_ID = C("person_id", "text")  # the pseudonymised person key of every person-level file
FOERDERFALL_ID = C("foerderfall_id", "text")  # links an Austritt to its Eintritt

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "elb_bestand",
        (
            PERSON_ID,
            C("bg_id", "text"),
            C("geburtsmonat", "month"),
            C("geschlecht", "code", codes=GESCHLECHT),
            C("staatsangehoerigkeit", "text"),  # ISO 3166-1 alpha-3, checked by pattern
            C("alleinerziehend", "flag"),
            C("schwerbehindert", "flag"),
            C("schulabschluss", "code", codes=SCHULABSCHLUSS),
            C("berufsabschluss", "code", codes=BERUFSABSCHLUSS),
            C("profillage", "code", required=False, codes=PROFILLAGE),
            C("elb_tage_730", "int", min=0, max=730),
            C("arbeitslos", "flag"),
            C("arbeitslos_seit", "date", required=False),
            C("massnahme_stichtag", "code", required=False, codes=INSTRUMENT),
            C("team", "text"),
        ),
        key=("person_id",),
        extra_rules=(
            Rule(
                "iso3166_alpha3",
                "staatsangehoerigkeit",
                "matches",
                "must be 3 upper-case letters (ISO 3166-1 alpha-3, XXX = unknown)",
                pattern="[A-Z]{3}",
            ),
            Rule(
                "age_range",
                "geburtsmonat",
                "range",
                f"birth month must be {MIN_AGE}-{MAX_AGE} years before the Stichtag"
                " ({birth_oldest:%Y-%m}..{birth_youngest:%Y-%m})",
                lo="birth_oldest",
                hi="birth_youngest",
            ),
            Rule(
                "after_stichtag",
                "arbeitslos_seit",
                "range",
                "unemployment cannot start after the Stichtag {stichtag}",
                hi="stichtag",
            ),
            Rule(
                "arbeitslos_seit_iff_arbeitslos",
                "arbeitslos_seit",
                "present_iff",
                "arbeitslos_seit must be present exactly when arbeitslos = J",
                other="arbeitslos",
            ),
        ),
    ),
    FileSpec(
        "erwerbsaufnahmen",
        (
            PERSON_ID,
            C("beginn", "date"),
            C("art", "code", codes=ERWERBSART),
            C("foerderung", "code", required=False, codes=FOERDERUNG),
            C("arbeitszeit", "code", required=False, codes=ARBEITSZEIT),
        ),
        key=("person_id", "beginn", "art"),
        window_dates=("beginn",),
    ),
    FileSpec(
        "massnahme_eintritte",
        (
            FOERDERFALL_ID,
            PERSON_ID,
            C("instrument", "code", codes=INSTRUMENT),
            C("massnahme_ziel", "code", required=False, codes=MASSNAHME_ZIEL),
            C("eintritt", "date"),
            C("geplantes_ende", "date"),
        ),
        key=("foerderfall_id",),
        window_dates=("eintritt",),
        extra_rules=(
            Rule(
                "massnahme_ziel_fbw_only",
                "massnahme_ziel",
                "only_if",
                "massnahme_ziel is for instrument FBW only, must be empty otherwise",
                other="instrument",
                values=("FBW",),
            ),
            Rule(
                "end_before_start",
                "geplantes_ende",
                "not_before",
                "geplantes_ende lies before eintritt",
                other="eintritt",
            ),
        ),
    ),
    FileSpec(
        "massnahme_austritte",
        (
            FOERDERFALL_ID,
            PERSON_ID,
            C("austritt", "date"),
            C("austrittsgrund", "code", codes=AUSTRITTSGRUND),
            C("abschluss_bestanden", "flag", required=False),
        ),
        key=("foerderfall_id",),
        window_dates=("austritt",),
    ),
    FileSpec(
        "kontakte",
        (
            PERSON_ID,
            C("datum", "date"),
            C("kontaktart", "code", codes=KONTAKTART),
        ),
        key=("person_id", "datum", "kontaktart"),
        window_dates=("datum",),
    ),
    FileSpec(
        "leistungen",
        (
            C("bg_id", "text"),
            C("llu_anspruch", "amount", min=0),
            C("luh_anspruch", "amount", min=0),
        ),
        key=("bg_id",),
    ),
    FileSpec(
        "eingliederungsmittel",
        (
            C("instrument", "code", codes=INSTRUMENT),
            C("zielgruppe", "code", codes=ZIELGRUPPE),
            C("betrag", "amount", min=0),
        ),
        key=("instrument", "zielgruppe"),
        optional=True,
    ),
)

FILES_BY_NAME: dict[str, FileSpec] = {f.name: f for f in FILES}

# Lineage columns every raw table carries in front of the contract's columns.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("jobcenter_id", "VARCHAR"),
    ("berichtsmonat", "DATE"),
    ("stand", "DATE"),
    ("_quelldatei", "VARCHAR"),  # path of the file relative to the raw folder
    ("_zeile", "INTEGER"),  # 1-based data row (header excluded) in that file
    ("_geladen_am", "TIMESTAMP"),
)


def raw_table_ddl(spec: FileSpec, schema: str = "raw") -> str:
    cols = [f"{n} {t}" for n, t in LINEAGE_COLUMNS]
    cols += [f"{c.name} {DUCKDB_TYPE[c.type]}" for c in spec.columns]
    return f"CREATE TABLE IF NOT EXISTS {schema}.{spec.name} (\n  " + ",\n  ".join(cols) + "\n)"


# One row per loaded delivery (jobcenter, berichtsmonat, stand): the manifest as loaded.
LIEFERUNGEN_DDL = """
CREATE TABLE IF NOT EXISTS raw.lieferungen (
  jobcenter_id VARCHAR NOT NULL,
  jobcenter_name VARCHAR,
  berichtsmonat DATE NOT NULL,
  stichtag DATE NOT NULL,
  stand DATE NOT NULL,
  vertrag INTEGER,
  pfad VARCHAR NOT NULL,
  manifest_sha256 VARCHAR NOT NULL,
  _geladen_am TIMESTAMP NOT NULL,
  PRIMARY KEY (jobcenter_id, berichtsmonat, stand)
)
"""
