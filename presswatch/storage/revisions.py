"""Corrections in the database: which clippings are re-checked and when (tracked_pages), what
each check found, the revisions of a changed or removed clipping, and the "update" alerts they
put into the outbox in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.fulltext import replace_index
from presswatch.storage.models import Alert, Clipping, ClippingRevision, Match, Source, TrackedPage

# a clipping is re-fetched this long after it was fetched, once each; then never again
RECHECK_AFTER = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(hours=72),
)


def first_check(fetched: datetime, now: datetime) -> datetime:
    """When a newly tracked clipping fetched at `fetched` is first re-checked: its first step,
    or, when steps were missed (the service was down), the latest of them (now: due)."""
    missed = [fetched + step for step in RECHECK_AFTER if fetched + step <= now]
    return missed[-1] if missed else fetched + RECHECK_AFTER[0]


def next_check(fetched: datetime, now: datetime) -> datetime | None:
    """The step after a check made at `now` (steps missed meanwhile are skipped); None when
    the last one is done."""
    return next((fetched + step for step in RECHECK_AFTER if fetched + step > now), None)


@dataclass(frozen=True, slots=True)
class DuePage:
    """A tracked clipping to re-fetch, with what the check compares and sends."""

    clipping_id: int
    url: str
    source: str
    title: str
    text: str
    fetched: datetime
    checks: int  # done so far: a check is stored only if nobody else made one meanwhile
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class Validators:
    """What a 200 or 304 answer gave for the next conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Tracking:
    """Where a clipping's re-checks stand."""

    status: str  # live, removed
    checks: int
    errors: int
    checked_at: datetime | None
    next_check_at: datetime | None  # None: no more checks
    last_error: str | None
    removed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Revision:
    """One change seen on a re-check: the headline before and after, the text's word diff
    (None when only the headline changed); or the page's removal (`removed_status`, 404 or
    410; the headline and text as they were)."""

    id: int
    clipping_id: int
    at: datetime
    old_title: str
    new_title: str
    text_diff: str | None
    removed_status: int | None = None

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title


@dataclass(frozen=True, slots=True)
class Change:
    """What a re-check found on a page that changed."""

    title: str
    text: str
    word_count: int
    text_diff: str | None  # None: the text is the same


class RevisionStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._track = conflict_insert(engine, TrackedPage).on_conflict_do_nothing(
            index_elements=["clipping_id"]
        )
        self._insert_alert = conflict_insert(engine, Alert).on_conflict_do_nothing(
            index_elements=["delivery_id"]
        )

    def track_matched(self, now: datetime) -> int:
        """Track every clipping that matched a topic and whose schedule is not over (fetched
        within the last step) but is not tracked yet; returns how many."""
        since = now - RECHECK_AFTER[-1]
        matched = select(Match.id).where(Match.clipping_id == Clipping.id).exists()
        tracked = (
            select(TrackedPage.clipping_id).where(TrackedPage.clipping_id == Clipping.id).exists()
        )
        stmt = select(Clipping.id, Clipping.fetched).where(
            Clipping.fetched >= since, matched, ~tracked
        )
        with writing(self.engine) as connection:
            rows = [
                {
                    "clipping_id": clipping_id,
                    "status": "live",
                    "next_check_at": first_check(fetched, now),
                    "checks": 0,
                    "errors": 0,
                }
                for clipping_id, fetched in connection.execute(stmt)
            ]
            if rows:
                connection.execute(self._track, rows)
        return len(rows)

    def due_pages(self, now: datetime, limit: int | None, *, every: bool = False) -> list[DuePage]:
        """Live tracked clippings whose check is due, the longest due first (at most `limit`;
        None: all); with `every`, all live tracked clippings, whatever their schedule."""
        stmt = (
            select(
                Clipping.id,
                Clipping.url,
                Source.name,
                Clipping.title,
                Clipping.text,
                Clipping.fetched,
                TrackedPage.checks,
                TrackedPage.etag,
                TrackedPage.last_modified,
            )
            .join(TrackedPage, TrackedPage.clipping_id == Clipping.id)
            .join(Source, Source.id == Clipping.source_id)
            .where(TrackedPage.status == "live")
            .order_by(TrackedPage.next_check_at.is_(None), TrackedPage.next_check_at, Clipping.id)
            .limit(limit)
        )
        if not every:
            stmt = stmt.where(TrackedPage.next_check_at <= now)
        with reading(self.engine) as connection:
            return [DuePage(*row) for row in connection.execute(stmt)]

    # what a check found: each returns False when another checker stored this check first

    def record_unchanged(
        self, page: DuePage, now: datetime, status: int, validators: Validators
    ) -> bool:
        with writing(self.engine) as connection:
            return self._checked(connection, page, now, status=status, validators=validators)

    def record_error(self, page: DuePage, now: datetime, status: int, error: str) -> bool:
        """A check that failed (no answer, 5xx, a page that did not extract): tried again at
        the next step."""
        with writing(self.engine) as connection:
            return self._checked(connection, page, now, status=status, error=error)

    def record_removed(
        self,
        page: DuePage,
        now: datetime,
        status: int,
        update_channels: Mapping[str, Sequence[str]] | None = None,
    ) -> int | None:
        """The page is gone (404, 410): shown as removed, never checked again; with
        `update_channels` (as for record_change), the removal is kept as a revision and each
        topic there that matched the clipping gets an "update" alert per channel. How many
        alerts; None when another checker stored this check first."""
        with writing(self.engine) as connection:
            if not self._checked(connection, page, now, status=status, removed=True):
                return None
            if not update_channels:
                return 0
            revision_id = self._insert_revision(
                connection, page, now, page.title, None, removed_status=status
            )
            return self._enqueue_updates(
                connection, page.clipping_id, revision_id, update_channels, now
            )

    def record_change(
        self,
        page: DuePage,
        now: datetime,
        change: Change,
        validators: Validators,
        update_channels: Mapping[str, Sequence[str]],
    ) -> tuple[Revision, int] | None:
        """Store the revision, the clipping as it is now (with its index entry), and one
        "update" alert per channel of each topic in `update_channels` (topic -> channels) that
        matched the clipping when it was found (a back-filled match never alerts): the
        revision and how many alerts; None when another checker stored this check first."""
        with writing(self.engine) as connection:
            if not self._checked(connection, page, now, status=200, validators=validators):
                return None
            revision_id = self._insert_revision(
                connection, page, now, change.title, change.text_diff
            )
            connection.execute(
                update(Clipping)
                .where(Clipping.id == page.clipping_id)
                .values(title=change.title, text=change.text, word_count=change.word_count)
            )
            replace_index(
                connection,
                page.clipping_id,
                (page.title, page.text),
                (change.title, change.text),
            )
            alerts = self._enqueue_updates(
                connection, page.clipping_id, revision_id, update_channels, now
            )
        revision = Revision(
            revision_id, page.clipping_id, now, page.title, change.title, change.text_diff
        )
        return revision, alerts

    @staticmethod
    def _insert_revision(
        connection: Connection,
        page: DuePage,
        now: datetime,
        new_title: str,
        text_diff: str | None,
        *,
        removed_status: int | None = None,
    ) -> int:
        return int(
            connection.scalar(
                insert(ClippingRevision)
                .values(
                    clipping_id=page.clipping_id,
                    at=now,
                    old_title=page.title,
                    new_title=new_title,
                    old_text=page.text,
                    text_diff=text_diff,
                    removed_status=removed_status,
                )
                .returning(ClippingRevision.id)
            )
            or 0
        )

    def _checked(
        self,
        connection: Connection,
        page: DuePage,
        now: datetime,
        *,
        status: int,
        validators: Validators | None = None,
        error: str | None = None,
        removed: bool = False,
    ) -> bool:
        values: dict[str, object] = {
            "checks": TrackedPage.checks + 1,
            "checked_at": now,
            "last_status": status,
            "last_error": error[:2000] if error else None,
            "next_check_at": None if removed else next_check(page.fetched, now),
        }
        if error:
            values["errors"] = TrackedPage.errors + 1
        if validators is not None:
            values.update(etag=validators.etag, last_modified=validators.last_modified)
        if removed:
            values.update(status="removed", removed_at=now)
        result = connection.execute(
            update(TrackedPage)
            .where(
                TrackedPage.clipping_id == page.clipping_id,
                TrackedPage.checks == page.checks,
                TrackedPage.status == "live",
            )
            .values(**values)
        )
        return result.rowcount == 1

    def _enqueue_updates(
        self,
        connection: Connection,
        clipping_id: int,
        revision_id: int,
        update_channels: Mapping[str, Sequence[str]],
        now: datetime,
    ) -> int:
        if not update_channels:
            return 0
        matched = set(
            connection.scalars(
                select(Match.topic).where(
                    Match.clipping_id == clipping_id,
                    Match.topic.in_(list(update_channels)),
                    Match.backfilled.is_(False),
                )
            )
        )
        alerts = 0
        for topic in sorted(matched):
            for channel in update_channels[topic]:
                alerts += 1
                key = f"presswatch:update:{clipping_id}:{revision_id}:{topic}:{channel}"
                connection.execute(
                    self._insert_alert,
                    {
                        # the same for the same revision, topic and channel: never two messages
                        "delivery_id": uuid.uuid5(uuid.NAMESPACE_URL, key).hex,
                        "topic": topic,
                        "channel": channel,
                        "event": "update",
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "revision_id": revision_id,
                    },
                )
        return alerts

    # what the review shows and the alerts tell

    def tracking(self, clipping_id: int) -> Tracking | None:
        stmt = select(
            TrackedPage.status,
            TrackedPage.checks,
            TrackedPage.errors,
            TrackedPage.checked_at,
            TrackedPage.next_check_at,
            TrackedPage.last_error,
            TrackedPage.removed_at,
        ).where(TrackedPage.clipping_id == clipping_id)
        with reading(self.engine) as connection:
            row = connection.execute(stmt).first()
        return Tracking(*row) if row is not None else None

    def revisions(self, clipping_id: int) -> list[Revision]:
        """The clipping's revisions (its changes; a removal is shown by its tracking), oldest
        first."""
        return self._revisions(
            (ClippingRevision.clipping_id == clipping_id)
            & ClippingRevision.removed_status.is_(None)
        )

    def revision(self, revision_id: int) -> Revision | None:
        found = self._revisions(ClippingRevision.id == revision_id)
        return found[0] if found else None

    def _revisions(self, condition: ColumnElement[bool]) -> list[Revision]:
        stmt = (
            select(
                ClippingRevision.id,
                ClippingRevision.clipping_id,
                ClippingRevision.at,
                ClippingRevision.old_title,
                ClippingRevision.new_title,
                ClippingRevision.text_diff,
                ClippingRevision.removed_status,
            )
            .where(condition)
            .order_by(ClippingRevision.id)
        )
        with reading(self.engine) as connection:
            return [Revision(*row) for row in connection.execute(stmt)]
