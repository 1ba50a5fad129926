"""Fetch one page outside a crawl (for `presswatch extract URL` and `topics test --url`), held
to the crawl's network rules: an internal address is refused unless `[crawl] allow_networks`
lists it (checked before each request and redirect; the crawl itself checks at connect time)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

import httpx

from presswatch.addresses import allowed_networks, refusal
from presswatch.config import CrawlConfig
from presswatch.errors import PresswatchError


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # after redirects
    body: bytes
    content_type: str | None


def fetch_page(url: str, cfg: CrawlConfig) -> FetchedPage:
    """GET `url` with the crawl's user agent, timeout and size limit; PresswatchError on failure."""
    allowed = allowed_networks(cfg.allow_networks)

    def refuse_internal(request: httpx.Request) -> None:
        host = request.url.host
        try:
            found = socket.getaddrinfo(host, request.url.port or 443, proto=socket.IPPROTO_TCP)
        except OSError:
            return  # httpx reports the failed lookup itself
        addresses = [str(info[4][0]) for info in found]
        reasons = [refusal(address, allowed) for address in addresses]
        if addresses and all(reasons):
            raise PresswatchError(
                f"{request.url}: refused: {host} is {reasons[0]} (allow it with [crawl] "
                "allow_networks)"
            )

    try:
        with (
            httpx.Client(
                timeout=cfg.timeout_s,
                follow_redirects=True,
                headers={"User-Agent": cfg.user_agent},
                event_hooks={"request": [refuse_internal]},
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
