"""The dbt project (staging → intermediate → marts) as assets; dbt tests become asset checks."""

import json
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, Config
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_echo import dbt_events
from orchestration.dbt_project import dbt_project
from orchestration.resources import WarehouseResource


class DbtBuildConfig(Config):
    """`as_of` (YYYY-MM-DD): compute the figures as known on that date (only stands <= as_of)."""

    as_of: str | None = None


class LayerTranslator(DagsterDbtTranslator):
    """Group models by their layer folder (staging, intermediate, marts, published)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(),
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    config: DbtBuildConfig,
    warehouse: WarehouseResource,  # noqa: ARG001 - holds the writer lock while dbt builds
) -> Iterator[Any]:
    args = ["build", "--vars", json.dumps({"as_of": config.as_of})]
    yield from dbt_events(dbt.cli(args, context=context).stream(), context.log.info)
