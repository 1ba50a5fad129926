"""`presswatch extract`: run saved files and live URLs through the extractor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from presswatch.config import CrawlConfig
from presswatch.errors import PresswatchError
from presswatch.extractors.article import NotArticle, extract_page
from presswatch.extractors.furniture import Removal
from presswatch.extractors.options import ExtractOptions
from presswatch.fetch import fetch_page
from presswatch.model import Article


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    page: str  # the file or URL as given
    outcome: Article | NotArticle | None = None
    error: str | None = None
    removed: tuple[Removal, ...] = ()  # what was dropped as furniture, and by which rule

    def as_dict(self, *, explain: bool = False) -> dict[str, object]:
        """The `extract --format json(l)` object: SPEC fields first, then the rest (with
        `explain`, `removed`: what was dropped as furniture, as {"rule", "text"} objects)."""
        fields = self._fields()
        if explain:
            fields["removed"] = [{"rule": r.rule, "text": r.text} for r in self.removed]
        return fields

    def _fields(self) -> dict[str, object]:
        outcome = self.outcome
        if isinstance(outcome, Article):
            return {
                "url": outcome.url,
                "title": outcome.title,
                "author": outcome.author,
                "published": outcome.published.isoformat() if outcome.published else None,
                "language": outcome.language,
                "text": outcome.text,
                "is_article": True,
                "canonical_url": outcome.canonical_url,
                "site_name": outcome.site_name,
                "description": outcome.description,
                "image": outcome.image,
                "word_count": outcome.word_count,
            }
        reason = outcome.reason if outcome else self.error
        return {
            "url": self.page,
            "title": None,
            "author": None,
            "published": None,
            "language": None,
            "text": None,
            "is_article": False,
            "reason": reason,
        }


def extract_pages(
    pages: Sequence[str], crawl: CrawlConfig, options: ExtractOptions
) -> list[ExtractedPage]:
    """Each page's article, and what was dropped from it; a page that cannot be read gets
    `error`, the others go on."""
    results = []
    for page in pages:
        try:
            if page.startswith(("http://", "https://")):
                fetched = fetch_page(page, crawl)
                body, url, content_type = fetched.body, fetched.url, fetched.content_type
            else:
                body, url, content_type = _read_file(page), page, None
            removed: list[Removal] = []
            outcome = extract_page(body, url, content_type, options, removed).outcome
            results.append(ExtractedPage(page, outcome, removed=tuple(removed)))
        except PresswatchError as exc:
            results.append(ExtractedPage(page, error=str(exc)))
    return results


def _read_file(page: str) -> bytes:
    path = Path(page)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PresswatchError(f"{page}: cannot read ({exc.strerror})") from exc
    if path.suffix == ".gz":
        import gzip

        return gzip.decompress(data)
    return data
