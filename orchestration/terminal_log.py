"""A concise Dagster logger for the terminal: each line of a message stamped on a line of its
own, no stack traces (the full event, traceback included, stays in the run's event log in
the Dagster UI)."""

import logging
import sys
import time

from dagster import Field, InitLoggerContext, logger


class _ConciseFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        message = str(meta.get("orig_message") or record.getMessage())
        step = meta.get("step_key") or "run"
        if record.levelno >= logging.ERROR:
            message = message.splitlines()[0]  # the traceback is in the event log
        if message.startswith("Dependencies for step"):
            message = "skipped: an upstream step or a blocking check failed"
        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        # a message of gathered lines (orchestration/log_batch.py): each line as its own
        return "\n".join(f"[{stamp}] {step}: {line}" for line in message.splitlines() or [""])


@logger(
    {"log_level": Field(str, is_required=False, default_value="INFO")},
    description="One concise line per message on stdout (every launch of `refresh`).",
)
def concise_console_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("zielmonitor.run")
    log.setLevel(init_context.logger_config["log_level"])
    log.propagate = False
    # the stdout of the run's start (a handler that followed sys.stdout would write into
    # whatever a library swaps in meanwhile)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_ConciseFormatter())
    log.handlers = [handler]
    return log
