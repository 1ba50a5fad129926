"""The review page's queries answer from indexes: no filter or search reads the whole
clippings table (the plans SQLite chooses without statistics, as in a fresh database; on
PostgreSQL, the plans of searches over a table with statistics)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from presswatch.storage.review import ClippingFilter
from tests.conftest import TestDatabases, postgresql_only, sqlite_only
from tests.web.conftest import Newsroom, build_newsroom


@pytest.fixture(scope="module")
def room(
    tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases
) -> Iterator[Newsroom]:
    newsroom = build_newsroom(tmp_path_factory.mktemp("plans"), module_databases.url("plans"))
    yield newsroom
    newsroom.repository.engine.dispose()


FILTERS = [
    ClippingFilter(),
    ClippingFilter(topic="harbour"),
    ClippingFilter(source="ledger"),
    ClippingFilter(date_from=date(2026, 11, 1), date_to=date(2026, 11, 7)),
    ClippingFilter(date_from=date(2026, 11, 1)),
    ClippingFilter(date_to=date(2026, 11, 7)),
    ClippingFilter(source="ledger", date_from=date(2026, 11, 1)),
    ClippingFilter(reviewed=False),
    ClippingFilter(reviewed=True),
    ClippingFilter(starred=True),
    ClippingFilter(query="harbour"),
    ClippingFilter(query='"northern channel"', topic="harbour", starred=True),
    ClippingFilter(query="tram*", date_to=date(2026, 11, 30), reviewed=False),
]


def _first_select(engine: Engine, run: Callable[[], object]) -> tuple[str, Any]:
    """The first SELECT statement `run` sends that reads the search index (any SELECT when
    there is none), with its parameters."""
    statements: list[tuple[str, Any]] = []

    def record(*args: Any) -> None:
        statements.append((str(args[2]), args[3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    selects = [s for s in statements if s[0].lstrip().startswith("SELECT")]
    return next((s for s in selects if "MATCH" in s[0] or "@@" in s[0]), selects[0])


def _plan(room: Newsroom, wanted: ClippingFilter) -> list[str]:
    engine = room.repository.engine
    statement, parameters = _first_select(
        engine, lambda: room.repository.clipping_page(wanted, offset=0, limit=50)
    )
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return [row[3] for row in rows]


@sqlite_only
@pytest.mark.parametrize("wanted", FILTERS, ids=repr)
def test_the_page_of_ids_comes_from_indexes(room: Newsroom, wanted: ClippingFilter) -> None:
    plan = _plan(room, wanted)
    scans = [d for d in plan if d.startswith("SCAN ") and "USING" not in d and "VIRTUAL" not in d]
    assert scans == [], plan
    if wanted.query:
        # newest first straight from the full-text index: no sorting of every hit
        assert not any("TEMP B-TREE" in d for d in plan), plan


# 5,000 more clippings about nothing in particular: with statistics, PostgreSQL reads a table
# this size only when no index helps
_FILLER = """
INSERT INTO clippings (source_id, url, canonical_url, title, text, fetched, word_count,
    fingerprint)
SELECT 1, 'https://filler.example/' || n, 'https://filler.example/' || n, 'Filler ' || n,
    'Weather report number ' || n || ': mild, dry, a light breeze from the west.', now(), 12,
    n
FROM generate_series(1, 5000) AS n
"""


@postgresql_only
@pytest.mark.parametrize(
    "wanted",
    [
        ClippingFilter(query="dredge"),
        ClippingFilter(query="tram*"),
        ClippingFilter(query='"northern channel"', topic="harbour"),
        ClippingFilter(query="tram*", reviewed=False),
        ClippingFilter(query="résumé harbour"),
    ],
    ids=repr,
)
def test_postgresql_searches_use_the_gin_index(
    crowded_room: Newsroom, wanted: ClippingFilter
) -> None:
    repository = crowded_room.repository
    page = _first_select(
        repository.engine, lambda: repository.clipping_page(wanted, offset=0, limit=50)
    )
    search = _first_select(repository.engine, lambda: repository.search(wanted.query))
    for statement, parameters in (page, search):
        with repository.engine.connect() as connection:
            rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
            plan = "\n".join(row[0] for row in rows)
        assert "Seq Scan on clippings" not in plan, plan
        # a topic's few matches may be the better start: then each is looked up by id
        if statement is search[0] or not wanted.topic:
            assert "Bitmap Index Scan on ix_clippings_search_vector" in plan, plan


@pytest.fixture(scope="module")
def crowded_room(
    tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases
) -> Iterator[Newsroom]:
    newsroom = build_newsroom(tmp_path_factory.mktemp("crowded"), module_databases.url("crowd"))
    engine = newsroom.repository.engine
    with engine.begin() as connection:
        connection.execute(text(_FILLER))
    # as autovacuum would: statistics, and the GIN index's pending entries merged into it
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE clippings"))
    yield newsroom
    newsroom.repository.engine.dispose()


def _statements(engine: Engine, run: Callable[[], object]) -> list[str]:
    sent: list[str] = []

    def record(*args: Any) -> None:
        sent.append(" ".join(str(args[2]).split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


@postgresql_only
@pytest.mark.parametrize(
    "run",
    [
        lambda room: room.repository.clipping_page(
            ClippingFilter(query='"northern channel"'), offset=0, limit=50
        ),
        lambda room: list(
            room.repository.iter_filtered(ClippingFilter(date_from=date(2026, 11, 20)))
        ),
        lambda room: list(room.repository.iter_filtered(ClippingFilter(query="dredge"))),
    ],
    ids=["search page", "export by date", "export of a search"],
)
def test_postgresql_plans_searches_and_exports_for_their_own_values(
    crowded_room: Newsroom, run: Callable[[Newsroom], object]
) -> None:
    """A prepared statement's generic plan cannot see how common a word or how narrow a date
    range is (it walked the primary key down to id 1 for a day's export): the transaction
    asks for custom plans before its first query of clipping ids."""
    sent = _statements(crowded_room.repository.engine, lambda: run(crowded_room))
    custom = next(i for i, s in enumerate(sent) if "plan_cache_mode = force_custom_plan" in s)
    first_ids = next(i for i, s in enumerate(sent) if s.startswith("SELECT clippings.id"))
    assert custom < first_ids, sent[: first_ids + 1]
