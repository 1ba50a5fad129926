"""Property tests: the indexed matcher agrees with a deliberately simple reference evaluator."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from presswatch.alerts.matching import Topic, TopicIndex
from presswatch.errors import QuerySyntaxError
from presswatch.query import parse_query, render_query
from presswatch.query.evaluate import Document, FieldIndex
from presswatch.query.nodes import DEFAULT_FIELDS, And, Near, Node, Not, Or, Part, Term
from presswatch.words import tokenize, words

VOCABULARY = [
    "war",
    "warning",
    "wars",
    "ukraine",
    "kyiv",
    "security",
    "guarantee",
    "guarantees",
    "starmer",
    "putin",
    "talks",
    "and",
    "or",
    "peace",
]
FIELD_CHOICES = [DEFAULT_FIELDS, ("title",), ("text",), ("source",), ("url",)]


# --- the reference: brute force over word lists, no index, no memo ---------------------------


def _part_ok(part: Part, word: str) -> bool:
    return word.startswith(part.word) if part.prefix else word == part.word


def _spans(term: Term, field_words: list[str]) -> list[tuple[int, int]]:
    n = len(term.parts)
    return [
        (i, i + n - 1)
        for i in range(len(field_words) - n + 1)
        if all(_part_ok(p, field_words[i + k]) for k, p in enumerate(term.parts))
    ]


def reference(node: Node, doc: dict[str, list[str]]) -> bool:
    if isinstance(node, Term):
        return any(_spans(node, doc[f]) for f in node.fields)
    if isinstance(node, And):
        return all(reference(c, doc) for c in node.children)
    if isinstance(node, Or):
        return any(reference(c, doc) for c in node.children)
    if isinstance(node, Not):
        return not reference(node.child, doc)
    for f in node.left.fields:
        if f not in node.right.fields:
            continue
        for a0, a1 in _spans(node.left, doc[f]):
            for b0, b1 in _spans(node.right, doc[f]):
                gap = b0 - a1 if a1 < b0 else a0 - b1 if b1 < a0 else 0
                if gap <= node.distance:
                    return True
    return False


# --- strategies -----------------------------------------------------------------------------


@st.composite
def parts(draw: st.DrawFn) -> Part:
    word = draw(st.sampled_from(VOCABULARY))
    if len(word) > 2 and draw(st.booleans()):
        return Part(word[: draw(st.integers(2, len(word)))], prefix=True)
    return Part(word)


terms = st.builds(
    lambda ps, fields: Term(tuple(ps), fields),
    st.lists(parts(), min_size=1, max_size=3),
    st.sampled_from(FIELD_CHOICES),
)


def _near(left: Term, right: Term, distance: int) -> Node:
    return Near(left, right, distance)


leaves = st.one_of(terms, terms, st.builds(_near, terms, terms, st.integers(1, 6)))
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda cs: And(tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(lambda cs: Or(tuple(cs)), st.lists(inner, min_size=2, max_size=3)),
        st.builds(Not, inner),
    ),
    max_leaves=6,
)
texts = st.lists(
    st.sampled_from([*VOCABULARY, "the", "x", "Ukraine's", "WAR", "war,"]), max_size=30
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(queries, min_size=1, max_size=12),
    texts,
    texts,
    st.sampled_from(["guardian-world", "bbc-peace-talks"]),
)
def test_indexed_matcher_agrees_with_reference(
    topics: list[Node], title: str, text: str, source: str
) -> None:
    url = "https://news.example/war/" + text[:20].replace(" ", "-")
    document = Document.build(title=title, text=text, source=source, url=url)
    doc_words = {
        "title": words(title),
        "text": words(text),
        "source": words(source),
        "url": words(url),
    }
    index = TopicIndex(Topic(f"t{i}", q) for i, q in enumerate(topics))
    fast = {m.topic for m in index.match(document)}
    expected = {f"t{i}" for i, q in enumerate(topics) if reference(q, doc_words)}
    assert fast == expected


@settings(max_examples=300, deadline=None)
@given(queries)
def test_render_then_parse_gives_the_same_tree(query: Node) -> None:
    assert parse_query(render_query(query)) == query


@settings(max_examples=200, deadline=None)
@given(queries, texts)
def test_not_not_matches_exactly_what_the_query_does(query: Node, text: str) -> None:
    document = Document.build(title="", text=text)
    doc_words = {"title": [], "text": words(text), "source": [], "url": []}
    assert reference(Not(Not(query)), doc_words) == reference(query, doc_words)
    index = TopicIndex([Topic("q", query), Topic("nn", Not(Not(query)))])
    names = {m.topic for m in index.match(document)}
    assert ("q" in names) == ("nn" in names)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=string.ascii_letters + ' ()"*:/0123456789-', max_size=40))
def test_any_string_parses_or_names_a_column_inside_it(query: str) -> None:
    try:
        parse_query(query)
    except QuerySyntaxError as error:
        column = error.column
    else:
        return
    assert 1 <= column <= len(query) + 1


_PIECES = [
    "Straße",
    "O'Brien",
    "Zelenskyy's",
    "2.5%",
    "co-operation",
    "résumé",
    "東京",
    "WAR,",
    " ",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, *VOCABULARY]), max_size=400), st.integers(0, 450))
def test_the_first_tokens_of_a_text_are_those_of_the_whole_text(
    pieces: list[str], last: int
) -> None:
    """Snippets take the offsets of the first few dozen words from a tokenized start of the
    text: they must be exactly those of the whole text's tokens."""
    text = " ".join(pieces)
    index = FieldIndex.build(text)
    whole = tokenize(text)
    assert index.tokens_through(last)[: last + 1] == whole[: last + 1]


def test_a_word_cut_by_the_tokenized_start_is_never_taken() -> None:
    # 256 characters hold five of these words and part of the sixth
    text = " ".join(["Donaudampfschifffahrtsgesellschaftskapitänsmützen"] * 12)
    index = FieldIndex.build(text)
    assert index.tokens_through(5)[5] == tokenize(text)[5]
