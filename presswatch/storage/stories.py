"""Stories: each clipping's story, the stories themselves, and the index a new clipping's
same-story candidates are looked up in (the rule that decides is presswatch.stories; storage
keeps what it compares, as text, and is asked for the candidates sharing keys with a new
clipping within a time window)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Engine,
    Insert,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute

from presswatch.storage.db import conflict_insert, writing
from presswatch.storage.models import (
    Clipping,
    Story,
    StoryKey,
    StoryMember,
    StoryTerm,
    UtcDateTime,
)

_V = TypeVar("_V")
_LOOKUP_KEYS = 500  # keys a candidate lookup is asked with at most


def _one_of(column: InstrumentedAttribute[_V], name: str, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the values of parameter `name`, a list (_listed): the statement's
    text is the same however many there are, so that the database prepares it once, where
    an IN list of each length would be a statement of its own (parsed and planned again)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(select(literal_column("value")).select_from(func.json_each(bindparam(name))))


def _listed(values: Sequence[object], dialect: str) -> object:
    """A list as _one_of's parameter takes it: an array, or on SQLite JSON text."""
    return list(values) if dialect == "postgresql" else json.dumps(list(values))


_STORY_OF = select(Clipping.story_id).where(Clipping.id == bindparam("id"))
_START_STORY = (
    insert(Story)
    .values(
        origin_id=None,
        wire=bindparam("wire"),
        first_seen=bindparam("at"),
        last_seen=bindparam("at"),
        clippings=0,
    )
    .returning(Story.id)
)
# clippings (the earliest published at joined_at, the latest at last_at) counted in their
# story: the earliest of all is its origin
_AT = bindparam("joined_at", type_=UtcDateTime())
_LAST = bindparam("last_at", type_=UtcDateTime())
_JOIN_STORY = (
    update(Story)
    .where(Story.id == bindparam("story"))
    .values(
        clippings=Story.clippings + bindparam("joined", type_=Integer),
        origin_id=case(
            (
                (Story.origin_id.is_(None)) | (Story.first_seen > _AT),
                bindparam("clipping", type_=Integer),
            ),
            else_=Story.origin_id,
        ),
        first_seen=case((Story.first_seen > _AT, _AT), else_=Story.first_seen),
        last_seen=case((Story.last_seen < _LAST, _LAST), else_=Story.last_seen),
        wire=func.coalesce(Story.wire, bindparam("joined_wire", type_=String)),
    )
)
_INSERT_MEMBER = insert(StoryMember)


def _insert_keys(dialect: str) -> Insert:
    """A clipping's rows of the story index, its keys given as one list (_listed): one
    statement of the same text whatever their number, not a VALUES row each."""
    at = bindparam("at", type_=UtcDateTime())
    clipping_id = bindparam("clipping_id", type_=Integer)
    if dialect == "postgresql":
        keys = func.unnest(bindparam("keys", type_=postgresql.ARRAY(BigInteger)))
        rows = select(keys, at, clipping_id)
    else:
        rows = select(literal_column("value"), at, clipping_id).select_from(
            func.json_each(bindparam("keys"))
        )
    return insert(StoryKey).from_select(["key", "at", "clipping_id"], rows)


def _candidates(dialect: str) -> Select[int, int, str, str, str, str | None, float]:
    shared_keys = (
        select(StoryKey.clipping_id, func.count().label("shared"))
        .where(
            _one_of(StoryKey.key, "keys", dialect),
            StoryKey.at >= bindparam("since"),
            StoryKey.at <= bindparam("until"),
        )
        .group_by(StoryKey.clipping_id)
        .order_by(func.count().desc(), StoryKey.clipping_id)
        .limit(bindparam("limit"))
        .subquery()
    )
    return (
        select(
            StoryMember.clipping_id,
            StoryMember.story_id,
            StoryMember.sample,
            StoryMember.terms,
            StoryMember.title,
            StoryMember.wire,
            StoryMember.weight,
        )
        .join(shared_keys, shared_keys.c.clipping_id == StoryMember.clipping_id)
        .order_by(shared_keys.c.shared.desc(), StoryMember.clipping_id)
    )


