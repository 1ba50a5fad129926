"""The story set: fictional news stories as clippings from many outlets, to measure story grouping.

Written for these tests (issue 18): every `tests/data/stories/NN-slug.json` is one story,
`{"story": "sNN-slug", "event": "...", "articles": [...]}`, told by its `original` (the first
published), `verbatim` copies (syndicated: a byline, dateline or credit line may be added, and a
quarter of them carry the original's URL as `canonical_url`), rewrites (`rewrite-lede`: a new first
paragraph; `shortened`: the first paragraphs, lightly edited; `retitled`: a new headline) and
`independent` reports of the same event in other words. `unrelated.json` (`"story": null`) holds
articles that share a name (`shares`) with a story and appear in its 72 h window, but report
another event: they belong to no story. Texts are paragraphs separated by a blank line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Literal, get_args

STORIES = Path(__file__).parent / "data" / "stories"

Kind = Literal[
    "original", "verbatim", "rewrite-lede", "shortened", "retitled", "independent", "unrelated"
]
KINDS: tuple[Kind, ...] = get_args(Kind)
REWRITE_KINDS: tuple[Kind, ...] = ("rewrite-lede", "shortened", "retitled")
STORY_FILE = re.compile(r"(\d{2,})-([a-z0-9-]+)\.json")


@dataclass(frozen=True, slots=True)
class StoryArticle:
    id: str
    story: str | None  # None for an unrelated article
    source: str
    kind: Kind
    url: str
    canonical_url: str | None
    published: datetime  # timezone-aware
    title: str
    text: str
    shares: str | None = None  # unrelated articles: the name they share with some story


def load_story_set(directory: Path = STORIES) -> list[StoryArticle]:
    """Every article of every story file, then the unrelated ones, in file order.

    Raises ValueError naming the file when a story's name, an id, a kind or a date is malformed.
    """
    articles: list[StoryArticle] = []
    for path in sorted(directory.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        story = raw["story"]
        if path.name == "unrelated.json":
            if story is not None:
                raise ValueError(f"{path.name}: story must be null, not {story!r}")
        else:
            match = STORY_FILE.fullmatch(path.name)
            if match is None or story != f"s{match[1]}-{match[2]}":
                raise ValueError(f"{path.name}: story {story!r} does not match the file name")
        articles.extend(_article(path.name, story, item) for item in raw["articles"])
    return articles


def same_story_pairs(articles: Iterable[StoryArticle]) -> set[frozenset[str]]:
    """Every pair of article ids in the same story; unrelated articles are in no pair."""
    by_story: dict[str, list[str]] = {}
    for article in articles:
        if article.story is not None:
            by_story.setdefault(article.story, []).append(article.id)
    return {frozenset(pair) for ids in by_story.values() for pair in combinations(ids, 2)}


def _article(file_name: str, story: str | None, item: dict[str, object]) -> StoryArticle:
    article_id = str(item["id"])
    where = f"{file_name}: {article_id}"
    if story is not None and not article_id.startswith(story.split("-")[0] + "-"):
        raise ValueError(f"{where}: id must start with the story's {story.split('-')[0]}-")
    kind = item["kind"]
    if kind not in KINDS or (kind == "unrelated") != (story is None):
        raise ValueError(f"{where}: kind {kind!r} is not one of {KINDS} or does not fit the file")
    published = datetime.fromisoformat(str(item["published"]))
    if published.utcoffset() is None:
        raise ValueError(f"{where}: published {item['published']!r} has no UTC offset")
    return StoryArticle(
        id=article_id,
        story=story,
        source=str(item["source"]),
        kind=kind,
        url=str(item["url"]),
        canonical_url=_optional_str(item.get("canonical_url")),
        published=published,
        title=str(item["title"]),
        text=str(item["text"]),
        shares=_optional_str(item.get("shares")),
    )


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
