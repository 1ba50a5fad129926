"""Distributed mode at scale: crawl pages/s with 1, 2 and 3 workers, and the store-and-match,
rematch and delivery rates with 100,000 clippings in the database.

Part 1 serves a 1,000-page site (10 sources of 100 distinct articles) on loopback and, for 1, 2
and 3 `presswatch worker` processes sharing the local Redis and one fresh database, times
`presswatch crawl` (it puts the 10 crawls on the queue and waits for the workers): pages/s, next
to 1 worker as the baseline. Part 2 fills a database to --clippings (100,000) through the real
storage path (ingest.add_clippings with each article's topic matches; 20 topics), reporting
articles/s stored and matched at the start and near the end; then times `topics rematch` of one
topic over every stored clipping, and the delivery of 2,000 queued alerts to a loopback webhook
by two senders at once (claims keep them from sending any alert twice).

    python bench/scale.py [--backend postgresql|sqlite] [--clippings 100000]
                          [--skip-workers] [--skip-storage]

Each measurement gets a fresh database: on PostgreSQL at 127.0.0.1 (the default when it
answers; databases presswatch_scale_* are created and dropped), or SQLite files. Needs Redis on
127.0.0.1:6379 for part 1.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from crawl_throughput import sitemap_xml  # bench/ is on sys.path when run as a script
from sqlalchemy import Engine
from synthetic_pages import distinct_pages

from presswatch.loopback import LoopbackSite, Route
from presswatch.sinks import WebhookSink

REDIS_URL = "redis://127.0.0.1:6379/0"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1/postgres"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1/presswatch_scale"
WORDS = (
    *("harbour", "council", "budget", "rail", "strike", "election", "court", "energy", "grid"),
    *("housing", "water", "school", "hospital", "tariff", "port", "drought", "flood"),
    *("wildfire", "vaccine", "minister"),
)


# ---------------------------------------------------------------------------------------------
# backends


def postgres_answers() -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, connect_args={"connect_timeout": 2})
    try:
        with engine.connect() as c:
            c.execute(text("select 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def fresh_database(backend: str, workdir: Path, tag: str) -> str:
    """A new, empty database for one measurement."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / f'{tag}.db'}"
    from sqlalchemy import create_engine, text

    name = f"presswatch_scale_{tag}"
    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_BENCH.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


# ---------------------------------------------------------------------------------------------
# part 1: workers


def serve_site(site: LoopbackSite, sources: int, per_source: int) -> list[str]:
    pages = distinct_pages([site.base_url] * (sources * per_source), seed=11)
    names = []
    for s in range(sources):
        name = f"section{s}"
        links = []
        for n in range(per_source):
            index = s * per_source + n
            path = f"/news/{index:05d}.html"  # the path distinct_pages wrote as canonical
            site.add(path, Route(pages[index].encode(), headers={"Content-Type": "text/html"}))
            links.append(site.url(path))
        site.add(
            f"/{name}/sitemap.xml",
            Route(sitemap_xml(links).encode(), headers={"Content-Type": "application/xml"}),
        )
        names.append(name)
    return names


def worker_config(workdir: Path, site: LoopbackSite, sources: list[str], db_url: str) -> Path:
    tables = "".join(
        f'[[sources]]\nname = "{s}"\nsitemaps = ["{site.url(f"/{s}/sitemap.xml")}"]\n\n'
        for s in sources
    )
    path = workdir / "presswatch.toml"
    path.write_text(
        f"""[database]
url = "{db_url}"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
concurrency = 32
per_domain_concurrency = 16
[queue]
url = "{REDIS_URL}"
name = "scale-{uuid.uuid4().hex[:8]}"
[service]
parallel_crawls = 4
{tables}""",
        encoding="utf-8",
    )
    return path


