"""Webhook delivery: POST the alert as JSON, signed with HMAC-SHA256 when a secret is set."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from urllib.parse import urlsplit, urlunsplit

import httpx

from presswatch.alerts.message import Message
from presswatch.alerts.render import webhook_body
from presswatch.errors import DeliveryError

log = logging.getLogger(__name__)


def sign_body(body: bytes, secret: str) -> str:
    """The `X-Presswatch-Signature` value: `sha256=<hex HMAC-SHA256 of body>`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sign_timestamped(timestamp: str, body: bytes, secret: str) -> str:
    """The `X-Presswatch-Signature-V2` value: the HMAC of "<timestamp>.<body>", so that a
    receiver that refuses old timestamps cannot be sent a recorded request again."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POSTs each alert to `url`; any answer but 2xx, a timeout or no connection is retryable."""

    def __init__(self, name: str, url: str, secret: str | None, timeout_s: float) -> None:
        self.name = name
        self.url = url
        self.secret = secret
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"WebhookChannel(name={self.name!r}, url={_shown(self.url)!r})"

    def probe(self) -> str:
        """Whether the receiver is there (a HEAD request, no alert sent): its answer, or
        DeliveryError when it cannot be reached or answers 5xx."""
        return _probe(self)

    def send(self, message: Message) -> str:
        """POST `message` and return the answer ("HTTP 200: <start of the body>"); raises
        DeliveryError(retryable=True) unless the answer is 2xx."""
        body = webhook_body(message)
        headers = {
            "Content-Type": "application/json",
            "X-Presswatch-Event": message.event,
            "X-Presswatch-Delivery": message.delivery_id,
        }
        if self.secret:
            timestamp = str(int(time.time()))
            headers["X-Presswatch-Timestamp"] = timestamp
            headers["X-Presswatch-Signature"] = sign_body(body, self.secret)
            headers["X-Presswatch-Signature-V2"] = sign_timestamped(timestamp, body, self.secret)
        where = f"webhook {self.name}: {_shown(self.url)}"
        try:
            with httpx.Client(timeout=self.timeout_s, follow_redirects=False) as client:
                response = client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise DeliveryError(f"{where} timed out after {self.timeout_s:g} s") from exc
        except httpx.ConnectError as exc:
            raise DeliveryError(f"{where} {_connect_problem(exc)}") from exc
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{where} failed: {_one_line(str(exc))}") from exc
        except httpx.InvalidURL as exc:
            raise DeliveryError(f"{where} is not a valid URL", retryable=False) from exc
        if not response.is_success:
            raise DeliveryError(f"{where} answered {response.status_code}")
        log.debug(
            "webhook delivered",
            extra={"channel": self.name, "delivery": message.delivery_id},
        )
        answer = _one_line(response.text[:_ANSWER_CHARS])
        return f"{where} answered HTTP {response.status_code}" + (f": {answer}" if answer else "")


_ANSWER_CHARS = 200


def _probe(channel: WebhookChannel) -> str:
    where = f"webhook {channel.name}: {_shown(channel.url)}"
    try:
        with httpx.Client(timeout=channel.timeout_s, follow_redirects=False) as client:
            response = client.head(channel.url)
    except httpx.TimeoutException as exc:
        raise DeliveryError(f"{where} timed out after {channel.timeout_s:g} s") from exc
    except httpx.ConnectError as exc:
        raise DeliveryError(f"{where} {_connect_problem(exc)}") from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise DeliveryError(f"{where} failed: {_one_line(str(exc))}") from exc
    if response.status_code in (502, 503, 504):  # a proxy in front, and nothing behind it
        raise DeliveryError(f"{where} answered HTTP {response.status_code} to HEAD")
    # 404, 405, 501 and the like are fine: it listens; what it makes of a POST, `alerts test`
    # tells
    return f"{where} answered HTTP {response.status_code} to HEAD"


def _connect_problem(exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if "refused" in str(exc).lower():
        return "connection refused"
    return f"could not connect: {_one_line(str(exc)) or type(exc).__name__}"


def _shown(url: str) -> str:
    """The URL without credentials or query string, which may carry a token."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _one_line(text: str) -> str:
    return " ".join(text.split())
