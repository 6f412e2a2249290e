"""Benchmark harness: generate → full rebuild → references → monthly refresh, per SF.

    uv run python -m benchmarks.run --sf 0.1 1 --out benchmarks/results/

Per scale factor (results in OUT/sf<SF>.json, written after every phase, so an interrupted
run resumes where it stopped; `--force` redoes everything):
1. generate 2014-01 … 2016-12 (cached under DATA/sf<SF>-seed<S>/full);
2. full rebuild: a fresh data dir, raw = every month but the last (hard links), then
   `zielmonitor refresh` as a subprocess;
3. the DuckDB and pandas references on the same raw files, checked against the published
   `kennzahlen_monat`/`zielerreichung` of step 2;
4. monthly refresh: the last month's delivery folders linked in, `zielmonitor refresh` again;
5. no-op refresh: nothing new (the ingest loads nothing; dbt, mart checks, publish).
Each step: wall, CPU, peak RSS, load average (see benchmarks/measure.py); refreshes also get
their phase breakdown (benchmarks/breakdown.py). OUT/summary.md is rebuilt at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from benchmarks.breakdown import breakdown
from benchmarks.compare import agrees, compare
from benchmarks.gen import MARKER
from benchmarks.measure import run_measured
from benchmarks.report import write_summary
from zielmonitor.publish.marts import marts_hash

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LAST_MONTH = "2016-12"
PHASES = ("full", "references", "monthly", "noop")
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
        self.result_file.parent.mkdir(parents=True, exist_ok=True)
        self.result_file.write_text(json.dumps(self.result, indent=2, default=str), "utf-8")

    def log(self, name: str) -> Path:
        return self.logs / f"sf{sf_tag(self.sf)}-{name}.log"

    def say(self, text: str) -> None:
        print(f"[bench sf={self.sf:g}] {text}", flush=True)

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
        shutil.rmtree(self.run_dir, ignore_errors=True)
        raw = self.run_dir / "raw"
        _link_tree(self.full_raw, raw, skip_month=LAST_MONTH)
        self.result["full"] = self._refresh("full")
        self.result.pop("monthly", None)
        self.result.pop("noop", None)
        self.save()

    def references(self, which: list[str]) -> None:
        # the warehouse is still as the full rebuild left it (the monthly refresh comes last);
        # its marts are compared before the suppression of the published copy
        raw, marts = self.run_dir / "raw", self.run_dir / "data" / "warehouse.duckdb"
        if not raw.exists():  # references without a pipeline run (--phases)
            _link_tree(self.full_raw, raw, skip_month=LAST_MONTH)
        for name in which:
            self.say(f"reference {name} …")
            out = self.run_dir / f"ref_{name}"
            cmd = [PY, "-m", REFERENCES[name], str(raw), "--out", str(out)]
            if name == "duckdb" and _size(raw) > ON_DISK_REFERENCE_FROM_BYTES:
                cmd += ["--database", str(self.run_dir / "ref_duckdb.duckdb")]
            m = run_measured(cmd, self.log(f"ref-{name}"), cwd=ROOT)
            entry = m.as_dict()
            if m.returncode == 0 and marts.exists():
                # after a monthly refresh both sides hold the last month too
                entry["months"] = "with the last month" if "monthly" in self.result else "full"
                entry["agreement"] = compare(marts, out)
                entry["agrees"] = agrees(entry["agreement"])
            self.result.setdefault("references", {})[name] = entry
            self.save()

    def monthly(self) -> None:
        _link_month(self.full_raw, self.run_dir / "raw", LAST_MONTH)
        self.result["monthly"] = self._refresh("monthly")
        self.save()

    def noop(self) -> None:
        """A refresh with nothing new: the ingest loads nothing; dbt, checks and publish run."""
        self.result["noop"] = self._refresh("noop")
        self.save()

    def rebreakdown(self) -> None:
        home = self.run_dir / "data" / "dagster_home"
        for kind in ("full", "monthly", "noop"):
            if m := self.result.get(kind):
                args = (home, ROOT / "target", m["started_at"], m["ended_at"])
                m["breakdown"] = breakdown(Path(m["log"]), *args)
        self.save()

    def _refresh(self, name: str) -> dict:
        self.say(f"refresh ({name}) …")
        data = self.run_dir / "data"
        env = {
            **os.environ,
            "ZIELMONITOR_RAW_DIR": str(self.run_dir / "raw"),
            "ZIELMONITOR_DATA_DIR": str(data),
            "DAGSTER_HOME": str(data / "dagster_home"),
        }
        cmd = [str(Path(PY).with_name("zielmonitor")), "refresh"]
        m = run_measured(cmd, self.log(f"refresh-{name}"), env=env, cwd=ROOT)
        entry = m.as_dict()
        if m.returncode:
            raise RuntimeError(f"refresh ({name}) failed, see {m.log}")
        entry["breakdown"] = breakdown(
            Path(m.log), data / "dagster_home", ROOT / "target", m.started_at, m.ended_at
        )
        # the noop refresh rebuilds the monthly one's input: equal hashes = reproducible
        entry["marts_hash"] = marts_hash(data / "marts.duckdb")
        return entry


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
    if "full" in args.phases:
        half_done = "monthly" not in b.result and any(
            (b.run_dir / "raw").glob(f"jobcenter=*/berichtsmonat={LAST_MONTH}")
        )  # a monthly refresh that did not finish leaves the run dir unusable
        if args.force or "full" not in b.result or half_done:
            b.full()
    if "references" in args.phases:
        done = b.result.get("references", {})
        b.references([r for r in args.references if args.force or r not in done])
    monthly_due = args.force or "monthly" not in b.result
    if "monthly" in args.phases and "full" in b.result and monthly_due:
        b.monthly()
    if "noop" in args.phases and "monthly" in b.result and (args.force or "noop" not in b.result):
        b.noop()


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
    parser.add_argument("--force", action="store_true", help="redo phases already measured")
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
    print(write_summary(args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
