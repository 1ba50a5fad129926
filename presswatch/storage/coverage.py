"""Per-source coverage figures for `presswatch sources` and the review page's sources: what the
last crawls asked for and kept, the clippings they brought, the newest clipping, a month of
daily yield, and the health events open now.

Read for every source at once, in a fixed number of statements, each reading every source's
rows through an index (its newest clipping, its last runs), so it stays fast with months of
crawl runs behind each source and with hundreds of sources.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Connection, Engine, Select, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, aliased

from presswatch.clock import now_utc
from presswatch.storage.db import reading
from presswatch.storage.models import (
    Clipping,
    CrawlError,
    CrawlRun,
    FeedFetch,
    HealthEvent,
    Source,
    SourceDay,
)
from presswatch.storage.records import as_utc

RECENT_RUNS = 20  # "the last crawls" the figures are taken over
DAYS = 30  # the daily yield shown
# what the figures and the health checks read of a crawl run
RUN_COLUMNS: tuple[InstrumentedAttribute[Any], ...] = (
    CrawlRun.id,
    CrawlRun.started_at,
    CrawlRun.status,
    CrawlRun.requests,
    CrawlRun.errors,
    CrawlRun.robots,
    CrawlRun.discovered,
    CrawlRun.known,
    CrawlRun.fetched,
    CrawlRun.extracted,
    CrawlRun.stored,
    CrawlRun.dated,
    CrawlRun.authored,
    CrawlRun.median_words,
)


@dataclass(frozen=True, slots=True)
class OpenEvent:
    kind: str
    since: datetime
    opened_at: datetime
    message: str


@dataclass(frozen=True, slots=True)
class FeedFigures:
    """A feed or sitemap as the source's last crawl fetched it (status 0: no answer)."""

    url: str
    kind: str
    status: int
    entries: int
    new_links: int
    moved_to: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class SourceFigures:
    name: str
    last_started: datetime | None = None
    last_status: str | None = None
    requests: int = 0  # the last crawl's
    failed: int = 0  # its errors
    error_kinds: dict[str, int] = field(default_factory=dict)  # its errors by kind
    robots: int = 0  # its URLs forbidden by robots.txt
    new_clippings: int = 0  # the last crawl's
    pages_fetched: int = 0  # the last crawls' article pages ...
    pages_kept: int = 0  # ... and those that were articles
    clippings: int = 0  # the last crawls' new clippings ...
    dated: int = 0  # ... with a date
    authored: int = 0  # ... with an author
    median_words: int | None = None
    newest_clipping: datetime | None = None
    daily_yield: tuple[float | None, ...] = ()  # the last DAYS days, oldest first
    poll_interval_s: float | None = None
    events: tuple[OpenEvent, ...] = ()
    feeds: tuple[FeedFigures, ...] = ()  # the last crawl's feeds and sitemaps

    @property
    def yield_share(self) -> float | None:
        """The share of article pages that extraction kept, over the last crawls."""
        return self.pages_kept / self.pages_fetched if self.pages_fetched else None

    @property
    def dated_share(self) -> float | None:
        return self.dated / self.clippings if self.clippings else None

    @property
    def authored_share(self) -> float | None:
        return self.authored / self.clippings if self.clippings else None

    @property
    def health(self) -> str:
        """ "ok", or the kinds of the events open now."""
        return ", ".join(e.kind for e in self.events) or "ok"


