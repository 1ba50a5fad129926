"""Which clippings a ClippingFilter selects, as SQL conditions: the review page's filters, and
grouping by story (each story as the first of its clippings the filter selects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.orm import aliased

from presswatch.storage.models import Clipping, ClippingReview, Match, Source

# open ends of a date range are closed far away: a two-sided range lets SQLite use the index
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ClippingFilter:
    """Which clippings to list or export: the review page's view, `clippings list` and
    `clippings export` alike. A clipping's date is the article's: when it was published, else
    (no date on the page) when it was fetched, in UTC.

    The review page folds copies of a story under the first clipping of it, except when one
    source is asked for: then that source's clippings, copies included. Grouped by story
    (`by_story`), it lists each story once, as the first of its clippings that the filter
    selects (the origin, when it is selected), or for a search, as its newest clipping that
    matches. Lists for the command line and exports never fold."""

    query: str = ""  # a search in the topic query language
    topic: str | None = None
    source: str | None = None
    # dated from this UTC day on; a datetime (`--since 24h`): from that moment on
    date_from: date | datetime | None = None
    date_to: date | None = None  # inclusive
    reviewed: bool | None = None  # None: either
    starred: bool = False
    by_story: bool = False

    @property
    def is_folded(self) -> bool:
        return not self.source


def selected(
    wanted: ClippingFilter, clipping: type[Clipping], member_id: ColumnElement[int]
) -> list[ColumnElement[bool]]:
    """What the filter asks of a clipping (other than a search, and folding): `clipping` is
    the clippings table or an alias of it, `member_id` the id its id filters test."""
    tests: list[ColumnElement[bool]] = []
    if wanted.source:
        source_id = select(Source.id).where(Source.name == wanted.source).scalar_subquery()
        tests.append(clipping.source_id == source_id)
    if wanted.topic:
        topic_ids = select(Match.clipping_id).where(Match.topic == wanted.topic)
        tests.append(member_id.in_(topic_ids))
    if wanted.starred:
        starred_ids = select(ClippingReview.clipping_id).where(ClippingReview.starred == true())
        tests.append(member_id.in_(starred_ids))
    if wanted.reviewed is not None:
        if wanted.reviewed:
            reviewed_ids = select(ClippingReview.clipping_id).where(
                ClippingReview.reviewed_at.is_not(None)
            )
            tests.append(member_id.in_(reviewed_ids))
        else:
            # NOT EXISTS, one primary-key lookup per row: PostgreSQL runs a NOT IN over
            # hundreds of thousands of reviewed ids again for every row once they no
            # longer fit work_mem (2.2 s at 1,000,000 clippings, 0.2 ms this way)
            reviewed = (
                select(ClippingReview.clipping_id)
                .where(ClippingReview.clipping_id == member_id)
                .where(ClippingReview.reviewed_at.is_not(None))
            )
            tests.append(~reviewed.exists())
    if wanted.date_from or wanted.date_to:
        tests.append(dated_between(wanted.date_from, wanted.date_to, clipping))
    return tests


def first_of_story(wanted: ClippingFilter) -> ColumnElement[bool]:
    """The clipping is the first of its story (by date: published, else fetched; then by id)
    among those the filter selects; a clipping stored before stories were kept is its own,
    folded under its original as before. One lookup of the story's clippings per row, by
    the story_id index."""
    other = aliased(Clipping)
    at = func.coalesce(Clipping.published, Clipping.fetched)
    other_at = func.coalesce(other.published, other.fetched)
    earlier = select(other.id).where(
        other.story_id == Clipping.story_id,
        or_(other_at < at, and_(other_at == at, other.id < Clipping.id)),
        *selected(wanted, other, other.id.expression),
    )
    without_story: ColumnElement[bool] = Clipping.story_id.is_(None)
    if wanted.is_folded:
        without_story = and_(without_story, Clipping.duplicate_of.is_(None))
    return or_(without_story, and_(Clipping.story_id.is_not(None), ~earlier.exists()))


def dated_between(
    first: date | datetime | None, last: date | None, clipping: type[Clipping] = Clipping
) -> ColumnElement[bool]:
    """The article's date (published, else fetched) within [first, last], whole UTC days (or
    from the moment `first` when it is a datetime)."""
    if isinstance(first, datetime):
        start = first if first.tzinfo else first.replace(tzinfo=UTC)
    else:
        start = datetime.combine(first, time(), UTC) if first else _EARLIEST
    end = datetime.combine(last + timedelta(days=1), time(), UTC) if last else _LATEST
    published, fetched = clipping.published, clipping.fetched
    return or_(
        and_(published >= start, published < end),
        and_(published.is_(None), fetched >= start, fetched < end),
    )
