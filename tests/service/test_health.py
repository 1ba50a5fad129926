"""Source health through `presswatch run`, with a loopback publisher that breaks on purpose:
each breakage gives one health alert within two crawls (the service's own 1 s schedule), one
recovery message after it heals, and nothing else."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.models import Alert, CrawlRun, HealthEvent
from tests.alerts.conftest import WebhookReceiver
from tests.conftest import TestDatabases, wait_until
from tests.pages import article_page, paragraphs_about
from tests.service.conftest import Database, Service

PER_FETCH = 4  # articles the publisher has published each time its feed is read
FEED = "/ledger/rss.xml"
MOVED_TO = "/feeds/ledger.xml"


class Ledger:
    """A news site that publishes a few articles between two reads of its feed, and whose
    breakages are switched on: `template` (its pages become script shells), `wall` (every URL
    answers 403), `empty` (its feed lists nothing), `moved` (its feed answers 301 to a new
    URL), `robots` (robots.txt forbids /ledger/news/)."""

    def __init__(self, site: LoopbackSite) -> None:
        self.site = site
        self.slugs: list[tuple[str, datetime]] = []
        self.last_read: datetime | None = None
        self.broken: str | None = None
        self._lock = threading.Lock()
        site.add(FEED, self._feed)
        site.add(MOVED_TO, self._feed)
        self.serve()

    def break_as(self, breakage: str | None) -> None:
        with self._lock:
            self.broken = breakage
            self.serve()

    def _feed(self, path: str) -> Route:
        """The feed, read by a crawl: what was published since the last read is in it, the
        publication times spread evenly over the time between the two reads."""
        with self._lock:
            if self.broken == "moved" and path == FEED:
                return Route(b"", status=301, headers={"Location": self.site.url(MOVED_TO)})
            now = datetime.now(UTC)
            last = self.last_read or now - timedelta(seconds=1)  # as if on the schedule
            step = (now - last) / PER_FETCH
            for i in range(PER_FETCH):
                self.slugs.append((f"story-{len(self.slugs)}", last + step * (i + 1)))
            self.last_read = now
            self.serve()
            if self.broken == "wall":
                return Route(b"Forbidden", status=403, conditional=False)
            listed = [] if self.broken == "empty" else self.slugs
            feed = _rss([(self.site.url(f"/ledger/news/{s}.html"), t) for s, t in listed])
            return Route(feed.encode(), headers={"Content-Type": "application/rss+xml"})

    def serve(self) -> None:
        """The site's pages and robots.txt as the breakage has them (the caller holds the lock,
        or nothing else runs yet)."""
        site, broken = self.site, self.broken
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


class Newsroom:
    """The service watching the ledger, its webhook, and looks into its database."""

    def __init__(self, service: Service, db: Database, hook: WebhookReceiver) -> None:
        self.service = service
        self.db = db
        self.hook = hook

    def messages(self) -> list[dict[str, str]]:
        bodies = [json.loads(r.body) for r in self.hook.requests]
        return [b for b in bodies if b["event"] == "health"]

    def runs(self) -> int:
        with self.db.engine.connect() as c:
            stmt = (
                select(func.count()).select_from(CrawlRun).where(CrawlRun.finished_at.is_not(None))
            )
            return int(c.scalar(stmt) or 0)

    def runs_between(self, start: datetime, end: datetime) -> int:
        """Crawl runs started in (start, end]."""
        with self.db.engine.connect() as c:
            stmt = select(func.count()).where(
                CrawlRun.started_at > start, CrawlRun.started_at <= end
            )
            return int(c.scalar(stmt.select_from(CrawlRun)) or 0)

    def opened_at(self) -> datetime:
        with self.db.engine.connect() as c:
            found = c.scalar(select(HealthEvent.opened_at).order_by(HealthEvent.id))
        assert found is not None
        return found

    def crawls(self, n: int) -> None:
        """Wait for `n` more crawls to end."""
        done = self.runs() + n
        wait_until(lambda: self.runs() >= done, 60, f"{n} more crawls")


@pytest.fixture
def ledger(site: LoopbackSite) -> Ledger:
    return Ledger(site)


@pytest.fixture
def newsroom(
    tmp_path: Path,
    databases: TestDatabases,
    site: LoopbackSite,
    ledger: Ledger,
    start_service: Callable[[Path], Service],
    database: Callable[[], Database],
) -> Iterator[Callable[[bool], Newsroom]]:
    hook = WebhookReceiver()  # (not the `webhook` fixture: its leak check counts the service's)
    hook.start()

    def start(follow_moves: bool = False) -> Newsroom:
        config = tmp_path / "presswatch.toml"
        config.write_text(
            f"""
