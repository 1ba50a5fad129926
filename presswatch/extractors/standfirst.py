"""The standfirst: the sentence or two under the headline that sums the article up (a dek, a
chapô, a Vorspann, a sommario, a linha fina). Readers count it as the article's text, and it
often holds the words a topic looks for; trafilatura usually leaves it out, because it sits in
the article's header, outside the body it extracts.

It is found by what it is, not by where one publisher puts it: the first block of prose after
the `<h1>` that the extracted text does not hold, before the text's own paragraphs begin, that
either says what the page's description says (the description is often the standfirst, or its
first sentence) or is named as a standfirst by its class or `itemprop`. Captions, bylines,
links, prompts and anything in a figure, a list or an aside are never taken.
"""

from __future__ import annotations

import itertools
import re

from lxml import etree
from lxml.html import HtmlElement

from presswatch.extractors.folding import normalise_line
from presswatch.extractors.furniture import is_counter
from presswatch.extractors.prompts import is_prompt

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
_BLOCKS = frozenset(
    {"p", "div", "ul", "ol", "li", "table", "section", "article", "aside", "figure", "header"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "nav", "footer", "form"}
)
_MIN_WORDS, _MAX_WORDS = 8, 90
_LINK_SHARE = 0.2
_SCAN = 80  # elements after the <h1>
_SAME_WORDS = 8  # a description says the same when their first words agree (at least 6)
_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]{2}")  # a word, not a number or an initial
# the first elements after the <h1> in document order (its own descendants excluded)
_FOLLOWING = etree.XPath(f"following::*[position() <= {_SCAN}]")


def standfirst(tree: HtmlElement, lines: list[str], description: str | None) -> str | None:
    """The page's standfirst when the extracted `lines` lack it, else None."""
    headings = tree.xpath("//body//h1")
    if not headings:
        return None
    kept = normalise_line(" ".join(lines[:5]))
    described = _words(description or "")
    for element in _FOLLOWING(headings[0]):
        if not isinstance(element.tag, str) or element.tag not in _TAGS or _has_block(element):
            continue
        text = " ".join(element.text_content().split())
        words = _words(text)
        if sum(1 for w in words if _LETTERS.search(w)) < _MIN_WORDS:
            continue  # too short, or a line of dates and times
        if normalise_line(text)[:80] in kept:
            return None  # the text's own paragraphs have begun
        if len(words) > _MAX_WORDS or _inside(element, _NOT_IN) or not _prose(element, text):
            continue
        if _named(element) or _says_the_same(words, described):
            return text
    return None


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
        names = re.split(r"[^a-z]+", f"{owner.get('class', '')} {owner.get('id', '')}".lower())
        if _NAMES.intersection(names) or _NAME_PAIRS.intersection(itertools.pairwise(names)):
            return True
    return False


def _says_the_same(words: list[str], described: list[str]) -> bool:
    shorter = min(len(words), len(described))
    if shorter < 6:
        return False
    first = min(shorter, _SAME_WORDS)
    return words[:first] == described[:first]


def _words(text: str) -> list[str]:
    return _WORD.findall(normalise_line(text))
