"""Repeated refreshes of one change in a harness run folder: the deliveries of a month (or
one stand of it) taken out of `raw/`, a refresh, put back, a refresh; ROUNDS times.

    uv run python -m benchmarks.out_and_back DATA/sf10-seed42/run --month 2016-12 --rounds 3
    uv run python -m benchmarks.out_and_back DATA/sf10-seed42/run --month 2016-06 \
        --stand 2017-01-16 --rounds 3          # the revised stand of the harness

The harness measures each kind of refresh once; the spread between two refreshes of the same
change on this machine is ±0.5 s at SF10, as large as some changes measured. This repeats
one change, so two versions of the code can be compared alternately, each refresh with its
wall time and the steps from its event log (benchmarks/breakdown.py). The folders are put
back whatever happens (Ctrl-C included); the run folder ends as it began."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from benchmarks.monthly_scaling import refresh

ROOT = Path(__file__).resolve().parent.parent
STEPS = (("ingest", "ingest_s"), ("dbt step", "dbt_step_s"), ("publish", "publish_s"))
RESULTS = ROOT / "benchmarks" / "results" / "out_and_back"


def moved_folders(raw: Path, month: str, stand: str | None) -> list[Path]:
    """The folders to take out: every Jobcenter's `berichtsmonat=month`, or its `stand=…`."""
    pattern = f"jobcenter=*/berichtsmonat={month}" + (f"/stand={stand}" if stand else "")
    return sorted(raw.glob(pattern))


def _move(folders: list[Path], source: Path, dest: Path) -> None:
    for folder in folders:
        target = dest / folder.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))


def out_and_back(run: Path, month: str, stand: str | None, rounds: int, out: Path) -> list:
    raw, hold = run / "raw", run / f"out_and_back_{month}"
    folders = moved_folders(raw, month, stand)
    if not folders:
        which = f"berichtsmonat={month}" + (f"/stand={stand}" if stand else "")
        raise SystemExit(f"no folder {which} under {raw}")
    if hold.exists():
        raise SystemExit(f"{hold} exists: an earlier run did not finish; put its folders back")
    held = [hold / f.relative_to(raw) for f in folders]
    rows = []
    for n in range(1, rounds + 1):
        _move(folders, raw, hold)
        try:
            rows.append(_report(n, "out", refresh(run, out / f"round{n}-out.log")))
        finally:  # the run folder as it began, whatever stopped this
            _move([f for f in held if f.exists()], hold, raw)
            shutil.rmtree(hold)
        rows.append(_report(n, "back", refresh(run, out / f"round{n}-back.log")))
    return rows


def _report(n: int, way: str, result: dict) -> dict:
    noisy = " (noisy)" if result["noisy"] else ""
    parts = (f"{name} {result[key]:.1f}" for name, key in STEPS if result.get(key) is not None)
    print(f"round {n} {way:4} {result['wall_s']:6.1f} s{noisy}  {'  '.join(parts)}", flush=True)
    return {"round": n, "way": way, **result}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path, help="a harness run folder (raw/, data/)")
    parser.add_argument("--month", required=True, help="YYYY-MM")
    parser.add_argument("--stand", help="YYYY-MM-DD: only this stand of the month")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS, help="the refreshes' logs")
    args = parser.parse_args(argv)
    try:
        out_and_back(args.run.resolve(), args.month, args.stand, args.rounds, args.out)
    except RuntimeError as failed:  # a refresh failed; the folders are back in raw/
        raise SystemExit(str(failed)) from None


if __name__ == "__main__":
    main()
