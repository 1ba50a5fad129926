"""The query preview: what a topic would catch, before it is saved (storage, CLI-free web
panel, the save-as-topic flow writing the config file)."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from starlette.testclient import TestClient

from presswatch.config import load_config
from presswatch.ingest import add_clipping
from presswatch.query import parse_query
from presswatch.storage.preview import preview_query
from presswatch.storage.search import HIT_END, HIT_START
from tests.web.conftest import Newsroom, _article

HTML = {"Accept": "text/html"}

NOVEMBER = date(2026, 11, 1)


def test_preview_counts_what_the_topic_caught_per_day_and_source(newsroom: Newsroom) -> None:
    found = preview_query(newsroom.repository.review, "harbour OR dredg*", NOVEMBER)
    # the configured topic "harbour" has the same query: the preview is what it matched
    # (the syndicated copy counts: a topic matches it too)
    matched = {i for i, topics in _topics(newsroom).items() if "harbour" in topics}
    assert {newsroom.ids[s] for s in ("harbour", "harbour-copy", "xss")} == matched
    assert found.total == 3
    assert found.is_complete
    assert found.per_day == {date(2026, 11, 20): 1, date(2026, 11, 23): 1, date(2026, 11, 24): 1}
    assert found.per_source == {"gazette": 1, "wire": 1, "ledger": 1}
    assert [item.id for item in found.newest] == [
        newsroom.ids["xss"],
        newsroom.ids["harbour-copy"],
        newsroom.ids["harbour"],
    ]
    assert f"{HIT_START}Harbour{HIT_END}" in found.newest[2].title_marked
    assert found.newest[2].snippet
    assert f"{HIT_START}dredge" in found.newest[2].snippet


def test_preview_of_a_query_the_index_cannot_say_alone_is_confirmed(newsroom: Newsroom) -> None:
    """`url:` is not in the full-text index: every clipping is a candidate and the matcher
    decides; the counts are still exact."""
    found = preview_query(newsroom.repository.review, "url:news AND NOT source:ledger", NOVEMBER)
    assert found.is_complete
    assert found.per_source == {"gazette": 2, "wire": 1}
    later = preview_query(newsroom.repository.review, "url:news", date(2026, 11, 24))
    assert later.per_day == {date(2026, 11, 24): 1, date(2026, 11, 25): 1}


def _topics(newsroom: Newsroom) -> dict[int, tuple[str, ...]]:
    records = newsroom.repository.list_clippings(limit=None)
    return {r.id: r.topics for r in records}


def test_the_topics_page_previews_a_query_as_typed_without_script(
    client: TestClient, newsroom: Newsroom
) -> None:
    fresh = replace(_article("night-ferry", "gazette", "Night ferry", ["The ferry sails."], 1),
                    published=None)  # fmt: skip
    repository = newsroom.repository
    add_clipping(repository, repository.source_id("gazette"), None, fresh, [])
    page = client.get("/topics?q=ferry+NOT+title:tram&since=7d", headers=HTML).text
    panel = page.split('id="preview-result"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<strong>1</strong> clipping since \S+ match", panel)
    assert '<mark class="hit-0">ferry</mark>' in panel
    assert "<dt>gazette</dt><dd>1</dd>" in panel
    assert 'action="/topics/save"' in panel
    # the fragment the page's script asks for is the same panel
    fragment = client.get("/topics/preview?q=ferry&since=7d").text
    assert 'Night <mark class="hit-0">ferry</mark>' in fragment
    assert "<strong>1</strong> clipping" in fragment
    broken = client.get("/topics/preview?q=ferry+AND").text
    assert "query error at column 10: expected a word, phrase or" in broken
    assert 'action="/topics/save"' not in broken


def test_save_as_topic_confirms_then_appends_to_the_config_file(
    client: TestClient, newsroom: Newsroom, post_form: Callable[..., object]
) -> None:
    path = newsroom.config.path
    assert path is not None
    os.chmod(path, 0o600)
    before = path.read_text(encoding="utf-8")
    query = '"northern channel" OR title:"tram lines"'
    asked = post_form("/topics/save", name="channel-or-trams", query=query)
    assert asked.status_code == 200  # type: ignore[attr-defined]
    assert str(path) in asked.text  # type: ignore[attr-defined]
    assert "name = &#34;channel-or-trams&#34;" in asked.text  # type: ignore[attr-defined]
    assert path.read_text(encoding="utf-8") == before  # nothing written before the confirmation
    done = post_form("/topics/save", name="channel-or-trams", query=query, confirm="yes")
    assert done.status_code == 303  # type: ignore[attr-defined]
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # the rest of the file as it was
    assert os.stat(path).st_mode & 0o777 == 0o600
    topic = next(t for t in load_config(path).topics if t.name == "channel-or-trams")
    assert parse_query(topic.query) == parse_query(query)
    topics_page = client.get("/topics?saved=channel-or-trams", headers=HTML).text
    assert 'id="topic-channel-or-trams"' in topics_page
    assert "added to" in topics_page


def test_save_as_topic_refuses_with_the_reason_and_writes_nothing(
    client: TestClient, newsroom: Newsroom, post_form: Callable[..., object]
) -> None:
    path = newsroom.config.path
    assert path is not None
    before = path.read_text(encoding="utf-8")
    taken = post_form("/topics/save", name="harbour", query="ferry", confirm="yes")
    assert taken.status_code == 409  # type: ignore[attr-defined]
    assert "a topic named &#39;harbour&#39; exists already" in taken.text  # type: ignore[attr-defined]
    bad = post_form("/topics/save", name="x", query="(ferry", confirm="yes")
    assert "query error at column 7: expected &#39;)&#39;" in bad.text  # type: ignore[attr-defined]
    assert path.read_text(encoding="utf-8") == before
    unsigned = client.post("/topics/save", data={"name": "x", "query": "ferry", "confirm": "yes"})
    assert unsigned.status_code == 403
    # a config that is no longer where it was read from cannot be written
    moved = path.with_suffix(".moved")
    path.rename(moved)
    gone = post_form("/topics/save", name="x", query="ferry", confirm="yes")
    assert gone.status_code == 409  # type: ignore[attr-defined]
    assert "is not writable by this process" in gone.text  # type: ignore[attr-defined]
