"""A word diff of two texts as people read one in an alert: each change with a few words of
context, `[-removed words-]` and `{+added words+}`, one change a line, bounded in size."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal

CONTEXT_WORDS = 8  # kept on each side of a change
MAX_CHANGED_WORDS = 60  # of one removed or added run; the rest is elided
MAX_CHARS = 4000  # of the whole diff; the changes past it are counted, not shown
_ELIDED = "…"
_CHANGE = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.S)
Segment = tuple[Literal["same", "removed", "added"], str]


def word_diff(
    old: str,
    new: str,
    context_words: int = CONTEXT_WORDS,
    max_chars: int = MAX_CHARS,
) -> str:
    """The changes from `old` to `new`, word by word (whitespace and paragraph breaks do not
    count), one hunk a line: `… the council voted [-12-] {+14+} to 3 on …`. Empty when the
    words are the same."""
    before, after = old.split(), new.split()
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    hunks = [_hunk(group, before, after) for group in matcher.get_grouped_opcodes(context_words)]
    lines: list[str] = []
    used = 0
    for shown, hunk in enumerate(hunks):
        if lines and used + len(hunk) + 1 > max_chars:
            rest = len(hunks) - shown
            lines.append(f"({rest} more change{'s' if rest > 1 else ''} not shown)")
            break
        lines.append(hunk[:max_chars])
        used += len(hunk) + 1
    return "\n".join(lines)


def _hunk(group: list[tuple[str, int, int, int, int]], before: list[str], after: list[str]) -> str:
    parts: list[str] = []
    first, last = group[0], group[-1]
    if first[1] > 0 or first[3] > 0:  # the text goes on before this change
        parts.append(_ELIDED)
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            parts.append(" ".join(before[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            parts.append(f"[-{_bounded(before[i1:i2])}-]")
        if tag in ("insert", "replace"):
            parts.append(f"{{+{_bounded(after[j1:j2])}+}}")
    if last[2] < len(before) or last[4] < len(after):
        parts.append(_ELIDED)
    return " ".join(part for part in parts if part)


def _bounded(words: list[str]) -> str:
    if len(words) <= MAX_CHANGED_WORDS:
        return " ".join(words)
    half = MAX_CHANGED_WORDS // 2
    hidden = len(words) - 2 * half
    head, tail = " ".join(words[:half]), " ".join(words[-half:])
    return f"{head} {_ELIDED} ({hidden} words) {_ELIDED} {tail}"


def diff_segments(line: str) -> list[Segment]:
    """One line of a word diff as its pieces, for showing removed and added words in colour."""
    segments: list[Segment] = []
    last = 0
    for found in _CHANGE.finditer(line):
        if found.start() > last:
            segments.append(("same", line[last : found.start()]))
        removed, added = found.groups()
        segments.append(("removed", removed) if removed is not None else ("added", added))
        last = found.end()
    if last < len(line):
        segments.append(("same", line[last:]))
    return segments
