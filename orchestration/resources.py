"""Resources injected into the assets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import dbt_project
from zielmonitor.config import get_paths
from zielmonitor.private_files import restrict_umask


class WarehouseResource(ConfigurableResource):
    """Where the raw deliveries are and where the two DuckDB files live."""

    raw_dir: str
    data_dir: str

    def setup_for_execution(self, context: InitResourceContext) -> None:
        restrict_umask()  # at run time, not import: DuckDB makes the WAL with the umask

    @property
    def warehouse_path(self) -> Path:
        return Path(self.data_dir) / "warehouse.duckdb"

    @property
    def marts_path(self) -> Path:
        return Path(self.data_dir) / "marts.duckdb"


def build_resources() -> dict[str, object]:
    paths = get_paths()
    # profiles.yml reads the warehouse path from this variable; the dbt subprocess inherits it.
    os.environ["ZIELMONITOR_WAREHOUSE"] = str(paths.warehouse)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return {
        "warehouse": WarehouseResource(raw_dir=str(paths.raw_dir), data_dir=str(paths.data_dir)),
        "dbt": DbtCliResource(
            project_dir=dbt_project,
            profiles_dir=str(dbt_project.project_dir),
            # the dbt of this environment, found without an activated venv on PATH
            dbt_executable=str(Path(sys.executable).with_name("dbt")),
        ),
    }
