"""The template zoo through a real crawl: topics on furniture words never match, and the
syndicated copy of each zoo article (same text, another publisher's furniture) is folded."""

from __future__ import annotations

from collections.abc import Callable

from presswatch.config import Config
from presswatch.crawler.run import run_crawl
from presswatch.loopback import LoopbackSite, Route
from tests.conftest import opened_repository
from tests.pages import article_page, rss_feed
from tests.zoo import zoo_pages

RSS = {"Content-Type": "application/rss+xml"}


def test_furniture_never_matches_and_copies_fold(
    site: LoopbackSite, write_config: Callable[[str], Config]
) -> None:
    pages = zoo_pages()
    for page in pages:
        site.add_html(f"/zoo/{page.name}.html", page.html)
        site.add_html(f"/wire/{page.name}.html", article_page(page.title, page.paragraphs))
    for name in ("zoo", "wire"):
        links = [site.url(f"/{name}/{page.name}.html") for page in pages]
        site.add(f"/{name}.xml", Route(rss_feed(name, links).encode(), headers=RSS))
    # one topic per page and kind of block: the words only that block holds
    topics = "".join(
        f"""
[[topics]]
name = "{page.name}-{kind}"
query = '{" OR ".join(f'"{word}"' for word in words)}'
"""
        for page in pages
        for kind, words in sorted(page.block_words.items())
    )
    config = write_config(f"""
[[sources]]
name = "zoo"
feeds = ["{site.url("/zoo.xml")}"]
[[sources]]
name = "wire"
feeds = ["{site.url("/wire.xml")}"]
{topics}""")
    summary = run_crawl(config, config.sources)

    assert summary.totals.errors == 0, summary.errors
    with opened_repository(config.database.url) as repository:
        stored = repository.list_clippings(limit=None)
    by_source = {(c.source, c.url.rsplit("/", 1)[-1].removesuffix(".html")): c for c in stored}
    assert len(stored) == 2 * len(pages)
    for page in pages:
        zoo, wire = by_source["zoo", page.name], by_source["wire", page.name]
        first, second = sorted((zoo, wire), key=lambda c: c.id)
        assert second.duplicate_of == first.id, page.name
        assert first.duplicate_of is None
        # a word of one page's furniture may well be in another page's story: only the
        # page's own topics are furniture for it
        own = [t for c in (zoo, wire) for t in c.topics if t.startswith(f"{page.name}-")]
        assert own == [], page.name
    # the topics are live: some match other pages' stories
    assert summary.totals.matched > 0
