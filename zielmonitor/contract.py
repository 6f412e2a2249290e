"""The extract contract (`shared/spec/extract-contract.md`, version 1) as data.

One place for file names, columns, logical types, codes and keys. The generator writes by it,
the reader parses by it, the pandera schemas check by it and the raw tables are created from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
ASYL8 = ("AFG", "ERI", "IRQ", "IRN", "NGA", "PAK", "SOM", "SYR")

# Flag spellings the contract allows (compared case-insensitively).
FLAG_TRUE = ("j", "1", "ja")
FLAG_FALSE = ("n", "0", "nein")


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

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "elb_bestand",
        (
            C("person_id", "text"),
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
    ),
    FileSpec(
        "erwerbsaufnahmen",
        (
            C("person_id", "text"),
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
            C("foerderfall_id", "text"),
            C("person_id", "text"),
            C("instrument", "code", codes=INSTRUMENT),
            C("massnahme_ziel", "code", required=False, codes=MASSNAHME_ZIEL),
            C("eintritt", "date"),
            C("geplantes_ende", "date"),
        ),
        key=("foerderfall_id",),
        window_dates=("eintritt",),
    ),
    FileSpec(
        "massnahme_austritte",
        (
            C("foerderfall_id", "text"),
            C("person_id", "text"),
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
            C("person_id", "text"),
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
