"""What a page needs to count as an article, and what to drop from it: a small module of its
own, so that the crawl process can make these options without importing the extractor
(trafilatura loads only in the extraction workers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from presswatch.config import ExtractConfig, SourceConfig


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """What a page needs to count as an article, and what else to drop from it: lines and
    related-content labels (`[extract]`), and the source's own CSS selectors (`exclude`)."""

    min_words: int = 40
    drop_lines: tuple[str, ...] = ()
    drop_blocks: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, extract: ExtractConfig, source: SourceConfig | None = None) -> ExtractOptions:
        """The options for the pages of `source` (or of no source in particular)."""
        return cls(
            min_words=extract.min_words,
            drop_lines=extract.drop_lines,
            drop_blocks=extract.drop_blocks,
            exclude=source.exclude if source else (),
        )
