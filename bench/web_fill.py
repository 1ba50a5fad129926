"""Fill a presswatch database with N synthetic, news-like clippings, fast (for web_speed.py).

The articles come from the crawl benchmark's prose generator, on every core (a process pool);
the same workers also compute what the application writes into the full-text index: on SQLite
the words of the contentless FTS5 table (`index_text.indexed_words`), on PostgreSQL the
search_vector's text (`index_text.tsvector_text`). The schema is presswatch's own
(`open_database` runs the migrations).

- SQLite: plain INSERTs (executemany) in batches, the FTS5 rows written like
  `fulltext.index_clippings` does.
- PostgreSQL: COPY, each big table (clippings, fingerprint_bands, page_urls, matches,
  clipping_reviews) on its own connection, all streamed at once. Before the COPY every foreign
  key and the big tables' indexes and keys are dropped (each table is truncated and copied
  FROZEN in one transaction, so no VACUUM is needed afterwards); afterwards the indexes are
  built again from the definitions the migrations created (two at a time, one connection each,
  the GIN index first), the keys attached to them, the foreign keys added (and checked), the
  id sequences set past the largest ids, and ANALYZE run (autovacuum may be off).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any

SOURCES = (
    "courier",
    "ledger",
    "northfield-post",
    "valley-wire",
    "harbour-times",
    "city-gazette",
    "morning-star",
    "evening-news",
    "the-observer",
    "daily-record",
    "press-agency",
    "regional-tv",
)
# topic name -> (query, the story topic of the generator that it finds)
TOPICS = {
    "flooding": ('"flood defences" OR "coastal erosion"', ("flood defences", "coastal erosion")),
    "transport": ('"tram line" OR "night bus" OR "cycle network"', ("the new tram line",)),
    "harbour": ("harbour AND expansion", ("the harbour expansion",)),
    "housing": ('"rent controls" OR tenants', ("rent controls",)),
    "energy": ('"wind farm" OR "district heating"', ("the wind farm tender", "district heating")),
    "health": ('"hospital merger"', ("the hospital merger",)),
    "schools": ('"school funding" OR "teachers pay"', ("school funding",)),
    "airport": ("airport NEAR/3 runway", ("the airport runway",)),
}
COPY_SHARE = 0.1
REVIEWED_SHARE = 0.33
STARRED_SHARE = 0.01
BATCH = 2000  # articles per task of the pool, and per SQLite transaction
DAYS = 365
ALERTS = 600
# the tables filled with a row (or more) per clipping: their keys and indexes are built after
BIG_TABLES = ("clippings", "fingerprint_bands", "page_urls", "matches", "clipping_reviews")

# title, text, author, story topic, is a syndicated copy, the index's columns (SQLite: the
# FTS5 title and text; PostgreSQL: the search_vector's text)
Generated = tuple[str, str, str, str, bool, tuple[str, ...]]


def _article(index: int, seed: int, backend: str) -> Generated:
    from synthetic_pages import _Prose  # the crawl benchmark's news-like prose

    from presswatch.index_text import indexed_words, tsvector_text

    rng = random.Random(f"{seed}/{index}")
    prose = _Prose(rng)
    paragraphs = prose.paragraphs(rng.randint(250, 700))
    title, text, author = prose.headline(), "\n\n".join(paragraphs), prose.person()
    is_copy = index > 0 and rng.random() < COPY_SHARE
    if is_copy:
        title = f"{title} (agency)"
    if backend == "postgresql":
        indexed: tuple[str, ...] = (tsvector_text(title, text),)
    else:
        indexed = (" ".join(indexed_words(title)), " ".join(indexed_words(text)))
    return title, text, author, prose.topic, is_copy, indexed


def _articles(args: tuple[int, int, int, str]) -> list[Generated]:
    start, stop, seed, backend = args
    return [_article(i, seed, backend) for i in range(start, stop)]


def generated(count: int, seed: int, backend: str) -> Iterator[Generated]:
    """Every article, in order, generated on every core; at most a few batches ahead of the
    consumer (the pool's imap would run ahead and hold the whole database in memory)."""
    chunks = [(start, min(start + BATCH, count), seed, backend) for start in range(0, count, BATCH)]
    processes = os.cpu_count() or 1
    with get_context("spawn").Pool(processes) as pool:
        ahead = 2 * (processes + 1)
        pending: deque[AsyncResult[list[Generated]]] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_articles, (chunk,)))
            if len(pending) >= ahead:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _snippet(text: str, phrase: str) -> str:
    """The stored snippet JSON of a match: the sentence around the phrase, the phrase a hit."""
    at = text.find(phrase)
    if at < 0:
        at = text.lower().find(phrase.split()[-1])
        phrase = phrase.split()[-1]
    start = max(0, text.rfind(". ", 0, max(at, 0)) + 2)
    window = text[start : start + 220].replace("\n", " ")
    hit = max(at - start, 0)
    return json.dumps([{"text": window, "hits": [[hit, hit + len(phrase)]]}])


