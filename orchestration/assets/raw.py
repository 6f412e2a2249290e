"""Ingest: every delivery of the selected months into the `raw` schema of warehouse.duckdb.

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
    BackfillPolicy,
    MaterializeResult,
    multi_asset,
)

from orchestration.partitions import monthly_partitions
from orchestration.resources import WarehouseResource
from zielmonitor.contract import FILES
from zielmonitor.ingest import IngestResult, ingest

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
            description="Every delivery of the partition satisfies the extract contract.",
        )
        for t in RAW_TABLES
    ],
    partitions_def=monthly_partitions,
    backfill_policy=BackfillPolicy.single_run(),
    can_subset=False,
)
def raw_deliveries(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[MaterializeResult | AssetCheckResult]:
    months = context.partition_keys  # a backfill over a range arrives as one run
    context.log.info(f"Ingest {len(months)} month(s): {months[0]} … {months[-1]}")
    result = ingest(
        warehouse.warehouse_path,
        Path(warehouse.raw_dir),
        months,
        rejections_dir=Path(warehouse.data_dir) / "rejections",
        log=context.log.info,
    )
    for table in RAW_TABLES:
        yield MaterializeResult(asset_key=raw_key(table), metadata=_materialize_metadata(result))
    for table in RAW_TABLES:
        yield _check_result(table, result)


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
