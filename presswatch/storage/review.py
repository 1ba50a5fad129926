"""Clippings by ClippingFilter (the review page's filtered, folded pages, its exports, and
the command line's lists), and review state.

Every list is answered in two steps: the ids of one page from indexes (the filters are
written so that SQLite can use them: two-sided date ranges, IN over indexed subqueries), then
the rows, topics, review state and copies of just those ids.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from presswatch.clock import now_utc
from presswatch.query import Node, parse_query

# ClippingFilter is named from here too (the review's lists are what callers ask it of)
from presswatch.storage.clipping_filter import ClippingFilter as ClippingFilter
from presswatch.storage.clipping_filter import first_of_story, selected
from presswatch.storage.db import conflict_insert, in_chunks, reading, writing
from presswatch.storage.fulltext import Compiled, compile_query
from presswatch.storage.matches import MatchStore
from presswatch.storage.models import Clipping, ClippingReview, Source
from presswatch.storage.records import (
    ClippingRecord,
    StoryOutlets,
    clipping_from_row,
    select_clippings,
)
from presswatch.storage.search import (
    Candidates,
    Marks,
    all_hits,
    candidate_params,
    custom_plans,
    first_hits,
    fts5_match,
    fts5_table,
    mark,
    pg_match,
    source_ids,
)
from presswatch.storage.story_views import StoryViews

_clipping_id: ColumnElement[int] = Clipping.__table__.c.id
_SNIPPET_WORDS = 28
_FIRST_STORY_HITS = 200  # search hits read at first when a search groups them by story


@dataclass(frozen=True, slots=True)
class ReviewState:
    reviewed_at: datetime | None = None
    starred: bool = False
    note: str | None = None

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


@dataclass(frozen=True, slots=True)
class Copy:
    """Another clipping of the same story (a syndicated copy, or the original)."""

    id: int
    source: str
    url: str
    title: str
    is_original: bool = False


@dataclass(frozen=True, slots=True)
class ListedClipping:
    clipping: ClippingRecord  # with the search snippet (hits between HIT_START and HIT_END)
    title_marked: str | None  # the title with search hits marked, when searching
    review: ReviewState
    also_in: tuple[str, ...]  # sources of the folded copies
    story: StoryOutlets | None = None  # grouped by story: the clipping's story


@dataclass(frozen=True, slots=True)
class ClippingPage:
    items: list[ListedClipping]
    has_more: bool


class ReviewStore:
    """Lists of the clippings a ClippingFilter selects (the review page, its exports and
    feeds, `clippings list` and `export`), and the team's review of each clipping."""

    def __init__(
        self, engine: Engine, matches: MatchStore, stories: StoryViews | None = None
    ) -> None:
        self.engine = engine
        self._matches = matches
        self._stories = stories or StoryViews(engine)

    def _read(self) -> contextlib.AbstractContextManager[Connection]:
        return reading(self.engine)

    # pages of clippings

    def clipping_page(self, wanted: ClippingFilter, *, offset: int, limit: int) -> ClippingPage:
        """One page, newest first (search results too). A search takes the topic query
        language; QuerySyntaxError when its query is not one."""
        searching = bool(wanted.query.strip())
        with self._read() as connection:
            if searching:
                node = parse_query(wanted.query)
                candidates = self.search_candidates(connection, wanted, node)
                if wanted.by_story:
                    ids = _story_hits(connection, node, candidates, skip=offset, want=limit + 1)
                else:
                    ids = first_hits(connection, node, candidates, skip=offset, want=limit + 1)
            else:
                ids_stmt, order = self._filtered_ids(wanted)
                stmt = ids_stmt.order_by(order.desc()).offset(offset).limit(limit + 1)
                ids = [int(i) for i in connection.scalars(stmt)]
        has_more = len(ids) > limit
        ids = ids[:limit]
        records = self._records_of(ids)
        reviews = self.review_states(ids)
        copies = self._copy_sources(ids)
        stories = (
            self._stories.story_outlets([r.story_id for r in records]) if wanted.by_story else {}
        )
        items = []
        for record in records:
            title_marked = None
            if searching:
                marks = _marks(node, record)
                record, title_marked = replace(record, snippet=marks.snippet), marks.title
            review = reviews.get(record.id, ReviewState())
            story = stories.get(record.story_id) if record.story_id is not None else None
            items.append(ListedClipping(record, title_marked, review, copies[record.id], story))
        return ClippingPage(items, has_more)

    def search(self, query: str, limit: int = 20) -> list[ClippingRecord]:
        """The newest `limit` clippings a query in the topic language matches, syndicated
        copies included, with the hits marked in `snippet`; QuerySyntaxError for a query
        that is not one."""
        node = parse_query(query)
        with self._read() as connection:
            candidates = self.search_candidates(connection, ClippingFilter(), node, fold=False)
            ids = first_hits(connection, node, candidates, skip=0, want=limit)
        return [replace(r, snippet=_marks(node, r).snippet) for r in self._records_of(ids)]

    def iter_filtered(self, wanted: ClippingFilter, batch: int = 500) -> Iterator[ClippingRecord]:
        """Every clipping the filter selects, copies included (for export), newest first."""
        if wanted.query.strip():
            node = parse_query(wanted.query)
            with self._read() as connection:
                custom_plans(connection)
                candidates = self.search_candidates(connection, wanted, node, fold=False)
                ids: list[int] = []
                for id_ in all_hits(connection, node, candidates):
                    ids.append(id_)
                    if len(ids) == batch:
                        yield from self._records_of(ids)
                        ids = []
                yield from self._records_of(ids)
            return
        ids_stmt, order = self._filtered_ids(wanted, fold=False)
        last: int | None = None
        with self._read() as connection:
            custom_plans(connection)
            while True:
                stmt = ids_stmt if last is None else ids_stmt.where(order < last)
                ids = [int(i) for i in connection.scalars(stmt.order_by(order.desc()).limit(batch))]
                yield from self._records_of(ids)
                if len(ids) < batch:
                    return
                last = ids[-1]

    def list_clippings(
        self,
        wanted: ClippingFilter | None = None,
        *,
        limit: int | None = 50,
        offset: int = 0,
        oldest_first: bool = False,
    ) -> list[ClippingRecord]:
        """The clippings the filter selects (every one without a filter), copies included,
        newest first (`clippings list`) or oldest first; the filter's search query is not
        used here (searching is `search` and `clipping_page`)."""
        wanted = wanted or ClippingFilter()
        ids_stmt, order = self._filtered_ids(wanted, fold=False)
        stmt = ids_stmt.order_by(order.asc() if oldest_first else order.desc()).offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        with self._read() as connection:
            ids = [int(i) for i in connection.scalars(stmt)]
        return self._records_of(ids)

    def iter_clippings(
        self, wanted: ClippingFilter | None = None, batch: int = 500
    ) -> Iterator[ClippingRecord]:
        """The clippings the filter selects (every one without a filter), copies included,
        oldest first, read in batches (`clippings export`, `topics rematch`)."""
        wanted = wanted or ClippingFilter()
        ids_stmt, order = self._filtered_ids(wanted, fold=False)
        last: int | None = None
        while True:
            stmt = ids_stmt if last is None else ids_stmt.where(order > last)
            with self._read() as connection:
                ids = [int(i) for i in connection.scalars(stmt.order_by(order.asc()).limit(batch))]
            if not ids:
                return
            yield from self._records_of(ids)
            last = ids[-1]

    def _records_of(self, ids: Sequence[int]) -> list[ClippingRecord]:
        """The clippings with these ids, in this order, with their topics."""
        if not ids:
            return []
        with self._read() as connection:
            rows = connection.execute(select_clippings().where(Clipping.id.in_(ids))).mappings()
            by_id = {row["id"]: clipping_from_row(row) for row in rows}
        return self._matches.with_topics([by_id[i] for i in ids if i in by_id])

    def search_candidates(
        self, connection: Connection, wanted: ClippingFilter, node: Node, *, fold: bool = True
    ) -> Candidates:
        """The clippings a search looks at: the filter's, narrowed by the index."""
        dialect = self.engine.dialect.name
        compiled = compile_query(node, dialect)
        stmt, order = self._filtered_ids(wanted, fold=fold, index=compiled)
        if compiled.source_test is not None:
            allowed = source_ids(connection, compiled.source_test)
            stmt = stmt.where(Clipping.source_id.in_(allowed))
        return Candidates(stmt, order, candidate_params(compiled), compiled, dialect)

    def _filtered_ids(
        self, wanted: ClippingFilter, *, fold: bool = True, index: Compiled | None = None
    ) -> tuple[Select[Any], ColumnElement[int]]:
        """The ids the filter selects (narrowed by the search index's query when given), and
        the column they are ordered by."""
        searching = index is not None and index.text is not None
        order: ColumnElement[int] = _clipping_id
        if searching and self._is_sqlite:
            # ordered by the index's own rowid, so FTS5 walks it newest first and stops
            stmt = (
                select(fts5_table.c.rowid)
                .select_from(fts5_table)
                .join(Clipping, Clipping.id == fts5_table.c.rowid)
                .where(fts5_match)
            )
            order = fts5_table.c.rowid
        elif searching:
            stmt = select(_clipping_id).where(pg_match)
            # the GIN index gives its hits unordered; sorting by "id + 0" keeps PostgreSQL from
            # walking the primary key newest first instead, testing every row for a rare word
            # (search.py walks it on purpose, in windows, when the words are common)
            order = _clipping_id + 0
        else:
            stmt = select(Clipping.id)
            if wanted.date_to and not self._is_sqlite:
                # a closed range of dates, often long ago: from the date index, then sorted.
                # Walking the primary key newest first (ids and dates rise together, which
                # PostgreSQL cannot know) read 800,000 rows at 1,000,000 clippings
                order = _clipping_id + 0
        # searching, the id filters test the search index's rowid, so that no clipping row is
        # read for a result they drop; "+ 0" keeps FTS5 from taking them as rowid lookups
        member_id = fts5_table.c.rowid + 0 if searching and self._is_sqlite else _clipping_id
        if fold and wanted.by_story and index is None:  # a search groups its hits itself
            stmt = stmt.where(first_of_story(wanted))
        elif fold and wanted.is_folded:
            stmt = stmt.where(Clipping.duplicate_of.is_(None))
        return stmt.where(*selected(wanted, Clipping, member_id)), order

    @property
    def _is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _copy_sources(self, ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """Per original id, the sources of its copies (each source once)."""
        out: dict[int, list[str]] = {i: [] for i in ids}
        if ids:
            with self._read() as connection:
                rows = connection.execute(
                    select(Clipping.duplicate_of, Source.name)
                    .join(Source, Source.id == Clipping.source_id)
                    .where(Clipping.duplicate_of.in_(ids))
                    .order_by(Clipping.id)
                )
                for original, source in rows:
                    if original is not None and source not in out[original]:
                        out[original].append(source)
        return {i: tuple(sources) for i, sources in out.items()}

    # one clipping

    def copies(self, record: ClippingRecord) -> list[Copy]:
        """The other clippings of the same story: the original (for a copy) and every copy."""
        original = record.duplicate_of or record.id
        stmt = (
            select(Clipping.id, Source.name, Clipping.url, Clipping.title, Clipping.duplicate_of)
            .join(Source, Source.id == Clipping.source_id)
            .where(or_(Clipping.id == original, Clipping.duplicate_of == original))
            .where(Clipping.id != record.id)
            .order_by(Clipping.id)
        )
        with self._read() as connection:
            return [
                Copy(id_, source, url, title, is_original=duplicate_of is None)
                for id_, source, url, title, duplicate_of in connection.execute(stmt)
            ]

    # review state

    def review_states(self, ids: Sequence[int]) -> dict[int, ReviewState]:
        if not ids:
            return {}
        stmt = select(
            ClippingReview.clipping_id,
            ClippingReview.reviewed_at,
            ClippingReview.starred,
            ClippingReview.note,
        ).where(ClippingReview.clipping_id.in_(ids))
        with self._read() as connection:
            return {
                clipping_id: ReviewState(reviewed_at, bool(starred), note)
                for clipping_id, reviewed_at, starred, note in connection.execute(stmt)
            }

    def review_state(self, clipping_id: int) -> ReviewState:
        return self.review_states([clipping_id]).get(clipping_id, ReviewState())

    def set_review(
        self,
        clipping_id: int,
        *,
        reviewed: bool | None = None,
        starred: bool | None = None,
        note: str | None = None,
    ) -> ReviewState:
        """Change what is given (an empty note removes the note); returns the new state.
        StorageError when the clipping does not exist."""
        now = now_utc()
        changes: dict[str, object] = {"updated_at": now}
        if reviewed is not None:
            changes["reviewed_at"] = now if reviewed else None
        if starred is not None:
            changes["starred"] = starred
        if note is not None:
            changes["note"] = note.strip() or None
        insert = conflict_insert(self.engine, ClippingReview).values(
            {"clipping_id": clipping_id, "starred": False, **changes}
        )
        with writing(self.engine) as connection:
            if reviewed:  # reviewed again: the first review time stays
                current = connection.scalar(
                    select(ClippingReview.reviewed_at).where(
                        ClippingReview.clipping_id == clipping_id
                    )
                )
                if current is not None:
                    changes["reviewed_at"] = current
            connection.execute(
                insert.on_conflict_do_update(index_elements=["clipping_id"], set_=changes)
            )
        return self.review_state(clipping_id)


def _marks(node: Node, record: ClippingRecord) -> Marks:
    """A listed clipping's search hits (read from the record: no second read of its text)."""
    return mark(
        node, title=record.title, text=record.text, source=record.source, url=record.canonical_url
    )


def _story_hits(
    connection: Connection, node: Node, candidates: Candidates, *, skip: int, want: int
) -> list[int]:
    """The ids of the newest hit of each story (a clipping without a story is its own), of
    the newest `want` stories after the newest `skip`. Hits are read in growing rounds until
    they hold that many stories."""
    asked = max(skip + want, _FIRST_STORY_HITS)
    while True:
        hits = first_hits(connection, node, candidates, skip=0, want=asked)
        story_of: dict[int, int | None] = {}
        for chunk in in_chunks(hits):
            rows = connection.execute(
                select(Clipping.id, Clipping.story_id).where(Clipping.id.in_(chunk))
            )
            story_of.update((id_, story_id) for id_, story_id in rows)
        seen: set[int] = set()
        firsts = []
        for id_ in hits:
            story_id = story_of.get(id_)
            if story_id is None or story_id not in seen:
                firsts.append(id_)
            if story_id is not None:
                seen.add(story_id)
        if len(firsts) >= skip + want or len(hits) < asked:
            return firsts[skip : skip + want]
        asked *= 4
