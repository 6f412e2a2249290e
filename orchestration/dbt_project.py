"""The dbt project as Dagster sees it. The manifest is built by the set-up (`zielmonitor
prepare`, `zielmonitor dev`, `zielmonitor refresh`), never at import time."""

from dagster_dbt import DbtProject

from zielmonitor.config import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
