"""Stories: which clippings tell the same news story (issue 18), as a rule on two articles and
an in-memory clusterer that applies it in publication order.

Two articles are the same story when
- they share a canonical URL (a syndication partner names the original), or
- one's text is mostly in the other's (word 5-gram containment: a verbatim or shortened copy,
  a copy with a new first paragraph or a new headline), or
- they report the same facts in their own words: they share enough of their key terms (the
  names, places and numbers the texts carry, weighted by how rare they are among the
  articles seen), and their headlines or their wire credits do not contradict it.

The clusterer keeps the stories of the last 72 hours and looks candidates up by shared
5-grams and key terms, never by scanning every article. This module is pure (no database):
`bench/story_quality.py` measures it against the evaluation set in `tests/data/stories/`.
Not yet wired into ingest: the stored form (a story id per clipping, candidate lookup by an
index) comes next.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from presswatch.url_keys import url_key
from presswatch.words import words

WINDOW = timedelta(hours=72)
SHINGLE_WORDS = 5
COPY_CONTAINMENT = 0.3  # of the shorter text's 5-grams found in the other: a copy
SAME_FACTS = 0.45  # weighted share of key terms: the same event, in other words ...
SAME_FACTS_ALONE = 0.9  # ... with two figures in common, or this much without
_YEAR = re.compile(r"(19|20)\d\d")
_MIN_KEY_TERMS = 4

_WIRE = re.compile(
    r"\((AP|Reuters|AFP|dpa|PA|UPI|ANSA|EFE)\)|\b(Associated Press|Reuters|Agence France-Presse)\b"
)
# a capitalised word, a number: the facts a report carries
_KEY = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z'’-]{2,}\b|\b\d[\d.,]*\b", re.M)
_COMMON = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "those",
        "there",
        "their",
        "they",
        "then",
        "when",
        "where",
        "while",
        "with",
        "what",
        "which",
        "who",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mr",
        "mrs",
        "ms",
        "dr",
        "he",
        "she",
        "it",
        "we",
        "our",
        "but",
        "and",
        "for",
        "not",
        "its",
        "his",
        "her",
        "after",
        "before",
        "on",
        "in",
        "at",
        "by",
        "of",
        "to",
        "from",
        "as",
        "an",
        "a",
    ]
)


@dataclass(frozen=True, slots=True)
class StoryDoc:
    id: str
    title: str
    text: str
    published: datetime
    url: str
    canonical_url: str | None = None


@dataclass(slots=True)
class _Entry:
    doc: StoryDoc
    story: str
    shingles: frozenset[int]
    keys: frozenset[str]
    title: frozenset[str]
    wire: str | None


@dataclass(frozen=True, slots=True)
class Match:
    story: str
    reason: str  # url, copy, facts
    score: float


def shingles(text: str) -> frozenset[int]:
    """The text's word 5-grams, hashed."""
    tokens = words(text)
    grams = (" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - 4))
    return frozenset(zlib.crc32(g.encode()) for g in grams)


def key_terms(text: str) -> frozenset[str]:
    """The names and numbers of a text: capitalised words not starting a sentence, and
    numbers, case-folded; common words left out."""
    found = {m.group(0).casefold().strip("'’-") for m in _KEY.finditer(text)}
    return frozenset(t for t in found if t not in _COMMON and len(t) > 1)


def title_words(title: str) -> frozenset[str]:
    return frozenset(w for w in words(title) if w not in _COMMON and len(w) > 2)


def wire_credit(text: str) -> str | None:
    """The news agency a text credits in its first lines ("(AP) —", "Reuters"), if any."""
    found = _WIRE.search(text[:400])
    if found is None:
        return None
    name = found.group(1) or found.group(2)
    return {"Associated Press": "AP", "Agence France-Presse": "AFP"}.get(name, name)


@dataclass(slots=True)
class StoryClusterer:
    """Assigns each article, in publication order, to a story of the last WINDOW."""

    entries: list[_Entry] = field(default_factory=list)
    by_shingle: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_url: dict[str, int] = field(default_factory=dict)
    key_df: Counter[str] = field(default_factory=Counter)
    stories: int = 0

    def add(self, doc: StoryDoc) -> Match:
        """Join the story `doc` belongs to, or start one; says which and why."""
        entry = _Entry(
            doc,
            "",
            shingles(doc.text),
            key_terms(f"{doc.title}. {doc.text}"),
            title_words(doc.title),
            wire_credit(doc.text),
        )
        self.key_df.update(entry.keys)
        match = self._best(entry)
        if match is None:
            self.stories += 1
            match = Match(f"story-{self.stories}", "new", 0.0)
        entry.story = match.story
        index = len(self.entries)
        self.entries.append(entry)
        for gram in entry.shingles:
            self.by_shingle[gram].append(index)
        for key in entry.keys:
            self.by_key[key].append(index)
        for url in (doc.url, doc.canonical_url):
            if url:
                self.by_url.setdefault(url_key(url), index)
        return match

    def _candidates(self, entry: _Entry) -> Iterable[int]:
        seen: Counter[int] = Counter()
        for gram in entry.shingles:
            seen.update(self.by_shingle.get(gram, ()))
        for key in entry.keys:
            if self.key_df[key] <= 50:  # a term most articles carry finds nothing
                seen.update(self.by_key.get(key, ()))
        return [i for i, _ in seen.most_common(200)]

    def _best(self, entry: _Entry) -> Match | None:
        doc = entry.doc
        if doc.canonical_url:
            found = self.by_url.get(url_key(doc.canonical_url))
            if found is not None and self._in_window(found, doc):
                return Match(self.entries[found].story, "url", 1.0)
        best: Match | None = None
        for index in self._candidates(entry):
            if not self._in_window(index, doc):
                continue
            other = self.entries[index]
            score, reason = self._score(entry, other)
            if reason and (best is None or score > best.score):
                best = Match(other.story, reason, score)
        return best

    def _in_window(self, index: int, doc: StoryDoc) -> bool:
        return abs(doc.published - self.entries[index].doc.published) <= WINDOW

    def _score(self, a: _Entry, b: _Entry) -> tuple[float, str]:
        shorter = min(len(a.shingles), len(b.shingles))
        if shorter:
            containment = len(a.shingles & b.shingles) / shorter
            if containment >= COPY_CONTAINMENT:
                return 1.0 + containment, "copy"
        if a.wire and b.wire and a.wire != b.wire:
            return 0.0, ""
        if len(a.keys) < _MIN_KEY_TERMS or len(b.keys) < _MIN_KEY_TERMS:
            return 0.0, ""
        total = len(self.entries) + 1
        weight = {k: math.log(total / self.key_df[k]) + 0.1 for k in a.keys | b.keys}
        shared_keys = a.keys & b.keys
        shared = sum(weight[k] for k in shared_keys)
        smaller = min(sum(weight[k] for k in a.keys), sum(weight[k] for k in b.keys))
        facts = shared / smaller if smaller else 0.0
        # the same event carries the same figures; a follow-up about the same people does not
        figures = sum(1 for k in shared_keys if k[0].isdigit() and not _YEAR.fullmatch(k))
        if facts < SAME_FACTS or (figures < 2 and facts < SAME_FACTS_ALONE):
            return 0.0, ""
        titles = len(a.title & b.title) / max(1, min(len(a.title), len(b.title)))
        return facts + 0.2 * titles, "facts"
