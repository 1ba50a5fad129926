"""Scrapy settings derived from `[crawl]`; there is no module-level settings object."""

from __future__ import annotations

from typing import Any

from presswatch.config import CrawlConfig

RETRY_HTTP_CODES = (500, 502, 503, 504, 522, 524, 408, 429)


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
        },
        "ITEM_PIPELINES": {"presswatch.crawler.pipelines.ExtractStorePipeline": 300},
        # responses waiting for extraction are bounded by size; downloading pauses past it
        "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 20_000_000,
        # outputs of one response processed in parallel; Scrapy starts this many asyncio
        # tasks for every response, and an article page yields one item
        "CONCURRENT_ITEMS": 8,
    }
