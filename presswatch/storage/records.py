"""What the stores hand out: plain records, never ORM rows, and how rows become them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.engine import RowMapping

from presswatch.model import Snippet
from presswatch.storage.models import Clipping, Source

# the largest id a row can have (ids are INTEGER: 32 bits on PostgreSQL)
MAX_ID = 2**31 - 1


@dataclass(frozen=True, slots=True)
class ClippingRecord:
    id: int
    url: str
    canonical_url: str
    source: str
    title: str
    author: str | None
    published: datetime | None
    fetched: datetime
    language: str | None
    site_name: str | None
    description: str | None
    image: str | None
    text: str
    word_count: int
    duplicate_of: int | None
    snippet: str | None = None  # search hit context, hits between HIT_START and HIT_END
    topics: tuple[str, ...] = ()  # names of the topics it matched
    story_id: int | None = None  # the story it tells (None: stored before stories were kept)


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    delivery_id: str
    topic: str
    channel: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    health_event_id: int | None = None  # event "health": the event it tells of, in which state
    health_state: str | None = None
    revision_id: int | None = None  # event "update": the clipping revision it tells of


@dataclass(frozen=True, slots=True)
class AlertContent:
    """One clipping of an alert: the clipping, its snippets for the topic, and its copies."""

    clipping: ClippingRecord
    snippets: tuple[Snippet, ...]
    also_in: tuple[tuple[str, str], ...]  # (source, url) of syndicated copies, or other outlets
    story: StoryOutlets | None = None  # its story, when alerts list stories


@dataclass(frozen=True, slots=True)
class StoryOutlets:
    """A story in a line: its size, its sources (first to carry it first), and its origin."""

    id: int
    size: int  # clippings in all
    sources: tuple[str, ...]
    origin_id: int | None
    origin_source: str | None
    first_seen: datetime
    urls: tuple[str, ...] = ()  # each source's earliest clipping's canonical URL, in order
    wire: str | None = None  # the agency it credits

    def others(self, source: str) -> tuple[str, ...]:
        """The story's sources besides `source`."""
        return tuple(s for s in self.sources if s != source)

    def other_outlets(self, source: str) -> tuple[tuple[str, str], ...]:
        """(source, url) of the story's outlets besides `source`, the earliest first."""
        return tuple((s, u) for s, u in zip(self.sources, self.urls, strict=True) if s != source)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A source's latest crawl run, for `presswatch status`."""

    source: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    stored: int
    duplicates: int
    errors: int
    last_clipping_at: datetime | None

    @property
    def duration_s(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True, slots=True)
class TopicStats:
    matches: int
    last_match: datetime | None


@dataclass(frozen=True, slots=True)
class StoredMatch:
    topic: str
    snippets: tuple[Snippet, ...]
    matched_at: datetime
    backfilled: bool


def select_clippings() -> Select[tuple[object, ...]]:
    """The columns of a ClippingRecord (not the fingerprint), with the source's name."""
    return select(
        *(
            c
            for c in Clipping.__table__.c
            if not c.name.startswith("fp_") and c.name != "fingerprint"
        ),
        Source.name.label("source"),
    ).join(Source, Source.id == Clipping.source_id)


def clipping_from_row(row: RowMapping) -> ClippingRecord:
    """A row of select_clippings() (with a `snippet` column when searching)."""
    return ClippingRecord(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        source=row["source"],
        title=row["title"],
        author=row["author"],
        published=row["published"],
        fetched=row["fetched"],
        language=row["language"],
        site_name=row["site_name"],
        description=row["description"],
        image=row["image"],
        text=row["text"],
        word_count=row["word_count"],
        duplicate_of=row["duplicate_of"],
        snippet=row.get("snippet"),
        story_id=row.get("story_id"),
    )


def alert_from_row(row: RowMapping) -> AlertRecord:
    """A row of the alerts table."""
    return AlertRecord(**{name: row[name] for name in AlertRecord.__dataclass_fields__})


def as_utc(value: datetime | None) -> datetime | None:
    """Aggregates (max of a column) skip the column type's UTC conversion on SQLite."""
    if value is None or (isinstance(value, datetime) and value.tzinfo):
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)