[database]
url = "{databases.url()}"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
retries = 0
extract_workers = 1
[alerts]
gather = "0s"
[health]
notify = ["ops"]
silent_gaps = 2
[[sources]]
name = "ledger"
feeds = ["{site.url(FEED)}"]
every = "1s"
follow_moves = {"true" if follow_moves else "false"}
[channels.ops]
type = "webhook"
url = "{hook.url}"
""",
            encoding="utf-8",
        )
        service = start_service(config)
        room = Newsroom(service, database(), hook)
        room.crawls(4)  # a healthy source raises nothing
        assert room.messages() == []
        return room

    yield start
    hook.stop()


@pytest.mark.parametrize(
    ("breakage", "kind", "says"),
    [
        ("template", "yield", "extraction kept 0 of"),
        ("wall", "errors", "(http-403 x"),
        ("empty", "silent", "no new clipping for"),
        ("moved", "moved", f"{FEED} moved to http://127.0.0.1"),
        ("robots", "robots", "robots.txt now forbids 127.0.0.1/ledger/"),
    ],
)
def test_each_breakage_is_told_once_within_two_crawls_and_its_recovery_once(
    newsroom: Callable[[bool], Newsroom], ledger: Ledger, breakage: str, kind: str, says: str
) -> None:
    room = newsroom(False)
    broken_at = datetime.now(UTC)
    ledger.break_as(breakage)
    wait_until(lambda: room.messages() != [], 30, f"a health alert after {breakage}")
    [opened] = room.messages()
    assert (opened["kind"], opened["state"], opened["source"]) == (kind, "open", "ledger")
    assert opened["message"].startswith("ledger: ")
    assert says in opened["message"], opened["message"]
    # within two crawls: at most two crawls started between the break and the event
    assert room.runs_between(broken_at, room.opened_at() - timedelta(microseconds=1)) <= 2
    room.crawls(2)  # while it lasts, nothing more is told
    assert len(room.messages()) == 1
    ledger.break_as(None)
    wait_until(lambda: len(room.messages()) == 2, 30, "the recovery message")
    room.crawls(2)  # healthy again: no more messages
    assert room.service.stop() == 0
    assert [(m["kind"], m["state"]) for m in room.messages()] == [
        (kind, "open"),
        (kind, "recovered"),
    ]
    with room.db.engine.connect() as c:
        rows = c.execute(select(HealthEvent.kind, HealthEvent.recovered_at)).all()
        alerts = c.execute(
            select(Alert.event, Alert.topic, Alert.health_state, Alert.status).order_by(Alert.id)
        ).all()
    assert [(k, recovered is not None) for k, recovered in rows] == [(kind, True)]
    # the outbox holds one health alert per state, both sent
    assert [tuple(a) for a in alerts] == [
        ("health", "ledger", "open", "sent"),
        ("health", "ledger", "recovered", "sent"),
    ]
    assert "ERROR" not in room.service.log()


def test_follow_moves_asks_for_the_feed_at_its_new_url(
    newsroom: Callable[[bool], Newsroom], ledger: Ledger, site: LoopbackSite
) -> None:
    room = newsroom(True)
    ledger.break_as("moved")
    wait_until(lambda: room.messages() != [], 30, "the moved feed told")
    [opened] = room.messages()
    assert (opened["kind"], opened["state"]) == ("moved", "open")
    assert "followed from the next crawl on (follow_moves)" in opened["message"]
    wait_until(lambda: len(room.messages()) == 2, 30, "the move's end told")
    assert room.messages()[1]["state"] == "recovered"
    old_hits = len(site.hits_for(FEED))
    new_hits = len(site.hits_for(MOVED_TO))
    room.crawls(2)  # the new URL is asked for; the old one never again
    assert len(site.hits_for(FEED)) == old_hits
    assert len(site.hits_for(MOVED_TO)) >= new_hits + 2
    assert room.service.stop() == 0
    assert len(room.messages()) == 2
