"""Scrapy settings derived from `[crawl]`; there is no module-level settings object."""

from __future__ import annotations

from typing import Any

from presswatch.config import CrawlConfig

RETRY_HTTP_CODES = (500, 502, 503, 504, 522, 524, 408, 429)

# Scrapy components presswatch does not use, switched off: each costs the crawl process time
# on every request or response (or at start), and none changes what presswatch crawls. Kept:
# robots.txt, download timeout, default headers, user agent, retries, HTTP compression,
# redirects (also <meta> refresh), the proxy from the environment, HTTP errors, depth limit,
# AutoThrottle, and the signals (headers_received, request_dropped, spider_closed).
UNUSED_DOWNLOADER_MIDDLEWARES = (
    # the spider sets no allowed_domains: nothing is offsite (links are filtered by host)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
    # the spider sets no http_user / http_pass
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    # COOKIES_ENABLED is off; HTTPCACHE_ENABLED is off (ConditionalGetMiddleware instead)
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    # byte and status counts for Scrapy's stats, which nothing reads
    "scrapy.downloadermiddlewares.stats.DownloaderStats",
)
UNUSED_SPIDER_MIDDLEWARES = (
    # Referer headers: news sites do not need them to serve an article
    "scrapy.spidermiddlewares.referer.RefererMiddleware",
    # drops URLs over 2083 characters; such a URL is now fetched (or fails with its status)
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
    # a developer warning about meta copied from a response; the spider never copies it
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware",
)
# The extensions presswatch uses, replacing Scrapy's default list (EXTENSIONS_BASE): an
# extension set to None in EXTENSIONS is still imported (Scrapy resolves every name listed),
# and RemoteControl imports aiohttp, ~0.2 s of the crawl process's start. Left out: CoreStats,
# LogCount, LogStats (Scrapy's stats and log counts; presswatch keeps its own CrawlCounts),
# TelnetConsole, RemoteControl, MemoryDebugger (off by settings anyway), MemoryUsage (no limit
# set: it only sampled memory once a minute), FeedExporter, SpiderState, CloseSpider (no FEEDS,
# no JOBDIR, no CLOSESPIDER_* limits).
EXTENSIONS = {"scrapy.extensions.throttle.AutoThrottle": 0}


def scrapy_settings(cfg: CrawlConfig) -> dict[str, Any]:
    """Settings for one crawl process."""
    return {
        "BOT_NAME": "presswatch",
        "USER_AGENT": cfg.user_agent,
        "ROBOTSTXT_OBEY": cfg.obey_robots,
        "CONCURRENT_REQUESTS": cfg.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": cfg.per_domain_concurrency,
        "DOWNLOAD_TIMEOUT": cfg.timeout_s,
        "DNS_TIMEOUT": cfg.timeout_s,
        "DOWNLOAD_MAXSIZE": cfg.max_page_bytes,
        # A floor under the delay between requests to one host (AutoThrottle adapts it upward).
        # Scrapy 2.14+ under the asyncio reactor starts a download as a task that marks itself
        # "transferring" only when it first runs; with no delay the downloader's queue loop
        # sees a free slot every time and starts every queued request to the host at once,
        # ignoring per_domain_concurrency. With any delay it starts one, and the next after
        # the delay, when the first has marked itself: the limit holds (test_crawl checks it).
        "DOWNLOAD_DELAY": 0.001,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_ENABLED": cfg.retries > 0,
        "RETRY_TIMES": cfg.retries,
        "RETRY_HTTP_CODES": list(RETRY_HTTP_CODES),
        "REDIRECT_MAX_TIMES": 5,
        "DEPTH_LIMIT": cfg.max_depth,
        # AutoThrottle adapts the delay to each host's latency; the start delay is short so a
        # fast host is not held back at 5 s (Scrapy's default) for the first requests
        "AUTOTHROTTLE_ENABLED": cfg.autothrottle,
        "AUTOTHROTTLE_START_DELAY": 0.25,
        "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(cfg.per_domain_concurrency),
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "ERROR",
        "LOG_INSTALL_ROOT_HANDLER": False,  # our handler forwards records to the parent
        "REMOTE_CONTROL_ENABLED": False,
        "LOGSTATS_INTERVAL": 0,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOADER_MIDDLEWARES": {
            "presswatch.crawler.middlewares.ConditionalGetMiddleware": 560,
            # Scrapy's, in its place, with a cheap test first (pages rarely have the tag)
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
            "presswatch.crawler.middlewares.MetaRefreshMiddleware": 580,
            # nearest the downloader: holds article downloads while the backlog is full
            "presswatch.crawler.backlog.BacklogMiddleware": 1000,
            **dict.fromkeys(UNUSED_DOWNLOADER_MIDDLEWARES),
        },
        "SPIDER_MIDDLEWARES": dict.fromkeys(UNUSED_SPIDER_MIDDLEWARES),
        "EXTENSIONS_BASE": dict(EXTENSIONS),
        "EXTENSIONS": {},
        # Scrapy checks every response's callback for a generator that returns a value (a
        # developer's mistake) by parsing the callback's source; its cache misses for a bound
        # method, so it parsed the spider's source for every page: 7% of the crawl process
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # nothing reads Scrapy's stats (presswatch keeps its own counts): every stats call left
        # in Scrapy's components is a no-op
        "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
        # the next request comes from the host with the fewest downloads under way (Scrapy's
        # default since 2.13, set here so that it stays): requests queued for a slow host
        # never fill every download slot while other hosts' pages wait
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        # sources and the links found are http(s) (config validates them); a file: or data: URL
        # in a feed is refused instead of read
        "DOWNLOAD_HANDLERS": dict.fromkeys(("file", "data", "ftp", "s3")),
        "ITEM_PIPELINES": {"presswatch.crawler.pipelines.ExtractStorePipeline": 300},
        # responses waiting for extraction are bounded by size; downloading pauses past it
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 20_000_000,
        # outputs of one response processed in parallel; Scrapy starts this many asyncio
        # tasks for every response, and an article page yields one item
        "CONCURRENT_ITEMS": 8,
    }
