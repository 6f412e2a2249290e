"""What the checks of month t need from earlier months: stichtag(t-1), the stock of t-1 and
the Förderfälle entered before t. Looked up in the warehouse first (validated data), else on
disk (latest stand of t-1 whose manifest and elb_bestand read cleanly), else unknown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from zielmonitor.contract import FILES_BY_NAME
from zielmonitor.ingest.discovery import month_start, previous_month
from zielmonitor.ingest.manifest import read_manifest
from zielmonitor.ingest.reader import read_file


@dataclass(frozen=True)
class Eintritt:
    person_id: str
    instrument: str
    eintritt: date


@dataclass(frozen=True)
class History:
    prev_stichtag: date | None = None
    prev_persons: frozenset[str] | None = None  # None: the previous month is unknown
    prev_source: str = "unknown"  # warehouse | disk | unknown
    earlier_eintritte: dict[str, Eintritt] = field(default_factory=dict)


def load_history(
    jobcenter_id: str,
    berichtsmonat: str,
    raw_dir: Path | None,
    con: duckdb.DuckDBPyConnection | None,
) -> History:
    prev = previous_month(berichtsmonat)
    eintritte = _earlier_eintritte(con, jobcenter_id, berichtsmonat) if con else {}
    found = _from_warehouse(con, jobcenter_id, prev) if con else None
    if found is None and raw_dir is not None:
        found = _from_disk(raw_dir, jobcenter_id, prev)
    if found is None:
        return History(earlier_eintritte=eintritte)
    stichtag, persons, source = found
    return History(stichtag, persons, source, eintritte)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_schema='raw' AND table_name=?"
    return con.execute(sql, [name]).fetchone()[0] > 0


def latest_loaded_stand(con, jobcenter_id: str, month: str) -> tuple[date, date] | None:
    """(stichtag, stand) of the latest loaded stand of `month` (YYYY-MM), or None."""
    return latest_loaded_stands(con, month).get(jobcenter_id)


def latest_loaded_stands(con, month: str) -> dict[str, tuple[date, date]]:
    """(stichtag, stand) of the latest loaded stand of `month` (YYYY-MM) per Jobcenter."""
    found = con.execute(
        "SELECT jobcenter_id, arg_max(stichtag, stand), max(stand) FROM raw.lieferungen"
        " WHERE berichtsmonat = ? GROUP BY jobcenter_id",
        [month_start(month)],
    ).fetchall()  # fetched to the end: DuckDB refuses register() after a half-read result
    return {jc: (stichtag, stand) for jc, stichtag, stand in found}


def _from_warehouse(con, jobcenter_id: str, month: str):
    if not _has_table(con, "lieferungen"):
        return None
    latest = latest_loaded_stand(con, jobcenter_id, month)
    if latest is None:
        return None
    persons = con.execute(
        "SELECT person_id FROM raw.elb_bestand WHERE jobcenter_id = ? AND berichtsmonat = ?"
        " AND stand = ?",
        [jobcenter_id, month_start(month), latest[1]],
    ).fetchall()
    return latest[0], frozenset(p for (p,) in persons), "warehouse"


def stands_on_disk(raw_dir: Path, jobcenter_id: str, month: str) -> list[Path]:
    """The stand folders of a Jobcenter's month below `raw_dir`, latest first."""
    month_dir = raw_dir / f"jobcenter={jobcenter_id}" / f"berichtsmonat={month}"
    return sorted(month_dir.glob("stand=*"), reverse=True) if month_dir.is_dir() else []


def _from_disk(raw_dir: Path, jobcenter_id: str, month: str):
    stands = stands_on_disk(raw_dir, jobcenter_id, month)
    spec = FILES_BY_NAME["elb_bestand"]
    for folder in stands:
        manifest, _ = read_manifest(folder)
        if manifest is None:
            continue
        for name in (spec.csv_name, spec.parquet_name):
            if name in manifest.dateien and (folder / name).is_file():
                raw = read_file(folder / name, spec)
                if raw.strings is not None and not raw.findings:
                    persons = raw.strings["person_id"].dropna()
                    return manifest.stichtag, frozenset(persons), "disk"
    return None


def _earlier_eintritte(con, jobcenter_id: str, berichtsmonat: str) -> dict[str, Eintritt]:
    if not _has_table(con, "massnahme_eintritte"):
        return {}
    rows: pd.DataFrame = con.execute(
        "SELECT foerderfall_id, person_id, instrument, eintritt FROM raw.massnahme_eintritte"
        " WHERE jobcenter_id = ? AND berichtsmonat < ?"
        " QUALIFY row_number() OVER (PARTITION BY foerderfall_id"
        "   ORDER BY berichtsmonat DESC, stand DESC) = 1",
        [jobcenter_id, month_start(berichtsmonat)],
    ).df()
    return {
        r.foerderfall_id: Eintritt(r.person_id, r.instrument, pd.Timestamp(r.eintritt).date())
        for r in rows.itertuples(index=False)
    }
