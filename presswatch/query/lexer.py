"""Query text -> lexemes, each with its 1-based column."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from presswatch.errors import QuerySyntaxError

Kind = Literal["word", "phrase", "field", "and", "or", "not", "near", "(", ")", "end"]

_NEAR = re.compile(r"NEAR/(\d+)$")
_FIELD = re.compile(r"(title|text|source|url):", re.IGNORECASE)
_WORD_END = re.compile(r'[\s()"]')


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: Kind
    text: str
    column: int
    distance: int = 0  # for NEAR/n


def lex(query: str) -> list[Lexeme]:
    """Split a query into lexemes; QuerySyntaxError for an unterminated phrase."""
    out: list[Lexeme] = []
    i = 0
    while i < len(query):
        ch = query[i]
        column = i + 1
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(Lexeme(ch, ch, column))  # type: ignore[arg-type]
            i += 1
        elif ch == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError(len(query) + 1, "'\"' to close the phrase")
            out.append(Lexeme("phrase", query[i + 1 : end], column))
            i = end + 1
        elif field := _FIELD.match(query, i):
            out.append(Lexeme("field", field.group(1).lower(), column))
            i = field.end()
        else:
            end_match = _WORD_END.search(query, i)
            end = end_match.start() if end_match else len(query)
            out.append(_word_or_operator(query[i:end], column))
            i = end
    out.append(Lexeme("end", "", len(query) + 1))
    return out


def _word_or_operator(text: str, column: int) -> Lexeme:
    if text in {"AND", "OR", "NOT"}:
        return Lexeme(text.lower(), text, column)  # type: ignore[arg-type]
    if near := _NEAR.match(text):
        return Lexeme("near", text, column, int(near.group(1)))
    if text.startswith("NEAR/"):
        raise QuerySyntaxError(column + 5, "a distance after NEAR/ (e.g. NEAR/5)")
    return Lexeme("word", text, column)
