"""Distributed mode on this machine: a scheduler and worker processes sharing the local Redis
and one database, crawling a 1,000-page site; one worker killed mid-crawl."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from presswatch.loopback import LoopbackSite, Route
from tests.alerts.conftest import WebhookReceiver
from tests.conftest import TestDatabases, wait_until
from tests.pages import article_page, sitemap
from tests.service.conftest import Database, Service

REDIS_URL = "redis://127.0.0.1:6379/0"
SYLLABLES = ("ka", "lo", "mi", "ren", "tu", "sa", "vel", "dor", "an", "is", "ber", "gul", "on")


def prose(rng: random.Random, marker: str | None) -> list[str]:
    """Five paragraphs of made-up words: far apart by SimHash, so no two fold as copies."""
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(90)]
    paragraphs = []
    for n in range(5):
        sentence = [rng.choice(words) for _ in range(24)]
        if marker and n == 2:
            sentence.insert(5, marker)
        paragraphs.append(" ".join(sentence).capitalize() + ".")
    return paragraphs


class Newsroom:
    """`sources` sections of `per_source` articles each; every third article mentions the
    harbour (the topic)."""

    def __init__(self, site: LoopbackSite, sources: int, per_source: int, delay_s: float) -> None:
        self.site = site
        self.sources = [f"section{n}" for n in range(sources)]
        self.articles: dict[str, str] = {}  # path -> title
        rng = random.Random(5)
        for source in self.sources:
            links = []
            for n in range(per_source):
                path = f"/{source}/{n:04d}.html"
                harbour = len(self.articles) % 3 == 0
                title = f"{source} story {n}" + (" on the harbour" if harbour else "")
                page = article_page(
                    title, prose(rng, "harbour" if harbour else None), canonical=site.url(path)
                )
                site.add_html(path, page, delay_s=delay_s)
                self.articles[path] = title
                links.append(site.url(path))
            site.add(
                f"/{source}/sitemap.xml",
                Route(sitemap(links).encode(), headers={"Content-Type": "application/xml"}),
            )

    def expected_alerts(self) -> set[str]:
        return {title for title in self.articles.values() if "harbour" in title}

    def downloads(self) -> Counter[str]:
        return Counter(path for path in self.site.paths_fetched() if path in self.articles)


def write_config(
    tmp_path: Path, database_url: str, newsroom: Newsroom, queue_name: str, hook_url: str
) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "{s}"\nsitemaps = ["{newsroom.site.url(f"/{s}/sitemap.xml")}"]\n'
        'every = "1h"\n\n'
        for s in newsroom.sources
    )
    path = tmp_path / "presswatch.toml"
    path.write_text(
        f"""
[database]
url = "{database_url}"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
per_domain_concurrency = 4
timeout = 10
[queue]
url = "{REDIS_URL}"
name = "{queue_name}"
worker_timeout = "4s"
[service]
parallel_crawls = 2
{sources}
[[topics]]
name = "harbour"
query = "harbour"
notify = ["ops"]

[channels.ops]
type = "webhook"
url = "{hook_url}"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def queue_name() -> Iterator[str]:
    name = f"pw-test-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)
    client.close()


def start_worker(config: Path) -> Service:
    return Service(config, "worker")


def in_flight(worker: Service) -> set[str]:
    """The sources a worker has started to crawl and not finished, from its log."""
    log = worker.log()
    started = set(re.findall(r"crawl (section\d+) started", log))
    return started - set(re.findall(r"crawl (section\d+) \w+ in ", log))


def alerted(receiver: WebhookReceiver) -> Counter[str]:
    return Counter(c["title"] for r in receiver.requests for c in json.loads(r.body)["clippings"])


def test_a_scheduler_and_three_workers_crawl_1000_pages_once(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    site: LoopbackSite,
    webhook: WebhookReceiver,
    queue_name: str,
    database,
    databases: TestDatabases,
) -> None:
    newsroom = Newsroom(site, sources=10, per_source=100, delay_s=0.0)
    config = write_config(tmp_path, databases.url(), newsroom, queue_name, webhook.url)
    workers = [start_worker(config) for _ in range(3)]
    scheduler = Service(config, "run", "--role", "scheduler")
    db: Database = database()
    try:
        wait_until(lambda: len(db.clippings()) == 1000, 240, "1000 clippings")
        wait_until(lambda: sum(alerted(webhook).values()) >= 334, 60, "every alert")
    finally:
        codes = [scheduler.stop(), *(w.stop() for w in workers)]
    assert codes == [0, 0, 0, 0]
    assert Counter(db.clippings()).most_common(1)[0][1] == 1
    downloads = newsroom.downloads()
    assert len(downloads) == 1000
    assert max(downloads.values()) == 1  # no page downloaded twice
    sent = alerted(webhook)
    assert set(sent) == newsroom.expected_alerts()  # 334 harbour stories
    assert max(sent.values()) == 1  # each alerted once
    # the work was shared
    assert sum(1 for node in workers if "crawl section" in node.log()) >= 2
    assert "ERROR" not in scheduler.log(), scheduler.log()


def test_a_worker_killed_mid_crawl_loses_nothing(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    site: LoopbackSite,
    webhook: WebhookReceiver,
    queue_name: str,
    database,
    databases: TestDatabases,
) -> None:
    newsroom = Newsroom(site, sources=4, per_source=60, delay_s=0.05)
    config = write_config(tmp_path, databases.url(), newsroom, queue_name, webhook.url)
    workers = [start_worker(config) for _ in range(3)]
    db: Database = database()
    command = [sys.executable, "-m", "presswatch", "--config", str(config), "crawl"]
    crawl = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # the first worker to report a crawl in progress is killed, with its whole process
        # group (crawl process and extraction workers): a node gone at once
        wait_until(lambda: len(db.clippings()) >= 40, 120, "the first clippings")
        victim = next(w for w in workers if in_flight(w))
        os.killpg(victim.process.pid, signal.SIGKILL)
        victim.process.wait(10)
        lost_sources = in_flight(victim)
        stored_at_kill = set(db.clippings())
        _, err = crawl.communicate(timeout=240)
    finally:
        survivors = [w for w in workers if w.process.poll() is None]
        codes = [w.stop() for w in survivors]
    assert crawl.returncode == 0, err
    assert codes == [0, 0]
    wait_until(lambda: sum(alerted(webhook).values()) >= 80, 60, "every alert")
    assert sorted(Counter(db.clippings()).values()) == [1] * 240  # every article stored once
    downloads = newsroom.downloads()
    assert len(downloads) == 240
    twice = {path for path, n in downloads.items() if n > 1}
    # only what the dead worker had in flight is downloaded again: pages of the sources it
    # was crawling that it had fetched but not stored yet; nothing it had stored
    assert all(path.split("/")[1] in lost_sources for path in twice), (twice, lost_sources)
    assert not {site.url(path) for path in twice} & stored_at_kill
    # and no more of them than its backlog (2 pages per extraction worker) and its downloads
    # in flight (two crawls at a time, per_domain_concurrency 4, one host) could hold: the
    # backlog fills to its limit, the downloads in flight then may still arrive to it, and
    # as many may be under way when the node dies (13 seen, once, of the 20 this allows)
    extract_workers = os.cpu_count() or 1  # the default: one per core
    downloads_at_once = 2 * 4
    assert len(twice) <= 2 * extract_workers + 2 * downloads_at_once, twice
    sent = alerted(webhook)
    assert set(sent) == newsroom.expected_alerts()
    assert max(sent.values()) == 1
