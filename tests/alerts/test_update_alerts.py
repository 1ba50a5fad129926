""" "update" alerts of corrected clippings through real channels: a webhook receiver and an
SMTP server on loopback; only the topics with on_update hear of a change, once."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta

from presswatch.alerts.channels.base import Channel
from presswatch.alerts.deliver import build_channels, deliver
from presswatch.config import Config
from presswatch.loopback import LoopbackSite, Route
from tests.alerts.conftest import SmtpServer, WebhookReceiver
from tests.alerts.test_channels import parse, parts
from tests.conftest import OWN_PASSAGE
from tests.pages import OWN_PASSAGE_TITLE
from tests.test_corrections import PAGE, Newsroom, opened_newsroom


def _channels(webhook: WebhookReceiver, smtp: SmtpServer) -> str:
    return f"""
[channels.hook]
type = "webhook"
url = "{webhook.url}"

[channels.desk]
type = "email"
to = ["desk@example.org"]
from = "presswatch@example.org"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
"""


@contextlib.contextmanager
def delivered_newsroom(
    write_config: Callable[[str], Config],
    site: LoopbackSite,
    webhook: WebhookReceiver,
    smtp: SmtpServer,
) -> Iterator[tuple[Newsroom, dict[str, Channel]]]:
    """The newsroom on both channels, its first clipping's alerts delivered and forgotten."""
    with opened_newsroom(write_config, site, _channels(webhook, smtp)) as room:
        channels_of = build_channels(room.config)
        assert deliver(room.repository, room.config, channels_of).sent == 3  # the new clipping
        webhook.requests.clear()
        smtp.mailbox.messages.clear()
        yield room, channels_of


def test_update_alerts_reach_the_opted_in_topics_channels_once(
    write_config: Callable[[str], Config],
    site: LoopbackSite,
    webhook: WebhookReceiver,
    start_smtp: Callable[..., SmtpServer],
) -> None:
    smtp = start_smtp()
    with delivered_newsroom(write_config, site, webhook, smtp) as (room, channels_of):
        retitled = "Harbour dredging delayed until autumn <b>now</b>"
        edited = [OWN_PASSAGE[0].replace("Tuesday", "Wednesday"), *OWN_PASSAGE[1:]]
        room.publish(retitled, edited)
        assert room.recheck(hours=1)["updates"] == 2  # harbour: hook and desk; council: none
        later = room.fetched() + timedelta(hours=8)
        assert deliver(room.repository, room.config, channels_of, now=later).sent == 2
        room.recheck(hours=6)
        room.recheck(hours=7, every=True)
        again = deliver(room.repository, room.config, channels_of, now=later, include_failed=True)
        assert not again

    (request,) = webhook.requests
    assert request.headers["x-presswatch-event"] == "update"
    body = json.loads(request.body)
    assert request.headers["x-presswatch-delivery"] == body["delivery_id"]
    assert body["event"] == "update"
    assert body["topic"] == "harbour"
    assert body["clipping"]["id"] == room.clipping_id
    assert body["clipping"]["title"] == retitled
    assert body["changes"]["title"] == [OWN_PASSAGE_TITLE, retitled]
    assert "[-Tuesday-]" in body["changes"]["text_diff"]
    assert body["changes"]["removed"] is None
    assert "{+Wednesday" in body["changes"]["text_diff"]

    (received,) = smtp.mailbox.messages
    message = parse(received.content)
    assert message["Subject"] == f"[presswatch] updated: harbour: {retitled}"
    assert message["X-Presswatch-Delivery"] != body["delivery_id"]  # one per channel
    plain, html = parts(message)
    assert f"Headline before: {OWN_PASSAGE_TITLE}" in plain
    assert "[-Tuesday-]" in plain
    assert '<del style="background: #fdd;">Tuesday</del>' in html
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # the scraped headline is escaped
    assert "<b>now</b>" not in html


def test_a_removed_page_is_told_once_to_the_opted_in_topics_channels(
    write_config: Callable[[str], Config],
    site: LoopbackSite,
    webhook: WebhookReceiver,
    start_smtp: Callable[..., SmtpServer],
) -> None:
    smtp = start_smtp()
    with delivered_newsroom(write_config, site, webhook, smtp) as (room, channels_of):
        site.add(PAGE, Route(b"<h1>Gone</h1>", status=410, conditional=False))
        assert room.recheck(hours=1)["updates"] == 2  # harbour: hook and desk; council: none
        removed_at = room.fetched() + timedelta(hours=1, seconds=1)  # as recheck stamps it
        later = room.fetched() + timedelta(hours=8)
        assert deliver(room.repository, room.config, channels_of, now=later).sent == 2
        room.recheck(hours=7, every=True)  # removed: never fetched again, nothing more to tell
        again = deliver(room.repository, room.config, channels_of, now=later, include_failed=True)
        assert not again

    (request,) = webhook.requests
    assert request.headers["x-presswatch-event"] == "update"
    body = json.loads(request.body)
    assert body["topic"] == "harbour"
    assert body["clipping"]["id"] == room.clipping_id
    assert body["clipping"]["title"] == OWN_PASSAGE_TITLE  # kept as it was
    assert body["changes"] == {"title": None, "text_diff": None, "removed": 410}
    assert body["revised_at"] == removed_at.isoformat()

    (received,) = smtp.mailbox.messages
    message = parse(received.content)
    assert message["Subject"] == f"[presswatch] removed: harbour: {OWN_PASSAGE_TITLE}"
    plain, html = parts(message)
    assert "was taken down after it was clipped: its page answered 410" in plain
    assert "changed after it was clipped" not in plain
    assert "its page answered 410" in html
