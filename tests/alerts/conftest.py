"""Real delivery endpoints on loopback: an aiosmtpd SMTP server and a webhook receiver."""

from __future__ import annotations

import gc
import hashlib
import hmac
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from presswatch.alerts.message import AlertClipping, AlertMessage, AlsoIn
from presswatch.model import Snippet
from presswatch.sinks import LoopbackController
from tests.conftest import wait_until

SMTP_USER = "desk"
SMTP_PASSWORD = "pa55-w0rd-never-shown"


@pytest.fixture
def no_leaks() -> Iterator[None]:
    """Fails the test when it leaves threads or file descriptors behind."""
    threads = set(threading.enumerate())
    fds = _open_fds()
    yield
    deadline = time.monotonic() + 5
    while True:
        gc.collect()  # an unclosed socket warns (an error here) when collected
        extra_threads = set(threading.enumerate()) - threads
        extra_fds = _open_fds() - fds
        if not extra_threads and not extra_fds:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"leaked threads {extra_threads} / file descriptors {extra_fds}")
        time.sleep(0.02)


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


# --- TLS ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tls:
    server: ssl.SSLContext  # presents a certificate for 127.0.0.1 from a throw-away CA
    client: ssl.SSLContext  # trusts that CA


@pytest.fixture(scope="session")
def tls() -> Tls:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return Tls(server, client)


# --- SMTP --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes


class Mailbox:
    """An aiosmtpd handler that keeps every message; refuses recipients named `refused@...`."""

    def __init__(self) -> None:
        self.messages: list[Received] = []

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.startswith("refused@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.messages.append(Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), content))
        return "250 OK"


@dataclass(frozen=True, slots=True)
class SmtpServer:
    port: int
    mailbox: Mailbox


def _check_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    # handled=False: aiosmtpd then answers 535 itself
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def start_smtp(no_leaks: None, tls: Tls) -> Iterator[Callable[..., SmtpServer]]:
    """start_smtp(mode) -> SmtpServer; mode is "plain", "starttls", "ssl" or "auth".

    "starttls" and "auth" require STARTTLS before MAIL; "auth" also requires a login
    (AUTH LOGIN/PLAIN as SMTP_USER / SMTP_PASSWORD); "ssl" is TLS from the first byte.
    """
    controllers: list[Controller] = []

    def start(mode: str = "plain") -> SmtpServer:
        mailbox = Mailbox()
        options: dict[str, Any] = {}
        if mode in ("starttls", "auth"):
            options.update(tls_context=tls.server, require_starttls=True)
        if mode == "auth":
            options.update(authenticator=_check_login, auth_required=True)
        if mode == "ssl":
            options.update(ssl_context=tls.server)
        controller = LoopbackController(
            mailbox, hostname="127.0.0.1", port=0, server_hostname="mail.test", **options
        )
        controller.start()
        controllers.append(controller)
        return SmtpServer(controller.port, mailbox)

    yield start
    for controller in controllers:
        controller.stop()


# --- webhook -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    signature_ok: bool | None  # None: the receiver has no secret


def verify_signature(body: bytes, header: str | None, secret: str) -> bool:
    """What a receiver does (the README's example)."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return header is not None and hmac.compare_digest(header, expected)


class WebhookReceiver:
    """Records every POST; `status` and `delay_s` decide how it answers."""

    def __init__(self) -> None:
        self.requests: list[WebhookRequest] = []
        self.secret: str | None = None
        self.status = 204
        self.fail_first = 0  # answer 500 to this many requests first
        self.delay_s = 0.0
        self.released = threading.Event()  # ends every delay at teardown
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="webhook"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()  # joins the request threads
        self._thread.join()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                ok = None
                if receiver.secret is not None:
                    signature = headers.get("x-presswatch-signature")
                    ok = verify_signature(body, signature, receiver.secret)
                receiver.requests.append(WebhookRequest(self.path, headers, body, ok))
                if receiver.delay_s:
                    receiver.released.wait(receiver.delay_s)
                failing = len(receiver.requests) <= receiver.fail_first
                try:
                    self.send_response(500 if failing else receiver.status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the client gave up waiting

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture
def webhook(no_leaks: None) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def closed_port(no_leaks: None) -> Iterator[int]:
    """A loopback port bound but not listening: connecting is refused, and nobody takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


# --- a crawl killed half way ---------------------------------------------------------------


def kill_crawl_when(
    config: Path, env: dict[str, str], stored: Callable[[], int], at_least: int
) -> None:
    """Run `presswatch crawl` and kill it, with its crawl process and extraction workers
    (SIGKILL to the process group), once `stored()` reaches `at_least`."""
    crawl = subprocess.Popen(
        [sys.executable, "-m", "presswatch", "--config", str(config), "crawl"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(lambda: stored() >= at_least, 60, f"{at_least} clippings stored")
    finally:
        os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=10)


# --- messages ----------------------------------------------------------------------------


def snippet(text: str, *words: str) -> Snippet:
    """A snippet of `text` with every occurrence of each of `words` as a hit."""
    hits = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            hits.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return Snippet(text, tuple(sorted(hits)))


@pytest.fixture
def alert() -> AlertMessage:
    return AlertMessage(
        delivery_id="a1b2c3d4e5f6",
        event="alert",
        topic="ukraine-security",
        query='"security guarantee*" AND (Ukraine OR Kyiv)',
        clippings=(
            AlertClipping(
                id=17,
                url="https://www.example.org/world/2025/feb/26/kyiv-talks?utm_source=rss",
                canonical_url="https://www.example.org/world/2025/feb/26/kyiv-talks",
                title="Security guarantees for Kyiv on the table",
                source="guardian-world",
                published=datetime(2025, 2, 26, 22, 30, tzinfo=UTC),
                snippets=(
                    snippet(
                        "Leaders discussed security guarantees for Kyiv on Wednesday …",
                        "security guarantees",
                        "Kyiv",
                    ),
                ),
                also_in=(AlsoIn("bbc-world", "https://news.example.com/world-123"),),
            ),
            AlertClipping(
                id=18,
                url="https://news.example.net/ukraine",
                canonical_url="https://news.example.net/ukraine",
                title="Ukraine asks for a security guarantee",
                source="wire",
                published=None,
                snippets=(),
            ),
        ),
    )
