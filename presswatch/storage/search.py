"""Full-text search over clippings on each backend: FTS5 on SQLite, tsvector on PostgreSQL.

One search syntax (every word must occur, "a phrase", prefix*) becomes an FTS5 query or a
tsquery, always passed as the bound parameter `q`; hits are marked with HIT_START and HIT_END
on both backends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, bindparam, column, func, literal, literal_column, table
from sqlalchemy.types import String

from presswatch.storage.models import Clipping

# search snippets mark hits with control characters that never occur in extracted text
HIT_START, HIT_END = "\x02", "\x03"

_TERM = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must occur together: one word, the parts of a hyphenated word, a phrase."""

    words: tuple[str, ...]
    is_phrase: bool = False
    is_prefix: bool = False  # the last word is a prefix


def search_terms(query: str) -> list[Term]:
    """The terms of a search; punctuation separates words, and is otherwise dropped."""
    terms: list[Term] = []
    for phrase, word in _TERM.findall(query):
        if phrase:
            words = tuple(_WORD.findall(phrase))
            if words:
                terms.append(Term(words, is_phrase=True))
            continue
        parts = _WORD.findall(word)
        terms.extend(Term((part,)) for part in parts[:-1])
        if parts:
            terms.append(Term((parts[-1],), is_prefix=word.endswith("*")))
    return terms


def fts5_query(query: str) -> str:
    """The search as an FTS5 query; empty when it has no words."""
    out = []
    for term in search_terms(query):
        text = '"' + " ".join(term.words) + '"'
        out.append(text + "*" if term.is_prefix else text)
    return " ".join(out)


def tsquery_text(query: str) -> str:
    """The search as `to_tsquery` input; empty when it has no words. Every word is quoted
    (a word is letters, digits and underscores: nothing to escape)."""
    out = []
    for term in search_terms(query):
        lexemes = [f"'{word}'" for word in term.words]
        if term.is_prefix:
            lexemes[-1] += ":*"
        out.append("(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0])
    return " & ".join(out)


# SQLite: the FTS5 index created by the first migration (not a model: a virtual table)
fts5_table = table("clippings_fts", column("rowid"))
fts5_match: ColumnElement[bool] = literal_column("clippings_fts").op("MATCH", is_comparison=True)(
    bindparam("q")
)


def fts5_snippet(tokens: int) -> ColumnElement[str]:
    """The text around the hits, about `tokens` words."""
    return literal_column(f"snippet(clippings_fts, 1, '{HIT_START}', '{HIT_END}', '…', {tokens})")


# BM25 (lower is better) with a hit in the title worth ten in the text, as on PostgreSQL
fts5_rank: ColumnElement[float] = literal_column("bm25(clippings_fts, 10.0, 1.0)")
fts5_title_marked: ColumnElement[str] = literal_column(
    f"highlight(clippings_fts, 0, '{HIT_START}', '{HIT_END}')"
)

# PostgreSQL: the generated column and text search configuration of migration 0005
SEARCH_CONFIG = "presswatch_search"
_config: ColumnElement[Any] = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
_vector: ColumnElement[Any] = literal_column("clippings.search_vector")
# an empty search (no words, only punctuation) is NULL: it matches nothing ('' is no tsquery)
_tsquery = func.to_tsquery(_config, func.nullif(bindparam("q"), ""))
pg_match: ColumnElement[bool] = _vector.bool_op("@@")(_tsquery)
pg_rank: ColumnElement[float] = func.ts_rank(_vector, _tsquery)


def pg_snippet(words: int) -> ColumnElement[str]:
    """The text around the hits, at most `words` words."""
    options = f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords={words}, MinWords={words // 2}"
    return func.ts_headline(_config, Clipping.text, _tsquery, literal(options, String))


pg_title_marked: ColumnElement[str] = func.ts_headline(
    _config,
    Clipping.title,
    _tsquery,
    literal(f"StartSel={HIT_START}, StopSel={HIT_END}, HighlightAll=true", String),
)
