""" "update" alerts of corrected clippings through real channels: a webhook receiver and an
SMTP server on loopback; only the topics with on_update hear of a change, once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from presswatch.alerts.deliver import build_channels, deliver
from presswatch.config import Config
from presswatch.loopback import LoopbackSite
from tests.alerts.conftest import SmtpServer, WebhookReceiver
from tests.alerts.test_channels import parse, parts
from tests.conftest import OWN_PASSAGE
from tests.pages import OWN_PASSAGE_TITLE
from tests.test_corrections import opened_newsroom


def test_update_alerts_reach_the_opted_in_topics_channels_once(
    write_config: Callable[[str], Config],
    site: LoopbackSite,
    webhook: WebhookReceiver,
    start_smtp: Callable[..., SmtpServer],
) -> None:
    smtp = start_smtp()
    channels = f"""
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
    with opened_newsroom(write_config, site, channels) as room:
        channels_of = build_channels(room.config)
        assert deliver(room.repository, room.config, channels_of).sent == 3  # the new clipping
        webhook.requests.clear()
        smtp.mailbox.messages.clear()
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
