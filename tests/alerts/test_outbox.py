"""Alerts end to end: real crawls, a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import Engine

from presswatch.alerts.deliver import CLAIM_FOR, RetryPolicy, build_channels, deliver
from presswatch.clock import now_utc
from presswatch.config import Config, load_config
from presswatch.loopback import LoopbackSite, Route
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from presswatch.storage.review import ClippingFilter
from tests.alerts.conftest import SmtpServer, WebhookReceiver, kill_crawl_when
from tests.conftest import OWN_PASSAGE, TestDatabases
from tests.pages import article_page, paragraphs_about, rss_feed

SECRET = "s3cret-for-tests"


def presswatch(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRESSWATCH_TEST_SECRET": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )


class Newsdesk:
    """A site whose feed grows as articles are published, and the config that watches it."""

    def __init__(
        self,
        site: LoopbackSite,
        tmp_path: Path,
        database_url: str,
        smtp_port: int,
        hook_url: str,
        *,
        delay_s: float = 0.0,
        max_attempts: int = 8,
    ) -> None:
        self.site = site
        self.paths: list[str] = []
        self._engines: list[Engine] = []
        self.delay_s = delay_s
        self.config_path = tmp_path / "presswatch.toml"
        self.config_path.write_text(f"""
[database]
url = "{database_url}"
[crawl]
autothrottle = false
per_domain_concurrency = 2
allow_networks = ["127.0.0.0/8"]
[alerts]
max_attempts = {max_attempts}
first_retry = "1m"
[[sources]]
name = "gazette"
feeds = ["{site.url("/rss.xml")}"]
[[sources]]
name = "wire"
feeds = ["{site.url("/wire.xml")}"]
[[topics]]
name = "harbour"
query = 'harbour OR tram*'
notify = ["desk", "ops"]
[channels.desk]
type = "email"
to = ["desk@example.org", "editor@example.org"]
from = "presswatch@example.org"
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
[channels.ops]
type = "webhook"
url = "{hook_url}"
secret_env = "PRESSWATCH_TEST_SECRET"
timeout = 3
""")
        site.add(
            "/wire.xml",
            Route(rss_feed("Wire", []).encode(), headers={"Content-Type": "application/rss+xml"}),
        )
        self._publish_feed()

    def publish(self, slug: str, title: str, paragraphs: list[str]) -> None:
        path = f"/news/{slug}.html"
        self.site.add_html(
            path,
            article_page(title, paragraphs, canonical=self.site.url(path)),
            delay_s=self.delay_s,
        )
        self.paths.append(path)
        self._publish_feed()

    def syndicate(self, slug: str, paragraphs: list[str]) -> None:
        path = f"/wire/{slug}.html"
        self.site.add_html(path, article_page(f"Wire: {slug}", paragraphs))
        self.site.add(
            "/wire.xml",
            Route(
                rss_feed("Wire", [self.site.url(path)]).encode(),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )

    def _publish_feed(self) -> None:
        links = [self.site.url(p) for p in self.paths]
        self.site.add(
            "/rss.xml",
            Route(
                rss_feed("Gazette", links).encode(), headers={"Content-Type": "application/rss+xml"}
            ),
        )

    def config(self) -> Config:
        return load_config(self.config_path)

    def repository(self) -> Repository:
        engine = open_database(self.config().database.url)
        self._engines.append(engine)
        return Repository(engine)

    def close(self) -> None:
        for engine in self._engines:
            engine.dispose()


@pytest.fixture
def make_desk(  # type: ignore[no-untyped-def]
    site: LoopbackSite,
    tmp_path: Path,
    databases: TestDatabases,
    start_smtp: Callable[..., SmtpServer],
    webhook: WebhookReceiver,
):
    made: list[Newsdesk] = []

    def make(**options: object) -> tuple[Newsdesk, SmtpServer, WebhookReceiver]:
        smtp = start_smtp("plain")
        webhook.secret = SECRET
        newsdesk = Newsdesk(site, tmp_path, databases.url(), smtp.port, webhook.url, **options)  # type: ignore[arg-type]
        made.append(newsdesk)
        return newsdesk, smtp, webhook

    yield make
    for newsdesk in made:
        newsdesk.close()


@pytest.fixture
def desk(make_desk):  # type: ignore[no-untyped-def]
    return make_desk()


def _webhook_clippings(webhook: WebhookReceiver) -> list[str]:
    return [c["title"] for r in webhook.requests for c in json.loads(r.body)["clippings"]]


def _email_clippings(smtp: SmtpServer) -> list[str]:
    titles = []
    for received in smtp.mailbox.messages:
        message = message_from_bytes(received.content, policy=policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        titles += [m.group(1).strip() for m in re.finditer(r"^\d+\. (.+)$", text, flags=re.M)]
    return titles


def test_crawl_and_recrawl_deliver_every_clipping_once_to_every_channel(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, smtp, webhook = desk
    for n in range(3):
        newsdesk.publish(
            f"h{n}", f"Harbour story {n}", paragraphs_about(f"harbour plan {n}", seed=n)
        )
    newsdesk.publish("other", "Council story", paragraphs_about("the council budget"))
    first = presswatch(newsdesk.config_path, "crawl")
    assert first.returncode == 0, first.stderr
    assert "alerts: 2 sent, 0 to retry, 0 failed" in first.stdout
    # one alert per channel for the crawl, carrying all three matching clippings
    assert len(webhook.requests) == 1
    assert len(smtp.mailbox.messages) == 1
    request = webhook.requests[0]
    assert request.signature_ok is True
    assert request.headers["x-presswatch-event"] == "alert"
    body = json.loads(request.body)
    assert body["delivery_id"] == request.headers["x-presswatch-delivery"]
    assert sorted(c["title"] for c in body["clippings"]) == [f"Harbour story {n}" for n in range(3)]
    assert set(smtp.mailbox.messages[0].rcpt_tos) == {"desk@example.org", "editor@example.org"}

    newsdesk.publish("h3", "Harbour story 3", paragraphs_about("harbour plan 3", seed=3))
    second = presswatch(newsdesk.config_path, "crawl")
    assert "alerts: 2 sent" in second.stdout
    assert presswatch(newsdesk.config_path, "crawl").stdout.count("alerts: 0 sent") == 1

    for received in (_webhook_clippings(webhook), _email_clippings(smtp)):
        assert Counter(received) == Counter(f"Harbour story {n}" for n in range(4))
    ids = [r.headers["x-presswatch-delivery"] for r in webhook.requests]
    assert len(ids) == len(set(ids)) == 2


def test_failing_webhook_is_retried_with_the_same_delivery_id(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, _, webhook = desk
    webhook.fail_first = 3
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    assert presswatch(newsdesk.config_path, "crawl").returncode == 0
    config, repository = newsdesk.config(), newsdesk.repository()
    channels = build_channels_with_secret(config)
    when = now_utc()
    for _ in range(3):  # the 2nd, 3rd and 4th attempt, each when it is due
        (pending,) = repository.list_alerts(status="pending")
        assert "answered 500" in (pending.last_error or "")
        when = pending.next_attempt_at + timedelta(seconds=1)
        deliver(repository, config, channels, now=when)
    assert len(webhook.requests) == 4
    assert len({r.headers["x-presswatch-delivery"] for r in webhook.requests}) == 1
    listed = [
        json.loads(line)
        for line in presswatch(
            newsdesk.config_path, "alerts", "list", "--format", "jsonl"
        ).stdout.splitlines()
    ]
    ops = next(a for a in listed if a["channel"] == "ops")
    assert ops["status"] == "sent"
    assert ops["attempts"] == 4
    assert ops["last_error"] is None


def build_channels_with_secret(config: Config):  # type: ignore[no-untyped-def]
    os.environ["PRESSWATCH_TEST_SECRET"] = SECRET
    try:
        return build_channels(config)
    finally:
        del os.environ["PRESSWATCH_TEST_SECRET"]


def test_alert_fails_after_the_last_attempt_and_retry_sends_it(make_desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, _, webhook = make_desk(max_attempts=2)
    webhook.status = 503
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    presswatch(newsdesk.config_path, "crawl")
    config, repository = newsdesk.config(), newsdesk.repository()
    (pending,) = repository.list_alerts(status="pending")
    deliver(
        repository,
        config,
        build_channels_with_secret(config),
        now=pending.next_attempt_at + timedelta(seconds=1),
    )
    (failed,) = repository.list_alerts(status="failed")
    assert failed.attempts == 2
    assert "answered 503" in (failed.last_error or "")
    listing = presswatch(newsdesk.config_path, "alerts", "list", "--status", "failed")
    assert "failed" in listing.stdout
    assert "503" in listing.stdout
    webhook.status = 204
    retried = presswatch(newsdesk.config_path, "alerts", "retry")
    assert "alerts: 1 sent" in retried.stdout
    assert repository.list_alerts(status="failed") == []
    ids = {r.headers["x-presswatch-delivery"] for r in webhook.requests}
    assert len(webhook.requests) == 3
    assert len(ids) == 1


def test_syndicated_copy_is_listed_in_the_original_alert_not_sent_alone(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, _, webhook = desk
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    newsdesk.syndicate(
        "copy", ["This story was first published by The Test Gazette.", *OWN_PASSAGE]
    )
    # crawl the original first, then the copy, in the same run order as a scheduler would
    presswatch(newsdesk.config_path, "crawl", "gazette")
    presswatch(newsdesk.config_path, "crawl", "wire")
    assert _webhook_clippings(webhook) == ["Harbour story 0"]  # the copy never alerts alone
    copies = newsdesk.repository().list_clippings(ClippingFilter(source="wire"))
    assert copies[0].duplicate_of is not None


def test_copy_in_the_same_crawl_is_listed_in_also_in(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, _, webhook = desk
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    newsdesk.syndicate(
        "copy", ["This story was first published by The Test Gazette.", *OWN_PASSAGE]
    )
    assert presswatch(newsdesk.config_path, "crawl").returncode == 0  # both sources at once
    (request,) = webhook.requests
    (clipping,) = json.loads(request.body)["clippings"]  # one story, one entry
    urls = {
        "gazette": newsdesk.site.url("/news/h0.html"),
        "wire": newsdesk.site.url("/wire/copy.html"),
    }
    other = "wire" if clipping["source"] == "gazette" else "gazette"
    assert clipping["also_in"] == [{"source": other, "url": urls[other]}]


def test_kill_9_mid_crawl_then_crawl_again_delivers_each_clipping_once(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, smtp, webhook = desk
    # six quick pages, then six slow ones: the crawl is killed after the first clippings were
    # stored, while the slow pages are still downloading
    for n in range(12):
        newsdesk.delay_s = 0.0 if n < 6 else 3.0
        newsdesk.publish(
            f"h{n}", f"Harbour story {n}", paragraphs_about(f"harbour plan {n}", seed=n)
        )
    env = {**os.environ, "PRESSWATCH_TEST_SECRET": SECRET}
    repository = newsdesk.repository()
    kill_crawl_when(newsdesk.config_path, env, repository.count_clippings, 1)
    stored_before = repository.count_clippings()
    assert 1 <= stored_before < 12, f"the crawl was not killed half way ({stored_before} stored)"
    again = presswatch(newsdesk.config_path, "crawl")
    assert again.returncode == 0, again.stderr
    assert repository.count_clippings() == 12
    presswatch(newsdesk.config_path, "crawl")  # and once more: nothing new, nothing resent
    expected = Counter(f"Harbour story {n}" for n in range(12))
    assert Counter(_webhook_clippings(webhook)) == expected
    assert Counter(_email_clippings(smtp)) == expected


def test_retry_policy_spans_about_a_day_with_jitter() -> None:
    policy = RetryPolicy()
    start = now_utc()
    when, total = start, timedelta()
    for attempt in range(1, 8):
        nxt = policy.next_attempt(attempt, when, rng=lambda: 0.5)
        assert nxt is not None
        total += nxt - when
        when = nxt
    assert policy.next_attempt(8, when) is None
    assert timedelta(hours=18) < total < timedelta(hours=26)
    low = policy.next_attempt(1, start, rng=lambda: 0.0)
    high = policy.next_attempt(1, start, rng=lambda: 1.0)
    assert low
    assert high
    assert low < start + timedelta(minutes=10) < high


def test_digest_topic_collects_until_alerts_digest_sends_one_message(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, smtp, webhook = desk
    text = newsdesk.config_path.read_text().replace(
        'notify = ["desk", "ops"]',
        'notify = ["desk", "ops"]\nmode = "digest"\ndigest_cron = "0 8 * * *"',
    )
    newsdesk.config_path.write_text(text)
    newsdesk.publish("h0", "Harbour story 0", paragraphs_about("harbour plan 0"))
    assert "alerts: 0 sent" in presswatch(newsdesk.config_path, "crawl").stdout
    newsdesk.publish("h1", "Harbour story 1", paragraphs_about("harbour plan 1", seed=1))
    assert "alerts: 0 sent" in presswatch(newsdesk.config_path, "crawl").stdout
    assert "alerts: 0 sent" in presswatch(newsdesk.config_path, "alerts", "retry").stdout
    assert webhook.requests == []
    sent = presswatch(newsdesk.config_path, "alerts", "digest", "harbour")
    assert "alerts: 2 sent" in sent.stdout
    (request,) = webhook.requests
    assert request.headers["x-presswatch-event"] == "digest"
    assert sorted(_webhook_clippings(webhook)) == ["Harbour story 0", "Harbour story 1"]
    assert len(smtp.mailbox.messages) == 1
    assert "alerts: 0 sent" in presswatch(newsdesk.config_path, "alerts", "digest").stdout


def test_crash_between_send_and_mark_sent_resends_once_with_the_same_delivery_id(  # type: ignore[no-untyped-def]
    desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    newsdesk, _, webhook = desk
    config_text = newsdesk.config_path.read_text()
    newsdesk.config_path.write_text(
        config_text.replace('notify = ["desk", "ops"]', 'notify = ["ops"]')
    )
    webhook.fail_first = 1  # the crawl's own delivery fails: the alert stays pending
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    assert "alerts: 0 sent, 1 to retry" in presswatch(newsdesk.config_path, "crawl").stdout
    config, repository = newsdesk.config(), newsdesk.repository()
    channels = build_channels_with_secret(config)
    (pending,) = repository.list_alerts(status="pending")
    later = pending.next_attempt_at + timedelta(seconds=1)

    class Crash(Exception):
        pass

    def crash(alert_id: int) -> None:
        raise Crash  # the process dies after the receiver accepted the alert

    with monkeypatch.context() as patch:
        patch.setattr(repository, "mark_sent", crash)
        with pytest.raises(Crash):
            deliver(repository, config, channels, now=later)
    deliver(repository, config, channels, now=later)  # the crashed sender's claim holds
    assert len(webhook.requests) == 2
    after_claim = later + CLAIM_FOR
    deliver(repository, config, channels, now=after_claim)  # then a run sends it again
    deliver(repository, config, channels, now=after_claim)  # and the one after: nothing more
    assert [r.headers["x-presswatch-delivery"] for r in webhook.requests] == [
        pending.delivery_id
    ] * 3  # failed, accepted (then the crash), accepted again: one id, the receiver dedups
    (sent,) = repository.list_alerts(status="sent")
    assert sent.delivery_id == pending.delivery_id


def test_two_senders_reading_the_same_due_alert_send_it_once(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, _, webhook = desk
    config_text = newsdesk.config_path.read_text()
    newsdesk.config_path.write_text(
        config_text.replace('notify = ["desk", "ops"]', 'notify = ["ops"]')
    )
    webhook.fail_first = 1
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    presswatch(newsdesk.config_path, "crawl")
    repository = newsdesk.repository()
    (pending,) = repository.list_alerts(status="pending")
    due = pending.next_attempt_at + timedelta(seconds=1)
    first, second = repository.due_alerts(due), repository.due_alerts(due)  # both read it due
    assert first == second == [pending]
    assert repository.claim_alert(first[0], due + CLAIM_FOR) is True
    assert repository.claim_alert(second[0], due + CLAIM_FOR) is False
    # while claimed, it is not due for anyone, and new clippings do not join it
    assert repository.due_alerts(due) == []
    assert repository.due_alerts(due, include_failed=True, ignore_schedule=True) == []
    assert repository.list_alerts()[0].status == "sending"


def test_missing_secret_is_said_once_and_its_channel_waits(desk) -> None:  # type: ignore[no-untyped-def]
    newsdesk, smtp, webhook = desk
    newsdesk.publish("h0", "Harbour story 0", OWN_PASSAGE)
    env = {k: v for k, v in os.environ.items() if k != "PRESSWATCH_TEST_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(newsdesk.config_path), "crawl"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert result.returncode == 0
    # said once, as the command starts; the alert is not attempted (no retry burnt on it)
    (warning,) = [line for line in result.stderr.splitlines() if "PRESSWATCH_TEST_SECRET" in line]
    assert warning == (
        "presswatch: warning: channel ops: environment variable PRESSWATCH_TEST_SECRET is not "
        "set (its signing secret); its alerts wait"
    )
    assert "PRESSWATCH_TEST_SECRET" not in result.stdout
    assert "alerts: 1 sent, 0 to retry, 0 failed, 1 waiting" in result.stdout
    assert len(smtp.mailbox.messages) == 1  # the email channel is not held back
    assert webhook.requests == []
    (waiting,) = newsdesk.repository().list_alerts(status="pending")
    assert waiting.attempts == 0
    # with the variable set, `alerts retry` sends the webhook alert; the email is not repeated
    assert "alerts: 1 sent" in presswatch(newsdesk.config_path, "alerts", "retry").stdout
    assert len(webhook.requests) == 1
    assert len(smtp.mailbox.messages) == 1
