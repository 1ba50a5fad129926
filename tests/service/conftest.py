"""The service under test: a real `presswatch run` subprocess, a site whose feeds grow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import func, select

from presswatch.config import load_config
from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.db import open_database
from presswatch.storage.models import Clipping, CrawlRun
from tests.alerts.conftest import WebhookReceiver, closed_port, no_leaks, webhook  # noqa: F401
from tests.conftest import TestDatabases
from tests.pages import article_page, paragraphs_about, rss_feed

INTERVAL = "2s"


class Publisher:
    """Several sources on one loopback site; each source's feed lists what it published."""

    def __init__(self, site: LoopbackSite) -> None:
        self.site = site
        self.paths: dict[str, list[str]] = {}

    def feed_url(self, source: str) -> str:
        return self.site.url(f"/{source}/rss.xml")

    def publish(self, source: str, slug: str, topic: str, *, delay_s: float = 0.0) -> str:
        """An article about `topic` (the words appear in its text), listed in the feed."""
        path = f"/{source}/news/{slug}.html"
        seed = sum(map(ord, path))
        paragraphs = paragraphs_about(topic, seed=seed)
        page = article_page(f"{topic} ({slug})", paragraphs, canonical=self.site.url(path))
        self.site.add_html(path, page, delay_s=delay_s)
        paths = self.paths.setdefault(source, [])
        paths.append(path)
        feed = rss_feed(source, [self.site.url(p) for p in paths]).encode()
        self.site.add(
            f"/{source}/rss.xml", Route(feed, headers={"Content-Type": "application/rss+xml"})
        )
        return path


class Service:
    """`presswatch run` in a subprocess; its log is read line by line as it comes."""

    def __init__(self, config_path: Path, *command: str) -> None:
        self.config_path = config_path
        command = command or ("run",)
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "presswatch", "--config", str(config_path), *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
            start_new_session=True,  # its own group: the teardown can kill every process
        )
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,))
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lock:
                self.lines.append(line.rstrip("\n"))
        stream.close()

    def log(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_for_line(self, text: str, timeout: float = 60.0, after: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for line in self.lines[after:]:
                    if text in line:
                        return line
            if self.process.poll() is not None and not self._reader.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no log line with {text!r} within {timeout} s; log:\n{self.log()}")

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
            self._reader.join(10)
        return code


@pytest.fixture
def publisher(site: LoopbackSite) -> Publisher:
    return Publisher(site)


@pytest.fixture
def start_service() -> Iterator[Callable[[Path], Service]]:
    started: list[Service] = []

    def start(config_path: Path) -> Service:
        service = Service(config_path)
        started.append(service)
        return service

    yield start
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait(10)
        service._reader.join(10)


@pytest.fixture
def service_config(tmp_path: Path, databases: TestDatabases) -> Callable[..., Path]:
    """service_config(publisher, sources, ...) -> the path of a config watching them, with a
    fresh database (the options of write_service_config)."""

    def write(publisher: Publisher, sources: list[str], **options: Any) -> Path:
        return write_service_config(tmp_path, databases.url(), publisher, sources, **options)

    return write


def write_service_config(
    tmp_path: Path,
    database_url: str,
    publisher: Publisher,
    sources: list[str],
    *,
    hook_url: str | None = None,
    topics: str = "",
    extra: str = "",
    every: str = INTERVAL,
    gather: str = "1s",
) -> Path:
    source_tables = "".join(
        f'[[sources]]\nname = "{s}"\nfeeds = ["{publisher.feed_url(s)}"]\nevery = "{every}"\n\n'
        for s in sources
    )
    channel = ""
    if hook_url:
        channel = f'[channels.ops]\ntype = "webhook"\nurl = "{hook_url}"\n'
    path = tmp_path / "presswatch.toml"
    path.write_text(
        f"""
[database]
url = "{database_url}"
[crawl]
allow_networks = ["127.0.0.0/8"]
autothrottle = false
timeout = 5
retries = 0
[alerts]
first_retry = "2s"
gather = "{gather}"
{extra}
{source_tables}
{topics}
{channel}
""",
        encoding="utf-8",
    )
    return path


def topic(name: str, query: str) -> str:
    return f'[[topics]]\nname = "{name}"\nquery = "{query}"\nnotify = ["ops"]\n\n'


def alerted_titles(receiver: WebhookReceiver) -> list[str]:
    """Every clipping title in every webhook request received, repeats included."""
    return [c["title"] for r in receiver.requests for c in json.loads(r.body)["clippings"]]


class Database:
    """Read-only looks into the service's database."""

    def __init__(self, tmp_path: Path) -> None:
        config = load_config(tmp_path / "presswatch.toml")
        self.engine = open_database(config.database.url)

    def clippings(self) -> list[str]:
        with self.engine.connect() as c:
            return list(c.scalars(select(Clipping.canonical_url)))

    def runs(self, status: str | None = None) -> int:
        stmt = select(func.count()).select_from(CrawlRun)
        if status:
            stmt = stmt.where(CrawlRun.status == status)
        with self.engine.connect() as c:
            return int(c.scalar(stmt) or 0)

    def runs_by_source(self) -> list[tuple[str, str, int]]:
        from presswatch.storage.models import Source

        stmt = select(Source.name, CrawlRun.status, CrawlRun.errors).join(
            Source, Source.id == CrawlRun.source_id
        )
        with self.engine.connect() as c:
            return [(r[0], r[1], r[2]) for r in c.execute(stmt.order_by(CrawlRun.id))]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Callable[[], Database]]:
    made: list[Database] = []

    def make() -> Database:
        db = Database(tmp_path)
        made.append(db)
        return db

    yield make
    for db in made:
        db.engine.dispose()
