"""Story clustering's cost at ingest: ms per clipping at N stored clippings (issue 18's criterion:
<= 5 ms per clipping at 100,000 clippings, on SQLite and on PostgreSQL).

Fills each database with N clippings over D days, told as stories of 1-8 clippings with the
story rows ingest would have written (story_fill.py), then stores new clippings through the
real ingest.add_clippings, in batches like a crawl's: half start new stories, half are copies,
rewrites and other outlets' reports of stories of the last 48 hours. Timed, around the
functions ingest imported from presswatch.clustering and StoryBatch's steps (wrapped here, in
the bench only): features_of, count_terms and StoryBatch.flush (per batch, shared out over its
clippings), StoryBatch.place and settle (per clipping); beside it, in the same run,
add_clippings as a whole, and add_clippings with those made no-ops (no features, no term
counts, every clipping put in story 1 without a lookup, nothing indexed), its batches
alternating with the measured ones on the same database. Printed per database: mean, p50 and
p95 ms per clipping of each, the candidate lookup's share, the verdict, story_keys rows per
clipping, the story tables' size, the share of copies and rewrites that joined their story (and
of new stories that stayed alone), and the candidate query's plan for the slowest lookup.

    python bench/story_cost.py [--database sqlite|postgresql|both] [--clippings 100000]
        [--days 30] [--new 500] [--batch 25] [--keep DIR] [--postgresql-url URL]

The filled databases are copied before they are measured (SQLite: the file; PostgreSQL:
CREATE DATABASE ... TEMPLATE); --keep DIR keeps the filled ones (the SQLite file in DIR, the
PostgreSQL database as <name>_filled) and a later run with the same shape measures copies of
them again without filling. PostgreSQL: 127.0.0.1 as user postgres, or --postgresql-url.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from story_fill import (
    FILL_VERSION,
    MEMBER_KINDS,
    STORY_TABLES,
    WIRES,
    Kind,
    Plan,
    fill,
    plan,
    story_text,
)
from web_fill import SOURCES, admin, database_name, phase_lines

from presswatch import ingest
from presswatch.clustering import Placement, StoryBatch
from presswatch.errors import StorageError
from presswatch.extractors.fingerprint import simhash
from presswatch.ingest import AddResult
from presswatch.model import Article
from presswatch.storage.repository import Repository
from presswatch.stories import StoryFeatures
from presswatch.words import count_words

TARGET_MS = 5.0
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pw_story_bench"
JOINING_SINCE = timedelta(hours=48)  # new reports join stories begun this recently
# what place and settle ask the story store, timed apart (the candidate lookup too)
CLUSTERING = ("features_of", "count_terms")  # as ingest imported them; and StoryBatch's:
BATCH_STEPS = ("place", "settle", "flush")
STORE_METHODS = (
    "story_of",
    "start_story",
    "join_stories",
    "remember",
)
_NO_FEATURES = StoryFeatures(frozenset(), frozenset(), frozenset(), None)


@dataclass(frozen=True, slots=True)
class NewClipping:
    article: Article
    kind: Kind
    story: int | None  # the story it belongs to (None: it starts one)


def new_clippings(planned: Plan, label: str, count: int, seed: int) -> list[NewClipping]:
    """`count` clippings published in the 3 hours before the fill's newest: half starting
    stories, half telling stories of the last 48 hours again (a copy, rewrite or report)."""
    rng = random.Random(f"{seed}/{label}")
    recent = planned.stories_since(planned.now - JOINING_SINCE)
    kinds, weights = list(MEMBER_KINDS), list(MEMBER_KINDS.values())
    out = []
    for n in range(count):
        published = planned.now - timedelta(seconds=rng.uniform(0, 3 * 3600))
        story: int | None = None
        if n % 2:
            original = rng.choice(recent)
            kind: Kind = rng.choices(kinds, weights)[0]
            title, text = story_text(seed, original.story, original.wire, kind, f"{label}{n}")
            story = original.story
        else:
            kind = "original"
            wire = rng.choices(list(WIRES), list(WIRES.values()))[0]
            first = 10_000_000 * (2 if label == "skipped" else 1)  # past the fill's stories
            title, text = story_text(seed, first + n, wire, kind, "")
        url = f"https://{rng.choice(SOURCES)}.example/{label}/{n}.html"
        article = Article(
            url, url, title, None, published, "en", None, None, None, text, count_words(text),
            simhash(text),
        )  # fmt: skip
        out.append(NewClipping(article, kind, story))
    return out


# ---------------------------------------------------------------------------------------------
# timing


@dataclass(slots=True)
class Batch:
    size: int
    whole_s: float = 0.0
    shared_s: float = 0.0  # features_of + count_terms + StoryBatch.flush
    place_s: list[float] = field(default_factory=list)
    settle_s: list[float] = field(default_factory=list)
    lookup_s: list[float] = field(default_factory=list)  # StoryStore.candidates, inside place
    store_s: dict[str, float] = field(default_factory=dict)  # StoryStore's methods, by name

    def clustering_ms(self) -> list[float]:
        """Each new clipping's clustering ms (its share of the batch's features and counts)."""
        share = self.shared_s / self.size
        return [(share + p + s) * 1000 for p, s in zip(self.place_s, self.settle_s, strict=True)]


class Timing:
    """ingest's clustering functions, timed into the current batch (or made no-ops)."""

    def __init__(self, repository: Repository) -> None:
        self.batch = Batch(1)
        self.lookups: list[tuple[float, str, Any]] = []  # (s, SQL, parameters)
        self.real = {name: getattr(ingest, name) for name in CLUSTERING}
        self.real_steps = {name: getattr(StoryBatch, name) for name in BATCH_STEPS}
        stories = repository.stories
        candidates = stories.candidates

        def timed_candidates(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return candidates(*args, **kwargs)
            finally:
                self.batch.lookup_s.append(time.perf_counter() - started)

        stories.candidates = timed_candidates  # type: ignore[method-assign]
        for name in STORE_METHODS:
            setattr(stories, name, self.timed(self.store_method(name), getattr(stories, name)))

    def store_method(self, name: str) -> Callable[[float], None]:
        def add(seconds: float) -> None:
            self.batch.store_s[name] = self.batch.store_s.get(name, 0.0) + seconds

        return add

    def timed(self, into: Callable[[float], None], function: Callable[..., Any]) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                into(time.perf_counter() - started)

        return run

    def measure(self) -> None:
        for name, function in self.real.items():
            setattr(ingest, name, self.timed(self.into_batch(name), function))
        for name, function in self.real_steps.items():
            setattr(StoryBatch, name, self.timed(self.into_batch(name), function))

    def into_batch(self, name: str) -> Callable[[float], None]:
        def add(seconds: float) -> None:  # into the batch of the moment the call ends
            if name == "place":
                self.batch.place_s.append(seconds)
            elif name == "settle":
                self.batch.settle_s.append(seconds)
            else:
                self.batch.shared_s += seconds

        return add

    def skip(self) -> None:
        def no_features(articles: Sequence[Article]) -> list[StoryFeatures]:
            return [_NO_FEATURES] * len(articles)

        def no_place(batch: StoryBatch, article: Article, *_args: Any) -> Placement:
            at = article.published or batch.now
            return Placement(1, "new", at, _NO_FEATURES, indexed=False)

        no_ops: dict[str, Callable[..., Any]] = {
            "features_of": no_features,
            "count_terms": lambda *_args: {},
        }
        for name, function in no_ops.items():
            setattr(ingest, name, function)
        StoryBatch.place = no_place  # type: ignore[method-assign,assignment]
        StoryBatch.settle = lambda *_args: None  # type: ignore[method-assign]
        StoryBatch.flush = lambda *_args: None  # type: ignore[method-assign]

    def restore(self) -> None:
        for name, function in self.real.items():
            setattr(ingest, name, function)
        for name, function in self.real_steps.items():
            setattr(StoryBatch, name, function)


def store(
    repository: Repository, timing: Timing, batch: Sequence[NewClipping], source: int
) -> tuple[Batch, list[AddResult]]:
    timing.batch = Batch(len(batch))
    started = time.perf_counter()
    results = ingest.add_clippings(
        repository, source, None, [(c.article, [c.article.url], ()) for c in batch]
    )
    timing.batch.whole_s = time.perf_counter() - started
    stored = []
    for result in results:
        if isinstance(result, StorageError):
            raise SystemExit(f"story_cost: a clipping failed to store: {result}")
        stored.append(result)
    return timing.batch, stored


@dataclass(slots=True)
class Run:
    measured: list[Batch] = field(default_factory=list)
    skipped: list[Batch] = field(default_factory=list)
    results: list[tuple[NewClipping, AddResult]] = field(default_factory=list)
    statements: list[tuple[str, Any]] = field(default_factory=list)  # the candidate lookups'


def run(url: str, planned: Plan, args: argparse.Namespace) -> Run:
    """The new clippings stored in batches, measured ones alternating with no-op ones."""
    from sqlalchemy import event

    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(url)
    repository = Repository(engine)
    timing = Timing(repository)
    out = Run()

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_a: Any) -> None:
        if "story_keys" in statement and "GROUP BY" in statement:
            out.statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    measured = new_clippings(planned, "measured", args.new + args.batch, args.seed)
    skipped = new_clippings(planned, "skipped", args.new + args.batch, args.seed)
    try:
        for n, start in enumerate(range(0, len(measured), args.batch)):
            source = n % len(SOURCES) + 1
            timing.measure()
            batch, results = store(repository, timing, measured[start : start + args.batch], source)
            timing.skip()
            other, _ = store(repository, timing, skipped[start : start + args.batch], source)
            if n:  # the first pair warms up (statement caches, connections)
                out.measured.append(batch)
                out.skipped.append(other)
                out.results.extend(zip(measured[start : start + args.batch], results, strict=True))
            else:
                out.statements.clear()
    finally:
        timing.restore()
        event.remove(engine, "before_cursor_execute", capture)
    out.statements = out.statements[-len(out.results) :]
    engine.dispose()
    return out


