"""A new clipping's story, decided as it is stored: a verbatim copy joins its original's
story; any other clipping is compared (presswatch.stories' rule) with the candidates the
story index gives for it, the clippings published within 72 hours of it that share the most
sampled 5-grams and rare key terms with it, and joins the best one's story or starts one.
A few indexed lookups per clipping, whatever the number stored; the writes at the end of
its batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection

from presswatch.model import Article
from presswatch.storage.stories import IndexEntry, StoredFeatures, StoryJoin, StoryStore
from presswatch.stories import (
    CANDIDATES,
    WINDOW,
    StoryFeatures,
    best_match,
    lookup_keys,
    weighed,
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


def count_terms(store: StoryStore, features: Sequence[StoryFeatures]) -> dict[str, int]:
    """Count the articles' key terms before their batch is stored (see
    StoryStore.count_terms): how many clippings carry each of them now, and under "" how
    many clippings were counted in all."""
    counts: Counter[str] = Counter()
    for each in features:
        counts.update(each.terms)
    counts[""] = len(features)
    return store.count_terms(counts)


def story_time(article: Article, now: datetime) -> datetime:
    published = article.published
    return published if published is not None and published <= now + _FUTURE else now


@dataclass
class StoryBatch:
    """The placements of one batch of new clippings, in its transaction: each is compared
    with the stored candidates and with the batch's own clippings before it (kept here), and
    what the batch adds to the index and to its stories' counts is written at its end, in a
    few statements, rather than three per clipping."""

    store: StoryStore
    connection: Connection
    now: datetime
    counted: Mapping[str, int]  # count_terms' answer for the batch's articles
    _stories: dict[int, int] = field(default_factory=dict)  # the batch's clippings' stories
    _indexed: list[tuple[int, Placement]] = field(default_factory=list)
    _by_key: dict[int, list[int]] = field(default_factory=dict)  # key -> _indexed positions
    _joined: list[tuple[int, int, Placement]] = field(default_factory=list)

    def place(
        self, article: Article, features: StoryFeatures, duplicate_of: int | None
    ) -> Placement:
        """The story `article` joins (started here when it is the first of its story)."""
        store, connection = self.store, self.connection
        at = story_time(article, self.now)
        if duplicate_of is not None:
            story = self._stories.get(duplicate_of) or store.story_of(connection, duplicate_of)
            if story is not None:
                return Placement(story, "copy", at, features, indexed=False)
        df = {t: self.counted[t] for t in features.terms if t in self.counted}
        total = self.counted.get("", 1)
        # weighed now, as its candidates were when they were stored: the rule needs no count
        # of their other terms
        features = weighed(features, df, total)
        keys = tuple(lookup_keys(features, df))
        found = store.candidates(connection, keys, at, WINDOW, CANDIDATES)
        candidates = [(c.story_id, StoryFeatures.decoded(*_fields(c.features))) for c in found]
        candidates += self._own_candidates(keys, at)
        match = best_match(features, candidates, df, total)
        if match is not None:
            story_id, _, reason = match
            return Placement(story_id, reason, at, features, indexed=True, keys=keys)
        story_id = store.start_story(connection, at, features.wire)
        return Placement(story_id, "new", at, features, indexed=True, keys=keys)

    def _own_candidates(self, keys: Sequence[int], at: datetime) -> list[tuple[int, StoryFeatures]]:
        """The batch's own indexed clippings sharing keys with these, within the window."""
        shared: Counter[int] = Counter()
        for key in keys:
            shared.update(self._by_key.get(key, ()))
        found = []
        for position, _ in shared.most_common(CANDIDATES):
            _, placement = self._indexed[position]
            if abs(placement.at - at) <= WINDOW:
                found.append((placement.story_id, placement.features))
        return found

    def settle(self, clipping_id: int, placement: Placement) -> None:
        """The stored clipping counts in its story, and is found by the clippings after it
        (written by `flush`)."""
        self._stories[clipping_id] = placement.story_id
        self._joined.append((clipping_id, placement.story_id, placement))
        if placement.indexed:
            position = len(self._indexed)
            self._indexed.append((clipping_id, placement))
            for key in placement.keys:
                self._by_key.setdefault(key, []).append(position)

    def flush(self) -> None:
        """Write the batch's index rows and its stories' new counts, spans and origins."""
        joins: dict[int, StoryJoin] = {}
        for clipping_id, story_id, placement in self._joined:
            joined = joins.get(story_id)
            wire = placement.features.wire
            if joined is None:
                joins[story_id] = StoryJoin(
                    story_id, 1, clipping_id, placement.at, placement.at, wire
                )
                continue
            if placement.at < joined.first_at:
                joined.origin, joined.first_at = clipping_id, placement.at
            joined.last_at = max(joined.last_at, placement.at)
            joined.clippings += 1
            joined.wire = joined.wire or wire
        self.store.join_stories(self.connection, list(joins.values()))
        self.store.remember(
            self.connection,
            [
                IndexEntry(
                    clipping_id,
                    placement.story_id,
                    placement.at,
                    placement.keys,
                    StoredFeatures(*placement.features.encoded()),
                )
                for clipping_id, placement in self._indexed
            ],
        )
        self._joined.clear()
        self._indexed.clear()
        self._by_key.clear()


def _fields(stored: StoredFeatures) -> tuple[str, str, str, str | None, float]:
    return stored.sample, stored.terms, stored.title, stored.wire, stored.weight
