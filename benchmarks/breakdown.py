"""Where the time of one `zielmonitor refresh` goes: Dagster's event log (step start/end)
and the node results of the dbt step (node_results.json of orchestration/dbt_runner.py:
per-node execution time, by folder).

The CLI refresh is one Dagster run of the job `refresh`; a refresh that finds nothing to do
starts no run at all (issue 16): its breakdown is the process alone."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from orchestration.dbt_runner import NODE_RESULTS

RUN_ID = re.compile(r"\(run ([0-9a-f-]{36})\)")
STEP_END = {"STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"}


def run_ids_from_log(log: Path) -> list[str]:
    """Every run id the refresh printed, in order (one run of the job `refresh`)."""
    found = RUN_ID.findall(log.read_text(encoding="utf-8", errors="replace"))
    return list(dict.fromkeys(found))


def dagster_steps(dagster_home: Path, run_id: str) -> dict:
    """Run begin/end and per-step durations (seconds) from the run's event log."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        logs = instance.all_logs(run_id)
    start: dict[str, float] = {}
    steps: dict[str, float] = {}
    pipeline_start = None
    for e in logs:
        kind = e.dagster_event.event_type_value if e.dagster_event else None
        if kind == "PIPELINE_START":
            pipeline_start = e.timestamp
        elif kind == "STEP_START":
            start[e.step_key] = e.timestamp
        elif kind in STEP_END and e.step_key in start:
            steps[e.step_key] = round(e.timestamp - start[e.step_key], 3)
    return {
        "run_begin": logs[0].timestamp if logs else None,
        "run_end": logs[-1].timestamp if logs else None,
        "pipeline_start": pipeline_start,
        "events": len(logs),
        "steps": steps,
    }


def _category(node: dict) -> str:
    kind = node.get("resource_type")
    if kind == "model":
        parts = Path(node["original_file_path"]).parts  # dbt_project/models/<layer>/...
        return parts[2] if len(parts) > 3 else "models"
    return {"test": "data tests", "unit_test": "unit tests", "seed": "seeds"}.get(kind, kind)


def dbt_timings(target_dir: Path, run_id: str) -> dict | None:
    """Per-category sums of dbt node execution times (dbt's thread-seconds) and dbt's
    own elapsed wall time, from the dagster-dbt target folder of the run."""
    # the dbt step names the folder <op>-<run id[:7]>-<invocation>; the op name may change
    folders = sorted(f for f in target_dir.glob(f"*-{run_id[:7]}-*") if (f / NODE_RESULTS).exists())
    if not folders:
        return None
    results = json.loads((folders[-1] / NODE_RESULTS).read_text(encoding="utf-8"))
    manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    sums: dict[str, float] = defaultdict(float)
    slowest = []
    for r in results["results"]:
        node = nodes.get(r["unique_id"], {"resource_type": r["unique_id"].split(".")[0]})
        sums[_category(node)] += r["execution_time"]
        slowest.append((r["execution_time"], r["unique_id"]))
    slowest.sort(reverse=True)
    return {
        "elapsed_s": round(results["elapsed_time"], 3),
        "by_category_s": {k: round(v, 3) for k, v in sorted(sums.items())},
        "slowest": [{"node": n, "s": round(s, 3)} for s, n in slowest[:8]],
    }


def breakdown(
    log: Path, dagster_home: Path, target_dir: Path, started_at: float, ended_at: float
) -> dict:
    """Phases of a refresh: start-up (process start to the first run's first event: imports,
    dbt manifest, pending months), run planning (first event to PIPELINE_START of each run:
    Dagster writes the planned materialisations and checks), each step, tear-down (last event
    to process exit), other (between steps and runs), and dbt's per-category timings."""
    run_ids = run_ids_from_log(log)
    if not run_ids:  # a no-op refresh: nothing but the process
        return {"run_ids": [], "dagster_run": False, "steps": {}, "dbt": None,
                "startup_s": round(ended_at - started_at, 3)}  # fmt: skip
    runs = [dagster_steps(dagster_home, r) for r in run_ids]
    runs = [r for r in runs if r["run_begin"]]
    dbt = next((t for r in run_ids if (t := dbt_timings(target_dir, r))), None)
    out = {
        "run_ids": run_ids,
        "dagster_run": True,
        "events": sum(r["events"] for r in runs),
        "steps": {k: v for r in runs for k, v in r["steps"].items()},
        "dbt": dbt,
    }
    if runs:
        out["startup_s"] = round(runs[0]["run_begin"] - started_at, 3)
        out["planning_s"] = round(
            sum((r["pipeline_start"] or r["run_begin"]) - r["run_begin"] for r in runs), 3
        )
        out["teardown_s"] = round(ended_at - runs[-1]["run_end"], 3)
        known = out["startup_s"] + out["planning_s"] + out["teardown_s"]
        out["other_s"] = round(ended_at - started_at - known - sum(out["steps"].values()), 3)
    return out
