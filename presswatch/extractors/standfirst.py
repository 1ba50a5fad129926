"""The standfirst: the sentence or two under the headline that sums the article up (a dek, a
chapô, a Vorspann, a sommario, a linha fina). Readers count it as the article's text, and it
often holds the words a topic looks for; trafilatura usually leaves it out, because it sits in
the article's header, outside the body it extracts.

It is found by what it is, not by where one publisher puts it: the first block of prose after
the `<h1>` that the extracted text does not hold, before the text's own paragraphs begin, that
either says what the page's description says (the description is often the standfirst, or its
first sentence) or is named as a standfirst by its class or `itemprop`. Captions, bylines,
links, prompts and anything in a figure, a list or an aside are never taken.

A box of key points in the same place ("Key takeaways", "Das Wichtigste in Kürze") is article
text for the same reasons: a list of short sentences without links, named so by its heading or
its class, is put back after the standfirst.
"""

from __future__ import annotations

import itertools
import re

from lxml import etree
from lxml.html import HtmlElement

from presswatch.extractors.folding import normalise_line
from presswatch.extractors.furniture import is_counter, label_key
from presswatch.extractors.prompts import is_prompt
from presswatch.words import reading_words

# class or id words that name a standfirst (split at anything not a letter)
_NAMES = frozenset(
    {
        "standfirst",
        "dek",
        "deck",
        "subtitle",
        "subheadline",
        "subhead",
        "lede",
        "intro",
        "summary",
        "sommario",
        "chapo",
        "chapeau",
        "vorspann",
        "excerpt",
        "bajada",
        "entradilla",
        "sumario",
        "abstract",
    }
)
_NAME_PAIRS = frozenset({("linha", "fina"), ("stand", "first"), ("sub", "title")})
_ITEMPROPS = frozenset({"description", "abstract", "alternativeHeadline"})
_TAGS = frozenset({"p", "div", "h2", "h3", "span"})
# never a standfirst, nor inside one
_NOT_IN = frozenset({"figure", "figcaption", "aside", "nav", "footer", "li", "a", "button", "form"})
_POINTS_NOT_IN = _NOT_IN - {"aside"}  # a box of key points may be an <aside>
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "li", "table", "section", "article", "aside", "figure", "header"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "nav", "footer", "form"}
)
_MIN_WORDS, _MAX_WORDS = 8, 90
_LINK_SHARE = 0.2
_SCAN = 80  # elements after the <h1>
_SAME_WORDS = 8  # a description says the same when their first words agree (at least 6)
_WORD = re.compile(r"\w+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# key points
_MIN_POINTS, _MAX_POINTS = 2, 8
_MIN_POINT_WORDS, _MAX_POINT_WORDS = 4, 50
_POINT_NAMES = frozenset({"keypoints", "takeaways", "highlights", "keyfacts", "tldr"})
_POINT_PAIRS = frozenset({("key", "points"), ("key", "takeaways"), ("key", "facts")})
_POINT_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "p", "strong", "div", "span"})
_POINT_LABELS = frozenset(
    label_key(label)
    for label in (
        "Key points",
        "Key takeaways",
        "Takeaways",
        "Key facts",
        "Highlights",
        "At a glance",
        "In brief",
        "What you need to know",
        "Das Wichtigste in Kürze",
        "Das Wichtigste",
        "Auf einen Blick",
        "En bref",
        "L'essentiel",
        "Les points clés",
        "Lo más importante",
        "Lo esencial",
        "En resumen",
        "Claves",
        "Punti chiave",
        "In breve",
        "In het kort",
        "Em resumo",
        "Pontos-chave",
        "Najważniejsze",
        "この記事のポイント",
        "ポイント",
        "要点",
    )
)
_LETTERS = re.compile(r"[^\W\d_]{2}")  # a word, not a number or an initial
# the first elements after the <h1> in document order (its own descendants excluded)
_FOLLOWING = etree.XPath(f"following::*[position() <= {_SCAN}]")


