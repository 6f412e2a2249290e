"""Lines gathered into few messages of the run's log (orchestration/log_batch.py), each line
stamped on the terminal (orchestration/terminal_log.py)."""

from __future__ import annotations

import logging

import pytest

from orchestration import log_batch
from orchestration.log_batch import BatchedLog
from orchestration.terminal_log import _ConciseFormatter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(log_batch.time, "monotonic", clock)
    return clock


def test_lines_go_out_together_once_the_oldest_is_due(clock: Clock) -> None:
    sent: list[str] = []
    log = BatchedLog(sent.append, every=2.0)
    log("1 of 3 OK created a")
    clock.now += 1.5
    log("2 of 3 OK created b")
    assert sent == []
    clock.now += 0.5  # the first line is 2 s old
    log("3 of 3 OK created c")
    assert sent == ["1 of 3 OK created a\n2 of 3 OK created b\n3 of 3 OK created c"]


def test_a_due_line_goes_out_while_nothing_else_comes(clock: Clock) -> None:
    sent: list[str] = []
    log = BatchedLog(sent.append, every=2.0)
    log("building fct_elb_bestand")
    log.flush_if_due()
    assert sent == []
    clock.now += 2.0
    log.flush_if_due()
    log.flush_if_due()
    assert sent == ["building fct_elb_bestand"]


def test_flush_sends_what_is_left_and_nothing_twice(clock: Clock) -> None:
    sent: list[str] = []
    log = BatchedLog(sent.append)
    log.flush()
    log("published ziele: 27 rows")
    log.flush()
    log.flush()
    assert sent == ["published ziele: 27 rows"]


def test_the_terminal_stamps_each_line_of_a_message() -> None:
    record = logging.LogRecord("zielmonitor.run", logging.INFO, "", 0, "a\nb", None, None)
    record.dagster_meta = {"orig_message": "a\nb", "step_key": "dbt_models"}
    lines = _ConciseFormatter().format(record).splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["dbt_models: a", "dbt_models: b"]
    assert all(line.startswith("[") for line in lines)
