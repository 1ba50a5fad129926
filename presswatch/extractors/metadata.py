"""Metadata that trafilatura leaves coarse: canonical URL, precise publication time, language."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from courlan import normalize_url
from lxml.html import HtmlElement

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


def url_key(url: str) -> str:
    """The form under which a URL is remembered: normalised, without tracking parameters."""
    try:
        return normalize_url(url, strict=True)
    except ValueError:
        return url.strip()


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
    try:
        data = json.loads(script)
    except ValueError:
        return None
    stack: list[object] = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            value = node.get("datePublished")
            if isinstance(value, str) and (parsed := parse_datetime(value)):
                return parsed
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return None


def _bare_host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
