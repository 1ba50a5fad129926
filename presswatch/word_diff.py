"""Word diffs of two versions of a text, bounded in size, each change with a few words of
context: as people read one in an alert (`[-removed words-]` and `{+added words+}`, one change
a line: a clipping's revision), and as pieces a page shows (a story's clipping against its
origin, with the share of its words that are the origin's)."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# --- as pieces: a story's versions ---------------------------------------------------------

MAX_WORDS = 3_000  # words of each version compared (a longer tail is left out, and said)
MAX_CHANGES = 20  # changes shown; the rest are counted
MAX_CHANGE_WORDS = 40  # words of one removed or added stretch shown (its start and its end)

PieceKind = Literal["same", "removed", "added", "gap"]


@dataclass(frozen=True, slots=True)
class DiffPiece:
    kind: PieceKind  # "gap": unchanged words left out
    text: str


@dataclass(frozen=True, slots=True)
class WordDiff:
    pieces: tuple[DiffPiece, ...]
    changes: int  # changes in all (at most MAX_CHANGES of them are in `pieces`)
    kept_share: float  # share of the new version's words that are the old one's, in order
    is_truncated: bool  # a version was longer than MAX_WORDS: its tail was not compared

    @property
    def is_same(self) -> bool:
        return self.changes == 0

    @property
    def hidden_changes(self) -> int:
        return max(self.changes - MAX_CHANGES, 0)


def version_diff(old: str, new: str) -> WordDiff:
    """The changes from `old` to `new`, word by word (whitespace is not compared), as pieces
    to show (a story's version against its origin)."""
    old_words, new_words = old.split(), new.split()
    is_truncated = max(len(old_words), len(new_words)) > MAX_WORDS
    old_words, new_words = old_words[:MAX_WORDS], new_words[:MAX_WORDS]
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    opcodes = matcher.get_opcodes()
    kept = sum(j2 - j1 for tag, _, _, j1, j2 in opcodes if tag == "equal")
    changes = sum(1 for tag, *_ in opcodes if tag != "equal")
    pieces: list[DiffPiece] = []
    shown = 0
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old_words[i1:i2]
            head = CONTEXT_WORDS if number > 0 else 0
            tail = CONTEXT_WORDS if number < len(opcodes) - 1 and shown < MAX_CHANGES else 0
            if len(same) > head + tail:
                pieces += _same(same[:head])
                pieces.append(DiffPiece("gap", "…"))
                pieces += _same(same[len(same) - tail :] if tail else [])
            else:
                pieces += _same(same)
            continue
        if shown == MAX_CHANGES:
            break
        shown += 1
        pieces += _changed("removed", old_words[i1:i2])
        pieces += _changed("added", new_words[j1:j2])
    return WordDiff(tuple(pieces), changes, kept / max(len(new_words), 1), is_truncated)


def _changed(kind: PieceKind, words: list[str]) -> list[DiffPiece]:
    """A removed or added stretch; a long one as its start, the words left out, its end."""
    if len(words) <= MAX_CHANGE_WORDS:
        return [DiffPiece(kind, " ".join(words))] if words else []
    head, tail = MAX_CHANGE_WORDS * 3 // 4, MAX_CHANGE_WORDS // 4
    left_out = len(words) - head - tail
    return [
        DiffPiece(kind, " ".join(words[:head])),
        DiffPiece("gap", f"… {left_out} more words …"),
        DiffPiece(kind, " ".join(words[-tail:])),
    ]


def _same(words: list[str]) -> list[DiffPiece]:
    return [DiffPiece("same", " ".join(words))] if words else []
