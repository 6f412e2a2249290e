"""Resources injected into the assets. Building them reads no file and sets no variable:
paths are resolved when a run starts (`zielmonitor.config.get_paths`), and dbt finds the
warehouse through ZIELMONITOR_DATA_DIR in profiles.yml."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from orchestration.dbt_project import dbt_project
from orchestration.dbt_runner import DbtProcess
from zielmonitor.build_state import dbt_vars
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


class DbtProcessResource(ConfigurableResource):
    """The run's dbt folder (target/dbt_models-<run>-…) and its dbt process, forked when the
    run starts: it parses the project while the ingest runs, then builds what the dbt step
    asks for (orchestration/dbt_runner.DbtProcess)."""

    _dbt: DbtProcess | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: InitResourceContext) -> None:
        run = context.run.run_id[:7] if context.run else "run"
        folder = f"dbt_models-{run}-{uuid.uuid4().hex[:7]}"
        target = dbt_project.project_dir / dbt_project.target_path / folder
        self._dbt = DbtProcess(dbt_project.project_dir, target, dbt_vars(_as_of(context)))
        self._dbt.start()

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        if self._dbt is not None:  # without a build (nothing to do, a failed ingest), dbt's
            self._dbt.close()  # process ends after its parse: no two dbt invocations at once

    @property
    def process(self) -> DbtProcess:
        assert self._dbt is not None, "set up when the run starts"
        return self._dbt


def _as_of(context: InitResourceContext) -> str | None:
    """The as-of date the run's dbt step is configured with (launch.refresh_run)."""
    from orchestration.launch import DBT_OP  # (launch imports this module)

    ops = context.run.run_config.get("ops", {}) if context.run else {}
    return ops.get(DBT_OP, {}).get("config", {}).get("as_of")


def build_resources() -> dict[str, object]:
    return {
        "warehouse": WarehouseResource(),
        "dbt": DbtProcessResource(),  # forked at run start; builds in the dbt asset's step
    }
