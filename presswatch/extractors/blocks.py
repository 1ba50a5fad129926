"""Drop whole blocks of page furniture from a parsed page, before trafilatura reads it.

The unit of boilerplate is the block: a "More for You" box is its label *and* the headlines,
teasers and footnote under it. The rules, applied in this order, one small function each:

- exclude: the source's own CSS selectors (`[[sources]] exclude`);
- related-block: a block whose heading, aria-label or first line is a related-content label
  (furniture.RELATED_LABELS and `[extract] drop_blocks`) goes whole; a label that is not the
  first line of a block goes with the list-like siblings after it, up to the next heading or
  paragraph of prose;
- link-list: a list (or a row of cards) whose items are mostly links to other articles of
  the same site, with or without teasers and reading times;
- inline-teaser: a paragraph or list item that is (almost) only a link to another article
  of the same site, alone or after a lead-in ("READ MORE:", "Watch:"); menu-link: the same
  for a section, tag or service page;
- prompt: a short block that speaks like a subscription, newsletter, app, social, cookie or
  tip-line box.

On the way, the cards of the page's lists are counted (pagetree.CardCensus): pagekind.py tells
an index page from an article by them.

No rule may eat the article: a block that holds an `<h1>`, the element marked as the article
body, or the page's longest run of text is never dropped (pagetree.Page keeps them), and a
paragraph of some length stays whatever links it holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from cssselect import HTMLTranslator, SelectorError
from lxml import etree
from lxml.html import HtmlElement

from presswatch.extractors.folding import fold, word_string
from presswatch.extractors.furniture import (
    TEASER_LEAD_INS,
    Labels,
    Removal,
    label_key,
    related_labels,
    texts_holding,
)
from presswatch.extractors.pagetree import (
    ROOTS,
    CardCensus,
    Page,
    in_page_frame,
    squeeze,
    text_element,
)
from presswatch.extractors.prompts import PROMPT_WORDS, is_prompt

# blocks a related-content label may open
BLOCK_TAGS = frozenset(
    {"section", "aside", "div", "nav", "ul", "ol", "figure", "header", "footer", "dl", "p"}
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ")", ":")

_MAX_LABEL_CHARS = 60
# an inline teaser, a card or a prompt is at most this long; a paragraph longer than this is
# the article's, whatever links it holds
_MAX_TEASER_WORDS = 40
_MAX_CARD_WORDS = 150
_MAX_PROMPT_WORDS = 60
# a lead-in, then links covering this share of the rest: "READ MORE: <a>headline</a>"
_LEAD_IN_LINK_SHARE = 0.7
# without a lead-in, a paragraph that is this much link
_LINK_ONLY_SHARE = 0.85
# a list goes when this share of its items are cards (links to other articles)
_CARD_SHARE = 0.6
# after a label that is not the first line of a block, siblings dropped at most
_MAX_BLOCK_SIBLINGS = 30

# one look at the page each: every text node, every link, every aria-label
_LINKS = etree.XPath("//body//a[@href]")
_ARIA_LABELLED = etree.XPath("//body//*[@aria-label]")
# elements that sit inside a line of text; a teaser's link may be wrapped in them
_INLINE = frozenset({"a", "b", "strong", "em", "i", "u", "span", "small", "mark", "font", "cite"})
# elements a teaser (a paragraph, an item, a heading) may be
_TEASER_TAGS = frozenset({"p", "li", "div", "h2", "h3", "h4", "h5", "h6", "dd", "dt"})
_BLOCK_CHILDREN = frozenset(
    {"p", "div", "li", "ul", "ol", "table", "section", "article", "h1", "h2", "h3", "figure"}
)
# elements that hold a line of text, never a list of items
_NOT_ROWS = HEADINGS | _INLINE | {"p", "dt", "dd", "td", "th", "blockquote", "label"}
# how far above a link its list or row of cards may be
_CARD_DEPTH = 5
_LEAD_IN = re.compile(
    r"^(?:{})\b\s*[:\-–—|»>•]*\s*".format(
        "|".join(re.escape(fold(p)) for p in sorted(TEASER_LEAD_INS, key=len, reverse=True))
    )
)


@dataclass(frozen=True, slots=True)
class BlockRules:
    """The related-content labels and a source's exclude selectors, compiled once."""

    labels: Labels
    exclude: tuple[tuple[str, etree.XPath], ...]  # (selector as written, compiled)


