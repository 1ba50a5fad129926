"""The next run of a source, from `every` or `cron` and its last crawl."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from presswatch.config import SourceConfig
from presswatch.web.schedule import next_cron_time, next_run

NOW = datetime(2026, 11, 29, 10, 7, tzinfo=UTC)  # a Sunday
FEED = ("https://example.org/rss.xml",)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def source(**settings: object) -> SourceConfig:
    return SourceConfig.model_validate({"name": "a", "feeds": FEED, **settings})


@pytest.mark.parametrize(
    ("configured", "last", "expected"),
    [
        (source(every="30m"), at(29, 10), at(29, 10, 30)),
        (source(), at(29, 9, 30), at(29, 10, 30)),  # every = "1h" when neither is set
        (source(every="15m"), at(28), NOW),  # overdue: due now
        (source(every="15m"), None, NOW),  # never crawled
        (source(cron="0 6 * * *"), None, at(30, 6)),
        (source(every="15m", enabled=False), None, None),
        (None, at(29), None),  # in the database, not configured any more
    ],
)
def test_next_run(
    configured: SourceConfig | None, last: datetime | None, expected: datetime | None
) -> None:
    assert next_run(configured, last, NOW) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/15 * * * *", datetime(2026, 11, 29, 10, 15, tzinfo=UTC)),
        ("7 10 * * *", datetime(2026, 11, 30, 10, 7, tzinfo=UTC)),  # not this very minute
        ("0 8 * * 1-5", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),  # Monday
        ("0 8 * * sat", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
        ("0 0 1 * *", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        ("0 0 15 * 1", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),  # the 15th or a Monday
        ("30 9 29 2 *", datetime(2028, 2, 29, 9, 30, tzinfo=UTC)),
        ("0 12 * jan *", datetime(2027, 1, 1, 12, 0, tzinfo=UTC)),
        ("0 24 * * *", None),
        ("0 0 31 2 *", None),
    ],
)
def test_next_cron_time(expression: str, expected: datetime | None) -> None:
    assert next_cron_time(expression, NOW) == expected
