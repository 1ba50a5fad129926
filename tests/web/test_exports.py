"""Taking the view elsewhere: CSV and JSON Lines exports, Atom feeds, the JSON API."""

from __future__ import annotations

import csv
import io
import json

import feedparser
from starlette.testclient import TestClient

from presswatch.export import FIELDS
from tests.web.conftest import XSS_TITLE, Newsroom


def test_csv_export_of_the_filtered_view_has_the_spec_fields(
    client: TestClient, newsroom: Newsroom
) -> None:
    response = client.get("/clippings.csv?topic=harbour")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="clippings-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert tuple(rows[0]) == FIELDS
    # every clipping of the view, newest first, the syndicated copy included (unfolded)
    assert [int(r["id"]) for r in rows] == [
        newsroom.ids["xss"],
        newsroom.ids["harbour-copy"],
        newsroom.ids["harbour"],
    ]
    copy = rows[1]
    assert copy["duplicate_of"] == str(newsroom.ids["harbour"])
    assert copy["topics"] == "harbour"
    assert rows[0]["title"] == XSS_TITLE


def test_jsonl_export_follows_search_and_filters(client: TestClient, newsroom: Newsroom) -> None:
    response = client.get("/clippings.jsonl?q=harbour&source=ledger")
    assert response.headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in response.text.splitlines()]
    assert [r["id"] for r in records] == [newsroom.ids["xss"]]
    assert set(records[0]) == set(FIELDS)
    assert records[0]["published"] == "2026-11-24T07:45:00+00:00"
    everything = client.get("/clippings.jsonl").text.splitlines()
    assert len(everything) == len(newsroom.ids)
    assert client.get("/clippings.xml").status_code == 404


def test_atom_feed_per_topic_parses(client: TestClient, newsroom: Newsroom) -> None:
    response = client.get("/topics/harbour/feed.xml")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(response.text)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "presswatch: harbour"
    assert feed.feed.id == "http://127.0.0.1:8080/topics/harbour/feed.xml"
    assert [e.title for e in feed.entries] == [
        XSS_TITLE,
        "Harbour channel to be dredged before spring tides",
    ]
    first = feed.entries[1]
    assert first.link == "https://gazette.example/news/harbour"
    assert first.id == f"http://127.0.0.1:8080/clippings/{newsroom.ids['harbour']}"
    assert first.published == "2026-11-20T07:45:00+00:00"
    assert first.author == "Zoë Müller"
    assert "harbour" in first.summary
    assert "<script" not in feed.entries[0].summary
    assert client.get("/topics/nothing/feed.xml").status_code == 404


def test_json_api_for_one_clipping(client: TestClient, newsroom: Newsroom) -> None:
    data = client.get(f"/api/clippings/{newsroom.ids['harbour']}").json()
    assert set(FIELDS) <= set(data)
    assert data["topics"] == ["harbour"]
    assert data["reviewed"] is False
    assert data["matches"][0]["topic"] == "harbour"
    snippet = data["matches"][0]["snippets"][0]
    assert {snippet["text"][a:b].lower() for a, b in snippet["hits"]} >= {"harbour"}
    assert data["copies"] == [
        {
            "id": newsroom.ids["harbour-copy"],
            "source": "wire",
            "url": "https://wire.example/news/harbour-copy",
            "title": "Wire: harbour channel dredging agreed",
            "original": False,
        }
    ]
    assert [(a["topic"], a["channel"], a["status"]) for a in data["alerts"]] == [
        ("harbour", "ops", "pending")
    ]


def test_json_api_list_shows_folded_copies(client: TestClient, newsroom: Newsroom) -> None:
    data = client.get("/api/clippings?topic=harbour").json()
    harbour = next(c for c in data["clippings"] if c["id"] == newsroom.ids["harbour"])
    assert harbour["also_in"] == ["wire"]
    assert data["next"] is None
