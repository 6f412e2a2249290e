"""OUT/summary.md from the per-SF result files: issue 16's targets, figures, the hash
agreement of every incremental refresh with a full rebuild, breakdown, reference agreement."""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LAYERS = ("staging", "intermediate", "marts", "published")  # dbt folders = groups
REFRESHES = ("full", "monthly", "noop", "rebuild", "revised", "rebuild_revised")
REFS = ("duckdb", "pandas")


def _get(d: dict, *path: str) -> object:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def _f(v: object, digits: int = 1) -> str:
    return "–" if v is None else f"{v:,.{digits}f}" if isinstance(v, float | int) else str(v)


def _g(v: float | None) -> str:
    return "–" if v is None else f"{v:.2g}"


def _noisy(*ms: object) -> str:
    flags = [m.get("noisy") for m in ms if isinstance(m, dict)]
    return "yes" if any(flags) else "no" if flags else "–"


@dataclass(frozen=True)
class Target:
    """One row of issue 16's table: `measure` gives the figure of one SF's result."""

    figure: str
    sfs: tuple[float, ...] | None  # where the issue sets the target; None: every SF
    limit: float
    at_most: bool
    unit: str
    measure: Callable[[dict], float | None]
    also: Callable[[dict], tuple[bool, str]] | None = None  # further conditions, and a note


def _wall(r: dict, *path: str) -> float | None:
    v = _get(r, *path, "wall_s")
    return v if isinstance(v, float | int) else None


def _div(a: float | None, b: float | None, scale: float = 1.0) -> float | None:
    return None if a is None or not b else scale * a / b


def _noop_conditions(r: dict) -> tuple[bool, str]:
    n = r.get("noop") or {}
    said, untouched = n.get("said_nothing_to_do"), n.get("marts_untouched")
    run = n.get("dagster_run")
    note = (
        f"said 'nothing to do': {_yn(said)}, marts.duckdb untouched: {_yn(untouched)}, "
        f"Dagster run: {_yn(run)}"
    )
    return bool(said and untouched), note


def _largest_process(r: dict) -> tuple[bool, str]:
    return True, f"largest single process {_f(_get(r, 'full', 'max_child_rss_mb'), 0)} MiB"


TARGETS = (
    Target("no-op refresh wall", None, 5.0, True, "s", lambda r: _wall(r, "noop"),
           _noop_conditions),
    Target("monthly refresh ÷ DuckDB reference", (1.0,), 1.5, True, "×",
           lambda r: _div(_wall(r, "monthly"), _wall(r, "references", "duckdb"))),
    Target("monthly refresh ÷ full rebuild", (10.0, 100.0), 10.0, True, "%",
           lambda r: _div(_wall(r, "monthly"), _wall(r, "full"), 100)),
    Target("revised stand 6 months back ÷ full rebuild", (10.0,), 25.0, True, "%",
           lambda r: _div(_wall(r, "revised"), _wall(r, "full"), 100)),
    Target("full rebuild ÷ DuckDB reference", (1.0, 100.0), 2.0, True, "×",
           lambda r: _div(_wall(r, "full"), _wall(r, "references", "duckdb"))),
    # GB as the issue counts it (its "now 10.9 GB" is the 10,894 MiB measured then)
    Target("peak RSS of the full rebuild (process tree)", (100.0,), 8.0, True, "GB",
           lambda r: _div(_get(r, "full", "peak_tree_rss_mb"), 1000), _largest_process),
    Target("pandas reference ÷ monthly refresh", (10.0,), 5.0, False, "×",
           lambda r: _div(_wall(r, "references", "pandas"), _wall(r, "monthly"))),
)  # fmt: skip
# targets whose limit differs between their SFs
LIMITS = {
    ("full rebuild ÷ DuckDB reference", 100.0): 1.2,
    ("monthly refresh ÷ full rebuild", 100.0): 5.0,
}


def _yn(v: object) -> str:
    return "–" if v is None else "yes" if v else "no"


