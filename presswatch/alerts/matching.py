"""Match every topic against one document without looping over every topic.

Each topic is indexed under a few words that any matching document must contain (its
*anchors*): for `"security guarantee*" AND (Ukraine OR Kyiv)` that is either `security` or
both `ukraine` and `kyiv`, whichever set is smaller. A document's words (and their prefixes)
look up the candidate topics, and only those are evaluated. Topics with no anchor (`NOT
football`) are candidates for every document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from presswatch.alerts.query.evaluate import Document, Hit, evaluate
from presswatch.alerts.query.nodes import And, Near, Node, Not, Term

Anchor = tuple[str, bool]  # word, is_prefix


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    query: Node


@dataclass(frozen=True, slots=True)
class TopicMatch:
    topic: str
    hits: tuple[Hit, ...]


def anchors(node: Node) -> frozenset[Anchor] | None:
    """Words of which a matching document must contain at least one; None: no such set."""
    if isinstance(node, Term):
        return frozenset({_term_anchor(node)})
    if isinstance(node, Near):
        return frozenset({_term_anchor(node.left)})
    if isinstance(node, Not):
        return None
    if isinstance(node, And):
        options = [a for a in (anchors(c) for c in node.children) if a is not None]
        return min(options, key=_anchor_cost) if options else None
    union: set[Anchor] = set()
    for child in node.children:
        child_anchors = anchors(child)
        if child_anchors is None:
            return None
        union |= child_anchors
    return frozenset(union)


def _term_anchor(term: Term) -> Anchor:
    # a whole word beats a prefix (fewer lookups); a longer word is usually rarer
    whole = [p for p in term.parts if not p.prefix]
    if whole:
        return (max(whole, key=lambda p: len(p.word)).word, False)
    return (max(term.parts, key=lambda p: len(p.word)).word, True)


def _anchor_cost(options: frozenset[Anchor]) -> tuple[int, int]:
    return (len(options), -min(len(w) for w, _ in options))


class TopicIndex:
    """Topics indexed by anchor word; `match(document)` evaluates only the candidates."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics: list[Topic] = list(topics)
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._always: list[int] = []
        for number, topic in enumerate(self.topics):
            topic_anchors = anchors(topic.query)
            if topic_anchors is None:
                self._always.append(number)
                continue
            for word, is_prefix in topic_anchors:
                target = self._by_prefix if is_prefix else self._by_word
                target.setdefault(word, []).append(number)
        self._prefix_lengths = sorted({len(p) for p in self._by_prefix})

    def candidates(self, document: Document) -> list[int]:
        found: set[int] = set(self._always)
        by_word, by_prefix = self._by_word, self._by_prefix
        for word in document.all_words():
            listed = by_word.get(word)
            if listed:
                found.update(listed)
            for length in self._prefix_lengths:
                if length > len(word):
                    break
                listed = by_prefix.get(word[:length])
                if listed:
                    found.update(listed)
        return sorted(found)

    def match(self, document: Document) -> list[TopicMatch]:
        """The topics the document matches, in configuration order, with their hits."""
        out = []
        for number in self.candidates(document):
            topic = self.topics[number]
            hits: list[Hit] = []
            if evaluate(topic.query, document, hits):
                out.append(TopicMatch(topic.name, tuple(sorted(set(hits)))))
        return out


def match_each(topics: Sequence[Topic], document: Document) -> list[TopicMatch]:
    """One topic at a time, no index: the baseline the index must agree with."""
    out = []
    for topic in topics:
        hits: list[Hit] = []
        if evaluate(topic.query, document, hits):
            out.append(TopicMatch(topic.name, tuple(sorted(set(hits)))))
    return out
