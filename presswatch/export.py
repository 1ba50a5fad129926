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
    "story_id",
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
        # copies, rewrites and other outlets' reports of one story share it (None: stored
        # before stories were kept)
        "story_id": clipping.story_id,
    }


# a spreadsheet runs a cell that starts with one of these as a formula
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    """A scraped title like `=HYPERLINK("http://evil", "click")` must stay text when the CSV is
    opened in a spreadsheet: such cells get a leading apostrophe (OWASP's advice for CSV)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_PIECE_CHARS = 64 * 1024  # what is handed on at a time (a file write, a chunk of the response)


def _csv_row(clipping: ClippingRecord) -> list[object]:
    published = clipping.published.isoformat() if clipping.published else None
    return [
        clipping.id,
        _inert(clipping.url),
        _inert(clipping.canonical_url),
        _inert(clipping.source),
        _inert(clipping.title),
        _inert(clipping.author),
        published,
        clipping.fetched.isoformat(),
        _inert(clipping.language),
        _inert(clipping.text),
        _inert(";".join(sorted(clipping.topics))),
        clipping.duplicate_of,
        clipping.story_id,
    ]


def export_text(clippings: Iterable[ClippingRecord], fmt: ExportFormat) -> Iterator[str]:
    """The export piece by piece (about 64 KB each, the last one whatever is left), for
    writing to a file or streaming as an HTTP response; nothing is held but the piece."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(FIELDS)
        for clipping in clippings:
            writer.writerow(_csv_row(clipping))
            if buffer.tell() >= _PIECE_CHARS:
                yield _drain(buffer)
        yield _drain(buffer)
        return
    pieces: list[str] = []
    size = 0
    if fmt == "json":
        pieces.append("[")
    separator = "\n" if fmt == "json" else ""
    for clipping in clippings:
        piece = separator + json.dumps(clipping_record(clipping), ensure_ascii=False)
        if fmt == "json":
            separator = ",\n"
        else:
            piece += "\n"
        pieces.append(piece)
        size += len(piece)
        if size >= _PIECE_CHARS:
            yield "".join(pieces)
            pieces, size = [], 0
    if fmt == "json":
        pieces.append("\n]\n")
    yield "".join(pieces)


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
