"""Time the ingest alone, once per path, into fresh warehouses: the SQL path (clean CSV
deliveries checked in DuckDB) and the detailed path for every delivery (`vectorised=False`).

    uv run python -m benchmarks.ingest_paths benchmarks/.data/sf1-seed42/full
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from zielmonitor.ingest import ingest


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_dir", type=Path)
    args = parser.parse_args(argv)
    for name, vectorised in (("sql path", True), ("detailed path", False)):
        seconds, summary = time_ingest(args.raw_dir, vectorised)
        print(f"{name}: {seconds:.1f} s  ({summary})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
