from __future__ import annotations

import multiprocessing
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, make_url, text

from presswatch.errors import QuerySyntaxError, StorageError
from presswatch.extractors.article import extract_article
from presswatch.extractors.fingerprint import band_keys, bands, simhash
from presswatch.extractors.options import ExtractOptions
from presswatch.ingest import AddResult, add_clipping, add_clippings
from presswatch.model import Article
from presswatch.storage.db import (
    HEAD_REVISION,
    MIGRATIONS_DIR,
    alembic_config,
    create_db_engine,
    open_database,
)
from presswatch.storage.models import Base
from presswatch.storage.repository import Repository
from presswatch.storage.search import HIT_START
from tests.conftest import OWN_PASSAGE, TestDatabases, postgresql_only, sqlite_only
from tests.pages import article_page, paragraphs_about

NOW = "'2026-11-29 12:00:00'"  # a timestamp as SQL text, for rows written without the models


def _article(url: str, paragraphs: list[str] = OWN_PASSAGE, title: str = "Harbour") -> Article:
    result = extract_article(article_page(title, paragraphs), url, ExtractOptions())
    assert isinstance(result, Article)
    return result


def test_schema_is_created_on_first_use_and_is_idempotent(databases: TestDatabases) -> None:
    url = databases.url()
    engine = open_database(url)
    open_database(url).dispose()  # second open: migrations already at head
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == "0014"
    tables = set(inspect(engine).get_table_names())
    assert {
        "clippings",
        "crawl_runs",
        "crawl_errors",
        "feed_states",
        "page_urls",
        "sources",
        "matches",
        "alerts",
        "alert_items",
        "clipping_reviews",
    } <= tables
    engine.dispose()


@sqlite_only
def test_sqlite_has_wal_and_fts5(databases: TestDatabases) -> None:
    engine = open_database(databases.url())
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert "clippings_fts" in inspect(engine).get_table_names()
    engine.dispose()