@functools.lru_cache(maxsize=64)
def block_rules(drop_blocks: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> BlockRules:
    """The rules for one source (built once per set: every page of a crawl asks for them)."""
    return BlockRules(
        related_labels(drop_blocks),
        tuple((selector, etree.XPath(css_to_xpath(selector))) for selector in exclude),
    )


def css_to_xpath(selector: str) -> str:
    """The XPath of a CSS selector; ValueError naming what is wrong with it."""
    try:
        return str(HTMLTranslator().css_to_xpath(selector))
    except SelectorError as exc:
        raise ValueError(f'"{selector}" is not a CSS selector ({exc})') from exc


def strip_blocks(
    tree: HtmlElement, url: str, rules: BlockRules, removed: list[Removal] | None = None
) -> CardCensus:
    """Drop every furniture block from `tree` (in place); each goes to `removed` with its rule.
    Returns the cards found in the page's lists."""
    page = Page(tree, url, removed)
    for selector, xpath in rules.exclude:
        for element in xpath(tree):
            page.drop(element, f"exclude {selector}")
    _drop_related_blocks(page, rules.labels)
    # the links of what is left, looked up again after each pass (one XPath costs less than
    # asking each link whether a dropped block took it along)
    _drop_link_lists(page, _LINKS(tree))
    _drop_inline_teasers(page, _LINKS(tree))
    _drop_prompts(page)
    return page.cards


def _drop_related_blocks(page: Page, labels: Labels) -> None:
    for element in _ARIA_LABELLED(page.tree):
        if element.tag in BLOCK_TAGS and labels.matches(element.get("aria-label", "")):
            page.drop(element, "related-block")
    candidates: list[HtmlElement] = []
    for text in page.texts:
        if len(text) > _MAX_LABEL_CHARS * 4 or not labels.might_match(text):
            continue
        owner = text_element(text)
        if owner is None:
            continue
        if labels.matches(text):
            candidates.append(owner)
        elif owner.tag in HEADINGS or (
            owner.getparent() is not None and owner.getparent().tag in HEADINGS
        ):
            # a label split by markup: "<h2>More <em>for</em> you</h2>"
            heading = owner if owner.tag in HEADINGS else owner.getparent()
            if len(heading.text_content()) <= _MAX_LABEL_CHARS and labels.matches(
                heading.text_content()
            ):
                candidates.append(heading)
    for element in candidates:
        # the label is all the element says ("READ MORE: <a>…</a>" is a teaser, not a label)
        text = element.text_content()
        if len(text) <= 2 * _MAX_LABEL_CHARS and labels.matches(text) and page.attached(element):
            _drop_labelled(page, element)


def _drop_labelled(page: Page, element: HtmlElement) -> None:
    """`element` holds a label: drop the block it opens."""
    key = label_key(element.text_content())
    if not key:
        return
    # the whole line the label is on: `<h2><a>More for You</a></h2>` is one line
    line = element
    while (parent := line.getparent()) is not None:
        text = parent.text_content()
        if len(text) > 2 * _MAX_LABEL_CHARS or label_key(text) != key:
            break
        line = parent
    if not _stands_alone(line) or _is_one_line(line.getparent()):
        # "<a>Read more</a>" at the end of a teaser, "READ MORE: <a>…</a>": not a block's label
        return
    block = None
    candidate = line
    while (parent := candidate.getparent()) is not None and parent.tag in BLOCK_TAGS:
        if not _opens_with(parent, key) or not page.may_drop(parent):
            break
        candidate = parent
        if parent.tag != "p" or _link_share(page, parent) >= 0.5:
            block = parent
    if block is not None:
        page.count_cards(block, _headlines(page, block))
        page.drop(block, "related-block")
        return
    # a label among the article's own elements: it and the list-like siblings after it
    siblings = list(_next_elements(line, _MAX_BLOCK_SIBLINGS))
    if not page.drop(line, "related-block"):
        return
    for sibling in siblings:
        if sibling.tag in HEADINGS or not _is_block_content(page, sibling):
            break
        page.count_cards(sibling, _headlines(page, sibling))
        page.drop(sibling, "related-block")


def _is_block_content(page: Page, element: HtmlElement) -> bool:
    """Part of a related block: a list, a card, a footnote; not a paragraph of prose."""
    if element.tag in ("ul", "ol", "nav", "aside", "figure", "dl"):
        return True
    text = squeeze(element.text_content())
    if not text:
        return True
    if _link_share(page, element) >= 0.5:
        return True
    words = len(text.split())
    if words <= 12 and not text.endswith(_SENTENCE_ENDS):
        return True  # a footnote, a reading time, a kicker
    return element.tag != "p" and _has_cards(page, element) and not _has_prose(element)


def _drop_link_lists(page: Page, links: list[HtmlElement]) -> None:
    # the lists and rows that hold links to articles, within a few levels of them
    rows: dict[HtmlElement, int] = {}
    for link in links:
        if page.link_kind(link.get("href", "")) != "article":
            continue
        element = link
        for _ in range(_CARD_DEPTH):
            parent = element.getparent()
            if parent is None or parent.tag in ("html", "body"):
                break
            rows[parent] = rows.get(parent, 0) + 1
            element = parent
    # outer rows first: a list of lists goes as one block
    for row in sorted((r for r, n in rows.items() if n >= 2), key=_depth):
        if row.tag in _NOT_ROWS or row.tag in ("html", "body") or not page.attached(row):
            continue
        items = [child for child in row if isinstance(child.tag, str) and _has_text(child)]
        least = 2 if row.tag in ("ul", "ol") else 3
        if len(items) < least:
            continue
        cards = _cards_of(page, items)
        if len(cards) < max(least, _CARD_SHARE * (len(items) - _teasers_beside(cards))):
            continue
        if _runs_text(row):
            continue
        if page.may_drop(row) and not _has_prose(row):
            page.count_cards(row, len(cards))
            page.drop(row, "link-list")
        elif not in_page_frame(row):  # the page's main text is in it, or long teasers
            page.cards.kept.extend(
                word_string(" ".join(part.text_content() for part in card)) for card in cards
            )


def _cards_of(page: Page, items: list[HtmlElement]) -> list[tuple[HtmlElement, ...]]:
    """The cards among a row's items; a card's teaser may be the item after it (a `<dt>`
    headline and its `<dd>`, an `<h3>` and the `<p>` below it)."""
    cards: list[tuple[HtmlElement, ...]] = []
    index = 0
    while index < len(items):
        item = items[index]
        index += 1
        if not _is_card(page, item):
            continue
        following = items[index] if index < len(items) else None
        if (
            following is not None
            and following.tag not in HEADINGS
            and not _has_cards(page, following)
            and len(following.text_content().split()) <= 2 * _MAX_TEASER_WORDS
        ):
            cards.append((item, following))
            index += 1
        else:
            cards.append((item,))
    return cards


def _teasers_beside(cards: list[tuple[HtmlElement, ...]]) -> int:
    return sum(len(card) - 1 for card in cards)


def _is_card(page: Page, item: HtmlElement) -> bool:
    """A headline linked to another article, perhaps with a kicker, teaser or reading time;
    never the page's own header: an unlinked `<h1>` with the section link and standfirst
    around it (a home page's lead story may link its `<h1>`)."""
    heading = item if item.tag == "h1" else item.find(".//h1")
    if heading is not None and heading.find(".//a") is None and _ancestor_link(heading) is None:
        return False
    text = squeeze(item.text_content())
    if len(text.split()) > _MAX_CARD_WORDS:
        return False
    for link in item.iter("a"):
        if page.link_kind(link.get("href", "")) != "article":
            continue
        headline = squeeze(link.text_content())
        if len(headline) < 3 or headline.endswith("."):
            continue  # a linked sentence of a summary, not a headline
        # the headline leads the item (after a kicker at most), or makes up much of it
        if text.find(headline) <= 40 or len(headline) >= 0.3 * len(text):
            return True
    return False


def _ancestor_link(element: HtmlElement) -> HtmlElement | None:
    return next((a for a in element.iterancestors("a")), None)


def _headlines(page: Page, element: HtmlElement) -> int:
    """How many other articles `element` links to by a headline (three words or more)."""
    return len(
        {
            a.get("href", "")
            for a in element.iter("a")
            if page.link_kind(a.get("href", "")) == "article" and len(a.text_content().split()) >= 3
        }
    )


def _has_cards(page: Page, element: HtmlElement) -> bool:
    return any(page.link_kind(a.get("href", "")) == "article" for a in element.iter("a"))


def _drop_inline_teasers(page: Page, links: list[HtmlElement]) -> None:
    seen: set[HtmlElement] = set()
    for link in links:
        if page.link_kind(link.get("href", "")) not in ("article", "page", "external"):
            continue
        element = link
        while element is not None and element.tag in _INLINE:
            element = element.getparent()
        if element is None or element in seen or element.tag not in _TEASER_TAGS:
            continue
        seen.add(element)
        # (no teaser holds another: none was dropped from inside this one)
        if any(child.tag in _BLOCK_CHILDREN for child in element):
            continue
        text = squeeze(element.text_content())
        if not text or len(text.split()) > _MAX_TEASER_WORDS:
            continue
        lead_in = _LEAD_IN.match(fold(text))
        if lead_in and lead_in.end() < len(text):
            rest = len(text) - lead_in.end()
            kinds = ("article", "page", "external")
            if _link_chars(page, element, kinds) >= _LEAD_IN_LINK_SHARE * rest:
                page.drop(element, "inline-teaser")
        elif _link_chars(page, element, ("article",)) >= _LINK_ONLY_SHARE * len(text):
            page.drop(element, "inline-teaser")
        elif _link_chars(page, element, ("article", "page")) >= _LINK_ONLY_SHARE * len(text):
            page.drop(element, "menu-link")  # a section, tag or service page: not a teaser


def _drop_prompts(page: Page) -> None:
    texts = page.texts
    for index in texts_holding(texts, PROMPT_WORDS):
        owner = text_element(texts[index])
        if owner is None or not page.attached(owner):
            continue
        words = squeeze(owner.text_content())
        if len(words.split()) > _MAX_PROMPT_WORDS or not is_prompt(words):
            continue
        # the whole box: the largest short block around the prompt
        block = owner
        while (parent := block.getparent()) is not None and page.may_drop(parent):
            if block.tag == "li" or parent.tag in ("article", "td"):
                break  # one item of a list is not the whole list
            if _word_count(parent) > _MAX_PROMPT_WORDS:
                break
            block = parent
        page.drop(block, "prompt")


# helpers


_BLOCK_INSIDE = etree.XPath(
    "boolean(.//p|.//div|.//ul|.//ol|.//li|.//table|.//section|.//article|.//aside|.//nav"
    "|.//figure|.//header|.//footer|.//br|.//h1|.//h2|.//h3|.//h4|.//h5|.//h6)"
)


def _is_one_line(element: HtmlElement | None) -> bool:
    """Only inline content: a paragraph, or a lead-in and its link, not a block of items."""
    return element is not None and element.tag not in ROOTS and not _BLOCK_INSIDE(element)


def _stands_alone(element: HtmlElement) -> bool:
    """No text on the same line before or after `element` inside its parent."""
    if element.tail and element.tail.strip():
        return False
    previous = element.getprevious()
    if previous is not None:
        return not (previous.tail and previous.tail.strip())
    parent = element.getparent()
    return parent is None or not (parent.text and parent.text.strip())


def _opens_with(element: HtmlElement, key: str) -> bool:
    """The element's text starts with the label (its first line is the label)."""
    head = label_key(_head_text(element, len(key) + 40))
    return head == key or head.startswith(key + " ")


def _head_text(element: HtmlElement, chars: int) -> str:
    """The first `chars` characters of the element's text, without joining all of it."""
    taken: list[str] = []
    size = 0
    for piece in element.itertext():
        taken.append(piece)
        size += len(piece.strip())
        if size >= chars:
            break
    return " ".join(taken)  # a heading and the text after it are two lines


def _next_elements(element: HtmlElement, limit: int) -> Iterator[HtmlElement]:
    sibling = element.getnext()
    while sibling is not None and limit > 0:
        if isinstance(sibling.tag, str):
            yield sibling
            limit -= 1
        sibling = sibling.getnext()


def _link_chars(page: Page, element: HtmlElement, kinds: tuple[str, ...]) -> int:
    return sum(
        len(squeeze(a.text_content()))
        for a in element.iter("a")
        if page.link_kind(a.get("href", "")) in kinds
    )


def _link_share(page: Page, element: HtmlElement) -> float:
    text = squeeze(element.text_content())
    if not text:
        return 0.0
    kinds = ("article", "page", "external", "self")
    return _link_chars(page, element, kinds) / len(text)


def _has_prose(element: HtmlElement) -> bool:
    """A run of text that reads as a paragraph of an article (long, ends a sentence)."""
    for piece in element.itertext():
        piece = piece.strip()
        if len(piece.split()) >= _MAX_TEASER_WORDS and piece.endswith(_SENTENCE_ENDS):
            return True
    return False


def _runs_text(element: HtmlElement) -> bool:
    """Text runs between the element's children: a sentence with links in it, not a list."""
    loose = len((element.text or "").strip()) + sum(
        len((child.tail or "").strip()) for child in element
    )
    return loose > 0.2 * len(element.text_content().strip())


def _depth(element: HtmlElement) -> int:
    return sum(1 for _ in element.iterancestors())


def _has_text(element: HtmlElement) -> bool:
    return any(piece.strip() for piece in element.itertext())


def _word_count(element: HtmlElement) -> int:
    return len(element.text_content().split())
