"""The publish step as an asset: after dbt, the marts tagged `published` go to marts.duckdb.

The pandera mart checks are this asset's checks: they run on the staged, suppressed file
inside `publish()`; when one fails, nothing is swapped in and the step fails."""

import json
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    Config,
    Failure,
    MaterializeResult,
    asset,
)
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import dbt_models
from orchestration.assets.published_checks import (
    MARTS_KEY,
    check_results,
    check_specs,
    checked_tables,
)
from orchestration.dbt_project import dbt_project
from orchestration.resources import WarehouseResource
from zielmonitor.publish.checks import check_published
from zielmonitor.publish.marts import PublishBlocked, publish
from zielmonitor.publish.suppression import TableRule, rules_for

PUBLISHED_TAG = "published"


def published_models() -> list[str]:
    """Models tagged `published` in the dbt manifest (aggregated, no person-level data)."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and PUBLISHED_TAG in node.get("tags", [])
    )


def suppression_rules(tables: list[str]) -> dict[str, TableRule]:
    """Each published model's `config.meta.suppression`; a model without it fails here."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    metas = {
        node["name"]: (node.get("config", {}).get("meta") or node.get("meta") or {}).get(
            "suppression"
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    return rules_for(tables, metas)


PUBLISHED = published_models()
CHECKED = checked_tables(PUBLISHED)


class PublishConfig(Config):
    """With `as_of`, the figures go to marts_stand_<as_of>.duckdb; marts.duckdb is untouched."""

    as_of: str | None = None


@asset(
    key=MARTS_KEY,
    deps=[get_asset_key_for_model([dbt_models], name) for name in PUBLISHED],
    group_name="published",
    kinds={"duckdb"},
    check_specs=check_specs(PUBLISHED),
    description=(
        "marts.duckdb and marts_parquet/ for BI tools: the published marts, checked as "
        "published (pandera) and swapped in atomically."
    ),
)
def marts_duckdb(
    context: AssetExecutionContext, warehouse: WarehouseResource, config: PublishConfig
) -> Iterator[MaterializeResult | AssetCheckResult]:
    target, parquet = warehouse.marts_path, Path(warehouse.data_dir) / "marts_parquet"
    if config.as_of:  # an as-of stand is a file of its own; the live Parquet export stays
        target, parquet = target.with_name(f"marts_stand_{config.as_of}.duckdb"), None
    context.log.info(f"publish: building {target.name} ({len(PUBLISHED)} tables)")
    rules = suppression_rules(PUBLISHED)  # read per run: fails the publish, not the import
    try:
        result = publish(
            warehouse.warehouse_path, target, PUBLISHED, parquet, context.log.info, rules,
            validate=lambda staged: check_published(staged, rules),
        )  # fmt: skip
    except PublishBlocked as blocked:
        yield from check_results(CHECKED, blocked.checks)  # reported before the step fails
        raise Failure(description=str(blocked)) from None
    for table, rows in result.rows.items():
        context.log.info(f"published {table}: {rows} rows")
    metadata: dict[str, object] = {"path": str(result.path), **result.rows}
    if result.parquet:
        metadata["parquet"] = str(result.parquet)
    yield MaterializeResult(metadata=metadata, check_results=check_results(CHECKED, result.checks))
