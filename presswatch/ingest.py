"""Store what a crawl extracted: each article once, in one transaction per batch, with its
topic matches and its place in the alert outbox.

An article reached before (by any of its URLs, or its canonical URL) is `known`; one whose text
is near-identical to a stored clipping's is stored as a duplicate of that clipping's original.
The fingerprint rule that decides "near-identical" is the extractors'; storage keeps the bands
and is handed the rule here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.engine import Connection

from presswatch.clock import now_utc
from presswatch.clustering import StoryBatch, count_terms, features_of
from presswatch.errors import StorageError
from presswatch.extractors.fingerprint import band_keys, is_near_duplicate
from presswatch.index_text import IndexText, index_text
from presswatch.model import Article, NewMatch
from presswatch.storage.clippings import BandIndex, NearDuplicateRule
from presswatch.storage.db import writing
from presswatch.storage.matches import match_rows
from presswatch.storage.outbox import AlertBatch, lock_alerts
from presswatch.storage.repository import Repository
from presswatch.stories import StoryFeatures

NEAR_DUPLICATES = NearDuplicateRule(band_keys, is_near_duplicate)

# (article, the URL keys it was reached by, its topic matches), in the order found
ArticleBatch = Sequence[tuple[Article, Sequence[str], Sequence[NewMatch]]]


@dataclass(frozen=True, slots=True)
class AddResult:
    status: Literal["new", "known"]
    clipping_id: int
    duplicate_of: int | None = None
    matches: int = 0  # topic matches stored with a new clipping
    story_id: int | None = None  # a new clipping's story (a known one's is as it was)
    story_reason: str | None = None  # how it joined it: new, copy, facts


def add_clipping(
    repository: Repository,
    source_id: int,
    run_id: int | None,
    article: Article,
    url_keys: Sequence[str],
    matches: Sequence[NewMatch] = (),
    hold_s: float = 0.0,
    index: IndexText | None = None,
    per_story: bool = True,
) -> AddResult:
    """Store `article` once: a clipping already reached by any of `url_keys` or with the
    same canonical URL is `known`; a near-identical text elsewhere makes it a duplicate.
    A new clipping's topic `matches` are stored in the same transaction, and it joins the
    topic's gathering alert on each channel; an alert it opens is held for `hold_s`
    (until release_alerts, at the latest that long). `index` is its full-text index entry
    (made from its title and text when not given). With `per_story`, a clipping whose story
    already went (or is going) to a topic's channel in an alert does not join another."""
    features = features_of([article])
    counted = count_terms(repository.stories, features)
    entry = (article, url_keys, matches)
    alerts = AlertBatch(_held(hold_s), per_story)
    return _add_one(repository, source_id, run_id, entry, alerts, index, features[0], counted)


def _add_one(
    repository: Repository,
    source_id: int,
    run_id: int | None,
    entry: tuple[Article, Sequence[str], Sequence[NewMatch]],
    alerts: AlertBatch,
    index: IndexText | None,
    features: StoryFeatures,
    counted: Mapping[str, int],
) -> AddResult:
    with writing(repository.engine) as connection:
        stories = (features,), counted
        return _add_batch(
            repository, connection, source_id, run_id, [entry], alerts, [index], stories
        )[0]


def _held(hold_s: float) -> datetime:
    """When an alert opened now is due unless its crawl releases it before."""
    return now_utc() + timedelta(seconds=hold_s)


def add_clippings(
    repository: Repository,
    source_id: int,
    run_id: int | None,
    articles: ArticleBatch,
    hold_s: float = 0.0,
    indexes: Sequence[IndexText | None] | None = None,
    *,
    per_story: bool = True,
) -> list[AddResult | StorageError]:
    """add_clipping for each (article, url_keys, matches), in order, in one transaction: a
    crawl stores hundreds of articles a minute, and a transaction each is most of the cost.
    `indexes`, when given, are the articles' full-text index entries, in the same order.

    When the transaction fails, each article is stored on its own, so that one bad article
    costs only its own result: a StorageError in its place.
    """
    if not articles:
        return []
    entries = list(indexes) if indexes is not None else [None] * len(articles)
    features = features_of([article for article, _, _ in articles])
    counted = count_terms(repository.stories, features)
    try:
        with writing(repository.engine) as connection:
            return list(
                _add_batch(
                    repository,
                    connection,
                    source_id,
                    run_id,
                    articles,
                    AlertBatch(_held(hold_s), per_story),
                    entries,
                    (features, counted),
                )
            )
    except StorageError as exc:
        if len(articles) == 1:
            return [exc]
    results: list[AddResult | StorageError] = []
    for one, entry, each in zip(articles, entries, features, strict=True):
        try:
            alerts = AlertBatch(_held(hold_s), per_story)
            results.append(
                _add_one(repository, source_id, run_id, one, alerts, entry, each, counted)
            )
        except StorageError as exc:
            results.append(exc)
    return results


