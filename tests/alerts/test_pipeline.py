"""Topics through a real crawl: matches stored with the clipping, furniture never matched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from presswatch.config import load_config
from presswatch.crawler.run import run_crawl
from presswatch.demo import serve_demo_site, write_demo_config
from presswatch.storage.review import ClippingFilter
from tests.conftest import TestDatabases, database_toml, opened_repository

TOPICS = """
[[topics]]
name = "dredging"
query = 'dredg* AND harbour'

[[topics]]
name = "furniture-only"
# "Lighthouse keeper retires after 40 years" is only in a More for You block
query = 'lighthouse'

[[topics]]
name = "security"
query = '"security guarantee*" AND (Kaldoria OR assembly) NOT title:football'
"""


def presswatch(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "presswatch", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, module_databases: TestDatabases):  # type: ignore[no-untyped-def]
    workdir = tmp_path_factory.mktemp("topics")
    with serve_demo_site() as site:
        path = write_demo_config(workdir, site.base_url)
        demo = path.read_text()
        assert demo.startswith("[database]\n")  # the demo's own SQLite file, replaced
        rest = demo.split("\n", 2)[2]
        path.write_text(database_toml(module_databases.url("topics")) + rest + TOPICS)
        config = load_config(path)
        first = run_crawl(config, config.sources)
        second = run_crawl(config, config.sources)
    return path, first, second


def test_matches_are_stored_with_snippets_and_furniture_never_matches(crawled) -> None:  # type: ignore[no-untyped-def]
    path, first, second = crawled
    with opened_repository(load_config(path).database.url) as repository:
        stats = repository.topic_stats()
        (clipping,) = repository.list_clippings(ClippingFilter(topic="dredging"))
        matches = repository.clipping_matches(clipping.id)
    assert "furniture-only" not in stats  # the word is on the page, but not in the article
    assert stats["dredging"].matches == 1
    assert stats["security"].matches == 1
    assert "dredging" in clipping.topics
    (match,) = [m for m in matches if m.topic == "dredging"]
    assert not match.backfilled
    assert 1 <= len(match.snippets) <= 3
    marked = match.snippets[0].marked("[", "]")
    assert "[dredge" in marked or "[dredging]" in marked
    assert all(len(s.text.split()) <= 32 for s in match.snippets)
    assert first.totals.matched == sum(s.matches for s in stats.values())
    assert second.totals.matched == 0  # nothing new, nothing matched again


def test_the_page_does_mention_the_furniture_word(crawled) -> None:  # type: ignore[no-untyped-def]
    # guard for the test above: the related-links block is really there
    html = Path(__file__).resolve().parents[2] / "presswatch/seeds/demo/site/courier/2026/11"
    assert "Lighthouse keeper retires" in (html / "harbour-dredging.html").read_text()


def test_rematch_backfills_new_topics_once_and_never_as_new(crawled) -> None:  # type: ignore[no-untyped-def]
    path, _, _ = crawled
    path.write_text(path.read_text() + '\n[[topics]]\nname = "strikes"\nquery = "strike*"\n')
    result = presswatch("--config", str(path), "topics", "rematch", "strikes")
    assert result.returncode == 0, result.stderr
    # the rail strike story and its wire copy; other pages say "strike" only in related links
    assert "against 1 topic(s): 2 new match(es)" in result.stdout
    again = presswatch("--config", str(path), "topics", "rematch")
    assert "0 new match(es)" in again.stdout
    with opened_repository(load_config(path).database.url) as repository:
        strike = repository.list_clippings(ClippingFilter(topic="strikes"), limit=None)
        assert len(strike) == 2
        assert all(
            m.backfilled
            for c in strike
            for m in repository.clipping_matches(c.id)
            if m.topic == "strikes"
        )
    unknown = presswatch("--config", str(path), "topics", "rematch", "nope")
    assert unknown.returncode == 2
    assert "unknown topic 'nope'" in unknown.stderr


def test_topics_list_and_export_by_topic(crawled) -> None:  # type: ignore[no-untyped-def]
    path, _, _ = crawled
    listing = json.loads(
        presswatch("--config", str(path), "topics", "list", "--format", "json").stdout
    )
    by_name = {row["name"]: row for row in listing}
    assert by_name["dredging"]["matches"] == 1
    assert by_name["dredging"]["last_match"]
    assert by_name["furniture-only"]["matches"] == 0
    exported = presswatch("--config", str(path), "clippings", "export", "--topic", "security")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 1
    assert "security" in rows[0]["topics"]
    assert "security guarantees" in rows[0]["text"]


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (
            ["harbour AND dredg*", "--text", "The harbour will be dredged."],
            0,
            "match (1 snippet(s))",
        ),
        (["lighthouse", "--text", "The harbour will be dredged."], 1, "no match"),
        (["(harbour", "--text", "x"], 2, "query error at column 9: expected ')'"),
    ],
)
def test_topics_test_exit_codes(args: list[str], code: int, expected: str) -> None:
    result = presswatch("topics", "test", *args)
    assert result.returncode == code
    assert expected in result.stdout + result.stderr


def test_topics_test_on_a_saved_page_ignores_its_furniture() -> None:
    page = (
        Path(__file__).resolve().parents[2]
        / "presswatch/seeds/demo/site/courier/2026/11/harbour-dredging.html"
    )
    assert presswatch("topics", "test", "lighthouse", "--file", str(page)).returncode == 1
    found = presswatch("topics", "test", "dredg*", "--file", str(page))
    assert found.returncode == 0
    assert "snippet" in found.stdout
