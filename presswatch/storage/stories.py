"""Stories: each clipping's story, the stories themselves, and the index a new clipping's
same-story candidates are looked up in (the rule that decides is presswatch.stories; storage
keeps what it compares, as text, and is asked for the candidates sharing keys with a new
clipping within a time window)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, case, func, insert, select, update
from sqlalchemy.engine import Connection

from presswatch.storage.db import conflict_insert, in_chunks, writing
from presswatch.storage.models import Clipping, Story, StoryKey, StoryMember, StoryTerm

_LOOKUP_KEYS = 500  # keys a candidate lookup is asked with at most (one IN list)

_TERM_COUNTS = select(StoryTerm.term, StoryTerm.df).where(
    StoryTerm.term.in_(bindparam("terms", expanding=True))
)
_STORY_OF = select(Clipping.story_id).where(Clipping.id == bindparam("id"))
_SHARED_KEYS = (
    select(StoryKey.clipping_id, func.count().label("shared"))
    .where(
        StoryKey.key.in_(bindparam("keys", expanding=True)),
        StoryKey.at >= bindparam("since"),
        StoryKey.at <= bindparam("until"),
    )
    .group_by(StoryKey.clipping_id)
    .order_by(func.count().desc(), StoryKey.clipping_id)
    .limit(bindparam("limit"))
    .subquery()
)
_CANDIDATES = (
    select(
        StoryMember.clipping_id,
        StoryMember.story_id,
        StoryMember.sample,
        StoryMember.terms,
        StoryMember.title,
        StoryMember.wire,
    )
    .join(_SHARED_KEYS, _SHARED_KEYS.c.clipping_id == StoryMember.clipping_id)
    .order_by(_SHARED_KEYS.c.shared.desc(), StoryMember.clipping_id)
)


@dataclass(frozen=True, slots=True)
class StoredFeatures:
    """A clipping's same-story features as stored (presswatch.stories encodes and decodes)."""

    sample: str
    terms: str
    title: str
    wire: str | None


@dataclass(frozen=True, slots=True)
class Candidate:
    clipping_id: int
    story_id: int
    features: StoredFeatures


class StoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        insert_terms = conflict_insert(engine, StoryTerm)
        self._count_terms = insert_terms.on_conflict_do_update(
            index_elements=["term"], set_={"df": StoryTerm.df + insert_terms.excluded.df}
        )

    def count_terms(self, counts: Mapping[str, int]) -> None:
        """Add to how many clippings carry each term, in a short transaction of its own (in
        one order: concurrent crawls never wait on each other's whole batch for a common
        term, nor deadlock). An approximate count is all the rule needs: a batch that fails
        later has still been counted."""
        rows = [{"term": term[:200], "df": n} for term, n in sorted(counts.items())]
        if rows:
            with writing(self.engine) as connection:
                connection.execute(self._count_terms, rows)

    # what storing a batch asks (in the caller's transaction)

    def term_counts(self, connection: Connection, terms: Sequence[str]) -> dict[str, int]:
        """How many clippings carry each of these terms (terms none carries left out)."""
        counts: dict[str, int] = {}
        for chunk in in_chunks(sorted(set(terms))):
            counts.update((t, n) for t, n in connection.execute(_TERM_COUNTS, {"terms": chunk}))
        return counts

    def clippings_seen(self, connection: Connection) -> int:
        """About how many clippings there are (the highest id: ids are never reused)."""
        return int(connection.scalar(select(func.max(Clipping.id))) or 0) + 1

    def candidates(
        self,
        connection: Connection,
        keys: Sequence[int],
        at: datetime,
        window: timedelta,
        limit: int,
    ) -> list[Candidate]:
        """The `limit` clippings of [at - window, at + window] sharing the most of `keys`."""
        if not keys:
            return []
        rows = connection.execute(
            _CANDIDATES,
            {
                "keys": list(keys)[:_LOOKUP_KEYS],
                "since": at - window,
                "until": at + window,
                "limit": limit,
            },
        )
        return [
            Candidate(clipping_id, story_id, StoredFeatures(sample, terms, title, wire))
            for clipping_id, story_id, sample, terms, title, wire in rows
        ]

    def story_of(self, connection: Connection, clipping_id: int) -> int | None:
        found = connection.scalar(_STORY_OF, {"id": clipping_id})
        return None if found is None else int(found)

    def start_story(self, connection: Connection, at: datetime, wire: str | None) -> int:
        """A new story, empty until its first clipping joins it."""
        return int(
            connection.scalar(
                insert(Story)
                .values(origin_id=None, wire=wire, first_seen=at, last_seen=at, clippings=0)
                .returning(Story.id)
            )
            or 0
        )

    def join_story(
        self,
        connection: Connection,
        story_id: int,
        clipping_id: int,
        at: datetime,
        wire: str | None,
    ) -> None:
        """Count the clipping (published at `at`) in its story: the earliest is the origin."""
        first = (Story.origin_id.is_(None)) | (Story.first_seen > at)
        connection.execute(
            update(Story)
            .where(Story.id == story_id)
            .values(
                clippings=Story.clippings + 1,
                origin_id=case((first, clipping_id), else_=Story.origin_id),
                first_seen=case((Story.first_seen > at, at), else_=Story.first_seen),
                last_seen=case((Story.last_seen < at, at), else_=Story.last_seen),
                wire=func.coalesce(Story.wire, wire),
            )
        )

    def remember(
        self,
        connection: Connection,
        clipping_id: int,
        story_id: int,
        at: datetime,
        keys: Sequence[int],
        features: StoredFeatures,
    ) -> None:
        """Put the clipping into the candidate index, with what the rule compares of it."""
        connection.execute(
            insert(StoryMember),
            {
                "clipping_id": clipping_id,
                "story_id": story_id,
                "at": at,
                "sample": features.sample,
                "terms": features.terms,
                "title": features.title,
                "wire": features.wire,
            },
        )
        if keys:
            connection.execute(
                insert(StoryKey),
                [{"key": key, "at": at, "clipping_id": clipping_id} for key in keys],
            )
