"""How the cost of a monthly refresh grows with history length and Jobcenter count.

For each Jobcenter count N (at population scale S) one delivery set is generated; for each
last month E a fresh run folder gets the months before E (hard links), `zielmonitor refresh`
(the full rebuild of that history), then E's deliveries, `zielmonitor refresh` again (the
monthly refresh). The deliveries are generated up to 2016-12, so every E up to 2016-07 has a
single stand (the generator's five doubly delivered months are 2016-08 … 2016-12) and each
monthly refresh loads one delivery per Jobcenter.

    uv run python -m benchmarks.monthly_scaling --jobcenters 1 3 --scale 0.1 \\
        --last 2015-06 2015-12 2016-06 --data /tmp/scaling --out /tmp/scaling/result.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from benchmarks.breakdown import breakdown
from benchmarks.measure import run_measured
from benchmarks.run import ROOT, ZIELMONITOR, _dbt_plan, _link_month
from zielmonitor.generator import generate

FIRST, GENERATED_TO = "2014-01", "2016-12"


def months_before(last: str) -> int:
    y, m = map(int, last.split("-"))
    fy, fm = map(int, FIRST.split("-"))
    return (y - fy) * 12 + m - fm


def link_history(src: Path, dst: Path, last: str) -> None:
    """Hard links of every month before `last` (YYYY-MM sorts as text)."""
    for folder in src.glob("jobcenter=*/berichtsmonat=*"):
        if folder.name.split("=", 1)[1] < last:
            shutil.copytree(folder, dst / folder.relative_to(src), copy_function=os.link)


def refresh(run: Path, log: Path) -> dict:
    data = run / "data"
    env = {
        **os.environ,
        "ZIELMONITOR_RAW_DIR": str(run / "raw"),
        "ZIELMONITOR_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
    }
    m = run_measured([ZIELMONITOR, "refresh"], log, env=env, cwd=ROOT)
    if m.returncode:
        raise RuntimeError(f"refresh failed, see {log}")
    b = breakdown(log, data / "dagster_home", ROOT / "target", m.started_at, m.ended_at)
    steps = b.get("steps", {})
    return {
        "dbt_plan": _dbt_plan(log),
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "noisy": m.noisy,
        "ingest_s": next((v for k, v in steps.items() if "raw_deliveries" in k), None),
        "dbt_step_s": next((v for k, v in steps.items() if "dbt" in k), None),
        "dbt": (b.get("dbt") or {}).get("by_category_s"),
        "dbt_elapsed_s": (b.get("dbt") or {}).get("elapsed_s"),
        "publish_s": next((v for k, v in steps.items() if "publish" in k), None),
    }


def one(raw: Path, work: Path, last: str, logs: Path) -> dict:
    run = work / f"run-{last}"
    shutil.rmtree(run, ignore_errors=True)
    link_history(raw, run / "raw", last)
    tag = f"{raw.parent.name}-{last}"
    print(f"[scaling] {tag}: full rebuild of {months_before(last)} months …", flush=True)
    full = refresh(run, logs / f"{tag}-full.log")
    _link_month(raw, run / "raw", last)
    print(f"[scaling] {tag}: monthly refresh …", flush=True)
    monthly = refresh(run, logs / f"{tag}-monthly.log")
    shutil.rmtree(run, ignore_errors=True)
    return {"history_months": months_before(last), "last": last, "full": full,
            "monthly": monthly}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobcenters", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--last", nargs="+", default=["2015-06", "2015-12", "2016-06"])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    results = json.loads(args.out.read_text()) if args.out.exists() else []
    done = {(r["jobcenters"], r["scale"], r["last"]) for r in results}
    for n in args.jobcenters:
        raw = args.data / f"jc{n}-scale{args.scale:g}" / "raw"
        if not raw.exists():
            # to 2016-12 whatever --last says: the doubly delivered months stay 2016-08 … 12
            generate(raw, jobcenters=n, seed=args.seed, scale=args.scale, end=GENERATED_TO,
                     workers=2)  # fmt: skip
        for last in args.last:
            if (n, args.scale, last) in done:
                continue
            entry = one(raw, raw.parent, last, args.data / "logs")
            entry.update(jobcenters=n, scale=args.scale, raw_rows_per_month=_rows(raw, last))
            results.append(entry)
            args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    for r in results:
        f, m = r["full"], r["monthly"]
        print(f"N={r['jobcenters']} H={r['history_months']}: full {f['wall_s']} s "
              f"(CPU {f['cpu_s']}), monthly {m['wall_s']} s (CPU {m['cpu_s']}, ingest "
              f"{m['ingest_s']}, dbt {m['dbt_step_s']}, publish {m['publish_s']})")  # fmt: skip
    return 0


def _rows(raw: Path, month: str) -> int:
    """Data lines of the month's deliveries (all Jobcenters): the size of what arrives."""
    files = raw.glob(f"jobcenter=*/berichtsmonat={month}/stand=*/*.csv")
    return sum(max(f.read_bytes().count(b"\n") - 1, 0) for f in files)


if __name__ == "__main__":
    raise SystemExit(main())
