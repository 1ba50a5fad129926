"""Review page speed: list, filters, searches, exports and query previews over N clippings.

Builds a database the way presswatch stores it (the real schema and migrations; the full-text
index written as the application writes it, in presswatch's own words) with N synthetic but
news-like clippings spread over a year: 12 sources, 8 topics, one in ten clippings a syndicated
copy, a third reviewed, one in a hundred starred, crawl runs and an alert outbox (web_fill.py:
SQLite with INSERTs, PostgreSQL with COPY). Then starts a real `presswatch serve` on 127.0.0.1
and times HTTP requests (median and slowest of --repeat runs, after one warm-up each) for the
first page of the list, filters, searches, the API, one clipping, a day's CSV export, query
previews and the other pages, each next to its target.

Beside each figure: the query plan of its main SQL statement in one line (SQLite: SCAN = reads
the whole table, SEARCH/INDEX = answered from an index; PostgreSQL: the indexes of EXPLAIN's
plan, "FULL SCAN" for a sequential scan of a big table, "sort" when every hit is sorted), and
for searches the share of clippings the query matches (the topic matcher over a sample of the
stored clippings; for rare queries a count of the whole table). As a baseline, SQL only: the
same question with and without our index, measured in the same run.

    python bench/web_speed.py [--clippings 100000] [--repeat 9] [--keep [DIR]]
    python bench/web_speed.py --backend postgresql [--database-url URL] [--keep]

SQLite: --keep DIR keeps (and on the next run reuses) the database file there. PostgreSQL: the
database is --database-url (filled when empty, reused when a fill of the same size is in it),
by default pw_web_speed on 127.0.0.1, created and dropped here unless --keep; a fill kept there
is reused by runs of its size and left alone by the others (they use pw_web_speed_N).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from web_fill import (
    SOURCES,
    TOPICS,
    admin,
    conninfo,
    database_name,
    fill_marker,
    fill_postgresql,
    fill_sqlite,
    phase_lines,
    postgresql_fill_marker,
)

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pw_web_speed"
SEED = 7

# ---------------------------------------------------------------------------------------------
# timing

# the targets (median ms): at 1,000,000 clippings on PostgreSQL for the list, filters,
# one clipping, searches and a day's export; at 100,000 on both backends for the preview
TARGET_MS = {
    "list": 50.0,
    "filter": 50.0,
    "clipping": 50.0,
    "search": 200.0,
    "export": 150.0,
    "preview": 300.0,
}
# words of the generator's vocabulary (shares measured on every run, printed with them)
COMMON_WORD = "said"  # in about 83% of the clippings
COMMON_PHRASE = '"on the"'  # both words in every clipping, the phrase in about 70%
RARE_WORD = "norvik"  # a coined name: about 0.1%
BOOLEAN = "(budget OR tender) AND residents AND NOT postponed"
PREVIEW_QUERIES = (*(query for query, _stories in TOPICS.values()), COMMON_WORD, BOOLEAN)
SHARE_SAMPLE = 4000
SHARE_MIN_HITS = 20  # fewer hits in the sample: count the whole table


@dataclass(frozen=True, slots=True)
class Request:
    kind: str  # list, filter, search, clipping, export, preview (held to TARGET_MS), other
    label: str
    path: str
    query: str | None = None  # the search's query, for its share


@dataclass(frozen=True, slots=True)
class Timed:
    request: Request
    median: float
    slowest: float
    size: int
    rows: int | None  # CSV rows of an export


def requests_to_time(newest_id: int) -> list[Request]:
    """Every request timed; the kinds in TARGET_MS are held to their target."""
    today = datetime.now(UTC).date()
    week_from, week_to = today - timedelta(days=300), today - timedelta(days=294)
    week = f"from={week_from}&to={week_to}"
    day = today - timedelta(days=100)

    def search(label: str, query: str, extra: str = "") -> Request:
        return Request("search", label, f"/?q={quote_plus(query)}{extra}", query)

    previews = [
        Request("preview", f"preview 30d: {q}", f"/topics/preview?q={quote_plus(q)}&since=30d", q)
        for q in PREVIEW_QUERIES
    ]
    return [
        Request("list", "list, first page", "/"),
        Request("list", "list, page 20", "/?page=20"),
        Request("filter", "topic", "/?topic=health"),
        Request("filter", "source", "/?source=ledger"),
        Request("filter", "a week ten months ago", f"/?{week}"),
        Request("filter", "since a date (open end)", f"/?from={today - timedelta(days=200)}"),
        Request("filter", "not reviewed", "/?status=unreviewed"),
        Request("filter", "starred", "/?starred=1"),
        Request("filter", "topic + source + week + not reviewed",
                f"/?topic=housing&source=courier&{week}&status=unreviewed"),
        search("one word: council", "council"),
        search(f"a word in most clippings: {COMMON_WORD}", COMMON_WORD),
        search(f"two common words, a phrase: {COMMON_PHRASE}", COMMON_PHRASE),
        search(f"a rare word: {RARE_WORD}", RARE_WORD),
        search(f"boolean: {BOOLEAN}", BOOLEAN),
        search("a phrase", '"flood defences"'),
        search("a prefix", "pension*"),
        search("word + topic + week", "residents", f"&topic=energy&{week}"),
        search("common word + rare filter (starred)", "the", "&starred=1"),
        search("no hit", "zzyzx"),
        Request("clipping", "one clipping", f"/clippings/{newest_id - 7}"),
        Request("export", f"a day's export, CSV ({day})", f"/clippings.csv?from={day}&to={day}"),
        *previews,
        Request("other", "JSON API, first page", "/api/clippings"),
        Request("other", "JSON API, search", "/api/clippings?q=council", "council"),
        Request("other", "topics (30-day charts)", "/topics"),
        Request("other", "sources", "/sources"),
        Request("other", "alerts", "/alerts"),
        Request("other", "Atom feed of a topic", "/topics/health/feed.xml"),
    ]  # fmt: skip


def write_config(directory: Path, database_url: str) -> Path:
    lines = [f'[database]\nurl = "{database_url}"\n']
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
    environment = {k: v for k, v in os.environ.items() if k != "PRESSWATCH_DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "presswatch", "--config", str(config), "serve", "--port=0"],
        stdout=subprocess.PIPE,
        text=True,
        env=environment,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # "review page at http://127.0.0.1:PORT/ ..."
    url = next((word for word in line.split() if word.startswith("http://")), None)
    if url is None:
        process.kill()
        raise SystemExit(f"presswatch serve did not start: {line!r}")
    return process, url.rstrip("/")


def time_requests(base_url: str, requests: Sequence[Request], repeat: int) -> list[Timed]:
    """Median and slowest ms per request, after one warm-up each."""
    import httpx

    out = []
    with httpx.Client(base_url=base_url, headers={"Accept": "text/html"}, timeout=300) as client:
        for request in requests:
            response = client.get(request.path)
            if response.status_code != 200:
                raise SystemExit(f"{request.path}: HTTP {response.status_code}")
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(request.path)
                times.append((time.perf_counter() - started) * 1000)
            rows = None
            if request.kind == "export":
                rows = len(list(csv.reader(io.StringIO(response.text)))) - 1
            out.append(
                Timed(request, statistics.median(times), max(times), len(response.content), rows)
            )
    return out


# ---------------------------------------------------------------------------------------------
# query plans


def query_plans(database_url: str, requests: Sequence[Request]) -> dict[str, str]:
    """Per list, filter and search path: the plan of the SQL that picks the page's ids (for a
    search, the first statement that asks the full-text index), explained on the same
    connection, in the same transaction, just before it runs (so with the session settings
    search.py makes on PostgreSQL)."""
    from sqlalchemy import event
    from starlette.datastructures import QueryParams

    from presswatch.storage.db import create_db_engine
    from presswatch.storage.repository import Repository
    from presswatch.web.listing import PAGE_SIZE, parse_view

    engine = create_db_engine(database_url)
    repository = Repository(engine)
    postgresql = engine.dialect.name == "postgresql"
    found: list[str] = []
    searching = [False]

    def explain(
        _conn: Any, cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool
    ) -> None:
        if found or not statement.lstrip().startswith("SELECT") or "pg_class" in statement:
            return
        if searching[0] and "@@" not in statement and " MATCH " not in statement:
            return
        explainer = cursor.connection.cursor()
        try:
            if postgresql:
                explainer.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                found.append(_pg_summary(explainer.fetchone()[0][0]))
            else:
                explainer.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                found.append(_summary([row[3] for row in explainer.fetchall()]))
        finally:
            explainer.close()

    event.listen(engine, "before_cursor_execute", explain)
    plans = {}
    for request in requests:
        if request.kind not in ("list", "filter", "search"):
            continue
        found.clear()
        view = parse_view(QueryParams(request.path.partition("?")[2]))
        searching[0] = bool(view.wanted.query)
        repository.clipping_page(view.wanted, offset=view.offset, limit=PAGE_SIZE)
        plans[request.path] = found[0] if found else "(no statement seen)"
    engine.dispose()
    return plans


def _summary(details: list[str]) -> str:
    """SQLite, one line: the indexes used, and any table read from end to end."""
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


# tables with a row or more per clipping: a sequential scan of them reads everything
_BIG = {"clippings", "matches", "clipping_reviews", "fingerprint_bands", "page_urls"}


def _pg_summary(plan: dict[str, Any]) -> str:
    """PostgreSQL, one line: the indexes used (backward: newest first; "tests @@": the index
    walks rows and each is tested against the search), any big table read whole, a sort, and
    the planner's estimated cost."""
    used: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        kind, relation = node["Node Type"], node.get("Relation Name")
        index = node.get("Index Name")
        if kind == "Seq Scan":
            used.append(f"FULL SCAN of {relation}" if relation in _BIG else f"seq {relation}")
        elif index:
            backward = " backward" if node.get("Scan Direction") == "Backward" else ""
            tests = " tests @@" if "@@" in node.get("Filter", "") else ""
            used.append(f"{index}{backward}{tests}")
        elif kind in ("Sort", "Incremental Sort"):
            used.append("sort")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return ", ".join(dict.fromkeys(used)) + f" (cost {plan['Plan']['Total Cost']:,.0f})"