@dataclass(slots=True)
class Row:
    """One clipping and the rows that go with it."""

    clipping: tuple[Any, ...]  # the columns of CLIPPING_COLUMNS
    indexed: tuple[str, ...]
    match: tuple[Any, ...] | None  # (id, topic, clipping_id, snippets, matched_at, backfilled)
    review: tuple[Any, ...] | None  # (clipping_id, reviewed_at, starred, note, updated_at)


CLIPPING_COLUMNS = (
    "id, source_id, url, canonical_url, title, author, published, fetched, language,"
    " site_name, description, image, text, word_count, fingerprint, duplicate_of"
)


class Stamp:
    """Timestamps as each backend takes them: SQLite naive UTC text, PostgreSQL with +00."""

    def __init__(self, backend: str) -> None:
        self.suffix = "+00" if backend == "postgresql" else ""

    def __call__(self, moment: datetime) -> str:
        return moment.isoformat(sep=" ") + self.suffix


def rows(count: int, seed: int, backend: str, first: datetime) -> Iterator[Row]:
    """The clippings (one a `step` apart from `first`, a naive UTC time) with their matches
    and reviews."""
    rng = random.Random(seed)
    stamp = Stamp(backend)
    step_s = DAYS * 86400 / count
    originals: list[int] = []  # ids of recent originals, for copies
    topic_of_story = {story: name for name, (_q, stories) in TOPICS.items() for story in stories}
    match_id = 0
    for index, (title, text, author, story, is_copy, indexed) in enumerate(
        generated(count, seed, backend)
    ):
        clipping_id = index + 1
        fetched = first + timedelta(seconds=index * step_s)
        published = (
            None if rng.random() < 0.05 else fetched - timedelta(minutes=rng.randint(5, 600))
        )
        source = rng.randrange(len(SOURCES)) + 1
        duplicate_of = None
        if is_copy and originals:
            duplicate_of = rng.choice(originals[-200:])
        else:
            originals.append(clipping_id)
            if len(originals) > 1000:
                del originals[:-200]
        fingerprint = rng.getrandbits(63)
        url = f"https://{SOURCES[source - 1]}.example/news/{clipping_id}.html"
        clipping = (
            clipping_id, source, url, url, title, author,
            stamp(published) if published else None, stamp(fetched), "en",
            SOURCES[source - 1].replace("-", " ").title(), text[:180], None, text,
            len(text.split()), fingerprint, duplicate_of,
        )  # fmt: skip
        match = None
        topic = topic_of_story.get(story)
        if topic:
            match_id += 1
            phrase = story.removeprefix("the ")
            snippet = _snippet(text, phrase)
            match = (match_id, topic, clipping_id, snippet, stamp(fetched), False)
        review = None
        roll = rng.random()
        if roll < REVIEWED_SHARE and duplicate_of is None:
            starred = rng.random() < STARRED_SHARE / REVIEWED_SHARE
            note = "Quote from our spokesperson; send to the board." if starred else None
            reviewed = stamp(fetched + timedelta(hours=2))
            review = (clipping_id, reviewed, starred, note, reviewed)
        yield Row(clipping, indexed, match, review)


