"""Drop lines that are page furniture (share bars, labels, counters) from extracted text.

blocks.py removes whole blocks from the page before trafilatura reads it; what still slips
through is short, formulaic lines such as "Share:", "More for You" or "Top Followed181". A line
is dropped when it *is* such a phrase (optionally followed by counters or punctuation), when it
starts with a label such as "Share:" and stays short, when it only counts something ("4 min
read", "12 comments"), or when it is a short prompt ("Sign up for our newsletter"). After a
related-content heading ("More for You"), the short lines that follow (headlines, teasers) are
dropped until a full paragraph appears: a long line, or a sentence of some length (a paragraph
of the article resuming after a "Don't miss" box placed inside it). A line that is only a
machine timestamp is dropped too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from presswatch.extractors.folding import normalise_line
from presswatch.extractors.furniture import (
    Labels,
    Removal,
    is_counter,
    related_labels,
    texts_holding,
)
from presswatch.extractors.prompts import PROMPT_WORDS, speaks_as_prompt

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
    "Listen now",
    "Watch now",
    "Play video",
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
    "Order Reprints",
    "Reprints",
    "Print Article",
    "Print this article",
    "Read more",
    "Read More",
    "Continue reading",
    "Summary",
    "Article content",
)
# Labels: a line starting with one of these and staying short is furniture.
BUILTIN_LABELS: tuple[str, ...] = (
    "Share:",
    "Author:",
    "Published:",
    "Updated:",
    "Last updated:",
    "Updated at",
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
    "©",
    "Copyright",
    "Our Standards:",
    "View original content",
    # Chinese: the original headline, the source, the editor in charge
    "原标题:",
    "来源:",
    "责任编辑:",
    "【责任编辑:",
    "编辑:",
)

_MAX_LABEL_LINE_WORDS = 12
_MAX_BLOCK_LINE_WORDS = 25
_MAX_PROMPT_LINE_WORDS = 40
# inside a block, a sentence this long is the article again, not a teaser
_MIN_BLOCK_SENTENCE_WORDS = 10
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "’", "»", ")")
# "2019-11-19T08:57:40+01:00": leaked page metadata, never prose
# a line that is nothing but the address of an image: a leaked attribute, never a sentence
_URL_LINE = re.compile(r"^(https?:)?//\S+\.(jpe?g|png|gif|webp|svg|avif)(\?\S*)?$")
# credits: "(Reporting by A; Editing by B)", "Editing by B", "— B contributed to this
# report.", and the initials or agency that sign off a local report: "(mk)", "(dpa/lnw)". A
# sentence of the article that starts "Written by a committee of five, ..." is none of these:
# a credit is in brackets, names several roles, ends the line, or is a few words long
_ROLE = (
    r"((additional |further )?reporting|writing|written|editing|edited|compiled|translated"
    r"|research|graphics) by\b"
)
_CREDIT = re.compile(
    rf"^[(\[]{_ROLE}.*[)\]]\.?$"
    rf"|^{_ROLE}[^;]*;.*\b{_ROLE}"
    r"|\bcontributed (reporting|to this (report|story|article))( (from|in) [^.]{1,40})?\.?$"
    r"|^\([^\W\d_]{1,6}(/[^\W\d_]{1,6}){0,2}\)$"
    r"|^\(with (inputs from [\w ,&.-]{1,40}|[\w ]{1,20} inputs)\)$"
    # where the print edition carried it
    r"|^(published|appeared) in the print edition\b"
    r"|^a version of this (article|story) (appears|appeared) in print\b"
    # a Chinese photo caption: "图为……。本报记者 周敏摄" (图为: "the picture shows"; 摄: "photo")
    r"|^图为.{0,150}摄\)?$"
)
_SHORT_CREDIT = re.compile(rf"^{_ROLE} [^,;.]+\.?$")
_MAX_CREDIT_LINE_WORDS = 60
_MAX_SHORT_CREDIT_WORDS = 8
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?$")


def _starts_with_any(prefixes: Iterable[str], tail: str = "") -> re.Pattern[str]:
    """One pattern for "starts with one of `prefixes`, then `tail`" (never matches if none)."""
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(f"(?:{alternatives}){tail}" if alternatives else "(?!)")


# a phrase, then only counters or punctuation: "Top Followed181", "Comments (12)", "Share: "
_PHRASE_TAIL = r"[\W\d_]*\Z"


@dataclass(frozen=True, slots=True)
class LineFilter:
    """Built-in furniture plus a user's `drop_lines` (phrases, or labels ending in ':') and
    `drop_blocks` (related-content headings)."""

    phrases: frozenset[str]
    labels: tuple[str, ...]
    headings: Labels
    # the phrases and labels as compiled patterns (one C-speed match per line, not a loop)
    _phrase: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _label: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setter = object.__setattr__  # frozen
        setter(self, "_phrase", _starts_with_any(self.phrases, _PHRASE_TAIL))
        setter(self, "_label", _starts_with_any(self.labels))

    @classmethod
    def build(
        cls, extra_lines: Sequence[str] = (), extra_headings: Sequence[str] = ()
    ) -> LineFilter:
        return _build(tuple(extra_lines), tuple(extra_headings))

    def is_furniture(self, line: str) -> bool:
        """True for a line that is a share bar, label, counter, prompt or block heading."""
        return self.rule_for(line) is not None

    def is_block_heading(self, line: str) -> bool:
        return self.headings.matches(line)

    def rule_for(self, line: str, may_prompt: bool = True) -> str | None:
        """The rule that makes `line` furniture, or None for a line of the article
        (`may_prompt=False`: the line holds none of the words a prompt needs)."""
        norm = normalise_line(line)
        if not norm or _TIMESTAMP.match(norm):
            return "timestamp-line"
        if _URL_LINE.match(norm):
            return "url-line"
        if self._phrase.match(norm):
            return "furniture-line"
        if self.headings.matches(norm):
            return "related-heading"
        words = len(norm.split())
        if words <= _MAX_LABEL_LINE_WORDS and self._label.match(norm) is not None:
            return "label-line"
        if words <= _MAX_LABEL_LINE_WORDS and is_counter(norm):
            return "counter-line"
        if may_prompt and words <= _MAX_PROMPT_LINE_WORDS and speaks_as_prompt(norm):
            return "prompt-line"
        if words <= _MAX_CREDIT_LINE_WORDS and _CREDIT.search(norm):
            return "credit-line"
        if words <= _MAX_SHORT_CREDIT_WORDS and _SHORT_CREDIT.match(norm):
            return "credit-line"
        return None

    def clean(self, lines: Sequence[str], removed: list[Removal] | None = None) -> list[str]:
        """The lines that are article text, in order; each dropped line goes to `removed`."""
        kept: list[str] = []
        in_block = False
        lines = [raw.strip() for raw in lines]
        prompts = set(texts_holding(lines, PROMPT_WORDS))
        for index, line in enumerate(lines):
            rule = self.rule_for(line, index in prompts)
            if rule is None and in_block:
                # linked headlines and one-line teasers; a full paragraph ends the block
                words = len(line.split())
                if words <= _MAX_BLOCK_LINE_WORDS and not (
                    words >= _MIN_BLOCK_SENTENCE_WORDS and line.endswith(_SENTENCE_ENDS)
                ):
                    rule = "related-item-line"
                else:
                    in_block = False
            if rule is None:
                kept.append(line)
                continue
            in_block = in_block or rule == "related-heading"
            if removed is not None and line:
                removed.append(Removal(rule, line))
        return kept


@functools.lru_cache(maxsize=64)
def _build(extra_lines: tuple[str, ...], extra_headings: tuple[str, ...]) -> LineFilter:
    """LineFilter.build, once per set of drop_lines (every page of a crawl asks for the same)."""
    phrases = {normalise_line(p).rstrip(":") for p in BUILTIN_PHRASES}
    labels = [normalise_line(label) for label in BUILTIN_LABELS]
    for line in extra_lines:
        norm = normalise_line(line)
        if norm.endswith(":"):
            labels.append(norm)
        phrases.add(norm.rstrip(":"))
    return LineFilter(
        frozenset(phrases), tuple(dict.fromkeys(labels)), related_labels(extra_headings)
    )


# A press release ends with the issuer's boilerplate: "About <Company>" (its next line starts
# with the company's name), forward-looking statements, media and investor contacts, "SOURCE
# <Company>". Repeated on every release of the issuer, none of it is the news. Looked for
# after the first third of the text only: such a heading near the top is the story's own.
_ABOUT = re.compile(r"^About ((?:[A-Z0-9][\w&.,'-]*\s?){1,6})$")
_TAIL_HEADINGS = re.compile(
    r"^((cautionary (statement|note) (regarding|concerning|about) )?forward[- ]looking"
    r" statements?|safe harbou?r statement|(media|press|investor|investors|journalist)"
    r"( relations)? (contacts?|inquiries|enquiries)|contacts?|media inquiries):?$"
)


def release_tail(lines: Sequence[str]) -> int:
    """Where a press release's boilerplate begins in `lines` (len(lines) when it has none)."""
    for index in range(len(lines) // 3 + 1, len(lines)):
        line = lines[index].strip()
        about = _ABOUT.match(line)
        if about and index + 1 < len(lines):
            name = about[1].split()[0].rstrip(",.")
            if lines[index + 1].startswith(name):
                return index
        if len(line.split()) <= 8 and _TAIL_HEADINGS.match(normalise_line(line)):
            return index
    return len(lines)
