"""A small HTTP server on 127.0.0.1 for the demo site, the tests and the benchmarks.

Routes map a path to a fixed response; directories can be served with `__BASE__` replaced
by the server's own base URL. Every request is recorded, and ETag / Last-Modified are
honoured so that conditional GET works as on a real news site.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

BASE_TOKEN = "__BASE__"
# a crawl reaches only public addresses unless its config lets it reach others: the demo,
# the tests and the benchmarks let it reach this server
ALLOW_LOOPBACK = 'allow_networks = ["127.0.0.0/8", "::1/128"]'
_TEMPLATED = {".html", ".htm", ".xml", ".txt", ".toml", ".rss", ".atom"}


def allow_loopback(config_text: str) -> str:
    """A presswatch.toml text whose crawls may reach 127.0.0.1 (its [crawl] table says so)."""
    if re.search(r"^allow_networks\s*=", config_text, flags=re.M):
        return re.sub(r"^allow_networks\s*=.*$", ALLOW_LOOPBACK, config_text, count=1, flags=re.M)
    if "\n[crawl]\n" in f"\n{config_text}":
        return f"\n{config_text}".replace("\n[crawl]\n", f"\n[crawl]\n{ALLOW_LOOPBACK}\n", 1)[1:]
    return f"{config_text}\n[crawl]\n{ALLOW_LOOPBACK}\n"


@dataclass(slots=True)
class Route:
    """A fixed answer: status, headers and body; `delay_s` answers slowly."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    conditional: bool = True  # send ETag/Last-Modified and answer 304 when they match


Handler = Callable[[str], Route]


@dataclass(frozen=True, slots=True)
class Hit:
    method: str
    path: str
    status: int
    headers: dict[str, str]


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a crawler opening its per-domain concurrency
    # (16) connections at once had the SYNs past 5 dropped, each retried only after a second
    request_queue_size = 128
    daemon_threads = True


class LoopbackSite:
    """`with LoopbackSite() as site: site.add("/feed.xml", Route(...)); site.url("/feed.xml")`"""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.hits: list[Hit] = []
        self.in_flight = 0  # requests being answered now
        self.max_in_flight = 0  # the most answered at once, ever
        self._lock = threading.Lock()
        self._server = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None
        self.started = formatdate(time.time() - 3600, usegmt=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, route: Route | Handler) -> None:
        self.routes[path] = route

    def add_html(self, path: str, html: str, *, delay_s: float = 0.0) -> None:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        self.add(path, Route(html.encode(), headers=headers, delay_s=delay_s))

    def add_directory(self, root: Path, prefix: str = "") -> int:
        """Serve every file under `root`, with `__BASE__` replaced in text files."""
        count = 0
        for path in sorted(root.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes()
            if path.suffix in _TEMPLATED:
                data = data.replace(BASE_TOKEN.encode(), self.base_url.encode())
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type.endswith("xml"):
                content_type += "; charset=utf-8"
            rel = "/" + path.relative_to(root).as_posix()
            self.add(prefix + rel, Route(data, headers={"Content-Type": content_type}))
            if path.name == "index.html":
                self.add(
                    prefix + rel.removesuffix("index.html"),
                    Route(data, headers={"Content-Type": content_type}),
                )
            count += 1
        return count

    def hits_for(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def paths_fetched(self) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits]

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, name="loopback-site"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _resolve(self, raw_path: str) -> Route | None:
        path = urlsplit(raw_path).path
        route = self.routes.get(raw_path) or self.routes.get(path)
        if route is None:
            return None
        return route(raw_path) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer(send_body=True)

            def do_HEAD(self) -> None:
                self._answer(send_body=False)

            def _answer(self, send_body: bool) -> None:
                with site._lock:
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    self._answer_route(send_body)
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def _answer_route(self, send_body: bool) -> None:
                route = site._resolve(self.path)
                if route is None:
                    route = Route(
                        b"<html><body><h1>Not found</h1></body></html>",
                        status=404,
                        headers={"Content-Type": "text/html"},
                        conditional=False,
                    )
                if route.delay_s:
                    time.sleep(route.delay_s)
                headers = dict(route.headers)
                status = route.status
                body = route.body
                if route.conditional and status == 200:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers.setdefault("ETag", etag)
                    headers.setdefault("Last-Modified", site.started)
                    if self.headers.get("If-None-Match") == headers["ETag"] or (
                        "If-None-Match" not in self.headers
                        and self.headers.get("If-Modified-Since") == headers["Last-Modified"]
                    ):
                        status, body = 304, b""
                site._record(Hit(self.command, self.path, status, dict(self.headers)))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if send_body and body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler hung up (e.g. a page over max_page_bytes)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler
