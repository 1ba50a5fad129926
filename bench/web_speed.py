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

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
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
    paragraphs = prose.paragraphs(rng.randint(250, 700))
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
                len(text.split()), fingerprint, duplicate_of,
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
    db.close()
    print()


def _flush(db: sqlite3.Connection, clippings: list, matches: list, reviews: list) -> None:  # type: ignore[type-arg]
    from presswatch.extractors.fingerprint import band_keys

    db.executemany(
        "INSERT INTO clippings (id, source_id, url, canonical_url, title, author, published,"
        " fetched, language, site_name, description, image, text, word_count, fingerprint,"
        " duplicate_of) VALUES (" + ", ".join("?" * 16) + ")",
        clippings,
    )
    db.executemany(
        "INSERT INTO fingerprint_bands (band_key, clipping_id, fingerprint) VALUES (?, ?, ?)",
        [(key, row[0], row[14]) for row in clippings for key in band_keys(row[14])],
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


# ---------------------------------------------------------------------------------------------
# timing


TARGET_MS = 200.0


def requests_to_time(newest_id: int) -> list[tuple[str, str, str]]:
    """(kind, label, path) of every request timed; kind "list", "filter" and "search" are held
    to the target."""
    today = datetime.now(UTC).date()
    week_from, week_to = today - timedelta(days=300), today - timedelta(days=294)
    week = f"from={week_from}&to={week_to}"
    return [
        ("list", "list, first page", "/"),
        ("list", "list, page 20", "/?page=20"),
        ("filter", "topic", "/?topic=health"),
        ("filter", "source", "/?source=ledger"),
        ("filter", "a week ten months ago", f"/?{week}"),
        ("filter", "since a date (open end)", f"/?from={today - timedelta(days=200)}"),
        ("filter", "not reviewed", "/?status=unreviewed"),
        ("filter", "starred", "/?starred=1"),
        ("filter", "topic + source + week + not reviewed",
            f"/?topic=housing&source=courier&{week}&status=unreviewed"),
        ("search", "one word", "/?q=council"),
        ("search", "a phrase", "/?q=%22flood+defences%22"),
        ("search", "a prefix", "/?q=pension*"),
        ("search", "word + topic + week", f"/?q=residents&topic=energy&{week}"),
        ("search", "common word + rare filter (starred)", "/?q=the&starred=1"),
        ("search", "no hit", "/?q=zzyzx"),
        ("other", "JSON API, first page", "/api/clippings"),
        ("other", "JSON API, search", "/api/clippings?q=council"),
        ("other", "one clipping", f"/clippings/{newest_id - 7}"),
        ("other", "topics (30-day charts)", "/topics"),
        ("other", "sources", "/sources"),
        ("other", "alerts", "/alerts"),
        ("other", "Atom feed of a topic", "/topics/health/feed.xml"),
    ]  # fmt: skip


def write_config(directory: Path, database: Path) -> Path:
    lines = [f'[database]\nurl = "sqlite:///{database}"\n']
    for n, name in enumerate(SOURCES):
        schedule = f'cron = "{n} 6 * * *"' if n % 3 == 0 else f'every = "{15 * (n + 1)}m"'
        lines.append(
            f'[[sources]]\nname = "{name}"\nfeeds = ["https://{name}.example/rss.xml"]\n'
            f"{schedule}\n"
        )
    for name, (query, _stories) in TOPICS.items():
        lines.append(f"[[topics]]\nname = \"{name}\"\nquery = '{query}'\n")
    path = directory / "presswatch.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def start_server(config: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "presswatch", "--config", str(config), "serve", "--port=0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "review page at http://127.0.0.1:PORT/ ..."
    url = next((word for word in line.split() if word.startswith("http://")), None)
    if url is None:
        process.kill()
        raise SystemExit(f"presswatch serve did not start: {line!r}")
    return process, url.rstrip("/")


def time_requests(
    base_url: str, requests: Sequence[tuple[str, str, str]], repeat: int
) -> list[tuple[str, str, str, float, float, int]]:
    """(kind, label, path, median ms, slowest ms, bytes) per request, after one warm-up each."""
    import httpx

    out = []
    with httpx.Client(base_url=base_url, headers={"Accept": "text/html"}, timeout=60) as client:
        for kind, label, path in requests:
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            out.append(
                (kind, label, path, statistics.median(times), max(times), len(response.content))
            )
    return out


def query_plans(database: Path, requests: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Per list, filter and search path: the plan of the SQL that picks the page's ids."""
    from sqlalchemy import event
    from starlette.datastructures import QueryParams

    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository
    from presswatch.web.listing import PAGE_SIZE, parse_view

    engine = open_database(f"sqlite:///{database}")
    repository = Repository(engine)
    seen: list[tuple[str, object]] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, parameters, _ctx, _many: seen.append((statement, parameters)),
    )
    plans = {}
    for kind, _label, path in requests:
        if kind not in ("list", "filter", "search"):
            continue
        seen.clear()
        view = parse_view(QueryParams(path.partition("?")[2]))
        repository.clipping_page(view.wanted, offset=view.offset, limit=PAGE_SIZE)
        statement, parameters = next(s for s in seen if s[0].lstrip().startswith("SELECT"))
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)  # type: ignore[arg-type]
            plans[path] = _summary([row[3] for row in rows])
    engine.dispose()
    return plans


