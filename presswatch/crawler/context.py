"""The state one crawl process shares between spider, middlewares and pipeline."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from presswatch.alerts.matching import ArticleMatcher
from presswatch.config import SourceConfig
from presswatch.counts import ClippingStats, CrawlCounts, FeedFetchRecord
from presswatch.crawler.backlog import Backlog
from presswatch.crawler.extract_pool import ExtractPool
from presswatch.crawler.guard import NetworkGuard
from presswatch.extractors.options import ExtractOptions
from presswatch.storage.repository import Repository

log = logging.getLogger(__name__)
REFUSED_KEPT = 200  # URLs robots.txt refused that a run keeps for its health check


@dataclass(slots=True)
class CrawlServices:
    """Shared by every source crawled in this process."""

    repository: Repository
    extract_pool: ExtractPool
    guard: NetworkGuard
    alert_hold_s: float  # how long an alert opened by a crawl waits at most for its release
    per_story: bool  # [alerts] per_story: a story alerts once per topic and channel
    matcher: ArticleMatcher
    backlog: Backlog  # pages between download and storage, bounded


@dataclass(slots=True)
class SourceCrawl:
    """One source's crawl run: its ids and running counts."""

    source: SourceConfig
    source_id: int
    run_id: int
    extract_options: ExtractOptions  # the source's own: its exclude selectors
    counts: CrawlCounts = field(default_factory=CrawlCounts)
    # ETag / Last-Modified per feed or sitemap URL, stored when the crawl ends cleanly
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # a page was skipped for now (it stalled extraction before): the feeds are read again
    # next time, so that it is asked for again, and extracted once it has changed
    revisit: bool = False
    # CPU seconds by stage (CrawlSummary.stage_cpu_s)
    cpu_s: dict[str, float] = field(default_factory=dict)
    clippings: ClippingStats = field(default_factory=ClippingStats)  # the new ones
    feed_fetches: list[FeedFetchRecord] = field(default_factory=list)
    # follow_moves: configured feed or sitemap URL -> the URL it moved to, asked for instead
    moved: dict[str, str] = field(default_factory=dict)
    refused_urls: list[str] = field(default_factory=list)  # by robots.txt (REFUSED_KEPT)

    def add_cpu(self, stage: str, seconds: float) -> None:
        self.cpu_s[stage] = self.cpu_s.get(stage, 0.0) + seconds


def report_blocked(services: CrawlServices, crawl: SourceCrawl, url: str, why: str) -> None:
    """Count, store and log one URL the network guard refused; the crawl goes on."""
    crawl.counts.blocked += 1
    services.repository.record_error(crawl.run_id, url, "blocked", why)
    log.warning("blocked: %s", why, extra={"source": crawl.source.name, "url": url})


def report_robots(crawl: SourceCrawl, url: str) -> None:
    """Count one URL robots.txt forbids, and keep it for the run's health check (not an error:
    the site asked for it; source health watches for paths the source used that robots.txt
    now forbids)."""
    crawl.counts.robots += 1
    if len(crawl.refused_urls) < REFUSED_KEPT:
        crawl.refused_urls.append(url)
    log.info("skipped (robots.txt)", extra={"source": crawl.source.name, "url": url})


def report_error(
    services: CrawlServices, crawl: SourceCrawl, url: str, kind: str, message: str
) -> None:
    """Count, store and log one failed URL; the crawl goes on."""
    crawl.counts.errors += 1
    services.repository.record_error(crawl.run_id, url, kind, message)
    log.warning("%s: %s", kind, message, extra={"source": crawl.source.name, "url": url})