# ---------------------------------------------------------------------------------------------
# the report


def spread(values: Sequence[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"mean {statistics.fmean(ordered):6.2f}  p50 {statistics.median(ordered):6.2f}"
        f"  p95 {p95:6.2f}"
    )


def report(label: str, url: str, result: Run) -> bool:
    clipped = [ms for batch in result.measured for ms in batch.clustering_ms()]
    whole = [b.whole_s * 1000 / b.size for b in result.measured]
    skipped = [b.whole_s * 1000 / b.size for b in result.skipped]
    lookups = [s * 1000 for b in result.measured for s in b.lookup_s]
    places = [s * 1000 for b in result.measured for s in b.place_s]
    settles = [s * 1000 for b in result.measured for s in b.settle_s]
    shared = [b.shared_s * 1000 / b.size for b in result.measured]
    mean = statistics.fmean(clipped)
    ok = mean <= TARGET_MS
    print(f"\n{label}: {len(clipped)} new clippings in batches of {result.measured[0].size}")
    print(
        f"  load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        " (other processes slow both runs alike: the no-op run is the yardstick)"
    )
    print(f"  clustering, ms per clipping:           {spread(clipped)}")
    print(f"    features, term counts, flush (shared): {spread(shared)}")
    print(f"    place:                                {spread(places)}")
    print(f"      of which the candidate lookup:      {spread(lookups)}  ({len(lookups)} lookups)")
    print(f"    settle:                               {spread(settles)}")
    count = sum(len(b.place_s) for b in result.measured)
    spent = {"candidates": sum(lookups) / 1000}
    for batch in result.measured:
        for name, seconds in batch.store_s.items():
            spent[name] = spent.get(name, 0.0) + seconds
    inside = sum(spent.values()) * 1000 / count
    print(
        "    in the story store, ms per clipping: "
        + ", ".join(
            f"{name} {s * 1000 / count:.2f}"
            for name, s in sorted(spent.items(), key=lambda item: -item[1])
        )
        + f"; the rest of place and settle (Python: decoding, the rule) "
        f"{statistics.fmean(places) + statistics.fmean(settles) - inside:.2f}"
    )
    print(f"  add_clippings, ms per clipping (batch): {spread(whole)}")
    print(f"  add_clippings, clustering no-op:        {spread(skipped)}")
    print(
        f"  clustering's share of add_clippings: {100 * mean / statistics.fmean(whole):.0f}%;"
        f" add_clippings minus its no-op run: "
        f"{statistics.fmean(whole) - statistics.fmean(skipped):.2f} ms per clipping"
    )
    print(
        f"  target: clustering <= {TARGET_MS:g} ms per clipping (mean): "
        f"{'PASS' if ok else 'FAIL'} ({mean:.2f} ms)"
    )
    joined: Counter[str] = Counter()
    told: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for clipping, added in result.results:
        told[clipping.kind] += 1
        reasons[f"{clipping.kind}: {added.story_reason}"] += 1
        if clipping.story is None:
            joined[clipping.kind] += added.story_reason == "new"
        else:
            joined[clipping.kind] += added.story_id == clipping.story
    again = sum(n for kind, n in told.items() if kind != "original")
    again_joined = sum(n for kind, n in joined.items() if kind != "original")
    print(
        f"  copies, rewrites and reports that joined their story: {again_joined} of {again}"
        f" ({100 * again_joined / max(again, 1):.1f}%): "
        + ", ".join(f"{k} {joined[k]}/{n}" for k, n in sorted(told.items()) if k != "original")
    )
    print(
        f"  new stories that started a story: {joined['original']} of {told['original']};"
        " how each kind was placed: " + ", ".join(f"{k} {n}" for k, n in sorted(reasons.items()))
    )
    sizes(url)
    explain(url, result)
    return ok


def sizes(url: str) -> None:
    from sqlalchemy import text

    from presswatch.storage.db import create_db_engine

    engine = create_db_engine(url)
    with engine.connect() as connection:
        counts = {
            t: int(connection.scalar(text(f"SELECT count(*) FROM {t}")) or 0)
            for t in ("clippings", "story_members", *STORY_TABLES)
        }
        objects = ", ".join(f"'{t}'" for t in (*STORY_TABLES, "ix_clippings_story_id"))
        if engine.dialect.name == "sqlite":
            btrees = connection.execute(
                text(
                    f"SELECT name, tbl_name FROM sqlite_master WHERE tbl_name IN ({objects})"
                    f" OR name IN ({objects})"
                )
            ).all()
            story: dict[str, int] = {}
            for name, table in btrees:
                size = connection.scalar(
                    text("SELECT pgsize FROM dbstat WHERE name = :name AND aggregate = TRUE"),
                    {"name": name},
                )
                owner = str(name if name == "ix_clippings_story_id" else table)
                story[owner] = story.get(owner, 0) + int(size or 0)
            total = int(connection.scalar(text("PRAGMA page_count")) or 0) * int(
                connection.scalar(text("PRAGMA page_size")) or 0
            )
        else:
            rows = connection.execute(
                text(
                    f"SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
                    f" WHERE c.relname IN ({objects})"
                )
            ).all()
            story = {str(name): int(size) for name, size in rows}
            total = int(connection.scalar(text("SELECT pg_database_size(current_database())")))
    engine.dispose()
    keys_per = counts["story_keys"] / max(counts["clippings"], 1)
    keys_per_member = counts["story_keys"] / max(counts["story_members"], 1)
    print(
        f"  story_keys: {counts['story_keys']:,} rows, {keys_per:.1f} per clipping"
        f" ({keys_per_member:.1f} per indexed clipping: {counts['story_members']:,} of"
        f" {counts['clippings']:,} are indexed, the rest are copies)"
    )
    print(
        f"  size added by the story tables: {sum(story.values()) / 1e6:,.0f} MB of"
        f" {total / 1e6:,.0f} MB ("
        + ", ".join(f"{name} {size / 1e6:,.0f} MB" for name, size in story.items())
        + f"; {sum(story.values()) / max(counts['clippings'], 1) / 1e3:.1f} kB per clipping)"
    )


def explain(url: str, result: Run) -> None:
    """The candidate query's plan for the slowest lookup of the run, and its time again."""
    from sqlalchemy import text

    from presswatch.storage.db import create_db_engine

    lookups = [s for b in result.measured for s in b.lookup_s]
    if not lookups or len(lookups) != len(result.statements):
        return
    slowest = max(range(len(lookups)), key=lookups.__getitem__)
    statement, parameters = result.statements[slowest]
    engine = create_db_engine(url)
    with engine.connect() as connection:
        keys = [v for k, v in _items(parameters) if "keys" in k]
        prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN ANALYZE "
        plan_rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        lines = [str(r[-1]) if engine.dialect.name == "sqlite" else str(r[0]) for r in plan_rows]
        started = time.perf_counter()
        found = connection.exec_driver_sql(statement, parameters).all()
        again_ms = (time.perf_counter() - started) * 1000
        since, until = (v for k, v in _items(parameters) if k.startswith(("since", "until")))
        read = connection.execute(
            text(
                f"SELECT count(*) FROM story_keys WHERE key IN ({', '.join(map(str, keys))})"
                " AND at >= :since AND at <= :until"
            ),
            {"since": since, "until": until},
        ).scalar()
    engine.dispose()
    print(
        f"  slowest candidate lookup: {lookups[slowest] * 1000:.1f} ms ({len(keys)} keys,"
        f" {read:,} story_keys rows in its window, {len(found)} candidates; run again:"
        f" {again_ms:.1f} ms); its plan:"
    )
    for line in lines:
        print(f"    {line}")


def _items(parameters: Any) -> list[tuple[str, Any]]:
    """(name, value) of the candidate query's parameters, one ("keys", key) per key: the keys
    come as an IN list (one parameter each), an array (PostgreSQL) or JSON text (SQLite);
    SQLite's parameters are positional: the keys, then since, until, limit (and offset)."""
    if isinstance(parameters, dict):
        named = [(str(k), v) for k, v in parameters.items()]
    else:
        values = list(parameters)
        tail = 4 if len(values) > 5 else len(values) - 1  # an IN list: offset bound too
        named = [("keys", v) for v in values[:-tail]]
        named += list(zip(("since", "until", "limit", "offset"), values[-tail:], strict=False))
    out: list[tuple[str, Any]] = []
    for name, value in named:
        if name.startswith("keys") and isinstance(value, str):
            out.extend(("keys", key) for key in json.loads(value))
        elif name.startswith("keys") and isinstance(value, list):
            out.extend(("keys", key) for key in value)
        else:
            out.append((name, value))
    return out


# ---------------------------------------------------------------------------------------------
# the databases


@contextmanager
def databases(args: argparse.Namespace, directory: Path) -> Iterator[tuple[Plan, dict[str, str]]]:
    """The plan, and a copy of each filled database to measure (by backend: its URL); the
    copies are dropped at the end, the filled ones too unless --keep."""
    from sqlalchemy import make_url

    keep = Path(args.keep) if args.keep else directory
    keep.mkdir(parents=True, exist_ok=True)
    shape = {"clippings": args.clippings, "days": args.days, "seed": args.seed}
    shape["fill"] = FILL_VERSION
    stamp_file = keep / "story_cost.json"
    saved = json.loads(stamp_file.read_text()) if args.keep and stamp_file.exists() else {}
    backends = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    filled_sqlite = keep / f"story-{args.clippings}.db"
    base = make_url(args.postgresql_url)
    filled_pg = base.set(database=f"{base.database}_filled").render_as_string(False)
    if saved.get("shape") == shape and set(backends) <= set(saved["backends"]):
        print(f"measuring copies of the databases filled before, kept in {keep}")
        planned = plan(args.clippings, args.days, args.seed, datetime.fromisoformat(saved["now"]))
    else:
        planned = plan(args.clippings, args.days, args.seed, datetime.now(UTC))
        filled_sqlite.unlink(missing_ok=True)
        if "postgresql" in backends:
            admin(filled_pg, f'DROP DATABASE IF EXISTS "{database_name(filled_pg)}" WITH (FORCE)')
            admin(filled_pg, f'CREATE DATABASE "{database_name(filled_pg)}"')
        print(
            f"filling {' and '.join(backends)}: {args.clippings:,} clippings over {args.days}"
            " days (one generation feeds every database) ..."
        )
        phases = fill(
            planned,
            filled_sqlite if "sqlite" in backends else None,
            filled_pg if "postgresql" in backends else None,
        )
        for backend, seconds in phases.items():
            print(f" {backend}:")
            for line in phase_lines(seconds, args.clippings, "generate + write (both at once)"):
                print(line)
        if args.keep:
            stamp_file.write_text(
                json.dumps(
                    {"shape": shape, "now": planned.now.isoformat(), "backends": list(backends)}
                )
            )
    copies: dict[str, str] = {}
    try:
        if "sqlite" in backends:
            path = directory / "story-measured.db"
            shutil.copyfile(filled_sqlite, path)
            copies["sqlite"] = f"sqlite:///{path}"
        if "postgresql" in backends:
            url = base.render_as_string(False)
            name = database_name(url)
            admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin(url, f'CREATE DATABASE "{name}" TEMPLATE "{database_name(filled_pg)}"')
            copies["postgresql"] = url
        yield planned, copies
    finally:
        if "postgresql" in copies:
            url = copies["postgresql"]
            admin(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')
        if not args.keep and "postgresql" in backends:
            admin(filled_pg, f'DROP DATABASE IF EXISTS "{database_name(filled_pg)}" WITH (FORCE)')


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgresql-url", default=DEFAULT_PG_URL)
    parser.add_argument("--clippings", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--new", type=int, default=500, help="new clippings measured")
    parser.add_argument("--batch", type=int, default=25, help="clippings per add_clippings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep the filled databases here, and reuse them")
    args = parser.parse_args(argv)
    passed = True
    with tempfile.TemporaryDirectory() as tmp, databases(args, Path(tmp)) as (planned, urls):
        for backend, url in urls.items():
            result = run(url, planned, args)
            label = f"{backend}, {args.clippings:,} clippings over {args.days} days"
            passed = report(label, url, result) and passed
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
