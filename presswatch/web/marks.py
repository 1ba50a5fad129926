"""Scraped text as safe HTML with the hits marked: every piece of text is escaped first, and
only then are `<mark>` elements put between the pieces. Nothing scraped is ever trusted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from presswatch.config import TopicConfig
from presswatch.query.evaluate import Document, hits_in
from presswatch.query.snippets import Snippet
from presswatch.storage.search import HIT_END, HIT_START

TOPIC_COLOURS = 6  # CSS classes hit-0 .. hit-5, one per matched topic on a page
_HIT_MARKERS = re.compile(f"[{HIT_START}{HIT_END}]")

Span = tuple[int, int, int]  # start, end (character offsets), colour


def marked(text: str, spans: Sequence[Span] = ()) -> Markup:
    """`text` escaped, the spans wrapped in `<mark class="hit-N">`; overlapping spans keep the
    first."""
    out: list[str] = []
    last = 0
    for start, end, colour in sorted(spans):
        if start < last or end <= start:
            continue
        out.append(str(escape(text[last:start])))
        out.append(f'<mark class="hit-{colour % TOPIC_COLOURS}">{escape(text[start:end])}</mark>')
        last = end
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def marked_search(snippet: str) -> Markup:
    """A search index snippet (hits between HIT_START and HIT_END) as safe HTML."""
    out: list[str] = []
    for number, part in enumerate(_HIT_MARKERS.split(snippet)):
        piece = str(escape(part))
        out.append(f'<mark class="hit-0">{piece}</mark>' if number % 2 else piece)
    return Markup("".join(out))


def marked_snippet(snippet: Snippet, colour: int = 0) -> Markup:
    return marked(snippet.text, [(a, b, colour) for a, b in snippet.hits])


@dataclass(frozen=True, slots=True)
class TopicHits:
    """Where each matched topic's query hits the title and the text."""

    title: list[Span]
    text: list[Span]


def topic_hits(
    topics: Sequence[TopicConfig], matched: Sequence[str], title: str, text: str
) -> TopicHits:
    """The hits of the matched topics still configured, each topic in its own colour (the
    colour is the topic's position in `matched`)."""
    document = Document.build(title=title, text=text)
    by_name = {t.name: t for t in topics}
    found = TopicHits([], [])
    for colour, name in enumerate(matched):
        topic = by_name.get(name)
        if topic is None:
            continue
        for field, first, last in hits_in(document, topic.parsed_query()) or ():
            if field not in ("title", "text"):
                continue
            tokens = document.fields[field].tokens
            span = (tokens[first].start, tokens[last].end, colour)
            (found.title if field == "title" else found.text).append(span)
    return found


def marked_paragraphs(text: str, spans: Sequence[Span]) -> list[Markup]:
    """The text's paragraphs (separated by blank lines), each marked; a span across two
    paragraphs is cut at the break."""
    out: list[Markup] = []
    position = 0
    for block in re.split(r"(\n\s*\n)", text):
        start = position
        position += len(block)
        if not block or block.isspace():
            continue
        inside = [
            (max(a, start) - start, min(b, position) - start, colour)
            for a, b, colour in spans
            if a < position and b > start
        ]
        out.append(marked(block, inside))
    return out
