"""A corrected, then removed, clipping in a real headless browser against a real `presswatch
serve`: the removed banner, the revision's headline before and after, the changed words
struck through and highlighted, the scraped markup shown as text; with a screenshot."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from presswatch.config import Config
from presswatch.loopback import LoopbackSite, Route
from tests.conftest import OWN_PASSAGE
from tests.pages import OWN_PASSAGE_TITLE
from tests.test_corrections import PAGE, Newsroom, opened_newsroom
from tests.web.browser import serving, shoot

RETITLED = "Harbour dredging delayed <i>again</i>"


@pytest.fixture
def corrected(write_config: Callable[[str], Config], site: LoopbackSite) -> Iterator[Newsroom]:
    """One clipping of a loopback page, with a webhook channel nobody answers."""
    dead = '\n[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n'
    with opened_newsroom(write_config, site, dead) as room:
        yield room


def test_the_clipping_page_shows_its_revision_and_its_removal(
    page: Page, corrected: Newsroom
) -> None:
    newsroom = corrected
    edited = [OWN_PASSAGE[0].replace("Tuesday", "Wednesday"), *OWN_PASSAGE[1:]]
    assert "Tuesday" in OWN_PASSAGE[0]
    newsroom.publish(RETITLED, edited)
    assert newsroom.recheck(hours=1)["changed"] == 1
    newsroom.site.add(PAGE, Route(b"gone", status=410, conditional=False))
    assert newsroom.recheck(hours=6)["removed"] == 1
    newsroom.repository.engine.dispose()
    assert newsroom.config.path is not None

    with serving(newsroom.config.path) as url:
        page.goto(url + f"clippings/{newsroom.clipping_id}")
        expect(page.locator(".banner.removed")).to_contain_text("Removed since")
        revisions = page.get_by_role("region", name="Revisions")
        headline = revisions.locator(".headline")
        expect(headline.locator("del")).to_have_text(OWN_PASSAGE_TITLE)
        expect(headline.locator("ins")).to_have_text(RETITLED)  # markup shown, not run
        expect(headline.locator("ins i")).to_have_count(0)
        diff = revisions.locator(".diff").first
        expect(diff.locator("del")).to_have_text("Tuesday")
        expect(diff.locator("ins")).to_have_text("Wednesday")
        expect(diff.locator("del")).to_have_css("text-decoration-line", "line-through")
        shoot(page, "clipping-revisions")
