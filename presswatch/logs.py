"""Logging setup: one place that decides format and level."""

from __future__ import annotations

import json
import logging
import logging.handlers
from typing import Literal

LogFormat = Literal["text", "json"]

# attributes every LogRecord has; anything else on a record came in through `extra=`
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def record_extras(record: logging.LogRecord) -> dict[str, object]:
    """The `extra=` context attached to a record."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}


class KeyValueFormatter(logging.Formatter):
    """`time level logger: message key=value ...`."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={v}" for k, v in record_extras(record).items())
        return f"{line} {extras}" if extras else line


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update({k: str(v) for k, v in record_extras(record).items()})
        return json.dumps(data, ensure_ascii=False)


def make_formatter(fmt: LogFormat) -> logging.Formatter:
    if fmt == "json":
        return JsonFormatter()
    return KeyValueFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")


def setup_logging(
    level: str = "WARNING", fmt: LogFormat = "text", handler: logging.Handler | None = None
) -> None:
    """Configure the root logger once (stderr unless a handler is given); third-party
    libraries are capped at ERROR: we report failed pages ourselves."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = handler or logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    root.addHandler(handler)
    root.setLevel(level.upper())
    quiet_third_party()


def quiet_third_party() -> None:
    """Scrapy logs every request at INFO/DEBUG; we report failures ourselves."""
    for name in (
        "scrapy",
        "twisted",
        "py.warnings",
        "trafilatura",
        "htmldate",
        "courlan",
        "charset_normalizer",
        "alembic",
        "asyncio",
        "filelock",
        "protego",
        "httpx",  # a line per webhook request; presswatch logs each alert sent or failed
        "httpcore",
    ):
        logging.getLogger(name).setLevel(logging.ERROR)
    # these repeat, with tracebacks, failures that presswatch reports in its own words
    for name in ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


class ParentLogHandler(logging.handlers.QueueHandler):
    """In a child process: sends records to the parent as ("log", record) over a
    multiprocessing queue, with `extra=` values made picklable."""

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        record = super().prepare(record)
        for key, value in record_extras(record).items():
            if not isinstance(value, str | int | float | bool | type(None)):
                setattr(record, key, str(value))
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        self.queue.put_nowait(("log", record))
