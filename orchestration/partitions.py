"""Month partitions: one per Berichtsmonat, keys `YYYY-MM` (SGB II exists since 2005)."""

from dagster import MonthlyPartitionsDefinition

from zielmonitor.contract import FIRST_BERICHTSMONAT

monthly_partitions = MonthlyPartitionsDefinition(
    start_date=FIRST_BERICHTSMONAT, fmt="%Y-%m", end_offset=1
)
