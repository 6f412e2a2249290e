"""Synthetic monthly deliveries: a deterministic person-level simulation of Jobcenters that
writes exactly what the extract contract describes. See docs/generator.md."""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from zielmonitor.generator.calendar import month_index, month_text, stand_plan
from zielmonitor.generator.deliveries import write_month
from zielmonitor.generator.jobcenters import (
    STAMMDATEN_SPALTEN,
    JobcenterSpec,
    jobcenter_specs,
    stammdaten,
)
from zielmonitor.generator.simulation import Simulation

__all__ = [
    "STAMMDATEN_DATEI",
    "GenerateSummary",
    "JobcenterSpec",
    "generate",
    "jobcenter_specs",
    "write_stammdaten",
]


@dataclass
class GenerateSummary:
    deliveries: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # data rows per file, all deliveries
    seconds: float = 0.0
    jobcenters: list[str] = field(default_factory=list)


def generate(
    out_dir: Path,
    *,
    jobcenters: int = 1,
    seed: int = 42,
    start: str = "2014-01",
    end: str = "2016-12",
    progress: Callable[[str], None] | None = None,
    scale: float = 1.0,
    workers: int = 1,
    scale_weitere: float = 1.0,
) -> GenerateSummary:
    """Simulate `jobcenters` Jobcenters from `start` to `end` and write their deliveries
    under `out_dir` (Hive folders). Same arguments give byte-identical files.

    `scale` shrinks every population (for fast tests); calibration holds at 1.0.
    `workers` > 1 simulates Jobcenters in parallel processes: each Jobcenter has its own
    random stream and folder, so the files are the same as with one worker.
    `scale_weitere` shrinks only the Jobcenters after Düsseldorf (the demo's comparison:
    several small Jobcenters, Düsseldorf's data unchanged).
    """
    t0 = time.perf_counter()
    first, last = month_index(start), month_index(end)
    if last < first:
        raise ValueError(f"end {end} before start {start}")
    specs = jobcenter_specs(jobcenters, seed, scale)
    specs = [s if s.index == 0 else replace(s, scale=s.scale * scale_weitere) for s in specs]
    jobs = [(Path(out_dir), spec, seed, first, last) for spec in specs]
    summary = GenerateSummary()
    rows: Counter[str] = Counter()
    if workers > 1 and len(specs) > 1:
        with ProcessPoolExecutor(min(workers, len(specs))) as pool:
            results = list(pool.map(_generate_jobcenter, jobs))
    else:
        results = [_generate_jobcenter(job, progress) for job in jobs]
    for spec, (deliveries, counts) in zip(specs, results, strict=True):
        summary.deliveries += deliveries
        rows.update(counts)
        summary.jobcenters.append(spec.id)
        if progress and workers > 1:
            progress(f"{spec.id}: {deliveries} deliveries")
    summary.rows = dict(sorted(rows.items()))
    write_stammdaten(Path(out_dir), specs)
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary


def _generate_jobcenter(
    job: tuple[Path, JobcenterSpec, int, int, int],
    progress: Callable[[str], None] | None = None,
) -> tuple[int, Counter[str]]:
    out_dir, spec, seed, first, last = job
    plan = stand_plan(first, last)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(spec.index, 0)))
    rows: Counter[str] = Counter()
    deliveries = 0
    for truth in Simulation(spec, first, last, rng).run():
        for stand in plan[truth.month]:
            rows.update(write_month(out_dir, spec, truth, [stand]))
            deliveries += 1
        if progress:
            progress(f"{spec.id} {month_text(truth.month)}: {len(truth.elb)} eLB")
    return deliveries, rows


STAMMDATEN_DATEI = ".jobcenter_stammdaten.csv"  # dot file: the ingest ignores it


def write_stammdaten(out_dir: Path, specs: list[JobcenterSpec]) -> Path:
    """The master data the generator assumed (type, Land, Regionaldirektion), in the columns
    of the seed jobcenter_stammdaten: the seed must hold the same rows (test_vergleich)."""
    path = out_dir / STAMMDATEN_DATEI
    out_dir.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=STAMMDATEN_SPALTEN, lineterminator="\n")
        writer.writeheader()
        writer.writerows(stammdaten(s) for s in specs)
    return path
