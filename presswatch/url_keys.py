"""The form under which presswatch remembers a URL (a module of its own: the crawl process
needs it for every link it finds, and must not load the extractor to get it)."""

from __future__ import annotations

from courlan import normalize_url


def url_key(url: str) -> str:
    """The form under which a URL is remembered: normalised, without tracking parameters."""
    try:
        return normalize_url(url, strict=True)
    except ValueError:
        return url.strip()
