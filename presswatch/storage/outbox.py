"""The alert outbox: new clippings join the gathering alert of their topic and channel (held
until their crawl releases it), senders claim due alerts and mark them sent or failed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from presswatch.clock import now_utc
from presswatch.model import NewMatch, Snippet
from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.models import (
    Alert,
    AlertItem,
    Clipping,
    ClippingRevision,
    CrawlRun,
    Match,
    Source,
)
from presswatch.storage.records import (
    AlertContent,
    AlertRecord,
    StoryOutlets,
    alert_from_row,
    as_utc,
    clipping_from_row,
    select_clippings,
)
from presswatch.storage.story_views import story_outlets

# a digest's alert row waits until the sender sets its time from the topic's digest_cron
_DIGEST_NOT_SCHEDULED = timedelta(days=36500)
_alerts = Alert.__table__


@dataclass
class AlertBatch:
    """The alert items a batch of new clippings adds, written in one statement at the end, and
    each alert they go into, looked up once."""

    held_until: datetime  # when an alert the batch opens is due, unless released before
    per_story: bool = False  # a story goes to a topic's channel once (see enqueue)
    items: list[dict[str, object]] = field(default_factory=list)
    alerts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # (alert key, story) of the items added: a story already in an alert is not added again
    stories: set[tuple[tuple[str, str, str], int]] = field(default_factory=set)


class OutboxStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert_item = conflict_insert(engine, AlertItem).on_conflict_do_nothing(
            index_elements=["topic", "channel", "clipping_id"]
        )

    def add_items(self, connection: Connection, outbox: AlertBatch) -> None:
        """Write the batch's alert items (an item already there stays)."""
        if outbox.items:
            connection.execute(self._insert_item, outbox.items)

    def enqueue(
        self,
        connection: Connection,
        clipping_id: int,
        story_id: int | None,
        run_id: int | None,
        match: NewMatch,
        outbox: AlertBatch,
    ) -> None:
        """Put the clipping into this crawl's alert for each channel of the topic (a digest
        collects into the topic's open digest instead); at most once per channel, ever.

        With `outbox.per_story`, a story goes to a channel of a topic once: a clipping whose
        story is already in an alert of that topic and channel (sent or gathering) is left
        out, and that alert lists the story's outlets as they are when it is sent. A digest
        leaves out only the stories already in the digest it is collecting (the next digest
        shows a story that grew since the last)."""
        for channel in match.notify:
            key = alert_key(match, channel)
            if outbox.per_story and story_id is not None:
                if self._story_told(connection, outbox, key, story_id):
                    continue  # before an alert is opened for it: none is left empty
                outbox.stories.add((key, story_id))
            if key not in outbox.alerts:  # it stays open (and locked) until the batch commits
                outbox.alerts[key] = self._open_alert(connection, *key, run_id, outbox.held_until)
            outbox.items.append(
                {
                    "alert_id": outbox.alerts[key],
                    "topic": match.topic,
                    "channel": channel,
                    "clipping_id": clipping_id,
                }
            )

    def _story_told(
        self,
        connection: Connection,
        outbox: AlertBatch,
        key: tuple[str, str, str],
        story_id: int,
    ) -> bool:
        """Whether the story is already in an instant alert of the topic and channel (sent
        or gathering), or for a digest in the one it is collecting; in this batch or stored."""
        if (key, story_id) in outbox.stories:
            return True
        topic, channel, event = key
        stmt = (
            select(AlertItem.id)
            .join(Clipping, Clipping.id == AlertItem.clipping_id)
            .join(Alert, Alert.id == AlertItem.alert_id)
            .where(
                Clipping.story_id == story_id,
                AlertItem.topic == topic,
                AlertItem.channel == channel,
                Alert.event == event,
            )
        )
        if event == "digest":  # the digest collecting (as _open_alert finds it)
            stmt = stmt.where(Alert.status == "pending", Alert.attempts == 0)
        return connection.scalar(stmt.limit(1)) is not None

    def _open_alert(
        self,
        connection: Connection,
        topic: str,
        channel: str,
        event: str,
        run_id: int | None,
        held_until: datetime,
    ) -> int:
        """The alert the clippings of this topic go into on this channel: the one gathering
        (not yet taken for sending), whichever crawl opened it, or a new one held until
        `held_until`. On PostgreSQL the caller holds the topic's advisory lock."""
        stmt = select(Alert.id).where(
            Alert.topic == topic,
            Alert.channel == channel,
            Alert.event == event,
            Alert.status == "pending",
            Alert.attempts == 0,
        )
        # FOR UPDATE (PostgreSQL): a sender claiming this alert waits until the clipping is in
        found = connection.scalar(stmt.order_by(Alert.id.desc()).limit(1).with_for_update())
        if found is not None:
            return int(found)
        now = now_utc()
        # an alert waits for its crawl to release it; a digest for its schedule (the sender
        # sets the time it is due)
        due = max(now, held_until) if event == "alert" else now + _DIGEST_NOT_SCHEDULED
        return int(
            connection.scalar(
                insert(Alert)
                .values(
                    delivery_id=uuid.uuid4().hex,
                    topic=topic,
                    channel=channel,
                    event=event,
                    status="pending",
                    attempts=0,
                    next_attempt_at=due,
                    created_at=now,
                    crawl_run_id=run_id,
                )
                .returning(Alert.id)
            )
            or 0
        )

    def release_alerts(self, run_ids: Sequence[int], due: datetime) -> int:
        """The gathering alerts that clippings of these crawl runs went into are due at `due`
        at the latest (one already due earlier keeps its time); returns how many moved."""
        if not run_ids:
            return 0
        fed = (
            select(AlertItem.id)
            .join(Clipping, Clipping.id == AlertItem.clipping_id)
            .where(AlertItem.alert_id == Alert.id, Clipping.crawl_run_id.in_(list(run_ids)))
            .exists()
        )
        return self._release(fed, due)

    def release_orphaned_alerts(self, now: datetime) -> int:
        """Gathering alerts held for crawl runs that ended without releasing them (their
        process was killed: end_runs marked them interrupted or failed), and that no running
        crawl feeds any more, are due now; returns how many. An alert released by its crawl
        (due at its end plus `gather`) keeps its time."""

        def fed_by(*statuses: str) -> ColumnElement[bool]:
            return (
                select(AlertItem.id)
                .join(Clipping, Clipping.id == AlertItem.clipping_id)
                .join(CrawlRun, CrawlRun.id == Clipping.crawl_run_id)
                .where(AlertItem.alert_id == Alert.id, CrawlRun.status.in_(statuses))
                .exists()
            )

        return self._release(~fed_by("running") & fed_by("interrupted", "failed"), now)

    def _release(self, condition: ColumnElement[bool], due: datetime) -> int:
        with writing(self.engine) as connection:
            result = connection.execute(
                update(Alert)
                .where(
                    Alert.status == "pending",
                    Alert.attempts == 0,
                    Alert.event == "alert",
                    Alert.next_attempt_at > due,
                    condition,
                )
                .values(next_attempt_at=due)
            )
            return int(result.rowcount or 0)

    def due_alerts(
        self,
        now: datetime,
        *,
        include_failed: bool = False,
        event: str | None = None,
        topic: str | None = None,
        ignore_schedule: bool = False,
    ) -> list[AlertRecord]:
        """Pending alerts whose next attempt is due (and failed ones when asked), oldest first.
        An alert another sender claimed is due again only when its claim has run out."""
        statuses = ["pending", "sending", "failed"] if include_failed else ["pending", "sending"]
        stmt = select(*_alerts.c).where(
            Alert.status.in_(statuses), or_(Alert.status != "sending", Alert.next_attempt_at <= now)
        )
        if not ignore_schedule:
            stmt = stmt.where(or_(Alert.next_attempt_at <= now, Alert.status == "failed"))
        elif event != "digest":
            # a digest still collecting waits for its schedule or `alerts digest`, an alert
            # still gathering for its crawl
            stmt = stmt.where(
                or_(
                    Alert.attempts > 0,
                    Alert.event.in_(("alert", "health", "update")) & (Alert.next_attempt_at <= now),
                )
            )
        if event:
            stmt = stmt.where(Alert.event == event)
        if topic:
            stmt = stmt.where(Alert.topic == topic)
        with reading(self.engine) as connection:
            rows = connection.execute(stmt.order_by(Alert.id)).mappings().all()
            return [alert_from_row(row) for row in rows]

    def list_alerts(self, status: str | None = None, limit: int = 200) -> list[AlertRecord]:
        stmt = select(*_alerts.c).order_by(Alert.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(Alert.status == status)
        with reading(self.engine) as connection:
            return [alert_from_row(row) for row in connection.execute(stmt).mappings().all()]

    def alert_clippings(self, alert_id: int, per_story: bool = False) -> list[AlertContent]:
        """The clippings an alert carries, with the topic's snippets and the other sources
        that carried the same story: its syndicated copies' sources, or with `per_story`
        every other outlet of its story (as the story is now)."""
        with reading(self.engine) as connection:
            rows = (
                connection.execute(
                    select_clippings()
                    .add_columns(Match.snippets.label("match_snippets"))
                    .join(AlertItem, AlertItem.clipping_id == Clipping.id)
                    .outerjoin(
                        Match, (Match.clipping_id == Clipping.id) & (Match.topic == AlertItem.topic)
                    )
                    .where(AlertItem.alert_id == alert_id)
                    .order_by(Clipping.id)
                )
                .mappings()
                .all()
            )
            records = [clipping_from_row(row) for row in rows]
            copies: dict[int, list[tuple[str, str]]] = {r.id: [] for r in records}
            stories: dict[int, StoryOutlets] = {}
            if per_story:
                wanted = [r.story_id for r in records if r.story_id is not None]
                stories = story_outlets(connection, wanted)
            if records:
                copy_rows = connection.execute(
                    select(Clipping.duplicate_of, Source.name, Clipping.canonical_url)
                    .join(Source, Source.id == Clipping.source_id)
                    .where(Clipping.duplicate_of.in_(list(copies)))
                    .order_by(Clipping.id)
                )
                for original, source, url in copy_rows:
                    if original is not None:
                        copies[original].append((source, url))
            contents: list[AlertContent] = []
            for record, row in zip(records, rows, strict=True):
                snippets = tuple(
                    Snippet.from_json(x) for x in json.loads(row["match_snippets"] or "[]")
                )
                story = stories.get(record.story_id) if record.story_id is not None else None
                also_in = tuple(copies[record.id])
                if story is not None:
                    also_in = story.other_outlets(record.source)
                contents.append(AlertContent(record, snippets, also_in, story))
            return contents

    def claim_alert(self, alert: AlertRecord, until: datetime) -> bool:
        """Take `alert` (as read by due_alerts) for sending until `until`; False when another
        sender took it first. A claimed alert collects no more clippings, and is due again
        after `until` if its sender died before marking it sent or failed."""
        with writing(self.engine) as connection:
            result = connection.execute(
                update(Alert)
                .where(
                    Alert.id == alert.id,
                    Alert.status == alert.status,
                    Alert.attempts == alert.attempts,
                    Alert.next_attempt_at == alert.next_attempt_at,
                )
                .values(status="sending", next_attempt_at=until)
            )
            return result.rowcount == 1

    def collecting_digest_since(self, topic: str) -> datetime | None:
        """When the digest `topic` is collecting into was opened (None: no open digest)."""
        with reading(self.engine) as connection:
            found = connection.scalar(
                select(func.min(Alert.created_at)).where(
                    Alert.topic == topic,
                    Alert.event == "digest",
                    Alert.status == "pending",
                    Alert.attempts == 0,
                )
            )
            return as_utc(found)

    def mark_sent(self, alert_id: int) -> None:
        with writing(self.engine) as connection:
            connection.execute(
                update(Alert)
                .where(Alert.id == alert_id)
                .values(
                    status="sent", sent_at=now_utc(), attempts=Alert.attempts + 1, last_error=None
                )
            )

    def mark_failed_attempt(self, alert_id: int, error: str, retry_at: datetime | None) -> None:
        """Count a failed attempt; `retry_at` None means no attempts are left."""
        values: dict[str, object] = {"attempts": Alert.attempts + 1, "last_error": error[:2000]}
        if retry_at is None:
            values["status"] = "failed"
        else:
            values.update(status="pending", next_attempt_at=retry_at)
        with writing(self.engine) as connection:
            connection.execute(update(Alert).where(Alert.id == alert_id).values(**values))

    def outbox_counts(self) -> dict[str, int]:
        with reading(self.engine) as connection:
            rows = connection.execute(select(Alert.status, func.count()).group_by(Alert.status))
            return {status: count for status, count in rows}

    def clipping_alerts(self, clipping_id: int) -> list[AlertRecord]:
        """The alerts that carried this clipping, and those that told of a change to it
        ("update"), newest first."""
        carried = select(AlertItem.alert_id).where(AlertItem.clipping_id == clipping_id)
        revised = select(ClippingRevision.id).where(ClippingRevision.clipping_id == clipping_id)
        stmt = (
            select(*Alert.__table__.c)
            .where(Alert.id.in_(carried) | Alert.revision_id.in_(revised))
            .order_by(Alert.id.desc())
        )
        with reading(self.engine) as connection:
            return [alert_from_row(row) for row in connection.execute(stmt).mappings()]

    def alert_sizes(self, alert_ids: Sequence[int]) -> dict[int, int]:
        """How many clippings each alert carries (an "update" alert: the one it tells of)."""
        if not alert_ids:
            return {}
        stmt = (
            select(AlertItem.alert_id, func.count())
            .where(AlertItem.alert_id.in_(alert_ids))
            .group_by(AlertItem.alert_id)
        )
        updates = select(Alert.id).where(Alert.id.in_(alert_ids), Alert.revision_id.is_not(None))
        with reading(self.engine) as connection:
            sizes = {alert_id: count for alert_id, count in connection.execute(stmt)}
            sizes.update((alert_id, 1) for alert_id in connection.scalars(updates))
            return sizes


def alert_key(match: NewMatch, channel: str) -> tuple[str, str, str]:
    """(topic, channel, event): one open alert each."""
    return (match.topic, channel, "digest" if match.mode == "digest" else "alert")


def lock_alerts(connection: Connection, matches: Iterable[NewMatch]) -> None:
    """PostgreSQL: one open alert per topic, channel and event, so concurrent crawls wait for
    each other's here rather than each opening its own (SQLite's BEGIN IMMEDIATE serialises
    them anyway). Every lock a batch may need, taken at once in one order: two batches never
    hold one each while waiting for the other's."""
    wanted = {alert_key(match, channel) for match in matches for channel in match.notify}
    for key in sorted(wanted):
        connection.execute(select(func.pg_advisory_xact_lock(func.hashtext("\x1f".join(key)))))
