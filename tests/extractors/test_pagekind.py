"""Index pages (tag, section, author, search, home, archive, topic, blog category) are not
articles, however many words of teasers they hold; short real articles beside big blocks of
teasers still are. The pages are in tests/data/index_pages, written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from presswatch.extractors.article import (
    NotArticle,
    extract_article,
    prose_words,
)
from presswatch.extractors.options import ExtractOptions
from presswatch.extractors.pagekind import looks_like_index
from presswatch.model import Article
from tests.zoo import token_f1

PAGES = Path(__file__).parents[1] / "data" / "index_pages"
MANIFEST = json.loads((PAGES / "manifest.json").read_text(encoding="utf-8"))
INDEX = sorted(MANIFEST["index"].items())
ARTICLES = sorted(MANIFEST["articles"].items())


def _extract(name: str, url: str) -> Article | NotArticle:
    return extract_article((PAGES / name).read_text(encoding="utf-8"), url, ExtractOptions())


def test_the_set_has_every_kind() -> None:
    kinds = {meta["kind"] for _, meta in INDEX}
    assert len(kinds) >= 5
    assert {"tag", "section", "author", "search", "home"} <= kinds
    assert len(ARTICLES) >= 5


@pytest.mark.parametrize(("name", "meta"), INDEX, ids=[name for name, _ in INDEX])
def test_an_index_page_is_not_an_article(name: str, meta: dict[str, str]) -> None:
    # what makes it hard: far more words of prose in teasers than min_words asks of an article
    tree = lxml_html.fromstring((PAGES / name).read_text(encoding="utf-8"))
    assert prose_words(tree.text_content().splitlines()) > 150
    result = _extract(name, meta["url"])
    assert isinstance(result, NotArticle), f"{name} was stored: {result.text[:200]!r}"
    assert result.reason.startswith("an index page: ")


@pytest.mark.parametrize(("name", "meta"), ARTICLES, ids=[name for name, _ in ARTICLES])
def test_a_short_article_beside_teasers_is_kept_whole(name: str, meta: dict[str, str]) -> None:
    result = _extract(name, meta["url"])
    assert isinstance(result, Article), result
    assert token_f1(meta["text"], result.text) >= 0.95
    assert result.title == meta["title"]


@pytest.mark.parametrize(
    ("url", "index"),
    [
        ("https://news.example/", True),
        ("https://news.example/politics/", True),
        ("https://news.example/news/uk", True),
        ("https://news.example/tag/harbour/", True),
        ("https://news.example/authors/jane-doe/", True),
        ("https://news.example/search?q=council+budget", True),
        ("https://news.example/?s=harbour", True),
        ("https://news.example/archive/2026/11/", True),
        ("https://news.example/news/2026/11/24/harbour-dredging-plan-approved", False),
        ("https://news.example/politics/council-budget-vote-delayed-4471205", False),
        ("https://news.example/story.html?id=4471205", False),
    ],
)
def test_looks_like_index(url: str, index: bool) -> None:
    assert looks_like_index(url) is index
