"""Ingest: every new, changed or vanished delivery into the `raw` schema of warehouse.duckdb.

Not partitioned: the asset works out the pending months itself, comparing the raw folder with
`raw.lieferungen` (`pending_months`), so every launch of `refresh` ingests the same way.

Validate-then-write: a delivery that breaks the contract is not loaded at all. The contract
checks report per raw table as blocking asset checks, so a refresh with a rejected delivery
never feeds dbt and the published marts stay as they were.
"""

from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    multi_asset,
)

from orchestration.log_batch import BatchedLog
from orchestration.resources import WarehouseResource
from zielmonitor.config import Paths
from zielmonitor.contract import FILES
from zielmonitor.ingest import IngestResult, discover, ingest, pending_months

RAW_TABLES: tuple[str, ...] = ("lieferungen", *(f.name for f in FILES))
CHECK_NAME = "vertrag_eingehalten"
MAX_LINES_IN_METADATA = 50


def raw_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


_DESCRIPTIONS = {
    "lieferungen": "One row per loaded delivery (Jobcenter, Berichtsmonat, Stand): the manifest.",
    **{f.name: f"All stands of `{f.name}` as delivered, normalised, with lineage." for f in FILES},
}


@multi_asset(
    specs=[
        AssetSpec(raw_key(t), group_name="raw", description=_DESCRIPTIONS[t], kinds={"duckdb"})
        for t in RAW_TABLES
    ],
    check_specs=[
        AssetCheckSpec(
            CHECK_NAME,
            asset=raw_key(t),
            blocking=True,
            description="Every delivery ingested satisfies the extract contract.",
        )
        for t in RAW_TABLES
    ],
    can_subset=False,
)
def raw_deliveries(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    paths = warehouse.paths
    months = months_to_ingest(paths)
    if months:
        context.log.info(f"Ingest {len(months)} month(s): {months[0]} … {months[-1]}")
    else:
        context.log.info("Ingest: no new, changed or vanished delivery")
    log = BatchedLog(context.log.info)  # a line per delivery: a few messages
    try:
        result = ingest(
            paths.warehouse, paths.raw_dir, months, rejections_dir=paths.rejections_dir, log=log
        )
    finally:
        log.flush()
    for table in RAW_TABLES:
        yield MaterializeResult(asset_key=raw_key(table), metadata=_materialize_metadata(result))
    for table in RAW_TABLES:
        yield _check_result(table, result)


def months_to_ingest(paths: Paths) -> list[str]:
    """Months with a delivery that is new, changed or gone (compared with raw.lieferungen).
    Folder problems are recorded by the ingest whatever the months, and vanished deliveries
    are removed from every month (the ingest's own full discovery)."""
    refs, _ = discover(paths.raw_dir, None)
    return pending_months(paths.warehouse, refs)


def _materialize_metadata(result: IngestResult) -> dict[str, object]:
    return {
        "geladen": len(result.loaded),
        "unveraendert": len(result.unchanged),
        "abgelehnt": len(result.rejected),
        "entfernt": len(result.removed),
        "ordnerfehler": sum(p.is_error for p in result.problems),
    }


def _check_result(table: str, result: IngestResult) -> AssetCheckResult:
    """Errors of this table's file (delivery-level errors and misnamed folders go to
    raw/lieferungen). A folder error fails the check like a rejection: nothing is published
    and the refresh exits non-zero until the folder is fixed."""
    lines: list[str] = []
    for rejection in result.rejected:
        for finding in rejection.errors:
            if _finding_table(finding.file) == table:
                lines.append(f"{rejection.delivery}: {finding.line()}")
    if table == "lieferungen":
        lines += [f"RAW FOLDER {p.line()}" for p in result.problems if p.is_error]
    return AssetCheckResult(
        asset_key=raw_key(table),
        check_name=CHECK_NAME,
        passed=result.ok,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "abgelehnte_lieferungen": len(result.rejected),
            "fehler_dieser_datei": len(lines),
            "fehler": "\n".join(lines[:MAX_LINES_IN_METADATA]) or "-",
        },
    )


def _finding_table(file_name: str | None) -> str:
    if not file_name:
        return "lieferungen"
    stem = Path(file_name).name.split(".")[0]
    return stem if stem in RAW_TABLES else "lieferungen"
