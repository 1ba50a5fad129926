"""Backpressure between the downloader and the extraction workers.

A crawl process downloads faster than its workers extract (loopback, a fast CDN): without a
bound, fetched pages pile up in memory, and a worker node killed mid-crawl loses every page
it had fetched and not stored (the next crawl fetches them again). The backlog counts the
pages downloaded and not yet stored; an article download starts only while fewer than
`limit` (2 per extraction worker: one in extraction, one waiting) are in it and, with the
downloads already under way, fewer than `limit + window`. Scrapy sees a request that waits
here as active, so its engine takes no more requests from the scheduler meanwhile: the
downloader slows down to the pace of extraction. A full backlog has the clipping writers
store what they hold at once (pipelines.ClippingWriter), so that storage keeps up. Feeds,
sitemaps and robots.txt are never held back (they are what finds the articles).

The window is how many downloads may be under way beyond the backlog, and it follows the
hosts' latency (additive increase, additive decrease): a download that arrives to a full
backlog came too early, and the window shrinks by one; a worker about to run out of pages
while the backlog has room means downloads take longer than extraction, and it grows by one,
up to `in_flight`. On a fast host the backlog stays near `limit` (memory, and what a killed
node loses); on a slow one enough downloads overlap to keep the workers busy.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response

from presswatch.crawler.items import KIND

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_COUNTED = "presswatch_backlog"  # Request.meta: this download was counted as under way


class Backlog:
    """Pages between download and storage, for every crawl of one process (they share the
    extraction workers). Used from the event loop's thread only."""

    def __init__(self, workers: int, in_flight: int = 16) -> None:
        self.workers = max(1, workers)
        self.limit = 2 * self.workers  # pages downloaded and not stored, at most
        self.in_flight = in_flight  # the largest window (set from each crawl's config)
        self.window = self.limit  # article downloads under way beyond the backlog, at most
        self.waiting = 0  # downloaded, not stored yet
        self.extracting = 0  # of which given to the extraction workers and not back yet
        self.downloading = 0  # article downloads under way
        self._held: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def full(self) -> bool:
        return self.waiting >= self.limit

    @property
    def storage_due(self) -> bool:
        """Whether the pages waiting for storage should be stored now: nothing is left in
        extraction (nothing else is coming soon), or the backlog is full and the workers
        have nothing queued behind the pages they are on (new pages can come only once
        these are stored). Otherwise they wait to be stored with more, in one transaction."""
        return not self.extracting or (self.full and self.extracting <= self.workers)

    def has_room(self) -> bool:
        return self._room() > 0

    def _room(self) -> int:
        """How many more article downloads may start now."""
        window = min(self.window, self.in_flight)
        beyond = self.limit + window - self.waiting - self.downloading
        return min(self.limit - self.waiting, beyond)

    async def start_download(self) -> None:
        """Wait until an article download may start, and count it as under way."""
        while not self.has_room():
            future = asyncio.get_running_loop().create_future()
            self._held.append(future)
            await future
        self.downloading += 1

    def download_ended(self) -> None:
        self.downloading -= 1
        if self.full:  # it will wait: downloads run ahead of extraction
            self.window = max(1, self.window - 1)
        self._release()

    @contextmanager
    def page(self) -> Iterator[None]:
        """A downloaded page, from the pipeline taking it until it is stored (or dropped)."""
        self.waiting += 1
        try:
            yield
        finally:
            self.waiting -= 1
            self._release()

    @contextmanager
    def extraction(self) -> Iterator[None]:
        """A page of the backlog while the extraction workers have it."""
        self.extracting += 1
        try:
            yield
        finally:
            self.extracting -= 1
            if self.extracting < self.workers and not self.full:
                # a worker is about to go without a page: downloads are the slow part
                self.window = min(self.in_flight, self.window + 1)
                self._release()

    def _release(self) -> None:
        """Let held downloads go while there is room (each checks again when it runs)."""
        room = self._room()
        while room > 0 and self._held:
            future = self._held.popleft()
            if not future.done():
                future.set_result(None)
                room -= 1


class BacklogMiddleware:
    """Downloader middleware, nearest the downloader: holds article downloads while the
    backlog is full (CrawlServices.backlog, reached through the spider)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BacklogMiddleware:
        return cls(crawler)

    def _backlog(self) -> Backlog:
        return self.crawler.spider.services.backlog  # type: ignore[union-attr,no-any-return]

    async def process_request(self, request: Request) -> None:
        if request.meta.get(KIND) != "article":
            return
        await self._backlog().start_download()
        request.meta[_COUNTED] = True

    def process_response(self, request: Request, response: Response) -> Response:
        self._ended(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._ended(request)

    def _ended(self, request: Request) -> None:
        if request.meta.pop(_COUNTED, False):
            self._backlog().download_ended()
