"""pandera checks on the marts, run as blocking Dagster asset checks after dbt: a mart that
breaks them (a quota over 100 %, a duplicate key, an unknown status) is never published."""

from collections.abc import Iterator

import duckdb
from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, multi_asset_check
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import dbt_models
from orchestration.mart_checks import MART_SCHEMAS, check_mart
from orchestration.resources import WarehouseResource

CHECK_NAME = "pandera_mart_schema"
_KEYS = {name: get_asset_key_for_model([dbt_models], name) for name in sorted(MART_SCHEMAS)}


@multi_asset_check(
    specs=[
        AssetCheckSpec(CHECK_NAME, asset=key, blocking=True, description=f"pandera: {name}")
        for name, key in _KEYS.items()
    ],
)
def mart_schema_checks(warehouse: WarehouseResource) -> Iterator[AssetCheckResult]:
    con = duckdb.connect(str(warehouse.warehouse_path), read_only=True)
    try:
        for name, key in _KEYS.items():
            problems = check_mart(name, con.execute(f"SELECT * FROM marts.{name}").df())
            yield AssetCheckResult(
                asset_key=key,
                check_name=CHECK_NAME,
                passed=not problems,
                severity=AssetCheckSeverity.ERROR,
                metadata={"probleme": len(problems), "details": "\n".join(problems[:50]) or "-"},
            )
    finally:
        con.close()
