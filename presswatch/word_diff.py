"""Word diffs between two versions of a text (a story's clippings against its origin): what
was removed and added, with a few words of context around each change, bounded in size."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

MAX_WORDS = 3_000  # words of each version compared (a longer tail is left out, and said)
CONTEXT_WORDS = 8  # unchanged words kept on either side of a change
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


def word_diff(old: str, new: str) -> WordDiff:
    """The changes from `old` to `new`, word by word (whitespace is not compared)."""
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
