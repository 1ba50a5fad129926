from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

import lxml.html
import pytest
import trafilatura
from trafilatura.metadata import extract_metadata

from presswatch.extractors import metadata
from presswatch.extractors.article import extract_article
from presswatch.extractors.options import ExtractOptions
from presswatch.model import Article
from tests.conftest import OWN_PASSAGE
from tests.pages import article_page

URL = "https://gazette.example/news/2026/11/24/harbour"
META_AUTHOR = '<meta name="author" content="Zoë Müller">'
JSON_LD = (
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
    '"NewsArticle", "headline": "Harbour channel to be dredged", "author": {"@type": '
    '"Person", "name": "Ana Lima"}, "publisher": {"@type": "Organization", "name": '
    '"Gazette Group"}, "image": "https://gazette.example/img/harbour.jpg"}</script>'
)
PAGES = {
    "meta tags": article_page("Harbour to be dredged", OWN_PASSAGE),
    "byline only": article_page("Harbour to be dredged", OWN_PASSAGE).replace(META_AUTHOR, ""),
    "json-ld": article_page("Harbour", OWN_PASSAGE).replace("</head>", JSON_LD + "</head>"),
    "bare": "<html><body><h1>Harbour</h1><p>" + " ".join(OWN_PASSAGE) + "</p></body></html>",
}


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_page_metadata_is_what_trafilatura_reports(page: str) -> None:
    # page_metadata runs trafilatura's metadata steps without the costly unused ones
    expected = extract_metadata(trafilatura.load_html(page), URL)
    found = metadata.page_metadata(trafilatura.load_html(page), URL)
    assert (found.title, found.author, found.site_name, found.description, found.image) == (
        expected.title,
        expected.author,
        expected.sitename,
        expected.description,
        expected.image,
    )


def test_byline_author_is_found_without_a_meta_tag() -> None:
    result = extract_article(PAGES["byline only"], URL, ExtractOptions())
    assert isinstance(result, Article)
    assert result.author == "Zoë Müller"


def test_day_from_the_url_when_no_time_is_stated() -> None:
    result = extract_article(
        article_page("Harbour to be dredged", OWN_PASSAGE, published=None), URL, ExtractOptions()
    )
    assert isinstance(result, Article)
    assert result.published == datetime(2026, 11, 24, tzinfo=UTC)


def test_the_page_is_parsed_once() -> None:
    parse = lxml.html.document_fromstring
    with mock.patch.object(lxml.html, "document_fromstring", side_effect=parse) as parsed:
        # no stated time: the date search runs too
        page = article_page("Harbour", OWN_PASSAGE, published=None).replace(META_AUTHOR, "")
        assert isinstance(extract_article(page, URL, ExtractOptions()), Article)
    # readability (trafilatura's second opinion) parses its own, shorter summary: not the page
    pages = [c for c in parsed.call_args_list if "<title>" in str(c.args[0])]
    assert len(pages) == 1
