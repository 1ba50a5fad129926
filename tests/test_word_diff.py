"""Word diffs between versions of a text as a page shows them (version_diff): what changed,
with context, and bounded."""

from __future__ import annotations

import pytest

from presswatch.word_diff import (
    CONTEXT_WORDS,
    MAX_CHANGE_WORDS,
    MAX_CHANGES,
    MAX_WORDS,
    DiffPiece,
    version_diff,
)

LONG = " ".join(f"w{n}" for n in range(100))


@pytest.mark.parametrize(
    ("old", "new", "pieces"),
    [
        ("the same words", "the  same\n\nwords", [("gap", "…")]),
        ("a b c", "a x c", [("same", "a"), ("removed", "b"), ("added", "x"), ("same", "c")]),
        ("a b c", "a b c d", [("same", "a b c"), ("added", "d")]),
        ("<b>a</b> c", "c", [("removed", "<b>a</b>"), ("same", "c")]),
    ],
)
def test_changes_word_by_word(old: str, new: str, pieces: list[tuple[str, str]]) -> None:
    assert [(p.kind, p.text) for p in version_diff(old, new).pieces] == pieces


def test_unchanged_stretches_keep_a_few_words_of_context() -> None:
    new = LONG.replace("w50", "fifty")
    diff = version_diff(LONG, new)
    kinds = [p.kind for p in diff.pieces]
    assert kinds == ["gap", "same", "removed", "added", "same", "gap"]
    assert diff.pieces[1].text.split() == [f"w{n}" for n in range(50 - CONTEXT_WORDS, 50)]
    assert diff.changes == 1
    assert diff.kept_share == pytest.approx(99 / 100)
    assert not diff.is_same


def test_a_long_change_and_many_changes_are_cut_and_counted() -> None:
    added = " ".join(f"new{n}" for n in range(200))
    diff = version_diff(LONG, f"{LONG} {added}")
    shown = [p for p in diff.pieces if p.kind == "added"]
    assert sum(len(p.text.split()) for p in shown) == MAX_CHANGE_WORDS
    assert DiffPiece("gap", f"… {200 - MAX_CHANGE_WORDS} more words …") in diff.pieces

    every_other = " ".join(w if n % 2 else w.upper() for n, w in enumerate(LONG.split()))
    diff = version_diff(LONG, every_other)
    assert diff.changes == 50
    assert diff.hidden_changes == 50 - MAX_CHANGES
    assert sum(p.kind == "added" for p in diff.pieces) == MAX_CHANGES


def test_only_the_first_words_of_a_very_long_text_are_compared() -> None:
    old = " ".join(["word"] * (MAX_WORDS + 10))
    diff = version_diff(old, old + " tail")
    assert diff.is_truncated
    assert diff.is_same
