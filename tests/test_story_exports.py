"""`story_id` in every export format (command line and web page), and the story in
`clippings show` and `clippings list`: copies and rewrites of one story share it, another
story has another."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from presswatch.ingest import AddResult
from tests.conftest import TestDatabases, database_toml, opened_repository
from tests.test_cli import presswatch
from tests.web.story_room import HALVORSEN_OUTLETS, store_stories


@pytest.fixture
def stored_config(tmp_path: Path, databases: TestDatabases) -> tuple[Path, dict[str, AddResult]]:
    """A config over a database holding two stories: (its path, what was stored)."""
    url = databases.url("stories")
    path = tmp_path / "presswatch.toml"
    path.write_text(database_toml(url), encoding="utf-8")
    with opened_repository(url) as repository:
        stored = store_stories(repository)
    return path, stored


def run(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as in tests/test_cli.py."""
    result = presswatch("--config", str(config), *args)
    assert result.returncode == 0, result.stderr
    return result


def exported(config: Path, fmt: str) -> list[dict[str, object]]:
    text = run(config, "clippings", "export", "--format", fmt).stdout
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "json":
        rows: list[dict[str, object]] = json.loads(text)
        return rows
    return [
        {**row, "id": int(row["id"]), "story_id": int(row["story_id"])}
        for row in csv.DictReader(io.StringIO(text))
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_every_export_format_carries_the_story(
    stored_config: tuple[Path, dict[str, AddResult]], fmt: str
) -> None:
    config, stored = stored_config
    story_of = {row["id"]: row["story_id"] for row in exported(config, fmt)}
    assert len(story_of) == len(stored)
    halvorsen = {story_of[stored[key].clipping_id] for key in stored if key.startswith("s05")}
    budget = {story_of[stored[key].clipping_id] for key in stored if key.startswith("s01")}
    # the origin, verbatim copies, rewrites and the own report: one story
    assert halvorsen == {stored["s05-a"].story_id}
    assert budget == {stored["s01-a"].story_id}
    assert halvorsen != budget


def test_clippings_show_names_the_story_and_its_origin(
    stored_config: tuple[Path, dict[str, AddResult]],
) -> None:
    config, stored = stored_config
    rewrite = stored["s05-d"]
    text = run(config, "clippings", "show", str(rewrite.clipping_id)).stdout
    assert f"story id: {rewrite.story_id}\n" in text
    assert "story: 6 outlets (origin: market-journal, 2026-11-05T07:02:00+00:00)" in text
    shown = json.loads(
        run(config, "clippings", "show", str(rewrite.clipping_id), "--format", "json").stdout
    )
    assert shown["story_id"] == rewrite.story_id
    assert shown["story"] == {
        "id": rewrite.story_id,
        "clippings": 6,
        "outlets": 6,
        "sources": list(HALVORSEN_OUTLETS),
        "origin_id": stored["s05-a"].clipping_id,
        "origin_source": "market-journal",
        "first_seen": "2026-11-05T07:02:00+00:00",
    }


def test_clippings_list_as_json_lines_carries_the_story(
    stored_config: tuple[Path, dict[str, AddResult]],
) -> None:
    config, stored = stored_config
    lines = run(config, "clippings", "list", "--format", "jsonl").stdout.splitlines()
    story_of = {row["id"]: row["story_id"] for row in map(json.loads, lines)}
    assert story_of == {result.clipping_id: result.story_id for result in stored.values()}
