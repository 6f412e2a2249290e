"""Zielmonitor: the Dagster code location and the Python around it."""
