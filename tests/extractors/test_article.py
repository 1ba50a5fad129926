from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
import trafilatura
from lxml.html import HtmlElement

from presswatch.extractors.article import (
    NotArticle,
    decode_page,
    extract_article,
    extract_page,
    parse_html,
)
from presswatch.extractors.options import ExtractOptions
from presswatch.model import Article
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


def _index_page(headlines: list[str]) -> str:
    items = "".join(f'<li><a href="/story/{i}">{h}</a></li>' for i, h in enumerate(headlines))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Tag: harbour | The Test Gazette</title></head><body><main>"
        f"<h1>Tag: harbour</h1><ul>{items}</ul></main></body></html>"
    )


INDEX_HEADLINES = [
    "Harbour board votes to dredge the northern channel before the spring tides",
    "iPhone sales fall at the harbour shop as tourists stay away this winter",
    "eBay sellers in the port town report a record month for old fishing gear",
    "Fishing crews welcome the decision but warn about the shellfish beds",
    "Council to publish the environmental survey of the channel next month",
    "Lighthouse keeper retires after 40 years on the northern breakwater",
    "Storm closes the coast road and cuts power to three villages overnight",
    "Ferry timetable changes for the winter season, with fewer sailings",
    "Ten pictures of the regatta, from the start line to the prize giving",
    "Opinion: the harbour deserves better than another year of delays",
]


def test_index_page_of_linked_headlines_is_not_an_article() -> None:
    result = extract_article(_index_page(INDEX_HEADLINES), URL, ExtractOptions())
    assert isinstance(result, NotArticle), result


# written for this test: a short Japanese news story (no spaces between words)
JAPANESE_PARAGRAPHS = [
    "港湾委員会は火曜日、春の大潮の前に北側の航路をしゅんせつすることを決めた。"
    "費用をめぐる二年越しの対立に区切りがついた。",
    "費用の三分の二は港が負担し、残りは地域の議会が負担することで合意した。"
    "最初の季節が終わった後に見直しを行う。",
    "委員長は「船が浅い航路を避けて引き返している。もう十分に待った」と話した。"
    "干潮のときには大型の船が入港できない日もあるという。",
    "漁業者は決定を歓迎したが、沖合に捨てられる泥が貝の漁場を傷つけると心配している。"
    "町の多くの家族がその漁場に頼って暮らしている。",
    "議会は来月、環境調査の結果を公表し、住民は六週間にわたって意見を出すことができる。"
    "最初のしゅんせつ船は夏の初めに到着する予定だ。",
]


def test_japanese_article_counts_as_prose() -> None:
    # each sentence is one or two `\w+` runs: counted by runs it had 28 words of prose
    page = article_page("港湾のしゅんせつを決定", JAPANESE_PARAGRAPHS, lang="ja")
    article = _article(page)
    assert article.text.split("\n\n") == JAPANESE_PARAGRAPHS


def test_japanese_list_of_headlines_is_not_an_article() -> None:
    headlines = [p.rstrip("。")[:24] for p in JAPANESE_PARAGRAPHS] * 2
    result = extract_article(_index_page(headlines), URL, ExtractOptions())
    assert isinstance(result, NotArticle), result


def test_paragraphs_with_hard_line_breaks_count_as_prose() -> None:
    # a blog that breaks its lines with <br>: most lines end mid-sentence
    wrapped = [
        "Photos|which were released online and are making the rounds on social media,|"
        "show the harbour board chair looking relaxed at the regatta|on Saturday.",
        "The chair, who in 2008 won the|Coastal Award for Best Skipper in a Long Race, has "
        "taken|to her blog to share some photos of the day.",
        "She flaunted a hat in the colours of the|town flag. The 47 year old was one of the "
        "guests invited|by the harbour master.",
    ]
    page = article_page("Chair at the regatta", wrapped).replace("|", "<br>\n")
    article = _article(page)
    assert "town flag. The 47 year old" in article.text
    assert "on Saturday." in article.text


ZOO = Path(__file__).parent.parent / "data" / "zoo"


@pytest.mark.parametrize("name", sorted(p.name for p in ZOO.glob("*.html")))
def test_the_page_is_parsed_as_trafilatura_parses_it(name: str) -> None:
    """parse_html is trafilatura.load_html with a faster element lookup: the same tree,
    every element an HtmlElement (text_content, as the block rules read it)."""
    html = (ZOO / name).read_text(encoding="utf-8")
    ours, theirs = parse_html(html), trafilatura.load_html(html)
    assert ours is not None
    assert theirs is not None
    assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)
    assert all(isinstance(e, HtmlElement) for e in ours.iter() if isinstance(e.tag, str))


def test_form_fields_and_odd_nodes_parse_as_html_elements() -> None:
    page = (
        "<html><head><title>t</title><?php echo 1 ?></head><body><!-- note -->"
        "<form action='/s'><input name='q' value='x'><select name='s'><option>a</option>"
        "</select><textarea name='t'>hi</textarea><label>L</label></form>"
        "<p>Caf&eacute; &amp; bar &#8212; &nbsp;ok</p></body></html>"
    )
    tree = parse_html(page)
    assert tree is not None
    assert [e.tag for e in tree.iter()] == [
        *("html", "head", "title", "body", "form", "input", "select", "option", "textarea"),
        *("label", "p"),
    ]  # comments and processing instructions dropped, as trafilatura's parser drops them
    assert all(type(e) is HtmlElement for e in tree.iter())
    assert tree.xpath("//p")[0].text_content() == "Café & bar — \xa0ok"


def test_the_author_s_biography_at_the_end_and_the_h1_repeated_at_the_top_go() -> None:
    bio = "Zoë Müller is a staff writer at the Gazette and covers the harbour."  # the author
    page = article_page("Harbour dredging plan approved", [*OWN_PASSAGE, bio]).replace(
        "<h1>Harbour dredging plan approved</h1>",
        "<h1>Harbour dredging plan approved after a decade of delays</h1>",
    )
    article = _article(page)
    assert article.text.split("\n\n") == OWN_PASSAGE
    # a paragraph about someone else, or the author named mid-text, stays
    other = [*OWN_PASSAGE, "Zoë Müller, the harbour master, said the work was overdue."]
    assert (
        _article(article_page("Harbour dredging plan approved", other)).text.split("\n\n") == other
    )
