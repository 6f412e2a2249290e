"""The dbt project (staging → intermediate → marts) as assets.

dbt's ~280 data tests are not one Dagster asset check each: turning each into a check costs
about 5 s of CPU per refresh in event handling (measured, docs/benchmarks.md). A failing
test fails `dbt build` and so this step, whose error names every failed test and model
(from dbt's run_results.json); the publish step after it does not run.

What is built is decided when the step starts, after the ingest (zielmonitor/build_state.py):
nothing when no delivery changed since the last publish and the code is the same; else an
incremental build whose data tests look at the changed months; a full build (`--full-refresh`)
the first time, after a code change or when asked (`zielmonitor refresh --full`)."""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, Config, Failure
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from orchestration.dbt_echo import dbt_events
from orchestration.dbt_project import dbt_project
from orchestration.resources import WarehouseResource
from zielmonitor.build_state import plan_build, set_test_scope, unchanged_by_deliveries


class DbtBuildConfig(Config):
    """`as_of` (YYYY-MM-DD): compute the figures as known on that date (only stands <= as_of).
    `full`: rebuild every model from scratch and test every month."""

    as_of: str | None = None
    full: bool = False


class LayerTranslator(DagsterDbtTranslator):
    """Group models by their layer folder (staging, intermediate, marts, published)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayerTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=False)),
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    config: DbtBuildConfig,
    warehouse: WarehouseResource,  # holds the writer lock while dbt builds
) -> Iterator[Any]:
    paths = warehouse.paths
    plan = plan_build(paths.warehouse, paths.marts_as_of(config.as_of), config.full)
    context.log.info(f"dbt: {plan.reason}")
    if plan.nothing_to_do:
        context.log.info("dbt: nothing to do; the published marts stay as they are")
        return  # no materialisation: the publish step after it is skipped
    args = ["build", "--vars", json.dumps({"as_of": config.as_of})]
    if plan.full:
        args.append("--full-refresh")
    else:  # the code of the last build: what only the code decides stands (≈ 2 s at SF1)
        manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
        args += ["--exclude", unchanged_by_deliveries(manifest)]
    set_test_scope(paths.warehouse, plan)  # dbt's on-run-end hook clears it
    invocation = dbt.cli(args, context=context, raise_on_error=False)
    yield from dbt_events(invocation.stream(), context.log.info)
    keep_parse(invocation.target_path, dbt_project.project_dir / dbt_project.target_path)
    if not invocation.is_successful():
        raise Failure(description=failed_nodes(_run_results(invocation.target_path)))


def _run_results(target: Path) -> Mapping[str, Any]:
    """dbt's run_results.json; none when dbt failed before running a node (a usage error,
    a project that does not parse: its own lines above say why)."""
    path = target / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


PARTIAL_PARSE = "partial_parse.msgpack"


def keep_parse(invocation_target: Path, project_target: Path) -> None:
    """dagster-dbt starts each invocation from the project's `target/partial_parse.msgpack`;
    dbt keeps a parse only for the same profile (the warehouse path, so the data folder) and
    vars. Handing this invocation's parse back lets the next refresh of this data folder skip
    the ~4 s full parse (a refresh with another ZIELMONITOR_DATA_DIR or an --as-of re-parses
    once). Replaced atomically: another data folder's refresh may read it meanwhile."""
    source = invocation_target / PARTIAL_PARSE
    if not source.exists():
        return
    staged = project_target / f".{PARTIAL_PARSE}.{os.getpid()}"
    shutil.copyfile(source, staged)
    os.replace(staged, project_target / PARTIAL_PARSE)


def failed_nodes(run_results: Mapping[str, Any]) -> str:
    """`dbt build failed: …` naming every failed test and model, one per line."""
    failed = [r for r in run_results.get("results", []) if r.get("status") in ("fail", "error")]
    if not run_results:
        return "dbt build failed before it ran a model (dbt's messages above say why)"
    lines = [f"dbt build failed: {len(failed)} failed test(s) or model(s)"]
    for result in failed:
        name = str(result.get("unique_id", "?")).split(".")[2]
        message = str(result.get("message") or "").strip().splitlines()
        lines.append(f"  {result['status'].upper()} {name}: {message[0] if message else ''}")
    return "\n".join(lines)
