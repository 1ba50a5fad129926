"""The page as the block rules clean it (blocks.py): what may never be dropped, where its links
lead, the drop itself, and the census of the cards found in its lists.

No rule may eat the article: the `<h1>`, the element marked as the article body and the page's
longest run of text, and every element holding one of them, are protected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from presswatch.extractors.furniture import Removal

# never dropped whole: they hold everything else
ROOTS = frozenset({"html", "body", "main"})
# what a removal keeps of the text it removed (for `extract --explain`)
_REMOVAL_TEXT_CHARS = 200
_TEXT_NODES = etree.XPath("//body//text()[normalize-space()]")
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})
_ARTICLE_BODY = etree.XPath("//h1|//*[@itemprop='articleBody']")
# the last part of an article's path: a slug with a hyphen, or digits (an id or a date)
_ARTICLE_SLUG = re.compile(r"[a-z0-9]-[a-z0-9]|\d{3,}", re.IGNORECASE)


@dataclass(slots=True)
class CardCensus:
    """The cards (a headline linking to another article of the site, with its teaser) found
    in lists on a page: how a page of teasers, an index page, is told from an article."""

    dropped: int = 0  # in lists removed as link-lists
    kept: list[str] = field(default_factory=list)  # the texts of those that stayed (word_string)

    @property
    def total(self) -> int:
        return self.dropped + len(self.kept)


class Page:
    """The tree being cleaned, its site, and what may never be dropped."""

    def __init__(self, tree: HtmlElement, url: str, removed: list[Removal] | None) -> None:
        self.tree = tree
        self.removed = removed
        declared = _declared_url(tree)
        base = url if url.startswith(("http://", "https://")) else declared
        self.base = base
        parts = urlsplit(base)
        self.host = _bare_host(parts.hostname or "")
        self.path = parts.path or "/"
        # the host the page names as its own counts as this site too (an AMP or mirror copy,
        # a page fetched by an address other than its public one)
        self.hosts = frozenset(
            {self.host, _bare_host(urlsplit(declared).hostname or "") if declared else self.host}
        )
        self._protected: set[HtmlElement] | None = None
        self._kinds: dict[str, str] = {}
        self.drops = 0
        self.cards = CardCensus()
        self.texts = [
            text
            for text in _TEXT_NODES(tree)
            if text.is_tail or text.getparent().tag not in _NOT_TEXT
        ]

    @property
    def protected(self) -> set[HtmlElement]:
        """The headline's and the article body's elements and their ancestors, and those of
        the page's longest run of text (found when first asked: most pages need no rule)."""
        if self._protected is None:
            keep: list[HtmlElement] = list(_ARTICLE_BODY(self.tree))
            longest = max(self.texts, key=len, default=None)
            if longest is not None and (owner := text_element(longest)) is not None:
                keep.append(owner)
            self._protected = {a for element in keep for a in element.iterancestors()}
            self._protected.update(keep)
        return self._protected

    def may_drop(self, element: HtmlElement) -> bool:
        return (
            element.tag not in ROOTS
            and element not in self.protected
            and element.getparent() is not None
            and self.attached(element)
        )

    def count_cards(self, block: HtmlElement, cards: int) -> None:
        """Count the cards of a block about to be dropped (not those of the site's frame)."""
        if not in_page_frame(block):
            self.cards.dropped += cards

    def attached(self, element: HtmlElement) -> bool:
        """Still in the tree (not inside a block dropped before)."""
        return not self.drops or _attached(element, self.tree)

    def drop(self, element: HtmlElement, rule: str) -> bool:
        """Drop `element` (its tail text stays) unless it holds the article."""
        if not self.may_drop(element):
            return False
        if self.removed is not None:
            self.removed.append(
                Removal(rule, squeeze(" ".join(element.itertext()))[:_REMOVAL_TEXT_CHARS])
            )
        element.drop_tree()
        self.drops += 1
        return True

    def link_kind(self, href: str) -> str:
        """ "article" or "page" (another page of this site), "self", "external" or "none"."""
        kind = self._kinds.get(href)
        if kind is None:
            kind = self._kinds[href] = self._link_kind(href.strip())
        return kind

    def _link_kind(self, href: str) -> str:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            return "none"
        if href.startswith("/") and not href.startswith("//"):  # most links: no parsing needed
            host, path = self.host, href.partition("#")[0].partition("?")[0]
        elif href.startswith(("http://", "https://", "//")):
            host, path = _host_and_path(href)
        else:  # relative to the page, or another scheme
            parts = urlsplit(urljoin(self.base, href) if self.base else href)
            if parts.scheme not in ("http", "https", ""):
                return "none"
            host, path = _bare_host(parts.hostname or "") or self.host, parts.path
        if host not in self.hosts and not any(_same_site(host, h) for h in self.hosts):
            return "external"
        path = path.rstrip("/")
        if path == self.path.rstrip("/"):
            return "self"
        last = path.rsplit("/", 1)[-1]
        return "article" if _ARTICLE_SLUG.search(last) else "page"


def _host_and_path(url: str) -> tuple[str, str]:
    """ "https://www.host:8080/path?query" -> ("host", "/path"): split by hand, as urlsplit
    costs ten times as much and a page has hundreds of links."""
    parts = ("https:" + url if url.startswith("//") else url).split("/", 3)
    netloc = parts[2].partition("?")[0].partition("#")[0].rpartition("@")[2]
    rest = parts[3] if len(parts) > 3 else ""
    return _bare_host(netloc.partition(":")[0]), "/" + rest.partition("#")[0].partition("?")[0]


_FRAME_TAGS = frozenset({"nav", "footer", "header"})
_FRAME_ROLES = frozenset({"navigation", "contentinfo", "banner"})


def in_page_frame(element: HtmlElement) -> bool:
    """In the site's header, footer or navigation: links there say nothing about the page."""
    return any(
        e.tag in _FRAME_TAGS or e.get("role") in _FRAME_ROLES
        for e in (element, *element.iterancestors())
    )


def text_element(text: etree._ElementUnicodeResult) -> HtmlElement | None:
    """The element whose content a text node is (for a tail, the parent of its element)."""
    owner = text.getparent()
    if owner is None:
        return None
    return owner.getparent() if text.is_tail else owner


def _attached(element: HtmlElement, tree: HtmlElement) -> bool:
    """Still in the tree (not inside a block dropped before)."""
    root = element
    while (parent := root.getparent()) is not None:
        root = parent
    return root is tree or root is tree.getroottree().getroot()


def squeeze(text: str) -> str:
    return " ".join(text.split())


def _bare_host(host: str) -> str:
    host = host.lower()
    for prefix in ("www.", "m.", "amp."):
        host = host.removeprefix(prefix)
    return host


def _same_site(a: str, b: str) -> bool:
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def _declared_url(tree: HtmlElement) -> str:
    """The page's own URL as it states it: canonical link or og:url."""
    for value in _DECLARED_URL(tree):
        if str(value).startswith(("http://", "https://")):
            return str(value)
    return ""


_DECLARED_URL = etree.XPath(
    "/html/head/link[@rel='canonical']/@href|/html/head/meta[@property='og:url']/@content"
)
