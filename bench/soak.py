"""Soak: `presswatch run` for ten minutes while articles keep appearing on five sources.

A loopback site serves five sources (one RSS feed each); a publisher thread adds an article to
a random source every couple of seconds, now and then a burst of several to one source, and
some sources publish far less than others (bursty, as newsrooms publish). The real service
runs as a subprocess with every source on a 10-second interval and one topic whose word occurs
in about 40% of the articles, alerting a webhook receiver, which also hears of source health
(`[health] notify`): the sources are healthy, so any health alert is a false one and fails the
soak. At the end publishing stops, the service gets two more intervals to catch up and is
stopped with SIGTERM. Printed: articles published / stored / stored twice, expected alerts
(matches stored) / delivered / delivered twice / unexpected, crawl runs and overlaps, health
alerts and events, the service tree's RSS at start and at end, warnings and errors in the
service log, and the exit code.

    python bench/soak.py [--minutes 10] [--sources 5] [--every 10s] [--publish-every 2.0]
                         [--steady]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from synthetic_pages import article_html  # bench/ is on sys.path when run as a script

from presswatch.loopback import LoopbackSite, Route
from presswatch.sinks import WebhookSink


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--every", default="10s", help="each source's interval")
    parser.add_argument("--publish-every", type=float, default=2.0, help="seconds, on average")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--steady", action="store_true", help="one article at a time, sources alike (no bursts)"
    )
    return parser.parse_args()


class Publisher(threading.Thread):
    """Adds an article to a random source's feed every `every_s` seconds (on average)."""

    def __init__(
        self, site: LoopbackSite, sources: list[str], every_s: float, seed: int, bursty: bool
    ) -> None:
        super().__init__(name="publisher", daemon=True)
        self.site = site
        self.sources = sources
        self.every_s = every_s
        self.rng = random.Random(seed)
        self.seed = seed
        self.published: dict[str, str] = {}  # url -> generated text
        self.feeds: dict[str, list[str]] = {s: [] for s in sources}
        self.stop_event = threading.Event()
        self.bursty = bursty
        # bursty: the sources publish at different rates (the last one a tenth of the first)
        self.weights = [1.0 / (1 + 9 * n / max(1, len(sources) - 1)) for n in range(len(sources))]
        for source in sources:
            self._write_feed(source)

    def publish_one(self, source: str | None = None) -> None:
        index = len(self.published)
        page, text = article_html(index, self.site.base_url, self.seed)
        path = f"/news/{index:05d}.html"
        self.site.add(path, Route(page.encode(), headers={"Content-Type": "text/html"}))
        source = source or self.rng.choice(self.sources)
        self.feeds[source].append(self.site.url(path))
        self.published[self.site.url(path)] = text
        self._write_feed(source)

    def _write_feed(self, source: str) -> None:
        items = "".join(
            f"<item><title>{n}</title><link>{url}</link></item>"
            for n, url in enumerate(self.feeds[source][-50:])
        )
        feed = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>{source}</title>'
            f"{items}</channel></rss>"
        )
        self.site.add(
            f"/{source}/rss.xml",
            Route(feed.encode(), headers={"Content-Type": "application/rss+xml"}),
        )

    def run(self) -> None:
        while not self.stop_event.wait(self.rng.uniform(0.5, 1.5) * self.every_s):
            if not self.bursty:
                self.publish_one()
                continue
            source = self.rng.choices(self.sources, self.weights)[0]
            # one in five is a burst of 3-8 articles at once (a live event, a CMS push)
            for _ in range(self.rng.randint(3, 8) if self.rng.random() < 0.2 else 1):
                self.publish_one(source)


def topic_word(seed: int, base_url: str) -> str:
    """A word that about 40% of generated articles contain."""
    texts = [article_html(i, base_url, seed + 1000)[1] for i in range(200)]
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({w for w in re.findall(r"[a-z]{5,}", text.lower())})
    return min(counts, key=lambda w: (abs(counts[w] / len(texts) - 0.4), w))


