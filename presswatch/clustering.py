"""A new clipping's story, decided as it is stored: a verbatim copy joins its original's
story; any other clipping is compared (presswatch.stories' rule) with the candidates the
story index gives for it, the clippings published within 72 hours of it that share the most
sampled 5-grams and rare key terms with it, and joins the best one's story or starts one.
A few indexed lookups per clipping, whatever the number stored."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from presswatch.model import Article
from presswatch.storage.stories import StoredFeatures, StoryStore
from presswatch.stories import (
    CANDIDATES,
    WINDOW,
    StoryFeatures,
    best_match,
    lookup_keys,
)

_FUTURE = timedelta(hours=1)  # a publication time further ahead than this is not believed


@dataclass(frozen=True, slots=True)
class Placement:
    """The story a new clipping joins, and why: "new" (it starts one), "copy" (of a stored
    clipping, by fingerprint or by shared 5-grams), "facts" (the same event in other words)."""

    story_id: int
    reason: str
    at: datetime  # its time in the story: published, else fetched
    features: StoryFeatures
    indexed: bool  # whether it goes into the candidate index (a verbatim copy does not)
    # what it is indexed by: its sampled 5-grams and its key terms that a lookup can still
    # use (a term more than LOOKUP_MAX_DF clippings carry finds no candidates, and counts
    # only grow: its rows would never be read)
    keys: tuple[int, ...] = ()


def features_of(articles: Sequence[Article]) -> list[StoryFeatures]:
    return [StoryFeatures.of(article.title, article.text) for article in articles]


def count_terms(store: StoryStore, features: Sequence[StoryFeatures]) -> None:
    """Count the articles' key terms (before their batch is stored: see count_terms)."""
    counts: Counter[str] = Counter()
    for each in features:
        counts.update(each.terms)
    counts[""] = len(features)
    store.count_terms(counts)


def story_time(article: Article, now: datetime) -> datetime:
    published = article.published
    return published if published is not None and published <= now + _FUTURE else now


def place(
    store: StoryStore,
    connection: Connection,
    article: Article,
    features: StoryFeatures,
    duplicate_of: int | None,
    now: datetime,
) -> Placement:
    """The story `article` joins (started here when it is the first of its story)."""
    at = story_time(article, now)
    if duplicate_of is not None:
        story = store.story_of(connection, duplicate_of)
        if story is not None:
            return Placement(story, "copy", at, features, indexed=False)
    df = store.term_counts(connection, sorted(features.terms))
    keys = tuple(lookup_keys(features, df))
    found = store.candidates(connection, keys, at, WINDOW, CANDIDATES)
    candidates = [(c.story_id, StoryFeatures.decoded(*_fields(c.features))) for c in found]
    total = store.clippings_seen(connection)
    # a copy outranks any report of the same facts whatever the terms' counts, so the counts
    # of the candidates' other terms are asked only when no candidate is a copy
    match = best_match(features, candidates, df, total)
    if match is None or match[2] != "copy":
        unseen = {t for _, other in candidates for t in other.terms} - df.keys()
        if unseen:
            df.update(store.term_counts(connection, sorted(unseen)))
            match = best_match(features, candidates, df, total)
    if match is not None:
        story_id, _, reason = match
        return Placement(story_id, reason, at, features, indexed=True, keys=keys)
    story_id = store.start_story(connection, at, features.wire)
    return Placement(story_id, "new", at, features, indexed=True, keys=keys)


def settle(
    store: StoryStore, connection: Connection, clipping_id: int, placement: Placement
) -> None:
    """Count the stored clipping in its story, and index it for the clippings after it."""
    features = placement.features
    store.join_story(connection, placement.story_id, clipping_id, placement.at, features.wire)
    if placement.indexed:
        store.remember(
            connection,
            clipping_id,
            placement.story_id,
            placement.at,
            placement.keys,
            StoredFeatures(*features.encoded()),
        )


def _fields(stored: StoredFeatures) -> tuple[str, str, str, str | None]:
    return stored.sample, stored.terms, stored.title, stored.wire
