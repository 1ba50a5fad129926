"""Corrections tracking: clippings that matched a topic are fetched again on a decaying
schedule (1 h, 6 h, 24 h and 72 h after they were fetched; storage.revisions keeps it), with a
conditional GET. A changed headline or text becomes a revision with a word diff, and an
"update" alert for each topic that opted in (`on_update = true`); a page that answers 404 or
410 is marked removed, which those topics hear of too. Any other failure is counted and
logged, and tried again at the next step: one page never stops the pass. With `[crawl]
obey_robots` (the default), a page the host's robots.txt now forbids is not fetched: that is
counted apart, stored on the clipping as its last error, and asked about at the next step.

A re-check compares what the crawl's extraction (with the source's `exclude` selectors) makes
of the page now with the stored clipping; whitespace does not count. A page that no longer
extracts (a paywall, an error page answered with 200) is a failed check, not a change. The
topics' matches stay as they were found: a correction does not add or drop a topic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from presswatch.clock import now_utc
from presswatch.config import Config, CrawlConfig
from presswatch.errors import ExtractionError, PresswatchError, StorageError
from presswatch.extractors.article import NotArticle, extract_page
from presswatch.extractors.options import ExtractOptions
from presswatch.fetch import Refetched, RobotsRules, refetch_page
from presswatch.storage.repository import Repository
from presswatch.storage.revisions import Change, DuePage, Validators
from presswatch.word_diff import word_diff

log = logging.getLogger(__name__)
MAX_PAGES = 200  # re-checked per pass at most; the rest are due at the next pass
GONE = (404, 410)


@dataclass(slots=True)
class RecheckSummary:
    checked: int = 0
    unchanged: int = 0
    changed: int = 0
    removed: int = 0
    errors: int = 0
    updates: int = 0  # "update" alerts queued
    robots: int = 0  # not fetched: robots.txt forbids them now (not counted as checked)

    def __str__(self) -> str:
        refused = f"; {self.robots} forbidden by robots.txt" if self.robots else ""
        return (
            f"re-checked {self.checked} clipping(s): {self.unchanged} unchanged, "
            f"{self.changed} changed, {self.removed} removed, {self.errors} error(s){refused}"
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "checked": self.checked,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "removed": self.removed,
            "errors": self.errors,
            "updates": self.updates,
            "robots": self.robots,
        }


# skipped: another checker (the service, a `clippings recheck`) stored this check first
Outcome = Literal["unchanged", "changed", "removed", "error", "robots", "skipped"]
FORBIDDEN = "forbidden by robots.txt"


def recheck(
    repository: Repository,
    config: Config,
    *,
    now: datetime | None = None,
    every: bool = False,
    limit: int | None = MAX_PAGES,
    should_stop: Callable[[], bool] = lambda: False,
) -> RecheckSummary:
    """Re-check the tracked clippings that are due (with `every`, all live ones, whatever
    their schedule), at most `limit` (None: no limit), after tracking the matched clippings
    that are not yet; `now` is the time the schedule is read at and the checks are stamped
    with."""
    now = now or now_utc()
    summary = RecheckSummary()
    store = repository.revisions
    store.track_matched(now)
    updates = {t.name: t.notify for t in config.topics if t.on_update and t.notify}
    options = {s.name: ExtractOptions.of(config.extract, s) for s in config.sources}
    default_options = ExtractOptions.of(config.extract)
    robots = RobotsRules(config.crawl) if config.crawl.obey_robots else None
    for page in store.due_pages(now, limit, every=every):
        if should_stop():
            break
        try:
            if robots is not None and not robots.allows(page.url):
                outcome = _refused(repository, page, now)
            else:
                outcome = _check(
                    repository,
                    config.crawl,
                    options.get(page.source, default_options),
                    page,
                    now,
                    updates,
                    summary,
                )
        except StorageError as exc:  # the next pass tries again
            log.warning("re-check not stored: %s", exc, extra={"url": page.url})
            outcome = "error"
        if outcome == "skipped":
            continue
        if outcome == "robots":  # not fetched, so not checked
            summary.robots += 1
            continue
        summary.checked += 1
        if outcome == "unchanged":
            summary.unchanged += 1
        elif outcome == "changed":
            summary.changed += 1
        elif outcome == "removed":
            summary.removed += 1
        else:
            summary.errors += 1
    if summary.checked:
        log.info("%s", summary)
    return summary


def _check(
    repository: Repository,
    crawl: CrawlConfig,
    options: ExtractOptions,
    page: DuePage,
    now: datetime,
    updates: dict[str, tuple[str, ...]],
    summary: RecheckSummary,
) -> Outcome:
    store = repository.revisions
    try:
        answer = refetch_page(page.url, crawl, page.etag, page.last_modified)
    except PresswatchError as exc:
        return _failed(repository, page, now, 0, str(exc))
    if answer.status == 304:
        kept = Validators(page.etag, page.last_modified)
        return "unchanged" if store.record_unchanged(page, now, 304, kept) else "skipped"
    if answer.status in GONE:
        alerts = store.record_removed(page, now, answer.status, updates)
        if alerts is None:
            return "skipped"
        summary.updates += alerts
        log.info(
            "clipping %d removed: the page answered %d",
            page.clipping_id,
            answer.status,
            extra={"url": page.url},
        )
        return "removed"
    if not 200 <= answer.status < 300:
        return _failed(repository, page, now, answer.status, f"the server answered {answer.status}")
    change = _change(page, answer, options)
    if isinstance(change, str):
        return _failed(repository, page, now, answer.status, change)
    validators = Validators(answer.etag, answer.last_modified)
    if change is None:
        same = store.record_unchanged(page, now, answer.status, validators)
        return "unchanged" if same else "skipped"
    stored = store.record_change(page, now, change, validators, updates)
    if stored is None:
        return "skipped"
    revision, alerts = stored
    summary.updates += alerts
    log.info(
        "clipping %d changed: %s",
        page.clipping_id,
        "new headline" if revision.title_changed else "text edited",
        extra={"url": page.url},
    )
    return "changed"


def _refused(repository: Repository, page: DuePage, now: datetime) -> Outcome:
    """robots.txt forbids the page now: not fetched, asked about again at the next step."""
    if not repository.revisions.record_error(page, now, 0, FORBIDDEN):
        return "skipped"
    log.info(
        "re-check of clipping %d skipped: %s",
        page.clipping_id,
        FORBIDDEN,
        extra={"url": page.url},
    )
    return "robots"


def _change(page: DuePage, answer: Refetched, options: ExtractOptions) -> Change | str | None:
    """The change the page shows (None: the same headline and text), or why it cannot be
    compared."""
    try:
        outcome = extract_page(answer.body, answer.url, answer.content_type, options).outcome
    except ExtractionError as exc:
        return f"not extracted: {exc}"
    if isinstance(outcome, NotArticle):
        return f"not extracted: {outcome.reason}"
    same_title = _words(outcome.title) == _words(page.title)
    same_text = _words(outcome.text) == _words(page.text)
    if same_title and same_text:
        return None
    diff = None if same_text else word_diff(page.text, outcome.text)
    return Change(
        title=page.title if same_title else outcome.title,
        text=page.text if same_text else outcome.text,
        word_count=outcome.word_count,
        text_diff=diff,
    )


def _failed(
    repository: Repository, page: DuePage, now: datetime, status: int, error: str
) -> Outcome:
    if not repository.revisions.record_error(page, now, status, error):
        return "skipped"
    log.warning(
        "re-check of clipping %d failed: %s",
        page.clipping_id,
        error,
        extra={"url": page.url},
    )
    return "error"


def _words(value: str) -> list[str]:
    return value.split()
