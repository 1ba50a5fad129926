"""End-to-end crawls of a real HTTP server on 127.0.0.1, through the real child process."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from presswatch.config import Config
from presswatch.counts import CrawlSummary
from presswatch.crawler.run import run_crawl
from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.records import ClippingRecord
from tests.conftest import opened_repository
from tests.crawler.newsroom import FAILING, GOOD_ARTICLES, NOT_ARTICLES, Newsroom
from tests.pages import FURNITURE_LINES, RELATED_HEADLINES, article_page, paragraphs_about, rss_feed


@pytest.fixture
def newsroom_config(site: LoopbackSite, write_config: Callable[[str], Config]) -> Config:
    return write_config(Newsroom(site).build().sources_toml)


def _stored(config: Config) -> list[ClippingRecord]:
    with opened_repository(config.database.url) as repository:
        return repository.list_clippings(limit=None)


def _article_fetches(site: LoopbackSite) -> list[str]:
    paths = (urlsplit(p).path for p in site.paths_fetched())
    return [
        p
        for p in paths
        if p.startswith(("/news/", "/wire/", "/private/", "/files/", "/loop/"))
        and not p.endswith(".xml")
    ]


def test_first_and_second_crawl(site: LoopbackSite, newsroom_config: Config) -> None:
    first = run_crawl(newsroom_config, newsroom_config.sources)
    _check_first_crawl(site, newsroom_config, first)

    failed_or_skipped = {*FAILING, *NOT_ARTICLES, "/news/moved.html", "/loop/b"}
    site.hits.clear()
    second = run_crawl(newsroom_config, newsroom_config.sources)

    refetched = set(_article_fetches(site))
    assert not refetched & set(GOOD_ARTICLES), "a stored article was downloaded again"
    assert refetched <= failed_or_skipped
    totals = second.totals
    assert totals.stored == 0
    assert totals.extracted == 0
    # sources whose crawl was clean ask with their validators and get one 304 per feed or
    # sitemap; a source with failed URLs reads its feeds again, so that the failures are
    # retried, but still downloads no stored article
    for path in ("/sitemap-index.xml", "/sitemap-news.xml", "/sitemap-plain.xml", "/wire/feed.xml"):
        assert [h.status for h in site.hits_for(path)] == [304], path
        assert site.hits_for(path)[0].headers.get("If-None-Match")
    for path in ("/rss.xml", "/atom.xml"):
        assert [h.status for h in site.hits_for(path)] == [200], path
    assert totals.not_modified == 4
    # recognised before download: a1, a2, moved.html (-> a3), latin1, b1, b2, d1, d2
    assert totals.known == 8
    assert len(_stored(newsroom_config)) == len(GOOD_ARTICLES)


def _check_first_crawl(site: LoopbackSite, config: Config, summary: CrawlSummary) -> None:
    stored = _stored(config)
    by_path = {urlsplit(c.canonical_url).path: c for c in stored}
    assert sorted(by_path) == sorted(GOOD_ARTICLES)
    assert len(stored) == len(GOOD_ARTICLES)  # a1 reached twice, moved.html -> a3: stored once

    # the syndicated copy and the original: whichever was stored second is the duplicate
    copy, original = by_path["/wire/copy.html"], by_path["/news/a1.html"]
    first, second = sorted((copy, original), key=lambda c: c.id)
    assert second.duplicate_of == first.id
    assert first.duplicate_of is None
    assert copy.source == "wire"
    assert sum(c.duplicate_of is not None for c in stored) == 1

    # clean text only
    for clipping in stored:
        for line in (*FURNITURE_LINES, *RELATED_HEADLINES, "Accept all"):
            assert line not in clipping.text, (clipping.canonical_url, line)
        assert clipping.published is not None or clipping.canonical_url.endswith("latin1.html")
    assert "Zoë Müller and José Ibáñez" in by_path["/news/latin1.html"].text
    assert by_path["/news/a1.html"].url.endswith("utm_medium=feed")  # as fetched
    assert "utm" not in by_path["/news/a1.html"].canonical_url

    # robots.txt obeyed; links outside `follow` not followed
    fetched = site.paths_fetched()
    assert "/private/secret.html" not in fetched
    assert "/about.html" not in fetched
    # a 500 is retried (retries = 1), a 404 is not
    # one try and one retry; on a loaded machine Twisted may resend a GET once more when its
    # kept-alive connection closed under it (a transport retry, not a second crawl retry)
    assert 2 <= len(site.hits_for("/news/broken.html")) <= 3
    assert len(site.hits_for("/news/missing.html")) == 1

    # every failure counted, in the summary and in one readable line each
    kinds = Counter(e.kind for e in summary.errors)
    for path, kind in FAILING.items():
        assert any(e.kind == kind and e.url.endswith(path) for e in summary.errors), (path, kinds)
    assert any(e.kind == "connection" and e.source == "dead-host" for e in summary.errors)
    assert any(e.kind == "charset" and e.url.endswith("latin1.html") for e in summary.errors)
    assert summary.totals.errors == len(summary.errors)
    assert all("\n" not in e.message and e.message for e in summary.errors)

    counts = {r.source: r.counts for r in summary.results}
    assert counts["gazette-feeds"].not_articles == 2  # tag page and the PDF
    assert counts["wire"].duplicates + counts["gazette-feeds"].duplicates == 1
    assert counts["gazette-sitemaps"].stored == 3
    assert counts["gazette-front"].stored == 2
    assert all(r.status == "finished" for r in summary.results)


@pytest.mark.parametrize("autothrottle", ["false", "true"])
def test_per_domain_concurrency_holds(
    site: LoopbackSite, write_config: Callable[[str], Config], autothrottle: str
) -> None:
    # slow pages: with the limit ignored, all eight would be in flight together
    paths = [f"/news/slow{n}.html" for n in range(8)]
    for n, path in enumerate(paths):
        site.add_html(
            path,
            article_page(f"Slow story {n}", paragraphs_about(f"tide {n}", seed=n)),
            delay_s=0.4,
        )
    site.add(
        "/rss.xml",
        Route(
            rss_feed("Slow", [site.url(p) for p in paths]).encode(),
            headers={"Content-Type": "application/rss+xml"},
        ),
    )
    config = write_config(f"""
[crawl]
autothrottle = {autothrottle}
concurrency = 16
per_domain_concurrency = 2
[[sources]]
name = "slow"
feeds = ["{site.url("/rss.xml")}"]
""")
    (result,) = run_crawl(config, config.sources).results
    assert result.counts.stored == 8
    assert site.max_in_flight == 2


def test_meta_refresh_is_followed(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    site.add_html(
        "/news/old.html",
        '<html><head><meta http-equiv="Refresh" content="0; url=/news/new.html">'
        "<title>Moved</title></head><body><p>This story has moved.</p></body></html>",
    )
    site.add_html("/news/new.html", article_page("Tide tables", paragraphs_about("tides")))
    site.add_html("/news/plain.html", article_page("Ferry times", paragraphs_about("ferries")))
    site.add(
        "/rss.xml",
        Route(
            rss_feed("Moves", [site.url("/news/old.html"), site.url("/news/plain.html")]).encode(),
            headers={"Content-Type": "application/rss+xml"},
        ),
    )
    config = write_config(f"""
[[sources]]
name = "moves"
feeds = ["{site.url("/rss.xml")}"]
""")
    (result,) = run_crawl(config, config.sources).results
    assert result.counts.stored == 2
    assert sorted(urlsplit(c.url).path for c in _stored(config)) == [
        "/news/new.html",
        "/news/plain.html",
    ]
