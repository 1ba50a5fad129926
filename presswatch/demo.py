"""`presswatch demo`: serve the bundled demo site on loopback, crawl it twice, show the result."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from presswatch.config import load_config
from presswatch.counts import CrawlSummary
from presswatch.crawler.run import ProgressCallback, run_crawl
from presswatch.loopback import BASE_TOKEN, LoopbackSite
from presswatch.storage.db import open_database
from presswatch.storage.repository import ClippingRecord, Repository, TopicStats


@dataclass(frozen=True, slots=True)
class DemoResult:
    site_url: str
    config_path: Path
    first: CrawlSummary  # everything is new
    second: CrawlSummary  # the same site again: nothing new, feeds answer 304
    clippings: tuple[ClippingRecord, ...]
    topics: dict[str, TopicStats]


def demo_root() -> Path:
    return Path(str(resources.files("presswatch") / "seeds" / "demo"))


@contextmanager
def serve_demo_site() -> Iterator[LoopbackSite]:
    """The demo publishers on http://127.0.0.1:<free port>/."""
    with LoopbackSite() as site:
        site.add_directory(demo_root() / "site")
        yield site


def write_demo_config(workdir: Path, base_url: str) -> Path:
    sources = (demo_root() / "demo.toml").read_text(encoding="utf-8")
    text = '[database]\nurl = "sqlite:///demo.db"\n\n' + sources.replace(BASE_TOKEN, base_url)
    path = workdir / "presswatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def run_demo(workdir: Path, on_progress: ProgressCallback | None = None) -> DemoResult:
    """Crawl the demo site into `workdir/demo.db`, then crawl it again to show that an
    unchanged site costs only conditional requests."""
    with serve_demo_site() as site:
        config = load_config(write_demo_config(workdir, site.base_url))
        first = run_crawl(config, config.sources, on_progress)
        second = run_crawl(config, config.sources, on_progress)
    repository = Repository(open_database(config.database.url))
    clippings = tuple(repository.list_clippings(limit=None, oldest_first=True))
    stats = repository.topic_stats()
    topics = {t.name: stats.get(t.name, TopicStats(0, None)) for t in config.topics}
    return DemoResult(site.base_url, config.path or workdir, first, second, clippings, topics)
