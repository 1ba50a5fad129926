"""`presswatch run` as a real subprocess: schedules, alerts, SIGTERM, SIGHUP, dead hosts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.alerts.conftest import WebhookReceiver
from tests.conftest import wait_until
from tests.service.conftest import (
    Publisher,
    alerted_titles,
    topic,
)


def test_new_articles_produce_alerts_within_one_interval(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database
) -> None:
    publisher.publish("gazette", "g1", "harbour dredging plan")
    publisher.publish("courier", "c1", "council budget vote")
    config = service_config(
        publisher,
        ["gazette", "courier"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
    )
    service = start_service(config)
    service.wait_for_line("crawl gazette finished")
    wait_until(lambda: len(webhook.requests) == 1, 20, "the first alert")
    # the service keeps crawling on schedule: an article published now is alerted by the
    # next crawl of its source, one 2 s interval (plus a crawl and a delivery) later
    for n in (2, 3):
        publisher.publish("courier", f"c{n}", f"harbour tug number {n} arrives")
        took = wait_until(lambda n=n: len(webhook.requests) == n, 15, f"alert for c{n}")  # type: ignore[misc]
        assert took < 2 + 6, f"the alert took {took:.1f} s"
    assert service.stop() == 0
    assert Counter(alerted_titles(webhook)) == {
        "harbour dredging plan (g1)": 1,
        "harbour tug number 2 arrives (c2)": 1,
        "harbour tug number 3 arrives (c3)": 1,
    }
    db = database()
    assert len(db.clippings()) == 4  # the council story is stored, not alerted
    assert db.runs("finished") >= 4  # both sources crawled more than once
    assert db.runs("running") == 0
    # clean: no warning but APScheduler's note that a run came due while the last one was
    # still going (a 2 s interval on a busy machine), and no error
    log = service.log()
    warnings = [line for line in log.splitlines() if "WARNING" in line]
    assert all("maximum number of running instances" in line for line in warnings), log
    assert "ERROR" not in log, log
    assert "stopped in" in log


def test_crawls_ending_within_gather_share_one_alert(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database
) -> None:
    for source in ("gazette", "courier", "ledger"):
        publisher.publish(source, f"{source[0]}1", f"harbour story of the {source}")
    # the three first crawls start within 2 s of each other (a 4 s schedule spreads them over
    # half of it) and end within seconds: one alert, sent 10 s after the first one ended
    config = service_config(
        publisher,
        ["gazette", "courier", "ledger"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
        gather="10s",
        every="4s",
    )
    service = start_service(config)
    wait_until(lambda: len(webhook.requests) == 1, 60, "the gathered alert")
    titles = sorted(c["title"] for c in json.loads(webhook.requests[0].body)["clippings"])
    assert titles == [
        "harbour story of the courier (c1)",
        "harbour story of the gazette (g1)",
        "harbour story of the ledger (l1)",
    ]
    # a story published later is the next crawl's: its own alert, within an interval + gather
    publisher.publish("gazette", "g2", "harbour tug arrives")
    took = wait_until(lambda: len(webhook.requests) == 2, 60, "the next alert")
    assert took < 4 + 10 + 10, f"the alert took {took:.1f} s"
    assert [c["title"] for c in json.loads(webhook.requests[1].body)["clippings"]] == [
        "harbour tug arrives (g2)"
    ]
    assert service.stop() == 0
    assert Counter(alerted_titles(webhook)) == {
        "harbour story of the courier (c1)": 1,
        "harbour story of the gazette (g1)": 1,
        "harbour story of the ledger (l1)": 1,
        "harbour tug arrives (g2)": 1,
    }
    assert database().runs("running") == 0


def test_sigterm_mid_crawl_then_restart_loses_and_repeats_nothing(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database, site
) -> None:
    # ten slow article pages, one at a time: SIGTERM arrives when two are stored; the rest
    # cannot finish within the stop_timeout, so the crawl is cut there
    paths = [
        publisher.publish("gazette", f"g{n}", f"harbour story {n}", delay_s=1.5) for n in range(10)
    ]
    config = service_config(
        publisher,
        ["gazette"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
        extra='[service]\nstop_timeout = "3s"',
    )
    config.write_text(config.read_text().replace("[crawl]", "[crawl]\nper_domain_concurrency = 1"))
    db = database()
    service = start_service(config)
    wait_until(lambda: len(db.clippings()) >= 2, 60, "the first clippings")
    started = time.monotonic()
    service.signal(signal.SIGTERM)
    assert service.process.wait(30) == 0
    assert time.monotonic() - started < 3 + 5  # the stop_timeout, and the process exit
    stored_before = set(db.clippings())
    assert 2 <= len(stored_before) < 10, service.log()
    assert db.runs("running") == 0
    assert db.runs("interrupted") == 1
    assert "stopping: running crawls get 3 s" in service.log()

    restarted = start_service(config)
    wait_until(lambda: len(db.clippings()) == 10, 60, "every article stored")
    wait_until(lambda: len(alerted_titles(webhook)) >= 10, 30, "every alert")
    time.sleep(3)  # another crawl or two: nothing more may arrive
    assert restarted.stop() == 0
    assert sorted(db.clippings()) == sorted(site.url(p) for p in paths)
    assert Counter(alerted_titles(webhook)) == {f"harbour story {n} (g{n})": 1 for n in range(10)}
    # what was stored before the stop was not downloaded again
    for url in stored_before:
        path = url.removeprefix(site.base_url)
        assert len(site.hits_for(path)) == 1, f"{path} downloaded again"


def test_sighup_with_a_new_topic_starts_matching_it(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service
) -> None:
    publisher.publish("gazette", "g1", "harbour dredging plan")
    config = service_config(
        publisher,
        ["gazette"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
    )
    service = start_service(config)
    wait_until(lambda: len(webhook.requests) == 1, 30, "the harbour alert")

    # a broken edit is reported; the running config stays and crawling goes on
    good_text = config.read_text()
    config.write_text(good_text + '\n[[topics]]\nname = "bad"\nquery = "(unclosed"\n')
    service.signal(signal.SIGHUP)
    line = service.wait_for_line("config not reloaded")
    assert "topics[1].query" in line
    seen = len(service.lines)
    service.wait_for_line("crawl gazette finished", after=seen)

    config.write_text(good_text + topic("budget", "budget"))
    seen = len(service.lines)
    service.signal(signal.SIGHUP)
    service.wait_for_line("config reloaded: 1 source(s), 2 topic(s)", after=seen)
    publisher.publish("gazette", "g2", "council budget vote")
    wait_until(lambda: len(webhook.requests) == 2, 30, "the budget alert")
    assert service.stop() == 0
    assert alerted_titles(webhook) == ["harbour dredging plan (g1)", "council budget vote (g2)"]
    assert [r.body.count(b'"topic": "budget"') for r in webhook.requests] == [0, 1]


def test_a_dead_host_is_retried_on_schedule_while_the_others_keep_going(  # type: ignore[no-untyped-def]
    service_config,
    publisher: Publisher,
    webhook: WebhookReceiver,
    start_service,
    database,
    closed_port: int,
) -> None:
    publisher.publish("gazette", "g1", "harbour dredging plan")
    config = service_config(
        publisher,
        ["gazette"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
    )
    text = config.read_text() + (
        f'[[sources]]\nname = "gone"\nfeeds = ["http://127.0.0.1:{closed_port}/rss.xml"]\n'
        'every = "2s"\n'
    )
    config.write_text(text)
    db = database()
    service = start_service(config)
    wait_until(lambda: len(webhook.requests) == 1, 30, "the first alert")
    wait_until(
        lambda: sum(1 for name, *_ in db.runs_by_source() if name == "gone") >= 3,
        30,
        "three crawls of the dead source",
    )
    publisher.publish("gazette", "g2", "harbour tug arrives")
    wait_until(lambda: len(webhook.requests) == 2, 30, "the alert for the new article")
    assert service.stop() == 0
    gone = [(status, errors) for name, status, errors in db.runs_by_source() if name == "gone"]
    assert all(errors >= 1 for _, errors in gone), gone  # each refused connection counted
    assert alerted_titles(webhook) == ["harbour dredging plan (g1)", "harbour tug arrives (g2)"]
    log = service.log()
    assert "crawl gone finished" in log
    assert "1 errors" in log
    assert "Traceback" not in log


def test_a_crawl_over_its_time_limit_is_stopped_and_counted_failed(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database
) -> None:
    publisher.publish("steady", "s1", "harbour dredging plan")
    publisher.publish(
        "stuck", "x1", "council budget vote", delay_s=12
    )  # answers long after the limit
    config = service_config(
        publisher,
        ["steady", "stuck"],
        hook_url=webhook.url,
        topics=topic("harbour", "harbour"),
        extra='[service]\ncrawl_timeout = "3s"',
    )
    # the limit stops the crawl at 3 s; it ends when its download in flight times out at 8 s
    config.write_text(config.read_text().replace("timeout = 5", "timeout = 8"))
    db = database()
    service = start_service(config)
    line = service.wait_for_line("crawl stuck failed", timeout=45)
    assert "2 errors" in line  # the page that timed out, and the stop
    # meanwhile, and after, the other source goes on
    publisher.publish("steady", "s2", "harbour tug arrives")
    try:
        wait_until(lambda: len(webhook.requests) == 2, 30, "the alert for the new article")
    except AssertionError:
        raise AssertionError(service.log()) from None
    assert service.stop() == 0
    runs = db.runs_by_source()
    stuck = [(status, errors) for name, status, errors in runs if name == "stuck"]
    assert stuck[0][0] == "failed"
    assert stuck[0][1] >= 1
    assert sum(1 for name, status, _ in runs if name == "steady" and status == "finished") >= 3
    assert "stopped: still running after 3 s (the crawl_timeout)" in service.log()
    assert "killing the crawl process" not in service.log()


def test_a_saved_config_adds_removes_and_retimes_sources_without_a_restart(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, start_service, database
) -> None:
    publisher.publish("gazette", "g1", "harbour dredging plan")
    publisher.publish("courier", "c1", "council budget vote")
    config = service_config(publisher, ["gazette"])
    service = start_service(config)
    service.wait_for_line("crawl gazette finished")
    # saved, no signal: courier added, gazette re-timed to once an hour
    text = config.read_text().replace('every = "2s"', 'every = "1h"')
    text += f'[[sources]]\nname = "courier"\nfeeds = ["{publisher.feed_url("courier")}"]\n'
    text += 'every = "2s"\n'
    seen = len(service.lines)
    config.write_text(text)
    service.wait_for_line("config reloaded: 2 source(s)", after=seen)
    reloaded = len(service.lines)
    service.wait_for_line("crawl courier finished", after=reloaded)
    service.wait_for_line("crawl courier finished", after=len(service.lines))  # and again
    # gazette's last run started under a minute ago: with "1h" it is not due again. A gazette
    # crawl that was already running when the config was saved may end after the reload line;
    # it ends on the new timing (next run an hour after it started), and none follows it.
    after_reload = [line for line in service.lines[reloaded:] if "crawl gazette" in line]
    assert len(after_reload) <= 1, after_reload
    for line in after_reload:
        ended = datetime.strptime(line[:8], "%H:%M:%S")
        next_run = datetime.strptime(line.rsplit("next ", 1)[1], "%H:%M:%S")
        assert (next_run - ended) % timedelta(days=1) > timedelta(minutes=50), line
    # courier removed: it is crawled no more
    config.write_text(text.split('[[sources]]\nname = "courier"')[0])
    service.wait_for_line("config reloaded: 1 source(s)", after=len(service.lines))
    # a courier crawl already handed to the crawl process may still start and end: wait for
    # it, then no courier crawl may begin
    db = database()

    def courier_runs(status: str | None = None) -> int:
        runs = db.runs_by_source()
        return sum(1 for name, s, _ in runs if name == "courier" and status in (None, s))

    time.sleep(1)
    wait_until(lambda: courier_runs("running") == 0, 30, "courier's last crawl to end")
    before = courier_runs()
    time.sleep(5)
    assert courier_runs() == before
    assert service.stop() == 0
    assert len(db.clippings()) == 2


def test_a_digest_whose_time_passed_while_the_service_was_down_is_sent_at_start(  # type: ignore[no-untyped-def]
    service_config, publisher: Publisher, webhook: WebhookReceiver, start_service, database
) -> None:
    from sqlalchemy import update

    from presswatch.storage.models import Alert

    publisher.publish("gazette", "g1", "harbour dredging plan")
    publisher.publish("gazette", "g2", "harbour tug arrives")
    digest = (
        '[[topics]]\nname = "harbour"\nquery = "harbour"\nnotify = ["ops"]\n'
        'mode = "digest"\ndigest_cron = "0 6 1 1 *"\n\n'  # once a year, on 1 January
    )
    config = service_config(publisher, ["gazette"], hook_url=webhook.url, topics=digest, every="1h")
    crawled = subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(config), "crawl"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert crawled.returncode == 0, crawled.stderr
    assert webhook.requests == []  # collecting
    # the digest has been open since last December: its 1 January slot has passed
    db = database()
    with db.engine.begin() as c:
        c.execute(update(Alert).values(created_at=datetime(2025, 12, 20, tzinfo=UTC)))
    service = start_service(config)
    wait_until(lambda: len(webhook.requests) == 1, 30, "the missed digest")
    assert service.stop() == 0
    (request,) = webhook.requests
    assert request.headers["x-presswatch-event"] == "digest"
    assert sorted(alerted_titles(webhook)) == [
        "harbour dredging plan (g1)",
        "harbour tug arrives (g2)",
    ]
