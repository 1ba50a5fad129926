"""Search: the clippings a topic query matches, newest first, a page at a time.

The query is compiled for the full-text index (`fulltext.compile_query`); the index's hits
are taken newest first and, where the index cannot say the whole query, confirmed by the topic
matcher itself, so that search means exactly what a topic means. Nothing collects every hit
before the first page: SQLite's FTS5 walks its index newest first; on PostgreSQL (whose GIN
index hands its hits over unordered) a query for common words walks the clippings newest first
in growing windows of ids, and a rare one asks the GIN index.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, cast, column, literal_column, select, table
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.engine import Connection
from sqlalchemy.types import String

from presswatch.query.evaluate import Document, Hit, hits_in, matches
from presswatch.query.nodes import Node
from presswatch.query.snippets import make_snippets
from presswatch.storage.fulltext import FTS5_TABLE, Compiled
from presswatch.storage.models import Clipping, Source

# search snippets mark hits with control characters that never occur in extracted text
HIT_START, HIT_END = "\x02", "\x03"

# SQLite: the contentless FTS5 index of migration 0010
fts5_table = table(FTS5_TABLE, column("rowid"))
fts5_match: ColumnElement[bool] = literal_column(FTS5_TABLE).op("MATCH", is_comparison=True)(
    bindparam("q")
)
# PostgreSQL: the clippings' search_vector (written by fulltext), the query cast as it is
pg_match: ColumnElement[bool] = literal_column("clippings.search_vector").bool_op("@@")(
    cast(bindparam("q", type_=String), TSQUERY)
)

_BATCH = 200  # candidates confirmed at a time
_CLIPPING_ID: ColumnElement[int] = Clipping.__table__.c.id
# PostgreSQL: walk the newest clippings (not the GIN index) when the planner expects a hit in
# at least one of this many rows; each window of ids is this many times the rows a page needs
_DENSE_ROWS_PER_HIT = 50
_WINDOW_GROWTH = 4
_MIN_WINDOW = 1_000
_MAX_WALK = 200_000  # rows walked before the GIN index is asked for the rest
_PROBE_ROWS = 3_000  # rows walked when the words are expected to be rare


@dataclass(frozen=True, slots=True)
class Candidates:
    """What to search: the ids of the clippings the other filters select, already narrowed by
    the compiled query where it is indexed (`stmt` selects one id column, `order` is it), and
    the parameters to run it with."""

    stmt: Select[Any]
    order: ColumnElement[int]
    params: dict[str, object]
    compiled: Compiled
    dialect: str


@dataclass(frozen=True, slots=True)
class Marks:
    """Where a clipping's title and text hold the query's hits, marked for display."""

    title: str  # the whole title, hits between HIT_START and HIT_END
    snippet: str | None  # the text around the first hits (None: only the title matched)


def candidate_params(compiled: Compiled) -> dict[str, object]:
    return {} if compiled.text is None else {"q": compiled.text}


def source_ids(connection: Connection, test: Callable[[str], bool]) -> list[int]:
    """The sources whose name passes a `source:` test."""
    return [id_ for id_, name in connection.execute(select(Source.id, Source.name)) if test(name)]


def first_hits(
    connection: Connection, node: Node, candidates: Candidates, *, skip: int, want: int
) -> list[int]:
    """The ids of the newest `want` clippings that match, after the newest `skip`."""
    return list(_matching_ids(connection, node, candidates, skip + want))[skip:]


def all_hits(connection: Connection, node: Node, candidates: Candidates) -> Iterator[int]:
    """The ids of every matching clipping, newest first (for export)."""
    batches = _keyset_batches(connection, candidates, candidates.stmt, batch=1_000)
    for batch in batches:
        yield from batch if candidates.compiled.exact else confirm(connection, node, batch)


def _matching_ids(
    connection: Connection, node: Node, candidates: Candidates, limit: int
) -> Iterator[int]:
    """Up to `limit` ids of matching clippings, newest first."""
    if candidates.dialect == "postgresql" and candidates.compiled.text is not None:
        batches = _pg_batches(connection, candidates, min(limit, 1_000))
    else:
        batches = _keyset_batches(connection, candidates, candidates.stmt)
    found = 0
    for batch in batches:
        confirmed = batch if candidates.compiled.exact else confirm(connection, node, batch)
        for id_ in confirmed:
            yield id_
            found += 1
            if found == limit:
                return


def _keyset_batches(
    connection: Connection,
    candidates: Candidates,
    stmt: Select[Any],
    batch: int = _BATCH,
    order: ColumnElement[int] | None = None,
) -> Iterator[list[int]]:
    """The candidates, newest first, a batch at a time (by `order`, else the candidates')."""
    order = candidates.order if order is None else order
    last: int | None = None
    while True:
        page = stmt if last is None else stmt.where(order < last)
        ids = [
            int(i)
            for i in connection.scalars(page.order_by(order.desc()).limit(batch), candidates.params)
        ]
        if ids:
            yield ids
        if len(ids) < batch:
            return
        last = ids[-1]


def custom_plans(connection: Connection) -> None:
    """PostgreSQL: plan each statement of this transaction for its own values. After five
    runs of a prepared statement psycopg's server may switch to a generic plan, which cannot
    see how common a word or how narrow a date range is (a day's export went from 4 ms a
    batch to 400 ms, walking the primary key down to the first id)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")


def _pg_batches(connection: Connection, candidates: Candidates, batch: int) -> Iterator[list[int]]:
    """PostgreSQL: newest first without collecting every hit. The newest clippings are read
    through the primary key in windows of ids, testing each (the GIN index could only hand
    over every hit, unordered): as far as _MAX_WALK rows when the planner expects the words
    to be common, only _PROBE_ROWS when it expects them rare (its estimate takes words for
    independent, and a story's words are not: "flood defences" in 3.7% of clippings was
    expected in 0.16%). What the walk has not reached comes from the GIN index."""
    custom_plans(connection)
    rows, hits = _pg_estimate(connection, candidates)
    below = (
        int(connection.scalar(select(Clipping.id).order_by(Clipping.id.desc()).limit(1)) or 0) + 1
    )
    if hits * _DENSE_ROWS_PER_HIT >= rows:
        window, walk = max(_MIN_WINDOW, int(batch * rows / max(hits, 1))), _MAX_WALK
    else:
        window, walk = _PROBE_ROWS, _PROBE_ROWS
    walked = 0
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    while below > 1 and walked < walk:
        floor = max(below - min(window, walk - walked), 1)
        stmt = candidates.stmt.where(Clipping.id >= floor, Clipping.id < below)
        # by the primary key itself, backwards: it stops at the batch's last hit
        yield from _keyset_batches(connection, candidates, stmt, batch, _CLIPPING_ID)
        walked += below - floor
        below = floor
        window *= _WINDOW_GROWTH
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = on")
    if below > 1:
        rest = candidates.stmt.where(Clipping.id < below)
        yield from _keyset_batches(connection, candidates, rest)


def _pg_estimate(connection: Connection, candidates: Candidates) -> tuple[float, float]:
    """The planner's estimates: clippings in all, and those the search selects."""
    rows = connection.scalar(
        select(literal_column("reltuples"))
        .select_from(table("pg_class"))
        .where(literal_column("relname") == "clippings")
    )
    # a phrase counts as its words together: the planner takes a phrase's words for
    # independent and expected 1,557 hits of a phrase that had 37,657 (then asked the GIN
    # index for all of them); how often the words meet bounds how often the phrase occurs
    params = dict(candidates.params)
    if isinstance(params.get("q"), str):
        params["q"] = str(params["q"]).replace(" <-> ", " & ")
    stmt = candidates.stmt.params(params)
    compiled = stmt.compile(connection, compile_kwargs={"literal_binds": True})
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}").scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    hits = float(plan[0]["Plan"]["Plan Rows"]) if plan else 0.0
    return max(float(rows or 0), 1.0), hits