def crawl_runs(first: datetime, stamp: Stamp) -> list[tuple[Any, ...]]:
    """A crawl a day per source: (id, source_id, started_at, finished_at, errors)."""
    out: list[tuple[Any, ...]] = []
    for n in range(len(SOURCES)):
        for day in range(DAYS):
            started = first + timedelta(days=day, hours=n)
            errors = 3 if (n == 4 and day > DAYS - 3) else 0
            finished = started + timedelta(seconds=42)
            out.append((len(out) + 1, n + 1, stamp(started), stamp(finished), errors))
    return out


def alerts(
    newest_matches: Sequence[tuple[str, int]], rng: random.Random, now: datetime, stamp: Stamp
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The outbox for the newest matches (newest first): alert rows (id, delivery_id, topic,
    channel, status, attempts, next_attempt_at, last_error, created_at, sent_at) and alert
    items (id, alert_id, topic, channel, clipping_id)."""
    alert_rows, items = [], []
    for n, (topic, clipping_id) in enumerate(newest_matches):
        status = "failed" if n % 97 == 0 else "pending" if n % 31 == 0 else "sent"
        error = "webhook answered 502 Bad Gateway" if status != "sent" else None
        when = stamp(now - timedelta(minutes=n * 7))
        channel = rng.choice(("desk", "ops"))
        attempts = 8 if status == "failed" else 1
        sent = when if status == "sent" else None
        alert_rows.append(
            (n + 1, f"bench{n:06d}", topic, channel, status, attempts, when, error, when, sent)
        )
        items.append((n + 1, n + 1, topic, channel, clipping_id))
    return alert_rows, items


def _times(count: int) -> tuple[datetime, datetime]:
    """(now, the first clipping's time): naive UTC, a year apart."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    return now, now - timedelta(days=DAYS)


class Progress:
    def __init__(self, count: int) -> None:
        self.count = count
        self.started = time.perf_counter()
        self.shown = 0.0
        self.done = 0

    def __call__(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.shown >= 2 or (done == self.count and self.done != done):
            self.done = done
            rate = done / max(now - self.started, 1e-9)
            print(
                f"\r  {done:,} of {self.count:,} clippings stored, {rate:,.0f}/s",
                end="",
                flush=True,
            )
            self.shown = now


# ---------------------------------------------------------------------------------------------
# SQLite


def fill_sqlite(path: Path, count: int, seed: int = 7) -> dict[str, float]:
    """A presswatch SQLite database at `path` with `count` clippings; the phases' seconds."""
    import sqlite3

    from presswatch.storage.db import open_database
    from presswatch.storage.fulltext import FTS5_TABLE

    phases: dict[str, float] = {}
    started = time.perf_counter()
    open_database(f"sqlite:///{path}").dispose()
    phases["schema (migrations)"] = time.perf_counter() - started
    started = time.perf_counter()
    now, first = _times(count)
    stamp = Stamp("sqlite")
    rng = random.Random(seed + 1)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?)",
        [(n + 1, name, stamp(first)) for n, name in enumerate(SOURCES)],
    )
    db.executemany(
        "INSERT INTO crawl_runs (id, source_id, started_at, finished_at, status, discovered,"
        " known, fetched, not_modified, extracted, not_articles, stored, duplicates, matched,"
        " errors) VALUES (?, ?, ?, ?, 'finished', 40, 20, 20, 2, 18, 1, 17, 2, 5, ?)",
        crawl_runs(first, stamp),
    )
    newest_matches: deque[tuple[str, int]] = deque(maxlen=ALERTS)
    batch: list[Row] = []
    progress = Progress(count)
    for row in rows(count, seed, "sqlite", first):
        batch.append(row)
        if row.match:
            newest_matches.append((row.match[1], row.match[2]))
        if len(batch) >= BATCH:
            _flush_sqlite(db, batch, FTS5_TABLE)
            progress(row.clipping[0])
    _flush_sqlite(db, batch, FTS5_TABLE)
    progress(count)
    print()
    alert_rows, items = alerts(list(reversed(newest_matches)), rng, now, stamp)
    db.executemany(
        "INSERT INTO alerts (id, delivery_id, topic, channel, event, status, attempts,"
        " next_attempt_at, last_error, created_at, sent_at) VALUES (?, ?, ?, ?, 'alert', ?, ?,"
        " ?, ?, ?, ?)",
        alert_rows,
    )
    db.executemany(
        "INSERT INTO alert_items (id, alert_id, topic, channel, clipping_id)"
        " VALUES (?, ?, ?, ?, ?)",
        items,
    )
    db.commit()
    db.close()
    # no ANALYZE: presswatch never runs it on SQLite, so its planner works without statistics
    phases["generate + insert"] = time.perf_counter() - started
    return phases


def _flush_sqlite(db: Any, batch: list[Row], fts_table: str) -> None:
    from presswatch.extractors.fingerprint import band_keys

    db.executemany(
        f"INSERT INTO clippings ({CLIPPING_COLUMNS}) VALUES (" + ", ".join("?" * 16) + ")",
        [row.clipping for row in batch],
    )
    db.executemany(
        f"INSERT INTO {fts_table} (rowid, title, text) VALUES (?, ?, ?)",
        [(row.clipping[0], *row.indexed) for row in batch],
    )
    db.executemany(
        "INSERT INTO fingerprint_bands (band_key, clipping_id, fingerprint) VALUES (?, ?, ?)",
        [
            (key, row.clipping[0], row.clipping[14])
            for row in batch
            for key in band_keys(row.clipping[14])
        ],
    )
    db.executemany(
        "INSERT INTO page_urls (url_key, clipping_id) VALUES (?, ?)",
        [(row.clipping[3], row.clipping[0]) for row in batch],
    )
    db.executemany(
        "INSERT INTO matches (id, topic, clipping_id, snippets, matched_at, backfilled)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [row.match for row in batch if row.match],
    )
    db.executemany(
        "INSERT INTO clipping_reviews (clipping_id, reviewed_at, starred, note, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [row.review for row in batch if row.review],
    )
    db.commit()
    batch.clear()


# ---------------------------------------------------------------------------------------------
# PostgreSQL


def conninfo(url: str) -> str:
    """psycopg's connection string of a SQLAlchemy URL."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass(frozen=True, slots=True)
class Schema:
    """What a fill drops and builds again: (table, name, definition) of each."""

    foreign_keys: list[tuple[str, str, str]]
    keys: list[tuple[str, str, str, str]]  # + the CREATE UNIQUE INDEX of the key
    indexes: list[tuple[str, str, str]]  # definition: the CREATE INDEX statement


def schema_of(connection: Any, tables: Sequence[str] = BIG_TABLES) -> Schema:
    """Every foreign key, and the keys and indexes of `tables` (the tables a fill copies)."""
    foreign_keys = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conname"
    ).fetchall()
    keys = connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),"
        " pg_get_indexdef(conindid) FROM pg_constraint WHERE contype IN ('p', 'u')"
        " AND conrelid::regclass::text = ANY(%s) ORDER BY conname",
        (list(tables),),
    ).fetchall()
    indexes = connection.execute(
        "SELECT indrelid::regclass::text, indexrelid::regclass::text,"
        " pg_get_indexdef(indexrelid) FROM pg_index i WHERE indrelid::regclass::text = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        " ORDER BY 2",
        (list(tables),),
    ).fetchall()
    return Schema(list(foreign_keys), list(keys), list(indexes))


def copy_writers(
    stack: contextlib.ExitStack[Any], info: str, columns: dict[str, str]
) -> dict[str, Any]:
    """A COPY ... FROM STDIN (FREEZE) per table, each on its own connection (closed with
    `stack`), so that the tables are streamed at once. Each table is truncated in its COPY's
    transaction: the rows are written frozen (visible to all, the visibility map set), as
    autovacuum would have left them, with no VACUUM needed for index-only scans."""
    import psycopg
    from psycopg.copy import QueuedLibpqWriter

    writers = {}
    for table, names in columns.items():
        connection = stack.enter_context(psycopg.connect(info))
        cursor = connection.cursor()
        cursor.execute(f"TRUNCATE {table}")
        writers[table] = stack.enter_context(
            cursor.copy(
                f"COPY {table} ({names}) FROM STDIN (FREEZE)", writer=QueuedLibpqWriter(cursor)
            )
        )
    return writers


def drop_schema(connection: Any, schema: Schema) -> None:
    for table, name, _definition in schema.foreign_keys:
        connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for table, name, _definition, _index in schema.keys:
        connection.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for _table, name, _definition in schema.indexes:
        connection.execute(f"DROP INDEX {name}")
    connection.commit()


def rebuild_schema(info: str, schema: Schema) -> None:
    """The indexes (and the keys' unique indexes) two at a time, biggest first; then the keys
    attached to their indexes, and the foreign keys, checked."""
    import psycopg

    builds = [(name, definition) for _t, name, definition in schema.indexes]
    builds += [(name, index) for _t, name, _d, index in schema.keys]

    def cost(build: tuple[str, str]) -> int:
        name, definition = build
        if " gin " in definition.lower():
            return 0
        order = ("fingerprint_bands", "page_urls", "uq_clippings", "pk_clippings", "clippings")
        return 1 + next((n for n, part in enumerate(order) if part in name), len(order))

    builds.sort(key=cost)

    def build(definition: str) -> None:
        with psycopg.connect(info, autocommit=True) as connection:
            connection.execute("SET maintenance_work_mem = '1GB'")
            connection.execute("SET max_parallel_maintenance_workers = 0")
            connection.execute(definition)

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(build, definition) for _name, definition in builds]:
            future.result()
    with psycopg.connect(info, autocommit=True) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        for table, name, definition, _index in schema.keys:
            kind = "PRIMARY KEY" if definition.startswith("PRIMARY KEY") else "UNIQUE"
            connection.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} {kind} USING INDEX {name}"
            )
        for table, name, definition in schema.foreign_keys:
            connection.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def set_sequences_and_analyze(connection: Any) -> dict[str, float]:
    """Every id sequence set past its table's largest id (COPY wrote the ids), then ANALYZE
    (autovacuum may be off); the two phases' seconds."""
    phases = {}
    started = time.perf_counter()
    tables = connection.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND column_name = 'id' AND column_default LIKE 'nextval(%'"
    ).fetchall()
    for (table,) in tables:
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
        )
    phases["sequences (setval)"] = time.perf_counter() - started
    started = time.perf_counter()
    connection.execute("ANALYZE")
    phases["ANALYZE"] = time.perf_counter() - started
    return phases


