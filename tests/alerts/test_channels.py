"""Email and webhook channels against real servers on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from presswatch.alerts.channels import Channel, EmailChannel, Security, WebhookChannel
from presswatch.alerts.message import AlertClipping, AlertMessage, AlsoIn, Event, HealthMessage
from presswatch.alerts.render import email_message, webhook_body
from presswatch.errors import DeliveryError
from tests.alerts.conftest import (
    SMTP_PASSWORD,
    SMTP_USER,
    SmtpServer,
    Tls,
    WebhookReceiver,
    snippet,
)

SENDER = "presswatch@example.org"
DESK = ("desk@example.org", "editor@example.org")

StartSmtp = Callable[..., SmtpServer]


def email_channel(
    port: int,
    security: Security = "none",
    *,
    tls: Tls | None = None,
    username: str = "",
    password: str | None = None,
    recipients: tuple[str, ...] = DESK,
) -> EmailChannel:
    return EmailChannel(
        "desk",
        "127.0.0.1",
        port,
        security,
        username,
        password,
        SENDER,
        recipients,
        timeout_s=5,
        tls_context=tls.client if tls else None,
    )


def parse(content: bytes) -> EmailMessage:
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage)
    assert isinstance(html, EmailMessage)
    return plain.get_content(), html.get_content()


def one_line(error: DeliveryError) -> str:
    text = str(error)
    assert "\n" not in text
    assert text.strip() == text
    return text


# --- email -------------------------------------------------------------------------------


def test_email_reaches_every_recipient_as_multipart(
    start_smtp: StartSmtp, alert: AlertMessage
) -> None:
    server = start_smtp()
    channel: Channel = email_channel(server.port)
    channel.send(alert)

    [received] = server.mailbox.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == DESK
    msg = parse(received.content)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == "[presswatch] ukraine-security: 2 new clippings"
    assert msg["From"] == SENDER
    assert [a.addr_spec for a in msg["To"].addresses] == list(DESK)
    assert msg["Message-ID"] == "<a1b2c3d4e5f6@presswatch>"
    assert msg["X-Presswatch-Delivery"] == "a1b2c3d4e5f6"
    assert msg["Date"].datetime.tzinfo is not None
    assert msg.defects == []


def test_email_shows_each_clipping(start_smtp: StartSmtp, alert: AlertMessage) -> None:
    server = start_smtp()
    email_channel(server.port).send(alert)

    plain, html = parts(parse(server.mailbox.messages[0].content))
    canonical = alert.clippings[0].canonical_url
    for expected in (
        "Security guarantees for Kyiv on the table",
        "guardian-world · 2025-02-26 22:30 UTC",
        canonical,
        "**security guarantees** for **Kyiv** on Wednesday",
        "also in: bbc-world (https://news.example.com/world-123)",
        "Ukraine asks for a security guarantee",
        "wire · date unknown",
        'Query: "security guarantee*" AND (Ukraine OR Kyiv)',
    ):
        assert expected in plain
    for expected in (
        f'<a href="{canonical}">Security guarantees for Kyiv on the table</a>',
        "guardian-world · 2025-02-26 22:30 UTC",
        "<mark>security guarantees</mark> for <mark>Kyiv</mark> on Wednesday",
        'bbc-world (<a href="https://news.example.com/world-123">',
        "wire · date unknown",
    ):
        assert expected in html


def test_resend_has_the_same_message_id(start_smtp: StartSmtp, alert: AlertMessage) -> None:
    server = start_smtp()
    channel = email_channel(server.port)
    channel.send(alert)
    channel.send(alert)

    first, second = (parse(m.content) for m in server.mailbox.messages)
    assert first["Message-ID"] == second["Message-ID"] == "<a1b2c3d4e5f6@presswatch>"
    assert first["X-Presswatch-Delivery"] == second["X-Presswatch-Delivery"] == "a1b2c3d4e5f6"


HOSTILE = "<script>alert(1)</script> Kyiv <img src=x onerror=alert(1)>"


def test_scraped_markup_is_escaped_in_html(start_smtp: StartSmtp, alert: AlertMessage) -> None:
    hostile = AlertClipping(
        id=99,
        url="https://evil.example/a?x=1&y=<2>",
        canonical_url="javascript:alert(1)",
        title=HOSTILE,
        source="evil",
        published=None,
        snippets=(snippet(f"before {HOSTILE} after", "Kyiv"),),
        also_in=(AlsoIn("<b>bold</b>", "javascript:alert(2)"),),
    )
    server = start_smtp()
    email_channel(server.port).send(replace(alert, clippings=(hostile,)))

    plain, html = parts(parse(server.mailbox.messages[0].content))
    lowered = html.lower()
    for raw in ("<script", "<img", "<b>", 'href="javascript:'):
        assert raw not in lowered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Kyiv</mark> &lt;img" in html
    assert 'href="https://evil.example/a?x=1&amp;y=&lt;2&gt;"' in html
    # the plain part is text: nothing to escape, hits in **
    assert "before <script>alert(1)</script> **Kyiv** <img" in plain


@pytest.mark.parametrize(
    ("event", "count", "subject"),
    [
        ("alert", 1, "[presswatch] ukraine-security: 1 new clipping"),
        ("alert", 3, "[presswatch] ukraine-security: 3 new clippings"),
        ("digest", 12, "[presswatch] digest ukraine-security: 12 clippings"),
    ],
)
def test_subject_names_topic_and_count(
    alert: AlertMessage, event: Event, count: int, subject: str
) -> None:
    message = replace(alert, event=event, clippings=(alert.clippings[1],) * count)
    assert email_message(message, SENDER, DESK)["Subject"] == subject


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_email_over_tls(start_smtp: StartSmtp, tls: Tls, alert: AlertMessage, mode: str) -> None:
    server = start_smtp(mode)
    security: Security = "ssl" if mode == "ssl" else "starttls"
    email_channel(server.port, security, tls=tls).send(alert)
    assert len(server.mailbox.messages) == 1


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_untrusted_certificate_fails(start_smtp: StartSmtp, alert: AlertMessage, mode: str) -> None:
    server = start_smtp(mode)
    security: Security = "ssl" if mode == "ssl" else "starttls"
    with pytest.raises(DeliveryError) as caught:
        email_channel(server.port, security).send(alert)  # the system CAs do not know ours
    assert one_line(caught.value).startswith(f"email desk: 127.0.0.1:{server.port} TLS failed:")
    assert "certificate" in str(caught.value)
    assert caught.value.retryable
    assert server.mailbox.messages == []


def test_plain_connection_refused_where_starttls_required(
    start_smtp: StartSmtp, alert: AlertMessage
) -> None:
    server = start_smtp("starttls")
    with pytest.raises(DeliveryError) as caught:
        email_channel(server.port).send(alert)
    assert "530" in one_line(caught.value)
    assert not caught.value.retryable


def test_email_with_login(start_smtp: StartSmtp, tls: Tls, alert: AlertMessage) -> None:
    server = start_smtp("auth")
    channel = email_channel(
        server.port, "starttls", tls=tls, username=SMTP_USER, password=SMTP_PASSWORD
    )
    channel.send(alert)
    assert len(server.mailbox.messages) == 1


def test_wrong_password_never_shown(start_smtp: StartSmtp, tls: Tls, alert: AlertMessage) -> None:
    server = start_smtp("auth")
    wrong = "hunter2-wrong-password"
    channel = email_channel(server.port, "starttls", tls=tls, username=SMTP_USER, password=wrong)
    with pytest.raises(DeliveryError) as caught:
        channel.send(alert)
    text = one_line(caught.value)
    assert text.startswith(f"email desk: 127.0.0.1:{server.port} login as 'desk' refused (535")
    assert wrong not in text
    assert wrong not in repr(channel)
    assert not caught.value.retryable
    assert server.mailbox.messages == []


def test_smtp_connection_refused(closed_port: int, alert: AlertMessage) -> None:
    with pytest.raises(DeliveryError) as caught:
        email_channel(closed_port).send(alert)
    assert one_line(caught.value) == f"email desk: 127.0.0.1:{closed_port} connection refused"
    assert caught.value.retryable


def test_some_recipients_refused(
    start_smtp: StartSmtp, alert: AlertMessage, caplog: pytest.LogCaptureFixture
) -> None:
    server = start_smtp()
    recipients = ("desk@example.org", "refused@example.org")
    with caplog.at_level(logging.WARNING):
        email_channel(server.port, recipients=recipients).send(alert)
    assert server.mailbox.messages[0].rcpt_tos == ("desk@example.org",)
    assert "refused@example.org" in caplog.text


def test_all_recipients_refused(start_smtp: StartSmtp, alert: AlertMessage) -> None:
    server = start_smtp()
    with pytest.raises(DeliveryError) as caught:
        email_channel(server.port, recipients=("refused@example.org",)).send(alert)
    assert "all recipients refused (refused@example.org: 550" in one_line(caught.value)
    assert not caught.value.retryable


# --- webhook -----------------------------------------------------------------------------


def expected_body(alert: AlertMessage) -> dict[str, object]:
    return {
        "event": "alert",
        "delivery_id": "a1b2c3d4e5f6",
        "topic": "ukraine-security",
        "query": '"security guarantee*" AND (Ukraine OR Kyiv)',
        "clippings": [
            {
                "id": 17,
                # the link to follow is the canonical one (SPEC: issue 13)
                "url": "https://www.example.org/world/2025/feb/26/kyiv-talks",
                "canonical_url": "https://www.example.org/world/2025/feb/26/kyiv-talks",
                "title": "Security guarantees for Kyiv on the table",
                "source": "guardian-world",
                "published": "2025-02-26T22:30:00+00:00",
                "snippets": ["Leaders discussed security guarantees for Kyiv on Wednesday …"],
                "also_in": [{"source": "bbc-world", "url": "https://news.example.com/world-123"}],
                "story_id": None,
            },
            {
                "id": 18,
                "url": "https://news.example.net/ukraine",
                "canonical_url": "https://news.example.net/ukraine",
                "title": "Ukraine asks for a security guarantee",
                "source": "wire",
                "published": None,
                "snippets": [],
                "also_in": [],
                "story_id": None,
            },
        ],
    }


def test_webhook_posts_signed_json(webhook: WebhookReceiver, alert: AlertMessage) -> None:
    webhook.secret = "shared-secret"
    channel: Channel = WebhookChannel("ops", webhook.url, "shared-secret", timeout_s=5)
    channel.send(alert)

    [request] = webhook.requests
    assert request.path == "/hook"
    assert json.loads(request.body) == expected_body(alert)
    assert request.body == webhook_body(alert)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-presswatch-event"] == "alert"
    assert request.headers["x-presswatch-delivery"] == "a1b2c3d4e5f6"
    assert request.headers["x-presswatch-signature"].startswith("sha256=")
    assert request.signature_ok is True


def test_webhook_signature_needs_the_right_secret(
    webhook: WebhookReceiver, alert: AlertMessage
) -> None:
    webhook.secret = "receiver-secret"
    WebhookChannel("ops", webhook.url, "another-secret", timeout_s=5).send(alert)
    assert webhook.requests[0].signature_ok is False


def test_webhook_without_secret_is_unsigned(webhook: WebhookReceiver, alert: AlertMessage) -> None:
    digest = replace(alert, event="digest")
    WebhookChannel("ops", webhook.url, None, timeout_s=5).send(digest)
    WebhookChannel("ops", webhook.url, None, timeout_s=5).send(digest)

    first, second = webhook.requests
    assert "x-presswatch-signature" not in first.headers
    assert first.headers["x-presswatch-event"] == "digest"
    assert json.loads(first.body)["event"] == "digest"
    assert first.headers["x-presswatch-delivery"] == second.headers["x-presswatch-delivery"]


@pytest.mark.parametrize(
    ("problem", "expected"),
    [
        ("status 500", "answered 500"),
        ("status 404", "answered 404"),
        ("status 302", "answered 302"),
        ("slow", "timed out after 0.3 s"),
    ],
)
def test_webhook_failures_are_retryable(
    webhook: WebhookReceiver, alert: AlertMessage, problem: str, expected: str
) -> None:
    if problem == "slow":
        webhook.delay_s = 10
    else:
        webhook.status = int(problem.split()[1])
    with pytest.raises(DeliveryError) as caught:
        WebhookChannel("ops", webhook.url, None, timeout_s=0.3).send(alert)
    assert one_line(caught.value) == f"webhook ops: {webhook.url} {expected}"
    assert caught.value.retryable
    assert len(webhook.requests) == 1


def test_webhook_connection_refused(closed_port: int, alert: AlertMessage) -> None:
    url = f"http://127.0.0.1:{closed_port}/hook"
    with pytest.raises(DeliveryError) as caught:
        WebhookChannel("ops", url, "s3cret", timeout_s=5).send(alert)
    assert one_line(caught.value) == f"webhook ops: {url} connection refused"
    assert caught.value.retryable


def test_webhook_error_hides_credentials_in_url(closed_port: int, alert: AlertMessage) -> None:
    url = f"http://user:hidden-pw@127.0.0.1:{closed_port}/hook?token=hidden-token"
    with pytest.raises(DeliveryError) as caught:
        WebhookChannel("ops", url, None, timeout_s=5).send(alert)
    text = one_line(caught.value)
    assert "hidden" not in text
    assert text == f"webhook ops: http://127.0.0.1:{closed_port}/hook connection refused"


def test_webhook_body_has_plain_snippets(alert: AlertMessage) -> None:
    body = json.loads(webhook_body(alert))
    assert body["clippings"][0]["snippets"] == [alert.clippings[0].snippets[0].text]
    assert "**" not in webhook_body(alert).decode()
    assert "<mark>" not in webhook_body(alert).decode()


def test_the_readme_receiver_accepts_presswatch_and_refuses_a_replay(alert: AlertMessage) -> None:
    import re
    import threading
    import time
    from http.server import HTTPServer
    from pathlib import Path

    import httpx

    from presswatch.alerts.channels.webhook import sign_body, sign_timestamped

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(import hashlib, hmac, time.*?)```", readme, re.S)
    assert code, "the README's webhook receiver"
    source = code.group(1).replace(
        'SECRET = b"the value of PRESSWATCH_WEBHOOK_SECRET"', 'SECRET = b"shared-secret"'
    )
    source, serve_line = source.rstrip().rsplit("\n", 1)
    assert serve_line.startswith("HTTPServer(")
    namespace: dict[str, object] = {}
    exec(compile(source, "README.md", "exec"), namespace)
    server = HTTPServer(("127.0.0.1", 0), namespace["Hook"])  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,))
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        receipt = WebhookChannel("ops", url, "shared-secret", timeout_s=5).send(alert)
        assert "answered HTTP 204" in receipt
        # a request recorded ten minutes ago, sent again as it was: refused
        body = b'{"event": "alert"}'
        old = str(int(time.time()) - 600)
        replay = httpx.post(
            url,
            content=body,
            headers={
                "X-Presswatch-Timestamp": old,
                "X-Presswatch-Signature": sign_body(body, "shared-secret"),
                "X-Presswatch-Signature-V2": sign_timestamped(old, body, "shared-secret"),
            },
        )
        assert replay.status_code == 401
        # its timestamp brought up to date, but the V2 signature is then wrong: refused too
        fresh = httpx.post(
            url,
            content=body,
            headers={
                "X-Presswatch-Timestamp": str(int(time.time())),
                "X-Presswatch-Signature": sign_body(body, "shared-secret"),
                "X-Presswatch-Signature-V2": sign_timestamped(old, body, "shared-secret"),
            },
        )
        assert fresh.status_code == 401
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- health messages ---------------------------------------------------------------------


def _health(state: str = "open") -> HealthMessage:
    return HealthMessage(
        "health0d1e2f",
        "ledger",
        "open" if state == "open" else "recovered",
        "silent",
        "ledger: no new clipping for 18 h (usually one every 40 min); last crawl 200 OK, "
        "0 new links <script>",
        datetime(2026, 12, 6, 18, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize("state", ["open", "recovered"])
def test_health_email_names_source_kind_and_state(start_smtp: StartSmtp, state: str) -> None:
    server = start_smtp()
    email_channel(server.port).send(_health(state))
    [received] = server.mailbox.messages
    msg = parse(received.content)
    assert msg["Subject"] == f"[presswatch] health: ledger silent {state}"
    assert msg["X-Presswatch-Delivery"] == "health0d1e2f"
    assert msg["Message-ID"] == "<health0d1e2f@presswatch>"
    plain, html = parts(msg)
    assert "no new clipping for 18 h (usually one every 40 min)" in plain
    assert "2026-12-06 18:00 UTC" in plain
    assert "&lt;script&gt;" in html
    assert "<script>" not in html


def test_health_webhook_body_is_the_contracts(webhook: WebhookReceiver) -> None:
    channel: Channel = WebhookChannel("ops", webhook.url, None, timeout_s=5)
    channel.send(_health())
    [request] = webhook.requests
    assert request.headers["x-presswatch-event"] == "health"
    assert request.headers["x-presswatch-delivery"] == "health0d1e2f"
    assert json.loads(request.body) == {
        "event": "health",
        "delivery_id": "health0d1e2f",
        "source": "ledger",
        "state": "open",
        "kind": "silent",
        "message": _health().message,
        "since": "2026-12-06T18:00:00+00:00",
    }
