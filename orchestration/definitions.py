"""The Dagster code location `zielmonitor`."""

from dagster import AssetSelection, Definitions, define_asset_job

from orchestration.assets.dbt import dbt_models
from orchestration.assets.published import marts_duckdb
from orchestration.assets.raw import raw_deliveries
from orchestration.automation import monthly_safety_net, new_deliveries_sensor, refresh_job
from orchestration.locking import locked_in_process_executor
from orchestration.partitions import monthly_partitions
from orchestration.resources import build_resources
from orchestration.terminal_log import concise_console_logger

ingest_job = define_asset_job(
    "ingest",
    selection=AssetSelection.groups("raw"),
    partitions_def=monthly_partitions,
    description="Validate and load the deliveries of a month range into the raw tables.",
)

transform_job = define_asset_job(
    "transform",
    selection=AssetSelection.all() - AssetSelection.groups("raw"),
    description="Rebuild the dbt models from the raw tables as they are and publish the marts.",
)

defs = Definitions(
    assets=[raw_deliveries, dbt_models, marts_duckdb],
    jobs=[refresh_job, ingest_job, transform_job],
    sensors=[new_deliveries_sensor],
    schedules=[monthly_safety_net],
    resources=build_resources(),
    loggers={"concise": concise_console_logger},
    # every run (job, UI launch, asset backfill) holds the warehouse writer lock
    executor=locked_in_process_executor,
)
