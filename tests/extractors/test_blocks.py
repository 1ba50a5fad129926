"""Block-level removal: each rule on small pages, and the body text it must never eat."""

from __future__ import annotations

import pytest

from presswatch.extractors.article import extract_article, parse_html
from presswatch.extractors.blocks import block_rules, css_to_xpath, strip_blocks
from presswatch.extractors.folding import word_string
from presswatch.extractors.furniture import Removal, related_labels
from presswatch.extractors.options import ExtractOptions
from presswatch.extractors.prompts import is_prompt
from presswatch.model import Article
from tests.pages import paragraphs_about
from tests.zoo import zoo_pages

URL = "https://www.gazette.example/news/2026/11/harbour-dredging-plan"
BODY = paragraphs_about("the harbour dredging plan", n=4)
# headlines of other stories: none of these words is in BODY
OTHER = [
    "Zeppelin museum reopens after roof repairs",
    "Lighthouse keeper retires after forty years",
    "Velodrome plan approved by councillors",
]


def _links(headlines: list[str] = OTHER, teaser: str = "") -> str:
    return "".join(
        f'<li><a href="/news/2026/11/story-{i}">{h}</a>{teaser}</li>'
        for i, h in enumerate(headlines)
    )


def _page(inside: str = "", after: str = "", before_body: str = "") -> str:
    """An article; `inside` goes between its second and third paragraph, `after` after it."""
    paragraphs = [f"<p>{p}</p>" for p in BODY]
    paragraphs.insert(2, inside)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour dredging plan approved | The Gazette</title></head><body>
