"""Stories in a real headless browser against a real `presswatch serve`: from the clipping
page to its story, the timeline in time order with the origin, and the differences; with
screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from presswatch.ingest import AddResult
from tests.conftest import TestDatabases
from tests.web.browser import serving, shoot
from tests.web.conftest import build_newsroom
from tests.web.story_room import HALVORSEN_OUTLETS, store_stories


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases
) -> Iterator[tuple[str, dict[str, AddResult]]]:
    """The newsroom and two stories of the story set, served: (its URL, what was stored)."""
    room = build_newsroom(tmp_path_factory.mktemp("stories"), module_databases.url("stories"))
    stored = store_stories(room.repository)
    room.repository.engine.dispose()
    assert room.config.path is not None
    with serving(room.config.path) as url:
        yield url, stored


def test_from_a_clipping_to_its_story_timeline_and_differences(
    page: Page, served: tuple[str, dict[str, AddResult]]
) -> None:
    url, stored = served
    page.goto(url + f"clippings/{stored['s05-d'].clipping_id}")
    page.get_by_role("link", name="6 outlets").click()
    expect(page).to_have_url(f"{url}stories/{stored['s05-d'].story_id}")
    expect(page.locator("h1")).to_have_text(
        "Halvorsen Foods lifts outlook as quarterly profit rises 12%"
    )
    expect(page.locator(".story-summary")).to_contain_text("6 clippings, 6 outlets")
    versions = page.locator(".timeline li")
    expect(versions.locator(".source")).to_have_text(list(HALVORSEN_OUTLETS))
    expect(versions.locator(".badge")).to_have_text(
        ["origin", "verbatim copy", "verbatim copy", "rewrite", "rewrite", "own report"]
    )
    # times are shown in the reader's time zone by the page's own script
    expect(versions.locator("time").first).not_to_contain_text("UTC")
    lede = page.locator(f"#d{stored['s05-d'].clipping_id}")
    expect(lede.locator("ins").first).to_be_visible()
    expect(lede.locator("del").first).to_have_css("text-decoration-line", "line-through")
    own = page.locator(f"#d{stored['s05-f'].clipping_id}")
    expect(own.locator(".diff-text")).to_be_hidden()
    own.locator("summary").click()
    expect(own.locator(".diff-text")).to_be_visible()
    shoot(page, "story")

    versions.filter(has_text="northfield-daily").get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("Ready meals lift Halvorsen as profit climbs")


def test_an_unknown_story_is_a_page_saying_so(
    page: Page, served: tuple[str, dict[str, AddResult]]
) -> None:
    url, _stored = served
    response = page.goto(url + "stories/99999")
    assert response is not None
    assert response.status == 404
    expect(page.locator("main")).to_contain_text("There is no story 99999.")


def test_the_list_grouped_by_story_leads_to_each_story(
    page: Page, served: tuple[str, dict[str, AddResult]]
) -> None:
    url, stored = served
    page.goto(url)
    every = page.locator("li.clipping").count()
    page.get_by_role("link", name="Group by story").click()
    expect(page).to_have_url(f"{url}?group=story")
    expect(page.locator("li.clipping")).to_have_count(7)
    assert every > 7
    row = page.locator(f"#c{stored['s05-a'].clipping_id}")
    expect(row.locator(".source")).to_have_text("market-journal")
    shoot(page, "clippings-by-story")
    row.get_by_role("link", name=re.compile(r"^\+ 5 more outlets")).click()
    expect(page).to_have_url(f"{url}stories/{stored['s05-a'].story_id}")
    page.get_by_role("link", name="← Stories").click()
    expect(page.locator("li.clipping")).to_have_count(7)
    page.get_by_role("link", name="Show every clipping").click()
    expect(page.locator("li.clipping")).to_have_count(every)
