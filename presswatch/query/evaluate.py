"""Evaluate a query AST against one document, collecting the word spans that matched."""

from __future__ import annotations

import itertools
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from presswatch.query.nodes import FIELDS, And, Field, Near, Node, Not, Or, Term
from presswatch.words import Token, tokenize, words

Span = tuple[int, int]  # first and last word position, inclusive
MAX_TEXT_CHARS = 200_000  # of a clipping's text, what topics are matched against
Hit = tuple[Field, int, int]  # field, first and last word position


@dataclass(slots=True)
class FieldIndex:
    """One field's words: in order, by word, and sorted for prefix lookups; character offsets
    only when a snippet needs them."""

    text: str
    words: list[str]
    positions: dict[str, list[int]]
    _sorted_words: list[str] | None = None
    _tokens: list[Token] | None = None
    _token_prefix: list[Token] | None = None  # the first ones only (tokens_through)

    @classmethod
    def build(cls, text: str) -> FieldIndex:
        found = words(text)
        positions: dict[str, list[int]] = {}
        for position, word in enumerate(found):
            positions.setdefault(word, []).append(position)
        return cls(text, found, positions)

    @property
    def sorted_words(self) -> list[str]:
        if self._sorted_words is None:
            self._sorted_words = sorted(self.positions)
        return self._sorted_words

    @property
    def tokens(self) -> list[Token]:
        """The words with their offsets in `text` (the same sequence as `words`)."""
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    def tokens_through(self, last: int) -> list[Token]:
        """At least the first `last` + 1 of `tokens` (all of them when there are fewer): a
        snippet near the start of a long text needs the offsets of a few dozen words, not of
        all of them."""
        if self._tokens is not None:
            return self._tokens
        if self._token_prefix is not None and len(self._token_prefix) > last + 1:
            return self._token_prefix
        chars = max(256, (last + 2) * 16)
        while chars < len(self.text):
            found = tokenize(self.text[:chars])
            # the last token of a cut text may be a cut word: enough only with one more
            if len(found) > last + 1:
                self._token_prefix = found
                return found
            chars *= 2
        return self.tokens

    def words_with_prefix(self, prefix: str) -> list[str]:
        start = bisect_left(self.sorted_words, prefix)
        out = []
        for word in self.sorted_words[start:]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out


@dataclass(slots=True)
class Document:
    """What a query sees of a clipping: title, text, source name and URL, indexed once."""

    fields: dict[Field, FieldIndex]
    _memo: dict[Field, dict[str, list[Span]]] = field(
        default_factory=lambda: {name: {} for name in FIELDS}
    )

    @classmethod
    def build(cls, *, title: str, text: str, source: str = "", url: str = "") -> Document:
        """The document to match; a text longer than MAX_TEXT_CHARS is matched on its first
        MAX_TEXT_CHARS characters (an article is far shorter; a page that is not would cost
        every topic's evaluation)."""
        values = {"title": title, "text": text[:MAX_TEXT_CHARS], "source": source, "url": url}
        return cls({name: FieldIndex.build(values[name]) for name in FIELDS})

    def all_words(self) -> set[str]:
        words: set[str] = set()
        for index in self.fields.values():
            words.update(index.positions)
        return words

    def forget(self) -> None:
        """Drop the memoised term occurrences (for measuring evaluation from scratch)."""
        for memo in self._memo.values():
            memo.clear()

    def occurrences(self, term: Term, field_name: Field) -> list[Span]:
        """Where `term` occurs in one field, as word spans (memoised per document)."""
        memo = self._memo[field_name]
        cached = memo.get(term.key)
        if cached is None:
            cached = memo[term.key] = self._find(term, self.fields[field_name])
        return cached

    @staticmethod
    def _find(term: Term, index: FieldIndex) -> list[Span]:
        first = term.parts[0]
        if first.prefix:
            starts = sorted(
                p for w in index.words_with_prefix(first.word) for p in index.positions[w]
            )
        else:
            starts = index.positions.get(first.word, [])
        if not term.is_phrase:
            return [(p, p) for p in starts]
        tokens = index.words
        length = len(term.parts)
        spans = []
        for start in starts:
            if start + length > len(tokens):
                break
            if all(
                _part_matches(part.word, part.prefix, tokens[start + k])
                for k, part in enumerate(term.parts[1:], 1)
            ):
                spans.append((start, start + length - 1))
        return spans


def _part_matches(word: str, prefix: bool, token: str) -> bool:
    return token.startswith(word) if prefix else token == word


def matches(node: Node, document: Document) -> bool:
    """True when the document satisfies the query."""
    return evaluate(node, document, None)


def evaluate(node: Node, document: Document, hits: list[Hit] | None) -> bool:
    """Evaluate, appending the spans of matched positive terms to `hits` when given."""
    if isinstance(node, Term):
        found = False
        for name in node.fields:
            spans = document.occurrences(node, name)
            if spans:
                found = True
                if hits is None:
                    return True
                hits.extend((name, a, b) for a, b in spans)
        return found
    if isinstance(node, And):
        return all(evaluate(child, document, hits) for child in node.children)
    if isinstance(node, Or):
        if hits is None:
            return any(evaluate(child, document, None) for child in node.children)
        results = [evaluate(child, document, hits) for child in node.children]
        return any(results)
    if isinstance(node, Not):
        return not evaluate(node.child, document, None)
    return _near(node, document, hits)


def _near(node: Near, document: Document, hits: list[Hit] | None) -> bool:
    fields = [f for f in node.left.fields if f in node.right.fields]
    found = False
    for name in fields:
        left = document.occurrences(node.left, name)
        right = document.occurrences(node.right, name)
        if not left or not right:
            continue
        pairs = _near_pairs(left, right, node.distance)
        if pairs:
            found = True
            if hits is None:
                return True
            hits.extend((name, a, b) for a, b in pairs)
    return found


def _near_pairs(left: list[Span], right: list[Span], distance: int) -> list[Span]:
    """The spans of either operand that are within `distance` words of a span of the other
    (either order). Each span looks up its nearest neighbours with a binary search, never
    every pair: a text repeating both words thousands of times costs milliseconds."""
    return _within(left, right, distance) + _within(right, left, distance)


def _within(spans: list[Span], others: list[Span], distance: int) -> list[Span]:
    """The spans that are within `distance` words of one of `others`."""
    others = sorted(others)
    starts = [start for start, _ in others]
    # reach[i]: the furthest end of others[0..i]: the nearest one that starts before a span
    reach = list(itertools.accumulate((end for _, end in others), max))
    found = []
    for span in spans:
        at = bisect_right(starts, span[0])
        nearest = _FAR
        if at:
            nearest = max(0, span[0] - reach[at - 1])
        if at < len(others):
            nearest = min(nearest, max(0, starts[at] - span[1]))
        if nearest <= distance:
            found.append(span)
    return found


_FAR = 1 << 62


def span_distance(a: Span, b: Span) -> int:
    """Difference of word positions between the nearest words of two spans (0 if they overlap)."""
    if a[1] < b[0]:
        return b[0] - a[1]
    if b[1] < a[0]:
        return a[0] - b[1]
    return 0


def hits_in(document: Document, node: Node) -> list[Hit] | None:
    """The hits of a matching query, or None when it does not match."""
    hits: list[Hit] = []
    if not evaluate(node, document, hits):
        return None
    return sorted(set(hits))
