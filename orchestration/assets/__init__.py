"""Assets grouped by layer: raw (ingest), the dbt models, publish."""
