"""Downloader middleware: conditional GET for feeds and sitemaps (ETag / Last-Modified)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from presswatch.storage.repository import Repository

# Request.meta key: ask with the validators kept from the last fetch of this URL
CONDITIONAL = "presswatch_conditional"


class ConditionalGetMiddleware:
    """An unchanged feed costs one 304: validators are sent with the request and kept per URL
    in the database when a 200 answers."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        return cls(crawler)

    def _repository(self) -> Repository:
        return self.crawler.spider.services.repository  # type: ignore[union-attr,no-any-return]

    def process_request(self, request: Request) -> None:
        if not request.meta.get(CONDITIONAL):
            return
        validators = self._repository().feed_validators(request.url)
        if validators is None:
            return
        if validators.etag:
            request.headers[b"If-None-Match"] = validators.etag
        if validators.last_modified:
            request.headers[b"If-Modified-Since"] = validators.last_modified

    def process_response(self, request: Request, response: Response) -> Response:
        if not request.meta.get(CONDITIONAL):
            return response
        if response.status == 304:
            self._repository().touch_feed_state(response.url, 304)
        elif response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            # kept only when the crawl ends with every entry dealt with (see SourceSpider):
            # a crawl that dies half way must not leave a 304 hiding the unread entries
            self.crawler.spider.crawl.validators[response.url] = (  # type: ignore[union-attr]
                etag.decode("latin-1") if etag else None,
                modified.decode("latin-1") if modified else None,
            )
        return response
