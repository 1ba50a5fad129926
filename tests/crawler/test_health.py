"""Source health with a loopback publisher that breaks on purpose: each breakage gives one
health alert within two crawls, one recovery message after it heals, and nothing else."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from presswatch.alerts.deliver import build_channels, deliver
from presswatch.config import Config, load_config
from presswatch.crawler.run import CrawlHost
from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from tests.alerts.conftest import WebhookReceiver
from tests.conftest import TestDatabases
from tests.pages import article_page, paragraphs_about

PER_TICK = 4  # articles the publisher publishes between two crawls
EVERY_S = 1.0  # the crawls' schedule: one starts every second (or when the last one ended)


class Ledger:
    """A news site publishing a few articles between crawls, whose breakages are switched on:
    `template` (its pages become script shells), `wall` (every URL answers 403), `empty` (its
    feed lists nothing), `moved` (its feed answers 301 to a new URL), `robots` (robots.txt
    forbids /ledger/news/)."""

    def __init__(self, site: LoopbackSite) -> None:
        self.site = site
        self.slugs: list[tuple[str, datetime]] = []
        self.last_tick = datetime.now(UTC) - timedelta(seconds=2)
        self.broken: str | None = None
        self.serve()

    @property
    def feed_url(self) -> str:
        return self.site.url("/ledger/rss.xml")

    def tick(self) -> None:
        """Publish PER_TICK articles, their times spread evenly since the last tick."""
        now = datetime.now(UTC)
        step = (now - self.last_tick) / PER_TICK
        for i in range(PER_TICK):
            self.slugs.append((f"story-{len(self.slugs)}", self.last_tick + step * (i + 1)))
        self.last_tick = now
        self.serve()

    def serve(self) -> None:
        site, broken = self.site, self.broken
        listed = [] if broken == "empty" else self.slugs
        feed = _rss([(site.url(f"/ledger/news/{slug}.html"), when) for slug, when in listed])
        feed_route = Route(feed.encode(), headers={"Content-Type": "application/rss+xml"})
        if broken == "wall":
            feed_route = Route(b"Forbidden", status=403, conditional=False)
        if broken == "moved":
            site.add("/feeds/ledger.xml", feed_route)
            feed_route = Route(b"", status=301, headers={"Location": site.url("/feeds/ledger.xml")})
        site.add("/ledger/rss.xml", feed_route)
        rules = "Disallow: /ledger/news/\n" if broken == "robots" else "Disallow: /private/\n"
        site.add("/robots.txt", Route(f"User-agent: *\n{rules}".encode()))
        for slug, when in self.slugs:
            path = f"/ledger/news/{slug}.html"
            if broken == "wall":
                site.add(path, Route(b"Forbidden", status=403, conditional=False))
            elif broken == "template":
                site.add_html(path, _script_shell(slug))
            else:
                words = paragraphs_about(f"harbour {slug}", seed=sum(map(ord, slug)))
                page = article_page(
                    f"Harbour news {slug}",
                    words,
                    canonical=site.url(path),
                    published=when.isoformat(),
                )
                site.add_html(path, page)


def _rss(items: list[tuple[str, datetime]]) -> str:
    body = "".join(
        f"<item><title>{url}</title><link>{url}</link><guid>{url}</guid>"
        f"<pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for url, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Ledger'
        f"</title><link>http://example.invalid/</link>{body}</channel></rss>"
    )


def _script_shell(slug: str) -> str:
    """The page after a redesign: the article is drawn by a script, not in the HTML."""
    return (
        f"<html><head><title>{slug}</title></head><body><div id='root'></div>"
        "<script src='/app.js'></script><noscript>Enable JavaScript.</noscript></body></html>"
    )


@pytest.fixture
def ledger(site: LoopbackSite) -> Ledger:
    return Ledger(site)


def _config(tmp_path: Path, url: str, ledger: Ledger, hook: str, follow: bool = False) -> Config:
    path = tmp_path / "presswatch.toml"
    path.write_text(
        f"""
