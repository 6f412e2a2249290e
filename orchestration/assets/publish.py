"""The publish step as an asset: after dbt, the marts tagged `published` go to marts.duckdb."""

import json

from dagster import AssetExecutionContext, AssetKey, Config, MaterializeResult, asset
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import dbt_models
from orchestration.dbt_project import dbt_project
from orchestration.publish import publish
from orchestration.resources import WarehouseResource

PUBLISHED_TAG = "published"


def published_models() -> list[str]:
    """Models tagged `published` in the dbt manifest (aggregated, no person-level data)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and PUBLISHED_TAG in node.get("tags", [])
    )


PUBLISHED = published_models()


class PublishConfig(Config):
    """With `as_of`, the figures go to marts_stand_<as_of>.duckdb; marts.duckdb is untouched."""

    as_of: str | None = None


@asset(
    key=AssetKey(["published", "marts_duckdb"]),
    deps=[get_asset_key_for_model([dbt_models], name) for name in PUBLISHED],
    group_name="published",
    kinds={"duckdb"},
    description="marts.duckdb for BI tools: the published marts, swapped in atomically.",
)
def marts_duckdb(
    context: AssetExecutionContext, warehouse: WarehouseResource, config: PublishConfig
) -> MaterializeResult:
    target = warehouse.marts_path
    if config.as_of:
        target = target.with_name(f"marts_stand_{config.as_of}.duckdb")
    result = publish(warehouse.warehouse_path, target, PUBLISHED)
    for table, rows in result.rows.items():
        context.log.info(f"published {table}: {rows} rows")
    return MaterializeResult(metadata={"path": str(result.path), **result.rows})
