"""Topic matches: stored with their snippets, per clipping and per topic, and counted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from presswatch.clock import now_utc
from presswatch.model import NewMatch, Snippet
from presswatch.storage.db import conflict_insert, reading, writing
from presswatch.storage.models import Clipping, Match
from presswatch.storage.records import ClippingRecord, StoredMatch, TopicStats, as_utc


class MatchStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # RETURNING counts the rows stored: a driver's rowcount of an executemany is not
        # portable (psycopg reports -1)
        self._insert = (
            conflict_insert(engine, Match)
            .on_conflict_do_nothing(index_elements=["topic", "clipping_id"])
            .returning(Match.id)
        )

    def insert_rows(self, connection: Connection, rows: list[dict[str, object]]) -> int:
        """Insert match_rows that are not stored yet; returns how many were new."""
        return len(connection.execute(self._insert, rows).all())

    def add_backfilled_matches(self, found: Sequence[tuple[int, Sequence[NewMatch]]]) -> int:
        """`topics rematch`: store matches for existing clippings (marked backfilled, so they
        never alert); a match already stored stays as it was. Returns how many were new."""
        rows = [
            row
            for clipping_id, matches in found
            for row in match_rows(clipping_id, matches, backfilled=True)
        ]
        if not rows:
            return 0
        with writing(self.engine) as connection:
            return self.insert_rows(connection, rows)

    def topic_stats(self) -> dict[str, TopicStats]:
        """Per topic name: number of matches and the time of the last one."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(Match.topic, func.count(), func.max(Match.matched_at)).group_by(Match.topic)
            )
            return {topic: TopicStats(count, as_utc(last)) for topic, count, last in rows}

    def clipping_topics(self, clipping_ids: Sequence[int]) -> dict[int, list[str]]:
        """The topics each clipping matched."""
        out: dict[int, list[str]] = {i: [] for i in clipping_ids}
        if not clipping_ids:
            return out
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(Match.clipping_id, Match.topic)
                .where(Match.clipping_id.in_(clipping_ids))
                .order_by(Match.topic)
            )
            for clipping_id, topic in rows:
                out[clipping_id].append(topic)
        return out

    def clipping_matches(self, clipping_id: int) -> list[StoredMatch]:
        """A clipping's matches with their snippets."""
        with reading(self.engine) as connection:
            rows = connection.execute(
                select(Match.topic, Match.snippets, Match.matched_at, Match.backfilled)
                .where(Match.clipping_id == clipping_id)
                .order_by(Match.topic)
            )
            return [
                StoredMatch(
                    topic,
                    tuple(Snippet.from_json(s) for s in json.loads(snippets)),
                    matched_at,
                    backfilled,
                )
                for topic, snippets, matched_at, backfilled in rows
            ]

    def with_topics(self, records: list[ClippingRecord]) -> list[ClippingRecord]:
        """The records with the topics they matched."""
        topics = self.clipping_topics([r.id for r in records])
        return [replace(r, topics=tuple(topics[r.id])) for r in records]

    def topic_snippets(self, topic: str, ids: Sequence[int]) -> dict[int, tuple[Snippet, ...]]:
        """The snippets stored with each clipping's match of `topic`."""
        if not ids:
            return {}
        stmt = select(Match.clipping_id, Match.snippets).where(
            Match.topic == topic, Match.clipping_id.in_(ids)
        )
        with reading(self.engine) as connection:
            return {
                clipping_id: tuple(Snippet.from_json(s) for s in json.loads(snippets))
                for clipping_id, snippets in connection.execute(stmt)
            }

    def matches_per_day(self, days: int) -> dict[str, dict[date, int]]:
        """Per topic, how many clippings that arrived on each of the last `days` UTC days
        matched it."""
        since = datetime.combine(now_utc().date() - timedelta(days=days - 1), time(), UTC)
        day = func.date(Clipping.fetched)
        stmt = (
            select(Match.topic, day, func.count())
            .join(Clipping, Clipping.id == Match.clipping_id)
            .where(Clipping.fetched >= since)
            .group_by(Match.topic, day)
        )
        out: dict[str, dict[date, int]] = {}
        with reading(self.engine) as connection:
            for topic, when, count in connection.execute(stmt):
                key = when if isinstance(when, date) else date.fromisoformat(str(when))
                out.setdefault(topic, {})[key] = count
        return out


def match_rows(
    clipping_id: int, matches: Sequence[NewMatch], *, backfilled: bool
) -> list[dict[str, object]]:
    """Rows of the matches table for the matches of one clipping."""
    now = now_utc()
    return [
        {
            "topic": m.topic,
            "clipping_id": clipping_id,
            "matched_at": now,
            "backfilled": backfilled,
            "snippets": json.dumps([s.as_json() for s in m.snippets], ensure_ascii=False),
        }
        for m in matches
    ]
