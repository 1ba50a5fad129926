"""Lexemes -> AST, by recursive descent. Precedence: NOT, then AND (also implicit), then OR;
NEAR/n joins two terms."""

from __future__ import annotations

from presswatch.errors import QuerySyntaxError
from presswatch.query.lexer import Lexeme, lex
from presswatch.query.nodes import (
    DEFAULT_FIELDS,
    And,
    Field,
    Near,
    Node,
    Not,
    Or,
    Part,
    Term,
)
from presswatch.words import words

_MIN_PREFIX_CHARS = 2
_STARTS_OPERAND = {"word", "phrase", "field", "not", "("}


def parse_query(query: str) -> Node:
    """The AST of `query`; QuerySyntaxError naming the column and what was expected."""
    return _Parser(lex(query)).parse()


class _Parser:
    def __init__(self, lexemes: list[Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0

    @property
    def current(self) -> Lexeme:
        return self.lexemes[self.pos]

    def at(self, *kinds: str) -> bool:
        """Is the current lexeme of one of these kinds (a call, so mypy does not narrow)."""
        return self.lexemes[self.pos].kind in kinds

    def advance(self) -> Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def parse(self) -> Node:
        if self.at("end"):
            raise QuerySyntaxError(self.current.column, "a word, phrase or '('")
        node = self.parse_or()
        if self.at(")"):
            raise QuerySyntaxError(self.current.column, "an operator or the end (unmatched ')')")
        if not self.at("end"):
            raise QuerySyntaxError(self.current.column, "an operator or the end")
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.at("or"):
            self.advance()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while self.at("and", *_STARTS_OPERAND):
            if self.at("and"):
                self.advance()
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        if self.at("not"):
            self.advance()
            return Not(self.parse_not())
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_primary(DEFAULT_FIELDS)
        if not self.at("near"):
            return left
        near = self.advance()
        right_column = self.current.column
        right = self.parse_primary(DEFAULT_FIELDS)
        if not isinstance(left, Term):
            raise QuerySyntaxError(near.column, "a word or phrase before NEAR (not a group)")
        if not isinstance(right, Term):
            raise QuerySyntaxError(right_column, "a word or phrase after NEAR (not a group)")
        if self.at("near"):
            raise QuerySyntaxError(self.current.column, "AND or OR between NEAR operators")
        if near.distance < 1:
            raise QuerySyntaxError(near.column + 5, "a distance of at least 1")
        return Near(left, right, near.distance)

    def parse_primary(self, fields: tuple[Field, ...]) -> Node:
        lexeme = self.current
        if lexeme.kind == "field":
            self.advance()
            if not self.at("word", "phrase", "("):
                raise QuerySyntaxError(
                    self.current.column, f"a word, phrase or '(' after {lexeme.text}:"
                )
            return self.parse_primary((lexeme.text,))  # type: ignore[arg-type]
        if lexeme.kind == "(":
            self.advance()
            if self.at(")"):
                raise QuerySyntaxError(self.current.column, "a word, phrase or '('")
            node = self.parse_or()
            if not self.at(")"):
                raise QuerySyntaxError(self.current.column, "')'")
            self.advance()
            return _with_fields(node, fields) if fields != DEFAULT_FIELDS else node
        if lexeme.kind in {"word", "phrase"}:
            self.advance()
            return _term(lexeme, fields)
        raise QuerySyntaxError(lexeme.column, "a word, phrase or '('")


def _term(lexeme: Lexeme, fields: tuple[Field, ...]) -> Term:
    parts: list[Part] = []
    for raw in lexeme.text.split():
        prefix = raw.endswith("*")
        tokens = words(raw.rstrip("*"))
        if prefix and (not tokens or len(tokens[-1]) < _MIN_PREFIX_CHARS):
            raise QuerySyntaxError(
                lexeme.column, f"at least {_MIN_PREFIX_CHARS} letters before '*'"
            )
        parts.extend(Part(t) for t in tokens[:-1])
        if tokens:
            parts.append(Part(tokens[-1], prefix))
    if not parts:
        what = "a phrase with words" if lexeme.kind == "phrase" else "a word"
        raise QuerySyntaxError(lexeme.column, what)
    return Term(tuple(parts), fields)


def _with_fields(node: Node, fields: tuple[Field, ...]) -> Node:
    """Apply a group's field to the terms inside it (an inner field wins)."""
    if isinstance(node, Term):
        return _term_with_fields(node, fields)
    if isinstance(node, And):
        return And(tuple(_with_fields(c, fields) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_with_fields(c, fields) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_fields(node.child, fields))
    return Near(
        _term_with_fields(node.left, fields), _term_with_fields(node.right, fields), node.distance
    )


def _term_with_fields(term: Term, fields: tuple[Field, ...]) -> Term:
    return Term(term.parts, fields) if term.fields == DEFAULT_FIELDS else term
