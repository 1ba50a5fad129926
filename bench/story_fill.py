"""Fill presswatch databases with N clippings told as news stories, with the story rows ingest
would have written for them (for story_cost.py).

The stories: each is one event (bench/synthetic_pages.py's prose: a cast of people, places, a
topic, and five figures of its own) told by 1-8 clippings over the hours after its first. Its
original may credit a news agency; the others are verbatim copies, retitled copies, rewrites
(a new first paragraph; the first paragraphs, shortened) and independent reports (the same
cast and figures, in another writer's words and sentence shapes). Key terms therefore have a
realistic spread: first names, the common places, small numbers and years are in thousands of
clippings; a story's coined names and its larger figures in a handful.

The story rows are computed, not decided by the rule: each clipping is in the story it was
generated for; its features are presswatch.stories.StoryFeatures of its title and text, and a
clipping whose text is near-identical to its original's (fingerprint.is_near_duplicate) is a
duplicate of it and, as at ingest, joins the story without entering the story index. So
`story_keys` (each indexed clipping's sampled 5-grams, and its key terms that no more than
LOOKUP_MAX_DF clippings carried when it was stored, counting it: clustering.place's keys),
`story_members` (its encoded features),
`story_terms` (every clipping's key terms counted, the empty term the total) and `stories`
(origin, wire, span, size) are what ingest writes for that assignment.

One generation (on every core) feeds every database of the run at once:
- SQLite: executemany in batches, one transaction each (story keys sorted within a batch);
  no ANALYZE (presswatch never runs it there).
- PostgreSQL: COPY ... FREEZE, each big table on its own connection, the keys, indexes and
  foreign keys dropped before and built again after (web_fill.py's helpers), then the
  sequences set and ANALYZE run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import random
import sqlite3
import time
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Literal

from synthetic_pages import _coined, _Prose, _words
from web_fill import (
    CLIPPING_COLUMNS,
    SOURCES,
    Progress,
    Stamp,
    conninfo,
    copy_writers,
    drop_schema,
    rebuild_schema,
    schema_of,
    set_sequences_and_analyze,
)

Kind = Literal["original", "verbatim", "retitled", "rewrite-lede", "shortened", "independent"]
STORY_SIZES = {1: 34, 2: 20, 3: 14, 4: 10, 5: 8, 6: 6, 7: 4, 8: 4}  # clippings: weight
MEMBER_KINDS: dict[Kind, int] = {
    "verbatim": 25,
    "retitled": 10,
    "rewrite-lede": 20,
    "shortened": 15,
    "independent": 30,
}
WIRES = {None: 80, "AP": 8, "Reuters": 7, "AFP": 5}
FIGURES = 5  # an event's figures, which every report of it draws its numbers from
FILL_VERSION = 2  # changed when the rows written change: a kept fill of another is filled again
BATCH = 2000  # clippings per task of the pool, and per SQLite transaction
STORY_TABLES = ("stories", "story_keys", "story_members", "story_terms")
BIG_TABLES = ("clippings", "fingerprint_bands", "page_urls", *STORY_TABLES)


def _vocabulary() -> tuple[list[str], list[float]]:
    """Common words, then coined ones, with Zipf's weights (cumulative): texts whose 5-grams
    repeat across unrelated articles about as often as news prose does (the crawl benchmark's
    sentence templates would share a quarter of them)."""
    rng = random.Random("story_fill vocabulary")
    common = _words(
        "the of and to a in that is for on was with said it as at by from has be have are "
        "not an this but were which after its their would will been more about who than "
        "also they over two new one year last up into out could other can some when first "
        "three all time years there had people what city plan said would them against under"
    )
    coined = {_coined(rng, rng.choice((1, 2, 2, 3))).lower() for _ in range(8000)}
    words = list(dict.fromkeys([*common, *sorted(coined)]))
    rng.shuffle(words[len(common) :])
    total, cumulative = 0.0, []
    for rank in range(len(words)):
        total += 1 / (rank + 2)
        cumulative.append(total)
    return words, cumulative


def _famous() -> list[str]:
    """Names many stories mention (institutions, countries, national figures), by how often."""
    rng = random.Random("story_fill famous")
    return [_coined(rng, rng.randint(2, 3)) for _ in range(400)]


_WORDS, _CUMULATIVE = _vocabulary()
_FAMOUS = _famous()
_FAMOUS_CUMULATIVE = [sum(1 / (n + 2) for n in range(k + 1)) for k in range(len(_FAMOUS))]


@dataclass(slots=True)
class _Event(_Prose):
    """A story's cast, as _Prose draws it, with the figures every report of it quotes; its
    sentences are common and coined words around the story's names, places and figures."""

    figures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        _Prose.__post_init__(self)
        self.figures = [_Prose.number(self) for _ in range(FIGURES)]

    def number(self) -> str:
        return self.rng.choice(self.figures)

    def sentence(self) -> str:
        r = self.rng
        words = r.choices(_WORDS, cum_weights=_CUMULATIVE, k=r.randint(10, 26))
        facts = (self.person, self.place, self.number, lambda: self.topic, self.famous)
        for _ in range(r.randint(1, 3)):
            words.insert(r.randint(1, len(words)), r.choice(facts)())
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def famous(self) -> str:
        return self.rng.choices(_FAMOUS, cum_weights=_FAMOUS_CUMULATIVE)[0]

    def told_by(self, rng: random.Random) -> _Event:
        """The same event from another writer: own words and sentence shapes, same facts."""
        writer = _Event(rng)
        writer.people, writer.places, writer.figures = self.people, self.places, self.figures
        writer.topic, writer.body = self.topic, self.body
        return writer


