"""Stories: which clippings tell the same news story (issue 18), as a rule on two articles and
an in-memory clusterer that applies it in publication order.

Two articles are the same story when
- they share a canonical URL (a syndication partner names the original), or
- one's text is mostly in the other's (word 5-gram containment: a verbatim or shortened copy,
  a copy with a new first paragraph or a new headline), or
- they report the same facts in their own words: they share enough of their key terms (the
  names, places and numbers the texts carry, weighted by how rare they are among the
  articles seen), and their headlines or their wire credits do not contradict it.

An article is compared only with the candidates that share index keys with it (a sample of
its 5-grams, and its rarer key terms) and were published within 72 hours of it, never by
scanning every article. The rule and the features are here, pure; the in-memory clusterer
below is what `bench/story_quality.py` measures against the evaluation set in
`tests/data/stories/`, and ingest applies the same rule to the candidates the database's
story index gives (presswatch/storage/stories.py), with the same sampling and limits.
"""

from __future__ import annotations

import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TypeVar

from presswatch.url_keys import url_key
from presswatch.words import words

_S = TypeVar("_S")

WINDOW = timedelta(hours=72)
SHINGLE_WORDS = 5
COPY_CONTAINMENT = 0.3  # of the shorter text's 5-grams found in the other: a copy
SAME_FACTS = 0.45  # weighted share of key terms: the same event, in other words ...
SAME_FACTS_ALONE = 0.9  # ... with two figures in common, or this much without
_YEAR = re.compile(r"(19|20)\d\d")
_MIN_KEY_TERMS = 4
# below this many articles seen, how rare a term is cannot be told yet: terms weigh about
# the same (otherwise the first story's own terms would count for little, being in most)
_MIN_TOTAL = 1000
# A text keeps one 5-gram in `rate` (those whose hash is a multiple of it: every copy keeps
# the same ones), the rate a power of 2 up to SAMPLE chosen so that it keeps about
# MIN_SAMPLE of them: two texts are compared at the coarser of their rates (the finer sample
# holds the coarser), and a short text is not judged on a handful of 5-grams. The index is
# keyed by the SAMPLE-rate 5-grams, which every text has.
SAMPLE = 8
MIN_SAMPLE = 64
MIN_SHARED = 3  # a copy shares at least this many sampled 5-grams
INDEX_GRAMS = 64  # the SAMPLE-rate 5-grams with the lowest hashes are the index's keys
# what a story is told by: its first 10,000 characters (about 1,600 words) are enough to
# know a copy or the facts, and a long read costs no more than that
STORY_CHARS = 10_000
LOOKUP_MAX_DF = 200  # a key term more articles carry finds no candidates (it still weighs)
CANDIDATES = 15  # compared with: those sharing the most index keys
_TERM_KEY = 1 << 32  # key terms' index keys, apart from the 5-grams' (crc32 < 2**32)

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


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """What the same-story rule compares of an article."""

    sample: frozenset[int]  # a sample of its word 5-grams, hashed (one in `rate`)
    terms: frozenset[str]  # its names and numbers
    title: frozenset[str]  # its headline's words
    wire: str | None  # the agency it credits
    rate: int = SAMPLE
    # its key terms' weight in all, as their rarity was when it was stored (see `weighed`):
    # what it is compared by later, without asking again how rare each of its terms is
    weight: float = 0.0

    @classmethod
    def of(cls, title: str, text: str) -> StoryFeatures:
        text = text[:STORY_CHARS]
        rate, sample = sample_shingles(text)
        return cls(
            sample, key_terms(f"{title}. {text}"), title_words(title), wire_credit(text), rate
        )

    def sample_at(self, rate: int) -> frozenset[int]:
        """Its sample thinned to one 5-gram in `rate` (a coarser rate than its own)."""
        if rate <= self.rate:
            return self.sample
        return frozenset(h for h in self.sample if h % rate == 0)

    def encoded(self) -> tuple[str, str, str, str | None, float]:
        """As stored: (sample, terms, title, wire, weight), the sets as space-separated text."""
        return (
            " ".join([f"r{self.rate}", *map(str, sorted(self.sample))]),
            " ".join(sorted(self.terms)),
            " ".join(sorted(self.title)),
            self.wire,
            self.weight,
        )

    @classmethod
    def decoded(
        cls, sample: str, terms: str, title: str, wire: str | None, weight: float = 0.0
    ) -> StoryFeatures:
        rate, *hashes = sample.split()
        return cls(
            frozenset(int(h) for h in hashes),
            frozenset(terms.split()),
            frozenset(title.split()),
            wire,
            int(rate.removeprefix("r")),
            weight,
        )


@dataclass(frozen=True, slots=True)
class Match:
    story: str
    reason: str  # url, copy, facts, new
    score: float


def sample_shingles(text: str) -> tuple[int, frozenset[int]]:
    """The rate the text's word 5-grams are sampled at, and the sample, hashed."""
    tokens = words(text)
    grams = {" ".join(tokens[i : i + SHINGLE_WORDS]) for i in range(len(tokens) - 4)}
    rate = 1
    while rate < SAMPLE and len(grams) >= MIN_SAMPLE * rate * 2:
        rate *= 2
    hashes = (zlib.crc32(g.encode()) for g in grams)
    return rate, frozenset(h for h in hashes if h % rate == 0)


def term_key(term: str) -> int:
    return _TERM_KEY | zlib.crc32(term.encode())


def index_keys(features: StoryFeatures) -> list[int]:
    """The keys an article is found by: some of its 5-grams (the same ones in every copy,
    and in a shortened copy those it kept), and its key terms."""
    return sorted(_index_grams(features) | {term_key(t) for t in features.terms})


