"""The review page in a real headless browser (Debian's chromium, driven by Playwright) against
a real `presswatch serve`: list, search, one clipping, mark reviewed, the XSS page; with
screenshots at 1280 px and at 390 px (a phone) in test-artifacts/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from presswatch.ingest import add_clipping
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from tests.conftest import TestDatabases
from tests.web.browser import serving, shoot
from tests.web.conftest import XSS_TITLE, Newsroom, _article, build_newsroom


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases
) -> Iterator[tuple[str, Newsroom]]:
    """`presswatch serve --port 0` over the newsroom's database: (its URL, the newsroom)."""
    room = build_newsroom(tmp_path_factory.mktemp("browser"), module_databases.url("browser"))
    room.repository.engine.dispose()
    assert room.config.path is not None
    with serving(room.config.path) as url:
        yield url, room


def test_list_search_open_and_mark_reviewed(page: Page, served: tuple[str, Newsroom]) -> None:
    url, room = served
    page.goto(url)
    expect(page.locator("h1")).to_contain_text("Clippings")
    expect(page.locator("li.clipping")).to_have_count(5)
    expect(page.locator(f"#c{room.ids['harbour']}")).to_contain_text("also in 1 source: wire")
    # times are shown in the reader's time zone by the page's own script
    expect(page.locator("li.clipping time").first).not_to_contain_text("UTC")
    shoot(page, "clippings")

    page.fill("#q", "dredge")
    page.press("#q", "Enter")
    expect(page).to_have_url(re.compile(r"\?q=dredge"))
    expect(page.locator("li.clipping")).to_have_count(1)
    expect(page.locator("li.clipping mark").first).to_have_text("dredge")
    shoot(page, "search")

    page.click("li.clipping h2 a")
    expect(page.locator("h1")).to_have_text("Harbour channel to be dredged before spring tides")
    expect(page.locator(".text mark.hit-0").first).to_be_visible()
    expect(page.locator(".copies")).to_contain_text("wire")
    page.click("text=Mark reviewed")
    expect(page.locator(".review button[value=unreviewed]")).to_contain_text("Reviewed")
    page.fill("#note", "Quote from our spokesperson")
    page.click("text=Save note")
    expect(page.locator("#note")).to_have_value("Quote from our spokesperson")
    shoot(page, "clipping")

    engine = open_database(room.config.database.url)
    state = Repository(engine).review_state(room.ids["harbour"])
    engine.dispose()
    assert state.is_reviewed
    assert state.note == "Quote from our spokesperson"
    page.click("text=← Clippings")
    expect(page.locator(f"#c{room.ids['harbour']}")).to_have_class(re.compile("is-reviewed"))


def test_scraped_script_and_onerror_render_as_text(
    page: Page, served: tuple[str, Newsroom]
) -> None:
    url, room = served
    for path in (f"clippings/{room.ids['xss']}", "?q=harbour", ""):
        page.goto(url + path)
        expect(page.get_by_text(XSS_TITLE).first).to_be_visible()
        assert page.locator("img").count() == 0
        assert page.locator("main script").count() == 0
        assert page.evaluate("document.body.dataset.owned") is None
    page.goto(url + f"clippings/{room.ids['xss']}")
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    expect(page.locator(".text")).to_contain_text("<img src=x onerror=")
    shoot(page, "xss")


def test_topics_sources_and_alerts_pages(page: Page, served: tuple[str, Newsroom]) -> None:
    url, _room = served
    page.goto(url + "topics")
    expect(page.locator(".topic-card")).to_have_count(3)
    expect(page.locator(".topic-card svg rect.bar").first).to_be_attached()
    shoot(page, "topics")
    page.goto(url + "sources")
    expect(page.locator("table.sources")).to_contain_text("HTTP 500")
    shoot(page, "sources")
    page.goto(url + "alerts")
    expect(page.locator("table.alerts")).to_contain_text("pending")
    shoot(page, "alerts")


def test_topics_page_previews_a_query_as_it_is_typed_and_saves_it_as_a_topic(
    page: Page, served: tuple[str, Newsroom]
) -> None:
    """Last in this file: it adds a topic to the served config."""
    url, room = served
    assert room.config.path is not None
    engine = open_database(room.config.database.url)
    try:
        repository = Repository(engine)
        fresh = replace(
            _article("night-ferry", "gazette", "Night ferry", ["The night ferry sails."], 1),
            published=None,  # dated when it was fetched: today, whenever this runs
        )
        add_clipping(repository, repository.source_id("gazette"), None, fresh, [])
    finally:
        engine.dispose()
    page.goto(url + "topics")
    page.select_option("#preview-since", "7d")
    page.locator("#preview-q").press_sequentially("ferry NOT tram*", delay=20)
    result = page.locator("#preview-result")
    expect(result).to_have_attribute("data-query", "ferry NOT tram*")  # the script's answer
    expect(result.locator(".preview-total")).to_contain_text("1 clipping since")
    expect(result.locator(".preview-newest mark").first).to_have_text("ferry")
    shoot(page, "topic-preview")
    page.locator("#preview-q").fill("ferry NOT tram*")
    page.locator("#preview-q").press("Enter")  # the plain form, as without the script
    page.locator("#topic-name").fill("night-ferries")
    page.get_by_role("button", name="Save as topic…").click()
    expect(page.locator("pre")).to_contain_text('name = "night-ferries"')
    page.get_by_role("button", name="Add the topic").click()
    expect(page.locator("#topic-night-ferries")).to_be_visible()
    assert 'name = "night-ferries"' in room.config.path.read_text(encoding="utf-8")
