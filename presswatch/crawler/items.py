"""What the spider hands to the pipeline, and the Request.meta keys it marks requests with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

KIND = "presswatch_kind"  # Request.meta: feed, sitemap, listing, article


@dataclass(slots=True)
class PageItem:
    """One downloaded page that may be an article."""

    url: str  # after redirects
    request_url: str  # as discovered
    body: bytes
    content_type: str | None
    discovered_via: str  # feed, sitemap, link
    hint_published: datetime | None = None  # from the feed entry or sitemap, if any
    etag: str | None = None  # the response's validators: a page that stalls extraction is
    last_modified: str | None = None  # remembered with them, and skipped until they change
