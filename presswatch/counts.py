"""What a crawl counts, per source, and the summary the CLI renders."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(slots=True)
class CrawlCounts:
    """Running counts of one source's crawl.

    discovered: article URLs found in feeds, sitemaps and followed links; known: of those,
    already stored (not downloaded again); fetched: article pages downloaded; not_modified:
    feeds and sitemaps answered 304; extracted: pages that were articles; not_articles: pages
    that were not (index pages, stubs, non-HTML); stored: new clippings; duplicates: of those,
    near-identical to an earlier clipping; matched: topic matches of the new clippings;
    errors: failed URLs; blocked: URLs refused because they lead to an internal address;
    robots: URLs robots.txt forbids; requests: URLs asked for (answered or failed).
    """

    discovered: int = 0
    known: int = 0
    fetched: int = 0
    not_modified: int = 0
    extracted: int = 0
    not_articles: int = 0
    stored: int = 0
    duplicates: int = 0
    matched: int = 0
    errors: int = 0
    blocked: int = 0
    robots: int = 0
    requests: int = 0

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def add(self, other: CrawlCounts) -> None:
        for name in COUNT_NAMES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNT_NAMES = tuple(f.name for f in fields(CrawlCounts))
# the crawl summary's columns (requests and robots refusals are shown by `presswatch sources`)
SUMMARY_COUNTS = tuple(n for n in COUNT_NAMES if n not in ("requests", "robots"))


@dataclass(slots=True)
class ClippingStats:
    """What a crawl run's new clippings were like: how many had a date, an author, and their
    lengths in words (the median is stored)."""

    dated: int = 0
    authored: int = 0
    word_counts: list[int] = field(default_factory=list)

    def add(self, has_date: bool, has_author: bool, words: int) -> None:
        self.dated += has_date
        self.authored += has_author
        self.word_counts.append(words)

    @property
    def median_words(self) -> int | None:
        if not self.word_counts:
            return None
        ordered = sorted(self.word_counts)
        return ordered[len(ordered) // 2]


@dataclass(frozen=True, slots=True)
class FeedFetchRecord:
    """A feed or sitemap as a crawl run fetched it (status 0: no answer)."""

    url: str
    kind: str  # feed, sitemap
    status: int
    entries: int = 0
    new_links: int = 0
    moved_to: str | None = None  # a permanent redirect's target
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ErrorLine:
    source: str
    url: str
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class SourceResult:
    source: str
    run_id: int
    status: str  # finished, failed
    duration_s: float
    counts: CrawlCounts

    def __str__(self) -> str:
        """The service's one line per crawl."""
        c = self.counts
        return (
            f"crawl {self.source} {self.status} in {self.duration_s:.1f} s: {c.stored} new, "
            f"{c.duplicates} duplicates, {c.fetched} fetched, {c.errors} errors"
        )


@dataclass(frozen=True, slots=True)
class CrawlSummary:
    results: tuple[SourceResult, ...]
    errors: tuple[ErrorLine, ...] = field(default=())
    # CPU seconds by stage, named by the process they ran in: "crawl:storage",
    # "worker:extraction", "worker:matching", "worker:index" (for the benchmarks)
    stage_cpu_s: dict[str, float] = field(default_factory=dict)

    @property
    def totals(self) -> CrawlCounts:
        total = CrawlCounts()
        for result in self.results:
            total.add(result.counts)
        return total
