"""The README stays true: its commands exist, its config table names every key."""

from __future__ import annotations

import re
from pathlib import Path

import click

from presswatch.cli import cli
from presswatch.config import (
    AlertsConfig,
    CrawlConfig,
    ExtractConfig,
    HealthConfig,
    SourceConfig,
)

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


_CONTEXT = click.Context(cli)


def _command_exists(words: list[str]) -> bool:
    command: click.Command | None = cli
    for word in words:
        if not isinstance(command, click.Group):
            return False
        command = command.get_command(_CONTEXT, word)  # the root group loads it on demand
    return command is not None


def test_every_command_in_the_command_table_exists() -> None:
    section = README.split("## Commands", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `presswatch ([a-z ]+?)(?: [A-Z\[].*?)?`", section, flags=re.M)
    assert len(rows) >= 8
    for row in rows:
        assert _command_exists(row.split()), row


def _all_commands(group: click.Group, prefix: str) -> list[str]:
    names = []
    for name in group.list_commands(_CONTEXT):
        command = group.get_command(_CONTEXT, name)
        if isinstance(command, click.Group):
            names += _all_commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    names = _all_commands(cli, "presswatch")
    assert "presswatch topics test" in names
    for name in names:
        assert f"`{name}" in README, name


def test_quick_start_has_the_two_commands_and_ci_runs_the_test_one() -> None:
    assert "./dev demo" in README
    assert "./dev test" in README
    ci = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text()
    assert "./dev test" in ci


def test_every_config_key_is_in_the_readme() -> None:
    for section, model in (
        ("crawl", CrawlConfig),
        ("extract", ExtractConfig),
        ("alerts", AlertsConfig),
        ("health", HealthConfig),
    ):
        for key in model.model_fields:
            assert f"`[{section}] {key}`" in README, key
    for key in SourceConfig.model_fields:
        assert re.search(rf"`\[\[sources\]\] [^|]*\b{key}\b", README), key
