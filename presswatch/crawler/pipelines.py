"""Item pipeline: thin; hands each page to the extraction pool, then to the repository."""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING

from presswatch.crawler.context import report_error
from presswatch.crawler.items import PageItem
from presswatch.errors import ExtractionError, StorageError
from presswatch.extractors.article import NotArticle, PageResult, extract_page
from presswatch.extractors.metadata import url_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from presswatch.crawler.spiders.source import SourceSpider


class ExtractStorePipeline:
    """Extraction is CPU-bound, so it runs in a process pool while the reactor keeps
    downloading; storing is one short transaction per article."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractStorePipeline:
        return cls(crawler)

    async def process_item(self, item: PageItem) -> PageItem:
        spider: SourceSpider = self.crawler.spider  # type: ignore[assignment]
        services, crawl = spider.services, spider.crawl
        future = services.extract_pool.submit(
            extract_page, item.body, item.url, item.content_type, services.extract_options
        )
        try:
            result: PageResult = await asyncio.wrap_future(future)
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
        try:
            added = services.repository.add_clipping(
                crawl.source_id,
                crawl.run_id,
                outcome,
                [url_key(item.url), url_key(item.request_url)],
            )
        except StorageError as exc:
            report_error(services, crawl, item.url, "storage", str(exc))
            return item
        if added.status == "new":
            crawl.counts.stored += 1
            if added.duplicate_of is not None:
                crawl.counts.duplicates += 1
        else:
            crawl.counts.known += 1
        return item
