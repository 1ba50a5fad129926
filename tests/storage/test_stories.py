"""Stories as stored: each new clipping joins its story at ingest (copies, rewrites and other
outlets' reports of one event share a story id), looked up in the story index; the story
keeps its origin (the earliest published), its wire credit, its span and size."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import combinations
from typing import Literal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from presswatch.extractors.fingerprint import simhash
from presswatch.ingest import AddResult, add_clipping, add_clippings
from presswatch.model import Article, NewMatch
from presswatch.storage.models import Clipping, Story, StoryKey
from presswatch.storage.repository import Repository
from presswatch.words import count_words
from tests.story_set import StoryArticle, load_story_set
from tests.test_stories import REPORT, T0

INDEPENDENT = (
    "Frozen-meal maker Halvorsen now sees 1.84 billion crowns of revenue this year, it said, "
    "as its chief Ingrid Nordby pointed to price rises that held in Elvary.\n\n"
    "Quarterly profit at the Sandvik-based group came in at 146 million crowns, and its "
    "1,300 staff can expect a steady year."
)


def article(url: str, title: str, text: str, published: datetime | None) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        title=title,
        author=None,
        published=published,
        language="en",
        site_name=None,
        description=None,
        image=None,
        text=text,
        word_count=count_words(text),
        fingerprint=simhash(text),
    )


def store(repository: Repository, source: str, item: Article) -> AddResult:
    return add_clipping(repository, repository.source_id(source), None, item, [item.url])


def story_row(repository: Repository, story_id: int | None) -> Story:
    with Session(repository.engine) as session:
        return session.scalars(select(Story).where(Story.id == story_id)).one()


def test_copies_rewrites_and_other_reports_share_a_story(repository: Repository) -> None:
    first = store(
        repository, "ledger", article("https://l.test/a", "Halvorsen lifts outlook", REPORT, T0)
    )
    copy = store(
        repository,
        "courier",
        article("https://c.test/a", "Food group upbeat", REPORT, T0 + timedelta(hours=1)),
    )
    lede = "Investors cheered on Tuesday as a maker of frozen meals raised its sights.\n\n"
    rewrite = store(
        repository,
        "post",
        article("https://p.test/a", "Shares jump", lede + REPORT, T0 + timedelta(hours=2)),
    )
    own_words = store(
        repository,
        "herald",
        article("https://h.test/a", "Halvorsen sees more", INDEPENDENT, T0 + timedelta(hours=3)),
    )
    assert first.story_reason == "new"
    assert (copy.story_id, copy.duplicate_of, copy.story_reason) == (
        first.story_id,
        first.clipping_id,
        "copy",
    )
    assert (rewrite.story_id, rewrite.story_reason) == (first.story_id, "copy")
    assert (own_words.story_id, own_words.story_reason) == (first.story_id, "facts")
    story = story_row(repository, first.story_id)
    assert (story.origin_id, story.clippings) == (first.clipping_id, 4)
    assert (story.first_seen, story.last_seen) == (T0, T0 + timedelta(hours=3))


def test_the_earliest_published_is_the_origin_whenever_it_is_stored(
    repository: Repository,
) -> None:
    later = store(
        repository,
        "courier",
        article(
            "https://c.test/b", "Upbeat", "CITY (Reuters) - " + REPORT, T0 + timedelta(hours=5)
        ),
    )
    earlier = store(repository, "ledger", article("https://l.test/b", "Halvorsen", REPORT, T0))
    assert earlier.story_id == later.story_id
    story = story_row(repository, later.story_id)
    assert (story.origin_id, story.first_seen, story.wire) == (earlier.clipping_id, T0, "Reuters")


def test_the_same_facts_four_days_later_are_another_story(repository: Repository) -> None:
    first = store(repository, "ledger", article("https://l.test/c", "Halvorsen", REPORT, T0))
    again = store(
        repository,
        "post",
        article("https://p.test/c", "Halvorsen", INDEPENDENT, T0 + timedelta(days=4)),
    )
    assert again.story_reason == "new"
    assert again.story_id != first.story_id


def test_a_known_clipping_keeps_its_story_and_is_not_counted_twice(
    repository: Repository,
) -> None:
    item = article("https://l.test/d", "Halvorsen", REPORT, T0)
    first = store(repository, "ledger", item)
    again = store(repository, "ledger", item)
    assert (again.status, again.clipping_id) == ("known", first.clipping_id)
    assert story_row(repository, first.story_id).clippings == 1


def test_the_evaluation_set_stored_reaches_the_issue_targets(repository: Repository) -> None:
    """The whole set stored in publication order, by outlet, in batches like a crawl's:
    the stored stories give the same-story pairs at precision >= 0.95, recall >= 0.90."""
    articles = sorted(load_story_set(), key=lambda a: (a.published, a.id))
    stored: dict[str, int] = {}
    for start in range(0, len(articles), 7):
        batch = articles[start : start + 7]
        by_source: dict[str, list[StoryArticle]] = {}
        for each in batch:
            by_source.setdefault(each.source, []).append(each)
        for source, items in by_source.items():
            entries: list[tuple[Article, list[str], list[NewMatch]]] = [
                (
                    article(a.url, a.title, a.text, a.published),
                    [a.url],
                    [],
                )
                for a in items
            ]
            results = add_clippings(repository, repository.source_id(source), None, entries)
            for a, result in zip(items, results, strict=True):
                assert isinstance(result, AddResult)
                assert result.status == "new"
                assert result.story_id is not None
                stored[a.id] = result.story_id
    truth = {
        frozenset(p)
        for p in combinations(sorted(stored), 2)
        if (s := {a.id: a.story for a in articles})[p[0]] is not None and s[p[0]] == s[p[1]]
    }
    predicted = {
        frozenset(p) for p in combinations(sorted(stored), 2) if stored[p[0]] == stored[p[1]]
    }
    precision = len(truth & predicted) / len(predicted)
    recall = len(truth & predicted) / len(truth)
    assert precision >= 0.95, precision
    assert recall >= 0.90, recall
    with repository.engine.connect() as connection:
        clipped = connection.scalar(select(func.count()).select_from(Clipping))
        stories = connection.scalar(select(func.count()).select_from(Story))
        indexed = connection.scalar(select(func.count(func.distinct(StoryKey.clipping_id))))
        counted = connection.scalar(select(func.sum(Story.clippings)))
    assert clipped == counted == len(articles)
    assert stories == len(set(stored.values()))
    # verbatim copies are found by fingerprint and need no index entry
    assert indexed is not None
    assert indexed < len(articles)


def _alert_items(repository: Repository) -> dict[tuple[str, str], list[int]]:
    """(event, status) of each alert -> how many clippings each carries, oldest first."""
    alerts = sorted(repository.outbox.list_alerts(), key=lambda a: a.id)
    sizes = repository.alert_sizes([a.id for a in alerts])
    found: dict[tuple[str, str], list[int]] = {}
    for alert in alerts:
        found.setdefault((alert.event, alert.status), []).append(sizes.get(alert.id, 0))
    return found


@pytest.mark.parametrize("mode", ["instant", "digest"])
def test_a_story_goes_to_a_topics_channel_once_per_alert_or_digest(
    repository: Repository, mode: Literal["instant", "digest"]
) -> None:
    """per_story: the story's first clipping is the alert's entry, and the outlets that join
    it in the same or a later batch add nothing; once it went out, a later outlet alerts
    nobody again, but goes into the next digest of a digest topic."""
    match = [NewMatch("food", (), notify=("desk",), mode=mode)]
    lede = "Investors cheered on Tuesday as a maker of frozen meals raised its sights.\n\n"
    first, rewrite = add_clippings(
        repository,
        repository.source_id("ledger"),
        None,
        [
            (article("https://l.test/e", "Halvorsen lifts outlook", REPORT, T0), ["a"], match),
            (article("https://p.test/e", "Shares jump", lede + REPORT, T0), ["b"], match),
        ],
    )
    assert isinstance(first, AddResult)
    assert isinstance(rewrite, AddResult)
    assert rewrite.story_id == first.story_id
    event = "digest" if mode == "digest" else "alert"
    assert _alert_items(repository) == {(event, "pending"): [1]}
    (alert,) = repository.outbox.list_alerts()
    repository.outbox.mark_sent(alert.id)
    later = article("https://h.test/e", "Halvorsen sees more", INDEPENDENT, T0)
    joined = add_clipping(repository, repository.source_id("herald"), None, later, ["c"], match)
    assert joined.story_id == first.story_id
    expected = {(event, "sent"): [1]}
    if mode == "digest":
        expected[(event, "pending")] = [1]  # the next digest lists the story as it grew
    assert _alert_items(repository) == expected


def test_per_story_false_gives_each_clipping_its_entry(repository: Repository) -> None:
    match = [NewMatch("food", (), notify=("desk",))]
    lede = "Investors cheered on Tuesday as a maker of frozen meals raised its sights.\n\n"
    results = add_clippings(
        repository,
        repository.source_id("ledger"),
        None,
        [
            (article("https://l.test/f", "Halvorsen lifts outlook", REPORT, T0), ["a"], match),
            (article("https://p.test/f", "Shares jump", lede + REPORT, T0), ["b"], match),
        ],
        per_story=False,
    )
    assert len({r.story_id for r in results if isinstance(r, AddResult)}) == 1
    assert _alert_items(repository) == {("alert", "pending"): [2]}
