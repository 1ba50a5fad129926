"""What a source's health is judged from (presswatch.health), as storage reads it: its last
crawl runs, its clippings' times, how its feeds answered, what robots.txt refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

Kind = Literal["silent", "yield", "errors", "robots", "moved"]
KINDS: tuple[Kind, ...] = ("errors", "robots", "moved", "yield", "silent")

LEARN_DAYS = 28  # the history a source's usual rate is learned from
# error kinds that are not a failed request: the answer came, what it held was the problem
CONTENT_PROBLEMS = (
    "feed",
    "sitemap",
    "extraction",
    "extraction-timeout",
    "charset",
    "storage",
    "crawl",
    "blocked",
)


@dataclass(frozen=True, slots=True)
class RunFacts:
    """One finished crawl run, as health reads it."""

    id: int
    started_at: datetime
    status: str
    requests: int
    errors: int
    fetched: int
    extracted: int
    stored: int
    discovered: int
    known: int
    robots: int
    failed: int = 0  # requests that failed (no answer, or an HTTP error), of `requests`

    @property
    def new_links(self) -> int:
        return self.discovered - self.known


@dataclass(frozen=True, slots=True)
class FetchFacts:
    """A feed or sitemap of the last run (storage.models.FeedFetch)."""

    url: str
    kind: str
    status: int
    entries: int
    moved_to: str | None


@dataclass(frozen=True, slots=True)
class SourceHistory:
    runs: tuple[RunFacts, ...]  # finished runs, newest first (the last one assessed first)
    # when its clippings of the learning window were published (when fetched, for those
    # without a plausible date)
    clipping_times: tuple[datetime, ...]
    newest_clipping: datetime | None  # when the newest clipping was fetched
    error_kinds: dict[str, int]  # the last run's failed URLs by kind (http-403, timeout, ...)
    fetches: tuple[FetchFacts, ...]  # the last run's feeds and sitemaps
    refused_paths: dict[str, int]  # the last run: URLs robots.txt forbade, by first path part
    used_paths: frozenset[str]  # of those, the ones its clippings, feeds or sitemaps used
    open_since: dict[str, datetime]  # kind -> since when, for the events open now


@dataclass(frozen=True, slots=True)
class Finding:
    kind: Kind
    since: datetime
    message: str


Verdict = Finding | str | None  # the problem; the line saying it is over; cannot tell


def first_path(url: str) -> str:
    """`https://a.example/news/x` -> `a.example/news/`: the part of a site robots.txt rules
    usually name."""
    parts = urlsplit(url)
    segment = parts.path.lstrip("/").split("/", 1)[0]
    has_more = "/" in parts.path.lstrip("/")
    return f"{parts.hostname}/{segment}/" if has_more else f"{parts.hostname}/"
