"""The one job, `refresh`, and the one way to launch it.

`zielmonitor refresh` (in process), the sensor, the schedule and a launch from the UI all
run the same job with run config and tags from `refresh_run`: every asset (ingest of the
pending months, dbt, mart checks, publish), printed through the concise logger, under the
writer lock the `WarehouseResource` holds for the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dagster import (
    AssetSelection,
    DagsterEvent,
    DagsterInstance,
    ExecuteInProcessResult,
    define_asset_job,
)

from orchestration.resources import TRIGGER_TAG

JOB_NAME = "refresh"
DBT_OP, PUBLISH_OP = "dbt_models", "published__marts_duckdb"


@dataclass(frozen=True)
class RefreshRun:
    run_config: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)


def refresh_run(
    as_of: str | None = None, trigger: str = "Dagster UI", full: bool = False
) -> RefreshRun:
    """Run config and tags of a refresh, whoever launches it. `as_of` (YYYY-MM-DD): the
    figures as known on that date, published to marts_stand_<as_of>.duckdb. `full`: every
    model from scratch (else only what changed, zielmonitor/build_state.py)."""
    ops = {
        DBT_OP: {"config": {"as_of": as_of, "full": full}},
        PUBLISH_OP: {"config": {"as_of": as_of}},
    }
    loggers = {"concise": {"config": {"log_level": "INFO"}}}
    return RefreshRun({"loggers": loggers, "ops": ops}, {TRIGGER_TAG: trigger})


refresh_job = define_asset_job(
    JOB_NAME,
    selection=AssetSelection.all(),
    config=refresh_run().run_config,  # what a launch from the UI starts with
    description="Ingest new, changed or vanished deliveries, build the dbt models, publish.",
)


@dataclass(frozen=True)
class RunOutcome:
    success: bool
    run_id: str
    message: str  # what failed, for the terminal ("" on success)


def execute_refresh(
    as_of: str | None, trigger: str = "zielmonitor refresh", full: bool = False
) -> RunOutcome:
    """The job in this process, against the project's Dagster instance (DAGSTER_HOME), so
    the run shows in the UI like a launched one."""
    from zielmonitor.pipeline import loading_for_the_run

    with loading_for_the_run():
        from orchestration.definitions import defs  # the job resolved with the code location

        instance = DagsterInstance.get()
    spec = refresh_run(as_of, trigger, full)
    with instance:
        result = defs.resolve_job_def(JOB_NAME).execute_in_process(
            run_config=spec.run_config, tags=spec.tags, instance=instance, raise_on_error=False
        )
    return RunOutcome(result.success, result.run_id, failure_summary(result))


def failure_summary(result: ExecuteInProcessResult) -> str:
    """What went wrong, for the terminal: failed checks with their findings, else the
    failed steps, else the run's own error (e.g. the writer lock not granted)."""
    if result.success:
        return ""
    lines = _failed_check_lines(result) or _failed_step_lines(result)
    return "\n".join(lines) or "a blocking check failed: downstream steps were skipped"


def _failed_check_lines(result: ExecuteInProcessResult) -> list[str]:
    lines: list[str] = []
    for check in result.get_asset_check_evaluations():
        detail = check.metadata.get("fehler") or check.metadata.get("details")
        text = getattr(detail, "value", detail)
        if not check.passed and text and text != "-":
            lines.append(f"{check.asset_key.to_user_string()} [{check.check_name}]:")
            lines += [f"  {line}" for line in str(text).splitlines()]
    return lines


def _failed_step_lines(result: ExecuteInProcessResult) -> list[str]:
    """Failed steps and resources (the writer lock is taken by a resource); the run's own
    failure only when neither says more."""
    events = [e for e in result.all_events if getattr(e.event_specific_data, "error", None)]
    failed = [e for e in events if e.is_step_failure or e.is_resource_init_failure]
    return [_error_line(e) for e in failed or [e for e in events if e.is_failure]]


def _error_line(event: DagsterEvent) -> str:
    error = event.event_specific_data.error
    while error.cause is not None:  # the error itself, not Dagster's wrapper
        error = error.cause
    lines = error.message.strip().splitlines() or ["?"]
    where = f"step {event.step_key}" if event.step_key else "run"
    if error.cls_name == "Failure":  # raised on purpose: its description is the message
        first = lines[0].split("Failure: ", 1)[-1]
        return "\n".join([f"{where} failed: {first}", *lines[1:]])
    return f"{where} failed: {lines[0]} (traceback in the run's log)"