def confirm(connection: Connection, node: Node, ids: Sequence[int]) -> list[int]:
    """The ids, in order, of the clippings the query matches (what the matcher sees of each:
    title, text, source name, canonical URL)."""
    stmt = (
        select(Clipping.id, Clipping.title, Clipping.text, Source.name, Clipping.canonical_url)
        .join(Source, Source.id == Clipping.source_id)
        .where(Clipping.id.in_(ids))
    )
    matching = {
        int(id_)
        for id_, title, text, source, url in connection.execute(stmt)
        if matches(node, Document.build(title=title, text=text, source=source, url=url))
    }
    return [i for i in ids if i in matching]


def mark(node: Node, *, title: str, text: str, source: str, url: str) -> Marks:
    """The query's hits in a clipping it matched: the whole title, a window of the text."""
    document = Document.build(title=title, text=text, source=source, url=url)
    hits = hits_in(document, node) or []
    return Marks(_marked_title(document, hits, title), _snippet(document, hits, text))


def _marked_title(document: Document, hits: Sequence[Hit], title: str) -> str:
    tokens = document.fields["title"].tokens
    spans = sorted({(tokens[a].start, tokens[b].end) for name, a, b in hits if name == "title"})
    out, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        out += [title[last:start], HIT_START, title[start:end], HIT_END]
        last = end
    return "".join(out) + title[last:]


def _snippet(document: Document, hits: Sequence[Hit], text: str) -> str | None:
    in_text = [hit for hit in hits if hit[0] == "text"]
    if not in_text:
        return None
    snippets = make_snippets(document, in_text, {"title": "", "text": text}, limit=1)
    return snippets[0].marked(HIT_START, HIT_END) if snippets else None
