"""OUT/summary.md from the per-SF result files: figures, ratios, breakdown, agreement."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

LAYERS = ("staging", "intermediate", "marts", "published")  # dbt folders = groups


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


def _ratio(a: object, b: object) -> str:
    ok = isinstance(a, float | int) and isinstance(b, float | int) and b
    return f"{a / b:.2f}" if ok else "–"


def _noisy(*ms: object) -> str:
    flags = [m.get("noisy") for m in ms if isinstance(m, dict)]
    return "yes" if any(flags) else "no" if flags else "–"


def figures_table(results: list[dict]) -> list[str]:
    head = (
        "| SF | Düss.-eq. | eLB rows | raw MB | generate s | full rebuild s (CPU s) | "
        "monthly s | peak RSS full MB (tree / largest proc) | DuckDB ref s | pandas ref s | "
        "pipeline / DuckDB | pandas / pipeline | monthly / full | noisy |"
    )
    lines = [head, "|" + "---|" * 14]
    for r in results:
        full, mon = r.get("full", {}), r.get("monthly", {})
        ddb, pds = _get(r, "references", "duckdb") or {}, _get(r, "references", "pandas") or {}
        lines.append(
            "| "
            + " | ".join(
                [
                    f"{r['sf']:g}",
                    _f(_get(r, "data", "duesseldorf_equivalents"), 2),
                    _f(_get(r, "data", "rows", "elb_bestand"), 0),
                    _f(_get(r, "data", "raw_mb")),
                    _f(_get(r, "generate", "wall_s")),
                    f"{_f(full.get('wall_s'))} ({_f(full.get('cpu_s'))})" if full else "–",
                    _f(mon.get("wall_s")),
                    f"{_f(full.get('peak_tree_rss_mb'), 0)} / {_f(full.get('max_child_rss_mb'), 0)}"
                    if full
                    else "–",
                    _f(ddb.get("wall_s")),
                    _f(pds.get("wall_s")),
                    _ratio(full.get("wall_s"), ddb.get("wall_s")),
                    _ratio(pds.get("wall_s"), full.get("wall_s")),
                    _ratio(mon.get("wall_s"), full.get("wall_s")),
                    _noisy(full, mon, ddb, pds),
                ]
            )
            + " |"
        )
    return lines


def breakdown_table(results: list[dict]) -> list[str]:
    lines = [
        "| SF | refresh | wall s | start-up | run planning | ingest | dbt step (dbt elapsed) | "
        "dbt: staging / intermediate / facts / marts / tests (thread-s) | "
        "publish (with the mart checks) | tear-down | other | events |",
        "|" + "---|" * 12,
    ]
    for r in results:
        for kind in ("full", "monthly", "noop"):
            b = _get(r, kind, "breakdown")
            if not isinstance(b, dict) or "steps" not in b:
                continue
            steps, cat = b["steps"], _get(b, "dbt", "by_category_s") or {}
            tests = (cat.get("data tests") or 0) + (cat.get("unit tests") or 0)
            dbt_cats = (
                " / ".join(
                    _f(cat.get(k)) for k in ("staging", "intermediate", "marts", "published")
                )
                + f" / {_f(tests)}"
            )
            lines.append(
                "| "
                + " | ".join(
                    [
                        f"{r['sf']:g}",
                        kind,
                        _f(r[kind]["wall_s"]),
                        _f(b.get("startup_s")),
                        _f(b.get("planning_s")),
                        _f(steps.get("raw_deliveries")),
                        f"{_f(steps.get('dbt_models'))} ({_f(_get(b, 'dbt', 'elapsed_s'))})",
                        dbt_cats,
                        _f(steps.get("published__marts_duckdb")),
                        _f(b.get("teardown_s")),
                        _f(b.get("other_s")),
                        _f(b.get("events"), 0),
                    ]
                )
                + " |"
            )
    return lines


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


def reproducibility_lines(results: list[dict]) -> list[str]:
    """The noop refresh rebuilds every model from the monthly refresh's input: the published
    marts must be identical to the bit, with DuckDB's parallel aggregation on every core."""
    out = []
    for r in results:
        a, b = _get(r, "monthly", "marts_hash"), _get(r, "noop", "marts_hash")
        if a and b:
            same = "identical" if a == b else "DIFFERENT"
            out.append(f"- SF {r['sf']:g}: marts.duckdb after monthly and noop refresh: {same}")
    return out or ["- (no monthly + noop pair measured)"]


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
            "## Figures and ratios",
            "",
            *figures_table(results),
            "",
            "## Where the time goes (seconds)",
            "",
            *breakdown_table(results),
            "",
            "## Same input, same figures",
            "",
            *reproducibility_lines(results),
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
