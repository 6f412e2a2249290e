"""The Dagster code location `zielmonitor`: one job, its sensor and schedule.

Importing it sets no variable and writes no file (tests/test_imports.py)."""

from dagster import Definitions, in_process_executor

from orchestration.assets.dbt import dbt_models
from orchestration.assets.published import marts_duckdb
from orchestration.assets.raw import raw_deliveries
from orchestration.automation import monthly_safety_net, new_deliveries_sensor
from orchestration.launch import refresh_job
from orchestration.resources import build_resources
from orchestration.terminal_log import concise_console_logger

defs = Definitions(
    assets=[raw_deliveries, dbt_models, marts_duckdb],
    jobs=[refresh_job],
    sensors=[new_deliveries_sensor],
    schedules=[monthly_safety_net],
    resources=build_resources(),
    loggers={"concise": concise_console_logger},
    # one process per run: the writer lock of the WarehouseResource spans every step
    executor=in_process_executor,
)
