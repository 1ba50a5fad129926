"""Stories as read for review: one story with its clippings in time order (the story page),
and the size, outlets and origin of the stories of a page of clippings (the grouped list, the
clipping page, `clippings show`). Writing stories is storage.stories' (at ingest)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.engine import Connection

from presswatch.storage.db import reading
from presswatch.storage.models import Clipping, Source, Story
from presswatch.storage.records import StoryOutlets

MAX_STORY_CLIPPINGS = 200  # clippings a story page reads at most (the earliest)

# a clipping's time in its story: published, else fetched (as storage.stories counts it)
_AT = func.coalesce(Clipping.published, Clipping.fetched)


@dataclass(frozen=True, slots=True)
class StoryClipping:
    """One clipping of a story, as the story page shows and compares it."""

    id: int
    source: str
    url: str
    title: str
    text: str
    published: datetime | None
    fetched: datetime
    word_count: int
    duplicate_of: int | None  # a verbatim copy of this clipping
    is_origin: bool

    @property
    def at(self) -> datetime:
        return self.published or self.fetched


@dataclass(frozen=True, slots=True)
class StoryTimeline:
    """A story and its earliest clippings (at most MAX_STORY_CLIPPINGS), oldest first."""

    id: int
    wire: str | None  # the news agency it credits ("Reuters"), when one is named
    first_seen: datetime
    last_seen: datetime
    size: int  # clippings in all
    outlets: int  # sources in all
    clippings: tuple[StoryClipping, ...]

    @property
    def origin(self) -> StoryClipping | None:
        """The first clipping (None only for a story whose clippings are gone)."""
        return next((c for c in self.clippings if c.is_origin), None) or next(
            iter(self.clippings), None
        )

    @property
    def last(self) -> StoryClipping | None:
        return self.clippings[-1] if self.clippings else None


def story_outlets(
    connection: Connection, story_ids: Sequence[int | None]
) -> dict[int, StoryOutlets]:
    """The stories with these ids (None and unknown ids left out), by id, read in the
    caller's transaction."""
    ids = sorted({i for i in story_ids if i is not None})
    if not ids:
        return {}
    outlets: dict[int, dict[str, str]] = {i: {} for i in ids}
    rows = connection.execute(
        select(Clipping.story_id, Source.name, Clipping.canonical_url)
        .join(Source, Source.id == Clipping.source_id)
        .where(Clipping.story_id.in_(ids))
        .order_by(Clipping.story_id, _AT, Clipping.id)
    )
    for story_id, source, url in rows:
        if story_id is not None:  # selected by story id: never None
            outlets[story_id].setdefault(source, url)
    stories = connection.execute(
        select(
            Story.id, Story.clippings, Story.origin_id, Source.name, Story.first_seen, Story.wire
        )
        .outerjoin(Clipping, Clipping.id == Story.origin_id)
        .outerjoin(Source, Source.id == Clipping.source_id)
        .where(Story.id.in_(ids))
    )
    return {
        id_: StoryOutlets(
            id_,
            size,
            tuple(outlets[id_]),
            origin_id,
            origin,
            first,
            tuple(outlets[id_].values()),
            wire,
        )
        for id_, size, origin_id, origin, first, wire in stories
    }


class StoryViews:
    """Reads of stories for review (the web page, the command line)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def story_timeline(
        self, story_id: int, limit: int = MAX_STORY_CLIPPINGS
    ) -> StoryTimeline | None:
        """The story with its first `limit` clippings by time; None for an unknown id."""
        with reading(self.engine) as connection:
            row = connection.execute(
                select(
                    Story.id,
                    Story.origin_id,
                    Story.wire,
                    Story.first_seen,
                    Story.last_seen,
                    Story.clippings,
                ).where(Story.id == story_id)
            ).first()
            if row is None:
                return None
            rows = connection.execute(
                select(
                    Clipping.id,
                    Source.name,
                    Clipping.url,
                    Clipping.title,
                    Clipping.text,
                    Clipping.published,
                    Clipping.fetched,
                    Clipping.word_count,
                    Clipping.duplicate_of,
                )
                .join(Source, Source.id == Clipping.source_id)
                .where(Clipping.story_id == story_id)
                .order_by(_AT, Clipping.id)
                .limit(limit)
            )
            clippings = tuple(
                StoryClipping(*columns, is_origin=columns[0] == row.origin_id) for columns in rows
            )
            outlets = connection.scalar(
                select(func.count(func.distinct(Clipping.source_id))).where(
                    Clipping.story_id == story_id
                )
            )
        return StoryTimeline(
            id=row.id,
            wire=row.wire,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            size=row.clippings,
            outlets=int(outlets or 0),
            clippings=clippings,
        )

    def story_outlets(self, story_ids: Sequence[int | None]) -> dict[int, StoryOutlets]:
        """The stories with these ids (None and unknown ids left out), by id."""
        with reading(self.engine) as connection:
            return story_outlets(connection, story_ids)

    def outlets_of(self, story_id: int | None) -> StoryOutlets | None:
        """One story in a line (None for a clipping stored before stories were kept)."""
        return None if story_id is None else self.story_outlets([story_id]).get(story_id)
