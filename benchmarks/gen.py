"""Generate the deliveries of one scale factor (run as a subprocess by the harness).

SF >= 1: `SF` Jobcenters (Düsseldorf first, the others of varied size, see
zielmonitor/generator/jobcenters.py). SF < 1: Düsseldorf alone, every population scaled
by SF. A marker file `_generated.json` records the summary; its presence makes the folder
a cache hit.

    uv run python -m benchmarks.gen --sf 1 --seed 42 --out benchmarks/.data/sf1-seed42/full
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zielmonitor.generator import generate, jobcenter_specs

MARKER = "_generated.json"


def jobcenters_and_scale(sf: float) -> tuple[int, float]:
    return (int(sf), 1.0) if sf >= 1 else (1, sf)


def duesseldorf_equivalents(sf: float, seed: int) -> float:
    """Sum of the Jobcenters' population scales (Düsseldorf = 1.0)."""
    n, scale = jobcenters_and_scale(sf)
    return round(sum(s.scale for s in jobcenter_specs(n, seed, scale)), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--to", default="2016-12")
    parser.add_argument("--workers", type=int, default=2, help="parallel Jobcenters (cores)")
    args = parser.parse_args(argv)
    n, scale = jobcenters_and_scale(args.sf)
    summary = generate(
        args.out, jobcenters=n, seed=args.seed, scale=scale, end=args.to, workers=args.workers
    )
    info = {
        "sf": args.sf,
        "seed": args.seed,
        "jobcenters": n,
        "scale": scale,
        "duesseldorf_equivalents": duesseldorf_equivalents(args.sf, args.seed),
        "deliveries": summary.deliveries,
        "rows": summary.rows,
        "seconds": summary.seconds,
    }
    (args.out / MARKER).write_text(json.dumps(info, indent=2), encoding="utf-8")
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
