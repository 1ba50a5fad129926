"""Reading a feed, in an extraction worker: feedparser takes seconds on a large or malformed
feed, time the crawl's event loop must not spend."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class FeedEntries:
    """The entries of a feed that link somewhere, with their publication times; `problem`
    says why there are none (not a feed, or a feed without links)."""

    links: tuple[tuple[str, datetime | None], ...]
    problem: str | None = None


def read_feed(body: bytes) -> FeedEntries:
    """The linked entries of an RSS or Atom feed (links as written: relative ones stay so)."""
    import feedparser

    parsed = feedparser.parse(body)
    links = tuple(
        (link, _entry_published(entry))
        for entry in parsed.get("entries", [])
        if (link := entry.get("link") or _alternate_link(entry))
    )
    if links:
        return FeedEntries(links)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    reason = (
        f"not a valid feed ({' '.join(str(problem).split())[:200]})"
        if problem
        else "the feed lists no entries with links"
    )
    return FeedEntries((), reason)


def _alternate_link(entry: Any) -> str | None:
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _entry_published(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
