"""Gathering in the outbox: an alert a crawl opens is held until the crawl releases it, a
delivery never sends it early, and one that a killed crawl left held goes out once the crawl's
process is found gone."""

from __future__ import annotations

from datetime import timedelta

from presswatch.alerts.deliver import settle_held_alerts
from presswatch.clock import now_utc
from presswatch.counts import CrawlCounts
from presswatch.extractors.article import extract_article
from presswatch.extractors.options import ExtractOptions
from presswatch.ingest import add_clippings
from presswatch.model import Article, NewMatch
from presswatch.storage.repository import Repository
from tests.pages import article_page, paragraphs_about

HOLD_S = 1800.0
MATCH = NewMatch("harbour", (), notify=("ops",))


def _article(n: int) -> Article:
    page = article_page(f"Harbour story {n}", paragraphs_about(f"the harbour {n}", seed=n))
    result = extract_article(page, f"https://gazette.example/news/{n}", ExtractOptions())
    assert isinstance(result, Article)
    return result


def _store(repository: Repository, run_id: int, n: int) -> None:
    source_id = repository.source_id("gazette")
    (result,) = add_clippings(
        repository,
        source_id,
        run_id,
        [(_article(n), [f"https://gazette.example/news/{n}"], [MATCH])],
        HOLD_S,
    )
    assert not isinstance(result, Exception)


def _due(repository: Repository) -> list[int]:
    return [a.id for a in repository.due_alerts(now_utc())]


def test_two_crawls_share_one_held_alert_until_it_is_released(repository: Repository) -> None:
    first = repository.start_run("gazette", owner="elsewhere:1")
    second = repository.start_run("gazette", owner="elsewhere:2")
    _store(repository, first, 1)
    _store(repository, second, 2)
    (alert,) = repository.list_alerts()
    assert _due(repository) == []  # held while its crawls run
    assert repository.due_alerts(now_utc(), include_failed=True, ignore_schedule=True) == []

    # the first crawl ends: its alert is due `gather` later, not before
    repository.finish_run(first, CrawlCounts(), "finished")
    repository.release_alerts([first], now_utc() + timedelta(seconds=30))
    repository.finish_run(second, CrawlCounts(), "finished")
    settle_held_alerts(repository, now_utc())  # what every delivery does first
    assert _due(repository) == []
    later = now_utc() + timedelta(seconds=31)
    assert [a.id for a in repository.due_alerts(later)] == [alert.id]
    assert len(repository.alert_clippings(alert.id)) == 2


def test_an_alert_a_killed_crawl_held_goes_out_at_the_next_delivery(
    repository: Repository,
) -> None:
    # a process id no process has: the crawl that owned the run was killed
    run = repository.start_run("gazette", owner=f"{_host()}:{_dead_pid()}")
    alive = repository.start_run("gazette", owner="another-machine:1")
    _store(repository, run, 1)
    assert _due(repository) == []
    settle_held_alerts(repository, now_utc())
    assert len(_due(repository)) == 1
    assert repository.running_runs() == {alive: "another-machine:1"}  # only ours was reaped


def test_a_running_crawl_elsewhere_keeps_its_alert_held(repository: Repository) -> None:
    run = repository.start_run("gazette", owner="another-machine:4242")
    _store(repository, run, 1)
    settle_held_alerts(repository, now_utc())
    assert _due(repository) == []


def _host() -> str:
    import socket

    return socket.gethostname()


def _dead_pid() -> int:
    import subprocess
    import sys

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid
