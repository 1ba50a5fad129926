"""Clippings as the SPEC's export records: JSON Lines, CSV or one JSON array."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Literal, TextIO

from presswatch.storage.repository import ClippingRecord

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


def write_export(clippings: Iterable[ClippingRecord], fmt: ExportFormat, out: TextIO) -> int:
    """Write every clipping to `out`; returns how many were written."""
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        for clipping in clippings:
            row = clipping_record(clipping)
            row["topics"] = ";".join(row["topics"])  # type: ignore[arg-type]
            writer.writerow(row)
            count += 1
        return count
    if fmt == "json":
        out.write("[")
        for clipping in clippings:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(clipping_record(clipping), ensure_ascii=False))
            count += 1
        out.write("\n]\n")
        return count
    for clipping in clippings:
        out.write(json.dumps(clipping_record(clipping), ensure_ascii=False) + "\n")
        count += 1
    return count
