"""Page metadata: canonical URL, precise publication time and language (which trafilatura leaves
coarse), and title, author, site name, description and image the way trafilatura reads them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura import metadata as trafilatura_metadata

from presswatch.url_keys import url_key

log = logging.getLogger(__name__)

_PUBLISHED_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@name="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[@name="pubdate"]/@content',
    '//meta[@name="publish-date"]/@content',
    '//meta[@property="og:published_time"]/@content',
    '//*[@itemprop="datePublished"]/@datetime',
    "//article//time/@datetime",
    "//time[@pubdate]/@datetime",
)


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What the page says about itself (None: not found), as trafilatura would report it."""

    title: str | None
    author: str | None
    site_name: str | None
    description: str | None
    image: str | None
    url: str | None  # the page's own idea of its URL (canonical, og:url), else the fetched one


def canonical_url(tree: HtmlElement, fetched_url: str) -> str:
    """`<link rel=canonical>` or `og:url` when it is a real page on the same site, else the
    fetched URL without tracking parameters.

    A canonical pointing at another site (a syndication partner claiming the original) or at
    the site's home page (a common template bug) is ignored, so that distinct articles never
    collapse into one clipping.
    """
    fetched_host = _bare_host(fetched_url)
    is_file = urlsplit(fetched_url).scheme not in {"http", "https"}  # a saved page
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for value in tree.xpath(xpath):
            candidate = urljoin(fetched_url, str(value).strip())
            parts = urlsplit(candidate)
            if parts.scheme not in {"http", "https"}:
                continue
            if not is_file and _bare_host(candidate) != fetched_host:
                continue
            if parts.path in {"", "/"} and urlsplit(fetched_url).path not in {"", "/"}:
                continue
            return url_key(candidate)
    return url_key(fetched_url)


def published_at(tree: HtmlElement) -> datetime | None:
    """The most precise publication time the page states (meta, JSON-LD, <time>), in UTC."""
    for xpath in _PUBLISHED_XPATHS:
        for value in tree.xpath(xpath):
            parsed = parse_datetime(str(value))
            if parsed:
                return parsed
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        parsed = _jsonld_published(str(script))
        if parsed:
            return parsed
    return None


def declared_types(tree: HtmlElement) -> frozenset[str]:
    """What the page says it is: its og:type and JSON-LD @type values, lower-cased."""
    found = {str(v).strip().lower() for v in tree.xpath('//meta[@property="og:type"]/@content')}
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        for node in _jsonld_objects(str(script)):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            found.update(str(k).lower() for k in kinds if isinstance(k, str))
    return frozenset(found)


def page_language(tree: HtmlElement) -> str | None:
    """Primary language subtag from `<html lang>` or `og:locale` ("en-GB" -> "en")."""
    values = [*tree.xpath("/html/@lang"), *tree.xpath('//meta[@property="og:locale"]/@content')]
    for value in values:
        primary = str(value).replace("_", "-").split("-")[0].strip().lower()
        if primary.isalpha() and 2 <= len(primary) <= 3:
            return primary
    return None


def parse_datetime(text: str) -> datetime | None:
    """ISO 8601 (with or without time and offset) as an aware UTC datetime; None if not one."""
    text = text.strip()
    if not text or not text[:4].isdigit():
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _jsonld_published(script: str) -> datetime | None:
    for node in _jsonld_objects(script):
        value = node.get("datePublished")
        if isinstance(value, str) and (parsed := parse_datetime(value)):
            return parsed
    return None


def _jsonld_objects(script: str) -> Iterator[dict[str, object]]:
    """Every object in a JSON-LD script, nested ones included (nothing for bad JSON)."""
    try:
        data = json.loads(script)
    except ValueError:
        return
    stack: list[object] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            yield node
            stack.extend(v for v in node.values() if isinstance(v, dict | list))


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def page_metadata(tree: HtmlElement, fetched_url: str) -> PageMetadata:
    """Title, author, site name, description and image: trafilatura's `extract_metadata` steps
    for these fields, in its order (meta tags, then JSON-LD, then the page: `<h1>`/`<title>`,
    a byline, the title's site part), without its costly steps whose results presswatch does
    not use (categories, tags, licence) and without the date (`guessed_date`, on demand).

    With `bare_extraction(with_metadata=True)` these cost about as much as the text extraction
    on real news pages (up to 12 ms a page); this reads the same values for a fraction of it.
    The tree is only read.
    """
    tm = trafilatura_metadata
    found = tm.examine_meta(tree)
    if found.author and " " not in found.author:  # a user name, not a person's name
        found.author = None
    try:
        found = tm.extract_meta_json(tree, found)
    except Exception as exc:  # as trafilatura does: a bug in its JSON-LD reading is not ours
        log.debug("JSON-LD metadata not read: %s", exc)
    if not found.title:
        found.title = tm.extract_title(tree)
    if not found.author:
        found.author = tm.extract_author(tree)
    if not found.url:
        found.url = tm.extract_url(tree, fetched_url)
    if not found.sitename:
        found.sitename = tm.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")  # a Twitter handle
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url and (host := tm.META_URL.match(found.url)):
        found.sitename = host[1]
    found.clean_and_trim()  # entities, spacing, length
    return PageMetadata(
        title=found.title,
        author=found.author,
        site_name=found.sitename,
        description=found.description,
        image=found.image,
        url=found.url,
    )


def guessed_date(tree: HtmlElement, page_url: str | None) -> datetime | None:
    """The publication date htmldate finds (day precision), for a page that states no time in
    its metadata: from the URL, `<time>` elements, date-like text near the top. Its extensive
    search is off: it guesses from copyright lines ("© 2026" -> 1 January 2026), and a missing
    date is better than a wrong one. The tree is only read."""
    found = find_date(tree, url=page_url, extensive_search=False, original_date=True)
    return parse_datetime(found) if isinstance(found, str) else None
