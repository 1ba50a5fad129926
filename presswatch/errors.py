"""The exception hierarchy; every error a user can see derives from PresswatchError.

PresswatchError (exit 1)
 +-- ConfigError (exit 2): names the file and key
 |    +-- QuerySyntaxError: a topic query that does not parse, with its column
 +-- ExtractionError: a page could not be turned into an article
 +-- StorageError: the database refused or is unreachable
 +-- CrawlError: a crawl could not run at all
 +-- DeliveryError: an alert could not be delivered (`retryable` says whether to try again)
"""

from __future__ import annotations

from typing import ClassVar


class PresswatchError(Exception):
    """A failure the user should see as one line, not a traceback."""

    exit_code: ClassVar[int] = 1


class ConfigError(PresswatchError):
    """Bad configuration or usage: names the file and key at fault."""

    exit_code = 2


class QuerySyntaxError(ConfigError):
    """`query error at column 17: expected ')'` (columns count from 1)."""

    def __init__(self, column: int, expected: str) -> None:
        super().__init__(f"query error at column {column}: expected {expected}")
        self.column = column
        self.expected = expected


class ExtractionError(PresswatchError):
    """A page could not be parsed into an article."""


class UnextractablePage(ExtractionError):
    """A page extraction gives up on (remembered, and skipped until it changes)."""


class ExtractionTimeout(UnextractablePage):
    """Extracting a page took longer than `[extract] timeout`: its worker was killed."""


class PageTooComplex(UnextractablePage):
    """A page with more HTML elements than extraction takes on."""


class StorageError(PresswatchError):
    """The database could not be opened, migrated or written."""


class CrawlError(PresswatchError):
    """A crawl could not run (not a single failed page: those are counted)."""


class DeliveryError(PresswatchError):
    """An alert could not be delivered to a channel; `retryable` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable
