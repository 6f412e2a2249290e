"""Resources injected into the assets. Building them reads no file and sets no variable:
paths are resolved when a run starts (`zielmonitor.config.get_paths`), and dbt finds the
warehouse through ZIELMONITOR_DATA_DIR in profiles.yml."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from zielmonitor.config import Paths, get_paths
from zielmonitor.locking import warehouse_lock
from zielmonitor.private_files import restrict_umask

TRIGGER_TAG = "zielmonitor/ausloeser"  # who launched the run (automation.refresh_run)


class WarehouseResource(ConfigurableResource):
    """The raw folder and the data folder, and the writer lock of warehouse.duckdb: a run
    using this resource holds the lock from resource set-up to tear-down (the whole run,
    as the code location's executor runs every step in one process)."""

    raw_dir: str | None = None  # None: $ZIELMONITOR_RAW_DIR, read when the run starts
    data_dir: str | None = None  # None: $ZIELMONITOR_DATA_DIR

    @property
    def paths(self) -> Paths:
        default = get_paths()
        return Paths(
            raw_dir=Path(self.raw_dir) if self.raw_dir else default.raw_dir,
            data_dir=Path(self.data_dir) if self.data_dir else default.data_dir,
        )

    @property
    def warehouse_path(self) -> Path:
        return self.paths.warehouse

    @property
    def marts_path(self) -> Path:
        return self.paths.marts

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        restrict_umask()  # at run time, not import: DuckDB makes the WAL with the umask
        log = context.log.info if context.log else print
        with warehouse_lock(self.paths, _holder(context), log):
            yield self


def _holder(context: InitResourceContext) -> str:
    run = context.run
    if run is None:
        return "a Dagster run"
    return f"{run.tags.get(TRIGGER_TAG, 'Dagster UI')} (run {run.run_id})"


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),  # dbt runs in the dbt asset's step
    }
