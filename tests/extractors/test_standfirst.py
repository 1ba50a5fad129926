"""The standfirst under the headline is article text: recovered when trafilatura leaves it
out, never twice, and never a caption, a byline, a teaser or a prompt in its place."""

from __future__ import annotations

import pytest

from presswatch.extractors.article import extract_article
from presswatch.extractors.options import ExtractOptions
from presswatch.model import Article
from tests.pages import paragraphs_about

URL = "https://www.lantern.example/news/2026/11/ferry-winter-timetable"
BODY = paragraphs_about("the island ferry timetable", n=5)
DEK = (
    "The operator says fuel costs leave it no choice, and islanders fear for the school run"
    " and hospital appointments on the mainland."
)


def _page(header_extra: str, description: str | None = None, body_first: str = "") -> str:
    meta = f'<meta name="description" content="{description}">' if description else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Island ferry to lose winter sailings | The Lantern</title>{meta}</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><header><a class="kicker" href="/news/islands">Islands</a>
<h1>Island ferry to lose winter sailings</h1>{header_extra}
<div class="meta"><span class="by">By Ailsa Tormey</span> <time>3 Nov 2026</time></div>
</header><div class="article-body">{body_first}{paragraphs}</div></article>
<footer>© 2026 The Lantern</footer></body></html>"""


def _text(html: str) -> list[str]:
    result = extract_article(html, URL, ExtractOptions())
    assert isinstance(result, Article), result
    return result.text.split("\n\n")


@pytest.mark.parametrize(
    ("header_extra", "description"),
    [
        (f'<p class="article__chapo">{DEK}</p>', None),  # named so, no description
        (f'<div class="c-dek css-1q2w3e"><span>{DEK}</span></div>', None),
        (f'<h2 class="sc-x1y2z3-0">{DEK}</h2>', DEK),  # no telling class: the description
        (f'<p class="x7">{DEK}</p>', "The operator says fuel costs leave it no choice."),
        (f'<p itemprop="description">{DEK}</p>', None),
        # a description that is a later part of the standfirst (an og:description, say)
        (f'<p class="x7">{DEK}</p>', "islanders fear for the school run and hospital visits"),
    ],
    ids=["chapo", "dek-span", "described", "described-first-sentence", "itemprop", "later-part"],
)
def test_the_standfirst_is_the_first_paragraph(header_extra: str, description: str | None) -> None:
    assert _text(_page(header_extra, description)) == [DEK, *BODY]


def test_a_standfirst_the_text_already_has_is_not_added_twice() -> None:
    assert _text(_page("", DEK, body_first=f"<p>{DEK}</p>")) == [DEK, *BODY]


@pytest.mark.parametrize(
    "header_extra",
    [
        # a caption, even one named like a summary
        f'<figure><img src="/f.jpg"><figcaption class="summary">{DEK}</figcaption></figure>',
        # a teaser of another article
        f'<p class="excerpt"><a href="/news/2026/10/ferry-fares">{DEK}</a></p>',
        # a prompt
        '<p class="intro">Sign up for our newsletter to get the islands news delivered to your'
        " inbox every morning before the first ferry leaves.</p>",
        # dates and times
        '<p class="summary">Nov. 20, 2026 Updated: Nov. 20, 2026 1:35 a.m. 2:10 p.m.</p>',
        # a paragraph that neither says what the description says nor is named a standfirst
        f'<p class="note">{DEK}</p>',
    ],
    ids=["caption", "teaser-link", "prompt", "dates", "unnamed"],
)
def test_what_is_not_a_standfirst_is_not_added(header_extra: str) -> None:
    text = _text(_page(header_extra, "A description that says something else entirely here."))
    assert text == BODY


POINTS = [
    "The winter timetable drops the early and late sailings from January",
    "Islanders say pupils and patients will miss mainland connections",
    "The operator blames fuel costs that rose by a third this year",
]


def _points(
    heading: str = "<h2>Key takeaways</h2>",
    box: str = "div",
    attrs: str = 'class="box"',
    link: bool = False,
) -> str:
    items = "".join(
        f'<li><a href="/news/2026/10/p{i}">{p}</a></li>' if link else f"<li>{p}</li>"
        for i, p in enumerate(POINTS)
    )
    return f"<{box} {attrs}>{heading}<ul>{items}</ul></{box}>"


@pytest.mark.parametrize(
    "box",
    [
        _points(),
        _points("<p><strong>Das Wichtigste in Kürze</strong></p>"),
        _points("", attrs='data-module="KeyPoints"'),
        _points("<h3>At a glance</h3>", box="aside"),
    ],
    ids=["heading", "german-label", "named-box", "aside"],
)
def test_key_points_come_after_the_standfirst(box: str) -> None:
    assert _text(_page(f'<p class="dek">{DEK}</p>{box}')) == [DEK, *POINTS, *BODY]


@pytest.mark.parametrize(
    "box",
    [
        _points(link=True),  # links to other articles: a related list
        _points("<h2>Share this article</h2>"),  # no key-points label, no such name
        '<div class="key-points"><h2>Key points</h2><ul><li>Politics</li><li>Islands</li>'
        "<li>Transport</li></ul></div>",  # tags, not sentences
    ],
    ids=["links", "unnamed", "tags"],
)
def test_other_lists_are_not_key_points(box: str) -> None:
    assert _text(_page(f'<p class="dek">{DEK}</p>{box}')) == [DEK, *BODY]


JA_POINTS = [
    "汐見島では今夏、給水制限が過去最長の四十七日間に及んだ",
    "県と町は来年七月の稼働を目指し、淡水化装置を整備する",
]


def test_key_points_in_japanese_are_counted_by_characters() -> None:
    items = "".join(f"<li>{p}</li>" for p in JA_POINTS)
    box = f'<section class="tn-box"><h2>この記事のポイント</h2><ul>{items}</ul></section>'
    assert _text(_page(f'<p class="dek">{DEK}</p>{box}')) == [DEK, *JA_POINTS, *BODY]
