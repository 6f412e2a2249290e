"""Where things live. Paths come from the environment so an outside check can point the
pipeline at its own deliveries: ZIELMONITOR_RAW_DIR (default data/raw) and
ZIELMONITOR_DATA_DIR (default data; holds warehouse.duckdb, marts.duckdb, the Dagster home).
ZIELMONITOR_DUCKDB_MEMORY_LIMIT (default 10GB) caps DuckDB's buffer memory of the ingest and
of the dbt build (profiles.yml); beyond it DuckDB spills to disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_DIR  # dbt_project.yml sits at the root; models under dbt_project/


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    data_dir: Path

    @property
    def warehouse(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def marts(self) -> Path:
        return self.data_dir / "marts.duckdb"

    @property
    def marts_parquet_dir(self) -> Path:
        return self.data_dir / "marts_parquet"

    @property
    def dagster_home(self) -> Path:
        return self.data_dir / "dagster_home"

    @property
    def rejections_dir(self) -> Path:
        return self.data_dir / "rejections"


def get_paths() -> Paths:
    raw = Path(os.environ.get("ZIELMONITOR_RAW_DIR", "data/raw"))
    data = Path(os.environ.get("ZIELMONITOR_DATA_DIR", "data"))
    return Paths(raw_dir=raw.resolve(), data_dir=data.resolve())


def duckdb_memory_limit() -> str:
    """For the ingest's connection; profiles.yml reads the same variable, same default."""
    return os.environ.get("ZIELMONITOR_DUCKDB_MEMORY_LIMIT", "10GB")