# ---------------------------------------------------------------------------------------------
# the plan: which clipping tells which story, when (no text yet)


@dataclass(frozen=True, slots=True)
class Planned:
    id: int
    story: int  # the story's number (its id: stories are numbered by their first clipping)
    kind: Kind
    published: datetime  # aware UTC
    fetched: datetime
    source: int
    original: int  # the id of its story's original (itself for the original)
    wire: str | None  # the story's original credits it


@dataclass(frozen=True, slots=True)
class Plan:
    seed: int
    now: datetime  # aware UTC; the newest clipping is a little before it
    clippings: list[Planned]

    def stories_since(self, since: datetime) -> list[Planned]:
        """The originals published since `since` (their stories are in the window)."""
        return [c for c in self.clippings if c.kind == "original" and c.published >= since]


def plan(count: int, days: int, seed: int, now: datetime) -> Plan:
    """`count` clippings over the `days` before `now`, in stories of 1-8, ids in fetch order."""
    rng = random.Random(seed)
    first = now - timedelta(days=days)
    drafts: list[tuple[datetime, datetime, int, int, Kind, str | None]] = []
    story = 0
    while len(drafts) < count:
        origin = first + timedelta(seconds=rng.uniform(0, days * 86400))
        size = rng.choices(list(STORY_SIZES), list(STORY_SIZES.values()))[0]
        wire = rng.choices(list(WIRES), list(WIRES.values()))[0]
        for member in range(size):
            kind: Kind = "original"
            published = origin
            if member:
                kind = rng.choices(list(MEMBER_KINDS), list(MEMBER_KINDS.values()))[0]
                # after its original was fetched (an hour at most), mostly within a day
                published = origin + timedelta(hours=1 + min(rng.expovariate(1 / 8), 60))
            fetched = published + timedelta(minutes=rng.uniform(2, 60))
            if fetched < now:
                drafts.append((fetched, published, story, member, kind, wire))
        story += 1
    drafts.sort()
    numbers: dict[int, int] = {}  # the draft's story -> its story id (by its first clipping)
    originals: dict[int, int] = {}  # story id -> its original's clipping id
    out: list[Planned] = []
    for n, (fetched, published, number, _member, kind, wire) in enumerate(drafts[:count]):
        story_id = numbers.setdefault(number, len(numbers) + 1)
        # an original is fetched within the hour, before any other clipping of its story
        original = originals.setdefault(story_id, n + 1)
        assert (kind == "original") == (original == n + 1), (kind, story_id)
        source = rng.randrange(len(SOURCES)) + 1
        out.append(Planned(n + 1, story_id, kind, published, fetched, source, original, wire))
    return Plan(seed, now, out)


# ---------------------------------------------------------------------------------------------
# the texts, on every core


@functools.lru_cache(maxsize=30_000)
def original_text(seed: int, story: int, wire: str | None) -> tuple[str, tuple[str, ...]]:
    """The story's original: (title, paragraphs)."""
    rng = random.Random(f"{seed}/story/{story}")
    event = _Event(rng)
    title = event.headline()
    paragraphs = event.paragraphs(rng.randint(250, 700))
    if wire:
        paragraphs[0] = f"{event.place().upper()} ({wire}) — {paragraphs[0]}"
    return title, tuple(paragraphs)


