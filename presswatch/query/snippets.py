"""Snippets: about 30 words of article text around the hits, with the hits' offsets."""

from __future__ import annotations

from collections.abc import Sequence

from presswatch.model import Snippet as Snippet  # defined with the other shared values
from presswatch.query.evaluate import Document, Hit
from presswatch.query.nodes import Field

SNIPPET_WORDS = 30
MAX_SNIPPETS = 3
_WORDS_BEFORE = 10
ELLIPSIS = "…"


def make_snippets(
    document: Document, hits: Sequence[Hit], original: dict[Field, str], limit: int = MAX_SNIPPETS
) -> list[Snippet]:
    """Up to `limit` snippets from the text (the title when no hit is in the text)."""
    for field_name in ("text", "title"):
        spans = sorted({(a, b) for name, a, b in hits if name == field_name})
        if spans:
            return _windows(document, field_name, spans, original[field_name], limit)
    return []


def _windows(
    document: Document, field_name: Field, spans: list[tuple[int, int]], text: str, limit: int
) -> list[Snippet]:
    index = document.fields[field_name]
    count = len(index.words)
    snippets: list[Snippet] = []
    covered_until = -1
    for first, _last in spans:
        if first <= covered_until:
            continue
        if len(snippets) == limit:
            break
        start = max(0, first - _WORDS_BEFORE)
        end = min(count, start + SNIPPET_WORDS) - 1
        covered_until = end
        tokens = index.tokens_through(end)
        begin_char, end_char = tokens[start].start, tokens[end].end
        lead = ELLIPSIS if start > 0 else ""
        tail = ELLIPSIS if end < count - 1 else ""
        inside = [(tokens[a].start, tokens[b].end) for a, b in spans if a >= start and b <= end]
        shift = len(lead) - begin_char
        # newlines become spaces one for one, so the offsets stay right
        body = text[begin_char:end_char].replace("\n", " ")
        snippets.append(
            Snippet(lead + body + tail, tuple((a + shift, b + shift) for a, b in inside))
        )
    return snippets