def fill_marker(count: int, seed: int) -> str:
    """The start of the comment a fill leaves on its PostgreSQL database ("; kept" follows when
    it is kept for later runs)."""
    return f"presswatch bench/web_speed.py: {count} clippings, seed {seed}"


def fill_postgresql(url: str, count: int, seed: int = 7, kept: bool = False) -> dict[str, float]:
    """`count` clippings into the (empty) PostgreSQL database at `url`; the phases' seconds."""
    import psycopg

    from presswatch.extractors.fingerprint import band_keys
    from presswatch.storage.db import open_database

    phases: dict[str, float] = {}
    info = conninfo(url)
    started = time.perf_counter()
    open_database(url).dispose()
    phases["schema (migrations)"] = time.perf_counter() - started

    started = time.perf_counter()
    with psycopg.connect(info) as connection:
        schema = schema_of(connection)
        drop_schema(connection, schema)
    phases["drop keys and indexes"] = time.perf_counter() - started

    started = time.perf_counter()
    now, first = _times(count)
    stamp = Stamp("postgresql")
    rng = random.Random(seed + 1)
    copies = {
        "clippings": f"{CLIPPING_COLUMNS}, search_vector",
        "fingerprint_bands": "band_key, clipping_id, fingerprint",
        "page_urls": "url_key, clipping_id",
        "matches": "id, topic, clipping_id, snippets, matched_at, backfilled",
        "clipping_reviews": "clipping_id, reviewed_at, starred, note, updated_at",
    }
    newest_matches: deque[tuple[str, int]] = deque(maxlen=ALERTS)
    progress = Progress(count)
    with contextlib.ExitStack() as stack:
        writers = copy_writers(stack, info, copies)
        clippings, bands, urls = (
            writers["clippings"],
            writers["fingerprint_bands"],
            writers["page_urls"],
        )
        matches, reviews = writers["matches"], writers["clipping_reviews"]
        for row in rows(count, seed, "postgresql", first):
            clipping_id, fingerprint = row.clipping[0], row.clipping[14]
            clippings.write_row((*row.clipping, row.indexed[0]))
            for key in band_keys(fingerprint):
                bands.write_row((key, clipping_id, fingerprint))
            urls.write_row((row.clipping[3], clipping_id))
            if row.match:
                matches.write_row(row.match)
                newest_matches.append((row.match[1], clipping_id))
            if row.review:
                reviews.write_row(row.review)
            if clipping_id % 1000 == 0:
                progress(clipping_id)
        progress(count)
        print()
    phases["generate + COPY"] = time.perf_counter() - started

    started = time.perf_counter()
    alert_rows, items = alerts(list(reversed(newest_matches)), rng, now, stamp)
    with psycopg.connect(info) as connection:
        cursor = connection.cursor()
        with cursor.copy("COPY sources (id, name, created_at) FROM STDIN") as copy:
            for n, name in enumerate(SOURCES):
                copy.write_row((n + 1, name, stamp(first)))
        with cursor.copy(
            "COPY crawl_runs (id, source_id, started_at, finished_at, status, discovered, known,"
            " fetched, not_modified, extracted, not_articles, stored, duplicates, matched,"
            " errors) FROM STDIN"
        ) as copy:
            for run_id, source_id, started_at, finished_at, errors in crawl_runs(first, stamp):
                counts = (40, 20, 20, 2, 18, 1, 17, 2, 5, errors)
                copy.write_row((run_id, source_id, started_at, finished_at, "finished", *counts))
        with cursor.copy(
            "COPY alerts (id, delivery_id, topic, channel, event, status, attempts,"
            " next_attempt_at, last_error, created_at, sent_at) FROM STDIN"
        ) as copy:
            for alert in alert_rows:
                copy.write_row((*alert[:4], "alert", *alert[4:]))
        with cursor.copy(
            "COPY alert_items (id, alert_id, topic, channel, clipping_id) FROM STDIN"
        ) as copy:
            for item in items:
                copy.write_row(item)
    phases["sources, crawl runs, alerts"] = time.perf_counter() - started

    started = time.perf_counter()
    rebuild_schema(info, schema)
    phases["indexes, keys, foreign keys"] = time.perf_counter() - started

    with psycopg.connect(info, autocommit=True) as connection:
        phases |= set_sequences_and_analyze(connection)
        marker = fill_marker(count, seed) + ("; kept" if kept else "")
        connection.execute(f"COMMENT ON DATABASE \"{connection.info.dbname}\" IS '{marker}'")
    return phases


def postgresql_fill_marker(url: str) -> str | None:
    """The comment the fill left on the database (None: no comment, or no database)."""
    import psycopg

    try:
        with psycopg.connect(conninfo(url), connect_timeout=5) as connection:
            row = connection.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                " WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError:
        return None
    return None if row is None else row[0]


def admin(url: str, statement: str) -> None:
    """Run CREATE/DROP DATABASE on the server of `url` (from its "postgres" database)."""
    import psycopg
    from sqlalchemy import make_url

    info = conninfo(str(make_url(url).set(database="postgres")))
    with psycopg.connect(info, autocommit=True) as connection:
        connection.execute(statement)


def database_name(url: str) -> str:
    from sqlalchemy import make_url

    return str(make_url(url).database)


def phase_lines(phases: dict[str, float], count: int, fill_key: str) -> Iterator[str]:
    total = sum(phases.values())
    for name, seconds in phases.items():
        yield f"  {name:<30}{seconds:>8.1f} s"
    yield f"  {'total':<30}{total:>8.1f} s"
    yield (
        f"  fill rate: {count / max(phases[fill_key], 1e-9):,.0f} clippings/s while generating"
        f" and writing, {count / max(total, 1e-9):,.0f} clippings/s overall"
    )
