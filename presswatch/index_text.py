"""A clipping's words as the full-text index takes them, made where the text is made.

The index holds `presswatch.words` tokens (storage.fulltext says why). Turning a text into
them is most of what indexing costs, so a crawl's extraction workers do it next to the
extraction, and storage only writes what they made. Nothing here touches a database: this
module is imported by the workers, which load no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from presswatch.query.evaluate import MAX_TEXT_CHARS
from presswatch.words import words

# PostgreSQL keeps at most this position per lexeme (larger ones are stored as this)
PG_MAX_POSITION = 16383


@dataclass(frozen=True, slots=True)
class IndexText:
    """What the index gets for one clipping: on SQLite the title's and the text's words,
    space-separated (FTS5 columns); on PostgreSQL the tsvector, in its input syntax."""

    title: str = ""
    text: str = ""
    vector: str = ""


def index_text(dialect: str, title: str, body: str) -> IndexText:
    """The index entry of a clipping with this title and text, for `dialect`'s index."""
    return index_entry(dialect, indexed_words(title), indexed_words(body))


def index_entry(dialect: str, title_words: Sequence[str], text_words: Sequence[str]) -> IndexText:
    """The index entry of a clipping whose title and text have these `indexed_words` (the
    topic matcher's document has them already)."""
    if dialect == "postgresql":
        return IndexText(vector=_tsvector(title_words, text_words))
    return IndexText(" ".join(title_words), " ".join(text_words))


def indexed_words(value: str) -> list[str]:
    """The words of a title or text as the index holds them (the matcher's words, of the same
    first MAX_TEXT_CHARS characters)."""
    return words(value[:MAX_TEXT_CHARS])


def tsvector_text(title: str, body: str) -> str:
    """A clipping's tsvector in PostgreSQL's input syntax: every word with its positions, the
    title's weighted A, the text's B; the text starts two positions after the title, so no
    phrase runs from one into the other."""
    return _tsvector(indexed_words(title), indexed_words(body))


def _tsvector(title_words: Sequence[str], text_words: Sequence[str]) -> str:
    positions: dict[str, list[str]] = {}
    for position, word in enumerate(title_words, 1):
        positions.setdefault(word, []).append(f"{min(position, PG_MAX_POSITION)}A")
    start = len(title_words) + 2
    for position, word in enumerate(text_words, start):
        positions.setdefault(word, []).append(f"{min(position, PG_MAX_POSITION)}B")
    return " ".join(f"{pg_lexeme(word)}:{','.join(spots)}" for word, spots in positions.items())


def pg_lexeme(word: str) -> str:
    """A word quoted as a tsvector or tsquery lexeme."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
