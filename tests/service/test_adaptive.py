"""Adaptive polling in `presswatch run` (alone, and with a queue: its crawls on a worker): a
busy feed is polled more often, a static one less."""

from __future__ import annotations

import itertools
import signal
import statistics
import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.models import CrawlRun, Source
from tests.conftest import wait_until
from tests.pages import article_page, paragraphs_about, rss_feed
from tests.service.conftest import Database, Publisher
from tests.service.test_distributed import REDIS_URL, queue_name  # noqa: F401


class BusyFeed:
    """A feed with two new articles at every fetch (it lists only those two)."""

    def __init__(self, site: LoopbackSite, source: str) -> None:
        self.site = site
        self.source = source
        self.published = 0
        self._lock = threading.Lock()

    def __call__(self, _path: str) -> Route:
        with self._lock:
            numbers = (self.published, self.published + 1)
            self.published += 2
        links = []
        for n in numbers:
            path = f"/{self.source}/news/b{n}.html"
            about = f"ferry timetable change {n}"
            page = article_page(
                about, paragraphs_about(about, seed=n), canonical=self.site.url(path)
            )
            self.site.add_html(path, page)
            links.append(self.site.url(path))
        feed = rss_feed(self.source, links).encode()
        return Route(feed, headers={"Content-Type": "application/rss+xml"}, conditional=False)


def poll_intervals(db: Database) -> dict[str, float | None]:
    with db.engine.connect() as c:
        return {name: s for name, s in c.execute(select(Source.name, Source.poll_interval_s))}


def run_starts(db: Database, source: str, after: datetime) -> list[float]:
    """When the source's crawl runs started after `after`, in seconds since then."""
    stmt = (
        select(CrawlRun.started_at)
        .join(Source, Source.id == CrawlRun.source_id)
        .where(Source.name == source, CrawlRun.started_at > after)
        .order_by(CrawlRun.started_at)
    )
    with db.engine.connect() as c:
        return [(started - after).total_seconds() for started in c.scalars(stmt)]


def last_start(db: Database) -> datetime:
    with db.engine.connect() as c:
        latest = c.scalar(select(CrawlRun.started_at).order_by(CrawlRun.started_at.desc()))
    assert latest is not None
    return latest


def gaps(starts: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(starts)]


@pytest.mark.parametrize("mode", ["local", "queue"])
def test_a_busy_feed_is_polled_at_min_every_and_a_static_one_at_every(  # type: ignore[no-untyped-def]
    service_config,
    publisher: Publisher,
    site: LoopbackSite,
    start_service,
    database,
    request: pytest.FixtureRequest,
    mode: str,
) -> None:
    site.add("/busy/rss.xml", BusyFeed(site, "busy"))
    publisher.publish("static", "s1", "harbour dredging plan")
    publisher.publish("static", "s2", "council budget vote")
    # both start at 2 s (midway between 1 s and 4 s on a log scale); [crawl] adaptive turns
    # adaptive polling on for every source
    queue = ""
    if mode == "queue":  # `run` is then a scheduler and a worker, talking through Redis
        queue = f'[queue]\nurl = "{REDIS_URL}"\nname = "{request.getfixturevalue("queue_name")}"'
    config = service_config(publisher, ["busy", "static"], every="4s", extra=queue)
    text = config.read_text().replace("[crawl]\n", "[crawl]\nadaptive = true\n")
    config.write_text(text.replace('every = "4s"\n', 'every = "4s"\nmin_every = "1s"\n'))
    db = database()
    service = start_service(config)
    wait_until(
        lambda: poll_intervals(db) == {"busy": 1.0, "static": 4.0},
        60,
        "the busy source at 1 s and the static one at 4 s",
    )
    service.wait_for_line("crawl busy: polling every 1s now (was 2s)")
    service.wait_for_line("crawl static: polling every 4s now (was 3s)")

    # a reload keeps each source's rhythm
    config.write_text(config.read_text() + '[[topics]]\nname = "ferry"\nquery = "ferry"\n')
    seen = len(service.lines)
    service.signal(signal.SIGHUP)
    service.wait_for_line("config reloaded: 2 source(s), 1 topic(s)", after=seen)
    since = last_start(db)
    wait_until(lambda: len(run_starts(db, "static", since)) >= 3, 60, "three static crawls")
    busy, static = run_starts(db, "busy", since), run_starts(db, "static", since)
    assert service.stop() == 0
    assert poll_intervals(db) == {"busy": 1.0, "static": 4.0}, service.log()
    # the busy source's crawls start closer together than the static one's
    assert len(busy) > len(static), (busy, static)
    assert statistics.median(gaps(busy)) < statistics.median(gaps(static)), (busy, static)
    assert min(gaps(static)) > 3.5, static  # every: 4 s (less its jitter, at most 0.2 s)
    assert "ERROR" not in service.log(), service.log()

    # a restart keeps each source's rhythm: neither job starts from 2 s again
    restarted = start_service(config)
    restarted.wait_for_line("crawl static finished")
    seen = len(restarted.lines)
    restarted.wait_for_line("crawl static finished", after=seen)
    assert restarted.stop() == 0
    assert "polling every" not in restarted.log(), restarted.log()
    assert poll_intervals(db) == {"busy": 1.0, "static": 4.0}, restarted.log()
