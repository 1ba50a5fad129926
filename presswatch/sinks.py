"""Alert receivers on loopback for the demo: an SMTP server (aiosmtpd) and a webhook receiver."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller


class LoopbackController(Controller):
    """aiosmtpd's Controller, listening on the port the OS chose for port 0."""

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@dataclass(slots=True)
class _Collector:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it receives."""

    def __init__(self) -> None:
        self._collector = _Collector()
        self._controller = LoopbackController(self._collector, hostname="127.0.0.1", port=0)

    @property
    def messages(self) -> list[EmailMessage]:
        return self._collector.messages

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def __enter__(self) -> Self:
        self._controller.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._controller.stop()


@dataclass(frozen=True, slots=True)
class WebhookCall:
    headers: dict[str, str]
    body: dict[str, Any]
    signature_ok: bool | None  # None: no secret to check against


class WebhookSink:
    """An HTTP receiver on 127.0.0.1 that records each POST and checks its signature."""

    def __init__(self, secret: str | None = None) -> None:
        self.secret = secret
        self.calls: list[WebhookCall] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ok: bool | None = None
                if sink.secret is not None:
                    expected = (
                        "sha256=" + hmac.new(sink.secret.encode(), raw, hashlib.sha256).hexdigest()
                    )
                    ok = hmac.compare_digest(
                        expected, self.headers.get("X-Presswatch-Signature", "")
                    )
                sink.calls.append(WebhookCall(dict(self.headers), json.loads(raw), ok))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        return _Handler
