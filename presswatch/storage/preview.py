"""A query's preview: what a topic with this query would have caught lately, before it is
saved. Hits per day and per source over the period, and the newest few with their hits marked.

Syndicated copies count (a topic matches them too). When the index says the whole query
(`Compiled.exact`), the counts are the database's own; otherwise the matcher confirms each
candidate, at most MAX_CONFIRMED of them, and the counts say whether they are complete.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.engine import Connection

from presswatch.query import parse_query
from presswatch.storage.models import Clipping, Source
from presswatch.storage.review import ClippingFilter, ReviewStore
from presswatch.storage.search import Found, all_hits, first_hits

MAX_CONFIRMED = 20_000
NEWEST = 10
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class PreviewClipping:
    id: int
    source: str
    title: str
    url: str
    day: date
    title_marked: str  # hits between search.HIT_START and HIT_END
    snippet: str | None


@dataclass(frozen=True, slots=True)
class Preview:
    query: str
    since: date
    total: int
    is_complete: bool  # False: only the newest MAX_CONFIRMED candidates were looked at
    per_day: dict[date, int]
    per_source: dict[str, int]  # most hits first
    newest: list[PreviewClipping]


def preview_query(review: ReviewStore, query: str, since: date) -> Preview:
    """The preview of `query` over the clippings dated `since` (that UTC day) or later;
    QuerySyntaxError when it is not a query."""
    node = parse_query(query)
    wanted = ClippingFilter(date_from=since)
    day = _article_day()
    with review.read_transaction() as connection:
        candidates = review.search_candidates(connection, wanted, node, fold=False)
        if candidates.compiled.exact:
            hits = candidates.stmt.params(candidates.params)
            rows: list[Any] = list(
                connection.execute(
                    select(day, Source.name, func.count())
                    .join(Source, Source.id == Clipping.source_id)
                    .where(Clipping.id.in_(hits))
                    .group_by(day, Source.name)
                )
            )
            complete = True
        else:
            ids: list[int] = []
            for id_ in all_hits(connection, node, candidates):
                ids.append(id_)
                if len(ids) == MAX_CONFIRMED:
                    break
            complete = len(ids) < MAX_CONFIRMED
            rows = _counts_of(connection, day, ids)
        newest = first_hits(connection, node, candidates, skip=0, want=NEWEST)
        listed = _listed(connection, day, newest)
    per_day: Counter[date] = Counter()
    per_source: Counter[str] = Counter()
    for when, source, count in rows:
        per_day[_as_date(when)] += count
        per_source[source] += count
    return Preview(
        query,
        since,
        sum(per_day.values()),
        complete,
        dict(sorted(per_day.items())),
        dict(per_source.most_common()),
        listed,
    )


def _article_day() -> ColumnElement[Any]:
    """The UTC day of a clipping's date: published, else fetched (sessions run in UTC)."""
    return func.date(func.coalesce(Clipping.published, Clipping.fetched))


def _counts_of(
    connection: Connection, day: ColumnElement[Any], ids: list[int]
) -> list[tuple[object, str, int]]:
    rows: list[tuple[object, str, int]] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        rows.extend(
            (when, source, int(count))
            for when, source, count in connection.execute(
                select(day, Source.name, func.count())
                .join(Source, Source.id == Clipping.source_id)
                .where(Clipping.id.in_(chunk))
                .group_by(day, Source.name)
            )
        )
    return rows


def _listed(
    connection: Connection, day: ColumnElement[Any], found: list[Found]
) -> list[PreviewClipping]:
    if not found:
        return []
    rows = {
        row.id: row
        for row in connection.execute(
            select(Clipping.id, Source.name, Clipping.title, Clipping.url, day.label("day"))
            .join(Source, Source.id == Clipping.source_id)
            .where(Clipping.id.in_([f.id for f in found]))
        )
    }
    return [
        PreviewClipping(
            f.id,
            rows[f.id].name,
            rows[f.id].title,
            rows[f.id].url,
            _as_date(rows[f.id].day),
            f.title_marked,
            f.snippet,
        )
        for f in found
        if f.id in rows
    ]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
