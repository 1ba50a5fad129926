"""Two stories of the story set (tests/data/stories) stored through ingest as a crawl would
store them, in publication order: the pages about stories (the web page, exports, the CLI)."""

from __future__ import annotations

from presswatch.ingest import AddResult, add_clipping
from presswatch.storage.repository import Repository
from tests.storage.test_stories import article
from tests.story_set import StoryArticle, load_story_set

# s05: an original, two verbatim copies, a new first paragraph, a shortened one and an own
# report, on six outlets; s01: another story (a retitled rewrite among them)
STORIES = ("s05-halvorsen-results", "s01-elvary-budget")
# s05's articles in publication order: its outlets
HALVORSEN = ("s05-a", "s05-b", "s05-c", "s05-e", "s05-d", "s05-f")
HALVORSEN_OUTLETS = (
    "market-journal",
    "elvary-ledger",
    "metro-post",
    "valley-wire",
    "northfield-daily",
    "ostrand-observer",
)


def story_articles(stories: tuple[str, ...] = STORIES) -> list[StoryArticle]:
    """The stories' articles, oldest first."""
    chosen = [a for a in load_story_set() if a.story in stories]
    return sorted(chosen, key=lambda a: (a.published, a.id))


def store_stories(
    repository: Repository, stories: tuple[str, ...] = STORIES
) -> dict[str, AddResult]:
    """Each article stored, by its id in the story set ("s05-a")."""
    stored = {}
    for item in story_articles(stories):
        page = article(item.url, item.title, item.text, item.published)
        source_id = repository.source_id(item.source)
        stored[item.id] = add_clipping(repository, source_id, None, page, [item.url])
    return stored
