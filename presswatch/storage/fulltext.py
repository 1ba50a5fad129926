"""The full-text index, in the words of the topic matcher, and queries compiled for it.

The index holds `presswatch.words` tokens (case-folded, accent-free, possessives and
apostrophes folded, decimals whole), never the database's own idea of a word: on SQLite a
contentless FTS5 table over the tokens joined by spaces, on PostgreSQL a tsvector built here
(title positions weighted A, text positions B). A topic query compiles to an FTS5 MATCH
expression or a tsquery that finds the same clippings the matcher does, or, where the index
cannot say it (`url:`, NEAR on PostgreSQL, a NOT around something inexact), a wider set that
the matcher then confirms (`Compiled.exact` is False).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import BindParameter, Column, ColumnElement, MetaData, Table, cast, text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from presswatch.index_text import IndexText, index_text, pg_lexeme
from presswatch.query.evaluate import Document, matches
from presswatch.query.nodes import DEFAULT_FIELDS, And, Near, Node, Not, Or, Part, Term
from presswatch.storage.models import Clipping

FTS5_TABLE = "clippings_fts"
# tokens are already folded: the tokenizer only splits on the spaces between them (and keeps
# the points and commas inside decimals)
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '.,'"
# NEAR/n on PostgreSQL is spelled out as 2 x n alternatives per field up to this n
_MAX_NEAR_SPELLED = 10


_INSERT_FTS5 = text(f"INSERT INTO {FTS5_TABLE} (rowid, title, text) VALUES (:id, :title, :text)")
_SET_TSVECTOR = text(
    "UPDATE clippings SET search_vector = CAST(:vector AS tsvector) WHERE id = :id"
)


def index_clippings(connection: Connection, rows: Iterable[tuple[int, str, str]]) -> None:
    """Index (id, title, text) of stored clippings, in the caller's transaction (a migration
    indexing what is stored)."""
    dialect = connection.dialect.name
    write_index(connection, [(id_, index_text(dialect, t, body)) for id_, t, body in rows])


def write_index(connection: Connection, rows: Sequence[tuple[int, IndexText]]) -> None:
    """Write the index entries of stored clippings, in the caller's transaction: FTS5 rows on
    SQLite; on PostgreSQL their search_vector (a new clipping gets its vector with its row:
    `clippings_with_index`)."""
    if not rows:
        return
    if connection.dialect.name == "postgresql":
        values = [{"id": id_, "vector": entry.vector} for id_, entry in rows]
        connection.execute(_SET_TSVECTOR, values)
        return
    values = [{"id": id_, "title": entry.title, "text": entry.text} for id_, entry in rows]
    connection.execute(_INSERT_FTS5, values)


_DELETE_FTS5 = text(
    f"INSERT INTO {FTS5_TABLE} ({FTS5_TABLE}, rowid, title, text)"
    " VALUES ('delete', :id, :title, :text)"
)


def replace_index(
    connection: Connection, clipping_id: int, old: tuple[str, str], new: tuple[str, str]
) -> None:
    """A stored clipping's index entry for its new (title, text) instead of its `old` one, in
    the caller's transaction (a contentless FTS5 table forgets an entry only when told the
    words it was given)."""
    dialect = connection.dialect.name
    entry = index_text(dialect, *new)
    if dialect == "sqlite":
        was = index_text(dialect, *old)
        connection.execute(_DELETE_FTS5, {"id": clipping_id, "title": was.title, "text": was.text})
    write_index(connection, [(clipping_id, entry)])


def clippings_with_index(dialect: str) -> Table:
    """The clippings table to insert new clippings into: on PostgreSQL with the search_vector
    column (written from `index_values`), which the models leave out so that no read loads it."""
    clippings = Clipping.__table__
    assert isinstance(clippings, Table)
    if dialect != "postgresql":
        return clippings
    columns = [column._copy() for column in clippings.columns]
    return Table("clippings", MetaData(), *columns, Column("search_vector", _TsVector()))


def index_values(dialect: str, entry: IndexText) -> dict[str, str]:
    """The extra insert values of `clippings_with_index` for a new clipping."""
    return {"search_vector": entry.vector} if dialect == "postgresql" else {}


class _TsVector(TypeDecorator[str]):
    """A tsvector bound as its text form and cast by the server."""

    impl = TSVECTOR
    cache_ok = True

    def bind_expression(self, bindvalue: BindParameter[str]) -> ColumnElement[str]:
        return cast(bindvalue, TSVECTOR)


# compiling a query


@dataclass(frozen=True, slots=True)
class Compiled:
    """A query for the index. `text` None: the index cannot narrow it (every clipping is a
    candidate); `exact`: the index's hits are the matcher's, nothing to confirm;
    `source_test`: a test on the source's name that every hit must pass (from `source:`
    terms ANDed at the top), None when there is none."""

    text: str | None
    exact: bool
    source_test: Callable[[str], bool] | None = None


_Part = tuple[str | None, bool]  # the index query of a node (None: everything), is it exact


def compile_query(node: Node, dialect: str) -> Compiled:
    """The index query of a topic query on `dialect` ("sqlite" or "postgresql")."""
    conjuncts = list(node.children) if isinstance(node, And) else [node]
    by_source = [c for c in conjuncts if _only_source(c)]
    rest = [c for c in conjuncts if not _only_source(c)]
    source_test = None
    if by_source:
        source_test = _source_test(by_source)
    if not rest:
        return Compiled(None, True, source_test)
    compile_node = _fts5 if dialect == "sqlite" else _tsquery
    query, exact = compile_node(rest[0] if len(rest) == 1 else And(tuple(rest)))
    return Compiled(query, exact, source_test)


def _only_source(node: Node) -> bool:
    """A term (or an OR of terms) on the source's name alone."""
    if isinstance(node, Term):
        return node.fields == ("source",)
    if isinstance(node, Or):
        return all(_only_source(child) for child in node.children)
    return False


