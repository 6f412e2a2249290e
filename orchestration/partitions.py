"""Month partitions: one per Berichtsmonat, keys `YYYY-MM` (SGB II exists since 2005)."""

from dagster import MonthlyPartitionsDefinition

monthly_partitions = MonthlyPartitionsDefinition(start_date="2005-01", fmt="%Y-%m", end_offset=1)
