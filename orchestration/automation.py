"""The job `refresh`, the sensor that runs it for every new delivery and the monthly safety net.

Sensor: every tick scans the raw folder and requests one run covering the month range of all
deliveries that appeared since the last tick. "Appeared" is judged by the inode change time
(ctime) of a delivery's folder and files: unlike the mtime, copy tools (`cp -p`, `rsync -a`)
cannot set it back, so an old delivery copied in today still counts as new. The cursor is the
ctime watermark of the newest delivery already requested (one integer, whatever the number of
Jobcenters); a delivery still being written (a file changed within the settle time) waits for
the next tick. The run key is a hash of the new deliveries, so Dagster never launches the
same batch twice even if the cursor update were lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    schedule,
    sensor,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from orchestration.locking import WRITER_TAG, fail_dead_runs
from zielmonitor.config import get_paths
from zielmonitor.ingest import DeliveryRef, discover
from zielmonitor.ingest.manifest import manifest_sha256
from zielmonitor.quarantine import withdrawn_shas

SENSOR_INTERVAL_S = 30
DEFAULT_SETTLE_S = 10.0  # a delivery whose files changed more recently may still be copying
SAFETY_NET_MONTHS = 4  # the previous month and the three before it (the Wartezeit)

refresh_job = define_asset_job(
    "refresh",
    selection=AssetSelection.all(),
    tags={WRITER_TAG: "write"},  # the run queue lets one such run execute at a time
    description="Ingest the deliveries of a month range, build the dbt models, publish the marts.",
)


def range_tags(first: str, last: str) -> dict[str, str]:
    """A month range as one run (the raw asset has a single-run backfill policy)."""
    return {
        ASSET_PARTITION_RANGE_START_TAG: first,
        ASSET_PARTITION_RANGE_END_TAG: last,
        WRITER_TAG: "write",
    }


# --- the sensor ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SeenDelivery:
    ref: DeliveryRef
    changed_ns: int  # newest ctime of the folder and its files

    @property
    def key(self) -> str:
        ref = self.ref
        return f"{ref.jobcenter_id}/{ref.berichtsmonat}/{ref.stand}/{self.changed_ns}"


def settle_seconds() -> float:
    return float(os.environ.get("ZIELMONITOR_SENSOR_SETTLE_SECONDS", DEFAULT_SETTLE_S))


def scan_deliveries() -> list[SeenDelivery]:
    """Every delivery in the raw folder but the withdrawn ones (`zielmonitor withdraw`): a
    withdrawn delivery copied back never launches a run (the ingest would reject it)."""
    paths = get_paths()
    refs, _ = discover(paths.raw_dir)  # folder problems are the ingest's to report
    withdrawn = withdrawn_shas(paths)
    if withdrawn:
        refs = [r for r in refs if manifest_sha256(r.path) not in withdrawn]
    return [SeenDelivery(ref, _changed_ns(ref)) for ref in refs]


def _changed_ns(ref: DeliveryRef) -> int:
    stamps = [ref.path.stat().st_ctime_ns]
    with os.scandir(ref.path) as entries:
        stamps.extend(e.stat(follow_symlinks=False).st_ctime_ns for e in entries)
    return max(stamps)


def parse_cursor(cursor: str | None) -> int:
    return int(json.loads(cursor)["ctime_ns"]) if cursor else 0


def new_deliveries_request(
    seen: Iterable[SeenDelivery], watermark: int, now_ns: int
) -> tuple[RunRequest | None, int]:
    """The run for the deliveries newer than `watermark` that have settled, and the new
    watermark. Unsettled ones are newer than every settled one, so they stay above it."""
    settled_before = now_ns - int(settle_seconds() * 1e9)
    new = sorted(
        (d for d in seen if watermark < d.changed_ns <= settled_before), key=lambda d: d.key
    )
    if not new:
        return None, watermark
    months = sorted(d.ref.berichtsmonat for d in new)
    run_key = hashlib.sha256("\n".join(d.key for d in new).encode()).hexdigest()[:20]
    request = RunRequest(
        run_key=f"lieferungen-{run_key}",
        tags={**range_tags(months[0], months[-1]), "zielmonitor/neue_lieferungen": str(len(new))},
    )
    return request, max(d.changed_ns for d in new)


@sensor(
    job=refresh_job,
    minimum_interval_seconds=SENSOR_INTERVAL_S,
    default_status=DefaultSensorStatus.RUNNING,
    description="Refresh when a new delivery (Jobcenter, Berichtsmonat, Stand) lands in raw/.",
)
def new_deliveries_sensor(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    fail_dead_runs(context.instance, context.log.warning)  # else they block the run queue
    watermark = parse_cursor(context.cursor)
    request, new_watermark = new_deliveries_request(scan_deliveries(), watermark, time.time_ns())
    if request is None:
        return SkipReason("no new delivery")
    context.log.info(
        f"{request.tags['zielmonitor/neue_lieferungen']} new deliveries, months "
        f"{request.tags[ASSET_PARTITION_RANGE_START_TAG]} … "
        f"{request.tags[ASSET_PARTITION_RANGE_END_TAG]}"
    )
    return SensorResult(run_requests=[request], cursor=json.dumps({"ctime_ns": new_watermark}))


# --- the monthly safety net ---------------------------------------------------------------


def shift_month(month: str, delta: int) -> str:
    year, mon = map(int, month.split("-"))
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def safety_net_range(run_date: datetime) -> tuple[str, str]:
    """On the 20th of month M: M-1 (its first delivery is due by now) back to M-4 (whose
    final stand, due 3 months after its mid-month Stichtag, has landed since last tick)."""
    previous = shift_month(f"{run_date.year:04d}-{run_date.month:02d}", -1)
    return shift_month(previous, -(SAFETY_NET_MONTHS - 1)), previous


@schedule(
    job=refresh_job,
    cron_schedule="0 6 20 * *",
    execution_timezone="Europe/Berlin",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Safety net: refresh the previous month (and its Wartezeit) on the 20th.",
)
def monthly_safety_net(context: ScheduleEvaluationContext) -> RunRequest:
    # (runs left STARTED by a killed process are failed by the sensor and the executor)
    first, last = safety_net_range(context.scheduled_execution_time)
    return RunRequest(run_key=f"monatlich-{last}", tags=range_tags(first, last))
