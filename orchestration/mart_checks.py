"""pandera checks on the published target marts, run after dbt (as Dagster asset checks).

dbt's own tests cover keys and vocabularies inside the warehouse; these schemas check the
frames as published: ranges (quotas and shares 0–100), one row per key, status vocabulary,
plausible units, and the consistency of the target columns. `check_mart(name, df)` returns
readable failure messages (empty = fine).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

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
    erwartet = df["ist"] - df["soll"]
    return df["abweichung"].isna() & df["soll"].isna() | ((df["abweichung"] - erwartet).abs() < EPS)


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
                lambda df: df["anzahl"].isna() | (df["anzahl"] <= df["elb_bestand"]),
                name="teil_nicht_groesser_als_bestand",
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
                lambda df: df["asyl8_bestand"] <= df["elb_bestand"], name="asyl8_teil_des_bestands"
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
                lambda df: (
                    df["austritte_integriert_ytd"].isna()
                    | (df["austritte_integriert_ytd"] <= df["austritte_ytd"])
                ),
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


def check_mart(name: str, df: pd.DataFrame) -> list[str]:
    """Validate one published mart; returns one message per failed check (empty = ok)."""
    schema = MART_SCHEMAS[name]
    frame = df.copy()
    if "berichtsmonat" in frame:
        frame["berichtsmonat"] = pd.to_datetime(frame["berichtsmonat"])
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        # frame-wide checks report every column of a failing row: count rows, not cells
        ganze_zeile = cases["schema_context"] == "DataFrameSchema"
        cases = cases.assign(spalte=cases["column"].where(~ganze_zeile, None))
        meldungen = []
        for (spalte, pruefung), gruppe in cases.groupby(["spalte", "check"], dropna=False):
            if pd.isna(spalte):
                zeilen = gruppe["index"].dropna().unique()
                meldungen.append(
                    f"{name}: {pruefung} ({len(zeilen)} Zeile(n), z. B. Index "
                    f"{', '.join(str(int(i)) for i in zeilen[:3])})"
                )
                continue
            beispiele = ", ".join(str(v) for v in gruppe["failure_case"].head(3))
            meldungen.append(f"{name}: {spalte}: {pruefung} ({len(gruppe)}×, z. B. {beispiele})")
        return meldungen
    return []