def wait_for_outbox(database: Path, timeout_s: float) -> None:
    """Until no alert is pending: the last crawls' alerts wait `[alerts] gather` (30 s) for
    crawls ending soon after, then go out."""
    import sqlite3

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            (pending,) = connection.execute(
                "SELECT count(*) FROM alerts WHERE status IN ('pending', 'sending')"
            ).fetchone()
        if not pending:
            return
        time.sleep(1)
    print(f"the outbox still holds {pending} pending alert(s) after {timeout_s:.0f} s")


def tree_rss_mb(root: int) -> tuple[float, dict[str, float]]:
    """RSS of `root` and all its descendants, in MB, with a per-process breakdown."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    parts: dict[str, float] = {}
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            if pid == root:
                role = "service"
            elif b"resource_tracker" in cmd:
                role = "resource-tracker"
            elif parents.get(pid) == root:
                role = "crawl"
            else:
                role = "extract"
            parts[f"{role}:{pid}"] = int(match.group(1)) / 1024
    return sum(parts.values()), parts


def main() -> int:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="presswatch-soak-"))
    sources = [f"source{n}" for n in range(1, args.sources + 1)]
    with LoopbackSite() as site, WebhookSink() as hook:
        word = topic_word(args.seed, site.base_url)
        publisher = Publisher(site, sources, args.publish_every, args.seed, not args.steady)
        for source in sources:  # every feed lists an article from the start
            publisher.publish_one(source)
        config = workdir / "presswatch.toml"
        tables = "".join(
            f'[[sources]]\nname = "{s}"\nfeeds = ["{site.url(f"/{s}/rss.xml")}"]\n'
            f'every = "{args.every}"\n\n'
            for s in sources
        )
        config.write_text(
            f"""[database]
url = "sqlite:///soak.db"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
{tables}
[health]
notify = ["hook"]

[[topics]]
name = "soak"
query = "{word}"
notify = ["hook"]

