"""Downloader middlewares: conditional GET for feeds and sitemaps (ETag / Last-Modified), and
<meta> refresh redirects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as _ScrapyMetaRefresh
from scrapy.http import Response

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from presswatch.storage.repository import Repository

# Request.meta key: ask with the validators kept from the last fetch of this URL
CONDITIONAL = "presswatch_conditional"
# Scrapy looks for <meta> refresh in a page's first 4096 characters: at most 4 bytes each
_META_SCAN_BYTES = 4 * 4096
_REFRESH = re.compile(rb"refresh", re.IGNORECASE)


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


class MetaRefreshMiddleware(_ScrapyMetaRefresh):
    """Scrapy's <meta http-equiv="refresh"> redirects, without decoding every page first.

    Scrapy decodes the response (and finds its base URL) before it looks for the tag, about
    0.15 ms of the crawl process per page; a page whose first bytes do not contain "refresh"
    has no such tag, and is passed on as it is (w3lib rules pages out the same way). Pages in
    an encoding that is not ASCII-compatible (UTF-16/32: NUL bytes) are always checked.
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        head = response.body[:_META_SCAN_BYTES]
        if b"\0" not in head and not _REFRESH.search(head):
            return response
        return super().process_response(request, response)