@sqlite_only
def test_an_sqlite_too_old_for_the_schema_is_refused_with_what_to_do(
    databases: TestDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the one stand-in in this file: this machine's SQLite is new enough
    monkeypatch.setattr(sqlite3, "sqlite_version_info", (3, 31, 1))
    monkeypatch.setattr(sqlite3, "sqlite_version", "3.31.1")
    with pytest.raises(StorageError, match=r"needs SQLite 3\.35 or newer .* uses 3\.31\.1: run"):
        open_database(databases.url())


@postgresql_only
def test_postgresql_search_vector_holds_the_matchers_words_gin_indexed(
    databases: TestDatabases,
) -> None:
    engine = open_database(databases.url())
    repository = Repository(engine)
    article = replace(_article("https://g.example/zoe"), title="Zoë Müller's 2,5% résumé")
    added = add_clipping(repository, repository.source_id("gazette"), None, article, [])
    with engine.connect() as connection:
        vector = connection.scalar(
            text("SELECT search_vector::text FROM clippings WHERE id = :id"),
            {"id": added.clipping_id},
        )
        index = connection.scalar(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_clippings_search_vector'")
        )
    assert "USING gin (search_vector)" in index
    # the title's words as the matcher has them (weight A), possessive and accents folded,
    # the decimal whole; the text's words follow (weight B)
    assert "'2,5':3A" in vector
    for lexeme in ("'zoe':1A", "'muller':2A", "'resume':4A"):
        assert lexeme in vector, vector
    assert "'s'" not in vector
    engine.dispose()


@postgresql_only
def test_postgresql_sessions_are_utc_whatever_the_server_zone(databases: TestDatabases) -> None:
    url = databases.url()
    database = make_url(url).database
    engine = open_database(url)
    with engine.connect() as connection:
        connection.execute(
            text(f"ALTER DATABASE \"{database}\" SET timezone = 'Pacific/Kiritimati'")
        )
        connection.commit()
    engine.dispose()
    engine = open_database(url)
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW timezone")) == "UTC"
        day = connection.scalar(text("SELECT date(TIMESTAMPTZ '2026-11-29 23:30:00+00')"))
    assert str(day) == "2026-11-29"
    engine.dispose()


def test_migrations_build_exactly_the_models(databases: TestDatabases) -> None:
    engine = open_database(databases.url())
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    # the search index is not a model: the FTS5 tables on SQLite, a generated column with its
    # GIN index on PostgreSQL, made only by the migrations
    search = ("clippings_fts", "search_vector")
    assert [d for d in differences if not any(name in str(d) for name in search)] == []
    engine.dispose()


def test_a_database_at_the_head_revision_opens_without_alembic(
    databases: TestDatabases,
) -> None:
    """open_database skips Alembic for a database at HEAD_REVISION, which must therefore be
    the newest migration (a database at an older one is upgraded by Alembic)."""
    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == HEAD_REVISION
    url = databases.url()
    open_database(url).dispose()
    code = (
        "import sys; from presswatch.storage.db import open_database; "
        f"open_database({url!r}).dispose(); print('alembic' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_clipping_is_stored_once_per_canonical_url(repository: Repository) -> None:
    source = repository.source_id("gazette")
    article = _article("https://gazette.example/a?utm_source=x")
    first = add_clipping(repository, source, None, article, ["https://gazette.example/a"])
    again = add_clipping(repository, source, None, article, ["https://gazette.example/a"])
    assert first.status == "new"
    assert again.status == "known"
    assert again.clipping_id == first.clipping_id
    assert repository.count_clippings() == 1
    known = repository.known_url_keys(["https://gazette.example/a", "https://gazette.example/b"])
    assert known == {"https://gazette.example/a"}


def test_near_identical_text_elsewhere_is_a_duplicate_of_the_first(repository: Repository) -> None:
    courier, wire = repository.source_id("courier"), repository.source_id("wire")
    original = add_clipping(repository, courier, None, _article("https://courier.example/a"), [])
    copy = _article(
        "https://wire.example/b", ["This story was first published by The Courier.", *OWN_PASSAGE]
    )
    second = add_clipping(repository, wire, None, copy, [])
    third = add_clipping(
        repository, wire, None, replace(copy, canonical_url="https://wire.example/c"), []
    )
    other = add_clipping(
        repository,
        wire,
        None,
        _article("https://wire.example/d", paragraphs_about("rail strike")),
        [],
    )
    assert second.status == "new"
    assert second.duplicate_of == original.clipping_id
    assert third.duplicate_of == original.clipping_id  # points at the original, not a copy
    assert other.duplicate_of is None


def test_a_batch_stores_as_one_article_at_a_time_would(databases: TestDatabases) -> None:
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
        repository = Repository(open_database(databases.url(f"batched_{batched}")))
        source = repository.source_id("s")
        add_clipping(repository, source, None, stored_before, ["https://c.example/old2"])
        if batched:
            results = add_clippings(repository, source, None, [(a, k, ()) for a, k in articles])
        else:
            results = [add_clipping(repository, source, None, a, k) for a, k in articles]
        urls = repository.known_url_keys(
            [u for a, k in articles for u in (a.canonical_url, *k)] + ["https://c.example/old2"]
        )
        outcomes.append((results, urls, repository.count_clippings()))
        repository.engine.dispose()
    assert outcomes[0] == outcomes[1]
    added = [r for r in outcomes[1][0] if isinstance(r, AddResult)]
    assert [r.status for r in added] == ["new", "new", "known", "known", "known", "new", "new"]
    assert added[1].duplicate_of == added[0].clipping_id
    assert added[5].duplicate_of == 1  # the rail strike story stored before the batch
    assert added[6].duplicate_of is None


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    with engine.connect() as connection:
        (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)
        connection.commit()


def test_clippings_stored_before_the_band_table_are_found_as_originals_after_it(
    databases: TestDatabases,
) -> None:
    """0006 moves the fingerprint bands out of the clipping rows into their own table: a
    clipping stored under 0005 is still the original of a copy stored afterwards, the search
    index still follows new clippings (SQLite's triggers survive the column drops), and a
    downgrade puts the band columns back with the same values."""
    url = databases.url()
    engine = create_db_engine(url)
    try:
        _migrate(engine, "0005")
        old = _article("https://courier.example/a")
        with engine.begin() as connection:
            source_id = connection.scalar(
                text(f"INSERT INTO sources (name, created_at) VALUES ('c', {NOW}) RETURNING id")
            )
            old_id = connection.scalar(
                text(
                    "INSERT INTO clippings (source_id, url, canonical_url, title, text, fetched,"
                    " word_count, fingerprint, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4,"
                    f" fp_band5) VALUES (:source, :url, :canonical, :title, :text, {NOW}, 100,"
                    " :fp, :b0, :b1, :b2, :b3, :b4, :b5) RETURNING id"
                ),
                {
                    "source": source_id,
                    "url": old.canonical_url,
                    "canonical": old.canonical_url,
                    "title": old.title,
                    "text": old.text,
                    "fp": old.fingerprint,
                    **{f"b{i}": band for i, band in enumerate(bands(old.fingerprint))},
                },
            )
        _migrate(engine, "head")
        columns = {column["name"] for column in inspect(engine).get_columns("clippings")}
        assert not any(name.startswith("fp_band") for name in columns)
        repository = Repository(engine)
        copy = _article(
            "https://wire.example/b",
            ["This story was first published by The Courier.", *OWN_PASSAGE],
        )
        added = add_clipping(repository, repository.source_id("wire"), None, copy, [])
        assert isinstance(added, AddResult)
        assert added.duplicate_of == old_id
        found = Repository(engine).search("courier")
        assert [hit.id for hit in found] == [added.clipping_id]
        with engine.connect() as connection:
            keys = connection.execute(
                text(
                    "SELECT clipping_id, band_key FROM fingerprint_bands"
                    " ORDER BY clipping_id, band_key"
                )
            ).all()
        assert keys == sorted(
            [(old_id, key) for key in band_keys(old.fingerprint)]
            + [(added.clipping_id, key) for key in band_keys(copy.fingerprint)]
        )
        _migrate(engine, "0005", down=True)
        with engine.connect() as connection:
            restored = connection.execute(
                text(
                    "SELECT id, fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5"
                    " FROM clippings"
                )
            ).all()
        assert {row[0]: tuple(row[1:]) for row in restored} == {
            old_id: bands(old.fingerprint),
            added.clipping_id: bands(copy.fingerprint),
        }
    finally:
        engine.dispose()


def test_0010_indexes_what_was_stored_before(
    databases: TestDatabases,
) -> None:
    """0010 puts the matcher's words into the search index: a clipping stored under 0009 is
    found by search afterwards (its possessive one word, as the matcher has it), and is the
    original of a copy stored after (fingerprints are untouched)."""
    engine = create_db_engine(databases.url())
    try:
        _migrate(engine, "0009")
        old = _article("https://courier.example/a", title="Zoë's harbour")
        fingerprint = simhash(old.text)
        with engine.begin() as connection:
            source_id = connection.scalar(
                text(f"INSERT INTO sources (name, created_at) VALUES ('c', {NOW}) RETURNING id")
            )
            old_id = connection.scalar(
                text(
                    "INSERT INTO clippings (source_id, url, canonical_url, title, text, fetched,"
                    " word_count, fingerprint) VALUES (:source, :url, :canonical, :title, :text,"
                    f" {NOW}, 100, :fp) RETURNING id"
                ),
                {
                    "source": source_id,
                    "url": old.canonical_url,
                    "canonical": old.canonical_url,
                    "title": old.title,
                    "text": old.text,
                    "fp": fingerprint,
                },
            )
            connection.execute(
                text("INSERT INTO fingerprint_bands VALUES (:key, :id, :fp)"),
                [{"key": key, "id": old_id, "fp": fingerprint} for key in band_keys(fingerprint)],
            )
        _migrate(engine, "head")
        review = Repository(engine)
        assert [r.id for r in review.search("title:zoe")] == [old_id]  # "Zoë's": one word
        copy = _article(
            "https://wire.example/b",
            ["This story was first published by The Courier.", *OWN_PASSAGE],
        )
        added = add_clipping(review, review.source_id("wire"), None, copy, [])
        assert added.duplicate_of == old_id
    finally:
        engine.dispose()


def test_search_finds_words_phrases_and_prefixes_with_snippets(repository: Repository) -> None:
    source = repository.source_id("gazette")
    add_clipping(repository, source, None, _article("https://g.example/1"), [])
    add_clipping(
        repository,
        source,
        None,
        _article("https://g.example/2", paragraphs_about("tram lines"), "Trams"),
        [],
    )
    search = repository.search
    assert [r.title for r in search("shellfish")] == ["Harbour"]
    assert [r.title for r in search('"northern channel"')] == ["Harbour"]
    assert [r.title for r in search("tram*")] == ["Trams"]
    assert search('"channel northern"') == []
    assert search("muller")[0].title == "Harbour"  # accent-insensitive
    hit = search("dredge")[0]
    assert hit.snippet
    assert "\x02dredge\x03" in hit.snippet
    with pytest.raises(QuerySyntaxError, match="column 9: expected '\\)'"):
        search("(harbour")  # the topic language, and its errors


def test_search_lists_newest_first(repository: Repository) -> None:
    source = repository.source_id("gazette")
    for n, title in enumerate(["Fares rise", "Ferry fares rise", "Fares go up"]):
        text = paragraphs_about(f"bus fares {n}", seed=n)
        text[1] += " The ferry will also cost more."
        add_clipping(repository, source, None, _article(f"https://g.example/{n}", text, title), [])
    found = repository.search("ferry")
    assert [r.title for r in found] == ["Fares go up", "Ferry fares rise", "Fares rise"]
    assert all(f"{HIT_START}ferry" in (r.snippet or "") for r in found)


def test_dates_come_back_as_aware_utc(repository: Repository) -> None:
    source = repository.source_id("gazette")
    article = replace(
        _article("https://g.example/1"), published=datetime(2026, 11, 24, 7, 45, tzinfo=UTC)
    )
    add_clipping(repository, source, None, article, [])
    (stored,) = repository.list_clippings()
    assert stored.published == datetime(2026, 11, 24, 7, 45, tzinfo=UTC)
    assert stored.fetched.tzinfo is UTC


def _add_same_article(db_url: str, worker: int, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    repository = Repository(open_database(db_url))
    source = repository.source_id("gazette")
    statuses = []
    for i in range(20):
        article = _article(f"https://g.example/{i}", paragraphs_about(f"story {i}", seed=i))
        statuses.append(add_clipping(repository, source, None, article, []).status)
    results.put((worker, statuses))


def test_concurrent_writers_store_each_clipping_once(databases: TestDatabases) -> None:
    db_url = databases.url("shared")
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
    engine = open_database(db_url)
    assert Repository(engine).count_clippings() == 20
    engine.dispose()
