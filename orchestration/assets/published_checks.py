"""The published-mart checks (zielmonitor.publish.checks) as asset checks of the publish.

They run inside the publish step on the staged, suppressed marts file, before it is swapped
in (`zielmonitor.publish.marts`): they check what BI users get, as they get it, and a failed
check means marts.duckdb and the Parquet export stay as they were."""

from collections.abc import Iterable, Mapping, Sequence

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey

from zielmonitor.publish.checks import checked_tables

MARTS_KEY = AssetKey(["published", "marts_duckdb"])
MAX_DETAILS = 50  # messages per check in the event metadata


def check_name(table: str) -> str:
    return f"veroeffentlicht_{table}"


def check_specs(published: Iterable[str]) -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            check_name(t),
            asset=MARTS_KEY,
            blocking=True,
            description=f"{t} as published: contract, key, suppression",
        )
        for t in checked_tables(published)
    ]


def check_results(
    tables: Sequence[str], checks: Mapping[str, Sequence[str]]
) -> list[AssetCheckResult]:
    """One result per table; a table that was not checked at all counts as failed."""
    results = []
    for table in tables:
        problems = list(checks.get(table, [f"{table}: nicht geprüft (Tabelle fehlt)"]))
        results.append(
            AssetCheckResult(
                asset_key=MARTS_KEY,
                check_name=check_name(table),
                passed=not problems,
                severity=AssetCheckSeverity.ERROR,
                metadata={
                    "probleme": len(problems),
                    "details": "\n".join(problems[:MAX_DETAILS]) or "-",
                },
            )
        )
    return results
