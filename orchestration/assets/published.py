"""The publish step as an asset: after dbt, the marts tagged `published` go to marts.duckdb.

The mart checks are this asset's checks: they run on the staged, suppressed file
inside `publish()`; when one fails, nothing is swapped in and the step fails."""

import json
from collections.abc import Iterator

from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetSpec,
    Config,
    Failure,
    MaterializeResult,
    asset,
)

from orchestration.assets.dbt import dbt_models, marts_target
from orchestration.assets.published_checks import MARTS_KEY, check_results, check_specs
from orchestration.dbt_project import dbt_project
from orchestration.log_batch import BatchedLog
from orchestration.resources import WarehouseResource
from zielmonitor.build_state import record_publish
from zielmonitor.publish.checks import check_published, checked_tables
from zielmonitor.publish.marts import PublishBlocked, publish
from zielmonitor.publish.suppression import TableRule, rules_for

PUBLISHED_TAG = "published"


def published_specs() -> list[AssetSpec]:
    """The dbt models tagged `published` (aggregated, no person-level data), from the dbt
    assets' specs: dbt tags become Dagster tags."""
    return [spec for spec in dbt_models.specs if PUBLISHED_TAG in spec.tags]


def model_name(spec: AssetSpec) -> str:
    """The dbt model behind a spec (`model.<project>.<name>`), whatever its asset key."""
    return str(spec.metadata["dagster_dbt/unique_id"]).rsplit(".", 1)[-1]


def suppression_rules(tables: list[str]) -> dict[str, TableRule]:
    """Each published model's `config.meta.suppression`; a model without it fails here.
    Read from the manifest when the step runs, so a broken rule fails the run, not the import."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    metas = {
        node["name"]: (node.get("config", {}).get("meta") or node.get("meta") or {}).get(
            "suppression"
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
    }
    return rules_for(tables, metas)


PUBLISHED = sorted(model_name(spec) for spec in published_specs())
CHECKED = checked_tables(PUBLISHED)


class PublishConfig(Config):
    """With `as_of`, the figures go to marts_stand_<as_of>.duckdb; marts.duckdb is untouched."""

    as_of: str | None = None


@asset(
    key=MARTS_KEY,
    deps=[spec.key for spec in published_specs()],
    group_name="published",
    kinds={"duckdb"},
    check_specs=check_specs(PUBLISHED),
    description=(
        "marts.duckdb and marts_parquet/ for BI tools: the published marts, checked as "
        "published and swapped in atomically."
    ),
)
def marts_duckdb(
    context: AssetExecutionContext, warehouse: WarehouseResource, config: PublishConfig
) -> Iterator[MaterializeResult | AssetCheckResult]:
    paths = warehouse.paths
    target = marts_target(paths, config.as_of)
    # an as-of stand is a file of its own; the live Parquet export stays as it is
    parquet = paths.export_of(target)
    context.log.info(f"publish: building {target.name} ({len(PUBLISHED)} tables)")
    rules = suppression_rules(PUBLISHED)
    log = BatchedLog(context.log.info)  # three lines per table: a few messages
    try:
        result = publish(
            paths.warehouse, target, PUBLISHED, parquet, log, rules,
            validate=lambda staged: check_published(staged, rules),
        )  # fmt: skip
        for table, rows in result.rows.items():
            log(f"published {table}: {rows} rows")
    except PublishBlocked as blocked:
        log.flush()  # the lines before the checks' results
        yield from check_results(CHECKED, blocked.checks)  # reported before the step fails
        raise Failure(description=str(blocked)) from None
    finally:
        log.flush()
    record_publish(paths.warehouse, target, config.as_of)  # what the next refresh compares
    metadata: dict[str, object] = {"path": str(result.path), **result.rows}
    if result.parquet:
        metadata["parquet"] = str(result.parquet)
    yield MaterializeResult(metadata=metadata, check_results=check_results(CHECKED, result.checks))
