"""Word tokens shared by queries and texts: case-folded, accent-free, with their offsets.

- `Zelenskyy's` -> `zelenskyy` (a possessive 's belongs to its word; other apostrophes are
  dropped inside a word: `O'Brien` -> `obrien`)
- `co-operation` -> `co`, `operation` (a hyphen separates words; in a query the word becomes
  the phrase "co operation", so it matches "co-operation" and "co operation")
- `2.5%` -> `2.5` (a decimal number is one token; signs and symbols are not words)
- `Résumé` -> `resume`, `STRASSE`/`Straße` -> `strasse`
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’][sS]$")
_APOSTROPHE = re.compile(r"['’]")


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # normalised
    start: int  # character offsets in the original text
    end: int


def normalise_word(word: str) -> str:
    """Case-fold and strip accents (NFKD) of one word."""
    folded = word.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokenize(text: str) -> list[Token]:
    """The words of `text`, normalised, with their character offsets."""
    tokens = []
    for match in _TOKEN.finditer(text):
        word = _APOSTROPHE.sub("", _POSSESSIVE.sub("", match.group()))
        normalised = normalise_word(word)
        if normalised:
            tokens.append(Token(normalised, match.start(), match.end()))
    return tokens


def words(text: str) -> list[str]:
    """Just the normalised words."""
    return [token.text for token in tokenize(text)]
