from __future__ import annotations

import multiprocessing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from presswatch.extractors.article import Article, ExtractOptions, extract_article
from presswatch.storage.db import open_database
from presswatch.storage.models import Base
from presswatch.storage.repository import AddResult, Repository
from tests.conftest import OWN_PASSAGE
from tests.pages import article_page, paragraphs_about


def _article(url: str, paragraphs: list[str] = OWN_PASSAGE, title: str = "Harbour") -> Article:
    result = extract_article(article_page(title, paragraphs), url, ExtractOptions())
    assert isinstance(result, Article)
    return result


def test_schema_has_wal_fts_and_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    engine = open_database(url)
    open_database(url).dispose()  # second open: migrations already at head
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0004"
    tables = set(inspect(engine).get_table_names())
    assert {
        "clippings",
        "clippings_fts",
        "crawl_runs",
        "crawl_errors",
        "feed_states",
        "page_urls",
        "sources",
        "matches",
    } <= tables
    engine.dispose()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # the FTS5 tables are not models: they exist only in the migration
    assert [d for d in differences if "clippings_fts" not in str(d)] == []
    engine.dispose()


def test_clipping_is_stored_once_per_canonical_url(repository: Repository) -> None:
    source = repository.source_id("gazette")
    article = _article("https://gazette.example/a?utm_source=x")
    first = repository.add_clipping(source, None, article, ["https://gazette.example/a"])
    again = repository.add_clipping(source, None, article, ["https://gazette.example/a"])
    assert first.status == "new"
    assert again.status == "known"
    assert again.clipping_id == first.clipping_id
    assert repository.count_clippings() == 1
    known = repository.known_url_keys(["https://gazette.example/a", "https://gazette.example/b"])
    assert known == {"https://gazette.example/a"}


def test_near_identical_text_elsewhere_is_a_duplicate_of_the_first(repository: Repository) -> None:
    courier, wire = repository.source_id("courier"), repository.source_id("wire")
    original = repository.add_clipping(courier, None, _article("https://courier.example/a"), [])
    copy = _article(
        "https://wire.example/b", ["This story was first published by The Courier.", *OWN_PASSAGE]
    )
    second = repository.add_clipping(wire, None, copy, [])
    third = repository.add_clipping(
        wire, None, replace(copy, canonical_url="https://wire.example/c"), []
    )
    other = repository.add_clipping(
        wire, None, _article("https://wire.example/d", paragraphs_about("rail strike")), []
    )
    assert second.status == "new"
    assert second.duplicate_of == original.clipping_id
    assert third.duplicate_of == original.clipping_id  # points at the original, not a copy
    assert other.duplicate_of is None


def test_a_batch_stores_as_one_article_at_a_time_would(tmp_path: Path) -> None:
    """add_clippings reads a batch's URL keys and fingerprint neighbours at once: articles in
    the batch still see the ones before them (same canonical URL, a URL reached before, a
    near-identical text) exactly as when each is added alone."""
    copy = ["This story was first published by The Courier.", *OWN_PASSAGE]
    stored_before = _article("https://c.example/old", paragraphs_about("rail strike"), "Rail")
    articles = [
        (_article("https://c.example/a"), ["https://c.example/a?utm_source=x"]),
        (_article("https://w.example/b", copy), []),  # a copy of the one before
        (_article("https://w.example/c", copy), ["https://w.example/b"]),  # reached via /b
        (_article("https://c.example/a"), ["https://c.example/a2"]),  # same canonical URL
        (_article("https://c.example/a3"), ["https://c.example/a2"]),  # /a2 is now known
        (_article("https://w.example/d", paragraphs_about("rail strike"), "Rail"), []),
        (_article("https://w.example/e", paragraphs_about("tram lines"), "Trams"), []),
    ]
    outcomes = []
    for batched in (False, True):
        repository = Repository(open_database(f"sqlite:///{tmp_path / f'{batched}.db'}"))
        source = repository.source_id("s")
        repository.add_clipping(source, None, stored_before, ["https://c.example/old2"])
        if batched:
            results = repository.add_clippings(source, None, [(a, k, ()) for a, k in articles])
        else:
            results = [repository.add_clipping(source, None, a, k) for a, k in articles]
        urls = repository.known_url_keys(
            [u for a, k in articles for u in (a.canonical_url, *k)] + ["https://c.example/old2"]
        )
        outcomes.append((results, urls, repository.count_clippings()))
        repository.engine.dispose()
    assert outcomes[0] == outcomes[1]
    results = [r for r in outcomes[1][0] if isinstance(r, AddResult)]
    assert [r.status for r in results] == ["new", "new", "known", "known", "known", "new", "new"]
    assert results[1].duplicate_of == results[0].clipping_id
    assert results[5].duplicate_of == 1  # the rail strike story stored before the batch
    assert results[6].duplicate_of is None


def test_search_finds_words_phrases_and_prefixes_with_snippets(repository: Repository) -> None:
    source = repository.source_id("gazette")
    repository.add_clipping(source, None, _article("https://g.example/1"), [])
    repository.add_clipping(
        source, None, _article("https://g.example/2", paragraphs_about("tram lines"), "Trams"), []
    )
    assert [r.title for r in repository.search_clippings("shellfish")] == ["Harbour"]
    assert [r.title for r in repository.search_clippings('"northern channel"')] == ["Harbour"]
    assert [r.title for r in repository.search_clippings("tram*")] == ["Trams"]
    assert repository.search_clippings('"channel northern"') == []
    assert repository.search_clippings("muller")[0].title == "Harbour"  # accent-insensitive
    hit = repository.search_clippings("dredge")[0]
    assert hit.snippet
    assert "\x02dredge\x03" in hit.snippet
    assert repository.search_clippings('AND OR "') == []  # operators are words, no FTS error


def test_dates_come_back_as_aware_utc(repository: Repository) -> None:
    source = repository.source_id("gazette")
    article = replace(
        _article("https://g.example/1"), published=datetime(2026, 11, 24, 7, 45, tzinfo=UTC)
    )
    repository.add_clipping(source, None, article, [])
    (stored,) = repository.list_clippings()
    assert stored.published == datetime(2026, 11, 24, 7, 45, tzinfo=UTC)
    assert stored.fetched.tzinfo is UTC


def _add_same_article(db_url: str, worker: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    repository = Repository(open_database(db_url))
    source = repository.source_id("gazette")
    statuses = []
    for i in range(20):
        article = _article(f"https://g.example/{i}", paragraphs_about(f"story {i}", seed=i))
        statuses.append(repository.add_clipping(source, None, article, []).status)
    results.put((worker, statuses))


def test_concurrent_writers_store_each_clipping_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'shared.db'}"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    workers = [
        context.Process(target=_add_same_article, args=(db_url, n, results)) for n in range(3)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
        assert worker.exitcode == 0
    new = sum(status == "new" for _, statuses in outcomes for status in statuses)
    assert new == 20
    assert Repository(open_database(db_url)).count_clippings() == 20
