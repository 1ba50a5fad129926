"""SourceSpider: discovers a source's articles from its feeds, sitemaps and followed links."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    StopDownload,
)
from scrapy.http import Headers, Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.spiders import SitemapSpider
from twisted.internet.error import (
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from presswatch.counts import FeedFetchRecord
from presswatch.crawler.context import (
    CrawlServices,
    SourceCrawl,
    report_blocked,
    report_error,
    report_robots,
)
from presswatch.crawler.feeds import read_feed
from presswatch.crawler.items import KIND, PageItem
from presswatch.crawler.middlewares import CONDITIONAL
from presswatch.errors import ExtractionTimeout
from presswatch.url_keys import url_key

HINT_PUBLISHED = "presswatch_published"
STALLED = "presswatch_stalled"  # Request.meta: how a page that stalled extraction looked
_HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class SourceSpider(SitemapSpider):
    """One spider for every source; what it crawls comes from the SourceConfig."""

    name = "source"
    sitemap_rules = (("", "parse_article"),)

    def __init__(self, crawl: SourceCrawl, services: CrawlServices, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.crawl = crawl
        self.services = services
        self._discovered: set[str] = set()  # URL keys seen in this crawl
        source = crawl.source
        self.sitemap_urls = [crawl.moved.get(url, url) for url in source.sitemaps]
        self._hosts = {urlsplit(u).hostname for u in source.start_urls}
        self._links = LinkExtractor(allow=source.follow, unique=True) if source.follow else None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._skip_non_html, signal=signals.headers_received)
        crawler.signals.connect(spider._on_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider._keep_validators, signal=signals.spider_closed)
        return spider

    def _keep_validators(self, spider: Spider, reason: str) -> None:
        """An unchanged feed may answer 304 next time only if this crawl finished and no URL
        failed: otherwise the next crawl reads the feeds again (stored URLs are still skipped
        before download), so that nothing a failure or a crash left behind is lost."""
        if spider is not self or reason != "finished" or self.crawl.counts.errors:
            return
        if self.crawl.revisit:  # a page skipped as stalled is asked for again next time
            return
        for url, (etag, modified) in self.crawl.validators.items():
            self.services.repository.save_feed_state(url, 200, etag, modified)

    def _on_dropped(self, request: Request, spider: Spider) -> None:
        """A redirect back to a URL already requested is dropped by the duplicate filter
        without an error: that is a redirect loop, and it is counted."""
        if spider is self and request.meta.get("redirect_times"):
            report_error(
                self.services,
                self.crawl,
                request.meta.get("redirect_urls", [request.url])[0],
                "redirect",
                "redirect loop (the redirects lead back to a URL already tried)",
            )

    async def start(self) -> AsyncIterator[Any]:
        source = self.crawl.source
        moved = self.crawl.moved  # follow_moves: feeds and sitemaps known to have moved
        for url in source.feeds:
            yield self._request(moved.get(url, url), self.parse_feed, "feed", conditional=True)
        for url in source.sitemaps:
            yield self._request(
                moved.get(url, url), self._parse_sitemap, "sitemap", conditional=True
            )
        for url in source.start_urls:
            yield self._request(url, self.parse_listing, "listing")

    def _request(
        self,
        url: str,
        callback: Any,
        kind: str,
        *,
        conditional: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> Request:
        request_meta: dict[str, Any] = {KIND: kind, **(meta or {})}
        if conditional:
            request_meta[CONDITIONAL] = True
            request_meta["handle_httpstatus_list"] = [304]
        return Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta=request_meta,
            # feeds and sitemaps too: a sitemap index that lists itself is not read again
            dont_filter=False,
        )

    def article_requests(
        self, found: Iterable[tuple[str, datetime | None]], via: str
    ) -> list[Request]:
        """Requests for the article URLs found (with a published time, if known), except those
        already stored: they are counted as known and not fetched. One database lookup for
        all of them: a sitemap lists thousands of URLs."""
        counts = self.crawl.counts
        # a URL linked from many pages (related links, menus) is one discovery, asked for once
        fresh: dict[str, tuple[str, datetime | None]] = {}
        for url, published in found:
            key = url_key(url)
            if key not in self._discovered and key not in fresh:
                fresh[key] = (url, published)
        self._discovered.update(fresh)
        found = list(fresh.values())
        counts.discovered += len(found)
        keys = list(fresh)
        repository = self.services.repository
        known = repository.known_url_keys(keys)
        stalled = repository.stalled_pages([k for k in keys if k not in known])
        requests = []
        for (url, published), key in zip(found, keys, strict=True):
            if key in known:
                counts.known += 1
                continue
            meta: dict[str, Any] = {"via": via, HINT_PUBLISHED: published}
            request = self._request(url, self.parse_article, "article", meta=meta)
            if key in stalled:  # asked for only if it changed since it stalled extraction
                request.meta[STALLED] = stalled[key]
                request.meta["handle_httpstatus_list"] = [304]
                if stalled[key].etag:
                    request.headers[b"If-None-Match"] = stalled[key].etag
                if stalled[key].last_modified:
                    request.headers[b"If-Modified-Since"] = stalled[key].last_modified
            requests.append(request)
        return requests

    # feeds

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        self.crawl.counts.requests += 1
        if response.status == 304:
            self.crawl.counts.not_modified += 1
            self._fetched(response, "feed")
            return
        try:
            feed = await self.services.extract_pool.run(read_feed, response.body)
        except (ExtractionTimeout, BrokenProcessPool) as exc:
            problem = f"unreadable: {exc}"
            report_error(self.services, self.crawl, response.url, "feed", problem)
            self._fetched(response, "feed", error=problem)
            return
        self.services.repository.set_feed_entries(response.url, len(feed.links))
        if feed.problem is not None:
            report_error(self.services, self.crawl, response.url, "feed", feed.problem)
            self._fetched(response, "feed", error=feed.problem)
            return
        links = ((response.urljoin(link), published) for link, published in feed.links)
        requests = self.article_requests(links, "feed")
        self._fetched(response, "feed", len(feed.links), len(requests))
        for request in requests:
            yield request

    def _fetched(
        self,
        response: Response,
        kind: str,
        entries: int = 0,
        new_links: int = 0,
        error: str | None = None,
    ) -> None:
        """Keep how a feed or sitemap answered, for source health."""
        permanent = {301, 308} & set(response.meta.get("redirect_reasons", ()))
        self.crawl.feed_fetches.append(
            FeedFetchRecord(
                response.meta.get("redirect_urls", [response.url])[0],
                kind,
                response.status,
                entries,
                new_links,
                response.url if permanent else None,
                error,
            )
        )

    # sitemaps (Scrapy's SitemapSpider does the parsing: indexes, gzip, robots.txt)

    def _parse_sitemap(self, response: Response) -> Iterable[Request]:
        repository = self.services.repository
        self.crawl.counts.requests += 1
        if response.status == 304:
            self.crawl.counts.not_modified += 1
            self._fetched(response, "sitemap")
            # an unchanged index says nothing about its children: ask each of them
            return [
                self._request(url, self._parse_sitemap, "sitemap", conditional=True)
                for url in repository.sitemap_children(response.url)
            ]
        requests = list(super()._parse_sitemap(response))
        problem = None
        if not requests and not response.url.endswith("/robots.txt"):
            problem = "not a sitemap, or a sitemap with no URLs"
            report_error(self.services, self.crawl, response.url, "sitemap", problem)
        repository.set_feed_entries(response.url, len(requests))
        children = [r.url for r in requests if r.callback == self._parse_sitemap]
        if children:
            repository.set_sitemap_children(response.url, children)
        out = list(self._sitemap_requests(requests))
        new_links = sum(r.callback != self._parse_sitemap for r in out)
        self._fetched(response, "sitemap", len(requests), new_links, problem)
        return out

    def _sitemap_requests(self, requests: Iterable[Request]) -> Iterator[Request]:
        articles = []
        for request in requests:
            if request.callback == self._parse_sitemap:  # a child sitemap of an index
                yield self._request(request.url, self._parse_sitemap, "sitemap", conditional=True)
            else:
                articles.append((request.url, None))
        yield from self.article_requests(articles, "sitemap")

    # start_urls + follow

    def parse_listing(self, response: Response) -> Iterator[Request]:
        self.crawl.counts.requests += 1
        yield from self._follow_links(response)

    def _follow_links(self, response: Response) -> Iterator[Request]:
        if self._links is None or not isinstance(response, TextResponse):
            return
        links = self._links.extract_links(response)
        yield from self.article_requests(
            ((link.url, None) for link in links if urlsplit(link.url).hostname in self._hosts),
            "link",
        )

    # articles

    def parse_article(self, response: Response) -> Iterator[PageItem | Request]:
        self.crawl.counts.requests += 1
        content_type = response.headers.get(b"Content-Type")
        if not _is_html(content_type):
            self.crawl.counts.not_articles += 1
            return
        etag, modified = _header(response, b"ETag"), _header(response, b"Last-Modified")
        stalled = response.meta.get(STALLED)
        if stalled is not None and (
            response.status == 304 or stalled.is_unchanged(etag, modified, len(response.body))
        ):
            self.crawl.counts.known += 1  # it stalled extraction before, and has not changed
            self.crawl.revisit = True
            self.logger.info("skipped, unchanged since its extraction timed out: %s", response.url)
            return
        self.crawl.counts.fetched += 1
        yield PageItem(
            url=response.url,
            # as discovered, before any redirect: remembered so that it is not fetched again
            request_url=response.meta.get("redirect_urls", [response.url])[0],
            body=response.body,
            content_type=content_type.decode("latin-1") if content_type else None,
            discovered_via=response.meta.get("via", "link"),
            hint_published=response.meta.get(HINT_PUBLISHED),
            etag=etag,
            last_modified=modified,
        )
        yield from self._follow_links(response)

    def _skip_non_html(
        self, headers: Headers, body_length: int, request: Request, spider: Spider
    ) -> None:
        """Stop downloading a linked PDF or image as soon as its headers say what it is."""
        if spider is self and request.meta.get(KIND) == "article":
            content_type = headers.get(b"Content-Type")
            if content_type is not None and not _is_html(content_type):
                raise StopDownload(fail=False)

    # failures

    def on_error(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, DNSLookupError | CannotResolveHostError):
            blocked = self.services.guard.why_blocked(urlsplit(request.url).hostname)
            if blocked is not None:
                report_blocked(self.services, self.crawl, request.url, blocked)
                return
        kind, message = describe_failure(failure)
        if kind == "robots":
            report_robots(self.crawl, request.url)
        else:
            self.crawl.counts.requests += 1
            report_error(self.services, self.crawl, request.url, kind, message)
        if request.meta.get(KIND) in ("feed", "sitemap"):
            response = getattr(failure.value, "response", None)
            self.crawl.feed_fetches.append(
                FeedFetchRecord(
                    request.meta.get("redirect_urls", [request.url])[0],
                    request.meta[KIND],
                    response.status if isinstance(response, Response) else 0,
                    error=message,
                )
            )


def describe_failure(failure: Failure) -> tuple[str, str]:
    """A short kind and one readable line for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        status = exc.response.status
        return f"http-{status}", f"the server answered {status}"
    if isinstance(exc, DNSLookupError | CannotResolveHostError):
        return "dns", "the host name does not resolve"
    if isinstance(exc, ConnectionRefusedError | DownloadConnectionRefusedError):
        return "connection", "the connection was refused (host down?)"
    if isinstance(exc, TimeoutError | TCPTimedOutError | DownloadTimeoutError):
        return "timeout", "no answer within the timeout"
    if isinstance(exc, DownloadCancelledError) and "max" in str(exc).lower():
        return "too-large", "larger than max_page_bytes"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "robots.txt" in text:
            return "robots", "forbidden by robots.txt"
        if "max redirections" in text.lower() or "redirect" in text.lower():
            return "redirect", "too many redirects (a redirect loop?)"
        return "ignored", text or "request ignored"
    text = str(exc) or type(exc).__name__
    if "maxsize" in text.lower() or "max size" in text.lower():
        return "too-large", "larger than max_page_bytes"
    return type(exc).__name__.lower(), text.splitlines()[0][:300]


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _is_html(content_type: bytes | None) -> bool:
    if content_type is None:
        return True  # many servers omit it for HTML; extraction decides
    lowered = content_type.lower()
    return any(t in lowered for t in _HTML_TYPES)
