"""Case and accent folding: the form in which presswatch compares words, lines and labels."""

from __future__ import annotations

import itertools
import re
import unicodedata

from presswatch.words import words

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


def word_string(text: str) -> str:
    """The words of `text` (presswatch.words), one space apart: for finding a text inside
    another when the two may space and punctuate the same words differently."""
    return " ".join(words(text))
