"""The topic query language: lexer -> parser -> nodes; evaluate against a document."""

from presswatch.alerts.query.nodes import Node
from presswatch.alerts.query.parser import parse_query
from presswatch.alerts.query.render import render_query

__all__ = ["Node", "parse_query", "render_query"]
