"""Benchmark harness (issue 16): every kind of refresh, side by side with two references.

    uv run python -m benchmarks.run --sf 0.1 1 --out benchmarks/results/

Per scale factor, in this order (results in OUT/sf<SF>.json, written after every phase, so an
interrupted run resumes where it stopped; `--force` redoes the phases asked for):
1. generate 2014-01 … 2016-12 (cached under DATA/sf<SF>-seed<S>/full);
2. `full`: a fresh run folder, raw = every month but the last (hard links), then
   `zielmonitor refresh` as a subprocess: the full rebuild (ingest and every model);
3. `references`: the DuckDB and pandas references on the same raw files, checked against
   the warehouse's `kennzahlen_monat`/`zielerreichung`;
4. `monthly`: the last month's delivery folders linked in, `zielmonitor refresh` (hash H_m
   of the published marts);
5. `noop`: `zielmonitor refresh` with nothing new: must say "nothing to do" and leave
   marts.duckdb untouched (mtime and hash);
6. `rebuild`: `zielmonitor refresh --full` on the same folders; its marts must hash to H_m
7. `revised`: a revised stand of 2016-06 for every Jobcenter (benchmarks/revise.py), then
   `zielmonitor refresh`: every revised stand must be loaded (hash H_r);
8. `rebuild_revised`: `--full` again; its marts must hash to H_r.
Each step: wall, CPU, peak RSS, load average (benchmarks/measure.py); refreshes also get
their phase breakdown (benchmarks/breakdown.py). OUT/summary.md (benchmarks/report.py),
with the issue's targets, is rebuilt at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
from datetime import date
from pathlib import Path

from benchmarks.breakdown import breakdown
from benchmarks.compare import agrees, compare
from benchmarks.gen import MARKER
from benchmarks.marts_hash import table_hashes
from benchmarks.measure import run_measured
from benchmarks.report import target_rows, write_summary
from benchmarks.revise import revise_month
from zielmonitor.publish.marts import marts_hash

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ZIELMONITOR = str(Path(PY).with_name("zielmonitor"))
LAST_MONTH = "2016-12"
# a correction of the month 6 months before the last, delivered after every generated stand
# (the generator's last stands are of 2017-01-09)
REVISED_MONTH, REVISED_STAND = "2016-06", date(2017, 1, 16)
NOTHING_TO_DO = "nothing to do"
# the dbt step's first line (orchestration/assets/dbt.py), whatever the op is called
DBT_PLAN = re.compile(r"\w*dbt\w*: dbt: (.*)")
PHASES = ("full", "references", "monthly", "noop", "rebuild", "revised", "rebuild_revised")
REFRESHES = ("full", "monthly", "noop", "rebuild", "revised", "rebuild_revised")
# the raw folder's stage a phase needs (0: after `full`, 1: + the last month, 2: + the
# revised stand) and the stage it leaves; `noop` runs at any stage after the monthly refresh
NEEDS = {"monthly": (0,), "noop": (1, 2), "rebuild": (1,), "revised": (1,),
         "rebuild_revised": (2,)}  # fmt: skip
LEAVES = {"full": 0, "monthly": 1, "revised": 2}
# in-memory DuckDB cannot spill its tables: above this much raw data the reference uses a file
ON_DISK_REFERENCE_FROM_BYTES = 4 * 2**30
REFERENCES = {
    "duckdb": "benchmarks.reference.kennzahlen_duckdb",
    "pandas": "benchmarks.reference.kennzahlen_pandas",
}


def sf_tag(sf: float) -> str:
    return f"{sf:g}".replace(".", "_")


class Bench:
    def __init__(self, sf: float, seed: int, data: Path, out: Path) -> None:
        self.sf, self.seed = sf, seed
        self.dir = data / f"sf{sf_tag(sf)}-seed{seed}"
        self.full_raw, self.run_dir = self.dir / "full", self.dir / "run"
        self.logs = out / "logs"
        self.result_file = out / f"sf{sf_tag(sf)}.json"
        self.result: dict = {"sf": sf, "seed": seed}
        if self.result_file.exists():
            self.result = json.loads(self.result_file.read_text(encoding="utf-8"))

    def save(self) -> None:
        self.result["targets"] = target_rows(self.result)
        self.result_file.parent.mkdir(parents=True, exist_ok=True)
        self.result_file.write_text(json.dumps(self.result, indent=2, default=str), "utf-8")

    def log(self, name: str) -> Path:
        return self.logs / f"sf{sf_tag(self.sf)}-{name}.log"

    def say(self, text: str) -> None:
        print(f"[bench sf={self.sf:g}] {text}", flush=True)

    @property
    def raw(self) -> Path:
        return self.run_dir / "raw"

    @property
    def marts(self) -> Path:
        return self.run_dir / "data" / "marts.duckdb"

    def stage(self) -> int | None:
        """How far the run folder is (LEAVES), None before a full rebuild."""
        done = [LEAVES[k] for k in LEAVES if k in self.result]
        return max(done) if done else None

    def half_done(self) -> bool:
        """A monthly or revised refresh that did not finish leaves the run folder unusable."""
        monthly = any(self.raw.glob(f"jobcenter=*/berichtsmonat={LAST_MONTH}"))
        revised = any(self.raw.glob(f"jobcenter=*/berichtsmonat={REVISED_MONTH}/{_stand()}"))
        return (monthly and "monthly" not in self.result) or (
            revised and "revised" not in self.result
        )

    def forget(self, phase: str) -> None:
        """Before a refresh runs: its old figures, and those of every refresh after it, no
        longer describe the run folder (also when this one fails)."""
        for later in REFRESHES[REFRESHES.index(phase) :]:
            self.result.pop(later, None)
        self.save()

    # --- phases -------------------------------------------------------------------------
    def generate(self) -> None:
        marker = self.full_raw / MARKER
        if not marker.exists():
            shutil.rmtree(self.full_raw, ignore_errors=True)
            self.say("generate …")
            cmd = [
                PY,
                "-m",
                "benchmarks.gen",
                "--sf",
                str(self.sf),
                "--seed",
                str(self.seed),
                "--out",
                str(self.full_raw),
            ]
            m = run_measured(cmd, self.log("generate"), cwd=ROOT)
            if m.returncode:
                raise RuntimeError(f"generate failed, see {m.log}")
            self.result["generate"] = m.as_dict()
        info = json.loads(marker.read_text(encoding="utf-8"))
        info["raw_mb"] = round(_size(self.full_raw) / 2**20, 1)
        self.result["data"] = info
        self.save()

    def full(self) -> None:
        self.forget("full")
        shutil.rmtree(self.run_dir, ignore_errors=True)
        _link_tree(self.full_raw, self.raw, skip_month=LAST_MONTH)
        self.result["full"] = self._refresh("full")
        self.save()

    def references(self, which: list[str]) -> None:
        # compared with the warehouse (before the suppression of the published copy), which
        # holds exactly what `raw/` holds at this stage
        warehouse = self.run_dir / "data" / "warehouse.duckdb"
        if not self.raw.exists():  # references without a pipeline run (--phases)
            _link_tree(self.full_raw, self.raw, skip_month=LAST_MONTH)
        for name in which:
            self.say(f"reference {name} …")
            out = self.run_dir / f"ref_{name}"
            cmd = [PY, "-m", REFERENCES[name], str(self.raw), "--out", str(out)]
            if name == "duckdb" and _size(self.raw) > ON_DISK_REFERENCE_FROM_BYTES:
                cmd += ["--database", str(self.run_dir / "ref_duckdb.duckdb")]
            m = run_measured(cmd, self.log(f"ref-{name}"), cwd=ROOT)
            entry = m.as_dict()
            if m.returncode == 0 and warehouse.exists():
                entry["months"] = ("full", "with the last month", "with the revised stand")[
                    self.stage() or 0
                ]
                entry["agreement"] = compare(warehouse, out)
                entry["agrees"] = agrees(entry["agreement"])
            self.result.setdefault("references", {})[name] = entry
            self.save()

    def monthly(self) -> None:
        self.forget("monthly")
        _link_month(self.full_raw, self.raw, LAST_MONTH)
        self.result["monthly"] = self._refresh("monthly")
        self.save()

    def noop(self) -> None:
        """Nothing new, changed or removed: says so, starts no run, publishes nothing."""
        self.result.pop("noop", None)
        before = _file_state(self.marts)
        entry = self._refresh("noop")
        entry["said_nothing_to_do"] = _said_nothing_to_do(Path(entry["log"]))
        entry["marts_untouched"] = _file_state(self.marts) == before
        entry["dagster_run"] = bool(entry["breakdown"].get("dagster_run"))
        self.result["noop"] = entry
        self.save()

    def rebuild(self, name: str, of: str) -> None:
        """`zielmonitor refresh --full` after the incremental refresh `of`: same marts?"""
        self.result.pop(name, None)
        entry = self._refresh(name, "--full")
        entry["method"] = "zielmonitor refresh --full"
        expected = self.result[of]
        entry["compared_with"] = of
        entry["agrees"] = entry["marts_hash"] == expected["marts_hash"]
        entry["differing_tables"] = _differing(expected["table_hashes"], entry["table_hashes"])
        if not entry["agrees"]:
            self.say(f"!! {name}: marts differ from the {of} refresh: {entry['differing_tables']}")
        self.result[name] = entry
        self.save()

    def revised(self) -> None:
        """A revised stand of REVISED_MONTH for every Jobcenter, then a refresh."""
        self.forget("revised")
        made = revise_month(self.raw, REVISED_MONTH, REVISED_STAND)
        entry = self._refresh("revised")
        entry["deliveries"] = len(made)
        entry["loaded"] = _count_loaded(Path(entry["log"]), REVISED_MONTH, REVISED_STAND)
        entry["rows_dropped"] = {f: sum(r.dropped.get(f, 0) for r in made) for f in made[0].dropped}
        # the revision must really change figures, else the check after it proves nothing
        entry["changed_tables"] = _differing(
            self.result["monthly"]["table_hashes"], entry["table_hashes"]
        )
        self.result["revised"] = entry
        self.save()
        if entry["loaded"] != len(made):
            raise RuntimeError(f"{entry['loaded']} of {len(made)} revised stands loaded, see "
                               f"{entry['log']}")  # fmt: skip

    def rebreakdown(self) -> None:
        for kind in REFRESHES:
            if m := self.result.get(kind):
                home = Path(m.get("dagster_home") or self.run_dir / "data" / "dagster_home")
                args = (home, ROOT / "target", m["started_at"], m["ended_at"])
                m["breakdown"] = breakdown(Path(m["log"]), *args)
                m["dbt_plan"] = _dbt_plan(Path(m["log"]))
        self.save()

    def _refresh(self, name: str, *flags: str) -> dict:
        self.say(f"refresh ({name}{''.join(' ' + f for f in flags)}) …")
        data = self.run_dir / "data"
        home = data / "dagster_home"
        env = {
            **os.environ,
            "ZIELMONITOR_RAW_DIR": str(self.raw),
            "ZIELMONITOR_DATA_DIR": str(data),
            "DAGSTER_HOME": str(home),
        }
        cmd = [ZIELMONITOR, "refresh", *flags]
        m = run_measured(cmd, self.log(f"refresh-{name}"), env=env, cwd=ROOT)
        entry = m.as_dict()
        if m.returncode:
            raise RuntimeError(f"refresh ({name}) failed, see {m.log}")
        entry["dagster_home"] = str(home)
        entry["breakdown"] = breakdown(Path(m.log), home, ROOT / "target", m.started_at, m.ended_at)
        entry["dbt_plan"] = _dbt_plan(Path(m.log))
        marts = data / "marts.duckdb"
        entry["marts_hash"] = marts_hash(marts)
        entry["table_hashes"] = table_hashes(marts)
        return entry


def _stand() -> str:
    return f"stand={REVISED_STAND.isoformat()}"


def _file_state(path: Path) -> tuple[int, str] | None:
    """(mtime in ns, hash of the sorted rows): both unchanged = not published again."""
    return (path.stat().st_mtime_ns, marts_hash(path)) if path.exists() else None


def _said_nothing_to_do(log: Path) -> bool:
    return NOTHING_TO_DO in log.read_text(encoding="utf-8", errors="replace").lower()


def _dbt_plan(log: Path) -> str | None:
    """What the dbt step said it would build (first build, incremental from a month, full
    rebuild requested, nothing to do): a `monthly` that was a full build (the code changed
    between two phases) shows here."""
    found = DBT_PLAN.findall(log.read_text(encoding="utf-8", errors="replace"))
    return found[0].strip() if found else None


def _count_loaded(log: Path, month: str, stand: date) -> int:
    """Deliveries of `month` at `stand` the ingest reported as loaded."""
    line = re.compile(rf"\bloaded jobcenter=\d+ berichtsmonat={month} stand={stand}\b")
    return len(line.findall(log.read_text(encoding="utf-8", errors="replace")))


def _differing(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(t for t in a.keys() | b.keys() if a.get(t) != b.get(t))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _link_tree(src: Path, dst: Path, skip_month: str) -> None:
    """Hard-link copy of the raw tree without the folders of `skip_month`."""
    skip = f"berichtsmonat={skip_month}"
    shutil.copytree(
        src,
        dst,
        copy_function=os.link,
        ignore=lambda _d, names: [n for n in names if n in (skip, MARKER)],
    )


def _link_month(src: Path, dst: Path, month: str) -> None:
    for folder in src.glob(f"jobcenter=*/berichtsmonat={month}"):
        target = dst / folder.relative_to(src)
        if not target.exists():
            shutil.copytree(folder, target, copy_function=os.link)


def bench_one(b: Bench, args: argparse.Namespace) -> None:
    b.generate()

    def due(phase: str) -> bool:  # asked for, and not measured yet (or --force)
        return phase in args.phases and (args.force or phase not in b.result)

    if due("full") or ("full" in args.phases and b.half_done()):
        b.full()
    elif b.half_done():
        b.say("a monthly or revised refresh did not finish: the run folder needs `full` again")
        return
    if "references" in args.phases:
        done = b.result.get("references", {})
        b.references([r for r in args.references if args.force or r not in done])
    run = {
        "monthly": b.monthly,
        "noop": b.noop,
        "rebuild": lambda: b.rebuild("rebuild", of="monthly"),
        "revised": b.revised,
        "rebuild_revised": lambda: b.rebuild("rebuild_revised", of="revised"),
    }
    for phase, step in run.items():
        if not due(phase):
            continue
        if b.stage() not in NEEDS[phase]:
            b.say(f"skip {phase}: the run folder is at stage {b.stage()}, it needs one of "
                  f"{NEEDS[phase]} (0 = after full, 1 = + monthly, 2 = + revised); "
                  "run the phases before it (with `full` to start over)")  # fmt: skip
            continue
        step()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, nargs="+", default=[0.1, 1.0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument(
        "--data",
        type=Path,
        default=ROOT / "benchmarks" / ".data",
        help="generated deliveries and run folders (large)",
    )
    parser.add_argument(
        "--references", nargs="*", default=list(REFERENCES), choices=list(REFERENCES)
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="redo the phases asked for (the refreshes after `full` need the stage the phase "
        "before them left: force them together with `full`)",
    )
    parser.add_argument(
        "--phases",
        nargs="+",
        default=list(PHASES),
        choices=list(PHASES),
        help="generate always runs (cached)",
    )
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument(
        "--rebreakdown", action="store_true", help="recompute the breakdowns of stored refreshes"
    )
    args = parser.parse_args(argv)
    args.out, args.data = args.out.resolve(), args.data.resolve()
    if args.rebreakdown:
        for sf in args.sf:
            Bench(sf, args.seed, args.data, args.out).rebreakdown()
    if not args.summary_only:
        for sf in args.sf:
            b = Bench(sf, args.seed, args.data, args.out)
            bench_one(b, args)
    _refresh_targets(args.out)
    print(write_summary(args.out))
    return 0


def _refresh_targets(out: Path) -> None:
    """The targets in every stored sf*.json as report.py judges them now."""
    for path in out.glob("sf*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        result["targets"] = target_rows(result)
        path.write_text(json.dumps(result, indent=2, default=str), "utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