@dataclass(frozen=True, slots=True)
class StoredFeatures:
    """A clipping's same-story features as stored (presswatch.stories encodes and decodes)."""

    sample: str
    terms: str
    title: str
    wire: str | None
    weight: float = 0.0


@dataclass(slots=True)
class StoryJoin:
    """A batch's clippings joining one story: how many, the earliest (and when), the latest
    time, the first agency credited."""

    story_id: int
    clippings: int
    origin: int
    first_at: datetime
    last_at: datetime
    wire: str | None


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """A clipping as the candidate index keeps it."""

    clipping_id: int
    story_id: int
    at: datetime
    keys: Sequence[int]
    features: StoredFeatures


@dataclass(frozen=True, slots=True)
class Candidate:
    clipping_id: int
    story_id: int
    features: StoredFeatures


class StoryStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name
        self._candidates = _candidates(self._dialect)
        self._insert_keys = _insert_keys(self._dialect)
        insert_terms = conflict_insert(engine, StoryTerm)
        self._count_terms = insert_terms.on_conflict_do_update(
            index_elements=["term"], set_={"df": StoryTerm.df + insert_terms.excluded.df}
        ).returning(StoryTerm.term, StoryTerm.df)

    def count_terms(self, counts: Mapping[str, int]) -> dict[str, int]:
        """Add to how many clippings carry each term, in a short transaction of its own (in
        one order: concurrent crawls never wait on each other's whole batch for a common
        term, nor deadlock). An approximate count is all the rule needs: a batch that fails
        later has still been counted. Returns each term's count now, this call's included:
        what its batch's lookups go by."""
        rows = [{"term": term[:200], "df": n} for term, n in sorted(counts.items())]
        if not rows:
            return {}
        with writing(self.engine) as connection:
            return {t: n for t, n in connection.execute(self._count_terms, rows)}

    # what storing a batch asks (in the caller's transaction)

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
            self._candidates,
            {
                "keys": _listed(keys[:_LOOKUP_KEYS], self._dialect),
                "since": at - window,
                "until": at + window,
                "limit": limit,
            },
        )
        return [
            Candidate(clipping_id, story_id, StoredFeatures(sample, terms, title, wire, weight))
            for clipping_id, story_id, sample, terms, title, wire, weight in rows
        ]

    def story_of(self, connection: Connection, clipping_id: int) -> int | None:
        found = connection.scalar(_STORY_OF, {"id": clipping_id})
        return None if found is None else int(found)

    def start_story(self, connection: Connection, at: datetime, wire: str | None) -> int:
        """A new story, empty until its first clipping joins it."""
        return int(connection.scalar(_START_STORY, {"at": at, "wire": wire}) or 0)

    def join_stories(self, connection: Connection, joins: Sequence[StoryJoin]) -> None:
        """Count clippings in their stories: each story's earliest clipping is its origin."""
        if joins:
            connection.execute(
                _JOIN_STORY,
                [
                    {
                        "story": j.story_id,
                        "joined": j.clippings,
                        "clipping": j.origin,
                        "joined_at": j.first_at,
                        "last_at": j.last_at,
                        "joined_wire": j.wire,
                    }
                    for j in joins
                ],
            )

    def remember(self, connection: Connection, entries: Sequence[IndexEntry]) -> None:
        """Put clippings into the candidate index, with what the rule compares of them."""
        if not entries:
            return
        connection.execute(
            _INSERT_MEMBER,
            [
                {
                    "clipping_id": e.clipping_id,
                    "story_id": e.story_id,
                    "at": e.at,
                    "sample": e.features.sample,
                    "terms": e.features.terms,
                    "title": e.features.title,
                    "wire": e.features.wire,
                    "weight": e.features.weight,
                }
                for e in entries
            ],
        )
        rows = [
            {"keys": _listed(e.keys, self._dialect), "at": e.at, "clipping_id": e.clipping_id}
            for e in entries
            if e.keys
        ]
        if rows:
            connection.execute(self._insert_keys, rows)
