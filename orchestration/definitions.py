"""The Dagster code location `zielmonitor`."""

from dagster import AssetSelection, Definitions, define_asset_job

from orchestration.assets.dbt import dbt_models
from orchestration.assets.publish import marts_duckdb
from orchestration.assets.raw import raw_deliveries
from orchestration.partitions import monthly_partitions
from orchestration.resources import build_resources

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    partitions_def=monthly_partitions,
    description="Ingest the deliveries of a month range, build the dbt models, publish the marts.",
)

defs = Definitions(
    assets=[raw_deliveries, dbt_models, marts_duckdb],
    jobs=[refresh_job],
    resources=build_resources(),
)