# ---------------------------------------------------------------------------------------------
# shares of the searches


def search_shares(database_url: str, queries: Sequence[str]) -> tuple[dict[str, str], int]:
    """Per query, the share of the clippings it matches: the topic matcher over a sample of
    stored clippings (evenly spaced ids); a query with fewer than SHARE_MIN_HITS hits in the
    sample is counted over the whole table with presswatch's own search."""
    from sqlalchemy import func, select

    from presswatch.query import parse_query
    from presswatch.query.evaluate import Document, matches
    from presswatch.storage.db import create_db_engine, reading
    from presswatch.storage.matches import MatchStore
    from presswatch.storage.models import Clipping, Source
    from presswatch.storage.review import ClippingFilter, ReviewStore
    from presswatch.storage.search import all_hits

    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        newest = int(connection.scalar(select(func.max(Clipping.id))) or 0)
        step = max(newest // SHARE_SAMPLE, 1)
        ids = list(range(1, newest + 1, step))
        documents = []
        for start in range(0, len(ids), 1000):
            stmt = (
                select(Clipping.title, Clipping.text, Source.name, Clipping.canonical_url)
                .join(Source, Source.id == Clipping.source_id)
                .where(Clipping.id.in_(ids[start : start + 1000]))
            )
            for title, text, source, url in connection.execute(stmt):
                documents.append(Document.build(title=title, text=text, source=source, url=url))
    review = ReviewStore(engine, MatchStore(engine))
    out = {}
    for query in dict.fromkeys(queries):
        node = parse_query(query)
        hits = sum(1 for document in documents if matches(node, document))
        if hits >= SHARE_MIN_HITS or not documents:
            out[query] = f"{100 * hits / max(len(documents), 1):.1f}%"
            continue
        with reading(engine) as connection:
            candidates = review.search_candidates(connection, ClippingFilter(), node, fold=False)
            total = sum(1 for _ in all_hits(connection, node, candidates))
        out[query] = f"{100 * total / max(newest, 1):.2g}%*"
    engine.dispose()
    return out, len(documents)


# ---------------------------------------------------------------------------------------------
# baselines


def _median_ms(run: Callable[[], object], budget_s: float = 5.0) -> float:
    """Median of up to 5 runs, fewer when they take more than `budget_s` together."""
    runs: list[float] = []
    while len(runs) < 5 and sum(runs) < budget_s * 1000:
        started = time.perf_counter()
        run()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def _fetch_all(db: sqlite3.Connection, sql: str, params: Sequence[str]) -> None:
    db.execute(sql, params).fetchall()


def baselines(database: Path) -> list[tuple[str, float, float]]:
    """SQLite, SQL only, median ms: ours against the same question without the indexes."""
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
        timings = [_median_ms(partial(_fetch_all, db, sql, params)) for sql in (ours, theirs)]
        out.append((label, timings[0], timings[1]))
    db.close()
    return out


def pg_baselines(database_url: str) -> list[tuple[str, float, float]]:
    """PostgreSQL, SQL only, median ms: ours against the same question without the indexes
    (LIKE over title and text; the planner's index scans turned off)."""
    import psycopg

    today = datetime.now(UTC).date()
    start = f"{today - timedelta(days=300)} 00:00:00+00"
    end = f"{today - timedelta(days=293)} 00:00:00+00"
    dated = (
        "((published >= %(s)s AND published < %(e)s) OR (published IS NULL AND"
        " fetched >= %(s)s AND fetched < %(e)s))"
    )
    no_index = (
        "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;"
        " SET LOCAL enable_indexonlyscan = off"
    )
    pairs = [
        (
            "search a phrase (GIN, hits sorted) vs LIKE over title and text, newest first",
            "",
            "SELECT id FROM clippings WHERE search_vector @@"
            " '''wind'' <-> ''farm'' <-> ''tender'''::tsquery ORDER BY id + 0 DESC LIMIT 51",
            "",
            "SELECT id FROM clippings WHERE title LIKE '%%wind farm tender%%'"
            " OR text LIKE '%%wind farm tender%%' ORDER BY id DESC LIMIT 51",
        ),
        (
            "search a word no clipping has: GIN vs LIKE (reads every text)",
            "",
            "SELECT id FROM clippings WHERE search_vector @@ '''zzyzx'''::tsquery"
            " ORDER BY id + 0 DESC LIMIT 51",
            "",
            "SELECT id FROM clippings WHERE title LIKE '%%zzyzx%%' OR text LIKE '%%zzyzx%%'"
            " ORDER BY id DESC LIMIT 51",
        ),
        (
            "a week ten months ago: indexes vs none (sequential scan)",
            "",
            f"SELECT id FROM clippings WHERE duplicate_of IS NULL AND {dated}"
            " ORDER BY id DESC LIMIT 51",
            no_index,
            f"SELECT id FROM clippings WHERE duplicate_of IS NULL AND {dated}"
            " ORDER BY id DESC LIMIT 51",
        ),
    ]
    out = []
    with psycopg.connect(conninfo(database_url)) as connection:

        def run(setup: str, sql: str) -> None:
            with connection.transaction():
                if setup:
                    connection.execute(setup)
                connection.execute(sql, {"s": start, "e": end}).fetchall()

        for label, our_setup, ours, their_setup, theirs in pairs:
            timings = [
                _median_ms(partial(run, setup, sql))
                for setup, sql in ((our_setup, ours), (their_setup, theirs))
            ]
            out.append((label, timings[0], timings[1]))
    return out


# ---------------------------------------------------------------------------------------------
# the databases


def sqlite_database(args: argparse.Namespace, directory: Path) -> tuple[str, str]:
    """(url, description) of the SQLite database, built unless kept from an earlier run."""
    database = directory / f"web-{args.clippings}-words.db"
    if database.exists():
        print(f"reusing {database}")
    else:
        print(f"building {args.clippings:,} clippings in {database} ...")
        phases = fill_sqlite(database, args.clippings, SEED)
        print("\n".join(phase_lines(phases, args.clippings, "generate + insert")))
    size_mb = sum(
        path.stat().st_size / 1e6 for path in (database, Path(f"{database}-wal")) if path.exists()
    )
    with sqlite3.connect(database) as db:
        count = db.execute("SELECT count(*) FROM clippings").fetchone()[0]
    description = (
        f"{count:,} clippings, {size_mb:,.0f} MB (WAL mode; SQLite {sqlite3.sqlite_version})"
    )
    return f"sqlite:///{database}", description


def postgresql_database(
    args: argparse.Namespace, url: str, owned: bool, to_drop: list[str]
) -> tuple[str, str]:
    """(url, description) of the PostgreSQL database, filled unless it holds this fill. A fill
    kept by an earlier run (--keep) is never dropped nor refilled: a run of another size then
    uses a database of its own (pw_web_speed_N). `to_drop` gets the databases created here that
    are to be dropped at the end."""
    import psycopg
    from sqlalchemy import make_url

    marker = fill_marker(args.clippings, SEED)
    found = postgresql_fill_marker(url)
    name = database_name(url)
    if owned and found is not None and found.endswith("; kept") and found != f"{marker}; kept":
        url = make_url(url).set(database=f"{name}_{args.clippings}").render_as_string(False)
        print(f"{name} holds a kept fill ({found}): this run uses {database_name(url)}")
        found = postgresql_fill_marker(url)
        name = database_name(url)
    kept = found is not None and found.endswith("; kept")
    if found in (marker, f"{marker}; kept") and (args.keep is not None or not owned or kept):
        print(f"reusing the PostgreSQL database {name} ({found})")
    else:
        if owned:
            admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin(url, f'CREATE DATABASE "{name}"')
            if args.keep is None:
                to_drop.append(url)
        elif found is not None:
            raise SystemExit(f"{name} holds another fill ({found!r}): give an empty database")
        else:
            try:
                with psycopg.connect(conninfo(url), connect_timeout=5) as connection:
                    tables = connection.execute(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    ).fetchone()
                if tables and tables[0]:
                    raise SystemExit(f"{name} is not empty: give an empty database")
            except psycopg.OperationalError:
                admin(url, f'CREATE DATABASE "{name}"')
        print(f"filling {args.clippings:,} clippings into the PostgreSQL database {name} ...")
        phases = fill_postgresql(url, args.clippings, SEED, kept=args.keep is not None)
        print("\n".join(phase_lines(phases, args.clippings, "generate + COPY")))
    with psycopg.connect(conninfo(url)) as connection:
        row = connection.execute(
            "SELECT count(*), max(id), pg_database_size(current_database()),"
            " pg_total_relation_size('clippings'), version() FROM clippings"
        ).fetchone()
        assert row is not None
        count, _newest, size, clippings_size, version = row
    description = (
        f"{count:,} clippings, {size / 1e6:,.0f} MB ({clippings_size / 1e6:,.0f} MB the clippings"
        f" table with its indexes; {version.split(',')[0]})"
    )
    return url, description


def newest_id(database_url: str) -> int:
    from sqlalchemy import func, select

    from presswatch.storage.db import create_db_engine
    from presswatch.storage.models import Clipping

    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        newest = int(connection.scalar(select(func.max(Clipping.id))) or 0)
    engine.dispose()
    return newest


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url",
        help=f"PostgreSQL: the database to fill or reuse (default: {DEFAULT_PG_URL},"
        " created and dropped here)",
    )
    parser.add_argument("--clippings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--keep",
        type=Path,
        nargs="?",
        const=Path(tempfile.gettempdir()) / "presswatch-web-bench",
        help="keep (and reuse) the database: SQLite in DIR, PostgreSQL not dropped",
    )
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()
    if args.database_url and args.backend != "postgresql":
        parser.error("--database-url is for --backend postgresql")

    print(f"web_speed: {args.backend}, {args.clippings:,} clippings; before: {load()}")
    started = time.perf_counter()
    url = args.database_url or DEFAULT_PG_URL
    owned = args.backend == "postgresql" and args.database_url is None
    to_drop: list[str] = []
    with tempfile.TemporaryDirectory(prefix="presswatch-web-bench-") as tmp:
        directory = args.keep if args.backend == "sqlite" and args.keep else Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        try:
            if args.backend == "sqlite":
                url, description = sqlite_database(args, directory)
            else:
                url, description = postgresql_database(args, url, owned, to_drop)
            print(description)
            requests = requests_to_time(newest_id(url))
            began = time.perf_counter()
            shares, sample = search_shares(url, [r.query for r in requests if r.query])
            plans = query_plans(url, requests)
            print(f"shares and plans in {time.perf_counter() - began:.0f} s")
            config = write_config(directory, url)
            server, base_url = start_server(config)
            try:
                results = time_requests(base_url, requests, args.repeat)
            finally:
                server.terminate()
                server.wait(timeout=30)
                assert server.stdout is not None
                server.stdout.close()
            sql_baselines = []
            if not args.skip_baselines:
                sql_baselines = (
                    baselines(Path(url.removeprefix("sqlite:///")))
                    if args.backend == "sqlite"
                    else pg_baselines(url)
                )
        finally:
            for created in to_drop:
                admin(created, f'DROP DATABASE IF EXISTS "{database_name(created)}" WITH (FORCE)')

    print(f"\nHTTP GET to `presswatch serve` on 127.0.0.1, median and slowest of {args.repeat}:")
    header = (
        f"{'kind':<9}{'request':<56}{'share':>7}{'median ms':>10}{'max ms':>9}{'KiB':>7}"
        f"{'target':>8}      "
    )
    print(f"{header}plan (the SQL that picks the page's ids)")
    failed = []
    for timed in results:
        request = timed.request
        label = request.label
        if timed.rows is not None:
            label = f"{label}: {timed.rows:,} rows"
        share = shares.get(request.query, "") if request.query else ""
        target = TARGET_MS.get(request.kind)
        verdict = ""
        if target is not None:
            over = timed.median >= target
            verdict = f"{target:>8.0f} {'over' if over else 'ok':<5}"
            if over:
                failed.append(f"{request.label} {timed.median:.0f} ms")
        else:
            verdict = " " * 14
        figures = f"{timed.median:>10.1f}{timed.slowest:>9.1f}{timed.size / 1024:>7.0f}"
        plan = plans.get(request.path, "")
        print(f"{request.kind:<9}{label[:55]:<56}{share:>7}{figures}{verdict} {plan}")
        if "FULL SCAN" in plan:
            failed.append(f"{request.label} (scan)")
    print(
        f"share: of the clippings the query matches (the matcher over {sample:,} stored"
        " clippings; *: a rare query, counted over the whole table)"
    )
    if sql_baselines:
        print("\nbaseline, SQL only (median ms): the same question with and without our index")
        for label, ours, theirs in sql_baselines:
            ratio = theirs / max(ours, 0.01)
            times = f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x"
            print(f"  {label}: {ours:.1f} vs {theirs:.1f} ({times})")
    targets = ", ".join(f"{kind} {ms:.0f}" for kind, ms in TARGET_MS.items())
    print(
        f"\nunder target (ms: {targets}), from indexes: "
        + ("PASS" if not failed else f"FAIL ({'; '.join(failed)})")
    )
    print(f"{description}; {time.perf_counter() - started:.0f} s in all; after: {load()}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
