"""`presswatch demo`: serve the bundled demo site on loopback, crawl it twice, and deliver the
topics' alerts to an SMTP server and a webhook receiver it starts on loopback too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from importlib import resources
from pathlib import Path

from presswatch.alerts.deliver import build_channels, deliver
from presswatch.config import load_config
from presswatch.counts import CrawlSummary
from presswatch.crawler.run import ProgressCallback, run_crawl
from presswatch.loopback import BASE_TOKEN, LoopbackSite, allow_loopback
from presswatch.sinks import SmtpSink, WebhookCall, WebhookSink
from presswatch.storage.db import open_database
from presswatch.storage.records import ClippingRecord, TopicStats
from presswatch.storage.repository import Repository


@dataclass(frozen=True, slots=True)
class DemoResult:
    site_url: str
    config_path: Path
    first: CrawlSummary  # everything is new
    second: CrawlSummary  # the same site again: nothing new, feeds answer 304
    clippings: tuple[ClippingRecord, ...]
    topics: dict[str, TopicStats]
    emails: tuple[EmailMessage, ...]  # what the demo's SMTP server received
    webhook_calls: tuple[WebhookCall, ...]  # what the demo's webhook receiver received


def demo_root() -> Path:
    return Path(str(resources.files("presswatch") / "seeds" / "demo"))


@contextmanager
def serve_demo_site() -> Iterator[LoopbackSite]:
    """The demo publishers on http://127.0.0.1:<free port>/."""
    with LoopbackSite() as site:
        site.add_directory(demo_root() / "site")
        yield site


def write_demo_config(
    workdir: Path, base_url: str, smtp_port: int | None = None, webhook_url: str | None = None
) -> Path:
    """The demo's presswatch.toml; with alert sinks, every topic notifies both of them."""
    sources = (demo_root() / "demo.toml").read_text(encoding="utf-8")
    text = '[database]\nurl = "sqlite:///demo.db"\n\n' + sources.replace(BASE_TOKEN, base_url)
    if smtp_port is not None and webhook_url is not None:
        text = text.replace("\n[[topics]]\n", '\n[[topics]]\nnotify = ["newsroom", "ops"]\n')
        text += (
            f'\n[channels.newsroom]\ntype = "email"\nto = ["desk@newsroom.example"]\n'
            f'from = "presswatch@newsroom.example"\nsmtp_host = "127.0.0.1"\n'
            f"smtp_port = {smtp_port}\n\n"
            f'[channels.ops]\ntype = "webhook"\nurl = "{webhook_url}"\n'
        )
    path = workdir / "presswatch.toml"
    path.write_text(allow_loopback(text), encoding="utf-8")
    return path


def run_demo(workdir: Path, on_progress: ProgressCallback | None = None) -> DemoResult:
    """Crawl the demo site into `workdir/demo.db`, then crawl it again to show that an
    unchanged site costs only conditional requests."""
    with serve_demo_site() as site, SmtpSink() as smtp, WebhookSink() as webhook:
        config = load_config(write_demo_config(workdir, site.base_url, smtp.port, webhook.url))
        repository = Repository(open_database(config.database.url))
        channels = build_channels(config)
        first = run_crawl(config, config.sources, on_progress)
        deliver(repository, config, channels)
        second = run_crawl(config, config.sources, on_progress)
        deliver(repository, config, channels)
        emails = tuple(smtp.messages)
        calls = tuple(webhook.calls)
    clippings = tuple(repository.list_clippings(limit=None, oldest_first=True))
    stats = repository.topic_stats()
    topics = {t.name: stats.get(t.name, TopicStats(0, None)) for t in config.topics}
    return DemoResult(
        site.base_url, config.path or workdir, first, second, clippings, topics, emails, calls
    )
