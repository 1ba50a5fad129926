"""Source health in the database: the history a source's health is judged from, its events
(opened, recovered), the health alerts they put into the outbox, and per-source figures for
`presswatch sources` and the review page."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.engine import Connection

from presswatch.clock import now_utc
from presswatch.source_history import (
    CONTENT_PROBLEMS,
    KINDS,
    LEARN_DAYS,
    FetchFacts,
    Finding,
    Kind,
    RunFacts,
    SourceHistory,
    Verdict,
    first_path,
)
from presswatch.storage.coverage import latest_runs
from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.models import (
    Alert,
    Clipping,
    CrawlError,
    CrawlRun,
    FeedFetch,
    HealthEvent,
    Source,
)
from presswatch.storage.records import as_utc

_RUNS = 40  # finished runs read for a source's usual levels
_PLAUSIBLE_EARLY = timedelta(days=2)  # a clipping published longer before it was found ...
_PLAUSIBLE_LATE = timedelta(minutes=5)  # ... or "after": its fetch time stands for it


@dataclass(frozen=True, slots=True)
class HealthEventRecord:
    id: int
    source: str
    kind: str
    since: datetime
    opened_at: datetime
    message: str
    recovered_at: datetime | None
    recovery_message: str | None

    @property
    def state(self) -> str:
        return "open" if self.recovered_at is None else "recovered"


@dataclass(frozen=True, slots=True)
class HealthChange:
    """An event opened or recovered by one assessment (for the log)."""

    state: str  # open, recovered
    kind: str
    message: str


class HealthStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert_alert = conflict_insert(engine, Alert).on_conflict_do_nothing(
            index_elements=["delivery_id"]
        )

    # what a source's health is judged from

    def source_history(
        self,
        source_id: int,
        configured_urls: Sequence[str],
        refused_urls: Sequence[str],
        now: datetime,
    ) -> SourceHistory:
        """What the source's health is judged from after its last run, which robots.txt
        refused `refused_urls`."""
        with reading(self.engine) as connection:
            runs = tuple(
                RunFacts(
                    row.id,
                    as_utc(row.started_at) or now,
                    row.status,
                    row.requests,
                    row.errors,
                    row.fetched,
                    row.extracted,
                    row.stored,
                    row.discovered,
                    row.known,
                    row.robots,
                )
                for row in latest_runs(connection, source_id, _RUNS)
            )
            failed = dict(
                connection.execute(
                    select(CrawlError.crawl_run_id, func.count())
                    .where(
                        CrawlError.crawl_run_id.in_([run.id for run in runs]),
                        CrawlError.kind.not_in(CONTENT_PROBLEMS),
                    )
                    .group_by(CrawlError.crawl_run_id)
                ).all()
            )
            runs = tuple(replace(run, failed=failed.get(run.id, 0)) for run in runs)
            times: list[datetime] = []
            newest: datetime | None = None
            for published, fetched in connection.execute(
                select(Clipping.published, Clipping.fetched).where(
                    Clipping.source_id == source_id,
                    Clipping.fetched >= now - timedelta(days=LEARN_DAYS),
                )
            ):
                newest = fetched if newest is None else max(newest, fetched)
                plausible = published is not None and (
                    fetched - _PLAUSIBLE_EARLY <= published <= fetched + _PLAUSIBLE_LATE
                )
                times.append(published if plausible and published else fetched)
            if newest is None:
                newest = as_utc(
                    connection.scalar(
                        select(func.max(Clipping.fetched)).where(Clipping.source_id == source_id)
                    )
                )
            last_id = runs[0].id if runs else None
            error_kinds: dict[str, int] = {}
            fetches: tuple[FetchFacts, ...] = ()
            if last_id is not None:
                error_kinds = {
                    kind: count
                    for kind, count in connection.execute(
                        select(CrawlError.kind, func.count())
                        .where(CrawlError.crawl_run_id == last_id)
                        .group_by(CrawlError.kind)
                    )
                }
                fetches = tuple(
                    FetchFacts(row.url, row.kind, row.status, row.entries, row.moved_to)
                    for row in connection.execute(
                        select(
                            FeedFetch.url,
                            FeedFetch.kind,
                            FeedFetch.status,
                            FeedFetch.entries,
                            FeedFetch.moved_to,
                        ).where(FeedFetch.crawl_run_id == last_id)
                    )
                )
            refused: dict[str, int] = {}
            for url in refused_urls:
                path = first_path(url)
                refused[path] = refused.get(path, 0) + 1
            used = frozenset(
                path
                for path in refused
                if self._path_used(connection, source_id, configured_urls, path)
            )
            open_since = {
                kind: as_utc(since) or now
                for kind, since in connection.execute(
                    select(HealthEvent.kind, HealthEvent.since).where(
                        HealthEvent.source_id == source_id, HealthEvent.recovered_at.is_(None)
                    )
                )
            }
        return SourceHistory(
            runs, tuple(times), newest, error_kinds, fetches, refused, used, open_since
        )

    def _path_used(
        self, connection: Connection, source_id: int, configured_urls: Sequence[str], path: str
    ) -> bool:
        if any(first_path(url) == path for url in configured_urls):
            return True
        found = connection.scalar(
            select(Clipping.id)
            .where(
                Clipping.source_id == source_id,
                Clipping.url.startswith(f"https://{path}", autoescape=True)
                | Clipping.url.startswith(f"http://{path}", autoescape=True),
            )
            .limit(1)
        )
        return found is not None

    # events

    def apply_verdicts(
        self,
        source_id: int,
        source: str,
        verdicts: Mapping[Kind, Verdict],
        notify: Sequence[str],
        now: datetime | None = None,
    ) -> list[HealthChange]:
        """Open an event for each finding that has none open, recover each open event whose
        verdict says it is over; each change puts one health alert per channel into the
        outbox, in the same transaction, so it is told exactly once."""
        now = now or now_utc()
        changes: list[HealthChange] = []
        with writing(self.engine) as connection:
            # one assessment of a source at a time (PostgreSQL; SQLite's writer is alone)
            connection.execute(select(Source.id).where(Source.id == source_id).with_for_update())
            open_events = {
                kind: event_id
                for kind, event_id in connection.execute(
                    select(HealthEvent.kind, HealthEvent.id).where(
                        HealthEvent.source_id == source_id, HealthEvent.recovered_at.is_(None)
                    )
                )
            }
            for kind in KINDS:
                verdict = verdicts.get(kind)
                if isinstance(verdict, Finding) and kind not in open_events:
                    event_id = connection.scalar(
                        insert(HealthEvent)
                        .values(
                            source_id=source_id,
                            kind=kind,
                            since=verdict.since,
                            opened_at=now,
                            message=verdict.message,
                        )
                        .returning(HealthEvent.id)
                    )
                    self._enqueue(connection, int(event_id or 0), source, "open", notify, now)
                    changes.append(HealthChange("open", kind, verdict.message))
                elif isinstance(verdict, str) and kind in open_events:
                    connection.execute(
                        update(HealthEvent)
                        .where(HealthEvent.id == open_events[kind])
                        .values(recovered_at=now, recovery_message=verdict)
                    )
                    self._enqueue(connection, open_events[kind], source, "recovered", notify, now)
                    changes.append(HealthChange("recovered", kind, verdict))
        return changes

    def _enqueue(
        self,
        connection: Connection,
        event_id: int,
        source: str,
        state: str,
        notify: Sequence[str],
        now: datetime,
    ) -> None:
        for channel in notify:
            connection.execute(
                self._insert_alert,
                {
                    # the same for the same event, state and channel: never two messages
                    "delivery_id": uuid.uuid5(
                        uuid.NAMESPACE_URL, f"presswatch:health:{event_id}:{state}:{channel}"
                    ).hex,
                    "topic": source,
                    "channel": channel,
                    "event": "health",
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                    "health_event_id": event_id,
                    "health_state": state,
                },
            )

    def health_event(self, event_id: int) -> HealthEventRecord | None:
        found = self.events(ids=[event_id])
        return found[0] if found else None

    def events(
        self,
        *,
        ids: Sequence[int] | None = None,
        open_only: bool = False,
        limit: int = 200,
    ) -> list[HealthEventRecord]:
        """Health events, newest first: the ones named, the open ones, or the latest."""
        stmt = (
            select(
                HealthEvent.id,
                Source.name,
                HealthEvent.kind,
                HealthEvent.since,
                HealthEvent.opened_at,
                HealthEvent.message,
                HealthEvent.recovered_at,
                HealthEvent.recovery_message,
            )
            .join(Source, Source.id == HealthEvent.source_id)
            .order_by(HealthEvent.id.desc())
            .limit(limit)
        )
        if ids is not None:
            stmt = stmt.where(HealthEvent.id.in_(list(ids)))
        if open_only:
            stmt = stmt.where(HealthEvent.recovered_at.is_(None))
        with reading(self.engine) as connection:
            return [HealthEventRecord(*row) for row in connection.execute(stmt)]

    def moved_feeds(self, source_id: int, urls: Sequence[str]) -> dict[str, str]:
        """follow_moves: the configured feed and sitemap URLs that answered with a permanent
        redirect, and where to (the latest move of each)."""
        if not urls:
            return {}
        stmt = (
            select(FeedFetch.url, FeedFetch.moved_to)
            .join(CrawlRun, CrawlRun.id == FeedFetch.crawl_run_id)
            .where(
                and_(
                    CrawlRun.source_id == source_id,
                    FeedFetch.url.in_(list(urls)),
                    FeedFetch.moved_to.is_not(None),
                )
            )
            .order_by(FeedFetch.id)
        )
        with reading(self.engine) as connection:
            return {url: to for url, to in connection.execute(stmt) if to is not None}