def header_lines(tree: HtmlElement, lines: list[str], description: str | None) -> list[str]:
    """The page's standfirst and key points that the extracted `lines` lack (either may be
    missing), in that order: the lines to put before the text."""
    headings = tree.xpath("//body//h1")
    if not headings:
        return []
    beginning = normalise_line(" ".join(lines[:5]))
    described = _words(description or "")
    lead: str | None = None
    points: list[str] = []
    for element in _FOLLOWING(headings[0]):
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("ul", "ol"):
            if not points and not _inside(element, _POINTS_NOT_IN):
                points = key_points(element)
            continue
        if element.tag not in _TAGS or _has_block(element):
            continue
        text = " ".join(element.text_content().split())
        words = _words(text)
        if sum(1 for w in words if _LETTERS.search(w)) < _MIN_WORDS:
            continue  # too short, or a line of dates and times
        if normalise_line(text)[:80] in beginning:
            break  # the text's own paragraphs have begun
        if lead or len(words) > _MAX_WORDS or _inside(element, _NOT_IN):
            continue
        if _prose(element, text) and (_named(element) or _says_the_same(words, described)):
            lead = text
    if points:  # those the text already holds are not put back
        whole = normalise_line(" ".join(lines))
        points = [p for p in points if normalise_line(p)[:60] not in whole]
    return ([lead] if lead else []) + points


def key_points(listing: HtmlElement) -> list[str]:
    """The items of a list that is a box of key points (else []): 2 to 8 short sentences
    without links, under a key-points heading or in a container named for them."""
    items = [" ".join(li.text_content().split()) for li in listing if li.tag == "li"]
    if not _MIN_POINTS <= len(items) <= _MAX_POINTS:
        return []
    if any(not _MIN_POINT_WORDS <= reading_words(item) <= _MAX_POINT_WORDS for item in items):
        return []
    if not _prose(listing, " ".join(items)) or not _names_key_points(listing):
        return []
    return items


def _names_key_points(listing: HtmlElement) -> bool:
    owner: HtmlElement | None = listing
    for _ in range(3):  # the list, the box around it, and the box around that
        if owner is None:
            return False
        names = _names_of(owner, ("class", "id", "data-component", "data-module"))
        if _POINT_NAMES.intersection(names) or _POINT_PAIRS.intersection(itertools.pairwise(names)):
            return True
        heading = owner.getprevious()
        if (
            heading is not None
            and heading.tag in _POINT_HEADINGS
            and label_key(heading.text_content()) in _POINT_LABELS
        ):
            return True
        owner = owner.getparent()
    return False


def _has_block(element: HtmlElement) -> bool:
    return any(isinstance(child.tag, str) and child.tag in _BLOCKS for child in element)


def _inside(element: HtmlElement, tags: frozenset[str]) -> bool:
    return any(isinstance(a.tag, str) and a.tag in tags for a in element.iterancestors())


def _prose(element: HtmlElement, text: str) -> bool:
    linked = sum(len(" ".join(a.text_content().split())) for a in element.iter("a"))
    return linked <= _LINK_SHARE * len(text) and not is_prompt(text) and not is_counter(text)


def _named(element: HtmlElement) -> bool:
    if element.get("itemprop") in _ITEMPROPS:
        return True
    for owner in (element, element.getparent()):
        if owner is None:
            continue
        names = _names_of(owner, ("class", "id"))
        if _NAMES.intersection(names) or _NAME_PAIRS.intersection(itertools.pairwise(names)):
            return True
    return False


def _names_of(element: HtmlElement, attributes: tuple[str, ...]) -> list[str]:
    """The words of the element's class, id ... ("RenderKeyPoints-list" -> render, key,
    points, list)."""
    spaced = _CAMEL.sub(" ", " ".join(element.get(a, "") for a in attributes))
    return [w for w in re.split(r"[^a-z]+", spaced.lower()) if w]


def _says_the_same(words: list[str], described: list[str]) -> bool:
    """Whether the block and the description say the same: one holds the other's first
    words (up to 8, at least 6), in a row (a description is often the standfirst, its first
    sentence, or its second)."""
    shorter = min(len(words), len(described))
    if shorter < 6:
        return False
    first = min(shorter, _SAME_WORDS)
    return _holds(words, described[:first]) or _holds(described, words[:first])


def _holds(words: list[str], run: list[str]) -> bool:
    return any(words[i : i + len(run)] == run for i in range(len(words) - len(run) + 1))


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise_line(text))
