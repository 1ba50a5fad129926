"""A query's preview: what a topic with this query would have caught lately, before it is
saved. Hits per day and per source over the period, and the newest few with their hits marked.

Syndicated copies count (a topic matches them too). When the index says the whole query
(`Compiled.exact`), the counts are the database's own; otherwise the matcher confirms each
candidate, at most MAX_CONFIRMED of them, and the counts say whether they are complete.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.engine import Connection

from presswatch.query import Node, parse_query
from presswatch.storage.db import in_chunks, reading
from presswatch.storage.models import Clipping, Source
from presswatch.storage.review import ClippingFilter, ReviewStore
from presswatch.storage.search import all_hits, first_hits, mark

MAX_CONFIRMED = 20_000
NEWEST = 10


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
    with reading(review.engine) as connection:
        candidates = review.search_candidates(connection, wanted, node, fold=False)
        if candidates.compiled.exact:
            rows = _counts(connection, candidates.stmt.params(candidates.params))
            complete = True
        else:
            ids = list(itertools.islice(all_hits(connection, node, candidates), MAX_CONFIRMED))
            complete = len(ids) < MAX_CONFIRMED
            rows = [row for chunk in in_chunks(ids) for row in _counts(connection, chunk)]
        newest = first_hits(connection, node, candidates, skip=0, want=NEWEST)
        listed = _listed(connection, node, newest)
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


# the UTC day of a clipping's date: published, else fetched (sessions run in UTC)
_DAY: ColumnElement[Any] = func.date(func.coalesce(Clipping.published, Clipping.fetched))


def _counts(connection: Connection, ids: Select[Any] | list[int]) -> list[tuple[object, str, int]]:
    """Clippings per (day, source name) among `ids`."""
    stmt = (
        select(_DAY, Source.name, func.count())
        .join(Source, Source.id == Clipping.source_id)
        .where(Clipping.id.in_(ids))
        .group_by(_DAY, Source.name)
    )
    return [(when, source, int(count)) for when, source, count in connection.execute(stmt)]


def _listed(connection: Connection, node: Node, ids: list[int]) -> list[PreviewClipping]:
    """The newest matching clippings with their hits marked."""
    if not ids:
        return []
    stmt = (
        select(
            Clipping.id,
            Clipping.title,
            Clipping.url,
            Clipping.canonical_url,
            Clipping.text,
            Source.name,
            _DAY.label("day"),
        )
        .join(Source, Source.id == Clipping.source_id)
        .where(Clipping.id.in_(ids))
    )
    rows = {row.id: row for row in connection.execute(stmt)}
    out = []
    for id_ in ids:
        row = rows[id_]
        marks = mark(node, title=row.title, text=row.text, source=row.name, url=row.canonical_url)
        out.append(
            PreviewClipping(
                id_, row.name, row.title, row.url, _as_date(row.day), marks.title, marks.snippet
            )
        )
    return out


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