def target_rows(r: dict) -> list[dict]:
    """Issue 16's targets for one SF's result: measured, target, met (None where the issue
    sets no target at this SF or the figure is not measured)."""
    rows = []
    for t in TARGETS:
        value = t.measure(r)
        limit = LIMITS.get((t.figure, r["sf"]), t.limit)
        applies = t.sfs is None or r["sf"] in t.sfs
        met, note = None, ""
        if value is not None:
            met = value <= limit if t.at_most else value >= limit
            if t.also:
                ok, note = t.also(r)
                met = met and ok
        rows.append({
            "figure": t.figure, "sf": r["sf"], "measured": value, "unit": t.unit,
            "target": f"{'≤' if t.at_most else '≥'} {limit:g} {t.unit}",
            "applies": applies, "met": met if applies else None, "note": note,
        })  # fmt: skip
    return rows


def _measured(row: dict) -> str:
    v = row["measured"]
    if v is None:
        return "–"
    return f"{v:.1f} {row['unit']}" if row["unit"] in ("s", "%") else f"{v:.2f} {row['unit']}"


def targets_table(results: list[dict]) -> list[str]:
    lines = ["| figure | SF | measured | target | met | note |", "|" + "---|" * 6]
    for t in TARGETS:
        for r in results:
            row = next(x for x in target_rows(r) if x["figure"] == t.figure)
            met = _yn(row["met"]) if row["applies"] else "(no target at this SF)"
            lines.append(
                f"| {t.figure} | {r['sf']:g} | {_measured(row)} | {row['target']} | {met} "
                f"| {row['note']} |"
            )
    return lines


