"""The demo is the first thing a new user runs: it must work offline and show clean clippings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from presswatch.demo import run_demo, serve_demo_site
from tests.pages import FURNITURE_LINES

DEMO_FURNITURE = (
    *FURNITURE_LINES,
    "Accept all",
    "Manage preferences",
    "Lighthouse keeper",
    "Privacy",
    "Copy link",
)


def test_demo_crawls_every_publisher_cleanly_and_then_nothing_new(tmp_path: Path) -> None:
    result = run_demo(tmp_path)
    clippings = result.clippings
    by_source = {
        name: [c for c in clippings if c.source == name]
        for name in ("harbour-courier", "northfield-daily", "valley-wire", "metro-ledger")
    }
    assert {name: len(items) for name, items in by_source.items()} == {
        "harbour-courier": 5,
        "northfield-daily": 3,
        "valley-wire": 4,
        "metro-ledger": 4,
    }
    # the wire copy of the rail strike story is folded into the Courier's original
    (copy,) = [c for c in clippings if c.duplicate_of is not None]
    original = next(c for c in clippings if c.id == copy.duplicate_of)
    assert {copy.source, original.source} == {"valley-wire", "harbour-courier"}
    assert "rail" in copy.title.lower()
    assert "rail" in original.title.lower()
    # no tag page, no robots-forbidden draft, no furniture
    assert not any("tag" in c.url or "/private/" in c.url for c in clippings)
    for clipping in clippings:
        assert clipping.published is not None
        assert clipping.author
        for line in DEMO_FURNITURE:
            assert line not in clipping.text, (clipping.url, line)
        assert "utm_" not in clipping.canonical_url
    assert {name: stats.matches for name, stats in result.topics.items()} == {
        "security-guarantees": 1,
        "rail-strikes": 2,
        "harbour": 1,
    }
    rail = [c for c in clippings if "rail-strikes" in c.topics]
    assert {c.source for c in rail} == {"harbour-courier", "valley-wire"}
    # every Ledger article links the others: each is still one discovery, fetched once
    ledger = next(r for r in result.first.results if r.source == "metro-ledger")
    assert ledger.counts.discovered == 4
    assert ledger.counts.fetched == 4
    # every topic's alert arrived once at each channel; the second crawl sent nothing more
    assert sorted(str(m["Subject"]) for m in result.emails) == [
        "[presswatch] harbour: 1 new clipping",
        "[presswatch] rail-strikes: 1 new clipping, 2 outlets",  # the wire copy is listed
        "[presswatch] security-guarantees: 1 new clipping",
    ]
    assert sorted(c.body["topic"] for c in result.webhook_calls) == [
        "harbour",
        "rail-strikes",
        "security-guarantees",
    ]
    (rail_alert,) = [c.body for c in result.webhook_calls if c.body["topic"] == "rail-strikes"]
    assert len(rail_alert["clippings"][0]["also_in"]) == 1
    assert result.first.totals.errors == 0
    assert result.second.totals.stored == 0
    assert result.second.totals.fetched == 0


def test_demo_site_serves_feeds_with_its_own_address() -> None:
    with serve_demo_site() as site:
        import urllib.request

        with urllib.request.urlopen(site.url("/courier/feed.xml")) as response:
            feed = response.read().decode()
    assert site.base_url in feed
    assert "__BASE__" not in feed


def test_demo_command_runs_offline(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "presswatch", "demo", "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "16 clippings stored" in result.stdout
    assert "alerts that arrived: 3 email(s)" in result.stdout
    assert "topics (matched on article text only)\n" in result.stdout  # one line, not wrapped
    assert "second crawl of the unchanged site" in result.stdout
    assert (tmp_path / "demo.db").is_file()
