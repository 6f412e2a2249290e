"""Where things live. Paths come from the environment so an outside check can point the
pipeline at its own deliveries: ZIELMONITOR_RAW_DIR (default data/raw) and
ZIELMONITOR_DATA_DIR (default data; holds warehouse.duckdb, marts.duckdb, the Dagster home).
ZIELMONITOR_DUCKDB_MEMORY_LIMIT (default 6GB) caps DuckDB's buffer memory of the ingest and
of the dbt build (profiles.yml); beyond it DuckDB spills to disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR  # dbt_project.yml sits at the root; models under dbt_project/


class _InDataDir:
    """A fixed entry of the data folder, read as an attribute of `Paths`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, paths: Paths, owner: type | None = None) -> Path:
        return paths.data_dir / self.name


@dataclass(frozen=True)
class Paths:
    """The raw folder and the data folder, and every place in the data folder: used by the
    CLI, the Dagster resource and assets, and the writer lock alike."""

    raw_dir: Path
    data_dir: Path

    warehouse = _InDataDir("warehouse.duckdb")  # restricted: person-level data
    marts = _InDataDir("marts.duckdb")  # published
    marts_parquet_dir = _InDataDir("marts_parquet")  # published, a symlink to a version
    dagster_home = _InDataDir("dagster_home")
    rejections_dir = _InDataDir("rejections")
    lock_file = _InDataDir(".warehouse.lock")  # the writer lock (zielmonitor/locking.py)

    def marts_as_of(self, as_of: str | None) -> Path:
        """The marts of an as-of refresh live in a file of their own; None: the live ones.
        Raises ValueError for anything but a date up to today (`as_of_date`)."""
        return self.data_dir / f"marts_stand_{as_of_date(as_of)}.duckdb" if as_of else self.marts

    def export_of(self, marts: Path) -> Path | None:
        """The Parquet export published with `marts`: the live marts have one, an as-of
        stand has none."""
        return self.marts_parquet_dir if marts == self.marts else None


def as_of_date(value: str) -> str:
    """An as-of date as YYYY-MM-DD: the figures as known on that day, so not after today (a
    later day's figures are not known yet). The one check for the CLI and a launch from the
    Dagster UI, whose config names a file (`marts_stand_<as_of>.duckdb`) and a dbt var."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"as-of: expected a date YYYY-MM-DD, got {value!r}") from None
    if value != day.isoformat():
        raise ValueError(f"as-of: expected a date YYYY-MM-DD, got {value!r}")
    if day > date.today():
        raise ValueError(f"as-of {value} is after today: the figures of that day are not known yet")
    return value


def get_paths() -> Paths:
    raw = Path(os.environ.get("ZIELMONITOR_RAW_DIR", "data/raw"))
    data = Path(os.environ.get("ZIELMONITOR_DATA_DIR", "data"))
    return Paths(raw_dir=raw.resolve(), data_dir=data.resolve())


def duckdb_memory_limit() -> str:
    """For the ingest's connection; profiles.yml reads the same variable, same default."""
    return os.environ.get("ZIELMONITOR_DUCKDB_MEMORY_LIMIT", "6GB")
