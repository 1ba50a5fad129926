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

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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
_COUNTER_TAIL = re.compile(r"^[\W\d_]*$")  # "181", " (12)", ":" ...


def normalise_line(text: str) -> str:
    """Case-folded, accent-free, single-spaced form used to compare lines."""
    folded = text.casefold().replace("\u2019", "'")  # typographic apostrophe
    if not folded.isascii():
        folded = "".join(
            ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
        )
    return " ".join(folded.split())


@dataclass(frozen=True, slots=True)
class LineFilter:
    """Built-in furniture plus a user's `drop_lines` (phrases, or labels ending in ':')."""

    phrases: frozenset[str]
    block_headings: frozenset[str]
    labels: tuple[str, ...]

    @classmethod
    def build(cls, extra_lines: Sequence[str] = ()) -> LineFilter:
        phrases = {normalise_line(p).rstrip(":") for p in BUILTIN_PHRASES}
        labels = [normalise_line(label) for label in BUILTIN_LABELS]
        for line in extra_lines:
            norm = normalise_line(line)
            if norm.endswith(":"):
                labels.append(norm)
            phrases.add(norm.rstrip(":"))
        headings = frozenset(normalise_line(h) for h in BUILTIN_BLOCK_HEADINGS)
        return cls(frozenset(phrases), headings, tuple(dict.fromkeys(labels)))

    def is_furniture(self, line: str) -> bool:
        """True for a line that is a share bar, label, counter or block heading."""
        norm = normalise_line(line)
        if not norm or _TIMESTAMP.match(norm):
            return True
        if self._is_phrase(norm, self.phrases) or self._is_phrase(norm, self.block_headings):
            return True
        words = len(norm.split())
        return words <= _MAX_LABEL_LINE_WORDS and any(norm.startswith(lb) for lb in self.labels)

    def is_block_heading(self, line: str) -> bool:
        return self._is_phrase(normalise_line(line), self.block_headings)

    @staticmethod
    def _is_phrase(norm: str, phrases: frozenset[str]) -> bool:
        if norm in phrases or norm.rstrip(":.!") in phrases:
            return True
        # "Top Followed181", "Comments (12)", "Share: " — a phrase then only counters
        for phrase in phrases:
            if norm.startswith(phrase) and _COUNTER_TAIL.match(norm[len(phrase) :]):
                return True
        return False

    def clean(self, lines: Iterable[str]) -> list[str]:
        """The lines that are article text, in order."""
        kept: list[str] = []
        in_block = False
        for raw in lines:
            line = raw.strip()
            if self.is_block_heading(line):
                in_block = True
                continue
            if self.is_furniture(line):
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
