"""A small news site with every kind of trouble, served by LoopbackSite for crawl tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from presswatch.loopback import LoopbackSite, Route
from tests.conftest import OWN_PASSAGE
from tests.pages import (
    article_page,
    atom_feed,
    paragraphs_about,
    rss_feed,
    sitemap,
    sitemap_index,
)

HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/xml"}

GOOD_ARTICLES = (
    "/news/a1.html",
    "/news/a2.html",
    "/news/a3.html",
    "/news/b1.html",
    "/news/b2.html",
    "/news/c1.html",
    "/news/c2.html",
    "/news/c3.html",
    "/news/d1.html",
    "/news/d2.html",
    "/news/latin1.html",
    "/wire/copy.html",
)
FAILING = {
    "/news/missing.html": "http-404",
    "/news/broken.html": "http-500",
    "/news/huge.html": "too-large",
    "/loop/a": "redirect",
    "/news/slow.html": "timeout",
    "/broken-feed.xml": "feed",
}
NOT_ARTICLES = ("/news/tag.html", "/files/report.pdf")


@dataclass
class Newsroom:
    site: LoopbackSite
    max_page_bytes: int = 300_000
    sources_toml: str = field(init=False, default="")

    def build(self) -> Newsroom:
        s = self.site
        s.add(
            "/robots.txt",
            Route(b"User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"}),
        )
        for n, path in enumerate(GOOD_ARTICLES[:-2]):
            paragraphs = (
                OWN_PASSAGE
                if path == "/news/a1.html"
                else paragraphs_about(f"story {path}", seed=n)
            )
            s.add_html(
                path,
                article_page(
                    f"Story {path}",
                    paragraphs,
                    canonical=s.url(path),
                    published=f"2026-11-2{n % 9}T06:00:00Z",
                ),
            )
        latin = article_page(
            "Café de la Königstraße",
            [
                "Zoë Müller and José Ibáñez opened the café on the Königstraße at noon, and the "
                "first customers paid in cash for crème brûlée and a café au lait. " * 2
            ]
            * 3,
        )
        s.add("/news/latin1.html", Route(latin.encode("cp1252"), headers=HTML))  # says utf-8
        s.add_html(
            "/wire/copy.html",
            article_page(
                "Harbour channel to be dredged (wire)",
                ["This story was first published by The Test Gazette.", *OWN_PASSAGE],
            ),
        )
        s.add_html(
            "/news/tag.html",
            "<html><body><h1>Tag: transport</h1><ul>"
            + "".join(
                f'<li><a href="/news/b{i}.html">Buses and trams story {i}</a></li>'
                for i in range(6)
            )
            + "</ul></body></html>",
        )
        s.add(
            "/files/report.pdf",
            Route(b"%PDF-1.4 " + b"x" * 5000, headers={"Content-Type": "application/pdf"}),
        )
        s.add(
            "/news/moved.html",
            Route(status=301, headers={"Location": "/news/a3.html"}, conditional=False),
        )
        s.add("/news/broken.html", Route(b"oops", status=500, headers=HTML, conditional=False))
        s.add_html("/news/huge.html", article_page("Huge", ["word " * 200_000]))
        s.add("/loop/a", Route(status=302, headers={"Location": "/loop/b"}, conditional=False))
        s.add("/loop/b", Route(status=302, headers={"Location": "/loop/a"}, conditional=False))
        s.add_html("/news/slow.html", article_page("Slow", OWN_PASSAGE), delay_s=4.0)
        s.add_html("/private/secret.html", article_page("Secret", OWN_PASSAGE))
        s.add(
            "/rss.xml",
            Route(
                rss_feed(
                    "Gazette",
                    [
                        s.url("/news/a1.html?utm_source=rss&utm_medium=feed"),
                        s.url("/news/a2.html"),
                        s.url("/news/moved.html"),
                        s.url("/private/secret.html"),
                        s.url("/news/missing.html"),
                        s.url("/news/broken.html"),
                        s.url("/news/latin1.html"),
                        s.url("/news/huge.html"),
                        s.url("/loop/a"),
                        s.url("/files/report.pdf"),
                        s.url("/news/tag.html"),
                        s.url("/news/slow.html"),
                    ],
                ).encode(),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        s.add(
            "/atom.xml",
            Route(
                atom_feed("Gazette", [s.url("/news/b1.html"), s.url("/news/b2.html")]).encode(),
                headers={"Content-Type": "application/atom+xml"},
            ),
        )
        s.add(
            "/broken-feed.xml",
            Route(
                b"<rss><channel><item><title>unterminated",
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        s.add(
            "/sitemap-index.xml",
            Route(
                sitemap_index([s.url("/sitemap-news.xml"), s.url("/sitemap-plain.xml")]).encode(),
                headers=XML,
            ),
        )
        s.add(
            "/sitemap-news.xml",
            Route(
                sitemap([s.url("/news/c1.html"), s.url("/news/c2.html")], news=True).encode(),
                headers=XML,
            ),
        )
        s.add("/sitemap-plain.xml", Route(sitemap([s.url("/news/c3.html")]).encode(), headers=XML))
        s.add_html(
            "/section/",
            "<html><body><h1>News</h1>"
            '<a href="/news/d1.html">D1</a> <a href="/news/d2.html">D2</a> '
            '<a href="/about.html">About us</a> <a href="/news/a1.html">A1 again</a>'
            "</body></html>",
        )
        s.add(
            "/wire/feed.xml",
            Route(
                rss_feed("Wire", [s.url("/wire/copy.html")]).encode(),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        self.sources_toml = f"""
[crawl]
timeout = 2
retries = 1
autothrottle = false
max_page_bytes = {self.max_page_bytes}
per_domain_concurrency = 8

[[sources]]
name = "gazette-feeds"
feeds = ["{s.url("/rss.xml")}", "{s.url("/atom.xml")}", "{s.url("/broken-feed.xml")}"]

[[sources]]
name = "gazette-sitemaps"
sitemaps = ["{s.url("/sitemap-index.xml")}"]

[[sources]]
name = "gazette-front"
start_urls = ["{s.url("/section/")}"]
follow = ["/news/d\\\\d"]

[[sources]]
name = "wire"
feeds = ["{s.url("/wire/feed.xml")}"]

[[sources]]
name = "dead-host"
feeds = ["http://127.0.0.1:9/feed.xml"]
"""
        return self
