"""A crawl never reaches an internal address, whoever names it: a feed entry, a redirect, a
robots.txt, a sitemap. Two real servers: the "public" site on 127.0.0.2 (the config allows just
that address) and an "internal" one on 127.0.0.1 that must never see a request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from presswatch.addresses import refusal
from presswatch.config import Config, load_config
from presswatch.crawler.run import run_crawl
from presswatch.loopback import LoopbackSite, Route
from tests.conftest import TestDatabases, database_toml, opened_repository
from tests.pages import article_page, paragraphs_about, rss_feed, sitemap, sitemap_index

RSS = {"Content-Type": "application/rss+xml"}
XML = {"Content-Type": "application/xml"}


@pytest.fixture
def public() -> Iterator[LoopbackSite]:
    with LoopbackSite(host="127.0.0.2") as server:
        yield server


@pytest.fixture
def internal() -> Iterator[LoopbackSite]:
    with LoopbackSite() as server:  # 127.0.0.1
        server.add_html("/internal/admin.html", article_page("Admin", paragraphs_about("admin")))
        server.add_html("/internal/secret.html", article_page("Secret", paragraphs_about("keys")))
        yield server


@pytest.fixture
def config_for(tmp_path: Path, databases: TestDatabases) -> Callable[[str], Config]:
    def write(sources: str) -> Config:
        path = tmp_path / "presswatch.toml"
        path.write_text(
            database_toml(databases.url())
            + '[crawl]\nallow_networks = ["127.0.0.2/32"]\nautothrottle = false\n'
            + sources
        )
        return load_config(path)

    return write


def _article(site: LoopbackSite, path: str, topic: str) -> str:
    site.add_html(path, article_page(topic.title(), paragraphs_about(topic)))
    return site.url(path)


def test_feed_entries_redirects_and_robots_never_reach_an_internal_address(
    public: LoopbackSite, internal: LoopbackSite, config_for: Callable[[str], Config]
) -> None:
    good = _article(public, "/news/harbour.html", "the harbour")
    public.add(
        "/news/moved.html",
        Route(b"", status=302, headers={"Location": internal.url("/internal/secret.html")}),
    )
    port = internal.url("/").split(":")[2].rstrip("/")
    entries = [
        good,
        internal.url("/internal/admin.html"),  # 127.0.0.1
        f"http://localhost:{port}/internal/admin.html",  # a name for it
        f"http://[::ffff:127.0.0.1]:{port}/internal/admin.html",  # IPv4-mapped
        public.url("/news/moved.html"),  # a redirect to it
    ]
    public.add("/rss.xml", Route(rss_feed("Public", entries).encode(), headers=RSS))
    # robots.txt names an internal sitemap
    public.add(
        "/robots.txt",
        Route(
            f"User-agent: *\nSitemap: {internal.url('/sitemap.xml')}\n".encode(),
            headers={"Content-Type": "text/plain"},
        ),
    )
    config = config_for(
        f'[[sources]]\nname = "public"\nfeeds = ["{public.url("/rss.xml")}"]\n'
        f'sitemaps = ["{public.url("/robots.txt")}"]\n'
    )
    summary = run_crawl(config, config.sources)

    assert internal.hits == []  # not one request, not even a connection that was answered
    (result,) = summary.results
    assert result.counts.stored == 1
    assert result.counts.blocked == 5  # admin x3, the redirect target, the robots sitemap
    assert result.counts.errors == 0
    blocked = [e for e in summary.errors if e.kind == "blocked"]
    assert len(blocked) == 5
    assert all("\n" not in e.message and "allow_networks" in e.message for e in blocked)
    assert any("localhost resolves to" in e.message for e in blocked)
    with opened_repository(config.database.url) as repository:
        assert [c.url for c in repository.list_clippings(limit=None)] == [good]


def test_without_allow_networks_loopback_is_refused(
    public: LoopbackSite, tmp_path: Path, databases: TestDatabases
) -> None:
    public.add("/rss.xml", Route(rss_feed("P", [public.url("/a.html")]).encode(), headers=RSS))
    path = tmp_path / "presswatch.toml"
    path.write_text(
        database_toml(databases.url())
        + f'[[sources]]\nname = "p"\nfeeds = ["{public.url("/rss.xml")}"]\n'
    )
    config = load_config(path)
    (result,) = run_crawl(config, config.sources).results
    assert public.hits == []
    assert result.counts.blocked == 1  # the feed itself


def test_a_sitemap_index_that_lists_itself_is_read_once(
    public: LoopbackSite, config_for: Callable[[str], Config]
) -> None:
    article = _article(public, "/news/tram.html", "the tram line")
    public.add(
        "/sitemap-index.xml",
        Route(
            sitemap_index([public.url("/sitemap-index.xml"), public.url("/sitemap.xml")]).encode(),
            headers=XML,
        ),
    )
    public.add("/sitemap.xml", Route(sitemap([article]).encode(), headers=XML))
    config = config_for(
        f'[[sources]]\nname = "p"\nsitemaps = ["{public.url("/sitemap-index.xml")}"]\n'
    )
    (result,) = run_crawl(config, config.sources).results
    assert result.counts.stored == 1
    assert len(public.hits_for("/sitemap-index.xml")) == 1
    assert len(public.hits_for("/sitemap.xml")) == 1


@pytest.mark.parametrize(
    ("address", "allowed", "why"),
    [
        ("127.0.0.1", (), "a loopback address"),
        ("::1", (), "a loopback address"),
        ("10.1.2.3", (), "a private address"),
        ("192.168.0.10", (), "a private address"),
        ("172.16.5.4", (), "a private address"),
        ("100.64.0.1", (), "a private address"),
        ("169.254.169.254", (), "a link-local address"),  # cloud metadata
        ("fe80::1%eth0", (), "a link-local address"),
        ("fd12:3456::1", (), "a unique-local address"),
        ("224.0.0.1", (), "a multicast address"),
        ("::ffff:127.0.0.1", (), "an IPv4-mapped address"),
        ("::ffff:8.8.8.8", (), "an IPv4-mapped address"),
        ("0.0.0.0", (), "the unspecified address"),
        ("192.0.2.1", (), "a private address"),  # documentation
        ("93.184.216.34", (), None),
        ("2606:2800:220:1:248:1893:25c8:1946", (), None),
        ("10.1.2.3", ("10.0.0.0/8",), None),
        ("::ffff:10.1.2.3", ("10.0.0.0/8",), None),
    ],
)
def test_refusal(address: str, allowed: tuple[str, ...], why: str | None) -> None:
    from presswatch.addresses import allowed_networks

    assert refusal(address, allowed_networks(allowed)) == why
