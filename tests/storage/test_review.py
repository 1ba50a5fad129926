"""The review page's queries answer from indexes: no filter or search reads the whole
clippings table (the plans SQLite chooses without statistics, as in a fresh database)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import event

from presswatch.storage.review import ClippingFilter
from tests.web.conftest import Newsroom, build_newsroom


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newsroom]:
    newsroom = build_newsroom(tmp_path_factory.mktemp("plans"))
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


def _plan(room: Newsroom, wanted: ClippingFilter) -> list[str]:
    engine = room.repository.engine
    statements: list[tuple[str, object]] = []

    def record(*args: object) -> None:
        statements.append((str(args[2]), args[3]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        room.repository.clipping_page(wanted, offset=0, limit=50)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    statement, parameters = next(s for s in statements if s[0].lstrip().startswith("SELECT"))
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
        return [row[3] for row in rows]


@pytest.mark.parametrize("wanted", FILTERS, ids=repr)
def test_the_page_of_ids_comes_from_indexes(room: Newsroom, wanted: ClippingFilter) -> None:
    plan = _plan(room, wanted)
    scans = [d for d in plan if d.startswith("SCAN ") and "USING" not in d and "VIRTUAL" not in d]
    assert scans == [], plan
    if wanted.query:
        # newest first straight from the full-text index: no sorting of every hit
        assert not any("TEMP B-TREE" in d for d in plan), plan
