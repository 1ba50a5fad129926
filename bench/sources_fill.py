"""Fill a presswatch database with the crawl history of N sources, as `presswatch run` leaves it
after D days of crawling each source every E minutes (for sources_speed.py).

Per source and crawl (a time slot of `every`, the sources spread over it, ids in time order):
a finished crawl_runs row with the counts a crawl writes. The source's clippings (30 a day at
random times) are stored by the first crawl after they appear, so a run's stored, dated,
authored and median_words are those of its own clippings rows; a few percent of runs have 1-3
errors (crawl_errors rows: http-404, timeout, http-503, ...), one source in 20 has a URL
refused by robots.txt on every crawl (counted in its runs' `robots`), the source_days
rollup is the runs summed per UTC day of their end (as RunStore.finish_run adds them), and a
few health events are open, more recovered. Not written (the figures do not read them):
feed_fetches, matches, the full-text index, fingerprint bands, page URLs.

- SQLite: executemany in batches of a few thousand crawls, one transaction each; no ANALYZE
  (presswatch never runs it, so its planner works without statistics).
- PostgreSQL: COPY, crawl_runs, crawl_errors and clippings each on its own connection, all
  streamed at once, with the foreign keys and those tables' keys and indexes dropped before
  and built again after (web_fill.py's way), then the sequences set and ANALYZE run.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from web_fill import (
    conninfo,
    copy_writers,
    drop_schema,
    rebuild_schema,
    schema_of,
    set_sequences_and_analyze,
)

CLIPPINGS_PER_DAY = 30
ERROR_SHARE = 0.03  # of crawls with 1-3 failed URLs
ERROR_KINDS = {  # kind: (weight, message)
    "http-404": (5, "the server answered 404"),
    "timeout": (3, "no answer within the timeout"),
    "http-503": (2, "the server answered 503"),
    "http-500": (1, "the server answered 500"),
    "connection": (1, "the connection was refused (host down?)"),
}
ROBOTS_EVERY = 20  # every 20th source has one URL refused by robots.txt per crawl
DATED_SHARE = 0.9
AUTHORED_SHARE = 0.75
DUPLICATE_SHARE = 0.05
NOT_ARTICLE_SHARE = 0.05  # of crawls that fetched one page that was no article
SLOTS_PER_BATCH = 50  # time slots (a crawl of every source) per batch
OPEN_EVENTS = ("errors", "yield", "silent", "moved", "robots")  # one source each
RECOVERED_EVENTS_PER_SOURCE = 0.2

RUN_COLUMNS = (
    "id", "source_id", "started_at", "finished_at", "status", "owner", "discovered", "known",
    "fetched", "not_modified", "extracted", "not_articles", "stored", "duplicates", "matched",
    "errors", "blocked", "requests", "robots", "dated", "authored", "median_words",
)  # fmt: skip
ERROR_COLUMNS = ("id", "crawl_run_id", "url", "kind", "message", "at")
CLIPPING_COLUMNS = (
    "id", "source_id", "crawl_run_id", "url", "canonical_url", "title", "author", "published",
    "fetched", "language", "site_name", "description", "image", "text", "word_count",
    "fingerprint", "duplicate_of",
)  # fmt: skip
DAY_COLUMNS = ("source_id", "day", "runs", "requests", "errors", "fetched", "extracted", "stored")
EVENT_COLUMNS = (
    "id", "source_id", "kind", "since", "opened_at", "message", "recovered_at", "recovery_message",
)  # fmt: skip
SOURCE_COLUMNS = ("id", "name", "created_at", "poll_interval_s")
COUNTED = ("sources", "crawl_runs", "crawl_errors", "clippings", "source_days", "health_events")


@dataclass(frozen=True, slots=True)
class Shape:
    """What is filled: `sources` crawled every `every_s` seconds for `days` days up to `now`
    (naive UTC)."""

    sources: int
    days: int
    every_s: int
    now: datetime
    seed: int = 7

    @property
    def slots(self) -> int:
        return self.days * 86400 // self.every_s

    @property
    def first(self) -> datetime:
        return self.now - timedelta(days=self.days)


def source_name(number: int) -> str:
    return f"source-{number:03d}"


def stamp(moment: datetime, backend: str) -> str:
    """A naive UTC time as each backend stores it: SQLite SQLAlchemy's text (with
    microseconds), PostgreSQL timestamptz input."""
    text = moment.isoformat(sep=" ", timespec="microseconds")
    return text + "+00" if backend == "postgresql" else text


@dataclass(slots=True)
class Batch:
    runs: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[tuple[Any, ...]] = field(default_factory=list)
    clippings: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass(slots=True)
class _SourceState:
    number: int
    rng: random.Random
    stored: list[int]  # new clippings per slot
    feeds: int  # feeds and sitemaps asked for per crawl
    offset_s: float  # where in the slot its crawls start


class History:
    """The crawl history of a Shape, generated in time order; the per-day rollup once the
    batches are consumed."""

    def __init__(self, shape: Shape, backend: str) -> None:
        self.shape = shape
        self.backend = backend
        self.days: dict[tuple[int, str], list[int]] = {}  # runs, requests, errors, ...
        self._ids = Counter[str]()
        spread_s = max(shape.every_s - 120, 0)  # the last crawls end before `now`
        self._states = []
        for number in range(1, shape.sources + 1):
            rng = random.Random(f"{shape.seed}/{number}")
            stored = [0] * shape.slots
            for _ in range(CLIPPINGS_PER_DAY * shape.days):
                stored[rng.randrange(shape.slots)] += 1
            offset_s = spread_s * (number - 1) / shape.sources
            self._states.append(_SourceState(number, rng, stored, 1 + number % 3, offset_s))
        self._kinds = list(ERROR_KINDS)
        self._weights = [weight for weight, _message in ERROR_KINDS.values()]

    def batches(self) -> Iterator[Batch]:
        """The crawls of every source, SLOTS_PER_BATCH time slots a batch, oldest first."""
        batch = Batch()
        every = timedelta(seconds=self.shape.every_s)
        for slot in range(self.shape.slots):
            slot_start = self.shape.first + slot * every
            for state in self._states:
                self._crawl(state, state.stored[slot], slot_start, batch)
            if (slot + 1) % SLOTS_PER_BATCH == 0:
                yield batch
                batch = Batch()
        yield batch

    def _next_id(self, table: str) -> int:
        self._ids[table] += 1
        return self._ids[table]

    def _crawl(self, state: _SourceState, stored: int, slot_start: datetime, batch: Batch) -> None:
        """One crawl of a source: its run, the clippings it stored, the URLs that failed."""
        rng, name, backend = state.rng, source_name(state.number), self.backend
        run_id = self._next_id("crawl_runs")
        started = slot_start + timedelta(seconds=state.offset_s + rng.uniform(0, 20))
        dated = authored = duplicates = 0
        words = []
        for n in range(stored):
            clipping_id = self._next_id("clippings")
            fetched = started + timedelta(seconds=2 + 1.5 * n)
            published = None
            if rng.random() < DATED_SHARE:
                published = stamp(fetched - timedelta(minutes=rng.randint(5, 600)), backend)
                dated += 1
            author = None
            if rng.random() < AUTHORED_SHARE:
                author = f"Reporter {rng.randrange(40)}"
                authored += 1
            duplicate_of = None
            if clipping_id > 1 and rng.random() < DUPLICATE_SHARE:
                duplicate_of = rng.randint(max(1, clipping_id - 500), clipping_id - 1)
                duplicates += 1
            words.append(rng.randint(150, 1500))
            url = f"https://{name}.example/news/{clipping_id}.html"
            batch.clippings.append(
                (
                    clipping_id, state.number, run_id, url, url,
                    f"Clipping {clipping_id} of {name}", author, published,
                    stamp(fetched, backend), "en", name, None, None,
                    f"The text of clipping {clipping_id}.", words[-1], rng.getrandbits(63),
                    duplicate_of,
                )
            )  # fmt: skip
        failed = rng.randint(1, 3) if rng.random() < ERROR_SHARE else 0
        robots = 1 if state.number % ROBOTS_EVERY == 0 else 0
        kinds = rng.choices(self._kinds, self._weights, k=failed)
        for n, kind in enumerate(kinds):
            message = ERROR_KINDS[kind][1]
            batch.errors.append(
                (
                    self._next_id("crawl_errors"), run_id,
                    f"https://{name}.example/news/r{run_id}-{n}.html", kind, message,
                    stamp(started + timedelta(seconds=3 + n), backend),
                )
            )  # fmt: skip
        not_articles = 1 if rng.random() < NOT_ARTICLE_SHARE else 0
        fetched_pages = stored + not_articles
        known = rng.randint(20, 50)
        not_modified = 0 if stored else rng.randint(0, state.feeds)
        requests = state.feeds + fetched_pages + failed
        duration_s = min(3 + 1.5 * fetched_pages + 10 * failed + rng.uniform(0, 5), 90)
        finished = started + timedelta(seconds=duration_s)
        median_words = sorted(words)[len(words) // 2] if words else None  # as ClippingStats
        batch.runs.append(
            (
                run_id, state.number, stamp(started, backend), stamp(finished, backend),
                "finished", "bench:1", known + fetched_pages + failed, known, fetched_pages,
                not_modified, stored, not_articles, stored, duplicates, 0, failed, 0, requests,
                robots, dated, authored, median_words,
            )
        )  # fmt: skip
        # as RunStore.finish_run adds the run to the UTC day it finished on
        day = self.days.setdefault((state.number, finished.date().isoformat()), [0] * 6)
        for n, value in enumerate((1, requests, failed, fetched_pages, stored, stored)):
            day[n] += value

    def source_rows(self) -> list[tuple[Any, ...]]:
        created = stamp(self.shape.first - timedelta(days=1), self.backend)
        return [(n, source_name(n), created, None) for n in range(1, self.shape.sources + 1)]

    def day_rows(self) -> list[tuple[Any, ...]]:
        return [(source, day, *sums) for (source, day), sums in sorted(self.days.items())]

    def event_rows(self) -> list[tuple[Any, ...]]:
        """A few events open now (one source each), more recovered over the history."""
        rng = random.Random(f"{self.shape.seed}/events")
        numbers = list(range(1, self.shape.sources + 1))
        rows: list[tuple[Any, ...]] = []
        span_s = self.shape.days * 86400
        recovered = round(RECOVERED_EVENTS_PER_SOURCE * self.shape.sources)
        for n in range(recovered):
            opened = self.shape.first + timedelta(seconds=rng.uniform(0, span_s * 0.9))
            back = opened + timedelta(hours=rng.uniform(1, 48))
            kind = rng.choice(OPEN_EVENTS)
            rows.append(
                (
                    n + 1, rng.choice(numbers), kind, stamp(opened, self.backend),
                    stamp(opened, self.backend), f"{kind}: departed from its usual level",
                    stamp(back, self.backend), "back to its usual level",
                )
            )  # fmt: skip
        for kind, number in zip(OPEN_EVENTS, rng.sample(numbers, len(OPEN_EVENTS)), strict=False):
            since = self.shape.now - timedelta(hours=rng.uniform(2, 30))
            opened = since + timedelta(minutes=30)
            rows.append(
                (
                    len(rows) + 1, number, kind, stamp(since, self.backend),
                    stamp(opened, self.backend), f"{kind}: departed from its usual level",
                    None, None,
                )
            )  # fmt: skip
        return rows


def fill_now() -> datetime:
    """Now, naive UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


