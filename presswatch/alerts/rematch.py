"""`presswatch topics rematch`: match topics over the clippings already stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from presswatch.alerts.matching import ArticleMatcher, topics_of
from presswatch.config import Config
from presswatch.model import NewMatch
from presswatch.storage.repository import Repository

_BATCH = 500


@dataclass(frozen=True, slots=True)
class RematchResult:
    topics: int
    clippings: int
    new_matches: int


def rematch(repository: Repository, config: Config, names: Sequence[str] = ()) -> RematchResult:
    """Back-fill matches of the named topics (all when none named); they never alert."""
    topics = topics_of(config, names)
    matcher = ArticleMatcher(topics)
    seen = new = 0
    batch: list[tuple[int, Sequence[NewMatch]]] = []
    for clipping in repository.iter_clippings(batch=_BATCH):
        seen += 1
        found = matcher.match(
            title=clipping.title,
            text=clipping.text,
            source=clipping.source,
            url=clipping.canonical_url,
        )
        if found:
            # back-filled matches never alert
            batch.append((clipping.id, [replace(m, notify=()) for m in found]))
        if len(batch) >= _BATCH:
            new += repository.add_backfilled_matches(batch)
            batch = []
    if batch:
        new += repository.add_backfilled_matches(batch)
    return RematchResult(len(topics), seen, new)
