"""The sources page: an adaptive source's schedule and next run follow the interval it is
polled at."""

from __future__ import annotations

from datetime import timedelta

from starlette.testclient import TestClient

from presswatch.counts import CrawlCounts
from presswatch.web.app import create_app
from presswatch.web.context import when
from tests.conftest import opened_repository


def test_an_adaptive_sources_next_run_is_one_polled_interval_after_its_last(  # type: ignore[no-untyped-def]
    write_config,
) -> None:
    config = write_config(
        '[[sources]]\nname = "gazette"\nfeeds = ["https://gazette.example/rss.xml"]\n'
        'every = "1h"\nmin_every = "5m"\nadaptive = true\n'
    )
    with opened_repository(config.database.url) as repository:
        run_id = repository.start_run("gazette")
        repository.finish_run(run_id, CrawlCounts(), "finished")
        repository.set_poll_interval("gazette", 450.0)
        started = repository.last_runs()["gazette"].started_at
        with TestClient(create_app(config, repository), base_url="http://127.0.0.1:8080") as client:
            page = client.get("/sources", headers={"Accept": "text/html"}).text
    assert when(started + timedelta(seconds=450)) in page
    assert when(started + timedelta(hours=1)) not in page
    assert "every 7m30s (adaptive 5m-1h)" in page  # the interval it is polled at, its bounds
