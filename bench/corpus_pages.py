"""Real news pages for the crawl benchmark: the shared corpus, repeated to N distinct copies.

The 181 pages of `shared/corpus/scrapinghub/html/*.html.gz` (real pages of 126 sites, stored
as UTF-8; each declares utf-8 or nothing) are repeated to N; copy k is corpus page k % 181.
Each copy gets made-up sentences of its own ("Copy 17: Kavor bridun ...") at the start of
every long text run of the page (text between two tags, of at least MIN_RUN_BYTES, outside
scripts, styles, comments and the <title>), each RUN_SHARE as long as its run. Only ASCII is
inserted, and only there: markup, charset declarations and every other byte stay as they were.

Why this much: presswatch folds near-identical texts by SimHash (within MAX_DISTANCE = 8 of
64 bits). Two copies whose texts share a fraction s of their word 3-grams differ in about
64 * arccos(s) / pi bits, give or take 3.5: with a quarter of each copy's text its own
(s about 0.75) that is about 14 bits, and now and then a pair lands within 8. No share short
of doubling the text makes that never happen, so every copy is extracted once here, by
presswatch's own `extract_page` at the URL it is served at (the crawl computes the same
fingerprint from the same bytes), and a copy within MAX_DISTANCE + MARGIN_BITS of any earlier
one is made again: fresh words, longer sentences, and in shorter runs too (a page of tables or
short list items has few long runs). The same extraction says what the crawl should store:
the copies presswatch's extractor calls articles.

The copies are kept gzip-compressed (level 1, nginx's default), as they are served.
"""

from __future__ import annotations

import gzip
import random
import re
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presswatch.extractors.article import Article, NotArticle

CONTENT_TYPE = "text/html; charset=utf-8"
MIN_RUN_BYTES = 100  # shorter runs are menus, buttons, headlines, bylines (on a first try)
RUN_SHARE = 0.3  # inserted words per word of the run (at least MIN_SENTENCE_RUN_WORDS' worth)
MIN_SENTENCE_RUN_WORDS = 15  # a run in a script without spaces (Japanese) counts this long
LONGER_PER_TRY = 1.25  # a copy made again: sentences this much longer, in runs half as long
MAX_TRIES = 8
MARGIN_BITS = 2  # the crawl extracts the same bytes from the same URL: a little is enough
GZIP_LEVEL = 1

# a text run between two tags, unless it is inside a script, a style, a comment or the title
_RUN = re.compile(
    rb"(<script\b.*?</script\s*>|<style\b.*?</style\s*>|<title\b.*?</title\s*>|<!--.*?-->)"
    rb"|(?<=>)([^<]+)(?=<)",
    re.IGNORECASE | re.DOTALL,
)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_SYLLABLES = _words(
    "ka ren vo li mar te sol an bri dun el fa gor hal is jen kel lum nor os per quin ras "
    "sen tor ul var wen yor zel ad bel cor dar ev fin gal hen ir jor kas lor mun nel or "
    "pra rik sta tam ur vik wal"
)


@dataclass(frozen=True, slots=True)
class CorpusPage:
    """One page of the corpus, as stored (uncompressed)."""

    name: str
    body: bytes


@dataclass(frozen=True, slots=True)
class PageCopy:
    """One served copy: its gzip-compressed bytes and what presswatch's extractor made of it."""

    body_gz: bytes
    is_article: bool

    def html(self) -> str:
        """The page as text, decoded as the crawl decodes it (header charset, then <meta>)."""
        from presswatch.extractors.article import decode_page

        return decode_page(gzip.decompress(self.body_gz), CONTENT_TYPE).html


@dataclass(slots=True)
class CopyReport:
    """How the copies were made and checked."""

    corpus_pages: int = 0
    extractions: int = 0
    extract_s: float = 0.0  # presswatch's extract_page, one process: the check itself
    remade: int = 0  # copies made again because they were near an earlier one
    still_near: int = 0  # copies still within MAX_DISTANCE after MAX_TRIES (they will fold)
    not_articles: Counter[str] = field(default_factory=Counter)  # reason -> copies
    original_words: dict[str, int] = field(default_factory=dict)  # corpus page -> words
    copy_words: list[float] = field(default_factory=list)  # copy words / its original's

    def growth(self) -> float:
        """Median words of a copy's article text per word of its original's."""
        return statistics.median(self.copy_words) if self.copy_words else float("nan")


