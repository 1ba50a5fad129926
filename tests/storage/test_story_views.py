"""Stories as read for review: one story's clippings in time order with its origin, and the
outlets of a page's stories."""

from __future__ import annotations

from datetime import timedelta

from presswatch.storage.repository import Repository
from presswatch.storage.review import ClippingFilter
from tests.storage.test_stories import INDEPENDENT, article, store
from tests.test_stories import REPORT, T0
from tests.web.story_room import HALVORSEN_OUTLETS, store_stories, story_articles


def test_a_story_lists_its_clippings_by_time_with_the_origin(repository: Repository) -> None:
    stored = store_stories(repository)
    halvorsen = stored["s05-a"].story_id
    assert halvorsen is not None
    timeline = repository.story_timeline(halvorsen)
    assert timeline is not None
    expected = [a for a in story_articles() if a.story == "s05-halvorsen-results"]
    assert [c.id for c in timeline.clippings] == [stored[a.id].clipping_id for a in expected]
    assert [c.source for c in timeline.clippings] == [a.source for a in expected]
    assert [c.at for c in timeline.clippings] == [a.published for a in expected]
    assert [c.is_origin for c in timeline.clippings] == [True] + [False] * 5
    assert timeline.origin == timeline.clippings[0]
    assert (timeline.size, timeline.outlets, timeline.wire) == (6, 6, "Reuters")
    assert (timeline.first_seen, timeline.last_seen) == (
        expected[0].published,
        expected[-1].published,
    )
    copies = {c.source: c.duplicate_of for c in timeline.clippings}
    assert copies["elvary-ledger"] == stored["s05-a"].clipping_id  # verbatim
    assert copies["northfield-daily"] is None  # a rewrite
    assert repository.story_timeline(halvorsen + 1000) is None


def test_a_page_of_stories_in_a_line_each(repository: Repository) -> None:
    stored = store_stories(repository)
    halvorsen, budget = stored["s05-a"].story_id, stored["s01-a"].story_id
    outlets = repository.story_outlets([halvorsen, budget, None, halvorsen])
    assert set(outlets) == {halvorsen, budget}
    first = outlets[halvorsen]  # type: ignore[index]
    assert first.sources == HALVORSEN_OUTLETS
    assert (first.size, first.origin_id, first.origin_source) == (
        6,
        stored["s05-a"].clipping_id,
        "market-journal",
    )
    assert first.others("metro-post") == tuple(s for s in first.sources if s != "metro-post")
    assert outlets[budget].size == 5  # type: ignore[index]
    assert repository.outlets_of(None) is None


def test_the_origin_is_the_earliest_published_even_when_stored_later(
    repository: Repository,
) -> None:
    later = store(repository, "courier", article("https://c.test/x", "Later", REPORT, T0))
    earlier = article("https://l.test/x", "Earlier", REPORT, T0 - timedelta(hours=2))
    first = store(repository, "ledger", earlier)
    own = store(
        repository,
        "herald",
        article("https://h.test/x", "Own", INDEPENDENT, T0 - timedelta(hours=1)),
    )
    assert later.story_id == first.story_id == own.story_id
    timeline = repository.story_timeline(first.story_id or 0)
    assert timeline is not None
    assert [c.title for c in timeline.clippings] == ["Earlier", "Own", "Later"]
    assert [c.is_origin for c in timeline.clippings] == [True, False, False]
    # the copy stored first stays the original of the copy stored after it
    assert [c.duplicate_of for c in timeline.clippings] == [later.clipping_id, None, None]


def test_pages_grouped_by_story_page_by_story(repository: Repository) -> None:
    stored = store_stories(repository)
    others = store_stories(repository, ("s04-velmouth-harbour-fees", "s07-halvorsen-buys-brewery"))
    origins = [stored["s05-a"], others["s07-a"], others["s04-a"], stored["s01-a"]]
    grouped = ClippingFilter(by_story=True)
    assert repository.story_outlets([r.story_id for r in origins]).keys() == {
        r.story_id for r in origins
    }

    def page(wanted: ClippingFilter, offset: int, limit: int) -> tuple[list[int], bool]:
        found = repository.clipping_page(wanted, offset=offset, limit=limit)
        return [item.clipping.id for item in found.items], found.has_more

    newest_first = sorted((r.clipping_id for r in origins), reverse=True)
    assert page(grouped, 0, 2) == (newest_first[:2], True)
    assert page(grouped, 2, 2) == (newest_first[2:], False)
    first = repository.clipping_page(grouped, offset=0, limit=1).items[0]
    assert first.story is not None
    assert (first.story.id, first.story.size) == (first.clipping.story_id, 6)
    # a search pages by story too: every story names Halvorsen or Elvary
    search = ClippingFilter(query="halvorsen OR elvary OR velmouth", by_story=True)
    ids, more = page(search, 0, 3)
    assert more
    assert len({repository.get_clipping(i).story_id for i in ids}) == 3  # type: ignore[union-attr]
    rest, more = page(search, 3, 3)
    assert (len(rest), more) == (1, False)
    assert not set(ids) & set(rest)