def _source_test(conjuncts: Sequence[Node]) -> Callable[[str], bool]:
    query: Node = conjuncts[0] if len(conjuncts) == 1 else And(tuple(conjuncts))

    def passes(name: str) -> bool:
        return matches(query, Document.build(title="", text="", source=name))

    return passes


def _indexed(term: Term) -> bool:
    return all(field in DEFAULT_FIELDS for field in term.fields)


def _fts5(node: Node) -> _Part:
    if isinstance(node, Term):
        if not _indexed(term := node):
            return None, False
        return _fts5_columns(term, _fts5_phrase(term)), True
    if isinstance(node, Near):
        fields = [f for f in node.left.fields if f in node.right.fields]
        if not (_indexed(node.left) and _indexed(node.right)) or not fields:
            return None, False
        near = f"NEAR({_fts5_phrase(node.left)} {_fts5_phrase(node.right)}, {node.distance - 1})"
        return _fts5_columns(Term(node.left.parts, tuple(fields)), near), True
    if isinstance(node, Or):
        parts = [_fts5(child) for child in node.children]
        if any(query is None for query, _ in parts):
            return None, False
        return "(" + " OR ".join(str(q) for q, _ in parts) + ")", all(e for _, e in parts)
    if isinstance(node, Not):
        return None, False  # FTS5 has only "a NOT b": handled by And
    positive: list[str] = []
    negative: list[str] = []
    exact = True
    for child in node.children:
        inner = child.child if isinstance(child, Not) else child
        query, child_exact = _fts5(inner)
        if query is None or (isinstance(child, Not) and not child_exact):
            exact = False  # left out: the matcher decides
            continue
        exact = exact and child_exact
        (negative if isinstance(child, Not) else positive).append(query)
    if not positive:
        return None, False
    out = "(" + " AND ".join(positive) + ")"
    if negative:
        out += " NOT (" + " OR ".join(negative) + ")"
    return out, exact


def _fts5_phrase(term: Term) -> str:
    return " + ".join(f'"{part.word}"' + (" *" if part.prefix else "") for part in term.parts)


def _fts5_columns(term: Term, query: str) -> str:
    if term.fields == DEFAULT_FIELDS or set(term.fields) == set(DEFAULT_FIELDS):
        return f"({query})"
    return f"({term.fields[0]} : {query})"


def _tsquery(node: Node) -> _Part:
    if isinstance(node, Term):
        if not _indexed(term := node):
            return None, False
        return _ts_phrase(term), True
    if isinstance(node, Near):
        spelled = _ts_near(node)
        if spelled is not None:
            return spelled, True
        # phrases, long distances: both terms, and the matcher checks the distance
        query, _ = _tsquery(And((node.left, node.right)))
        return query, False
    if isinstance(node, Not):
        query, exact = _tsquery(node.child)
        if query is None or not exact:
            return None, False
        return f"!{query}", True
    parts = [_tsquery(child) for child in node.children]
    if isinstance(node, Or):
        if any(query is None for query, _ in parts):
            return None, False
        return "(" + " | ".join(str(q) for q, _ in parts) + ")", all(e for _, e in parts)
    kept = [str(q) for q, _ in parts if q is not None]
    if not kept:
        return None, False
    exact = all(q is not None and e for q, e in parts)
    return "(" + " & ".join(kept) + ")", exact


def _ts_near(node: Near) -> str | None:
    """NEAR/n of two words as PostgreSQL can say it: one word n' words after the other, for
    every n' up to n, either order, within one field (by its weight); None for what it
    cannot say exactly (a phrase operand, n over _MAX_NEAR_SPELLED, two terms one word could
    satisfy at once)."""
    left, right = node.left, node.right
    if len(left.parts) > 1 or len(right.parts) > 1 or node.distance > _MAX_NEAR_SPELLED:
        return None
    a, b = left.parts[0], right.parts[0]
    if _may_be_one_word(a, b):
        return None
    weights = [
        weight
        for field, weight in (("title", "A"), ("text", "B"))
        if field in left.fields and field in right.fields
    ]
    if not weights or not all(_indexed(t) for t in (left, right)):
        return None
    alternatives = []
    for weight in weights:
        first = pg_lexeme(a.word) + (":*" if a.prefix else ":") + weight
        second = pg_lexeme(b.word) + (":*" if b.prefix else ":") + weight
        for n in range(1, node.distance + 1):
            alternatives += [f"{first} <{n}> {second}", f"{second} <{n}> {first}"]
    return "(" + " | ".join(alternatives) + ")"


def _may_be_one_word(a: Part, b: Part) -> bool:
    """Could one word satisfy both parts (the matcher's NEAR then holds at distance 0)?"""
    if a.word == b.word:
        return True
    return (a.prefix and b.word.startswith(a.word)) or (b.prefix and a.word.startswith(b.word))


def _ts_phrase(term: Term) -> str:
    weight = (
        "" if set(term.fields) == set(DEFAULT_FIELDS) else ("A" if "title" in term.fields else "B")
    )
    lexemes = [
        pg_lexeme(part.word) + (":*" if part.prefix else ":" if weight else "") + weight
        for part in term.parts
    ]
    return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