def figures_table(results: list[dict]) -> list[str]:
    head = (
        "| SF | Düss.-eq. | eLB rows | raw MB | generate s | full rebuild s (CPU s) | "
        "monthly s | no-op s | rebuild --full s | revised s | rebuild --full (revised) s | "
        "peak RSS full MB (tree / largest proc) | DuckDB ref s | pandas ref s | noisy |"
    )
    lines = [head, "|" + "---|" * 15]
    for r in results:
        full = r.get("full", {})
        ms = [r.get(k) for k in REFRESHES] + [_get(r, "references", n) for n in REFS]
        cells = [
            f"{r['sf']:g}",
            _f(_get(r, "data", "duesseldorf_equivalents"), 2),
            _f(_get(r, "data", "rows", "elb_bestand"), 0),
            _f(_get(r, "data", "raw_mb")),
            _f(_get(r, "generate", "wall_s")),
            f"{_f(full.get('wall_s'))} ({_f(full.get('cpu_s'))})" if full else "–",
            *(_f(_wall(r, k)) for k in REFRESHES[1:]),
            f"{_f(full.get('peak_tree_rss_mb'), 0)} / {_f(full.get('max_child_rss_mb'), 0)}"
            if full
            else "–",
            *(_f(_wall(r, "references", n)) for n in REFS),
            _noisy(*ms),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def correctness_table(results: list[dict]) -> list[str]:
    """After every incremental refresh the marts equal a full rebuild from the same folders."""
    lines = [
        "| SF | incremental refresh | full rebuild compared | marts equal (hash of every "
        "table's sorted rows) | how rebuilt | notes |",
        "|" + "---|" * 6,
    ]
    for r in results:
        for inc, full in (("monthly", "rebuild"), ("revised", "rebuild_revised")):
            f = r.get(full) or {}
            if inc not in r:
                continue
            lines.append(
                f"| {r['sf']:g} | {inc} | {full} | {_yn(f.get('agrees'))}"
                f"{_differs(f)} | {f.get('method', '–')} | {_inc_note(r, inc)} |"
            )
        if n := r.get("noop"):
            note = _noop_conditions(r)[1]
            untouched = _yn(n.get("marts_untouched"))
            lines.append(f"| {r['sf']:g} | noop | – | marts.duckdb untouched (mtime and "
                         f"hash): {untouched} | – | {note} |")  # fmt: skip
    return lines


def _differs(f: dict) -> str:
    tables = f.get("differing_tables")
    return f" (differ: {', '.join(tables)})" if tables and not f.get("agrees") else ""


def _inc_note(r: dict, inc: str) -> str:
    if inc != "revised":
        return ""
    v = r["revised"]
    changed = v.get("changed_tables") or []
    return (
        f"{v.get('loaded')} of {v.get('deliveries')} revised stands loaded; rows dropped "
        f"{v.get('rows_dropped')}; {len(changed)} published tables changed by the revision"
    )


def breakdown_table(results: list[dict]) -> list[str]:
    lines = [
        "| SF | refresh | dbt build | wall s | start-up | run planning | ingest | "
        "dbt step (dbt elapsed) | "
        "dbt: staging / intermediate / facts / marts / tests (thread-s) | "
        "publish (with the mart checks) | other steps | tear-down | other | events |",
        "|" + "---|" * 14,
    ]
    for r in results:
        for kind in REFRESHES:
            b = _get(r, kind, "breakdown")
            if isinstance(b, dict) and "steps" in b:
                lines.append(_breakdown_row(r["sf"], kind, r[kind], b))
    return lines


def _breakdown_row(sf: float, kind: str, m: dict, b: dict) -> str:
    plan, wall = m.get("dbt_plan") or "–", m["wall_s"]
    if not b.get("dagster_run", True):  # a no-op refresh: the process alone
        cells = [f"{sf:g}", kind, "none", _f(wall), _f(b.get("startup_s")), "no Dagster run"]
        return "| " + " | ".join(cells + ["–"] * 8) + " |"
    steps, cat = b["steps"], _get(b, "dbt", "by_category_s") or {}
    ingest = _step(steps, "raw_deliveries")
    dbt = _step(steps, "dbt")
    publish = _step(steps, "publish")
    rest = sum(v for k, v in steps.items() if k not in {ingest[0], dbt[0], publish[0]})
    tests = (cat.get("data tests") or 0) + (cat.get("unit tests") or 0)
    layers = " / ".join(_f(cat.get(k)) for k in LAYERS) + f" / {_f(tests)}"
    cells = [
        f"{sf:g}",
        kind,
        plan,
        _f(wall),
        _f(b.get("startup_s")),
        _f(b.get("planning_s")),
        _f(ingest[1]),
        f"{_f(dbt[1])} ({_f(_get(b, 'dbt', 'elapsed_s'))})",
        layers,
        _f(publish[1]),
        _f(round(rest, 3) if rest else None),
        _f(b.get("teardown_s")),
        _f(b.get("other_s")),
        _f(b.get("events"), 0),
    ]
    return "| " + " | ".join(cells) + " |"


def _step(steps: dict[str, float], part: str) -> tuple[str | None, float | None]:
    """The step whose key contains `part` (the op names may change)."""
    key = next((k for k in steps if part in k), None)
    return key, steps.get(key) if key else None


def agreement_table(results: list[dict]) -> list[str]:
    lines = [
        "| SF | reference | figure | rows pipeline / reference / matched | NULL mismatches | "
        "max abs diff of wert/ist |",
        "|" + "---|" * 6,
    ]
    for r in results:
        for name, ref in (r.get("references") or {}).items():
            for part in (ref.get("agreement") or {}).values():
                for row in part:
                    lines.append(
                        f"| {r['sf']:g} | {name} | {row['code']} | {row['n_pipeline']} "
                        f"/ {row['n_reference']} / {row['matched']} | "
                        f"{row['null_mismatch']} | {_g(row['max_abs_diff'])} |"
                    )
    return lines


def machine() -> str:
    """nproc, memory, CPU model, kernel, load now (the machine the summary was written on)."""
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in _lines("/proc/cpuinfo")
            if ln.startswith("model name")
        ),
        "?",
    )
    mem = next(
        (int(ln.split()[1]) for ln in _lines("/proc/meminfo") if ln.startswith("MemTotal")), 0
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem / 2**20:.1f} GiB RAM, "
        f"Linux {platform.release()}, Python {platform.python_version()}; load now {load}"
    )


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def write_summary(out: Path) -> str:
    results = sorted(
        (json.loads(p.read_text(encoding="utf-8")) for p in out.glob("sf*.json")),
        key=lambda r: r["sf"],
    )
    text = "\n".join(
        [
            "# Benchmark summary",
            "",
            f"Machine: {machine()}",
            "",
            "## Targets of issue 16",
            "",
            *targets_table(results),
            "",
            "## Figures (wall seconds)",
            "",
            *figures_table(results),
            "",
            "## An incremental refresh publishes what a full rebuild publishes",
            "",
            *correctness_table(results),
            "",
            "## Where the time goes (seconds)",
            "",
            *breakdown_table(results),
            "",
            "## Agreement of the references with the pipeline",
            "",
            *agreement_table(results),
            "",
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.md").write_text(text, encoding="utf-8")
    return text
