"""What an extraction worker does with one fetched page: extract the article, match it against
the topics, and make its full-text index entry, so that the crawl process (whose one thread
also downloads every page) only stores what comes back.

The page's source context (extraction options, topics) reaches each worker once per crawl
(ExtractPool.share); the answer is a plain tuple, cheap to pickle and to read back. The
extractor (trafilatura) is imported where it runs, in the workers (init_extract_worker), never
in the crawl process, which needs only this module's names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

from presswatch.alerts.matching import ArticleMatcher
from presswatch.extractors.options import ExtractOptions
from presswatch.index_text import IndexText, index_entry, indexed_words
from presswatch.model import Article, NewMatch
from presswatch.query.evaluate import Document

_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every page of one source's crawl is worked with."""

    options: ExtractOptions  # the source's own (its exclude selectors)
    matcher: ArticleMatcher  # the configured topics
    source: str  # the source's name, for `source:` in queries
    dialect: str  # the database's, for the index entry's form


@dataclass(frozen=True, slots=True)
class PageDone:
    """A worked page, as the crawl process reads it back."""

    article: Article | None  # None: not an article (`not_article` says why)
    not_article: str | None
    charset_problem: str | None
    matches: tuple[NewMatch, ...]
    index: IndexText | None
    cpu_s: dict[str, float]  # CPU seconds by stage: extraction, matching, index


def work_page(
    context: PageContext, body: bytes, url: str, content_type: str | None
) -> tuple[Any, ...]:
    """Runs in an extraction worker; raises what extract_page raises. Read the answer with
    `read_done`."""
    from presswatch.extractors.article import NotArticle, extract_page

    clock = time.thread_time
    start = clock()
    result = extract_page(body, url, content_type, context.options)
    extracted = clock()
    outcome = result.outcome
    if isinstance(outcome, NotArticle):
        return (None, outcome.reason, result.charset_problem, (), None, (extracted - start,))
    document = Document.build(
        title=outcome.title, text=outcome.text, source=context.source, url=outcome.canonical_url
    )
    matches = (
        tuple(context.matcher.match_document(document, outcome.title, outcome.text))
        if context.matcher
        else ()
    )
    matched = clock()
    # the text's words are the document's (tokenized once); the title is short, and the
    # document keeps all of it where the index keeps its first MAX_TEXT_CHARS characters
    text_words = document.fields["text"].words
    entry = index_entry(context.dialect, indexed_words(outcome.title), text_words)
    done = clock()
    return (
        tuple(getattr(outcome, name) for name in _ARTICLE_FIELDS),
        None,
        result.charset_problem,
        matches,
        (entry.title, entry.text, entry.vector),
        (extracted - start, matched - extracted, done - matched),
    )


def read_done(answer: tuple[Any, ...]) -> PageDone:
    """`work_page`'s answer as a PageDone."""
    row, reason, charset_problem, matches, entry, cpu = answer
    stages = dict(zip(("extraction", "matching", "index"), cpu, strict=False))
    if row is None:
        return PageDone(None, reason, charset_problem, (), None, stages)
    return PageDone(Article(*row), None, charset_problem, matches, IndexText(*entry), stages)
