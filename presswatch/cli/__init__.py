"""The `presswatch` command: parse arguments, load config, call one function, render the result.

The root group and the console-script entry point (`main`) are here; each command or group of
commands is in its own module, and the modules' commands are added to the root group below.
This package is the only part of presswatch that prints.
"""

from __future__ import annotations

import logging
import sys

import click
from rich.markup import escape
from rich.text import Text

from presswatch import __version__
from presswatch.cli import alerts, clippings, crawl, demo, extract, serve, service, start, topics
from presswatch.cli.console import err
from presswatch.cli.state import AppState
from presswatch.config import resolve_config_path
from presswatch.errors import PresswatchError
from presswatch.logs import LogFormat, setup_logging


class _ConsoleLogHandler(logging.Handler):
    """Log lines through the rich console, so they appear above a live progress display."""

    def emit(self, record: logging.LogRecord) -> None:
        err.print(Text(self.format(record)), soft_wrap=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


for command in (
    start.init,
    start.check_command,
    crawl.crawl,
    service.run,
    service.worker,
    service.status,
    clippings.clippings,
    topics.topics,
    alerts.alerts,
    extract.extract,
    demo.demo,
    serve.serve,
):
    cli.add_command(command)
