"""Zielmonitor: the domain (contract, ingest, publish and suppression, report, CLI); no Dagster."""
