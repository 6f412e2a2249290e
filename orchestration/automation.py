"""The sensor that refreshes when the raw folder differs from what is loaded, and the monthly
safety net. Both launch the job `refresh` with `launch.refresh_run`, like the CLI.

What is loaded has one record: `raw.lieferungen` in the warehouse (one row per loaded
delivery with the sha256 of its manifest), the same table the ingest reads to find the
pending months. Each tick compares the raw folder with it: a delivery that is new, whose
manifest changed, or whose folder vanished is pending. The run key is a hash of the pending
set, so Dagster launches the same set once: a rejected delivery stays pending but does not
launch again until something else changes. A delivery whose files changed within the settle
time may still be copying: the tick waits for it. While a run holds the writer lock the tick
skips (the warehouse cannot be read then; the run ingests what is pending anyway).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    schedule,
    sensor,
)

from orchestration.launch import refresh_job, refresh_run
from zielmonitor.config import Paths, get_paths
from zielmonitor.ingest import DeliveryRef, discover, loaded_manifests
from zielmonitor.ingest.manifest import manifest_sha256
from zielmonitor.ingest.mirror import Key, vanished
from zielmonitor.locking import busy_with
from zielmonitor.quarantine import withdrawn_shas

SENSOR_INTERVAL_S = 30
DEFAULT_SETTLE_S = 10.0  # a delivery whose files changed more recently may still be copying
NEW_DELIVERIES_TAG = "zielmonitor/neue_lieferungen"


@dataclass(frozen=True)
class SeenDelivery:
    ref: DeliveryRef
    manifest_sha256: str | None
    changed_ns: int  # newest ctime of the folder and its files (copy tools cannot set it back)

    @property
    def key(self) -> Key:
        return (self.ref.jobcenter_id, self.ref.month_start, self.ref.stand)


def settle_seconds() -> float:
    return float(os.environ.get("ZIELMONITOR_SENSOR_SETTLE_SECONDS", DEFAULT_SETTLE_S))


def scan_deliveries(paths: Paths | None = None) -> list[SeenDelivery]:
    """Every delivery in the raw folder but the withdrawn ones (`zielmonitor withdraw`): a
    withdrawn delivery copied back never launches a run (the ingest would reject it)."""
    paths = paths or get_paths()
    refs, _ = discover(paths.raw_dir)  # folder problems are the ingest's to report
    withdrawn = withdrawn_shas(paths)
    seen = [SeenDelivery(r, manifest_sha256(r.path), _changed_ns(r)) for r in refs]
    return [d for d in seen if d.manifest_sha256 not in withdrawn]


def _changed_ns(ref: DeliveryRef) -> int:
    stamps = [ref.path.stat().st_ctime_ns]
    with os.scandir(ref.path) as entries:
        stamps.extend(e.stat(follow_symlinks=False).st_ctime_ns for e in entries)
    return max(stamps)


@dataclass(frozen=True)
class Pending:
    changed: list[SeenDelivery]  # new, or loaded with another manifest
    gone: list[Key]  # loaded, folder vanished

    @property
    def run_key(self) -> str:
        lines = [f"{d.key}:{d.manifest_sha256}" for d in self.changed]
        lines += [f"{key}:gone" for key in self.gone]
        return "lieferungen-" + hashlib.sha256("\n".join(lines).encode()).hexdigest()[:20]


def pending(seen: Sequence[SeenDelivery], loaded: dict[Key, str]) -> Pending:
    # a folder without a readable manifest (sha None) is pending too: the ingest reports it
    changed = [d for d in seen if d.key not in loaded or loaded[d.key] != d.manifest_sha256]
    return Pending(sorted(changed, key=lambda d: d.key), vanished(loaded, [d.ref for d in seen]))


def new_deliveries_request(
    seen: Sequence[SeenDelivery], loaded: dict[Key, str], now_ns: int
) -> RunRequest | SkipReason:
    """A refresh if the raw folder differs from raw.lieferungen and every differing delivery
    has settled."""
    todo = pending(seen, loaded)
    if not todo.changed and not todo.gone:
        return SkipReason("every delivery in the raw folder is loaded")
    settled_before = now_ns - int(settle_seconds() * 1e9)
    copying = [d for d in todo.changed if d.changed_ns > settled_before]
    if copying:
        return SkipReason(f"{len(copying)} delivery(ies) still being copied; next tick")
    spec = refresh_run(trigger="sensor")
    count = str(len(todo.changed) + len(todo.gone))
    return RunRequest(
        run_key=todo.run_key, run_config=spec.run_config,
        tags={**spec.tags, NEW_DELIVERIES_TAG: count},
    )  # fmt: skip


@sensor(
    job=refresh_job,
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=DefaultSensorStatus.RUNNING,
    description="Refresh when a delivery in raw/ is new, changed or gone (vs. raw.lieferungen).",
)
def new_deliveries_sensor(context: SensorEvaluationContext) -> RunRequest | SkipReason:
    paths = get_paths()
    holder = busy_with(paths)
    if holder:
        return SkipReason(f"warehouse.duckdb is being written by {holder}")
    try:
        loaded = loaded_manifests(paths.warehouse)
    except duckdb.IOException as exc:  # a run started meanwhile, or a tool holds the file
        return SkipReason(f"warehouse.duckdb cannot be read now: {exc}")
    result = new_deliveries_request(scan_deliveries(paths), loaded, time.time_ns())
    if isinstance(result, RunRequest):
        context.log.info(f"{result.tags[NEW_DELIVERIES_TAG]} new, changed or vanished deliveries")
    return result


# --- the monthly safety net ---------------------------------------------------------------


def previous_month(year: int, month: int) -> str:
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


@schedule(
    job=refresh_job,
    cron_schedule="0 6 20 * *",
    execution_timezone="Europe/Berlin",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Safety net on the 20th (the previous month's delivery is due): a refresh, "
    "whatever the sensor saw.",
)
def monthly_safety_net(context: ScheduleEvaluationContext) -> RunRequest:
    when = context.scheduled_execution_time
    spec = refresh_run(trigger="schedule")
    return RunRequest(
        run_key=f"monatlich-{previous_month(when.year, when.month)}",
        run_config=spec.run_config, tags=spec.tags,
    )  # fmt: skip
