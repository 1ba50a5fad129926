"""Item pipeline: thin; hands each page to the extraction pool, then to the repository."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from presswatch.crawler.backlog import Backlog
from presswatch.crawler.context import CrawlServices, SourceCrawl, report_error
from presswatch.crawler.extract_pool import Shared
from presswatch.crawler.items import PageItem
from presswatch.crawler.page_task import PageContext, read_done, work_page
from presswatch.errors import (
    ExtractionError,
    ExtractionTimeout,
    StorageError,
    UnextractablePage,
)
from presswatch.index_text import IndexText
from presswatch.ingest import AddResult, add_clippings
from presswatch.model import Article, NewMatch
from presswatch.storage.repository import Repository
from presswatch.url_keys import url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from presswatch.crawler.spiders.source import SourceSpider

# articles stored per transaction, at most, and how long the first of them may wait for others
BATCH_ITEMS = 64
BATCH_DELAY_S = 0.1


@dataclass(frozen=True, slots=True)
class _Pending:
    article: Article
    url_keys: Sequence[str]
    matches: Sequence[NewMatch]
    index: IndexText | None
    future: asyncio.Future[AddResult]


class ClippingWriter:
    """Stores one crawl run's articles a batch per transaction: a transaction (and the
    statement overhead around it) per article cost the crawl process as much CPU time as
    downloading the page. A batch is written when it is full, when the backlog says storage
    is due (Backlog.storage_due), or BATCH_DELAY_S after its first article arrived; each
    article still gets its own result (or StorageError)."""

    def __init__(
        self,
        repository: Repository,
        crawl: SourceCrawl,
        alert_hold_s: float,
        backlog: Backlog,
        per_story: bool = True,
    ) -> None:
        self.repository = repository
        self.crawl = crawl
        self.alert_hold_s = alert_hold_s
        self.per_story = per_story
        self.backlog = backlog
        self._pending: list[_Pending] = []
        self._timer: asyncio.TimerHandle | None = None

    async def add(
        self,
        article: Article,
        url_keys: Sequence[str],
        matches: Sequence[NewMatch],
        index: IndexText | None = None,
    ) -> AddResult:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AddResult] = loop.create_future()
        self._pending.append(_Pending(article, url_keys, matches, index, future))
        if len(self._pending) >= BATCH_ITEMS or self.backlog.storage_due:
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
        started = time.thread_time()
        try:
            results = add_clippings(
                self.repository,
                self.crawl.source_id,
                self.crawl.run_id,
                [(p.article, p.url_keys, p.matches) for p in pending],
                self.alert_hold_s,
                [p.index for p in pending],
                per_story=self.per_story,
            )
        except Exception as exc:  # not a StorageError: a bug; each waiting item raises it
            results = [exc] * len(pending)
        self.crawl.add_cpu("crawl:storage", time.thread_time() - started)
        for future, result in zip((p.future for p in pending), results, strict=True):
            if future.done():
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


class ExtractStorePipeline:
    """Extraction (and matching, and the index entry) is CPU-bound, so it runs in the worker
    processes while the reactor keeps downloading; storing is batched, a short transaction
    per batch of articles."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._writer: ClippingWriter | None = None
        self._context: Shared | None = None  # this crawl's PageContext, shared with the workers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractStorePipeline:
        return cls(crawler)

    def close_spider(self) -> None:
        # every item has been awaited by now; nothing is left behind if one was not
        if self._writer is not None:
            self._writer.flush()
        if self._context is not None:
            spider: SourceSpider = self.crawler.spider  # type: ignore[assignment]
            spider.services.extract_pool.forget(self._context)

    def _page_context(self, services: CrawlServices, crawl: SourceCrawl) -> Shared:
        if self._context is None:
            context = PageContext(
                crawl.extract_options,
                services.matcher,
                crawl.source.name,
                services.repository.engine.dialect.name,
            )
            self._context = services.extract_pool.share(context)
        return self._context

    async def process_item(self, item: PageItem) -> PageItem:
        spider: SourceSpider = self.crawler.spider  # type: ignore[assignment]
        services = spider.services
        with services.backlog.page():  # until stored: the downloader waits while it is full
            await self._extract_and_store(services, spider.crawl, item)
        return item

    async def _extract_and_store(
        self, services: CrawlServices, crawl: SourceCrawl, item: PageItem
    ) -> None:
        context = self._page_context(services, crawl)
        try:
            with services.backlog.extraction():
                answer = await services.extract_pool.run(
                    work_page, context, item.body, item.url, item.content_type
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
            return
        except ExtractionError as exc:
            report_error(services, crawl, item.url, "extraction", str(exc))
            return
        except BrokenProcessPool as exc:
            report_error(services, crawl, item.url, "extraction", f"extractor crashed: {exc}")
            return
        done = read_done(answer)
        for stage, seconds in done.cpu_s.items():
            crawl.add_cpu(f"worker:{stage}", seconds)
        if done.charset_problem:
            report_error(services, crawl, item.url, "charset", done.charset_problem)
        article = done.article
        if article is None:
            crawl.counts.not_articles += 1
            return
        crawl.counts.extracted += 1
        if article.published is None and item.hint_published is not None:
            article = replace(article, published=item.hint_published)
        if self._writer is None:
            self._writer = ClippingWriter(
                services.repository,
                crawl,
                services.alert_hold_s,
                services.backlog,
                services.per_story,
            )
        try:
            added = await self._writer.add(
                article, [url_key(item.url), url_key(item.request_url)], done.matches, done.index
            )
        except StorageError as exc:
            report_error(services, crawl, item.url, "storage", str(exc))
            return
        if added.status == "new":
            crawl.counts.stored += 1
            crawl.clippings.add(
                article.published is not None, bool(article.author), article.word_count
            )
            if added.duplicate_of is not None:
                crawl.counts.duplicates += 1
            crawl.counts.matched += added.matches
        else:
            crawl.counts.known += 1
