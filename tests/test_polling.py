"""Adaptive polling: the rule, and the interval a crawl run leaves on its source."""

from __future__ import annotations

import pytest

from presswatch.config import CrawlConfig, SourceConfig
from presswatch.counts import CrawlCounts
from presswatch.extractors.article import extract_article
from presswatch.extractors.options import ExtractOptions
from presswatch.ingest import add_clipping
from presswatch.model import Article
from presswatch.polling import (
    adjust_poll_interval,
    current_interval_s,
    format_interval,
    next_interval_s,
    schedule_text,
    start_interval_s,
)
from presswatch.storage.repository import Repository
from tests.pages import article_page, paragraphs_about

LOW, HIGH = 300.0, 3600.0  # min_every = "5m", every = "1h"
LATER_RUN = 10**9  # the id of a run after all the others
ADAPTIVE = CrawlConfig(adaptive=True)


def source(**options: object) -> SourceConfig:
    return SourceConfig.model_validate(
        {"name": "gazette", "feeds": ("https://gazette.example/rss.xml",), **options}
    )


def counts(discovered: int = 0, known: int = 0, stored: int = 0, **more: int) -> CrawlCounts:
    return CrawlCounts(discovered=discovered, known=known, stored=stored, **more)


@pytest.mark.parametrize(
    ("current", "crawl", "expected"),
    [
        (1200.0, counts(20, 10, 10), 600.0),  # half the links new: twice as often
        (1200.0, counts(4, 0, 4), 600.0),  # all new
        (1200.0, counts(20, 15, 5), 1200.0),  # some new: stays
        (1200.0, counts(20, 20, 0), 1800.0),  # none new: half as often again
        (1200.0, counts(0, not_modified=1), 1800.0),  # the feed answered 304
        (400.0, counts(10, 0, 10), LOW),  # never below min_every
        (3000.0, counts(10, 10, 0), HIGH),  # never above every
        (HIGH, counts(10, 10, 0), HIGH),
        (LOW, counts(10, 0, 10), LOW),
        (7200.0, counts(20, 15, 5), HIGH),  # every shortened since: within the new bounds
        # links that are never stored (not articles, failed pages) are found, as new, by
        # every crawl: no news, so a feed listing them still backs off
        (1200.0, counts(10, 7, 0, not_articles=2, errors=1, fetched=3), 1800.0),
        # no link found because the feed failed: nothing learned, the interval stays
        (1200.0, counts(0, errors=1), 1200.0),
    ],
)
def test_the_interval_follows_the_share_of_new_links(
    current: float, crawl: CrawlCounts, expected: float
) -> None:
    assert next_interval_s(current, crawl, LOW, HIGH) == expected


@pytest.mark.parametrize("status", ["failed", "interrupted"])
def test_a_crawl_that_did_not_finish_leaves_the_interval_as_is(status: str) -> None:
    assert next_interval_s(1200.0, counts(10, 10, 0), LOW, HIGH, status=status) == 1200.0
    assert next_interval_s(1200.0, counts(10, 0, 10), LOW, HIGH, status=status) == 1200.0


def test_a_sources_first_crawl_does_not_speed_it_up() -> None:
    # every link is new on the first crawl: that says nothing about how busy the source is
    assert next_interval_s(1200.0, counts(30, 0, 30), LOW, HIGH, is_first=True) == 1200.0
    assert next_interval_s(1200.0, counts(30, 0, 30), LOW, HIGH) == 600.0
    # a first crawl that stored nothing is as quiet as any other
    assert next_interval_s(1200.0, counts(5, 0, 0), LOW, HIGH, is_first=True) == 1800.0


def test_a_static_feed_backs_off_to_every_and_a_busy_one_speeds_up_to_min_every() -> None:
    start = start_interval_s(LOW, HIGH)
    assert LOW < start < HIGH
    static = busy = start
    for _ in range(10):
        static = next_interval_s(static, counts(20, 20, 0), LOW, HIGH)
        busy = next_interval_s(busy, counts(20, 8, 12), LOW, HIGH)
    assert (static, busy) == (HIGH, LOW)
    # both bounds are a few crawls away from the start: 4 quiet ones, 2 busy ones
    steps = [start]
    while steps[-1] < HIGH:
        steps.append(next_interval_s(steps[-1], counts(20, 20, 0), LOW, HIGH))
    assert len(steps) - 1 == 4
    steps = [start]
    while steps[-1] > LOW:
        steps.append(next_interval_s(steps[-1], counts(4, 0, 4), LOW, HIGH))
    assert len(steps) - 1 == 2


