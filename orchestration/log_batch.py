"""Many short lines into the run's log as few messages.

Every message is an event Dagster stores (SQLite: a connection and a commit, 5–9 ms of the
step's thread), and the lines of a refresh (one per dbt model, per delivery loaded, three
per published table) were ≈ 100 of its ≈ 340 events at SF1, 300 at SF100. Gathered, a line
waits at most `every` seconds; the terminal shows each line as before
(orchestration/terminal_log.py)."""

from __future__ import annotations

import time
from collections.abc import Callable

EVERY_S = 2.0


class BatchedLog:
    """`log(line)` gathers; a message goes out when the oldest gathered line is `every`
    seconds old (checked as lines come and by `flush_if_due`), or on `flush`."""

    def __init__(self, log: Callable[[str], None], every: float = EVERY_S) -> None:
        self._log, self._every = log, every
        self._lines: list[str] = []
        self._oldest = 0.0

    def __call__(self, line: str) -> None:
        if not self._lines:
            self._oldest = time.monotonic()
        self._lines.append(line)
        self.flush_if_due()

    def flush_if_due(self) -> None:
        if self._lines and time.monotonic() - self._oldest >= self._every:
            self.flush()

    def flush(self) -> None:
        if self._lines:
            lines, self._lines = self._lines, []
            self._log("\n".join(lines))
