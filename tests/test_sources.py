"""`presswatch sources` and `presswatch status` show each source's coverage and health, after
real crawls of a loopback site through the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from presswatch.loopback import LoopbackSite, Route
from tests.conftest import TestDatabases
from tests.pages import article_page, paragraphs_about, rss_feed
from tests.test_cli import presswatch


def _without_author(page: str) -> str:
    return page.replace('<meta name="author" content="Zoë Müller">', "").replace(
        '<p class="byline">By Zoë Müller</p>', ""
    )


@pytest.fixture
def gazette(tmp_path: Path, databases: TestDatabases) -> Iterator[tuple[Path, LoopbackSite]]:
    """A source whose feed lists three articles (one without a date, one without an author),
    a page that is not an article, and a link that answers 404."""
    with LoopbackSite() as site:
        pages = {
            "/news/a.html": article_page("Harbour fees", paragraphs_about("harbour fees", seed=1)),
            "/news/b.html": article_page(
                "Tram depot", paragraphs_about("tram depot", seed=2), published=None
            ),
            "/news/c.html": _without_author(
                article_page("Ferry timetable", paragraphs_about("ferry timetable", seed=3))
            ),
            "/news/index.html": "<html><body><h1>All news</h1><p>See the list.</p></body></html>",
        }
        for path, page in pages.items():
            site.add_html(path, page)
        links = [site.url(p) for p in (*pages, "/news/gone.html")]
        # the tram depot's date is in neither its page nor the feed
        feed = rss_feed("Gazette", links).replace(
            "<pubDate>Mon, 23 Nov 2026 10:01:00 GMT</pubDate>", ""
        )
        assert feed.count("<pubDate>") == len(links) - 1
        feed_bytes = feed.encode()
        site.add("/rss.xml", Route(feed_bytes, headers={"Content-Type": "application/rss+xml"}))
        config = tmp_path / "presswatch.toml"
        config.write_text(
            f'[database]\nurl = "{databases.url()}"\n'
            '[crawl]\nallow_networks = ["127.0.0.0/8"]\nretries = 0\nautothrottle = false\n'
            f'[[sources]]\nname = "gazette"\nfeeds = ["{site.url("/rss.xml")}"]\n',
            encoding="utf-8",
        )
        yield config, site


def test_sources_shows_what_the_last_crawls_asked_for_and_kept(
    gazette: tuple[Path, LoopbackSite],
) -> None:
    config, _site = gazette
    assert presswatch("--config", str(config), "crawl").returncode == 0
    result = presswatch("--config", str(config), "sources", "--format", "json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["name"] == "gazette"
    assert row["health"] == "ok"
    assert row["health_events"] == []
    assert row["requests"] == 6  # the feed, five links
    assert row["errors"] == 1
    assert row["errors_by_kind"] == {"http-404": 1}
    assert (row["pages_fetched"], row["pages_kept"]) == (4, 3)
    assert row["yield"] == 0.75
    assert row["new_clippings"] == 3
    assert row["dated"] == round(2 / 3, 3)
    assert row["authored"] == round(2 / 3, 3)
    assert 80 <= row["median_words"] <= 400
    assert row["newest_clipping"] is not None
    assert len(row["daily_yield"]) == 30
    assert row["daily_yield"][-1] == 0.75
    assert row["daily_yield"][:-1] == [None] * 29
    [feed] = row["feeds"]
    assert feed["url"].endswith("/rss.xml")
    assert (feed["kind"], feed["status"], feed["entries"], feed["new_links"]) == ("feed", 200, 5, 5)

    table = presswatch("--config", str(config), "sources")
    assert table.returncode == 0, table.stderr
    assert "gazette" in table.stdout
    assert "75%" in table.stdout
    assert "http-404 1" in table.stdout


def test_a_source_behind_a_wall_shows_in_status_and_sources(
    gazette: tuple[Path, LoopbackSite],
) -> None:
    config, site = gazette
    assert presswatch("--config", str(config), "crawl").returncode == 0
    site.add("/rss.xml", Route(b"Forbidden", status=403, conditional=False))
    assert presswatch("--config", str(config), "crawl").returncode == 0

    [row] = json.loads(presswatch("--config", str(config), "sources", "--format", "json").stdout)
    assert row["health"] == "errors"
    [event] = row["health_events"]
    assert event["kind"] == "errors"
    assert "1 of 1 requests failed in the last crawl (http-403 x1)" in event["message"]

    status = presswatch("--config", str(config), "status", "--format", "json")
    assert [(e["source"], e["kind"]) for e in json.loads(status.stdout)["health"]] == [
        ("gazette", "errors")
    ]
    table = " ".join(presswatch("--config", str(config), "sources").stdout.split())
    assert "gazette feed http://127.0.0.1" in table
    assert "/rss.xml: HTTP 403" in table
    text = presswatch("--config", str(config), "status").stdout
    assert "health: gazette errors since" in " ".join(text.split())