def _add_batch(
    repository: Repository,
    connection: Connection,
    source_id: int,
    run_id: int | None,
    articles: ArticleBatch,
    alerts: AlertBatch,
    indexes: Sequence[IndexText | None],
    stories: tuple[Sequence[StoryFeatures], Mapping[str, int]],
) -> list[AddResult]:
    """The articles in order, as if each were added alone after the ones before it, with
    a statement per new clipping and a few for the batch (not four per article): the
    batch's URL keys and fingerprint-band neighbours are read at once, and what the batch
    itself adds is tracked here. `stories` are the articles' story features and their key
    terms' counts (count_terms)."""
    features, counted = stories
    clippings = repository.clippings
    # every stored clipping's canonical URL is among its remembered URL keys, so one
    # lookup answers both "reached by this URL before?" and "same canonical URL?"
    url_keys = [
        list(dict.fromkeys([article.canonical_url, *keys])) for article, keys, _ in articles
    ]
    owners = clippings.url_owners(connection, [key for keys in url_keys for key in keys])
    fresh = [
        (article, keys)
        for (article, _, _), keys in zip(articles, url_keys, strict=True)
        if not any(key in owners for key in keys)
    ]
    neighbours = clippings.near_duplicates(
        connection, [article.fingerprint for article, _ in fresh], NEAR_DUPLICATES
    )
    batch = _Batch(
        repository,
        connection,
        source_id,
        run_id,
        owners,
        neighbours,
        alerts,
        StoryBatch(repository.stories, connection, now_utc(), counted),
    )
    if connection.dialect.name == "postgresql":
        lock_alerts(connection, [match for _, _, matches in articles for match in matches])
    results: list[AddResult] = []
    remembered: list[dict[str, object]] = []
    banded: list[dict[str, object]] = []
    for (article, _, matches), keys, entry, each in zip(
        articles, url_keys, indexes, features, strict=True
    ):
        result, remember = batch.add(article, keys, matches, entry, each)
        if remember:
            for key in keys:
                if key not in owners:  # a key already remembered keeps its clipping
                    owners[key] = result.clipping_id
                    remembered.append({"url_key": key, "clipping_id": result.clipping_id})
        if result.status == "new":
            fingerprint = article.fingerprint
            banded.extend(
                {"band_key": key, "clipping_id": result.clipping_id, "fingerprint": fingerprint}
                for key in band_keys(fingerprint)
            )
        results.append(result)
    clippings.remember(connection, remembered, banded)
    clippings.index(connection, batch.indexed)
    batch.stories.flush()
    if batch.matches:
        repository.matches.insert_rows(connection, batch.matches)
    repository.outbox.add_items(connection, batch.alerts)
    return results


@dataclass
class _Batch:
    """One batch's transaction, and what it has found and added so far."""

    repository: Repository
    connection: Connection
    source_id: int
    run_id: int | None
    owners: dict[str, int]  # URL key -> clipping
    neighbours: BandIndex
    alerts: AlertBatch
    stories: StoryBatch  # the new clippings' stories, their index rows written at the end
    matches: list[dict[str, object]] = field(default_factory=list)  # rows, written at the end
    indexed: list[tuple[int, IndexText]] = field(default_factory=list)  # new clippings' entries

    def add(
        self,
        article: Article,
        keys: Sequence[str],
        matches: Sequence[NewMatch],
        index: IndexText | None,
        features: StoryFeatures,
    ) -> tuple[AddResult, bool]:
        """The article's result, and whether its URL keys are to be remembered for it. A
        new clipping's index entry is `index`, or made here from its title and text."""
        existing = next((self.owners[key] for key in keys if key in self.owners), None)
        if existing is not None:
            return AddResult("known", existing), True
        duplicate_of = self.neighbours.original_of(article.fingerprint)
        if index is None:
            index = index_text(self.connection.dialect.name, article.title, article.text)
        clippings = self.repository.clippings
        story = self.stories.place(article, features, duplicate_of)
        new_id = clippings.insert_clipping(
            self.connection,
            self.source_id,
            self.run_id,
            article,
            duplicate_of,
            index,
            story.story_id,
        )
        if new_id is None:
            # a concurrent writer stored the same canonical URL a moment ago: its clipping
            # (its URL keys are its writer's to remember)
            winner = clippings.canonical_owner(self.connection, article.canonical_url)
            return AddResult("known", winner), False
        self.stories.settle(new_id, story)
        self.neighbours.add(new_id, article.fingerprint, duplicate_of)
        self.indexed.append((new_id, index))
        self.matches.extend(match_rows(new_id, matches, backfilled=False))
        if duplicate_of is None:  # a syndicated copy is listed in its original's alert
            outbox = self.repository.outbox
            for match in matches:
                outbox.enqueue(
                    self.connection, new_id, story.story_id, self.run_id, match, self.alerts
                )
        result = AddResult("new", new_id, duplicate_of, len(matches), story.story_id, story.reason)
        return result, True
