"""Fetch one page outside a crawl (for `presswatch extract URL`)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from presswatch.config import CrawlConfig
from presswatch.errors import PresswatchError


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # after redirects
    body: bytes
    content_type: str | None


def fetch_page(url: str, cfg: CrawlConfig) -> FetchedPage:
    """GET `url` with the crawl's user agent, timeout and size limit; PresswatchError on failure."""
    try:
        with (
            httpx.Client(
                timeout=cfg.timeout_s, follow_redirects=True, headers={"User-Agent": cfg.user_agent}
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise PresswatchError(f"{url}: the server answered {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > cfg.max_page_bytes:
                    raise PresswatchError(
                        f"{url}: larger than max_page_bytes ({cfg.max_page_bytes})"
                    )
            return FetchedPage(str(response.url), bytes(body), response.headers.get("content-type"))
    except httpx.HTTPError as exc:
        raise PresswatchError(f"{url}: cannot fetch ({exc})") from exc
