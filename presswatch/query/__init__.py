"""The topic query language: lexer -> parser -> nodes; evaluate against a document."""

from presswatch.query.nodes import Node
from presswatch.query.parser import parse_query
from presswatch.query.render import render_query

__all__ = ["Node", "parse_query", "render_query"]