def time_workers(
    count: int, workdir: Path, site: LoopbackSite, sources: list[str], backend: str
) -> float:
    db_url = fresh_database(backend, workdir, f"workers{count}")
    config = worker_config(workdir, site, sources, db_url)
    command = [sys.executable, "-m", "presswatch", "--config", str(config)]
    subprocess.run([*command, "status"], capture_output=True, check=True)  # schema, once
    logs = [workdir / f"worker{count}-{n}.log" for n in range(count)]
    workers = [
        subprocess.Popen([*command, "worker"], stdout=log.open("w"), stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while not all("taking crawls" in log.read_text() for log in logs):
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start: " + logs[0].read_text()[-2000:])
            time.sleep(0.2)
        started = time.monotonic()
        done = subprocess.run([*command, "crawl"], capture_output=True, text=True, timeout=900)
        elapsed = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"crawl failed: {done.stderr}")
    finally:
        for process in workers:
            process.terminate()
        for process in workers:
            process.wait(60)
    from sqlalchemy import func, select

    from presswatch.storage.db import open_database
    from presswatch.storage.models import Clipping

    engine = open_database(db_url)
    with engine.connect() as c:
        stored = c.scalar(select(func.count()).select_from(Clipping))
    engine.dispose()
    drop_database(db_url)
    if stored != len(sources) * 100:
        raise SystemExit(f"{count} worker(s): {stored} clippings stored, not {len(sources) * 100}")
    return (len(sources) * 100) / elapsed


# ---------------------------------------------------------------------------------------------
# part 2: 100,000 clippings


def synthetic_article(index: int, rng: random.Random):  # type: ignore[no-untyped-def]
    from presswatch.extractors.fingerprint import simhash
    from presswatch.model import Article

    words = [
        rng.choice(WORDS) if rng.random() < 0.05 else f"w{rng.randrange(50_000)}"
        for _ in range(300)
    ]
    text = "\n\n".join(" ".join(words[i : i + 60]) + "." for i in range(0, 300, 60))
    url = f"https://news.example.org/{index:07d}.html"
    return Article(
        url=url,
        canonical_url=url,
        title=f"Story {index} " + " ".join(rng.sample(WORDS, 3)),
        author=None,
        published=None,
        language="en",
        site_name="Example",
        description=None,
        image=None,
        text=text,
        word_count=300,
        fingerprint=simhash(text),
    )


class _StatisticsKeeper:
    """PostgreSQL plans from table statistics, which autovacuum keeps (it analyzes a table
    once about 10% of it changed). Where the server runs with autovacuum off, as this
    machine's does, a table filled from empty would keep the statistics of an empty table and
    be read whole by every lookup; so this does what autovacuum would: ANALYZE after every 10%
    of growth, outside the timed batches."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.active = False
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                self.active = connection.exec_driver_sql("SHOW autovacuum").scalar() == "off"
        if self.active:
            print("  (autovacuum is off on this server: ANALYZE after each 10% of growth)")
        self.analyzed_at = 0

    def after(self, rows: int) -> None:
        if self.active and rows - self.analyzed_at >= max(50, self.analyzed_at // 10):
            with self.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
            self.analyzed_at = rows


def storage_rates(url: str, count: int, hook_url: str) -> dict[str, float]:
    from presswatch.alerts.deliver import build_channels, deliver
    from presswatch.alerts.matching import ArticleMatcher, topics_of
    from presswatch.alerts.rematch import rematch
    from presswatch.config import Config
    from presswatch.ingest import add_clippings
    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository
    from presswatch.url_keys import url_key

    topics = [
        {
            "name": f"t{n}",
            "query": f'{WORDS[n]} OR "{WORDS[(n + 1) % 20]} {WORDS[(n + 2) % 20]}"',
            "notify": ("hook",) if n == 0 else (),
        }
        for n in range(20)
    ]
    config = Config.model_validate(
        {
            "database": {"url": url},
            "topics": tuple(topics),
            "channels": {"hook": {"type": "webhook", "url": hook_url}},
        }
    )
    engine = open_database(url)
    repository = Repository(engine)
    matcher = ArticleMatcher(topics_of(config))
    source_id = repository.source_id("bench")
    url_key_of = url_key
    rng = random.Random(3)
    rates: list[tuple[int, float]] = []
    statistics_kept = _StatisticsKeeper(engine)
    batch = 50  # a crawl run each: each run's matches of topic t0 make one alert
    for start in range(0, count, batch):
        articles = [synthetic_article(i, rng) for i in range(start, min(start + batch, count))]
        began = time.perf_counter()
        run_id = repository.start_run("bench")
        items = [
            (
                a,
                [url_key_of(a.canonical_url)],
                matcher.match(title=a.title, text=a.text, source="bench", url=a.url),
            )
            for a in articles
        ]
        add_clippings(repository, source_id, run_id, items)
        rates.append((start + len(articles), len(articles) / (time.perf_counter() - began)))
        statistics_kept.after(start + len(articles))
        if (start // batch) % 400 == 0:
            print(f"  ... {start + len(articles):,} clippings stored", flush=True)
    first = statistics.median(r for _, r in rates[:100])
    last = statistics.median(r for _, r in rates[-100:])

    rematch_config = Config.model_validate(
        {"database": {"url": url}, "topics": ({"name": "late", "query": "tariff AND port"},)}
    )
    began = time.perf_counter()
    rematch(repository, rematch_config)
    rematch_rate = count / (time.perf_counter() - began)

    # the outbox: the instant alerts the fill queued for topic t0, then two senders at once
    pending = repository.outbox_counts().get("pending", 0)
    channels = build_channels(config)
    sent: list[int] = []
    began = time.perf_counter()
    senders = [
        threading.Thread(target=lambda: sent.append(deliver(repository, config, channels).sent))
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    delivery_s = time.perf_counter() - began
    engine.dispose()
    return {
        "store_first": first,
        "store_last": last,
        "rematch": rematch_rate,
        "alerts": float(pending),
        "alerts_sent": float(sum(sent)),
        "delivery": sum(sent) / delivery_s if delivery_s else 0.0,
    }


# ---------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--backend",
        choices=("postgresql", "sqlite"),
        help="default: PostgreSQL on 127.0.0.1 when it answers, else SQLite",
    )
    parser.add_argument("--clippings", type=int, default=100_000)
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument("--skip-storage", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="presswatch-scale-"))
    backend = args.backend or ("postgresql" if postgres_answers() else "sqlite")
    print(f"scale bench: {backend}; in {workdir}")

    if not args.skip_workers:
        with LoopbackSite() as site:
            sources = serve_site(site, 10, 100)
            rates = {n: time_workers(n, workdir, site, sources, backend) for n in (1, 2, 3)}
        print("crawl of 1,000 pages (10 sources) through the queue, this 2-core machine:")
        for n, rate in rates.items():
            print(f"  {n} worker(s): {rate:6.1f} pages/s   ({rate / rates[1]:.2f}x 1 worker)")

    if not args.skip_storage:
        db_url = fresh_database(backend, workdir, "storage")
        with WebhookSink() as hook:
            figures = storage_rates(db_url, args.clippings, hook.url)
            calls = len(hook.calls)
            ids = Counter(c["id"] for call in hook.calls for c in call.body["clippings"])
        drop_database(db_url)
        print(f"with {args.clippings:,} clippings stored ({db_url.split(':')[0]}):")
        print(
            f"  store + match (20 topics): {figures['store_first']:,.0f} articles/s in the first "
            f"5,000, {figures['store_last']:,.0f} articles/s in the last 5,000"
        )
        print(
            "  topics rematch (one new topic over every clipping): "
            f"{figures['rematch']:,.0f} clippings/s"
        )
        print(
            f"  delivery by two senders at once: {figures['alerts_sent']:.0f} of "
            f"{figures['alerts']:.0f} queued alerts sent, {figures['delivery']:,.1f} alerts/s; "
            f"{calls} webhook requests, "
            f"{sum(1 for n in ids.values() if n > 1)} clippings sent twice"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
