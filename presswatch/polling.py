"""Adaptive polling: a source's interval follows how much news its crawls find.

The rule (next_interval_s) is a pure function of one crawl run; adjust_poll_interval applies
it after a source's crawl run has ended, in the crawl process (so `run`, `worker` and `crawl`
all do it), and stores the interval on the source. The service reschedules the source from
it, and `presswatch status` and the review page show it (current_interval_s).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from presswatch.config import CrawlConfig, SourceConfig
from presswatch.counts import CrawlCounts
from presswatch.next_run import DEFAULT_INTERVAL_S

if TYPE_CHECKING:
    from presswatch.storage.repository import Repository

BUSY_SHARE = 0.5  # a crawl finding at least this share of its links new: the feed turns over
SPEED_UP = 0.5  # fast: a busy feed may drop links before the next crawl sees them
BACK_OFF = 1.5  # slower: one quiet crawl is weak evidence that the source has gone quiet


def poll_bounds_s(source: SourceConfig) -> tuple[float, float]:
    """The shortest and the longest interval of an adaptive source: min_every, every."""
    return source.min_interval_s, source.interval_s or DEFAULT_INTERVAL_S


def start_interval_s(low_s: float, high_s: float) -> float:
    """Where an adaptive source starts: midway between its bounds on a log scale (the geometric
    mean), as many steps from the shortest interval as from the longest."""
    return math.sqrt(low_s * high_s)


def next_interval_s(
    current_s: float,
    counts: CrawlCounts,
    low_s: float,
    high_s: float,
    *,
    status: str = "finished",
    is_first: bool = False,
) -> float:
    """The interval after a crawl run with these counts, within [low_s, high_s].

    The share of new links is new clippings (`stored`) over links found (`discovered`): a link
    that is not an article (a video page, a short stub) or fails is never stored, so it is
    found again, as new, by every crawl, and is no news. Half new or more: the interval halves;
    nothing new: it grows by half; in between it stays. It also stays after a run that did not
    finish, after one that found no link because of errors (that says nothing of the source's
    rhythm), and after the source's first run (`is_first`: nothing stored before, so every
    link is new).
    """
    if status != "finished" or (counts.discovered == 0 and counts.errors):
        factor = 1.0
    elif counts.stored == 0:
        factor = BACK_OFF
    elif counts.stored >= BUSY_SHARE * counts.discovered and not is_first:
        factor = SPEED_UP
    else:
        factor = 1.0
    return min(max(current_s * factor, low_s), high_s)


def current_interval_s(
    source: SourceConfig, crawl: CrawlConfig, stored_s: float | None
) -> float | None:
    """The interval an adaptive source is crawled at now: `stored_s` (the last one stored),
    kept within the source's bounds (the config may have changed since), or, with none
    stored, where adaptive polling starts. None when the source is not adaptive (it runs at
    its `every` or `cron`)."""
    if not source.is_adaptive(crawl):
        return None
    low_s, high_s = poll_bounds_s(source)
    if stored_s is None:
        return start_interval_s(low_s, high_s)
    return min(max(stored_s, low_s), high_s)


def adjust_poll_interval(
    repository: Repository,
    crawl: CrawlConfig,
    source: SourceConfig,
    run_id: int,
    counts: CrawlCounts,
    status: str,
) -> float | None:
    """After the crawl run `run_id` of `source` ended with `status`: store and return the
    source's next interval; None (nothing stored) when the source is not adaptive."""
    stored_s = repository.poll_interval(source.name)
    current_s = current_interval_s(source, crawl, stored_s)
    if current_s is None:
        return None
    low_s, high_s = poll_bounds_s(source)
    is_first = not repository.has_clippings_before(source.name, run_id)
    interval_s = next_interval_s(current_s, counts, low_s, high_s, status=status, is_first=is_first)
    if interval_s != stored_s:
        repository.set_poll_interval(source.name, interval_s)
    return interval_s


def format_interval(seconds: float) -> str:
    """As a duration of the config reads: 90 -> "1m30s", 3600 -> "1h", 1.5 -> "1.5s"."""
    if seconds < 60:
        return f"{round(seconds, 1):g}s"
    parts = []
    rest = round(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)


def schedule_text(source: SourceConfig, interval_s: float | None) -> str:
    """The source's schedule as people read it; an adaptive one with its interval now and its
    bounds: "every 7m30s (adaptive 5m-1h)"."""
    if interval_s is None:
        return source.schedule
    low_s, high_s = poll_bounds_s(source)
    return (
        f"every {format_interval(interval_s)} "
        f"(adaptive {format_interval(low_s)}-{format_interval(high_s)})"
    )
