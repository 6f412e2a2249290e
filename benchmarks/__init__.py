"""Benchmark harness (not part of the pytest suite): `python -m benchmarks.run --help`."""
