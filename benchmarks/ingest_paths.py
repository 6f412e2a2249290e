"""Time the ingest alone, once per path, into fresh warehouses: the SQL path (clean CSV
deliveries checked in DuckDB) and the detailed path for every delivery (`vectorised=False`).
`--steps` times the SQL path only, with the seconds of each of its steps.

    uv run python -m benchmarks.ingest_paths benchmarks/.data/sf1-seed42/full
    uv run python -m benchmarks.ingest_paths --steps benchmarks/.data/sf10-seed42/full
"""

from __future__ import annotations

import argparse
import functools
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

from zielmonitor.ingest import ingest, load, sql_path

# (module, function) of the SQL path's steps, where they are looked up when called; the
# reader runs in a thread of its own, beside the rest
STEPS = (
    (load, "_read_batch"),
    (sql_path, "_type_into_temp_table"),
    (sql_path, "_unclean_files"),
    (sql_path, "_cross_checks"),
    (load, "insert_batch"),
    (load, "_record_deliveries"),
)


def time_ingest(raw: Path, vectorised: bool) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = ingest(
            Path(tmp) / "warehouse.duckdb",
            raw,
            None,
            rejections_dir=Path(tmp) / "rejections",
            log=lambda _: None,
            vectorised=vectorised,
        )
        return time.perf_counter() - started, result.summary()


@contextmanager
def timed_steps() -> Iterator[dict[str, float]]:
    """Seconds spent in each of STEPS while the block runs."""
    seconds: dict[str, float] = defaultdict(float)

    def timed(name: str, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - started

        return wrapper

    with ExitStack() as patches:
        for module, name in STEPS:
            wrapper = timed(name, getattr(module, name))
            patches.enter_context(mock.patch.object(module, name, wrapper))
        yield seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path)
    parser.add_argument("--steps", action="store_true", help="the SQL path only, step by step")
    args = parser.parse_args(argv)
    if args.steps:
        with timed_steps() as per_step:
            total, summary = time_ingest(args.raw_dir, True)
        print(f"sql path: {total:.1f} s  ({summary})")
        main_thread = sum(s for step, s in per_step.items() if step != "_read_batch")
        for step, s in per_step.items():
            print(f"  {step:24s} {s:6.1f} s")
        print(f"  {'rest (commits, discovery)':24s} {total - main_thread:6.1f} s")
        return 0
    for name, vectorised in (("sql path", True), ("detailed path", False)):
        total, summary = time_ingest(args.raw_dir, vectorised)
        print(f"{name}: {total:.1f} s  ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
