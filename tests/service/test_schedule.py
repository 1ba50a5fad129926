"""When a source is due: after its last run, once after a missed run, spread after a restart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from presswatch.config import SourceConfig
from presswatch.counts import CrawlCounts
from presswatch.cron import cron_trigger, cron_weekdays
from presswatch.errors import ConfigError
from presswatch.next_run import due_at, next_run
from presswatch.scheduler import first_run, spread_s
from tests.conftest import opened_repository

NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
WIDE = {**os.environ, "COLUMNS": "200"}  # the status table on one line a row


def source(**schedule: str) -> SourceConfig:
    return SourceConfig.model_validate(
        {"name": "s", "feeds": ("https://example.org/rss.xml",), **schedule}
    )


def test_an_interval_source_is_due_one_interval_after_its_last_run_started() -> None:
    every_15m = source(every="15m")
    assert due_at(every_15m, NOW - timedelta(minutes=5), NOW) == NOW + timedelta(minutes=10)
    assert first_run(every_15m, NOW - timedelta(minutes=5), NOW) == NOW + timedelta(minutes=10)
    assert due_at(every_15m, None, NOW) == NOW  # never crawled: due now


def test_a_run_missed_while_down_happens_once_soon_spread_over_a_short_window() -> None:
    every_15m = source(every="15m")
    last = NOW - timedelta(hours=7)  # 28 slots missed
    assert due_at(every_15m, last, NOW) < NOW
    assert spread_s(every_15m) == 60.0  # min(interval / 2, 60 s)
    assert first_run(every_15m, last, NOW, rng=lambda: 0.0) == NOW
    assert first_run(every_15m, last, NOW, rng=lambda: 0.5) == NOW + timedelta(seconds=30)
    starts = {first_run(every_15m, last, NOW) for _ in range(50)}
    assert all(NOW <= s <= NOW + timedelta(seconds=60) for s in starts)
    assert len(starts) > 40  # spread, not all at the same moment
    # a short interval spreads over half of itself
    every_2s = source(every="2s")
    assert spread_s(every_2s) == 1.0
    assert first_run(every_2s, NOW - timedelta(minutes=1), NOW, rng=lambda: 1.0) == NOW + (
        timedelta(seconds=1)
    )


def test_a_cron_source_is_due_at_the_next_cron_time_after_its_last_run() -> None:
    quarter_hours = source(cron="*/15 * * * *")
    last = datetime(2026, 11, 29, 11, 50, 10, tzinfo=UTC).astimezone()
    due = due_at(quarter_hours, last, NOW)
    assert due.astimezone(UTC) == datetime(2026, 11, 29, 12, 0, 0, tzinfo=UTC)
    # down since 09:50: overdue, runs once now-ish
    long_ago = datetime(2026, 11, 29, 9, 50, tzinfo=UTC)
    assert due_at(quarter_hours, long_ago, NOW) < NOW
    assert NOW <= first_run(quarter_hours, long_ago, NOW) <= NOW + timedelta(seconds=60)


def test_an_adaptive_source_is_due_one_interval_it_is_polled_at_after_its_last_run() -> None:
    adaptive = SourceConfig(
        name="s", feeds=("https://example.org/rss.xml",), every="1h", adaptive=True
    )
    last = NOW - timedelta(minutes=5)
    assert due_at(adaptive, last, NOW, 450.0) == NOW + timedelta(seconds=150)
    assert next_run(adaptive, last, NOW, 450.0) == NOW + timedelta(seconds=150)
    assert first_run(adaptive, last, NOW, interval_s=450.0) == NOW + timedelta(seconds=150)
    assert due_at(adaptive, last, NOW) == NOW + timedelta(minutes=55)  # without: its every
    # overdue after a restart: spread over half the interval it is polled at (at most 60 s)
    assert spread_s(adaptive, 2.0) == 1.0
    assert spread_s(adaptive, 450.0) == 60.0
    overdue = first_run(adaptive, NOW - timedelta(hours=1), NOW, lambda: 1.0, interval_s=2.0)
    assert overdue == NOW + timedelta(seconds=1)


@pytest.mark.parametrize("expr", ["61 * * * *", "* * * * * *", "every day", "*/0 * * * *"])
def test_a_bad_cron_expression_is_a_config_error_naming_the_key(write_config, expr: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as error:
        write_config(
            f'[[sources]]\nname = "s"\nfeeds = ["https://example.org/rss.xml"]\ncron = "{expr}"\n'
        )
    assert "sources[0].cron" in str(error.value)
    assert "cron expression" in str(error.value)


def test_status_shows_each_sources_last_and_next_crawl_and_the_outbox(  # type: ignore[no-untyped-def]
    tmp_path: Path, site, write_config
) -> None:
    from tests.service.conftest import Publisher

    publisher = Publisher(site)
    publisher.publish("gazette", "g1", "harbour dredging plan")
    publisher.publish("gazette", "g2", "council budget vote")
    config = write_config(
        f'[[sources]]\nname = "gazette"\nfeeds = ["{publisher.feed_url("gazette")}"]\n'
        'every = "15m"\n\n'
        '[[sources]]\nname = "later"\nfeeds = ["https://example.org/rss.xml"]\n'
        'cron = "0 8 * * *"\n'
    )
    command = [sys.executable, "-m", "presswatch", "--config", str(config.path)]
    crawled = subprocess.run(
        [*command, "crawl", "gazette"], capture_output=True, text=True, timeout=120, check=False
    )
    assert crawled.returncode == 0, crawled.stderr
    shown = subprocess.run(
        [*command, "status", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(shown.stdout)
    gazette, later = report["sources"]
    assert gazette["name"] == "gazette"
    assert gazette["schedule"] == "every 15m"
    assert gazette["last_run"]["status"] == "finished"
    assert gazette["last_run"]["new_clippings"] == 2
    assert gazette["last_run"]["errors"] == 0
    started = datetime.fromisoformat(gazette["last_run"]["started"])
    assert datetime.fromisoformat(gazette["next_run"]) == started + timedelta(minutes=15)
    assert gazette["overdue"] is False
    assert gazette["last_new_clipping"] is not None
    assert later["last_run"] is None
    assert later["schedule"] == "cron 0 8 * * *"
    assert datetime.fromisoformat(later["next_run"]).astimezone().hour == 8
    assert report["outbox"] == {"pending": 0, "failed": 0, "sent": 0}
    table = subprocess.run(
        [*command, "status"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "gazette" in table
    assert "finished" in table
    assert "never" in table
    assert "outbox: 0 pending, 0 failed, 0 sent" in table


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("*", "*"),
        ("1", "mon"),  # APScheduler alone would read 1 as Tuesday
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("mon-fri", "mon,tue,wed,thu,fri"),
        ("0,6", "sun,sat"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("1/3", "mon,thu"),
    ],
)
def test_cron_weekdays_are_read_as_cron_reads_them(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


def test_a_monday_cron_fires_on_monday() -> None:
    trigger = cron_trigger("0 8 * * 1")
    saturday = datetime(2026, 11, 28, 12, 0).astimezone()
    fire = trigger.get_next_fire_time(None, saturday)
    assert fire.weekday() == 0  # Monday
    assert fire.hour == 8


SUNDAY = datetime(2026, 11, 29, 10, 7, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("configured", "last", "expected"),
    [
        (source(every="30m"), at(29, 10), at(29, 10, 30)),
        (source(), at(29, 9, 30), at(29, 10, 30)),  # every = "1h" when neither is set
        (source(every="15m"), at(28), SUNDAY),  # overdue: due now
        (source(every="15m"), None, SUNDAY),  # never crawled
        (SourceConfig(name="s", feeds=("https://example.org/rss.xml",), enabled=False), None, None),
        (None, at(29), None),  # in the database, not configured any more
    ],
)
def test_next_run_as_status_and_the_review_page_show_it(
    configured: SourceConfig | None, last: datetime | None, expected: datetime | None
) -> None:
    assert next_run(configured, last, SUNDAY) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("*/15 * * * *", datetime(2026, 11, 29, 10, 15, tzinfo=UTC)),
        ("7 10 * * *", datetime(2026, 11, 30, 10, 7, tzinfo=UTC)),  # not this very minute
        ("0 8 * * 1-5", datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),  # Monday
        ("0 8 * * sat", datetime(2026, 12, 5, 8, 0, tzinfo=UTC)),
        ("0 0 1 * *", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),
        ("0 0 15 * 1", datetime(2026, 11, 30, 0, 0, tzinfo=UTC)),  # the 15th, or a Monday
        ("0 0 1 * 3", datetime(2026, 12, 1, 0, 0, tzinfo=UTC)),  # the 1st (a Tuesday) comes first
        ("30 9 29 2 *", datetime(2028, 2, 29, 9, 30, tzinfo=UTC)),
        ("0 12 * jan *", datetime(2027, 1, 1, 12, 0, tzinfo=UTC)),
    ],
)
def test_cron_fires_when_cron_would(expression: str, expected: datetime) -> None:
    after = SUNDAY + timedelta(seconds=1)  # a trigger may fire at `after` itself
    fire = cron_trigger(expression, timezone=UTC).get_next_fire_time(None, after)
    assert fire == expected


@pytest.mark.parametrize("expression", ["0 24 * * *", "0 0 32 * *", "0 0 * 13 *"])
def test_impossible_cron_fields_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - APScheduler's messages vary
        cron_trigger(expression)


def test_status_shows_the_interval_an_adaptive_source_is_polled_at(  # type: ignore[no-untyped-def]
    write_config,
) -> None:
    config = write_config(
        "[crawl]\nadaptive = true\n\n"
        '[[sources]]\nname = "gazette"\nfeeds = ["https://gazette.example/rss.xml"]\n'
        'every = "1h"\nmin_every = "5m"\n\n'
        '[[sources]]\nname = "courier"\nfeeds = ["https://courier.example/rss.xml"]\n'
        'every = "1h"\n\n'
        '[[sources]]\nname = "ledger"\nfeeds = ["https://ledger.example/rss.xml"]\n'
        'every = "15m"\nadaptive = false\n'
    )
    with opened_repository(config.database.url) as repository:
        for name in ("gazette", "ledger"):
            run_id = repository.start_run(name)
            repository.finish_run(run_id, CrawlCounts(), "finished")
        repository.set_poll_interval("gazette", 450.0)
        repository.set_poll_interval("ledger", 60.0)  # from when it was adaptive: not used
    command = [sys.executable, "-m", "presswatch", "--config", str(config.path), "status"]
    shown = subprocess.run(
        [*command, "--format", "json"], capture_output=True, text=True, timeout=60, check=True
    )
    gazette, courier, ledger = json.loads(shown.stdout)["sources"]
    assert gazette["schedule"] == "every 7m30s (adaptive 5m-1h)"
    assert gazette["interval_s"] == 450.0
    assert gazette["adaptive"] == {"min_every_s": 300.0, "every_s": 3600.0}
    started = datetime.fromisoformat(gazette["last_run"]["started"])
    assert datetime.fromisoformat(gazette["next_run"]) == started + timedelta(seconds=450)
    # never crawled: it starts midway between min_every (a quarter of every) and every
    assert courier["schedule"] == "every 30m (adaptive 15m-1h)"
    assert courier["interval_s"] == 1800.0
    assert ledger["schedule"] == "every 15m"
    assert ledger["interval_s"] == 900.0
    assert ledger["adaptive"] is None
    started = datetime.fromisoformat(ledger["last_run"]["started"])
    assert datetime.fromisoformat(ledger["next_run"]) == started + timedelta(minutes=15)
    table = subprocess.run(
        command, capture_output=True, text=True, timeout=60, check=True, env=WIDE
    ).stdout
    assert "every 7m30s (adaptive 5m-1h)" in table
    assert "every 30m (adaptive 15m-1h)" in table
