"""Backpressure and fairness in a real crawl: the pages downloaded and not stored stay bounded
when extraction is the slow part, and one slow host does not hold back the pages of others."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from presswatch.config import Config
from presswatch.crawler.run import run_crawl
from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.repository import Repository
from tests.conftest import opened_repository, wait_until
from tests.pages import article_page, paragraphs_about, sitemap

XML = {"Content-Type": "application/xml"}


def _stored(config: Config) -> int:
    with opened_repository(config.database.url) as repository:
        return repository.count_clippings()


def test_downloads_wait_for_extraction_and_storage(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    """One extraction worker, eight downloads at a time, 40 pages that loopback serves far
    faster than they are extracted: whenever a page is asked for, the pages served before it
    and not yet stored are at most the backlog (2 per worker) and the downloads in flight."""
    workers, concurrency = 1, 8
    over: list[int] = []  # pages served and not stored, seen as each page is asked for
    served = 0
    lock = threading.Lock()
    repository: list[Repository] = []  # opened once the config names the database

    def page(n: int) -> Callable[[str], Route]:
        # long pages: each takes the worker far longer to extract than loopback to serve
        paragraphs = [p for k in range(30) for p in paragraphs_about(f"harbour {n}", seed=n + k)]
        html = article_page(f"Harbour story {n}", paragraphs)

        def answer(path: str) -> Route:
            nonlocal served
            stored = repository[0].count_clippings()
            with lock:
                over.append(served - stored)
                served += 1
            return Route(html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

        return answer

    links = []
    for n in range(40):
        site.add(f"/news/{n}.html", page(n))
        links.append(site.url(f"/news/{n}.html"))
    site.add("/sitemap.xml", Route(sitemap(links).encode(), headers=XML))
    config = write_config(f"""
[crawl]
autothrottle = false
concurrency = {concurrency}
per_domain_concurrency = {concurrency}
extract_workers = {workers}
[[sources]]
name = "harbour"
sitemaps = ["{site.url("/sitemap.xml")}"]
""")
    with opened_repository(config.database.url) as opened:
        repository.append(opened)
        summary = run_crawl(config, config.sources)
    (result,) = summary.results
    assert result.counts.stored == 40
    # the CPU time of each stage, by the process it ran in (what the benchmark breaks down)
    stages = summary.stage_cpu_s
    assert {"crawl:storage", "worker:extraction", "worker:matching"} <= stages.keys()
    assert stages["worker:extraction"] > stages["crawl:storage"] > 0
    # the backlog and the downloads under way beside it (without the bound: 35 of 40)
    assert max(over) <= 2 * workers + concurrency, over


def test_downloads_overlap_when_the_host_is_the_slow_part(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    """Pages that take the host long to answer and the worker little to extract: the window
    of downloads beside the backlog (2 pages with one worker) grows until the host's own
    limit is what holds them, so the crawl is not paced by one page at a time."""
    per_host = 8
    links = []
    for n in range(40):
        html = article_page(f"Ferry story {n}", paragraphs_about(f"ferry {n}", seed=n))
        site.add_html(f"/news/{n}.html", html, delay_s=0.3)
        links.append(site.url(f"/news/{n}.html"))
    site.add("/sitemap.xml", Route(sitemap(links).encode(), headers=XML))
    config = write_config(f"""
[crawl]
autothrottle = false
concurrency = {per_host}
per_domain_concurrency = {per_host}
extract_workers = 1
[[sources]]
name = "ferries"
sitemaps = ["{site.url("/sitemap.xml")}"]
""")
    (result,) = run_crawl(config, config.sources).results
    assert result.counts.stored == 40
    # with the window stuck at its start, at most 2 + 2 pages would be in flight
    assert site.max_in_flight == per_host


@pytest.fixture
def slow_host() -> Iterator[tuple[LoopbackSite, threading.Event]]:
    """A second host (127.0.0.2) whose pages are answered only once the event is set."""
    release = threading.Event()
    with LoopbackSite(host="127.0.0.2") as site:
        yield site, release
        release.set()  # no request thread is left waiting


def test_a_slow_host_does_not_hold_back_the_others(
    site: LoopbackSite,
    slow_host: tuple[LoopbackSite, threading.Event],
    write_config: Callable[[str], Config],
) -> None:
    """A sitemap lists 20 pages on a host that does not answer and 20 on one that does: the
    downloads stuck on the slow host may not take every download slot, so all 20 pages of
    the fast host are stored while the slow one still keeps its answers."""
    slow, release = slow_host

    def held(html: str) -> Callable[[str], Route]:
        def answer(path: str) -> Route:
            release.wait(120)
            return Route(html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

        return answer

    fast_links, slow_links = [], []
    for n in range(20):
        fast_html = article_page(f"Ferry story {n}", paragraphs_about(f"ferry {n}", seed=n))
        site.add_html(f"/news/{n}.html", fast_html)
        fast_links.append(site.url(f"/news/{n}.html"))
        slow_html = article_page(f"Tram story {n}", paragraphs_about(f"tram {n}", seed=100 + n))
        slow.add(f"/news/{n}.html", held(slow_html))
        slow_links.append(slow.url(f"/news/{n}.html"))
    slow.add("/robots.txt", Route(b"User-agent: *\nAllow: /\n"))
    # the slow host's pages are listed last: a last-in-first-out queue takes them first
    site.add("/sitemap.xml", Route(sitemap(fast_links + slow_links).encode(), headers=XML))
    config = write_config(f"""
[crawl]
concurrency = 4
per_domain_concurrency = 2
[[sources]]
name = "mixed"
sitemaps = ["{site.url("/sitemap.xml")}"]
""")
    crawl = threading.Thread(target=run_crawl, args=(config, config.sources))
    crawl.start()
    try:
        wait_until(lambda: _stored(config) >= 20, 90, "every page of the fast host stored")
        assert not [hit for hit in slow.hits if hit.path.startswith("/news/")]  # still held
    finally:
        release.set()
        crawl.join(120)
    assert _stored(config) == 40