@pytest.mark.parametrize(
    ("options", "crawl", "stored", "expected"),
    [
        ({"every": "1h", "min_every": "5m"}, ADAPTIVE, None, start_interval_s(LOW, HIGH)),
        ({"every": "1h", "min_every": "5m"}, ADAPTIVE, 450.0, 450.0),
        ({"every": "1h", "min_every": "5m"}, ADAPTIVE, 60.0, LOW),  # min_every raised since
        ({"every": "20m", "min_every": "5m"}, ADAPTIVE, 3600.0, 1200.0),  # every lowered
        ({"every": "1h"}, ADAPTIVE, None, 1800.0),  # min_every: a quarter of every
        ({"every": "1h", "adaptive": True}, CrawlConfig(), 450.0, 900.0),
        ({"every": "1h"}, CrawlConfig(), 450.0, None),  # not adaptive: its every counts
        ({"every": "1h", "adaptive": False}, ADAPTIVE, 450.0, None),
        ({"cron": "*/15 * * * *"}, ADAPTIVE, None, None),  # a cron schedule never moves
    ],
)
def test_the_current_interval(
    options: dict[str, object], crawl: CrawlConfig, stored: float | None, expected: float | None
) -> None:
    assert current_interval_s(source(**options), crawl, stored) == expected


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (1.0, "1s"),
        (1.5, "1.5s"),
        (59.0, "59s"),
        (90.0, "1m30s"),
        (450.0, "7m30s"),
        (3600.0, "1h"),
        (4050.0, "1h7m30s"),
        (90000.0, "1d1h"),
    ],
)
def test_intervals_read_as_durations(seconds: float, text: str) -> None:
    assert format_interval(seconds) == text


def test_the_schedule_of_an_adaptive_source_shows_its_interval_and_bounds() -> None:
    adaptive = source(every="1h", min_every="5m", adaptive=True)
    assert schedule_text(adaptive, 450.0) == "every 7m30s (adaptive 5m-1h)"
    assert schedule_text(source(every="15m"), None) == "every 15m"


def _article(url: str) -> Article:
    topic = f"harbour story {url.rsplit('/', 1)[1]}"
    page = article_page(topic, paragraphs_about(topic, seed=sum(map(ord, url))))
    article = extract_article(page, url, ExtractOptions())
    assert isinstance(article, Article)
    return article


def _crawl(repository: Repository, crawl: CrawlCounts, status: str = "finished") -> float | None:
    """A crawl run of the gazette with these counts; the interval it leaves."""
    config = source(every="1h", min_every="5m", adaptive=True)
    run_id = repository.start_run("gazette")
    for n in range(crawl.stored):  # what the run stored, as the crawl stores it
        url = f"https://gazette.example/{run_id}-{n}"
        add_clipping(repository, repository.source_id("gazette"), run_id, _article(url), [url])
    repository.finish_run(run_id, crawl, status)
    interval = adjust_poll_interval(repository, CrawlConfig(), config, run_id, crawl, status)
    assert repository.poll_interval("gazette") == interval
    return interval


def test_each_crawl_run_leaves_the_sources_interval_in_the_database(
    repository: Repository,
) -> None:
    start = start_interval_s(LOW, HIGH)  # ~17m19s
    assert repository.poll_interval("gazette") is None
    # the first run stores everything it finds: the source starts where adaptive polling does
    assert _crawl(repository, counts(4, 0, 4)) == start
    assert repository.has_clippings_before("gazette", LATER_RUN)
    assert _crawl(repository, counts(6, 2, 4)) == start / 2  # busy
    assert _crawl(repository, counts(6, 6, 0), status="failed") == start / 2
    assert _crawl(repository, counts(6, 6, 0)) == start * 0.75  # quiet
    assert repository.poll_intervals() == {"gazette": start * 0.75}
    # a source that is not adaptive keeps no interval
    run_id = repository.start_run("courier")
    quiet = counts(3, 3, 0)
    not_adaptive = source(every="1h")
    interval = adjust_poll_interval(
        repository, CrawlConfig(), not_adaptive, run_id, quiet, "finished"
    )
    assert interval is None
    assert repository.poll_interval("courier") is None
    assert repository.poll_intervals() == {"gazette": start * 0.75}


def test_a_run_that_follows_only_failed_runs_is_a_first_crawl(repository: Repository) -> None:
    start = start_interval_s(LOW, HIGH)
    assert _crawl(repository, counts(0, errors=1), status="failed") == start
    assert not repository.has_clippings_before("gazette", LATER_RUN)
    assert _crawl(repository, counts(5, 0, 5)) == start  # everything new: not a busy source
