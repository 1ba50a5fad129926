"""The `presswatch` command: parse arguments, load config, call one function, render the result.

The root group and the console-script entry point (`main`) are here; each command or group of
commands is in its own module, and the modules' commands are added to the root group below.
This package is the only part of presswatch that prints. A command's module is imported only
when that command runs (`presswatch crawl` does not load the web app or the database layer
before its crawl process starts).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click
from rich.markup import escape
from rich.text import Text

from presswatch import __version__
from presswatch.cli.console import err
from presswatch.cli.state import AppState
from presswatch.config import resolve_config_path
from presswatch.errors import PresswatchError
from presswatch.logs import LogFormat, setup_logging


class _ConsoleLogHandler(logging.Handler):
    """Log lines through the rich console, so they appear above a live progress display."""

    def emit(self, record: logging.LogRecord) -> None:
        err.print(Text(self.format(record)), soft_wrap=True)


# command name -> "module:function" under presswatch.cli, in the order `--help` lists them
COMMANDS = {
    "init": "start:init",
    "check": "start:check_command",
    "crawl": "crawl:crawl",
    "run": "service:run",
    "worker": "service:worker",
    "status": "service:status",
    "sources": "sources:sources",
    "clippings": "clippings:clippings",
    "topics": "topics:topics",
    "alerts": "alerts:alerts",
    "extract": "extract:extract",
    "demo": "demo:demo",
    "serve": "serve:serve",
}


class _LazyGroup(click.Group):
    """The root group: its commands are imported when asked for (click's lazy loading)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, name = target.split(":")
        command = getattr(importlib.import_module(f"presswatch.cli.{module}"), name)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    help="Config file (default: $PRESSWATCH_CONFIG, else ./presswatch.toml).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option(
    "--log-level",
    default="WARNING",
    show_default=True,
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
)
@click.option(
    "--log-format", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@click.version_option(__version__, prog_name="presswatch")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, debug: bool, log_level: str, log_format: LogFormat
) -> None:
    """presswatch: crawl news sources into clean, de-duplicated clippings.

    \b
    Example:
      presswatch init && presswatch crawl && presswatch clippings list
    """
    setup_logging("DEBUG" if debug else log_level, log_format, _ConsoleLogHandler())
    ctx.obj = AppState(resolve_config_path(config_path), debug)


def _one_line(exc: click.ClickException) -> str:
    """A usage error as one line: the problem, and where to read more."""
    message = " ".join(exc.format_message().split())
    if isinstance(exc, click.UsageError) and exc.ctx is not None:
        return f"{message} (see: {exc.ctx.command_path} --help)"
    return message


def main() -> None:
    """Console-script entry point: one line on stderr and the error's exit code on failure."""
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        err.print("presswatch: aborted")
        sys.exit(130)
    except click.ClickException as exc:
        err.print(f"presswatch: error: {escape(_one_line(exc))}")
        sys.exit(exc.exit_code)
    except PresswatchError as exc:
        if debug:
            raise
        err.print(f"presswatch: error: {escape(str(exc))}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("presswatch: interrupted")
        sys.exit(130)
