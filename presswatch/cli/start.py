"""Getting started: `presswatch init` writes a starter config, `presswatch check` checks it
and reaches what it names."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from presswatch.cli.console import out
from presswatch.cli.state import AppState


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite an existing presswatch.toml.")
def init(directory: Path, force: bool) -> None:
    """Write a commented starter presswatch.toml into DIRECTORY (default: here).

    \b
    Example:
      presswatch init ~/monitoring
    """
    from presswatch.starter import write_starter

    path = write_starter(directory, overwrite=force)
    out.print(escape(f"wrote {path}: edit the [[sources]], then run `presswatch crawl`"))


@click.command("check")
@click.pass_obj
def check_command(state: AppState) -> None:
    """Check the config, and reach the database and every channel (no alert is sent).

    One line per thing checked; exit 0 when all is well, 1 when something cannot be
    reached or a channel cannot send, 2 when the config itself is wrong.

    \b
    Example:
      presswatch check && presswatch run
    """
    from presswatch.check import check

    config = state.config()
    findings = check(config)
    for finding in findings:
        mark = "ok     " if finding.ok else "problem"
        out.print(f"{mark}  {escape(finding.line)}", soft_wrap=True)
    if not all(finding.ok for finding in findings):
        sys.exit(1)
