"""Drop lines that are page furniture (share bars, related-link blocks) from extracted text.

trafilatura removes most boilerplate; what slips through is short, formulaic lines such as
"Share:", "More for You" or "Top Followed181". A line is dropped when it *is* such a phrase
(optionally followed by counters or punctuation), or when it starts with a label such as
"Share:" and stays short. After a heading that opens a related-links block ("More for You"),
the short lines that follow (headlines, teasers) are dropped until a full paragraph appears:
a long line, or a sentence of some length (a paragraph of the article resuming after a "Don't
miss" box placed inside it). A line that is only a machine timestamp is dropped too.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# Whole lines that are never article text.
BUILTIN_PHRASES: tuple[str, ...] = (
    "Share",
    "Share:",
    "Share this",
    "Share this article",
    "Share this story",
    "Share on Facebook",
    "Share on Twitter",
    "Share on X",
    "Share via Email",
    "Copy link",
    "Tweet",
    "Email",
    "Print",
    "Save",
    "Comments",
    "Tags",
    "Tell us what you think",
    "Leave a comment",
    "Show comments",
    "Advertisement",
    "Sponsored",
    "Sponsored content",
    "Skip to content",
    "Skip to main content",
    "Skip advertisement",
    "Follow us",
    "Listen to this article",
    "Sign up",
    "Subscribe",
    "Subscribe now",
    "Sign up for our newsletter",
    "We use cookies",
    "Accept cookies",
    "Accept all",
    "Manage preferences",
    "All rights reserved",
    "Back to top",
    "Read more",
    "Read More",
    "Continue reading",
)
# Headings that open a block of related links; the short lines after them go too.
BUILTIN_BLOCK_HEADINGS: tuple[str, ...] = (
    "More for You",
    "Top Followed",
    "Most Read",
    "Most Popular",
    "Most Viewed",
    "Related",
    "Related Articles",
    "Related Stories",
    "Related Content",
    "Recommended",
    "Recommended for you",
    "You may also like",
    "You might also like",
    "Trending",
    "Trending Now",
    "Read next",
    "More from",
    "More stories",
    "Latest News",
    "Editor's Picks",
    "Don't miss",
)
# Labels: a line starting with one of these and staying short is furniture.
BUILTIN_LABELS: tuple[str, ...] = (
    "Share:",
    "Author:",
    "Published:",
    "Updated:",
    "Last updated:",
    "Posted:",
    "Read more:",
    "Related:",
    "Tags:",
    "Topics:",
    "See also:",
    "Photo:",
    "Image:",
    "Image source:",
    "Follow us:",
    "Sign up for",
)

_MAX_LABEL_LINE_WORDS = 12
_MAX_BLOCK_LINE_WORDS = 25
# inside a block, a sentence this long is the article again, not a teaser
_MIN_BLOCK_SENTENCE_WORDS = 10
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ")")
# "2019-11-19T08:57:40+01:00": leaked page metadata, never prose
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?$")


# every character with a nonzero canonical combining class, i.e. what unicodedata.combining()
# reports as a combining mark (accents, but also e.g. Hebrew points or the kana voicing marks);
# all of them lie in planes 0 and 1 (read from this Python's Unicode database at import, ~10 ms)
_BMP_END = 0x10000
_PLANE_1_END = 0x20000


def _combining_marks(first: int, end: int) -> re.Pattern[str]:
    codes = range(first, end)
    ranges: list[list[int]] = []
    for code in itertools.compress(codes, map(unicodedata.combining, map(chr, codes))):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    members = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(f"[{members}]" if members else "(?!)")


# two patterns: `re` tests a class's characters above U+FFFF range by range, which made one
# pattern for both planes 20x slower on every character of the text
_COMBINING_BMP = _combining_marks(0, _BMP_END)
_COMBINING_ASTRAL = _combining_marks(_BMP_END, _PLANE_1_END)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def normalise_line(text: str) -> str:
    """Case-folded, accent-free, single-spaced form used to compare lines."""
    return " ".join(fold(text).split())


def fold(text: str) -> str:
    """Case-folded and accent-free (spacing kept)."""
    folded = text.casefold().replace("\u2019", "'")  # typographic apostrophe
    if not folded.isascii():
        # C-speed passes: decompose, then drop the combining marks
        folded = _COMBINING_BMP.sub("", unicodedata.normalize("NFKD", folded))
        if _ASTRAL.search(folded):
            folded = _COMBINING_ASTRAL.sub("", folded)
    return folded


def _starts_with_any(prefixes: Iterable[str], tail: str = "") -> re.Pattern[str]:
    """One pattern for "starts with one of `prefixes`, then `tail`" (never matches if none)."""
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(f"(?:{alternatives}){tail}" if alternatives else "(?!)")


# a phrase, then only counters or punctuation: "Top Followed181", "Comments (12)", "Share: "
_PHRASE_TAIL = r"[\W\d_]*\Z"


@dataclass(frozen=True, slots=True)
class LineFilter:
    """Built-in furniture plus a user's `drop_lines` (phrases, or labels ending in ':')."""

    phrases: frozenset[str]
    block_headings: frozenset[str]
    labels: tuple[str, ...]
    # the three sets above as compiled patterns (one C-speed match per line, not a loop)
    _phrase: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _heading: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _label: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setter = object.__setattr__  # frozen
        setter(self, "_phrase", _starts_with_any(self.phrases | self.block_headings, _PHRASE_TAIL))
        setter(self, "_heading", _starts_with_any(self.block_headings, _PHRASE_TAIL))
        setter(self, "_label", _starts_with_any(self.labels))

    @classmethod
    def build(cls, extra_lines: Sequence[str] = ()) -> LineFilter:
        return _build(tuple(extra_lines))

    def is_furniture(self, line: str) -> bool:
        """True for a line that is a share bar, label, counter or block heading."""
        return self._is_furniture(normalise_line(line))

    def is_block_heading(self, line: str) -> bool:
        return self._heading.match(normalise_line(line)) is not None

    def _is_furniture(self, norm: str) -> bool:
        if not norm or _TIMESTAMP.match(norm) or self._phrase.match(norm):
            return True
        return self._label.match(norm) is not None and len(norm.split()) <= _MAX_LABEL_LINE_WORDS

    def clean(self, lines: Iterable[str]) -> list[str]:
        """The lines that are article text, in order."""
        kept: list[str] = []
        in_block = False
        for raw in lines:
            line = raw.strip()
            norm = normalise_line(line)
            if self._heading.match(norm):
                in_block = True
                continue
            if self._is_furniture(norm):
                continue
            if in_block:
                # linked headlines and one-line teasers; a full paragraph ends the block
                words = len(line.split())
                if words <= _MAX_BLOCK_LINE_WORDS and not (
                    words >= _MIN_BLOCK_SENTENCE_WORDS and line.endswith(_SENTENCE_ENDS)
                ):
                    continue
                in_block = False
            kept.append(line)
        return kept


@functools.lru_cache(maxsize=64)
def _build(extra_lines: tuple[str, ...]) -> LineFilter:
    """LineFilter.build, once per set of drop_lines (every page of a crawl asks for the same)."""
    phrases = {normalise_line(p).rstrip(":") for p in BUILTIN_PHRASES}
    labels = [normalise_line(label) for label in BUILTIN_LABELS]
    for line in extra_lines:
        norm = normalise_line(line)
        if norm.endswith(":"):
            labels.append(norm)
        phrases.add(norm.rstrip(":"))
    headings = frozenset(normalise_line(h) for h in BUILTIN_BLOCK_HEADINGS)
    return LineFilter(frozenset(phrases), headings, tuple(dict.fromkeys(labels)))