def source_figures(engine: Engine, now: datetime | None = None) -> dict[str, SourceFigures]:
    """Every source in the database, by name."""
    now = now or now_utc()
    days = [(now.date() - timedelta(days=n)).isoformat() for n in range(DAYS - 1, -1, -1)]
    newest = (
        select(func.max(Clipping.fetched))
        .where(Clipping.source_id == Source.id)
        .correlate(Source)
        .scalar_subquery()
    )
    with reading(engine) as connection:
        sources = connection.execute(
            select(Source.id, Source.name, Source.poll_interval_s, newest.label("newest"))
        ).all()
        runs = latest_runs_by_source(connection, RECENT_RUNS)
        last_ids = [rows[0].id for rows in runs.values() if rows]
        kinds: dict[int, dict[str, int]] = defaultdict(dict)
        if last_ids:
            for run_id, kind, count in connection.execute(
                select(CrawlError.crawl_run_id, CrawlError.kind, func.count())
                .where(CrawlError.crawl_run_id.in_(last_ids))
                .group_by(CrawlError.crawl_run_id, CrawlError.kind)
            ):
                kinds[run_id][kind] = count
        feeds: dict[int, list[FeedFigures]] = defaultdict(list)
        if last_ids:
            for row in connection.execute(
                select(
                    FeedFetch.crawl_run_id,
                    FeedFetch.url,
                    FeedFetch.kind,
                    FeedFetch.status,
                    FeedFetch.entries,
                    FeedFetch.new_links,
                    FeedFetch.moved_to,
                    FeedFetch.error,
                )
                .where(FeedFetch.crawl_run_id.in_(last_ids))
                .order_by(FeedFetch.id)
            ):
                feeds[row.crawl_run_id].append(FeedFigures(*row[1:]))
        daily: dict[int, dict[str, float | None]] = defaultdict(dict)
        for source_id, day, fetched, extracted in connection.execute(
            select(
                SourceDay.source_id, SourceDay.day, SourceDay.fetched, SourceDay.extracted
            ).where(SourceDay.day >= days[0])
        ):
            daily[source_id][day] = extracted / fetched if fetched else None
        events: dict[int, list[OpenEvent]] = defaultdict(list)
        for source_id, kind, since, opened_at, message in connection.execute(
            select(
                HealthEvent.source_id,
                HealthEvent.kind,
                HealthEvent.since,
                HealthEvent.opened_at,
                HealthEvent.message,
            )
            .where(HealthEvent.recovered_at.is_(None))
            .order_by(HealthEvent.id)
        ):
            events[source_id].append(OpenEvent(kind, since, opened_at, message))
    out: dict[str, SourceFigures] = {}
    for source_id, name, poll_interval_s, newest_at in sources:
        recent = runs.get(source_id, [])
        last = recent[0] if recent else None
        medians = [r.median_words for r in recent if r.median_words is not None]
        out[name] = SourceFigures(
            name,
            last_started=last.started_at if last else None,
            last_status=last.status if last else None,
            requests=last.requests if last else 0,
            failed=last.errors if last else 0,
            error_kinds=kinds.get(last.id, {}) if last else {},
            robots=last.robots if last else 0,
            new_clippings=last.stored if last else 0,
            pages_fetched=sum(r.fetched for r in recent),
            pages_kept=sum(r.extracted for r in recent),
            clippings=sum(r.stored for r in recent),
            dated=sum(r.dated for r in recent),
            authored=sum(r.authored for r in recent),
            median_words=int(median(medians)) if medians else None,
            newest_clipping=as_utc(newest_at),
            daily_yield=tuple(daily[source_id].get(day) for day in days),
            poll_interval_s=poll_interval_s,
            events=tuple(events[source_id]),
            feeds=tuple(feeds.get(last.id, ())) if last else (),
        )
    return out


def latest_runs(connection: Connection, source_id: int, limit: int) -> list[Any]:
    """The source's latest finished crawl runs, newest first (on its index)."""
    stmt = (
        select(*RUN_COLUMNS)
        .where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit)
    )
    return list(connection.execute(stmt))


def latest_runs_by_source(connection: Connection, limit: int) -> dict[int, list[Any]]:
    """Every source's latest finished crawl runs, newest first, by source id (a source without
    one is left out); in one statement that reads each source's last runs on its index, as
    latest_runs does: a statement per source costs more in SQLAlchemy and round trips than
    in the database."""
    stmt: Select[Any]
    if connection.dialect.name == "postgresql":
        last = (
            select(*RUN_COLUMNS)
            .where(CrawlRun.source_id == Source.id, CrawlRun.finished_at.is_not(None))
            .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
            .limit(limit)
            .lateral("last_runs")
        )
        stmt = (
            select(Source.id.label("source_id"), *last.c)
            .select_from(Source)
            .join(last, true())
            .order_by(Source.id, last.c.started_at.desc(), last.c.id.desc())
        )
    else:
        # SQLite has no LATERAL: a correlated IN list (which PostgreSQL would test against
        # every crawl run) fetches the runs by id
        run = aliased(CrawlRun)
        ids = (
            select(run.id)
            .where(run.source_id == Source.id, run.finished_at.is_not(None))
            .order_by(run.started_at.desc(), run.id.desc())
            .limit(limit)
            .correlate(Source)
        )
        stmt = (
            select(Source.id.label("source_id"), *RUN_COLUMNS)
            .select_from(Source)
            .join(CrawlRun, CrawlRun.id.in_(ids))
            .order_by(Source.id, CrawlRun.started_at.desc(), CrawlRun.id.desc())
        )
    out: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(stmt):
        out[row.source_id].append(row)
    return out
