"""What a word is, for all of presswatch: topic matching, search (the full-text index holds
these words), snippets, fingerprints and word counts. Case-folded, accent-free, with offsets.

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


def _fold(text: str) -> tuple[str, bool]:
    """Case-fold the whole text at once when that keeps every offset (no "ß" -> "ss");
    the flag says whether words still need folding one by one."""
    folded = text.casefold()
    if len(folded) != len(text):
        return text, True
    return folded, False


def _clean(word: str, needs_folding: bool) -> str:
    if "'" in word or "’" in word:
        word = _APOSTROPHE.sub("", _POSSESSIVE.sub("", word))
    if needs_folding or not word.isascii():
        word = normalise_word(word)
    return word


def tokenize(text: str) -> list[Token]:
    """The words of `text`, normalised, with their character offsets."""
    folded, needs_folding = _fold(text)
    tokens = []
    for match in _TOKEN.finditer(folded):
        word = _clean(match.group(), needs_folding)
        if word:
            tokens.append(Token(word, match.start(), match.end()))
    return tokens


def words(text: str) -> list[str]:
    """Just the normalised words (the same sequence as `tokenize`, faster)."""
    folded, needs_folding = _fold(text)
    return [word for raw in _TOKEN.findall(folded) if (word := _clean(raw, needs_folding))]


def count_words(text: str) -> int:
    """How many words `text` has (as `words` finds them, without normalising them)."""
    return len(_TOKEN.findall(text))


_RUN = re.compile(r"\w+")


def fingerprint_words(folded: str) -> list[str]:
    """The words a fingerprint is taken over: runs of letters, digits and underscores of the
    folded text (a possessive is two words here, a decimal two). Coarser than `words`, and
    kept so on purpose: stored fingerprints must stay comparable with new ones, and taking
    them over `words` moved borderline copies across the near-duplicate threshold (a copy
    without its standfirst went from 7 differing bits to 10)."""
    return _RUN.findall(folded)


# Han and kana: Chinese and Japanese are written without spaces, so one word run can be a
# whole sentence; for a reader's count such characters count as half a word each
_CJK = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]"
)
_CJK_CHARS_PER_WORD = 2


def reading_words(text: str) -> int:
    """Words as a reader counts them: count_words, with Han and kana counted as half a word
    per character."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return count_words(text)
    return count_words(_CJK.sub(" ", text)) + cjk // _CJK_CHARS_PER_WORD