def read_corpus(directory: Path) -> list[CorpusPage]:
    """The corpus pages, in name order; ValueError naming the directory when there are none."""
    files = sorted((directory / "scrapinghub" / "html").glob("*.html.gz"))
    if not files:
        raise ValueError(
            f"no pages in {directory / 'scrapinghub' / 'html'} (give the corpus with --corpus)"
        )
    return [
        CorpusPage(f.name.removesuffix(".html.gz"), gzip.decompress(f.read_bytes())) for f in files
    ]


def with_sentences(
    body: bytes, copy: int, rng: random.Random, share: float, min_run_bytes: int
) -> bytes:
    """The page with a made-up sentence of copy `copy` at the start of every text run of at
    least `min_run_bytes`, `share` times as long as the run."""

    def insert(match: re.Match[bytes]) -> bytes:
        run = match.group(2)
        if run is None or len(run.strip()) < min_run_bytes:
            return match.group(0)
        length = round(share * max(len(run.split()), MIN_SENTENCE_RUN_WORDS))
        words = " ".join(
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))) for _ in range(length)
        )
        lead = len(run) - len(run.lstrip())
        return run[:lead] + f"Copy {copy}: {words.capitalize()}. ".encode() + run[lead:]

    return _RUN.sub(insert, body)


def distinct_copies(
    corpus: Sequence[CorpusPage], urls: Sequence[str], seed: int
) -> tuple[list[PageCopy], CopyReport]:
    """One copy per URL (copy k of corpus page k % len(corpus)), no two within folding
    distance of each other, each checked with presswatch's extractor at its URL."""
    maker = _CopyMaker(seed, CopyReport(corpus_pages=min(len(corpus), len(urls))))
    for page, url in zip(corpus, urls, strict=False):
        maker.note_original(page, url)
    copies = [maker.make(k, corpus[k % len(corpus)], url) for k, url in enumerate(urls)]
    return copies, maker.report


@dataclass(slots=True)
class _CopyMaker:
    """Makes copies, keeping the fingerprints of those made so far to keep the next ones away."""

    seed: int
    report: CopyReport
    fingerprints: list[int] = field(default_factory=list)

    def note_original(self, page: CorpusPage, url: str) -> None:
        """Extract the corpus page as it is, for its word count."""
        from presswatch.extractors.article import NotArticle, extract_page
        from presswatch.extractors.options import ExtractOptions

        outcome = extract_page(page.body, url, CONTENT_TYPE, ExtractOptions()).outcome
        words = 0 if isinstance(outcome, NotArticle) else outcome.word_count
        self.report.original_words[page.name] = words

    def make(self, k: int, page: CorpusPage, url: str) -> PageCopy:
        """Copy k of `page`, made again while it is near an earlier copy: fresh words, longer
        sentences, and in shorter runs (a page of tables and lists has few long ones); after
        MAX_TRIES the last try is kept, and counted."""
        from presswatch.extractors.article import NotArticle

        attempt = 0
        while True:
            rng = random.Random(f"{self.seed}/{k}/{attempt}")
            share = RUN_SHARE * LONGER_PER_TRY**attempt
            body = with_sentences(page.body, k, rng, share, MIN_RUN_BYTES >> attempt)
            article = self._extract(body, url)
            if isinstance(article, NotArticle):  # not stored, so it cannot fold
                self.report.not_articles[article.reason] += 1
                return PageCopy(_gzip(body), is_article=False)
            is_near = self._is_near(article.fingerprint)
            if not is_near or attempt == MAX_TRIES - 1:
                self.report.still_near += is_near
                self.fingerprints.append(article.fingerprint)
                if original := self.report.original_words.get(page.name):
                    self.report.copy_words.append(article.word_count / original)
                return PageCopy(_gzip(body), is_article=True)
            self.report.remade += 1
            attempt += 1

    def _is_near(self, fingerprint: int) -> bool:
        """Within folding distance (and the margin) of a copy made before."""
        from presswatch.extractors.fingerprint import MAX_DISTANCE, distance

        far = MAX_DISTANCE + MARGIN_BITS
        return any(distance(fingerprint, other) <= far for other in self.fingerprints)

    def _extract(self, body: bytes, url: str) -> Article | NotArticle:
        """presswatch's extraction of a copy served at `url`, timed."""
        from presswatch.extractors.article import extract_page
        from presswatch.extractors.options import ExtractOptions

        started = time.perf_counter()
        outcome = extract_page(body, url, CONTENT_TYPE, ExtractOptions()).outcome
        self.report.extract_s += time.perf_counter() - started
        self.report.extractions += 1
        return outcome


def _gzip(body: bytes) -> bytes:
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(body) + compressor.flush()
