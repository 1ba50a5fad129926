"""`presswatch topics test`: one query against one text, with the snippets it would record."""

from __future__ import annotations

from dataclasses import dataclass

from presswatch.model import Snippet
from presswatch.query import parse_query
from presswatch.query.evaluate import Document, hits_in
from presswatch.query.snippets import make_snippets


@dataclass(frozen=True, slots=True)
class Trial:
    matched: bool
    snippets: tuple[Snippet, ...]


def try_query(query: str, *, title: str, text: str, source: str = "", url: str = "") -> Trial:
    """Match `query` against one document; QuerySyntaxError when it does not parse."""
    node = parse_query(query)
    document = Document.build(title=title, text=text, source=source, url=url)
    hits = hits_in(document, node)
    if hits is None:
        return Trial(False, ())
    snippets = make_snippets(document, hits, {"title": title, "text": text})
    return Trial(True, tuple(snippets))
