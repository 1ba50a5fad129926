"""Review page speed: list, filters and searches over 100,000 clippings in SQLite.

Builds a database the way presswatch stores it (the real schema and migrations, the FTS5 index
kept by its triggers) with N synthetic but news-like clippings spread over a year: 12 sources,
8 topics, one in ten clippings a syndicated copy, a third reviewed, one in a hundred starred,
crawl runs and an alert outbox. Then starts a real `presswatch serve` on 127.0.0.1 and times
HTTP requests (median and slowest of --repeat runs, after one warm-up each) for the first page
of the list, filters, searches, the API and the other pages.

Beside each figure: the query plan of its main SQL statement in one line (SCAN = reads the whole
table, SEARCH/INDEX = answered from an index), and as a baseline the same first page of the list
forced to scan the table (`NOT INDEXED`), measured in the same run.

    python bench/web_speed.py [--clippings 100000] [--repeat 9] [--keep DIR]

--keep DIR keeps (and on the next run reuses) the database, which takes a minute to build.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path

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
BATCH = 2000
DAYS = 365


def _article(index: int, seed: int) -> tuple[str, str, str, str]:
    """(title, text, author, story topic) of one generated article."""
    from crawl_throughput import _Prose  # the crawl benchmark's news-like prose

    rng = random.Random(f"{seed}/{index}")
    prose = _Prose(rng)
    target_words = rng.randint(250, 700)
    paragraphs: list[str] = []
    words = 0
    while words < target_words:
        paragraph = prose.paragraph()
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    return prose.headline(), "\n\n".join(paragraphs), prose.person(), prose.topic


def _articles(args: tuple[int, int, int]) -> list[tuple[str, str, str, str]]:
    start, stop, seed = args
    return [_article(i, seed) for i in range(start, stop)]


def _generated(count: int, seed: int) -> Iterator[tuple[str, str, str, str]]:
    """Every article, generated on every core (in order)."""
    chunks = [(start, min(start + BATCH, count), seed) for start in range(0, count, BATCH)]
    with get_context("spawn").Pool() as pool:
        for chunk in pool.imap(_articles, chunks):
            yield from chunk


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


def build_database(path: Path, count: int, seed: int = 7) -> None:
    """A presswatch database at `path` with `count` clippings (schema from the migrations)."""
    from presswatch.extractors.fingerprint import bands
    from presswatch.storage.db import open_database

    open_database(f"sqlite:///{path}").dispose()
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(days=DAYS)
    step_s = DAYS * 86400 / count
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")

    def stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")

    db.executemany(
        "INSERT INTO sources (id, name, created_at) VALUES (?, ?, ?)",
        [(n + 1, name, stamp(first)) for n, name in enumerate(SOURCES)],
    )
    for n in range(len(SOURCES)):  # a crawl a day per source
        for day in range(DAYS):
            started = first + timedelta(days=day, hours=n)
            errors = 3 if (n == 4 and day > DAYS - 3) else 0
            db.execute(
                "INSERT INTO crawl_runs (source_id, started_at, finished_at, status, discovered,"
                " known, fetched, not_modified, extracted, not_articles, stored, duplicates,"
                " matched, errors) VALUES (?, ?, ?, 'finished', 40, 20, 20, 2, 18, 1, 17, 2,"
                " 5, ?)",
                (n + 1, stamp(started), stamp(started + timedelta(seconds=42)), errors),
            )
    originals: list[tuple[int, str]] = []  # (id, source) of recent originals, for copies
    topic_of_story = {story: name for name, (_q, stories) in TOPICS.items() for story in stories}
    clippings, matches, reviews = [], [], []
    for index, (title, text, author, story) in enumerate(_generated(count, seed)):
        clipping_id = index + 1
        fetched = first + timedelta(seconds=index * step_s)
        published = (
            None if rng.random() < 0.05 else fetched - timedelta(minutes=rng.randint(5, 600))
        )
        source = rng.randrange(len(SOURCES)) + 1
        duplicate_of = None
        if originals and rng.random() < COPY_SHARE:
            duplicate_of, _ = rng.choice(originals[-200:])
            title = f"{title} (agency)"
        else:
            originals.append((clipping_id, SOURCES[source - 1]))
        fingerprint = rng.getrandbits(63)
        url = f"https://{SOURCES[source - 1]}.example/news/{clipping_id}.html"
        clippings.append(
            (
                clipping_id, source, url, url, title, author,
                stamp(published) if published else None, stamp(fetched), "en",
                SOURCES[source - 1].replace("-", " ").title(), text[:180], None, text,
                len(text.split()), fingerprint, *bands(fingerprint), duplicate_of,
            )
        )  # fmt: skip
        topic = topic_of_story.get(story)
        if topic:
            phrase = story.removeprefix("the ")
            matches.append((topic, clipping_id, _snippet(text, phrase), stamp(fetched), False))
        roll = rng.random()
        if roll < REVIEWED_SHARE and duplicate_of is None:
            starred = rng.random() < STARRED_SHARE / REVIEWED_SHARE
            note = "Quote from our spokesperson; send to the board." if starred else None
            reviewed = stamp(fetched + timedelta(hours=2))
            reviews.append((clipping_id, reviewed, starred, note, reviewed))
        if len(clippings) >= BATCH:
            _flush(db, clippings, matches, reviews)
            print(f"\r  {clipping_id:,} clippings stored", end="", flush=True)
    _flush(db, clippings, matches, reviews)
    _add_alerts(db, rng, now)
    db.commit()
    db.execute("PRAGMA optimize")
    db.close()
    print()


def _flush(db: sqlite3.Connection, clippings: list, matches: list, reviews: list) -> None:  # type: ignore[type-arg]
    db.executemany(
        "INSERT INTO clippings (id, source_id, url, canonical_url, title, author, published,"
        " fetched, language, site_name, description, image, text, word_count, fingerprint,"
        " fp_band0, fp_band1, fp_band2, fp_band3, fp_band4, fp_band5, duplicate_of)"
        " VALUES (" + ", ".join("?" * 22) + ")",
        clippings,
    )
    db.executemany(
        "INSERT INTO page_urls (url_key, clipping_id) VALUES (?, ?)",
        [(row[3], row[0]) for row in clippings],
    )
    db.executemany(
        "INSERT INTO matches (topic, clipping_id, snippets, matched_at, backfilled)"
        " VALUES (?, ?, ?, ?, ?)",
        matches,
    )
    db.executemany(
        "INSERT INTO clipping_reviews (clipping_id, reviewed_at, starred, note, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        reviews,
    )
    db.commit()
    clippings.clear()
    matches.clear()
    reviews.clear()


def _add_alerts(db: sqlite3.Connection, rng: random.Random, now: datetime) -> None:
    rows = db.execute(
        "SELECT topic, clipping_id FROM matches ORDER BY clipping_id DESC LIMIT 600"
    ).fetchall()
    for n, (topic, clipping_id) in enumerate(rows):
        status = "failed" if n % 97 == 0 else "pending" if n % 31 == 0 else "sent"
        error = "webhook answered 502 Bad Gateway" if status != "sent" else None
        when = (now - timedelta(minutes=n * 7)).replace(tzinfo=None).isoformat(sep=" ")
        cursor = db.execute(
            "INSERT INTO alerts (delivery_id, topic, channel, event, status, attempts,"
            " next_attempt_at, last_error, created_at, sent_at) VALUES (?, ?, ?, 'alert', ?, ?,"
            " ?, ?, ?, ?)",
            (
                f"bench{n:06d}",
                topic,
                rng.choice(("desk", "ops")),
                status,
                8 if status == "failed" else 1,
                when,
                error,
                when,
                when if status == "sent" else None,
            ),
        )
        db.execute(
            "INSERT INTO alert_items (alert_id, topic, channel, clipping_id)"
            " SELECT ?, topic, channel, ? FROM alerts WHERE id = ?",
            (cursor.lastrowid, clipping_id, cursor.lastrowid),
        )