def story_text(seed: int, story: int, wire: str | None, kind: Kind, salt: str) -> tuple[str, str]:
    """(title, text) of a clipping of the story: its original, or a copy, rewrite or report
    of it (`salt` tells two of the same kind apart)."""
    title, paragraphs = original_text(seed, story, wire)
    if kind in ("original", "verbatim"):
        return title, "\n\n".join(paragraphs)
    rng = random.Random(f"{seed}/story/{story}/{salt}")
    writer = _Event(random.Random(f"{seed}/story/{story}")).told_by(rng)
    new_title = writer.headline()
    if kind == "retitled":
        return new_title, "\n\n".join(paragraphs)
    if kind == "rewrite-lede":
        return new_title, "\n\n".join([writer.paragraph(), *paragraphs[1:]])
    if kind == "shortened":
        kept = list(paragraphs[: max(2, len(paragraphs) * 3 // 5)])
        kept[-1] = kept[-1].rsplit(". ", 1)[0] + "."
        return title, "\n\n".join(kept)
    return new_title, "\n\n".join(writer.paragraphs(rng.randint(150, 500)))


@functools.lru_cache(maxsize=30_000)
def _original_fingerprint(seed: int, story: int, wire: str | None) -> int:
    from presswatch.extractors.fingerprint import simhash

    return simhash(story_text(seed, story, wire, "original", "")[1])


@dataclass(frozen=True, slots=True)
class Generated:
    """A clipping's text and the rows ingest writes for it."""

    id: int
    title: str
    text: str
    fingerprint: int
    duplicate_of: int | None
    terms: tuple[str, ...]  # its key terms (counted in story_terms)
    wire: str | None  # the agency it credits
    # story_members' columns (the weight as yet unweighed); None: a copy
    member: tuple[str, str, str, str | None, float] | None
    sample: tuple[int, ...]  # its sampled 5-grams' story_keys (none for a copy)
    fts: tuple[str, str] | None  # SQLite's FTS5 title and text words
    tsv: str | None  # PostgreSQL's search_vector text


def _generate(args: tuple[Sequence[Planned], int, frozenset[str]]) -> list[Generated]:
    from presswatch.extractors.fingerprint import is_near_duplicate, simhash
    from presswatch.index_text import indexed_words, tsvector_text
    from presswatch.stories import INDEX_GRAMS, SAMPLE, StoryFeatures

    chunk, seed, backends = args
    out = []
    for each in chunk:
        title, text = story_text(seed, each.story, each.wire, each.kind, str(each.id))
        fingerprint = simhash(text)
        duplicate_of = None
        if each.kind != "original":
            original = _original_fingerprint(seed, each.story, each.wire)
            if is_near_duplicate(fingerprint, original):
                duplicate_of = each.original
        features = StoryFeatures.of(title, text)
        indexed = duplicate_of is None
        fts = None
        if "sqlite" in backends:
            fts = (" ".join(indexed_words(title)), " ".join(indexed_words(text)))
        tsv = tsvector_text(title, text) if "postgresql" in backends else None
        out.append(
            Generated(
                each.id,
                title,
                text,
                fingerprint,
                duplicate_of,
                tuple(features.terms),
                features.wire,
                features.encoded() if indexed else None,
                tuple(sorted(features.sample_at(SAMPLE))[:INDEX_GRAMS]) if indexed else (),
                fts,
                tsv,
            )
        )
    return out


def generated(planned: Plan, backends: frozenset[str]) -> Iterator[tuple[Planned, Generated]]:
    """Every clipping, in id order, generated on every core, a few batches ahead at most."""
    chunks = [planned.clippings[i : i + BATCH] for i in range(0, len(planned.clippings), BATCH)]
    processes = os.cpu_count() or 1
    with get_context("spawn").Pool(processes) as pool:
        pending: deque[tuple[Sequence[Planned], AsyncResult[list[Generated]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.apply_async(_generate, ((chunk, planned.seed, backends),))))
            if len(pending) >= 2 * (processes + 1):
                done, result = pending.popleft()
                yield from zip(done, result.get(), strict=True)
        while pending:
            done, result = pending.popleft()
            yield from zip(done, result.get(), strict=True)


# ---------------------------------------------------------------------------------------------
# the rows


class Stories:
    """The stories and term counts, as the clippings stream past (written at the end)."""

    def __init__(self) -> None:
        # story id -> [origin_id, wire, first_seen, last_seen, clippings]
        self.rows: dict[int, list[Any]] = {}
        self.df: Counter[str] = Counter()

    def add(self, planned: Planned, made: Generated) -> None:
        wire = made.wire
        self.df.update(made.terms)
        self.df[""] += 1
        at = planned.published
        row = self.rows.get(planned.story)
        if row is None:
            self.rows[planned.story] = [planned.id, wire, at, at, 1]
            return
        if row[2] > at:
            row[0], row[2] = planned.id, at
        row[3] = max(row[3], at)
        row[1] = row[1] or wire
        row[4] += 1

    def story_rows(self, stamp: Stamp) -> Iterator[tuple[Any, ...]]:
        for story_id, (origin, wire, first, last, n) in sorted(self.rows.items()):
            yield story_id, origin, wire, stamp(_naive(first)), stamp(_naive(last)), n

    def term_rows(self) -> Iterator[tuple[str, int]]:
        return ((term[:200], n) for term, n in sorted(self.df.items()))


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def clipping_row(planned: Planned, made: Generated, stamp: Stamp) -> tuple[Any, ...]:
    """The columns of CLIPPING_COLUMNS, then story_id."""
    source = SOURCES[planned.source - 1]
    url = f"https://{source}.example/news/{planned.id}.html"
    return (
        planned.id, planned.source, url, url, made.title, None,
        stamp(_naive(planned.published)), stamp(_naive(planned.fetched)), "en",
        source.replace("-", " ").title(), made.text[:180], None, made.text,
        len(made.text.split()), made.fingerprint, made.duplicate_of, planned.story,
    )  # fmt: skip


COLUMNS = {
    "clippings": f"{CLIPPING_COLUMNS}, story_id",
    "fingerprint_bands": "band_key, clipping_id, fingerprint",
    "page_urls": "url_key, clipping_id",
    "story_keys": "key, at, clipping_id",
    "story_members": "clipping_id, story_id, at, sample, terms, title, wire, weight",
    "stories": "id, origin_id, wire, first_seen, last_seen, clippings",
    "story_terms": "term, df",
}


def table_rows(
    planned: Planned, made: Generated, df: Counter[str], stamp: Stamp
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of one clipping, by table (clippings without its full-text column), as ingest
    writes them when `df` are the terms' counts (its own counted)."""
    from presswatch.extractors.fingerprint import band_keys
    from presswatch.stories import term_weight

    at = stamp(_naive(planned.published))
    url = f"https://{SOURCES[planned.source - 1]}.example/news/{planned.id}.html"
    rows: dict[str, list[tuple[Any, ...]]] = {
        "clippings": [clipping_row(planned, made, stamp)],
        "fingerprint_bands": [(k, made.id, made.fingerprint) for k in band_keys(made.fingerprint)],
        "page_urls": [(url, made.id)],
        "story_keys": [(key, at, made.id) for key in _index_keys(made, df)],
        "story_members": [],
    }
    if made.member is not None:
        # weighed as ingest weighs it when it is stored: its terms as rare as they are now
        weight = sum(term_weight(df[t], made.id) for t in made.terms)
        rows["story_members"].append((made.id, planned.story, at, *made.member[:4], weight))
    return rows


def _index_keys(made: Generated, df: Counter[str]) -> list[int]:
    from presswatch.stories import LOOKUP_MAX_DF, term_key

    if made.member is None:
        return []
    terms = [term_key(t) for t in made.terms if df[t] <= LOOKUP_MAX_DF]
    return sorted([*made.sample, *terms])


# ---------------------------------------------------------------------------------------------
# the databases


class SqliteSink:
    def __init__(self, path: Path) -> None:
        from presswatch.storage.db import open_database
        from presswatch.storage.fulltext import FTS5_TABLE

        open_database(f"sqlite:///{path}").dispose()
        self.fts_table = FTS5_TABLE
        self.stamp = Stamp("sqlite")
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-1000000")  # 1 GB: the story index grows in memory
        first = self.stamp(datetime(2020, 1, 1))
        self.db.executemany(
            "INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?)",
            [(n + 1, name, first) for n, name in enumerate(SOURCES)],
        )
        self.batch: dict[str, list[tuple[Any, ...]]] = {t: [] for t in COLUMNS}
        self.fts: list[tuple[int, str, str]] = []

    def add(self, planned: Planned, made: Generated, df: Counter[str]) -> None:
        for table, rows in table_rows(planned, made, df, self.stamp).items():
            self.batch[table].extend(rows)
        assert made.fts is not None
        self.fts.append((made.id, *made.fts))
        if len(self.batch["clippings"]) >= BATCH:
            self.flush()

    def flush(self) -> None:
        self.batch["story_keys"].sort()
        for table, rows in self.batch.items():
            if rows:
                names = COLUMNS[table]
                marks = ", ".join("?" * len(names.split(",")))
                self.db.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
                rows.clear()
        self.db.executemany(
            f"INSERT INTO {self.fts_table} (rowid, title, text) VALUES (?, ?, ?)", self.fts
        )
        self.fts.clear()
        self.db.commit()

    def finish(self, stories: Stories) -> None:
        self.batch["stories"].extend(stories.story_rows(self.stamp))
        self.batch["story_terms"].extend(stories.term_rows())
        self.flush()
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


class PostgresqlSink:
    def __init__(self, url: str, stack: contextlib.ExitStack[Any]) -> None:
        import psycopg

        from presswatch.storage.db import open_database

        self.info = conninfo(url)
        open_database(url).dispose()
        with psycopg.connect(self.info) as connection:
            self.schema = schema_of(connection, BIG_TABLES)
            drop_schema(connection, self.schema)
            connection.execute(
                "INSERT INTO sources (id, name, created_at) SELECT n, (%s::text[])[n],"
                " '2020-01-01+00' FROM generate_series(1, %s) n",
                (list(SOURCES), len(SOURCES)),
            )
        self.stamp = Stamp("postgresql")
        columns = dict(COLUMNS, clippings=COLUMNS["clippings"] + ", search_vector")
        self.writers = copy_writers(stack, self.info, columns)

    def add(self, planned: Planned, made: Generated, df: Counter[str]) -> None:
        for table, rows in table_rows(planned, made, df, self.stamp).items():
            writer = self.writers[table]
            for row in rows:
                writer.write_row((*row, made.tsv) if table == "clippings" else row)

    def finish(self, stories: Stories) -> None:
        for row in stories.story_rows(self.stamp):
            self.writers["stories"].write_row(row)
        for term_row in stories.term_rows():
            self.writers["story_terms"].write_row(term_row)

    def rebuild(self) -> dict[str, float]:
        import psycopg

        phases = {}
        started = time.perf_counter()
        rebuild_schema(self.info, self.schema)
        phases["indexes, keys, foreign keys"] = time.perf_counter() - started
        with psycopg.connect(self.info, autocommit=True) as connection:
            phases |= set_sequences_and_analyze(connection)
        return phases


def fill(
    planned: Plan, sqlite_path: Path | None, postgresql_url: str | None
) -> dict[str, dict[str, float]]:
    """The planned clippings into the (new) SQLite file and the (empty) PostgreSQL database,
    either or both; each database's phases' seconds."""
    backends = frozenset(
        name
        for name, there in (("sqlite", sqlite_path), ("postgresql", postgresql_url))
        if there is not None
    )
    phases: dict[str, dict[str, float]] = {name: {} for name in backends}
    stories = Stories()
    progress = Progress(len(planned.clippings))
    with contextlib.ExitStack() as stack:
        started = time.perf_counter()
        sinks: list[SqliteSink | PostgresqlSink] = []
        if sqlite_path is not None:
            sinks.append(SqliteSink(sqlite_path))
        pg: PostgresqlSink | None = None
        if postgresql_url is not None:
            pg = PostgresqlSink(postgresql_url, stack)
            sinks.append(pg)
        set_up = time.perf_counter() - started
        started = time.perf_counter()
        for each, made in generated(planned, backends):
            stories.add(each, made)
            for sink in sinks:
                sink.add(each, made, stories.df)
            if each.id % 1000 == 0:
                progress(each.id)
        for sink in sinks:
            sink.finish(stories)
        progress(len(planned.clippings))
        print()
        writing = time.perf_counter() - started
    for name in backends:
        phases[name]["schema (migrations), drop keys"] = set_up
        phases[name]["generate + write (both at once)"] = writing
    if pg is not None:
        phases["postgresql"] |= pg.rebuild()
    return phases
