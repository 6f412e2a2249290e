"""Session set-up shared by all tests: dbt's manifest must exist before Dagster code imports."""

import os

import pytest

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # xdist worker: the controller prepared it already
        return
    from zielmonitor.pipeline import prepare_dbt

    prepare_dbt(log=lambda _: None)
