"""Clippings as the SPEC's export records: JSON Lines, CSV or one JSON array."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Literal, TextIO

from presswatch.storage.records import ClippingRecord

ExportFormat = Literal["jsonl", "csv", "json"]
FIELDS = (
    "id",
    "url",
    "canonical_url",
    "source",
    "title",
    "author",
    "published",
    "fetched",
    "language",
    "text",
    "topics",
    "duplicate_of",
)


def clipping_record(clipping: ClippingRecord) -> dict[str, object]:
    """One clipping with the SPEC's export fields (times in ISO 8601)."""
    return {
        "id": clipping.id,
        "url": clipping.url,
        "canonical_url": clipping.canonical_url,
        "source": clipping.source,
        "title": clipping.title,
        "author": clipping.author,
        "published": clipping.published.isoformat() if clipping.published else None,
        "fetched": clipping.fetched.isoformat(),
        "language": clipping.language,
        "text": clipping.text,
        "topics": sorted(clipping.topics),
        "duplicate_of": clipping.duplicate_of,
    }


# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """A scraped title like `=HYPERLINK("http://evil", "click")` must stay text when the CSV is
    opened in a spreadsheet: such cells get a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_text(clippings: Iterable[ClippingRecord], fmt: ExportFormat) -> Iterator[str]:
    """The export piece by piece (a CSV header or JSON bracket, then one piece per clipping),
    for writing to a file or streaming as an HTTP response."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDS)
        writer.writeheader()
        for clipping in clippings:
            row = clipping_record(clipping)
            row["topics"] = ";".join(row["topics"])  # type: ignore[arg-type]
            writer.writerow({name: _inert(value) for name, value in row.items()})
            yield _drain(buffer)
        yield _drain(buffer)
        return
    if fmt == "json":
        yield "["
        separator = "\n"
        for clipping in clippings:
            yield separator + json.dumps(clipping_record(clipping), ensure_ascii=False)
            separator = ",\n"
        yield "\n]\n"
        return
    for clipping in clippings:
        yield json.dumps(clipping_record(clipping), ensure_ascii=False) + "\n"


def write_export(clippings: Iterable[ClippingRecord], fmt: ExportFormat, out: TextIO) -> int:
    """Write every clipping to `out`; returns how many were written."""
    count = 0

    def counted() -> Iterator[ClippingRecord]:
        nonlocal count
        for clipping in clippings:
            count += 1
            yield clipping

    for piece in export_text(counted(), fmt):
        out.write(piece)
    return count


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
