"""Publishing: suppression of small cells, the published-mart checks, marts.duckdb."""
