"""pandera checks on the published target marts, run by the publish step (as Dagster asset
checks of `published/marts_duckdb`).

dbt's own tests cover keys and vocabularies inside the warehouse; these schemas check the
tables as published: ranges (quotas and shares 0–100), one row per key, status vocabulary,
plausible units, and the consistency of the target columns. `MART_SCHEMAS` describe a mart
before suppression; `published_schema` relaxes them as suppression makes the published copy
(every cell a suppression rule may blank is nullable, plus the flag column).
`check_published(path, rules)` checks the staged marts file before it is swapped in;
`check_mart(name, df)` returns readable failure messages (empty = fine).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import duckdb
import pandas as pd
import pandera.pandas as pa

from zielmonitor.publish.suppression import FLAG, TableRule

STATUS = ["erreicht", "auf_kurs", "knapp", "gefaehrdet", "monitoring"]
EINHEITEN = ["prozent", "anzahl", "personen", "kontakte_je_person_jahr"]
ARTEN = ["jahressumme", "quote", "jahresmittel_bestand", "stichtagsquote", "dichte", "anteil",
         "veraenderung"]  # fmt: skip
# contacts per person and year: above daily contact for everyone is not a plausible figure
MAX_KONTAKTDICHTE = 366.0
# rounding slack when comparing derived columns
EPS = 1e-6


def _jobcenter() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(r"^\d{5}$"))


def _monat() -> pa.Column:
    # first day of the month
    return pa.Column("datetime64[ns]", pa.Check(lambda s: (s.dt.day == 1).all(), name="erster_tag"))


def _prozent(nullable: bool = True) -> pa.Column:
    return pa.Column(float, pa.Check.in_range(0.0, 100.0), nullable=nullable)


def _anzahl(nullable: bool = True) -> pa.Column:
    return pa.Column(float, pa.Check.ge(0), nullable=nullable, coerce=True)


def _flag() -> pa.Column:
    return pa.Column(bool, nullable=False)


def _monitoring_konsistent(df: pd.DataFrame) -> pd.Series:
    # monitoring rows carry no Soll/Zielwert; judged rows carry both
    mon = df["status"] == "monitoring"
    return (mon & df["soll"].isna() & df["zielwert"].isna()) | (
        ~mon & df["soll"].notna() & df["zielwert"].notna()
    )


def _abweichung_konsistent(df: pd.DataFrame) -> pd.Series:
    # no Abweichung without a Soll, nor without an Ist (suppressed Ist: suppressed with it)
    erwartet = df["ist"] - df["soll"]
    fehlt = df["soll"].isna() | df["ist"].isna()
    return df["abweichung"].isna() & fehlt | ((df["abweichung"] - erwartet).abs() < EPS)


def _teil_hoechstens(teil: str, ganzes: str) -> Callable[[pd.DataFrame], pd.Series]:
    """part <= whole where both are published; a suppressed (NULL) side is not comparable."""

    def pruefung(df: pd.DataFrame) -> pd.Series:
        return df[teil].isna() | df[ganzes].isna() | (df[teil] <= df[ganzes])

    return pruefung


def _jahr_passt(df: pd.DataFrame) -> pd.Series:
    return df["berichtsmonat"].dt.year == df["jahr"]


MART_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "zielerreichung": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "jahr": pa.Column(int, pa.Check.in_range(2005, 2100), coerce=True),
            "ziel_id": pa.Column(str),
            "bezeichnung": pa.Column(str, pa.Check.str_length(min_value=1)),
            "berichtsmonat": _monat(),
            "ist": pa.Column(float),
            "soll": pa.Column(float, nullable=True),
            "zielwert": pa.Column(float, nullable=True),
            "abweichung": pa.Column(float, nullable=True),
            "zielerreichungsgrad": pa.Column(float, pa.Check.ge(0), nullable=True),
            "hochrechnung": pa.Column(float, nullable=True),
            "status": pa.Column(str, pa.Check.isin(STATUS)),
            "vorlaeufig": _flag(),
        },
        checks=[
            pa.Check(_monitoring_konsistent, name="monitoring_ohne_soll_und_zielwert"),
            pa.Check(_abweichung_konsistent, name="abweichung_ist_minus_soll"),
            pa.Check(_jahr_passt, name="berichtsmonat_im_zieljahr"),
        ],
        unique=["jobcenter_id", "ziel_id", "berichtsmonat"],
        strict=True,
    ),
    "ziele": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "jahr": pa.Column(int, coerce=True),
            "ziel_id": pa.Column(str),
            "art": pa.Column(str, pa.Check.isin(ARTEN)),
            "richtung": pa.Column(
                str, pa.Check.isin(["hoeher_besser", "niedriger_besser"]), nullable=True
            ),
            "einheit": pa.Column(str, pa.Check.isin(EINHEITEN)),
            "zielwert": pa.Column(float, pa.Check.ge(0), nullable=True),
            "nur_monitoring": _flag(),
        },
        unique=["jobcenter_id", "jahr", "ziel_id"],
    ),
    "kontaktdichte_ziele_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "gruppe": pa.Column(
                str, pa.Check.isin(["MP", "AP", "FP", "EP", "SP", "UP", "marktnah", "marktnah_u25"])
            ),
            "kontakte_ytd": _anzahl(),
            "elb_mittel_ytd": _anzahl(),
            "kontaktdichte_ytd": pa.Column(float, pa.Check.in_range(0, MAX_KONTAKTDICHTE)),
            "ziel_neu": pa.Column(float, pa.Check.in_range(0, MAX_KONTAKTDICHTE), nullable=True),
            "vorlaeufig": _flag(),
            "unterdrueckt": _flag(),
        },
        unique=["jobcenter_id", "berichtsmonat", "gruppe"],
    ),
    "kundenstruktur_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "merkmal": pa.Column(str),
            "anzahl": _anzahl(),
            "elb_bestand": _anzahl(),
            "anteil": _prozent(),
            "referenzanteil": _prozent(),
            "vorlaeufig": _flag(),
            "unterdrueckt": _flag(),
        },
        checks=[
            pa.Check(
                _teil_hoechstens("anzahl", "elb_bestand"), name="teil_nicht_groesser_als_bestand"
            )
        ],
        unique=["jobcenter_id", "berichtsmonat", "merkmal"],
    ),
    "rahmenbedingungen_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "elb_bestand": _anzahl(nullable=False),
            "elb_mittel_ytd": _anzahl(),
            "elb_erwartung": pa.Column(float, pa.Check.gt(0), nullable=True),
            "asyl8_bestand": _anzahl(),
            "asyl8_anteil": _prozent(),
            "vorlaeufig": _flag(),
            "unterdrueckt": _flag(),
        },
        checks=[
            pa.Check(
                _teil_hoechstens("asyl8_bestand", "elb_bestand"), name="asyl8_teil_des_bestands"
            )
        ],
        unique=["jobcenter_id", "berichtsmonat"],
    ),
    "fbw_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "eintritte_monat": _anzahl(),
            "eintritte_gq_abschluss_ytd": _anzahl(),
            "austritte_ytd": _anzahl(),
            "austritte_integriert_ytd": _anzahl(),
            "erfolgsquote_ytd": _prozent(),
            "erfolgsquote_ziel": _prozent(),
            "vorlaeufig": _flag(),
            "unterdrueckt": _flag(),
        },
        checks=[
            pa.Check(
                _teil_hoechstens("austritte_integriert_ytd", "austritte_ytd"),
                name="erfolge_nicht_mehr_als_austritte",
            )
        ],
        unique=["jobcenter_id", "berichtsmonat"],
    ),
    "talentwerkstatt_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "eintritte_monat": _anzahl(),
            "eintritte_ytd": _anzahl(),
            "plaetze_jahr": _anzahl(),
            "belegung_prozent": pa.Column(float, pa.Check.ge(0), nullable=True),
            "vorlaeufig": _flag(),
            "unterdrueckt": _flag(),
        },
        unique=["jobcenter_id", "berichtsmonat"],
    ),
    "eingliederungsmittel_monat": pa.DataFrameSchema(
        {
            "jobcenter_id": _jobcenter(),
            "berichtsmonat": _monat(),
            "betrag_monat": _anzahl(),
            "betrag_u25_monat": _anzahl(),
            "anteil_u25_ytd": _prozent(),
            "richtwert_anteil_u25": _prozent(),
            "vorlaeufig": _flag(),
        },
        unique=["jobcenter_id", "berichtsmonat"],
    ),
}


def published_schema(name: str, suppressed: Collection[str]) -> pa.DataFrameSchema:
    """The schema of a mart as published: the columns in `suppressed` (those its suppression
    rule may set to NULL) nullable, and the row flag `unterdrueckt` that suppression adds."""
    schema = MART_SCHEMAS[name]
    relaxed = [c for c in suppressed if c in schema.columns]
    schema = schema.update_columns({c: {"nullable": True} for c in relaxed})
    if FLAG not in schema.columns:
        schema = schema.add_columns({FLAG: _flag()})
    return schema


def check_published(path: Path, rules: Mapping[str, TableRule]) -> dict[str, list[str]]:
    """Check every mart with a schema in the (staged) marts file at `path`, nullability as
    its suppression rule makes it; per table the failure messages (empty = fine)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        present = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        ergebnis = {}
        for name in sorted(set(MART_SCHEMAS) & present):
            rule = rules.get(name)
            schema = published_schema(name, rule.columns() if rule else ())
            frame = con.execute(f'SELECT * FROM "{name}"').df()
            ergebnis[name] = check_mart(name, frame, schema)
    finally:
        con.close()
    return ergebnis


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as pandera expects it: berichtsmonat as datetime, and text columns in
    pandas' string dtype. DuckDB hands an empty (or all-NULL) VARCHAR column over as
    `object`, which the `str` columns reject: a mart without rows must pass."""
    frame = df.copy()
    if "berichtsmonat" in frame:
        frame["berichtsmonat"] = pd.to_datetime(frame["berichtsmonat"])
    for spalte in frame.columns:
        werte = frame[spalte]
        if pd.api.types.is_object_dtype(werte) and werte.map(_text_oder_leer).all():
            frame[spalte] = werte.astype("str")
    return frame


def _text_oder_leer(wert: object) -> bool:
    return isinstance(wert, str) or wert is None or wert is pd.NA or wert != wert  # NaN


def check_mart(name: str, df: pd.DataFrame, schema: pa.DataFrameSchema | None = None) -> list[str]:
    """Validate one mart (against `schema`, default its unsuppressed `MART_SCHEMAS` entry);
    returns one message per failed check (empty = ok)."""
    schema = MART_SCHEMAS[name] if schema is None else schema
    try:
        schema.validate(_normalise(df), lazy=True)
    except pa.errors.SchemaErrors as err:
        return _meldungen(name, err.failure_cases)
    return []


def _meldungen(name: str, cases: pd.DataFrame) -> list[str]:
    # frame-wide checks report every column of a failing row: count rows, not cells
    ganze_zeile = cases["schema_context"] == "DataFrameSchema"
    cases = cases.assign(spalte=cases["column"].where(~ganze_zeile, None))
    meldungen = []
    for (spalte, pruefung), gruppe in cases.groupby(["spalte", "check"], dropna=False):
        zeilen = gruppe["index"].dropna().unique()
        beispiele = ", ".join(str(v) for v in gruppe["failure_case"].head(3))
        if pd.isna(spalte) and not len(zeilen):  # about the table (a missing column), no rows
            meldungen.append(f"{name}: {pruefung} ({beispiele})")
        elif pd.isna(spalte):
            meldungen.append(
                f"{name}: {pruefung} ({len(zeilen)} Zeile(n), z. B. Index "
                f"{', '.join(str(int(i)) for i in zeilen[:3])})"
            )
        else:
            meldungen.append(f"{name}: {spalte}: {pruefung} ({len(gruppe)}×, z. B. {beispiele})")
    return meldungen
