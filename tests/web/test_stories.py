"""Stories on the review page over HTTP: one page per story (timeline, origin, differences),
the clipping page's link to its story, and the list grouped by story."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from presswatch.ingest import AddResult
from presswatch.web.app import create_app
from tests.web.conftest import Newsroom
from tests.web.story_room import HALVORSEN, HALVORSEN_OUTLETS, store_stories

HTML = {"Accept": "text/html"}


@pytest.fixture
def stored(newsroom: Newsroom) -> dict[str, AddResult]:
    return store_stories(newsroom.repository)


@pytest.fixture
def client(newsroom: Newsroom, stored: dict[str, AddResult]) -> Iterator[TestClient]:
    app = create_app(newsroom.config, newsroom.repository)
    with TestClient(app, base_url="http://127.0.0.1:8080") as test_client:
        yield test_client


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_the_story_page_lists_its_outlets_in_time_order_with_the_origin(
    client: TestClient, stored: dict[str, AddResult]
) -> None:
    page = client.get(f"/stories/{stored['s05-a'].story_id}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Halvorsen Foods lifts outlook as quarterly profit rises 12%</h1>" in html
    summary = " ".join(section(html, '<p class="story-summary">', "</p>").split())
    assert summary.startswith("6 clippings, 6 outlets, first seen <time")
    assert "(market-journal), last <time" in summary
    assert "(ostrand-observer)" in summary
    assert "wire: Reuters" in html
    timeline = section(html, '<ol class="timeline">', "</ol>")
    rows = re.findall(
        r'<li class="version (\w+)" id="v(\d+)">.*?<span class="source">([^<]+)</span>'
        r'.*?href="/clippings/(\d+)">.*?<span class="chip badge \w+">([^<]+)</span>',
        timeline,
        re.S,
    )
    badges = ["origin", "verbatim copy", "verbatim copy", "rewrite", "rewrite", "own report"]
    assert [(int(r[1]), r[2], r[4]) for r in rows] == [
        (stored[key].clipping_id, source, badge)
        for key, source, badge in zip(HALVORSEN, HALVORSEN_OUTLETS, badges, strict=True)
    ]
    assert all(r[1] == r[3] for r in rows)  # each links to its clipping


def test_the_story_page_shows_how_each_version_differs_from_the_origin(
    client: TestClient, stored: dict[str, AddResult]
) -> None:
    html = client.get(f"/stories/{stored['s05-a'].story_id}", headers=HTML).text
    differences = section(html, '<section class="differences"', "</section>")

    def card(key: str) -> str:
        return section(differences, f'id="d{stored[key].clipping_id}"', "</div>")

    assert "Same text as the origin." in card("s05-b")
    assert f'id="d{stored["s05-a"].clipping_id}"' not in differences  # the origin itself
    # a new first paragraph: the wire dateline and the old lead removed, the new lead added
    lede = card("s05-d")
    assert "<del>ELVARY, Nov 5 (Reuters) -</del>" in lede
    assert "<ins>Frozen ready meals have been good to</ins>" in lede
    assert "84% of its words are the origin" in lede
    # retitled: old -> new headline
    retitled = section(card("s05-c"), '<p class="retitled">', "</p>")
    assert "<del>Halvorsen Foods lifts outlook as quarterly profit rises 12%</del>" in retitled
    assert "<ins>Halvorsen raises forecast after strong quarter</ins>" in retitled
    # shortened: the dropped paragraphs, cut to a bounded stretch
    shortened = card("s05-e")
    assert "<del>The Elvary-based company" in shortened
    assert "more words …" in shortened
    assert "<details>" in card("s05-f")  # an own report's diff is folded away


def test_an_unknown_story_is_not_found(client: TestClient) -> None:
    response = client.get("/stories/98765", headers=HTML)
    assert response.status_code == 404
    assert "There is no story 98765." in response.text


def test_the_clipping_page_links_to_its_story_when_other_outlets_ran_it(
    client: TestClient, stored: dict[str, AddResult], newsroom: Newsroom
) -> None:
    html = client.get(f"/clippings/{stored['s05-d'].clipping_id}", headers=HTML).text
    assert f'<a href="/stories/{stored["s05-d"].story_id}">6 outlets</a>' in html
    alone = client.get(f"/clippings/{newsroom.ids['xss']}", headers=HTML).text
    assert "/stories/" not in alone


def listed(client: TestClient, query: str) -> list[int]:
    """The clipping ids the list shows, in order."""
    response = client.get(f"/{query}", headers=HTML)
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<li class="clipping[^"]*" id="c(\d+)"', response.text)]


def test_the_list_grouped_by_story_shows_each_story_once_as_its_origin(
    client: TestClient, stored: dict[str, AddResult], newsroom: Newsroom
) -> None:
    every = listed(client, "")
    grouped = listed(client, "?group=story")
    # the newsroom's own clippings: harbour and its copy are one story, each other one its own
    mine = [stored["s05-a"].clipping_id, stored["s01-a"].clipping_id]
    newsroom_stories = ("schools", "xss", "budget", "trams", "harbour")
    assert grouped == [*mine, *(newsroom.ids[s] for s in newsroom_stories)]
    assert len(every) > len(grouped)
    html = client.get("/?group=story", headers=HTML).text
    row = section(html, f'id="c{stored["s05-a"].clipping_id}"', "</li>")
    others = ", ".join(
        ["elvary-ledger", "metro-post", "valley-wire", "northfield-daily", "ostrand-observer"]
    )
    assert f'href="/stories/{stored["s05-a"].story_id}"' in row
    assert f"+ 5 more outlets: {others}</a>" in row
    assert "1–7 stories, newest first" in html
    assert 'href="/">Show every clipping</a>' in html
    assert 'href="/?group=story">Group by story</a>' in client.get("/", headers=HTML).text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the first clipping of each story that the filter selects
        ("?group=story&from=2026-11-04&to=2026-11-04", ["s01-b"]),
        ("?group=story&source=metro-post", ["s05-c", "s01-b"]),
        ("?group=story&source=ostrand-observer&from=2026-11-05", ["s05-f"]),
        # a search: the newest clipping of each story that matches
        ("?group=story&q=halvorsen", ["s05-f"]),
        ("?group=story&q=%22Reporting+by+Nadia+Ferro%22", ["s05-d"]),
        ("?group=story&q=elvary+AND+budget", ["s01-d"]),
    ],
)
def test_filters_and_search_keep_working_grouped_by_story(
    client: TestClient, stored: dict[str, AddResult], query: str, expected: list[str]
) -> None:
    assert listed(client, query) == [stored[key].clipping_id for key in expected]


def test_an_unknown_grouping_is_said_and_the_list_shown_ungrouped(client: TestClient) -> None:
    html = client.get("/?group=outlet", headers=HTML).text
    assert "group &#39;outlet&#39; is unknown (use story)" in html
    assert listed(client, "?group=outlet") == listed(client, "")


def test_the_json_list_grouped_by_story_names_each_story(
    client: TestClient, stored: dict[str, AddResult]
) -> None:
    body = client.get("/api/clippings?group=story").json()
    first = body["clippings"][0]
    assert (first["id"], first["story_id"]) == (
        stored["s05-a"].clipping_id,
        stored["s05-a"].story_id,
    )
    assert first["story"] == {
        "id": stored["s05-a"].story_id,
        "clippings": 6,
        "sources": list(HALVORSEN_OUTLETS),
    }


def test_the_page_export_carries_each_clipping_story(
    client: TestClient, stored: dict[str, AddResult]
) -> None:
    rows = csv.DictReader(io.StringIO(client.get("/clippings.csv?group=story").text))
    story_of = {int(row["id"]): row["story_id"] for row in rows}
    # every clipping (an export never folds), each with its story
    assert [story_of[r.clipping_id] for r in stored.values()] == [
        str(r.story_id) for r in stored.values()
    ]
