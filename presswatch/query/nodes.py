"""The query AST: small frozen values. Fields are pushed down onto terms by the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Field = Literal["title", "text", "source", "url"]
FIELDS: tuple[Field, ...] = ("title", "text", "source", "url")
# a term without a field matches the title or the text
DEFAULT_FIELDS: tuple[Field, ...] = ("title", "text")


@dataclass(frozen=True, slots=True)
class Part:
    """One word of a term; `prefix` for `word*`."""

    word: str
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Term:
    """A word or a phrase (several parts that must be adjacent), in one or more fields."""

    parts: tuple[Part, ...]
    fields: tuple[Field, ...] = DEFAULT_FIELDS
    # a plain string identity, cheap to hash, for per-document memo tables
    key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words = " ".join(p.word + ("*" if p.prefix else "") for p in self.parts)
        object.__setattr__(self, "key", words)

    @property
    def is_phrase(self) -> bool:
        return len(self.parts) > 1


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Near:
    """Both terms in one field, at most `distance` words apart (either order)."""

    left: Term
    right: Term
    distance: int


Node = Term | And | Or | Not | Near
