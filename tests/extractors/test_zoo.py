"""The template zoo (tests/zoo.py): every publisher page extracts to its true text, without
one phrase of its furniture, and no topic matches words that only its furniture holds."""

from __future__ import annotations

import pytest

from presswatch.alerts.trial import try_query
from presswatch.extractors.article import extract_article
from presswatch.extractors.options import ExtractOptions
from presswatch.model import Article
from tests.zoo import ZooPage, token_f1, zoo_pages

PAGES = zoo_pages()
MIN_PAGE_F1 = 0.90
MIN_MEAN_F1 = 0.98


def _text(page: ZooPage) -> str:
    result = extract_article(page.html, page.url, ExtractOptions())
    assert isinstance(result, Article), f"{page.name}: {result}"
    return result.text


def test_the_zoo_is_what_it_says() -> None:
    from tests.zoo import problems

    assert len([p for p in PAGES if not p.name.startswith("holdout-")]) >= 10
    assert {p.language for p in PAGES} >= {"en", "de", "fr", "es"}
    assert {k for p in PAGES for k in p.block_words} == {"related", "teaser", "list", "prompt"}
    for page in PAGES:
        assert problems(page) == [], page.name


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_extracts_to_its_text_and_no_furniture(page: ZooPage) -> None:
    text = _text(page)
    assert token_f1(page.text, text) >= MIN_PAGE_F1
    folded = text.casefold()
    leaked = [phrase for phrase in page.boilerplate if phrase.casefold() in folded]
    assert leaked == []


def test_mean_f1_over_the_zoo() -> None:
    scores = {page.name: token_f1(page.text, _text(page)) for page in PAGES}
    assert sum(scores.values()) / len(scores) >= MIN_MEAN_F1, scores


CASES = [(page, kind, words) for page in PAGES for kind, words in sorted(page.block_words.items())]


@pytest.mark.parametrize(
    ("page", "kind", "words"), CASES, ids=[f"{p.name}-{k}" for p, k, _ in CASES]
)
def test_a_topic_on_words_only_furniture_holds_does_not_match(
    page: ZooPage, kind: str, words: tuple[str, ...]
) -> None:
    result = extract_article(page.html, page.url, ExtractOptions())
    assert isinstance(result, Article)
    query = " OR ".join(f'"{word}"' for word in words)
    assert not try_query(query, title=result.title, text=result.text).matched
    # the same query does match the page as a naive scraper sees it: the test can fail
    assert try_query(query, title="", text=_visible_text(page.html)).matched


def _visible_text(html: str) -> str:
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html)
    for element in tree.xpath("//script|//style"):
        element.drop_tree()
    return " ".join(tree.text_content().split())
