"""AST -> query text that parses back to the same AST."""

from __future__ import annotations

from presswatch.query.nodes import DEFAULT_FIELDS, And, Node, Not, Or, Term


def render_query(node: Node) -> str:
    if isinstance(node, Term):
        return _render_term(node)
    if isinstance(node, And):
        return "(" + " AND ".join(render_query(c) for c in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(render_query(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return f"NOT {render_query(node.child)}"
    return f"{_render_term(node.left)} NEAR/{node.distance} {_render_term(node.right)}"


def _render_term(term: Term) -> str:
    body = " ".join(p.word + ("*" if p.prefix else "") for p in term.parts)
    text = f'"{body}"' if term.is_phrase or _looks_like_operator(body) else body
    if term.fields == DEFAULT_FIELDS:
        return text
    if len(term.fields) == 1:
        return f"{term.fields[0]}:{text}"
    raise ValueError(f"a term in fields {term.fields} has no query syntax")


def _looks_like_operator(word: str) -> bool:
    return word.upper() == word and (word in {"AND", "OR", "NOT"} or word.startswith("NEAR/"))
