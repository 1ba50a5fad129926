"""The values that cross layers: what extraction makes of a page (Article), and what matching
finds in it (Snippet, NewMatch). Storage keeps them without importing the code that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True, slots=True)
class Article:
    url: str
    canonical_url: str
    title: str
    author: str | None
    published: datetime | None
    language: str | None
    site_name: str | None
    description: str | None
    image: str | None
    text: str  # paragraphs separated by a blank line
    word_count: int
    fingerprint: int


@dataclass(frozen=True, slots=True)
class Snippet:
    """A piece of the title or text; `hits` are (start, end) character offsets in `text`."""

    text: str
    hits: tuple[tuple[int, int], ...]

    def marked(self, start: str, end: str) -> str:
        """The text with every hit wrapped in `start` ... `end` (e.g. "**", "**")."""
        out, last = [], 0
        for a, b in self.hits:
            out += [self.text[last:a], start, self.text[a:b], end]
            last = b
        out.append(self.text[last:])
        return "".join(out)

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "hits": [list(h) for h in self.hits]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Snippet:
        hits = data.get("hits", [])
        assert isinstance(hits, list)
        return cls(str(data["text"]), tuple((int(a), int(b)) for a, b in hits))


@dataclass(frozen=True, slots=True)
class NewMatch:
    """What is stored for a topic that matched an article."""

    topic: str
    snippets: tuple[Snippet, ...]
    notify: tuple[str, ...] = ()  # channels to alert (none for a back-filled match)
    mode: Literal["instant", "digest"] = "instant"
