"""dagster-dbt writes every dbt event it streams to sys.stdout (0.29: unconditionally, in
`DbtCliInvocation.stream_raw_events`). `dbt_events` turns that echo into Dagster log
messages instead, so it reaches the terminal through the run's loggers (the concise one for
every launch, `launch.refresh_run`): one line per model, warning or error; the per-node
START and PASS lines are dropped (the run's dbt.log and the asset checks keep them)."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
NOISE = re.compile(r"^\d+ of \d+ (START|PASS) ")


class _EchoToLog(io.TextIOBase):
    """A text stream that hands every complete line (but the noise) to `log`."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log, self._buffer = log, ""

    def write(self, text: str) -> int:
        self._buffer += text
        *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            if line.strip() and not NOISE.match(line):
                self._log(line)
        return len(text)


def dbt_events(events: Iterator[T], log: Callable[[str], None]) -> Iterator[T]:
    """The events of `events`, with stdout redirected only while the next one is produced:
    Dagster's own code (event storage, loggers) never runs with the redirect in place."""
    echo = _EchoToLog(log)
    while True:
        with contextlib.redirect_stdout(echo):
            event = next(events, None)
        if event is None:
            return
        yield event