def _summary(details: list[str]) -> str:
    """One line: the indexes used, and any table read from end to end."""
    used = []
    for detail in details:
        scan = detail.startswith("SCAN ") and "USING" not in detail and "VIRTUAL" not in detail
        if scan:
            used.append(f"FULL SCAN of {detail.split()[1]}")
        elif "VIRTUAL TABLE" in detail:
            used.append("FTS5 index")
        elif " INDEX " in detail:
            used.append(detail.split(" INDEX ")[1].split()[0])
        elif "INTEGER PRIMARY KEY" in detail:
            used.append("rowid")
    return ", ".join(dict.fromkeys(used))


def baselines(database: Path) -> list[tuple[str, float, float]]:
    """SQL only, median ms: ours against the same question without the indexes."""
    db = sqlite3.connect(database)
    today = datetime.now(UTC).date()
    start = f"{today - timedelta(days=300)} 00:00:00"
    end = f"{today - timedelta(days=293)} 00:00:00"
    dated = (
        "((published >= ? AND published < ?) OR (published IS NULL AND fetched >= ? AND"
        " fetched < ?))"
    )
    pairs = [
        (
            "search a phrase, newest first: FTS5 vs LIKE over title and text",
            "SELECT rowid FROM clippings_fts WHERE clippings_fts MATCH '\"wind farm tender\"'"
            " ORDER BY rowid DESC LIMIT 51",
            "SELECT id FROM clippings WHERE title LIKE '%wind farm tender%'"
            " OR text LIKE '%wind farm tender%' ORDER BY id DESC LIMIT 51",
            (),
        ),
        (
            "search a word no clipping has: FTS5 vs LIKE (reads every text)",
            "SELECT rowid FROM clippings_fts WHERE clippings_fts MATCH '\"zzyzx\"'"
            " ORDER BY rowid DESC LIMIT 51",
            "SELECT id FROM clippings WHERE title LIKE '%zzyzx%' OR text LIKE '%zzyzx%'"
            " ORDER BY id DESC LIMIT 51",
            (),
        ),
        (
            "a week ten months ago: ix_clippings_duplicate_of_published vs NOT INDEXED",
            f"SELECT id FROM clippings WHERE duplicate_of IS NULL AND {dated}"
            " ORDER BY id DESC LIMIT 51",
            f"SELECT id FROM clippings NOT INDEXED WHERE duplicate_of IS NULL AND {dated}"
            " ORDER BY id DESC LIMIT 51",
            (start, end, start, end),
        ),
    ]
    out = []
    for label, ours, theirs, params in pairs:
        timings = []
        for sql in (ours, theirs):
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                db.execute(sql, params).fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings.append(statistics.median(runs))
        out.append((label, timings[0], timings[1]))
    db.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clippings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the database here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="presswatch-web-bench-") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        database = directory / f"web-{args.clippings}.db"
        if not database.exists():
            print(f"building {args.clippings:,} clippings in {database} ...")
            started = time.perf_counter()
            build_database(database, args.clippings)
            print(f"built in {time.perf_counter() - started:.0f} s")
        else:
            print(f"reusing {database}")
        size_mb = database.stat().st_size / 1e6
        with sqlite3.connect(database) as db:
            count, newest = db.execute("SELECT count(*), max(id) FROM clippings").fetchone()
        print(f"{count:,} clippings, {size_mb:.0f} MB (WAL mode; SQLite {sqlite3.sqlite_version})")
        config = write_config(directory, database)
        requests = requests_to_time(newest)
        plans = query_plans(database, requests)
        server, base_url = start_server(config)
        try:
            results = time_requests(base_url, requests, args.repeat)
        finally:
            server.terminate()
            server.wait(timeout=30)
            assert server.stdout is not None
            server.stdout.close()
        sql_baselines = baselines(database)

    print(f"\nHTTP GET to `presswatch serve` on 127.0.0.1, median and slowest of {args.repeat}:")
    header = f"{'kind':<7}{'request':<40}{'median ms':>10}{'max ms':>9}{'KiB':>7}"
    print(f"{header}  plan (the SQL that picks the page's ids)")
    failed = []
    for kind, label, path, median, slowest, size in results:
        figures_text = f"{median:>10.1f}{slowest:>9.1f}{size / 1024:>7.0f}"
        print(f"{kind:<7}{label:<40}{figures_text}  {plans.get(path, '')}")
        if kind in ("list", "filter", "search") and median >= TARGET_MS:
            failed.append(label)
        if "FULL SCAN" in plans.get(path, ""):
            failed.append(f"{label} (scan)")
    print("\nbaseline, SQL only (median ms): the same question with and without our index")
    for label, ours, theirs in sql_baselines:
        print(f"  {label}: {ours:.1f} vs {theirs:.1f} ({theirs / max(ours, 0.01):.0f}x)")
    print(
        f"\nlist, filters and searches under {TARGET_MS:.0f} ms, from indexes: "
        + ("PASS" if not failed else f"FAIL ({', '.join(failed)})")
    )
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