[database]
url = "{url}"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
retries = 0
extract_workers = 1
[health]
notify = ["ops"]
silent_gaps = 2
[[sources]]
name = "ledger"
feeds = ["{ledger.feed_url}"]
follow_moves = {"true" if follow else "false"}
[channels.ops]
type = "webhook"
url = "{hook}"
""",
        encoding="utf-8",
    )
    return load_config(path)


class Crawls:
    """Crawl after crawl in one crawl process, each followed by a delivery."""

    def __init__(self, config: Config, ledger: Ledger, hook: WebhookReceiver) -> None:
        self.config = config
        self.ledger = ledger
        self.hook = hook
        self.repository = Repository(open_database(config.database.url))
        self.channels = build_channels(config)
        self.host = CrawlHost(workers=1)
        self.next_start = time.monotonic()

    def crawl(self) -> None:
        """The next crawl on the schedule (as `presswatch run` with `every = "1s"`); the
        publisher publishes in the meantime."""
        time.sleep(max(0.0, self.next_start - time.monotonic()))
        self.next_start = time.monotonic() + EVERY_S
        self.ledger.tick()
        self.host.crawl(self.config, self.config.sources, timeout_s=120, release_after_s=0.0)
        deliver(self.repository, self.config, self.channels)

    def health_messages(self) -> list[dict[str, str]]:
        bodies = [json.loads(r.body) for r in self.hook.requests]
        return [b for b in bodies if b["event"] == "health"]

    def close(self) -> None:
        self.host.close()
        self.repository.engine.dispose()


@pytest.fixture
def crawls(tmp_path: Path, databases: TestDatabases, ledger: Ledger) -> Iterator[Crawls]:
    # (not the `webhook` fixture: the crawl process's multiprocessing keeps a descriptor open
    # for the test session, which its leak check would take for a leak)
    hook = WebhookReceiver()
    hook.start()
    runs = Crawls(_config(tmp_path, databases.url(), ledger, hook.url), ledger, hook)
    yield runs
    runs.close()
    hook.stop()


def _warm_up(crawls: Crawls) -> None:
    for _ in range(4):
        crawls.crawl()
    assert crawls.health_messages() == []  # a healthy source raises nothing


@pytest.mark.parametrize("breakage", ["template", "wall", "empty", "moved", "robots"])
def test_each_breakage_is_told_once_within_two_crawls_and_its_recovery_once(
    crawls: Crawls, ledger: Ledger, breakage: str
) -> None:
    expected_kind, says = {
        "template": ("yield", "extraction kept 0 of"),
        "wall": ("errors", "(http-403 x"),
        "empty": ("silent", "no new clipping for"),
        "moved": ("moved", "/ledger/rss.xml moved to http://127.0.0.1"),
        "robots": ("robots", "robots.txt now forbids 127.0.0.1/ledger/"),
    }[breakage]
    _warm_up(crawls)
    ledger.broken = breakage
    told_after = None
    for n in range(1, 3):
        crawls.crawl()
        if crawls.health_messages():
            told_after = n
            break
    messages = crawls.health_messages()
    assert told_after is not None, f"no health alert within two crawls of {breakage}"
    assert [(m["kind"], m["state"], m["source"]) for m in messages] == [
        (expected_kind, "open", "ledger")
    ]
    assert messages[0]["message"].startswith("ledger: ")
    assert says in messages[0]["message"], messages[0]["message"]
    # while it lasts, nothing more is told
    crawls.crawl()
    assert len(crawls.health_messages()) == 1
    ledger.broken = None
    for _ in range(2):
        crawls.crawl()
    for _ in range(2):  # healthy again: no more messages
        crawls.crawl()
    states = [(m["kind"], m["state"]) for m in crawls.health_messages()]
    assert states == [(expected_kind, "open"), (expected_kind, "recovered")]
    events = crawls.repository.health.events()
    assert [(e.kind, e.state) for e in events] == [(expected_kind, "recovered")]
    # the outbox holds one health alert per state, both sent
    alerts = crawls.repository.list_alerts()
    assert [(a.event, a.topic, a.health_state, a.status) for a in alerts] == [
        ("health", "ledger", "recovered", "sent"),
        ("health", "ledger", "open", "sent"),
    ]


def test_follow_moves_asks_for_the_feed_at_its_new_url(
    tmp_path: Path, databases: TestDatabases, ledger: Ledger
) -> None:
    hook = WebhookReceiver()
    hook.start()
    config = _config(tmp_path, databases.url(), ledger, hook.url, follow=True)
    crawls = Crawls(config, ledger, hook)
    try:
        _warm_up(crawls)
        ledger.broken = "moved"
        crawls.crawl()
        [opened] = crawls.health_messages()
        assert (opened["kind"], opened["state"]) == ("moved", "open")
        assert "followed from the next crawl on (follow_moves)" in opened["message"]
        old_hits = len(ledger.site.hits_for("/ledger/rss.xml"))
        crawls.crawl()  # asks for the new URL, not the old one
        assert len(ledger.site.hits_for("/ledger/rss.xml")) == old_hits
        assert ledger.site.hits_for("/feeds/ledger.xml")
        assert [(m["kind"], m["state"]) for m in crawls.health_messages()] == [
            ("moved", "open"),
            ("moved", "recovered"),
        ]
        # and the clippings keep coming through the new URL
        before = crawls.repository.count_clippings()
        crawls.crawl()
        assert crawls.repository.count_clippings() == before + PER_TICK
    finally:
        crawls.close()
        hook.stop()