def lookup_keys(features: StoryFeatures, df: Mapping[str, int]) -> list[int]:
    """The keys its candidates are looked up by: its 5-grams, and its key terms that at most
    LOOKUP_MAX_DF articles carry."""
    terms = {term_key(t) for t in features.terms if df.get(t, 0) <= LOOKUP_MAX_DF}
    return sorted(_index_grams(features) | terms)


def _index_grams(features: StoryFeatures) -> set[int]:
    return set(sorted(features.sample_at(SAMPLE))[:INDEX_GRAMS])


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


def term_weight(carried_by: int, total: int) -> float:
    """How much a key term that `carried_by` of `total` articles carry counts (rarer: more)."""
    return math.log(max(total, _MIN_TOTAL) / max(1, carried_by)) + 0.1


def weighed(features: StoryFeatures, df: Mapping[str, int], total: int) -> StoryFeatures:
    """`features` with the weight of its key terms as rare as `df` says they are now."""
    weight = sum(term_weight(df.get(t, 1), total) for t in features.terms)
    return replace(features, weight=weight)


def same_story(
    a: StoryFeatures, b: StoryFeatures, df: Mapping[str, int], total: int
) -> tuple[float, str]:
    """How surely `a` and `b` tell one story, and why ("copy", "facts"); (0, "") when they
    do not. `df` is how many of the `total` articles seen carry each key term (both
    articles counted; `a`'s terms at least). `b`'s terms weigh in all as `b.weight` says when
    it has one (it was weighed when stored), else as `df` says."""
    rate = max(a.rate, b.rate)
    a_sample, b_sample = a.sample_at(rate), b.sample_at(rate)
    shorter = min(len(a_sample), len(b_sample))
    if shorter:
        shared_grams = len(a_sample & b_sample)
        containment = shared_grams / shorter
        if containment >= COPY_CONTAINMENT and shared_grams >= min(MIN_SHARED, shorter):
            return 1.0 + containment, "copy"
    if a.wire and b.wire and a.wire != b.wire:
        return 0.0, ""
    if len(a.terms) < _MIN_KEY_TERMS or len(b.terms) < _MIN_KEY_TERMS:
        return 0.0, ""
    weight = {k: term_weight(df.get(k, 1), total) for k in a.terms}
    shared_terms = a.terms & b.terms
    shared = sum(weight[k] for k in shared_terms)
    b_weight = b.weight or sum(term_weight(df.get(k, 1), total) for k in b.terms)
    smaller = min(sum(weight.values()), b_weight)
    facts = shared / smaller if smaller else 0.0
    # the same event carries the same figures; a follow-up about the same people does not
    figures = sum(1 for k in shared_terms if k[0].isdigit() and not _YEAR.fullmatch(k))
    if facts < SAME_FACTS or (figures < 2 and facts < SAME_FACTS_ALONE):
        return 0.0, ""
    titles = len(a.title & b.title) / max(1, min(len(a.title), len(b.title)))
    return facts + 0.2 * titles, "facts"


def best_match(
    features: StoryFeatures,
    candidates: Iterable[tuple[_S, StoryFeatures]],
    df: Mapping[str, int],
    total: int,
) -> tuple[_S, float, str] | None:
    """The (story, score, reason) of the candidate most surely telling the same story."""
    best: tuple[_S, float, str] | None = None
    for story, other in candidates:
        score, reason = same_story(features, other, df, total)
        if reason and (best is None or score > best[1]):
            best = (story, score, reason)
    return best


@dataclass(slots=True)
class _Entry:
    doc: StoryDoc
    story: str
    features: StoryFeatures


@dataclass(slots=True)
class StoryClusterer:
    """Assigns each article, in publication order, to a story of the last WINDOW: the rule
    over an index in memory, with the stored index's sampling and limits."""

    entries: list[_Entry] = field(default_factory=list)
    by_key: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_url: dict[str, int] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    stories: int = 0

    def add(self, doc: StoryDoc) -> Match:
        """Join the story `doc` belongs to, or start one; says which and why."""
        features = StoryFeatures.of(doc.title, doc.text)
        self.df.update(features.terms)
        features = weighed(features, self.df, len(self.entries) + 1)
        match = self._best(doc, features)
        if match is None:
            self.stories += 1
            match = Match(f"story-{self.stories}", "new", 0.0)
        index = len(self.entries)
        self.entries.append(_Entry(doc, match.story, features))
        for key in index_keys(features):
            self.by_key[key].append(index)
        for url in (doc.url, doc.canonical_url):
            if url:
                self.by_url.setdefault(url_key(url), index)
        return match

    def _best(self, doc: StoryDoc, features: StoryFeatures) -> Match | None:
        if doc.canonical_url:
            found = self.by_url.get(url_key(doc.canonical_url))
            if found is not None and self._in_window(found, doc):
                return Match(self.entries[found].story, "url", 1.0)
        seen: Counter[int] = Counter()
        for key in lookup_keys(features, self.df):
            seen.update(i for i in self.by_key.get(key, ()) if self._in_window(i, doc))
        candidates = [self.entries[i] for i, _ in seen.most_common(CANDIDATES)]
        found_match = best_match(
            features, ((e.story, e.features) for e in candidates), self.df, len(self.entries) + 1
        )
        if found_match is None:
            return None
        story, score, reason = found_match
        return Match(story, reason, score)

    def _in_window(self, index: int, doc: StoryDoc) -> bool:
        return abs(doc.published - self.entries[index].doc.published) <= WINDOW
