"""Source health: how a source departs from its usual behaviour, judged after each crawl run.

Five kinds of problem, each read from the source's own history
(presswatch.source_history.SourceHistory):
- silent: no new clipping for longer than `[health] silent_gaps` of its usual gaps (Silence):
  its rhythm learned from the clippings of the last four weeks, by hour of the week (so a
  quiet weekend is expected to be quiet), a source that publishes in bursts allowed its usual
  quiet stretches, and at least two crawls in a row found nothing new;
- yield: the share of fetched article pages that extraction kept fell to half its usual level
  or less (a template change);
- errors: most requests of the last two crawls failed, or the last crawl hit a wall (every feed
  and sitemap answered 401, 403 or 429);
- robots: robots.txt now forbids a path the source's clippings, feeds or sitemaps came from;
- moved: a feed or sitemap answered with a permanent redirect.

Each check says the problem is there (a Finding), is not there (a recovery line), or that the
last crawl cannot tell (None: whatever was open stays open). Nothing here touches the
database: presswatch.storage.health reads the history and keeps the events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING

from presswatch.source_history import (
    CONTENT_PROBLEMS,
    Finding,
    Kind,
    RunFacts,
    SourceHistory,
    Verdict,
)

if TYPE_CHECKING:
    from presswatch.config import Config, HealthConfig, SourceConfig
    from presswatch.crawler.context import SourceCrawl
    from presswatch.storage.repository import Repository

log = logging.getLogger(__name__)

_MIN_CLIPPINGS = 8  # fewer in the learning window: the usual gap is not known yet
_WEEKLY_PROFILE_DAYS = 14  # from this much history on, the rate is learned by hour of the week
_MIN_YIELD_PAGES = 3  # article pages the recent yield must be measured on
_WALL_STATUSES = frozenset({401, 403, 429})
_FINE = "no problem"  # a verdict for a kind that was not open and is not there


def check_source_health(
    repository: Repository, config: Config, crawl: SourceCrawl, now: datetime
) -> None:
    """Judge the source's health after its crawl run `crawl` ended; open and recover its
    events (each change logged once, and told to `[health] notify`)."""
    store = repository.health
    source = crawl.source
    urls = (*source.feeds, *source.sitemaps, *source.start_urls)
    history = store.source_history(crawl.source_id, urls, crawl.refused_urls, now)
    verdicts = assess(source, config.health, history, now)
    notify = config.health.notify
    for change in store.apply_verdicts(crawl.source_id, source.name, verdicts, notify, now):
        level = logging.WARNING if change.state == "open" else logging.INFO
        log.log(level, "health %s %s: %s", change.kind, change.state, change.message)


def assess(
    source: SourceConfig, config: HealthConfig, history: SourceHistory, now: datetime
) -> dict[Kind, Verdict]:
    """Each kind's verdict after the source's last run."""
    if not history.runs:
        return {}
    verdicts: dict[Kind, Verdict] = {
        "errors": _errors(source.name, history),
        "robots": _robots(source.name, history),
        "moved": _moved(source, history),
        "yield": _yield(source.name, history),
    }
    explained = any(isinstance(v, Finding) for v in verdicts.values()) or any(
        kind in history.open_since for kind in ("errors", "robots", "yield")
    )
    silent = _silent(source.name, config, history, now)
    # a source that fails, or whose pages stopped being articles, is silent as a consequence:
    # the cause is reported, not its echo
    verdicts["silent"] = None if explained and isinstance(silent, Finding) else silent
    return verdicts


# silent


@dataclass(frozen=True, slots=True)
class Silence:
    """A stretch without clippings measured against the source's rhythm: `expected` is how
    many clippings the source usually publishes over it; `usual_quiet` how many it usually
    goes without (the 95th percentile over the gaps between its clippings, in the same unit:
    1 for a source that publishes steadily, more for one that publishes in bursts)."""

    expected: float
    usual_quiet: float

    def is_silent(self, silent_gaps: float) -> bool:
        return self.expected > silent_gaps * max(1.0, self.usual_quiet)


class Rhythm:
    """A source's publishing rate (clippings per hour) at any time, learned from when its
    clippings of the learning window were published: by hour of the week once there are two
    weeks of history (smoothed over the hours either side, with a floor so that a quiet hour
    does not count as "never"), else one flat rate."""

    def __init__(self, times: Sequence[datetime], until: datetime) -> None:
        self.times = sorted(times)
        span_h = (until - self.times[0]).total_seconds() / 3600
        self.flat = len(self.times) / span_h
        self.by_hour: list[float] | None = None
        if span_h >= _WEEKLY_PROFILE_DAYS * 24:
            weeks = span_h / 168
            counts = [0] * 168
            for t in self.times:
                counts[_hour_of_week(t)] += 1
            self.by_hour = [
                max(
                    self.flat / 20,
                    (counts[h - 1] + counts[h] + counts[(h + 1) % 168]) / (3 * weeks),
                )
                for h in range(168)
            ]

    def expected(self, start: datetime, end: datetime) -> float:
        """Clippings the source usually publishes between `start` and `end`."""
        if self.by_hour is None:
            return self.flat * (end - start).total_seconds() / 3600
        total, t = 0.0, start
        while t < end:
            step = min(end, t.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
            total += self.by_hour[_hour_of_week(t)] * (step - t).total_seconds() / 3600
            t = step
        return total


def measure_silence(times: Sequence[datetime], start: datetime, end: datetime) -> Silence | None:
    """The silence from `start` to `end` against the rhythm of `times` (when the source's
    clippings of the learning window were published); None while there are too few of them
    to tell."""
    if len(times) < _MIN_CLIPPINGS or end <= min(times):
        return None
    rhythm = Rhythm(times, end)
    quiet = sorted(rhythm.expected(a, b) for a, b in pairwise(rhythm.times))
    return Silence(rhythm.expected(start, end), quiet[int(0.95 * (len(quiet) - 1))])


def _hour_of_week(t: datetime) -> int:
    return t.weekday() * 24 + t.hour


def _silent(name: str, config: HealthConfig, history: SourceHistory, now: datetime) -> Verdict:
    last = history.runs[0]
    if "silent" in history.open_since:  # open: over once a crawl brings a new clipping
        return (
            f"{name}: new clippings again ({last.stored} in the last crawl)"
            if last.stored
            else None
        )
    newest = history.newest_clipping
    if newest is None or not history.clipping_times:
        return None
    quiet = [run for run in history.runs if run.started_at > newest]
    if len(quiet) < 2 or any(run.stored for run in quiet):
        return _FINE
    latest = max(history.clipping_times)
    silence = measure_silence(history.clipping_times, latest, now)
    if silence is None:
        return None
    if not silence.is_silent(config.silent_gaps):
        return _FINE
    quiet_for = now - latest
    gap = quiet_for / silence.expected  # the usual gap over these hours
    return Finding(
        "silent",
        latest,
        f"{name}: no new clipping for {_duration(quiet_for)} (usually one every "
        f"{_duration(gap)}); last crawl {_answers(history)}, {last.new_links} new links",
    )


# yield


def _yield(name: str, history: SourceHistory) -> Verdict:
    recent, older = _split_for_yield(history)
    pages = sum(run.fetched for run in recent)
    if pages < _MIN_YIELD_PAGES:
        return None
    since = history.open_since.get("yield")
    if since is not None:  # the usual level is what it was before the event
        older = [run for run in older if run.started_at < since]
    usual_pages = sum(run.fetched for run in older)
    if usual_pages < 2 * _MIN_YIELD_PAGES:
        return None
    usual = sum(run.extracted for run in older) / usual_pages
    kept = sum(run.extracted for run in recent)
    share = kept / pages
    if usual >= 0.4 and share <= usual / 2:
        return Finding(
            "yield",
            recent[-1].started_at,
            f"{name}: extraction kept {kept} of {pages} article pages ({share:.0%}) since "
            f"{_clock(recent[-1].started_at)} (usually {usual:.0%}); has the page template "
            "changed? (try: presswatch extract --explain URL)",
        )
    if share >= usual * 0.8:
        return f"{name}: extraction keeps {share:.0%} of article pages again (usually {usual:.0%})"
    return None


def _split_for_yield(history: SourceHistory) -> tuple[list[RunFacts], list[RunFacts]]:
    """The latest runs that fetched at least _MIN_YIELD_PAGES article pages together (at most
    three), and the runs before them."""
    recent: list[RunFacts] = []
    pages = 0
    runs = [run for run in history.runs if run.fetched]
    for index, run in enumerate(runs):
        recent.append(run)
        pages += run.fetched
        if pages >= _MIN_YIELD_PAGES or len(recent) == 3:
            return recent, runs[index + 1 :]
    return recent, []


# errors


def _errors(name: str, history: SourceHistory) -> Verdict:
    last = history.runs[0]
    if last.requests == 0:
        return None
    fetches = history.fetches
    walled = (
        bool(fetches)
        and all(f.status in _WALL_STATUSES for f in fetches)
        and last.failed * 2 >= last.requests
    )
    failing = [run for run in history.runs[:2] if run.requests and run.failed * 2 >= run.requests]
    if walled or len(failing) == 2:
        since = history.open_since.get("errors")
        older = [r for r in history.runs[2:] if since is None or r.started_at < since]
        requests = sum(run.requests for run in older)
        usual = f"usually {sum(run.failed for run in older) / requests:.0%}" if requests else ""
        first = failing[-1] if len(failing) == 2 else last
        kinds = ", ".join(
            f"{kind} x{count}"
            for kind, count in sorted(history.error_kinds.items())
            if kind not in CONTENT_PROBLEMS
        )
        return Finding(
            "errors",
            first.started_at,
            f"{name}: {last.failed} of {last.requests} requests failed in the last crawl"
            + (f" ({kinds})" if kinds else "")
            + f", since {_clock(first.started_at)}"
            + (f" ({usual})" if usual else ""),
        )
    if last.failed * 5 < last.requests:
        return f"{name}: requests succeed again ({last.failed} of {last.requests} failed)"
    return None


# robots


def _robots(name: str, history: SourceHistory) -> Verdict:
    last = history.runs[0]
    used = {path: n for path, n in history.refused_paths.items() if path in history.used_paths}
    # new: an earlier crawl went without refusals (a site that always forbade some of its
    # article URLs has not changed)
    is_new = "robots" in history.open_since or any(r.robots == 0 for r in history.runs[1:])
    if used and is_new:
        paths = ", ".join(sorted(used))
        return Finding(
            "robots",
            last.started_at,
            f"{name}: robots.txt now forbids {paths}, where its articles or feeds were "
            f"({sum(used.values())} URLs refused in the last crawl)",
        )
    if last.requests and not history.refused_paths:
        return f"{name}: robots.txt allows the source's paths again"
    return None


# moved


def _moved(source: SourceConfig, history: SourceHistory) -> Verdict:
    moved = [f for f in history.fetches if f.moved_to]
    if moved:
        then = (
            "followed from the next crawl on (follow_moves)"
            if source.follow_moves
            else "update it in the config, or set follow_moves = true"
        )
        lines = "; ".join(f"{f.kind} {f.url} moved to {f.moved_to}" for f in moved)
        return Finding("moved", history.runs[0].started_at, f"{source.name}: {lines}; {then}")
    if history.fetches:
        return f"{source.name}: its feeds and sitemaps answer at their URLs"
    return None


# words


def _answers(history: SourceHistory) -> str:
    if not history.fetches:
        return history.runs[0].status
    statuses = sorted({f.status for f in history.fetches})
    empty = [f for f in history.fetches if f.status == 200 and not f.entries]
    text = ", ".join(_status_text(s) for s in statuses)
    return text + (f" ({len(empty)} of them listing no entries)" if empty else "")


def _status_text(status: int) -> str:
    return {0: "no answer", 200: "200 OK", 304: "304 Not Modified"}.get(status, str(status))


def _clock(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _duration(delta: timedelta) -> str:
    seconds = delta.total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} days"
