"""The dbt project (staging → intermediate → marts) as assets.

dbt's ~280 data tests are not one Dagster asset check each: turning each into a check costs
about 5 s of CPU per refresh in event handling (measured, docs/benchmarks.md). A failing
test fails `dbt build` and so this step, whose error names every failed test and model
(from the results of its nodes); the publish step after it does not run. The row tests run
in one query per model in dbt's on-run-end hook, not as nodes (docs/operations.md, "Row
tests in one query per model"). dbt runs in a process of its own, forked when the run starts
(orchestration/dbt_runner.py); each model is materialised as soon as dbt has built it.

What is built is decided when the step starts, after the ingest (zielmonitor/build_state.py):
nothing when no delivery changed since the last publish and the code is the same; else an
incremental build whose data tests look at the changed months; a full build (`--full-refresh`)
the first time, after a code change or when asked (`zielmonitor refresh --full`)."""

import json
from collections.abc import Generator, Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config, Failure, MaterializeResult
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.dbt_runner import DbtRun, failed_nodes
from orchestration.resources import DbtProcessResource, WarehouseResource
from zielmonitor.build_state import (
    BuildPlan,
    dbt_vars,
    hook_test_kinds,
    plan_build,
    row_tests_in_one_query,
    set_test_scope,
    unchanged_by_deliveries,
)
from zielmonitor.config import Paths


class DbtBuildConfig(Config):
    """`as_of` (YYYY-MM-DD): compute the figures as known on that date (only stands <= as_of).
    `full`: rebuild every model from scratch and test every month."""

    as_of: str | None = None
    full: bool = False


def marts_target(paths: Paths, as_of: str | None) -> Path:
    """The file the run publishes to; a launch whose `as_of` is no date up to today fails
    here, naming it, before anything is built."""
    try:
        return paths.marts_as_of(as_of)
    except ValueError as exc:
        raise Failure(description=str(exc)) from None


class LayerTranslator(DagsterDbtTranslator):
    """Group models by their layer folder (staging, intermediate, marts, published)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


TRANSLATOR = LayerTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(
    manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=TRANSLATOR
)
def dbt_models(
    context: AssetExecutionContext,
    config: DbtBuildConfig,
    warehouse: WarehouseResource,  # holds the writer lock while dbt builds
    dbt: DbtProcessResource,  # dbt's process, forked at run start, parsing meanwhile
) -> Iterator[MaterializeResult]:
    paths = warehouse.paths
    target = marts_target(paths, config.as_of)
    plan = plan_build(paths.warehouse, target, config.full, paths.export_of(target))
    context.log.info(f"dbt: {plan.reason}")
    if plan.nothing_to_do:
        context.log.info("dbt: nothing to do; the published marts stay as they are")
        return  # no materialisation: the publish step after it is skipped
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    keys = _asset_keys(manifest)
    build_vars = dbt_vars(config.as_of)
    args = build_args(plan, build_vars, _selection(context, keys), manifest)
    set_test_scope(paths.warehouse, plan)  # dbt's on-run-end hook clears it
    nodes = dbt.process.build(args, build_vars, context.log.info)
    outcome = yield from _materialised(nodes, keys)
    if not outcome.success:
        raise Failure(description=failed_nodes(outcome.run_results, outcome.error))


def build_args(
    plan: BuildPlan, build_vars: Mapping[str, Any], selection: list[str], manifest: Mapping
) -> list[str]:
    """The `dbt build` of a plan: every node but the tests the on-run-end hook counts; an
    incremental build of the whole job leaves out what only the code decides and the
    views too, while models chosen in the UI (`selection`) are built as chosen."""
    args = ["build", "--vars", json.dumps(build_vars), *selection]
    kinds = hook_test_kinds()
    exclude = [row_tests_in_one_query(kinds)]  # counted by dbt's on-run-end hook (≈ 5 s at SF1)
    if plan.full:
        args.append("--full-refresh")
    elif not selection:  # the code of the last build: it stands (≈ 2 s at SF1)
        exclude.append(unchanged_by_deliveries(manifest, kinds))
    return [*args, "--exclude", " ".join(exclude)]


def _materialised(
    nodes: Generator[dict[str, Any], None, DbtRun], keys: Mapping[str, AssetKey]
) -> Generator[MaterializeResult, None, DbtRun]:
    """A materialisation of each model and seed as soon as dbt has built it: Dagster writes
    its events while dbt builds the next node. Returns dbt's outcome."""
    try:
        while True:
            try:
                node = next(nodes)
            except StopIteration as done:
                return done.value
            if node["status"] == "success" and node["unique_id"] in keys:
                yield MaterializeResult(asset_key=keys[node["unique_id"]])
    except BaseException:  # the run is stopped here: dbt's query is cancelled too
        nodes.close()
        raise


def _selection(context: AssetExecutionContext, keys: Mapping[str, AssetKey]) -> list[str]:
    """`--select` of the models chosen in the UI; nothing (every node) for the whole job."""
    if not context.is_subset:
        return []
    chosen = [u.split(".")[-1] for u, key in keys.items() if key in context.selected_asset_keys]
    return ["--select", " ".join(sorted(chosen))]


def _asset_keys(manifest: Mapping[str, Any]) -> dict[str, AssetKey]:
    """The asset key of every model and seed, by dbt unique_id (as dbt_assets made them)."""
    built = [u for u, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")]
    return {u: TRANSLATOR.get_asset_spec(manifest, u, dbt_project).key for u in built}