def _insert(columns: tuple[str, ...], table: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def fill_sqlite(path: Path, shape: Shape) -> dict[str, float]:
    """The history at `path` (a new file); the phases' seconds."""
    import sqlite3

    from presswatch.storage.db import open_database

    phases: dict[str, float] = {}
    started = time.perf_counter()
    open_database(f"sqlite:///{path}").dispose()
    phases["schema (migrations)"] = time.perf_counter() - started
    started = time.perf_counter()
    history = History(shape, "sqlite")
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-400000")  # 400 MB: the indexes grow in memory
    db.executemany(_insert(SOURCE_COLUMNS, "sources"), history.source_rows())
    for batch in history.batches():
        db.executemany(_insert(RUN_COLUMNS, "crawl_runs"), batch.runs)
        db.executemany(_insert(ERROR_COLUMNS, "crawl_errors"), batch.errors)
        db.executemany(_insert(CLIPPING_COLUMNS, "clippings"), batch.clippings)
        db.commit()
    db.executemany(_insert(DAY_COLUMNS, "source_days"), history.day_rows())
    db.executemany(_insert(EVENT_COLUMNS, "health_events"), history.event_rows())
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    phases["generate + insert"] = time.perf_counter() - started
    return phases


def fill_postgresql(url: str, shape: Shape) -> dict[str, float]:
    """The history into the (new, empty) PostgreSQL database at `url`; the phases' seconds."""
    import psycopg

    from presswatch.storage.db import open_database

    phases: dict[str, float] = {}
    info = conninfo(url)
    started = time.perf_counter()
    open_database(url).dispose()
    phases["schema (migrations)"] = time.perf_counter() - started

    started = time.perf_counter()
    big = {"crawl_runs": RUN_COLUMNS, "crawl_errors": ERROR_COLUMNS, "clippings": CLIPPING_COLUMNS}
    with psycopg.connect(info) as connection:
        schema = schema_of(connection, list(big))
        drop_schema(connection, schema)
    phases["drop keys and indexes"] = time.perf_counter() - started

    started = time.perf_counter()
    history = History(shape, "postgresql")
    with contextlib.ExitStack() as stack:
        writers = copy_writers(stack, info, {t: ", ".join(c) for t, c in big.items()})
        for batch in history.batches():
            for table, rows in (
                ("crawl_runs", batch.runs),
                ("crawl_errors", batch.errors),
                ("clippings", batch.clippings),
            ):
                for row in rows:
                    writers[table].write_row(row)
    with psycopg.connect(info) as connection:
        cursor = connection.cursor()
        for table, columns, rows in (
            ("sources", SOURCE_COLUMNS, history.source_rows()),
            ("source_days", DAY_COLUMNS, history.day_rows()),
            ("health_events", EVENT_COLUMNS, history.event_rows()),
        ):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    phases["generate + COPY"] = time.perf_counter() - started

    started = time.perf_counter()
    rebuild_schema(info, schema)
    phases["indexes, keys, foreign keys"] = time.perf_counter() - started
    with psycopg.connect(info, autocommit=True) as connection:
        phases |= set_sequences_and_analyze(connection)
    return phases


def row_counts(url: str) -> dict[str, int]:
    """The rows of the tables the fill writes."""
    from sqlalchemy import text

    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(url)
    with engine.connect() as connection:
        counts = {
            t: int(connection.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in COUNTED
        }
    engine.dispose()
    return counts


def error_runs(url: str) -> Counter[str]:
    """The crawl runs with errors, and the errors by kind (a check of the fill's shares)."""
    from sqlalchemy import text

    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT kind, count(*) FROM crawl_errors GROUP BY kind"))
        kinds: Counter[str] = Counter({str(kind): int(n) for kind, n in rows})
        kinds["runs with errors"] = int(
            connection.scalar(text("SELECT count(*) FROM crawl_runs WHERE errors > 0")) or 0
        )
    engine.dispose()
    return kinds
