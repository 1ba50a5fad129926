"""Health alerts through `presswatch run`: a source behind a 403 wall is told to `[health]
notify` once, while it lasts nothing more, and once when it is over."""

from __future__ import annotations

import json

from presswatch.loopback import Route
from tests.alerts.conftest import WebhookReceiver
from tests.conftest import wait_until
from tests.service.conftest import Publisher


def _health(receiver: WebhookReceiver) -> list[tuple[str, str, str]]:
    bodies = [json.loads(r.body) for r in receiver.requests]
    return [(b["source"], b["kind"], b["state"]) for b in bodies if b["event"] == "health"]


def test_a_walled_source_is_told_once_and_its_recovery_once(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database
) -> None:
    publisher.publish("gazette", "g1", "harbour dredging plan")
    publisher.publish("courier", "c1", "council budget vote")
    config = service_config(
        publisher, ["gazette", "courier"], hook_url=webhook.url, extra='[health]\nnotify = ["ops"]'
    )
    service = start_service(config)
    db = database()
    wait_until(lambda: db.runs("finished") >= 2, 30, "both sources crawled")
    publisher.site.add("/gazette/rss.xml", Route(b"Forbidden", status=403, conditional=False))
    wait_until(lambda: _health(webhook) != [], 30, "a health alert")
    assert _health(webhook) == [("gazette", "errors", "open")]
    [request] = [r for r in webhook.requests if json.loads(r.body)["event"] == "health"]
    assert request.headers["x-presswatch-event"] == "health"
    # it goes on while the wall stands: more crawls of gazette, no more messages
    walled_runs = db.runs()
    wait_until(lambda: db.runs() >= walled_runs + 4, 30, "two more crawls of each source")
    assert _health(webhook) == [("gazette", "errors", "open")]
    publisher.publish("gazette", "g2", "harbour tug arrives")  # the feed answers again
    wait_until(lambda: len(_health(webhook)) == 2, 30, "the recovery message")
    healed_runs = db.runs()
    wait_until(lambda: db.runs() >= healed_runs + 4, 30, "two more crawls of each source")
    assert service.stop() == 0
    assert _health(webhook) == [("gazette", "errors", "open"), ("gazette", "errors", "recovered")]
    assert "health errors open: gazette: 1 of 1 requests failed" in service.log()
