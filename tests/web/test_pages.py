"""The review page over HTTP: every page, every filter, review actions, retries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from presswatch.clock import now_utc
from presswatch.source_history import Finding
from presswatch.web.app import create_app
from tests.alerts.conftest import WebhookReceiver
from tests.conftest import TestDatabases
from tests.web.conftest import Newsroom, build_newsroom

HTML = {"Accept": "text/html"}


def listed(client: TestClient, query: str = "") -> list[int]:
    """The clipping ids the list shows, in order."""
    response = client.get(f"/{query}", headers=HTML)
    assert response.status_code == 200
    return [int(i) for i in re.findall(r'<li class="clipping[^"]*" id="c(\d+)"', response.text)]


def ids(newsroom: Newsroom, *slugs: str) -> list[int]:
    return [newsroom.ids[s] for s in slugs]


def test_list_is_newest_first_with_copies_folded_under_the_original(
    client: TestClient, newsroom: Newsroom
) -> None:
    assert listed(client) == ids(newsroom, "schools", "xss", "budget", "trams", "harbour")
    page = client.get("/").text
    harbour = page.split(f'id="c{newsroom.ids["harbour"]}"')[1].split("</li>")[0]
    assert "also in 1 source: wire" in harbour
    assert "Export this view" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?topic=harbour", ["xss", "harbour"]),
        ("?topic=trams", ["trams"]),
        ("?topic=nothing-like-it", []),
        ("?source=ledger", ["schools", "xss", "budget"]),
        ("?source=wire", ["harbour-copy"]),  # one source: its copies are shown
        ("?from=2026-11-22&to=2026-11-24", ["xss", "budget"]),
        ("?from=2026-11-24", ["schools", "xss"]),
        ("?to=2026-11-20", ["harbour"]),
        ("?q=harbour", ["xss", "harbour"]),
        ("?q=%22northern+channel%22", ["harbour"]),
        ("?q=tram*", ["trams"]),
        ("?q=muller", ["harbour"]),  # accents do not matter
        ("?q=harbour&source=ledger", ["xss"]),
        ("?q=harbour&topic=harbour&from=2026-11-21", ["xss"]),
        ("?q=harbour+NOT+northern", ["xss"]),  # the topic language: NOT means not
        ("?q=title:harbour", ["xss", "harbour"]),
        ("?q=title:harbour+NOT+text:northern", ["xss"]),
        ("?q=source:ledger+AND+harbour", ["xss"]),
        ("?status=unreviewed", ["schools", "xss", "budget", "trams", "harbour"]),
        ("?status=reviewed", []),
        ("?starred=1", []),
    ],
)
def test_filters_and_search(
    client: TestClient, newsroom: Newsroom, query: str, expected: list[str]
) -> None:
    assert listed(client, query) == ids(newsroom, *expected)
    api = client.get(f"/api/clippings{query}").json()
    assert [c["id"] for c in api["clippings"]] == ids(newsroom, *expected)


def test_search_results_show_the_hits_highlighted(client: TestClient) -> None:
    page = client.get("/?q=dredge", headers=HTML).text
    assert '<mark class="hit-0">dredge</mark>' in page
    title_page = client.get("/?q=tram*", headers=HTML).text
    assert '<mark class="hit-0">Tram</mark> lines reach the old town' in title_page
    api = client.get("/api/clippings?q=dredge").json()["clippings"][0]
    text, hits = api["snippet"]["text"], api["snippet"]["hits"]
    assert [text[a:b] for a, b in hits] == ["dredge"]


def test_bad_filter_values_are_reported_not_fatal(client: TestClient) -> None:
    page = client.get("/?from=yesterday&page=x&status=maybe", headers=HTML)
    assert page.status_code == 200
    assert "from &#39;yesterday&#39; is not a date (use YYYY-MM-DD)" in page.text
    assert "status &#39;maybe&#39; is unknown" in page.text
    assert client.get("/api/clippings?from=yesterday").status_code == 400


def test_a_search_that_is_no_query_says_where_it_breaks(client: TestClient) -> None:
    page = client.get("/?q=harbour+AND", headers=HTML)
    assert page.status_code == 200
    assert "search: query error at column 12: expected a word, phrase or" in page.text
    assert 'class="clipping"' not in page.text
    api = client.get("/api/clippings?q=%22%22")
    assert api.status_code == 400
    assert "query error at column 1: expected a phrase with words" in api.json()["error"]
    assert client.get("/clippings.csv?q=(harbour").status_code == 400


def test_paging_links_keep_the_filters(
    client: TestClient, newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("presswatch.web.listing.PAGE_SIZE", 2)
    monkeypatch.setattr("presswatch.web.clipping_views.PAGE_SIZE", 2)
    assert listed(client, "?source=ledger") == ids(newsroom, "schools", "xss")
    page = client.get("/?source=ledger", headers=HTML).text
    assert 'href="/?source=ledger&amp;page=2"' in page
    assert listed(client, "?source=ledger&page=2") == ids(newsroom, "budget")
    api = client.get("/api/clippings?source=ledger").json()
    assert api["next"] == "http://127.0.0.1:8080/api/clippings?source=ledger&page=2"
    second = client.get(api["next"]).json()
    assert [c["id"] for c in second["clippings"]] == ids(newsroom, "budget")
    assert second["next"] is None
    assert second["previous"] == "http://127.0.0.1:8080/api/clippings?source=ledger"


def test_one_clipping_shows_everything_about_it(client: TestClient, newsroom: Newsroom) -> None:
    page = client.get(f"/clippings/{newsroom.ids['harbour']}", headers=HTML).text
    assert "Harbour channel to be dredged before spring tides" in page
    assert "Zoë Müller" in page
    assert '<time datetime="2026-11-20T07:45:00+00:00">2026-11-20 07:45 UTC</time>' in page
    assert 'href="https://gazette.example/news/harbour" rel="noopener noreferrer"' in page
    # the topic's hits in the text, in the topic's colour
    assert '<mark class="hit-0">dredge</mark>' in page
    assert '<mark class="hit-0">harbour</mark> board voted' in page
    assert 'class="chip topic hit-0" href="/?topic=harbour"' in page
    # the other source that carried it, and the alert it is queued in
    copy = newsroom.ids["harbour-copy"]
    assert f'<a href="/clippings/{copy}">wire</a>' in page
    alert_row = page.split('<td data-label="Topic">harbour</td>')[1].split("</tr>")[0]
    assert '<td data-label="Channel">ops</td>' in alert_row
    assert '<span class="status pending">pending</span>' in alert_row


def test_a_copy_points_to_the_first_clipping(client: TestClient, newsroom: Newsroom) -> None:
    page = client.get(f"/clippings/{newsroom.ids['harbour-copy']}", headers=HTML).text
    assert f"see the first clipping (#{newsroom.ids['harbour']})" in page
    assert "This clipping went out in no alert." in page  # copies ride on the original's


def test_unknown_clipping_is_404(client: TestClient) -> None:
    assert client.get("/clippings/999", headers=HTML).status_code == 404
    assert client.get("/api/clippings/999").status_code == 404
    assert "There is no clipping 999." in client.get("/clippings/999", headers=HTML).text


def test_review_star_and_note_are_stored(
    client: TestClient, newsroom: Newsroom, post_form: Callable[..., object]
) -> None:
    harbour = newsroom.ids["harbour"]
    path = f"/clippings/{harbour}/review"
    response = post_form(path, action="reviewed", next=f"/?topic=harbour#c{harbour}")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["location"] == f"/?topic=harbour#c{harbour}"  # type: ignore[attr-defined]
    post_form(path, action="star")
    post_form(path, action="note", note="  Send to the board  ")
    state = newsroom.repository.review_state(harbour)
    assert state.is_reviewed
    assert state.starred
    assert state.note == "Send to the board"
    assert listed(client, "?status=reviewed") == [harbour]
    assert harbour not in listed(client, "?status=unreviewed")
    assert listed(client, "?starred=1") == [harbour]
    page = client.get(f"/clippings/{harbour}", headers=HTML).text
    assert "✓ Reviewed" in page
    assert ">Send to the board</textarea>" in page
    detail = client.get(f"/api/clippings/{harbour}").json()
    assert (detail["reviewed"], detail["starred"], detail["note"]) == (
        True,
        True,
        "Send to the board",
    )

    post_form(path, action="unreviewed")
    post_form(path, action="unstar")
    post_form(path, action="note", note="")
    assert newsroom.repository.review_state(harbour) == type(state)()
    assert listed(client, "?status=reviewed") == []


def test_review_keeps_the_first_review_time(
    newsroom: Newsroom, post_form: Callable[..., object]
) -> None:
    path = f"/clippings/{newsroom.ids['trams']}/review"
    post_form(path, action="reviewed")
    first = newsroom.repository.review_state(newsroom.ids["trams"]).reviewed_at
    post_form(path, action="reviewed")
    assert newsroom.repository.review_state(newsroom.ids["trams"]).reviewed_at == first


def test_review_of_unknown_clipping_or_action(post_form: Callable[..., object]) -> None:
    assert post_form("/clippings/999/review", action="reviewed").status_code == 404  # type: ignore[attr-defined]
    assert post_form("/clippings/1/review", action="delete").status_code == 400  # type: ignore[attr-defined]


def test_topics_page_has_query_chart_and_feed(client: TestClient) -> None:
    page = client.get("/topics", headers=HTML).text
    for name, query in (("harbour", "harbour OR dredg*"), ("trams", "tram*")):
        assert f'<a href="/?topic={name}">{name}</a>' in page
        assert f'<code class="query">{query}</code>' in page
        assert f'href="/topics/{name}/feed.xml"' in page
    charts = re.findall(r"<svg .*?</svg>", page, flags=re.S)
    assert len(charts) == 3
    assert all(chart.count("<rect ") == 30 for chart in charts)
    today = now_utc().date().isoformat()
    # every clipping arrived today: harbour matched three of them (the copy too)
    assert f"<title>{today}: 3 matches</title>" in charts[0]
    assert "3 in the last 30 days" in page


def test_sources_page_shows_health_and_next_run(client: TestClient) -> None:
    page = client.get("/sources", headers=HTML).text
    rows = {
        name: page.split(f'<a href="/?source={name}">{name}</a>')[1].split("</tr>")[0]
        for name in ("gazette", "ledger", "wire")
    }
    assert "every 30m" in rows["gazette"]
    assert "cron 0 6 * * *" in rows["ledger"]
    # cron reads local time; the page shows UTC
    six_local = datetime.now().astimezone().replace(hour=6, minute=0)
    assert f"{six_local.astimezone(UTC):%H:%M} UTC" in rows["ledger"]
    assert "disabled" in rows["wire"]
    assert '<td data-label="Next run">—</td>' in rows["wire"]
    assert '<span class="bad">1</span>' in rows["wire"]
    assert "https://wire.example/broken</span> — HTTP 500" in page


def test_sources_page_shows_open_health_problems_and_daily_yield(
    client: TestClient, newsroom: Newsroom
) -> None:
    repository = newsroom.repository
    since = now_utc() - timedelta(hours=18)
    message = "wire: no new clipping for 18 h (usually one every 40 min)"
    repository.health.apply_verdicts(
        repository.source_id("wire"), "wire", {"silent": Finding("silent", since, message)}, ()
    )
    page = client.get("/sources", headers=HTML).text
    problems = page.split('<section class="health-problems"')[1].split("</section>")[0]
    assert "1 open problem" in problems
    assert message in problems
    rows = {
        name: page.split(f'<a href="/?source={name}">{name}</a>')[1].split("</tr>")[0]
        for name in ("gazette", "wire")
    }
    assert '<span class="bad">silent</span>' in rows["wire"]
    assert '<span class="ok">ok</span>' in rows["gazette"]
    # each run fetched one page and kept none (the fixture's counts): yield 0%, one day shown
    assert (
        '<td class="num" data-label="Yield" title="share of article pages kept, last crawls">0%'
        in rows["gazette"]
    )
    assert rows["gazette"].count("<rect ") == 1


@pytest.fixture
def hooked(
    tmp_path: Path, databases: TestDatabases
) -> Iterator[tuple[TestClient, Newsroom, WebhookReceiver]]:
    receiver = WebhookReceiver()
    receiver.start()
    room = build_newsroom(tmp_path, databases.url("web"), receiver.url)
    with TestClient(
        create_app(room.config, room.repository), base_url="http://127.0.0.1:8080"
    ) as client:
        yield client, room, receiver
    room.repository.engine.dispose()
    receiver.stop()


def test_alerts_page_and_retry_button(
    hooked: tuple[TestClient, Newsroom, WebhookReceiver],
) -> None:
    client, room, receiver = hooked
    page = client.get("/alerts", headers=HTML).text
    assert '<span class="status pending">pending</span>' in page
    receiver.status = 503
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    retried = client.post(
        "/alerts/retry",
        data={"csrf": token.group(1)},
        headers={"Origin": "http://127.0.0.1:8080"},
    )
    # two crawls before any delivery: their clippings gathered into one alert
    assert retried.url.query == b"sent=0&retrying=1&failed=0"
    assert "Retry: 0 sent, 1 to retry later, 0 failed." in retried.text
    assert "answered 503" in retried.text  # the last error
    receiver.status = 204
    again = client.post(
        "/alerts/retry", data={"csrf": token.group(1)}, headers={"Origin": "http://127.0.0.1:8080"}
    )
    assert "Retry: 1 sent, 0 to retry later, 0 failed." in again.text
    assert len(receiver.requests) == 2
    assert [a.status for a in room.repository.list_alerts()] == ["sent"]
    sent = client.get("/alerts?status=sent", headers=HTML).text
    assert '<td class="num" data-label="Attempts">2</td>' in sent
