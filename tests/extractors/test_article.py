from __future__ import annotations

from datetime import UTC, datetime

import pytest

from presswatch.extractors.article import (
    Article,
    ExtractOptions,
    NotArticle,
    decode_page,
    extract_article,
    extract_page,
)
from tests.conftest import OWN_PASSAGE, seed_article_paragraphs
from tests.pages import FURNITURE_LINES, RELATED_HEADLINES, article_page, paragraphs_about

URL = "https://gazette.example/news/2026/11/harbour?utm_source=rss&utm_medium=feed"


def _article(html: str, url: str = URL, **options: object) -> Article:
    result = extract_article(html, url, ExtractOptions(**options))  # type: ignore[arg-type]
    assert isinstance(result, Article), result
    return result


@pytest.mark.parametrize(
    "paragraphs", [seed_article_paragraphs(), OWN_PASSAGE], ids=["seed-article", "own-passage"]
)
def test_every_paragraph_survives_and_no_furniture_does(paragraphs: list[str]) -> None:
    page = article_page("Starmer to press Trump on security guarantees", paragraphs)
    article = _article(page)
    kept = article.text.split("\n\n")
    assert kept == paragraphs
    for line in (*FURNITURE_LINES, *RELATED_HEADLINES, "Great piece, thanks!", "Home"):
        assert all(line not in k for k in kept), line


def test_metadata_comes_from_the_page() -> None:
    page = article_page(
        "Harbour to be dredged",
        OWN_PASSAGE,
        canonical="https://gazette.example/news/2026/11/harbour",
        published="2026-11-24T08:45:00+01:00",
    )
    article = _article(page)
    assert article.title == "Harbour to be dredged"
    assert article.author == "Zoë Müller"
    assert article.published == datetime(2026, 11, 24, 7, 45, tzinfo=UTC)
    assert article.language == "en"
    assert article.site_name == "The Test Gazette"
    assert article.canonical_url == "https://gazette.example/news/2026/11/harbour"
    assert article.url == URL


@pytest.mark.parametrize(
    ("canonical", "expected"),
    [
        (None, "https://gazette.example/news/2026/11/harbour"),  # tracking parameters dropped
        (
            "https://www.gazette.example/news/harbour-dredging",
            "https://www.gazette.example/news/harbour-dredging",
        ),
        ("/news/harbour-dredging", "https://gazette.example/news/harbour-dredging"),
        # another site's URL (a syndication partner) or the home page: ignored
        ("https://other.example/original-story", "https://gazette.example/news/2026/11/harbour"),
        ("https://gazette.example/", "https://gazette.example/news/2026/11/harbour"),
    ],
)
def test_canonical_url(canonical: str | None, expected: str) -> None:
    assert _article(article_page("T", OWN_PASSAGE, canonical=canonical)).canonical_url == expected


def test_missing_date_stays_missing_instead_of_a_guess() -> None:
    # the footer says © 2026; that must not become 1 January 2026
    assert _article(article_page("T", OWN_PASSAGE, published=None)).published is None


def test_short_page_is_not_an_article() -> None:
    page = article_page("Tag: transport", ["Five stories about buses and trams."])
    result = extract_article(page, URL, ExtractOptions(min_words=40))
    assert isinstance(result, NotArticle)
    assert "min_words=40" in result.reason


def test_min_words_is_configurable() -> None:
    page = article_page("Short", ["Council approves the harbour plan after a long debate."])
    assert isinstance(extract_article(page, URL, ExtractOptions(min_words=5)), Article)


def test_user_drop_lines_are_removed() -> None:
    paragraphs = [*paragraphs_about("tram lines"), "Listen to the Harbour Hour podcast"]
    article = _article(
        article_page("Trams", paragraphs), drop_lines=("Listen to the Harbour Hour podcast",)
    )
    assert "Harbour Hour" not in article.text
    assert paragraphs[0] in article.text


def test_wrong_declared_charset_is_detected_not_kept_as_mojibake() -> None:
    text = [
        "Zoë Müller and José Ibáñez opened the café on the Königstraße at noon, "
        "and the first customers paid in cash for crème brûlée. " * 3
    ] * 3
    body = article_page("Café opens", text, charset_meta=None).encode("cp1252")
    result = extract_page(body, URL, "text/html; charset=utf-8", ExtractOptions())
    assert isinstance(result.outcome, Article)
    assert "Zoë Müller" in result.outcome.text
    assert "\ufffd" not in result.outcome.text
    assert result.charset_problem is not None
    assert "utf-8" in result.charset_problem


def test_correct_charset_reports_no_problem() -> None:
    body = article_page("Café", OWN_PASSAGE).encode("utf-8")
    page = decode_page(body, "text/html; charset=utf-8")
    assert page.charset_problem is None
    assert "Zoë" in page.html


def test_broken_html_still_extracts() -> None:
    page = article_page("Broken", OWN_PASSAGE).replace("</p>", "").replace("</article>", "<div>")
    assert "shellfish beds" in _article(page).text
