"""`presswatch sources`' figures: taken over each source's last finished crawls, read in a
number of statements that does not grow with the sources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from presswatch.counts import CrawlCounts
from presswatch.storage.coverage import RECENT_RUNS
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from tests.conftest import TestDatabases


@pytest.fixture
def repository(databases: TestDatabases) -> Iterator[Repository]:
    repository = Repository(open_database(databases.url()))
    yield repository
    repository.engine.dispose()


def _crawl(
    repository: Repository,
    source: str,
    fetched: int,
    errors: tuple[str, ...] = (),
    robots: int = 0,
) -> None:
    run_id = repository.start_run(source)
    for n, kind in enumerate(errors):
        repository.record_error(run_id, f"https://{source}.example/{n}", kind, "failed")
    counts = CrawlCounts(
        fetched=fetched,
        extracted=fetched,
        errors=len(errors),
        robots=robots,
        requests=fetched + len(errors),
    )
    repository.finish_run(run_id, counts, "finished")


def _selects(repository: Repository) -> int:
    """The SELECT statements one source_figures call runs."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(repository.engine, "before_cursor_execute", count)
    try:
        repository.source_figures()
    finally:
        event.remove(repository.engine, "before_cursor_execute", count)
    return len(seen)


def test_figures_take_the_last_finished_crawls_of_each_source(repository: Repository) -> None:
    fetched = [*range(1, RECENT_RUNS + 6), 7]
    for pages in fetched[:-1]:
        _crawl(repository, "ledger", pages)
    _crawl(repository, "ledger", fetched[-1], errors=("http-404", "timeout", "http-404"), robots=1)
    repository.start_run("ledger")  # running: not one of the last crawls yet
    _crawl(repository, "courier", 3)
    repository.start_run("quiet")  # never finished a crawl

    figures = repository.source_figures()

    ledger = figures["ledger"]
    assert ledger.pages_fetched == sum(fetched[-RECENT_RUNS:])
    assert (ledger.requests, ledger.failed, ledger.robots) == (10, 3, 1)
    assert ledger.error_kinds == {"http-404": 2, "timeout": 1}
    assert (figures["courier"].pages_fetched, figures["courier"].error_kinds) == (3, {})
    assert (figures["quiet"].last_started, figures["quiet"].pages_fetched) == (None, 0)


def test_statements_do_not_grow_with_the_sources(repository: Repository) -> None:
    _crawl(repository, "ledger", 2, errors=("http-503",))
    few = _selects(repository)
    for n in range(12):
        _crawl(repository, f"source-{n}", n, errors=("timeout",) * (n % 2))
    assert _selects(repository) == few
    assert len(repository.source_figures()) == 13
