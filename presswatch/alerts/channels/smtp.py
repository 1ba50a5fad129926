"""Email delivery over SMTP: plain, STARTTLS or implicit TLS, with optional login."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from typing import Any, Literal

from presswatch.alerts.message import Message
from presswatch.alerts.render import email_message
from presswatch.errors import DeliveryError

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]


class EmailChannel:
    """Sends each alert as one email to all `recipients`.

    `tls_context` verifies the server for "starttls" and "ssl" (default: the system's CAs).
    Errors never show the password. SMTP 5xx answers (bad login, rejected mail) are not
    retryable; 4xx answers, TLS and network failures are.
    """

    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        security: Security,
        username: str,
        password: str | None,
        sender: str,
        recipients: tuple[str, ...],
        timeout_s: float = 30,
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.security: Security = security
        self.username = username
        self._password = password
        self.sender = sender
        self.recipients = recipients
        self.timeout_s = timeout_s
        self.tls_context = tls_context if tls_context is not None else ssl.create_default_context()

    def __repr__(self) -> str:
        return f"EmailChannel(name={self.name!r}, host={self.host!r}, port={self.port})"

    def send(self, message: Message) -> str:
        """Send `message` to every recipient and return the server's answer to it; raises
        DeliveryError naming host:port and why."""
        msg = email_message(message, self.sender, self.recipients)
        try:
            refused, answer = self._deliver(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failure(exc) from exc
        if refused:
            # the others have it; a retry would send them a second copy
            log.warning(
                "email channel %s: some recipients refused: %s",
                self.name,
                ", ".join(sorted(refused)),
                extra={"channel": self.name, "delivery": message.delivery_id},
            )
        return f"{self.host}:{self.port} answered {answer}"

    def probe(self) -> str:
        """Connect, greet, secure and log in as a delivery would, send nothing; the server's
        answer, or DeliveryError saying why not."""
        try:
            smtp = self._connect()
            try:
                code, text = smtp.noop()
            finally:
                _quit(smtp)
        except (smtplib.SMTPException, OSError) as exc:
            raise self._failure(exc) from exc
        return f"{self.host}:{self.port} answered {_reply(code, text)}"

    def _connect(self) -> _RepliesKept:
        smtp: _RepliesKept
        if self.security == "ssl":
            smtp = _SslRepliesKept(
                self.host, self.port, timeout=self.timeout_s, context=self.tls_context
            )
        else:
            smtp = _RepliesKept(self.host, self.port, timeout=self.timeout_s)
        try:
            if self.security == "starttls":
                smtp.starttls(context=self.tls_context)
            if self.username:
                smtp.login(self.username, self._password or "")
        except BaseException:
            _quit(smtp)
            raise
        return smtp

    def _deliver(self, msg: EmailMessage) -> tuple[dict[str, tuple[int, bytes]], str]:
        """The refused recipients, and the server's reply to the message."""
        smtp = self._connect()
        try:
            refused = smtp.send_message(msg, from_addr=self.sender, to_addrs=list(self.recipients))
            return refused, _reply(*smtp.data_reply)
        finally:
            _quit(smtp)

    def _failure(self, exc: smtplib.SMTPException | OSError) -> DeliveryError:
        """What went wrong talking to the server, as a DeliveryError that says so."""
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            detail = _reply(exc.smtp_code, exc.smtp_error)
            return self._error(f"login as {self.username!r} refused ({detail})", exc.smtp_code)
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(
                f"{rcpt}: {_reply(code, text)}" for rcpt, (code, text) in exc.recipients.items()
            )
            return self._error(f"all recipients refused ({detail})", min(codes, default=0))
        if isinstance(exc, smtplib.SMTPResponseException):
            reply = _reply(exc.smtp_code, exc.smtp_error)
            return self._error(f"server answered {reply}", exc.smtp_code)
        if isinstance(exc, smtplib.SMTPException):
            return self._error(str(exc) or type(exc).__name__)
        if isinstance(exc, ssl.SSLError):
            reason = getattr(exc, "verify_message", None) or exc.reason or str(exc)
            return self._error(f"TLS failed: {reason}")
        if isinstance(exc, ConnectionRefusedError):
            return self._error("connection refused")
        if isinstance(exc, TimeoutError):
            return self._error(f"timed out after {self.timeout_s:g} s")
        return self._error(exc.strerror or str(exc) or type(exc).__name__)

    def _error(self, problem: str, smtp_code: int = 0) -> DeliveryError:
        text = " ".join(problem.split())
        if self._password:
            text = text.replace(self._password, "***")
        return DeliveryError(
            f"email {self.name}: {self.host}:{self.port} {text}",
            retryable=not 500 <= smtp_code < 600,
        )


class _RepliesKept(smtplib.SMTP):
    """smtplib.SMTP that keeps the server's reply to DATA (send_message drops it)."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: Any) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)
        return self.data_reply


class _SslRepliesKept(_RepliesKept, smtplib.SMTP_SSL):
    """The same over implicit TLS."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def _quit(smtp: smtplib.SMTP) -> None:
    # the message is already accepted (or already failed): a bad goodbye changes nothing
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