<header><a href="/">The Gazette</a></header>
<main><article><h1>Harbour dredging plan approved</h1>{before_body}
{"".join(paragraphs)}
</article>{after}</main><footer>© 2026 The Gazette</footer></body></html>"""


def _extract(html: str, **options: object) -> tuple[Article, list[Removal]]:
    removed: list[Removal] = []
    result = extract_article(html, URL, ExtractOptions(**options), removed)  # type: ignore[arg-type]
    assert isinstance(result, Article), result
    return result, removed


def _check(html: str, gone: list[str], rule: str, **options: object) -> None:
    article, removed = _extract(html, **options)
    assert article.text.split("\n\n") == BODY
    for text in gone:
        assert text not in article.text
    assert rule in {r.rule for r in removed}, removed


@pytest.mark.parametrize(
    ("block", "where"),
    [
        (f"<section><h2>More for You</h2><ul>{_links()}</ul></section>", "after"),
        (f"<aside><h3>Related</h3><ul>{_links()}</ul></aside>", "inside"),
        (f'<div class="c-4f2a"><h4>Related stories:</h4><div>{_links()}</div></div>', "inside"),
        (f'<div class="x9"><p>RECOMMENDED FOR YOU</p><ul>{_links()}</ul></div>', "after"),
        (
            f'<div class="x9"><span>Editor’s picks</span><div><ul>{_links()}</ul></div></div>',
            "after",
        ),
        (f"<div><strong>Most read</strong><ol>{_links()}</ol></div>", "after"),
        (f'<section aria-label="You may also like"><ul>{_links()}</ul></section>', "after"),
        (f'<nav aria-label="More from Business"><ul>{_links()}</ul></nav>', "after"),
        (
            f"<div><h3><span>More</span> <em>on this</em> story</h3><ul>{_links()}</ul></div>",
            "after",
        ),
        (f"<div><h2>Also in Sport</h2><ul>{_links()}</ul></div>", "after"),
        (f"<div><h2>Das könnte Sie auch interessieren</h2><ul>{_links()}</ul></div>", "after"),
        (f"<div><h2>À lire aussi</h2><ul>{_links()}</ul></div>", "after"),
        (f"<div><h2>Lo más leído</h2><ul>{_links()}</ul></div>", "after"),
        # the label and its list are siblings among the article's own paragraphs
        (f"<h3>Read next</h3><ul>{_links()}</ul><p>Recommended by our editors</p>", "inside"),
        (f"<p><strong>Trending now</strong></p><ul>{_links()}</ul>", "inside"),
    ],
)
def test_a_labelled_block_goes_whole(block: str, where: str) -> None:
    footnote = "<p>Chosen by the newsdesk team</p>"
    html = _page(**{where: block.replace("</ul>", f"</ul>{footnote}", 1)})
    _check(html, [*OTHER, "Chosen by the newsdesk team"], "related-block")


BIO = "Mara Lindqvist covers transport and the harbour for the Gazette since 2019."


@pytest.mark.parametrize(
    "box",
    [
        f'<div class="author-box"><h3>About the author</h3><p>{BIO}</p></div>',
        f'<aside class="autor"><h4>Über die Autorin</h4><div><img src="/a.jpg"><p>{BIO}</p>'
        '<a href="/autoren/mara-lindqvist">Alle Artikel</a></div></aside>',
        f"<section><p><strong>Sobre la autora</strong></p><p>{BIO}</p></section>",
    ],
)
def test_the_author_s_box_goes_whole(box: str) -> None:
    _check(
        _page(after=box), ["Lindqvist", "About the author", "Autorin", "autora"], "related-block"
    )


def test_a_media_player_goes_with_its_title_and_times() -> None:
    player = (
        '<div class="ts-mediaplayer"><p>video</p><p>Zeppelin hangar: what the neighbours hope</p>'
        "<p>evening news 17:00, 14.11.2026</p><button>Video abspielen</button><span>1 Min</span>"
        "</div>"
    )
    _check(_page(inside=player), ["Zeppelin", "Video abspielen", "evening news"], "prompt")


def test_teasers_and_reading_times_under_the_headlines_go_too() -> None:
    cards = "".join(
        f'<div class="c-card"><a href="/news/2026/11/story-{i}"><h3>{h}</h3></a>'
        f"<p>A short teaser about the {h.split()[0].lower()} that ran last week.</p>"
        f"<span>4 min read</span></div>"
        for i, h in enumerate(OTHER)
    )
    html = _page(after=f'<div class="c-1"><span>You might also like</span><div>{cards}</div></div>')
    _check(html, [*OTHER, "4 min read", "zeppelin"], "related-block")


def test_a_user_label_drops_a_block() -> None:
    tip = "The velodrome tour on Saturday is fully booked, the organisers said last night."
    block = f"<div><h3>Harbour Picks of the Week</h3><p>{tip}</p></div>"
    article, _ = _extract(_page(inside=block))
    assert tip in article.text  # no built-in rule knows this label
    _check(_page(inside=block), [tip], "related-block", drop_blocks=("Harbour picks of the week",))


@pytest.mark.parametrize(
    "teaser",
    [
        '<p>READ MORE: <a href="/news/2026/11/zeppelin-museum">{h}</a></p>',
        '<p><strong>Read also:</strong> <a href="/news/2026/11/zeppelin-museum">{h}</a></p>',
        '<p>Watch: <a href="/video/2026/11/zeppelin-museum">{h}</a></p>',
        '<p>Listen – <a href="/audio/zeppelin-museum-podcast">{h}</a></p>',
        '<p>MORE: <a href="https://www.gazette.example/news/2026/11/zeppelin">{h}</a></p>',
        '<p>See also: <a href="https://partner.example/zeppelin-museum">{h}</a></p>',
        '<p><a href="/news/2026/11/zeppelin-museum"><strong>{h}</strong></a></p>',
        '<ul><li><a href="/news/2026/11/zeppelin-museum">{h}</a></li></ul>',
        '<div class="c-7"><span>Lesen Sie auch:</span> <a href="/news/1234">{h}</a></div>',
        '<p>À lire aussi : <a href="/news/2026/11/zeppelin-museum">{h}</a></p>',
    ],
)
def test_an_inline_teaser_goes(teaser: str) -> None:
    _check(_page(inside=teaser.format(h=OTHER[0])), [OTHER[0]], "inline-teaser")


def test_a_list_of_links_to_other_articles_goes_without_a_label() -> None:
    times = " <span>3 min read</span>"
    _check(_page(after=f"<ul>{_links(teaser=times)}</ul>"), OTHER, "link-list")
    cards = "".join(
        f'<a class="c-9" href="/news/2026/11/s-{i}"><span>Politics</span><b>{h}</b>'
        "<i>2 hours ago</i></a>"
        for i, h in enumerate(OTHER)
    )
    _check(_page(after=f'<div class="c-8">{cards}</div>'), OTHER, "link-list")


@pytest.mark.parametrize(
    "prompt",
    [
        '<div class="c-2"><h4>Subscribe for unlimited access</h4><p>Just £1 for 4 weeks.</p>'
        "<button>Subscribe now</button><p>Already a subscriber? <a href='/login'>Log in</a>"
        "</p></div>",
        "<div><p>Sign up for our Morning Briefing: the day’s news in your inbox.</p><form>"
        '<input type="email"><button>Sign up</button></form></div>',
        "<p>Get the app: news alerts on your phone. <a href='/app'>Download</a></p>",
        "<p>Follow us on Facebook and X</p>",
        "<div><p>Jetzt abonnieren und weiterlesen</p></div>",
        "<div><p>Abonnez-vous pour lire la suite</p><p>Déjà abonné ? Se connecter</p></div>",
        "<div><p>Suscríbete a nuestro boletín</p></div>",
    ],
)
def test_a_prompt_goes(prompt: str) -> None:
    html = _page(inside=prompt)
    article, removed = _extract(html)
    assert article.text.split("\n\n") == BODY
    assert {r.rule for r in removed} & {"prompt", "prompt-line"}, removed


@pytest.mark.parametrize(
    "paragraph",
    [
        # a headline quoted in a sentence, with its link
        'As we reported in <a href="/news/2026/11/zeppelin-museum">Zeppelin museum reopens after '
        "roof repairs</a>, the harbour board had asked the museum to move its sheds by spring.",
        # a link inside ordinary text, to this site and to another
        'The <a href="/topics/harbour">harbour board</a> published the survey on '
        '<a href="https://gov.example/report">the government site</a> on Monday, officials said.',
        # sentences that start with a label word
        "More for you to read in the council’s report, which runs to three hundred pages.",
        "Related costs, such as the new pontoon, are not in the budget approved on Tuesday.",
        "Most read the report before the vote, but two councillors admitted they had not.",
        # subscriptions and newsletters as the subject of the story
        "Subscribers to the harbour newsletter will be told about closures a week ahead.",
        "Residents can sign up for the scheme at the library until the end of the month.",
        "The council said it would follow up on the complaints about noise from the dredger.",
    ],
)
def test_body_text_stays(paragraph: str) -> None:
    html = _page(inside=f"<p>{paragraph}</p>")
    removed: list[Removal] = []
    result = extract_article(html, URL, ExtractOptions(), removed)
    assert isinstance(result, Article)
    kept = result.text.split("\n\n")
    assert len(kept) == len(BODY) + 1, removed
    assert kept[2].startswith(paragraph.split("<")[0].split(",")[0][:30])


def test_a_list_of_key_points_stays() -> None:
    points = ["Dredging starts in March", "The channel will be four metres deep", "Cost: £2m"]
    items = "".join(f"<li>{p}</li>" for p in points)
    article, _ = _extract(_page(inside=f"<h2>Key points</h2><ul>{items}</ul>"))
    for point in points:
        assert point in article.text


def test_a_source_s_exclude_selectors_drop_what_they_select() -> None:
    box = '<div class="promo-box"><p>The Gazette Quiz returns on Friday night.</p></div>'
    html = _page(inside=box)
    article, _ = _extract(html)
    assert "Gazette Quiz" in article.text
    article, removed = _extract(html, exclude=("div.promo-box",))
    assert "Gazette Quiz" not in article.text
    assert article.text.split("\n\n") == BODY
    assert [r.rule for r in removed if r.rule.startswith("exclude")] == ["exclude div.promo-box"]


def test_a_bad_selector_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r'"div\[" is not a CSS selector'):
        css_to_xpath("div[")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("MORE FOR YOU", True),
        ("More for you:", True),
        ("Top Followed181", True),
        ("Editors’ Picks", True),
        ("More from Business", True),
        ("More from the Harbour Gazette’s business desk this week", False),
        ("Mehr zum Thema", True),
        ("LES PLUS LUS", True),
        ("Noticias relacionadas", True),
        ("Ficha técnica", True),
        ("Recommended from Editorial", True),
        ("相关阅读", True),
        ("関連記事", True),
        ("Also from this source", True),
        ("Relate", False),
        ("More", False),
    ],
)
def test_labels(text: str, label: bool) -> None:
    labels = related_labels()
    assert labels.matches(text) is label
    if label:
        assert labels.might_match(text)


@pytest.mark.parametrize(
    ("text", "prompt"),
    [
        ("Subscribe for unlimited access", True),
        ("Already a subscriber? Log in", True),
        ("Sign up for our morning briefing", True),
        ("Get the app", True),
        ("Follow us on Instagram", True),
        ("Got a story? Email news@gazette.example", True),
        ("Déjà abonné ? Se connecter", True),
        ("Found an error? Let us know.", True),
        ("Spotted a typo? Tell the newsdesk", True),
        ("Report an error", True),
        ("Our Standards: The Trust Principles.", True),
        ("Disclosure: The Lantern Trust is a financial supporter of the Courier.", True),
        ("Fehler gefunden? Schreiben Sie uns.", True),
        ("Vous avez repéré une erreur ? Écrivez-nous.", True),
        ("¿Has visto un error? Escríbenos", True),
        ("Have you ever braved a winter swim? Tell us in the comments below.", True),
        ("Data as of 2:41 PM EDT. Quotes delayed at least 15 minutes.", True),
        ("Masz temat? Napisz do nas: redakcja@gazeta.example", True),
        ("Get the stories that matter to the valley sent straight to your phone.", True),
        ("Manage your notifications here.", True),
        (
            "Copyright 2026 Pinnacle Media Inc. All rights reserved. This material may not be"
            " published, broadcast, rewritten, or redistributed.",
            True,
        ),
        ("For the latest news, weather and video, head to WBVX 6 News.", True),
        ("Disclaimer: The views above are those of the analysts, not of the paper.", True),
        ("Prenumerera på Sjöbygdens Tidning för 1 kr första månaden", True),
        ("Copyright lawyers said the words all rights reserved have no legal force.", False),
        ("For the latest figures, officials said, head to the council's website.", False),
        ("Video abspielen", True),
        ("Play video", True),
        ("He pressed play video on the laptop and the room went quiet.", False),
        ("Police said they found an error in the records.", False),
        ("Share prices were delayed by the exchange for 15 minutes.", False),
        ("An auditor who spotted a mistake in the accounts was promoted.", False),
        ("Our standards for the new homes are high, the developer said.", False),
        ("Residents can sign up for the scheme at the library.", False),
        ("The newsletter was first printed in 1990.", False),
        ("Netflix lost subscribers in the third quarter, the company said.", False),
    ],
)
def test_prompts(text: str, prompt: bool) -> None:
    assert is_prompt(text) is prompt


@pytest.mark.parametrize("name", ["es-sports-cronica", "us-magazine-reef"])
def test_the_article_s_own_header_is_not_a_card(name: str) -> None:
    """A section link, the unlinked <h1> and the standfirst around it are the page's header,
    not a teaser card of another article (which would make the teaser test drop the page's
    own lines, and hide furniture that happened to be in the same block)."""
    page = next(p for p in zoo_pages() if p.name == name)
    tree = parse_html(page.html)
    assert tree is not None
    headline = word_string(tree.findtext(".//h1") or "")
    cards = strip_blocks(tree, page.url, block_rules((), ()), None)
    assert headline
    assert [card for card in cards.kept if headline in card] == []


def test_a_home_page_s_linked_lead_headline_is_still_a_card() -> None:
    cards = "".join(
        f'<div class="card"><h1><a href="/news/2026/11/lead-{i}">{h}</a></h1>'
        f"<p>A teaser about the {h.split()[0].lower()} that ran this week.</p></div>"
        for i, h in enumerate(OTHER)
    )
    tree = parse_html(f"<html><body><main><div class='row'>{cards}</div></main></body></html>")
    assert tree is not None
    census = strip_blocks(tree, URL, block_rules((), ()), None)
    assert census.total == len(OTHER)