[channels.hook]
type = "webhook"
url = "{hook.url}"
""",
            encoding="utf-8",
        )
        log_path = workdir / "service.log"
        print(
            f"soak: {args.minutes:g} min, {len(sources)} sources every {args.every}, an "
            f"article every ~{args.publish_every:g} s"
            f"{' (steady)' if args.steady else ', bursts and uneven sources'}, topic word "
            f"{word!r}; in {workdir}"
        )
        with log_path.open("w") as log_file:
            service = subprocess.Popen(
                [sys.executable, "-m", "presswatch", "--config", str(config), "run"],
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
            publisher.start()
            time.sleep(30)  # the first crawls are done, the crawl process is warm
            rss_start, parts_start = tree_rss_mb(service.pid)
            deadline = time.monotonic() + args.minutes * 60 - 30
            while time.monotonic() < deadline:
                time.sleep(5)
                if service.poll() is not None:
                    break
            rss_end, parts_end = tree_rss_mb(service.pid)
            publisher.stop_event.set()
            publisher.join()
            interval_s = float(args.every.rstrip("s"))
            time.sleep(2 * interval_s + 5)  # the last articles are crawled ...
            wait_for_outbox(workdir / "soak.db", 120)  # ... and their alerts gathered and sent
            service.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            exit_code = service.wait(120)
            stop_s = time.monotonic() - stopped
        return report(
            args,
            workdir,
            publisher,
            hook,
            rss_start,
            parts_start,
            rss_end,
            parts_end,
            exit_code,
            stop_s,
            log_path,
        )


def report(
    args: argparse.Namespace,
    workdir: Path,
    publisher: Publisher,
    hook: WebhookSink,
    rss_start: float,
    parts_start: dict[str, float],
    rss_end: float,
    parts_end: dict[str, float],
    exit_code: int,
    stop_s: float,
    log_path: Path,
) -> int:
    from sqlalchemy import select

    from presswatch.storage.db import open_database
    from presswatch.storage.models import Clipping, CrawlRun, HealthEvent, Match, Source

    engine = open_database(f"sqlite:///{workdir / 'soak.db'}")
    with engine.connect() as c:
        stored = Counter(c.scalars(select(Clipping.canonical_url)))
        # a copy of a story already stored is folded into its original (listed in `also_in`),
        # never alerted on its own
        matched = set(
            c.scalars(
                select(Match.clipping_id)
                .join(Clipping, Clipping.id == Match.clipping_id)
                .where(Match.topic == "soak", Clipping.duplicate_of.is_(None))
            )
        )
        duplicates = len(
            c.scalars(select(Clipping.id).where(Clipping.duplicate_of.is_not(None))).all()
        )
        events = c.execute(
            select(Source.name, HealthEvent.kind, HealthEvent.message).join(
                Source, Source.id == HealthEvent.source_id
            )
        ).all()
        runs = c.execute(
            select(Source.name, CrawlRun.started_at, CrawlRun.finished_at, CrawlRun.status)
            .join(Source, Source.id == CrawlRun.source_id)
            .order_by(Source.name, CrawlRun.started_at)
        ).all()
    engine.dispose()
    alerts = [call for call in hook.calls if call.body["event"] != "health"]
    health = [call.body for call in hook.calls if call.body["event"] == "health"]
    delivered = Counter(item["id"] for call in alerts for item in call.body["clippings"])
    overlaps = 0
    for (name_a, _, end_a, _), (name_b, start_b, _, _) in itertools.pairwise(runs):
        if name_a == name_b and end_a is not None and start_b < end_a:
            overlaps += 1
    statuses = Counter(r.status for r in runs)
    log = log_path.read_text()
    bad_lines = [line for line in log.splitlines() if re.search(r"WARNING|ERROR|Traceback", line)]
    published = set(publisher.published)
    missing = published - set(stored)
    twice = [url for url, n in stored.items() if n > 1]
    print(
        f"articles: {len(published)} published, {len(stored)} stored, {len(missing)} missing, "
        f"{len(twice)} stored twice, {duplicates} folded as near-duplicates"
    )
    print(
        f"alerts: {len(matched)} expected (clippings matching the topic, copies folded), "
        f"{sum(1 for i in matched if delivered[i] >= 1)} delivered, "
        f"{sum(1 for n in delivered.values() if n > 1)} delivered twice, "
        f"{len(set(delivered) - matched)} unexpected; {len(alerts)} webhook requests"
    )
    print(
        f"health (sources are healthy: expected none): {len(health)} health alerts, "
        f"{len(events)} health events"
    )
    for name, kind, message in events[:10]:
        print(f"  {name} {kind}: {message}")
    print(
        f"crawl runs: {len(runs)} ({dict(statuses)}), overlaps of a source with itself: {overlaps}"
    )
    print(
        f"memory (service + crawl process + extraction workers, RSS): {rss_start:.0f} MB at "
        f"30 s, {rss_end:.0f} MB at the end ({rss_end - rss_start:+.0f} MB)"
    )
    print(f"  at 30 s: {', '.join(f'{k} {v:.0f}' for k, v in sorted(parts_start.items()))}")
    print(f"  at end:  {', '.join(f'{k} {v:.0f}' for k, v in sorted(parts_end.items()))}")
    print(
        f"service log: {len(log.splitlines())} lines, {len(bad_lines)} warning/error lines; "
        f"SIGTERM -> exit {exit_code} in {stop_s:.1f} s"
    )
    for line in bad_lines[:10]:
        print(f"  {line}")
    ok = (
        not missing
        and not twice
        and all(delivered[i] == 1 for i in matched)
        and not set(delivered) - matched
        and overlaps == 0
        and not health
        and not events
        and not bad_lines
        and exit_code == 0
    )
    print("soak: PASSED" if ok else "soak: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
