"""Fingerprint the published marts: one SHA-256 per table over its sorted rows.

The behaviour check of refactorings: generate a delivery set, refresh it into a scratch data
folder through the CLI, hash every table of marts.duckdb. Same hashes before and after a
change = same published figures.

    .venv/bin/python -m benchmarks.marts_hash --set demo   # 1 Jobcenter, seed 42 (./run demo)
    .venv/bin/python -m benchmarks.marts_hash --set multi  # 3 Jobcenters at scale 0.3, seed 42
    .venv/bin/python -m benchmarks.marts_hash --marts data/marts.duckdb   # hash existing marts
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

SETS = {"demo": (1, 1.0), "multi": (3, 0.3)}
GENERATE = (
    "import sys; from pathlib import Path; from {pkg}.generator import generate; "
    "generate(Path(sys.argv[1]), jobcenters={n}, seed=42, scale={scale}, workers=2)"
)


def table_hashes(marts: Path) -> dict[str, str]:
    con = duckdb.connect(str(marts), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "order by 1").fetchall()]  # fmt: skip
        out = {}
        for table in tables:
            rows = con.execute(f"select * from {table}").fetchall()
            lines = sorted(repr(tuple(r)) for r in rows)
            out[table] = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
        return out
    finally:
        con.close()


def build(which: str, workdir: Path) -> Path:
    n, scale = SETS[which]
    raw, data = workdir / "raw", workdir / "data"
    bin_dir = Path(sys.executable).parent
    pkg = "zielmonitor" if Path("zielmonitor/generator").is_dir() else "orchestration"
    code = GENERATE.format(pkg=pkg, n=n, scale=scale)
    subprocess.run([sys.executable, "-c", code, str(raw)], check=True)
    env = {**os.environ, "ZIELMONITOR_RAW_DIR": str(raw), "ZIELMONITOR_DATA_DIR": str(data)}
    subprocess.run([str(bin_dir / "zielmonitor"), "refresh"], check=True, env=env)
    return data / "marts.duckdb"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(SETS))
    parser.add_argument("--marts", type=Path, help="hash these marts instead of building")
    parser.add_argument("--out", type=Path, help="write the hashes as JSON here")
    args = parser.parse_args(argv)
    if args.marts:
        hashes = table_hashes(args.marts)
    else:
        with tempfile.TemporaryDirectory(prefix="marts-hash-") as tmp:
            hashes = table_hashes(build(args.set, Path(tmp)))
    text = json.dumps(hashes, indent=2, sort_keys=True)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
