"""Item pipeline: thin; hands each page to the extraction pool, then to the repository."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING

from presswatch.crawler.context import report_error
from presswatch.crawler.items import PageItem
from presswatch.errors import (
    ExtractionError,
    ExtractionTimeout,
    StorageError,
    UnextractablePage,
)
from presswatch.extractors.article import NotArticle, PageResult, extract_page
from presswatch.extractors.metadata import url_key
from presswatch.ingest import AddResult, add_clippings
from presswatch.model import Article, NewMatch
from presswatch.storage.repository import Repository

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from presswatch.crawler.spiders.source import SourceSpider

# articles stored per transaction, at most, and how long the first of them may wait for others
BATCH_ITEMS = 64
BATCH_DELAY_S = 0.1


class ClippingWriter:
    """Stores one crawl run's articles a batch per transaction: a transaction (and the
    statement overhead around it) per article cost the crawl process as much CPU time as
    downloading the page. A batch is written when it is full or BATCH_DELAY_S after its first
    article arrived; each article still gets its own result (or StorageError)."""

    def __init__(
        self, repository: Repository, source_id: int, run_id: int, alert_hold_s: float
    ) -> None:
        self.repository = repository
        self.source_id = source_id
        self.run_id = run_id
        self.alert_hold_s = alert_hold_s
        self._pending: list[
            tuple[Article, Sequence[str], Sequence[NewMatch], asyncio.Future[AddResult]]
        ] = []
        self._timer: asyncio.TimerHandle | None = None

    async def add(
        self, article: Article, url_keys: Sequence[str], matches: Sequence[NewMatch]
    ) -> AddResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AddResult] = loop.create_future()
        self._pending.append((article, url_keys, matches, future))
        if len(self._pending) >= BATCH_ITEMS:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(BATCH_DELAY_S, self.flush)
        return await future

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self._pending = self._pending, []
        if not pending:
            return
        results: Sequence[AddResult | BaseException]
        try:
            results = add_clippings(
                self.repository,
                self.source_id,
                self.run_id,
                [(article, keys, matches) for article, keys, matches, _ in pending],
                self.alert_hold_s,
            )
        except Exception as exc:  # not a StorageError: a bug; each waiting item raises it
            results = [exc] * len(pending)
        for (_, _, _, future), result in zip(pending, results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


class ExtractStorePipeline:
    """Extraction is CPU-bound, so it runs in a process pool while the reactor keeps
    downloading; storing is batched, a short transaction per batch of articles."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._writer: ClippingWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractStorePipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        # every item has been awaited by now; nothing is left behind if one was not
        if self._writer is not None:
            self._writer.flush()

    async def process_item(self, item: PageItem) -> PageItem:
        spider: SourceSpider = self.crawler.spider  # type: ignore[assignment]
        services, crawl = spider.services, spider.crawl
        try:
            result: PageResult = await services.extract_pool.run(
                extract_page, item.body, item.url, item.content_type, crawl.extract_options
            )
        except UnextractablePage as exc:
            # remembered: later crawls skip the page until it changes
            kind = "extraction-timeout" if isinstance(exc, ExtractionTimeout) else "extraction"
            report_error(services, crawl, item.url, kind, str(exc))
            services.repository.remember_stalled_page(
                [url_key(item.url), url_key(item.request_url)],
                item.etag,
                item.last_modified,
                len(item.body),
                str(exc),
            )
            return item
        except ExtractionError as exc:
            report_error(services, crawl, item.url, "extraction", str(exc))
            return item
        except BrokenProcessPool as exc:
            report_error(services, crawl, item.url, "extraction", f"extractor crashed: {exc}")
            return item
        if result.charset_problem:
            report_error(services, crawl, item.url, "charset", result.charset_problem)
        outcome = result.outcome
        if isinstance(outcome, NotArticle):
            crawl.counts.not_articles += 1
            return item
        crawl.counts.extracted += 1
        if outcome.published is None and item.hint_published is not None:
            outcome = replace(outcome, published=item.hint_published)
        if self._writer is None:
            self._writer = ClippingWriter(
                services.repository, crawl.source_id, crawl.run_id, services.alert_hold_s
            )
        try:
            # only the extracted title and text are matched, never the page's furniture
            matches = services.matcher.match(
                title=outcome.title,
                text=outcome.text,
                source=crawl.source.name,
                url=outcome.canonical_url,
            )
            added = await self._writer.add(
                outcome, [url_key(item.url), url_key(item.request_url)], matches
            )
        except StorageError as exc:
            report_error(services, crawl, item.url, "storage", str(exc))
            return item
        if added.status == "new":
            crawl.counts.stored += 1
            if added.duplicate_of is not None:
                crawl.counts.duplicates += 1
            crawl.counts.matched += added.matches
        else:
            crawl.counts.known += 1
        return item
