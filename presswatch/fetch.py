"""Fetch one page outside a crawl (for `presswatch extract URL`, `topics test --url` and the
re-checks of clippings), held to the crawl's network rules: an internal address is refused
unless `[crawl] allow_networks` lists it (checked before each request and redirect; the crawl
itself checks at connect time). The re-checks, which fetch on their own schedule, also obey
robots.txt as the crawl does (`RobotsRules`)."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from protego import Protego

from presswatch.addresses import allowed_networks, refusal
from presswatch.config import CrawlConfig
from presswatch.errors import PresswatchError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # after redirects
    body: bytes
    content_type: str | None


@dataclass(frozen=True, slots=True)
class Refetched:
    """A page asked for again, conditionally: its status (304: unchanged since the
    validators), and, on a 2xx, its body and new validators."""

    status: int
    url: str  # after redirects
    body: bytes = b""
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def fetch_page(url: str, cfg: CrawlConfig) -> FetchedPage:
    """GET `url` with the crawl's user agent, timeout and size limit; PresswatchError on failure."""
    fetched = _get(url, cfg, {})
    if fetched.status >= 400:
        raise PresswatchError(f"{url}: the server answered {fetched.status}")
    return FetchedPage(fetched.url, fetched.body, fetched.content_type)


def refetch_page(
    url: str, cfg: CrawlConfig, etag: str | None = None, last_modified: str | None = None
) -> Refetched:
    """GET `url` again, with If-None-Match / If-Modified-Since when validators are given; any
    status is returned (a 4xx or 5xx with no body); PresswatchError when there is no answer."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return _get(url, cfg, headers)


@dataclass(slots=True)
class RobotsRules:
    """What each host's robots.txt allows `[crawl] user_agent`, read once per host (per pass of
    re-checks) and obeyed as the crawl obeys it (Scrapy's RobotsTxtMiddleware, with the same
    parser, Protego): a robots.txt that cannot be fetched, or answers anything but 2xx,
    allows everything."""

    cfg: CrawlConfig
    _hosts: dict[str, Protego | None] = field(default_factory=dict)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._hosts:
            self._hosts[origin] = self._read(f"{origin}/robots.txt")
        rules = self._hosts[origin]
        return rules is None or bool(rules.can_fetch(url, self.cfg.user_agent))

    def _read(self, robots_url: str) -> Protego | None:
        try:
            answer = _get(robots_url, self.cfg, {})
        except PresswatchError as exc:
            log.info("robots.txt not read, everything allowed: %s", exc)
            return None
        if not 200 <= answer.status < 300:
            return None
        return Protego.parse(answer.body.decode("utf-8", errors="ignore"))


def _get(url: str, cfg: CrawlConfig, headers: dict[str, str]) -> Refetched:
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
            client.stream("GET", url, headers=headers) as response,
        ):
            final = str(response.url)
            if not response.is_success:
                return Refetched(response.status_code, final)
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > cfg.max_page_bytes:
                    raise PresswatchError(
                        f"{url}: larger than max_page_bytes ({cfg.max_page_bytes})"
                    )
            return Refetched(
                response.status_code,
                final,
                bytes(body),
                response.headers.get("content-type"),
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except httpx.HTTPError as exc:
        raise PresswatchError(f"{url}: cannot fetch ({exc})") from exc
