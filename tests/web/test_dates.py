"""One meaning of a date for the command line and the review page: the article's date, when it
was published, else when it was fetched. The newsroom's stories were published in November
2026 and fetched when the test began, which tells the two dates apart."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from starlette.testclient import TestClient

from presswatch.clock import now_utc
from presswatch.ingest import add_clipping
from presswatch.storage.records import ClippingRecord
from tests.test_cli import presswatch
from tests.web.conftest import Newsroom, _article


@pytest.fixture
def undated(newsroom: Newsroom) -> int:
    """A story whose page said nothing of when it was published."""
    article = replace(
        _article("undated", "ledger", "Ferry timetable", ["The ferry runs hourly."], 1),
        published=None,
    )
    repository = newsroom.repository
    return add_clipping(repository, repository.source_id("ledger"), None, article, []).clipping_id


def _cli_ids(newsroom: Newsroom, *args: str) -> list[int]:
    """The ids a `presswatch clippings` command prints as JSON Lines (the installed command,
    in its own process)."""
    result = presswatch("--config", str(newsroom.config.path), "clippings", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def _dated(record: ClippingRecord) -> date:
    return (record.published or record.fetched).date()


def test_the_cli_and_the_review_page_select_the_same_clippings_by_date(
    client: TestClient, newsroom: Newsroom, undated: int
) -> None:
    ids = [*newsroom.ids.values(), undated]
    records = [r for r in map(newsroom.repository.get_clipping, ids) if r is not None]
    today = now_utc().date()
    # every story was fetched today; all but one were published weeks before
    assert all(r.fetched.date() == today for r in records)
    assert [r.id for r in records if r.published is None] == [undated]
    for since in (date(2026, 11, 22), date(2026, 11, 24), today):
        expected = sorted(r.id for r in records if _dated(r) >= since)
        listed = _cli_ids(newsroom, "list", "--since", since.isoformat(), "--format", "jsonl")
        exported = _cli_ids(newsroom, "export", "--since", since.isoformat(), "--format", "jsonl")
        web_export = client.get(f"/clippings.jsonl?from={since.isoformat()}")
        web_ids = [json.loads(line)["id"] for line in web_export.text.splitlines()]
        assert sorted(listed) == sorted(exported) == sorted(web_ids) == expected, since
        # the page and its API fold the syndicated copy under its original
        api = client.get(f"/api/clippings?from={since.isoformat()}").json()
        originals = [r.id for r in records if r.id in expected and r.duplicate_of is None]
        assert sorted(c["id"] for c in api["clippings"]) == sorted(originals), since
    # fetched today and published before: by fetch time these would all be listed
    assert _cli_ids(newsroom, "list", "--since", today.isoformat(), "--format", "jsonl") == [
        undated
    ]


def test_a_date_range_and_a_moment_select_alike(
    client: TestClient, newsroom: Newsroom, undated: int
) -> None:
    """The page's `to` day is inclusive; `--since 2h` is a moment, and stories fetched within
    it but published before are not listed."""
    page = client.get("/api/clippings?from=2026-11-21&to=2026-11-22").json()
    assert sorted(c["id"] for c in page["clippings"]) == sorted(
        [newsroom.ids["trams"], newsroom.ids["budget"]]
    )
    assert _cli_ids(newsroom, "list", "--since", "2h", "--format", "jsonl") == [undated]
    assert _cli_ids(newsroom, "export", "--since", "2h", "--format", "jsonl") == [undated]
