"""Match every topic against one document without looping over every topic.

A query implies *clauses* that any matching document satisfies: `"security guarantee*" AND
(Ukraine OR Kyiv)` needs `security`, a word starting with `guarantee`, and one of `ukraine` or
`kyiv`. Each topic is indexed under its most selective clause; a document's words (and their
prefixes) look up the candidate topics, the other clauses are checked with set lookups, and only
the topics that pass are evaluated. Topics with no clause (`NOT football`) are candidates for
every document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from presswatch.model import NewMatch
from presswatch.query.evaluate import Document, Hit, evaluate
from presswatch.query.nodes import And, Field, Near, Node, Not, Part, Term
from presswatch.query.snippets import make_snippets

if TYPE_CHECKING:
    from presswatch.config import Config

Anchor = tuple[str, bool]  # word, is_prefix


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    query: Node
    notify: tuple[str, ...] = ()  # channel names
    mode: Literal["instant", "digest"] = "instant"


@dataclass(frozen=True, slots=True)
class TopicMatch:
    topic: str
    hits: tuple[Hit, ...]


Clause = frozenset[Anchor]  # at least one of these words must be in the document


def requirements(node: Node) -> list[Clause]:
    """Clauses that all hold for any document the query matches (empty: none known).

    `a AND "b c"` needs a, b and c: three clauses; `a OR b` needs one of them: one clause.
    """
    if isinstance(node, Term):
        return [frozenset({_part_anchor(p)}) for p in node.parts]
    if isinstance(node, Near):
        return requirements(node.left) + requirements(node.right)
    if isinstance(node, Not):
        return []
    if isinstance(node, And):
        return [clause for child in node.children for clause in requirements(child)]
    union: set[Anchor] = set()
    for child in node.children:
        clauses = requirements(child)
        if not clauses:
            return []
        union |= min(clauses, key=_clause_cost)  # the cheapest clause stands for the child
    return [frozenset(union)]


def _part_anchor(part: Part) -> Anchor:
    return (part.word, part.prefix)


def _clause_cost(clause: AbstractSet[Anchor]) -> tuple[int, int, int]:
    # fewer words first; then whole words over prefixes; then longer (usually rarer) words
    prefixes = sum(is_prefix for _, is_prefix in clause)
    return (len(clause), prefixes, -min(len(word) for word, _ in clause))


class TopicIndex:
    """Topics indexed under one clause each; the rest of their clauses are checked against the
    document's words before the query is evaluated."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics: list[Topic] = list(topics)
        # per topic, its other clauses as (whole words, prefixes) sets, checked with isdisjoint
        self._checks: list[tuple[tuple[frozenset[str], frozenset[str]], ...]] = []
        self._by_word: dict[str, list[int]] = {}
        self._by_prefix: dict[str, list[int]] = {}
        self._always: list[int] = []
        prefix_lengths: set[int] = set()
        for number, topic in enumerate(self.topics):
            clauses = sorted(set(requirements(topic.query)), key=_clause_cost)
            self._checks.append(
                tuple(
                    (frozenset(w for w, p in c if not p), frozenset(w for w, p in c if p))
                    for c in clauses[1:]
                )
            )
            prefix_lengths.update(len(w) for c in clauses for w, is_prefix in c if is_prefix)
            if not clauses:
                self._always.append(number)
                continue
            for word, is_prefix in clauses[0]:
                target = self._by_prefix if is_prefix else self._by_word
                target.setdefault(word, []).append(number)
        self._prefix_lengths = sorted(prefix_lengths)

    def _present(self, document: Document) -> tuple[set[str], set[str]]:
        """The document's words, and their prefixes of every length some clause asks for."""
        words = document.all_words()
        prefixes: set[str] = set()
        for n in self._prefix_lengths:
            prefixes.update({word[:n] for word in words if len(word) >= n})
        return words, prefixes

    def candidates(self, document: Document) -> list[int]:
        """Topics whose every clause is satisfied by the document's words."""
        words, prefixes = self._present(document)
        found: set[int] = set(self._always)
        by_word, by_prefix = self._by_word, self._by_prefix
        for listed in map(by_word.get, words & by_word.keys()):
            found.update(listed)  # type: ignore[arg-type]
        for listed in map(by_prefix.get, prefixes & by_prefix.keys()):
            found.update(listed)  # type: ignore[arg-type]
        checks = self._checks
        return [
            n
            for n in sorted(found)
            if all(
                not words.isdisjoint(whole) or not prefixes.isdisjoint(starts)
                for whole, starts in checks[n]
            )
        ]

    def match(self, document: Document) -> list[TopicMatch]:
        """The topics the document matches, in configuration order, with their hits."""
        out = []
        for number in self.candidates(document):
            topic = self.topics[number]
            # most candidates fail; deciding first short-circuits, hits only for the matches
            if not evaluate(topic.query, document, None):
                continue
            hits: list[Hit] = []
            evaluate(topic.query, document, hits)
            out.append(TopicMatch(topic.name, tuple(sorted(set(hits)))))
        return out


def match_each(topics: Sequence[Topic], document: Document) -> list[TopicMatch]:
    """One topic at a time, no index, each evaluated from scratch on the tokenised document:
    the baseline the index must agree with."""
    out = []
    for topic in topics:
        document.forget()
        hits: list[Hit] = []
        if evaluate(topic.query, document, hits):
            out.append(TopicMatch(topic.name, tuple(sorted(set(hits)))))
    return out


class ArticleMatcher:
    """Matches articles (title and text only: the extracted article, never page furniture)
    against every configured topic, and cuts the snippets."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.index = TopicIndex(topics)
        self._topics = {t.name: t for t in self.index.topics}

    def __bool__(self) -> bool:
        return bool(self.index.topics)

    def match(self, *, title: str, text: str, source: str, url: str) -> list[NewMatch]:
        if not self.index.topics:
            return []
        document = Document.build(title=title, text=text, source=source, url=url)
        return self.match_document(document, title, text)

    def match_document(self, document: Document, title: str, text: str) -> list[NewMatch]:
        """`match` on a document already built from this title and text (snippets are cut
        from the whole text, not from the document's first MAX_TEXT_CHARS)."""
        original: dict[Field, str] = {"title": title, "text": text}
        out = []
        for found in self.index.match(document):
            topic = self._topics[found.topic]
            snippets = tuple(make_snippets(document, found.hits, original))
            out.append(NewMatch(found.topic, snippets, topic.notify, topic.mode))
        return out


def topics_of(config: Config, names: Sequence[str] = ()) -> list[Topic]:
    """The configured topics (or just the named ones) with their parsed queries."""
    return [
        Topic(t.name, t.parsed_query(), t.notify, t.mode)
        for t in config.topics
        if not names or t.name in names
    ]
