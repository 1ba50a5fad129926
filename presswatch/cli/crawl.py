"""`presswatch crawl`: crawl sources once, now, and print a summary."""

from __future__ import annotations

import click
from rich.markup import escape

from presswatch.cli.console import (
    child_log_level,
    deliver_and_report,
    err,
    live_progress,
    print_summary,
)
from presswatch.cli.state import AppState
from presswatch.config import Config
from presswatch.errors import ConfigError


@click.command()
@click.argument("sources", nargs=-1)
@click.pass_obj
def crawl(state: AppState, sources: tuple[str, ...]) -> None:
    """Crawl SOURCES (default: all enabled) once, now, and print a summary.

    Pages that fail are counted and listed; the exit code stays 0.

    \b
    Example:
      presswatch crawl guardian-world bbc-world
    """
    from presswatch.crawler.run import run_crawl

    config = state.config()
    selected = config.select_sources(sources)
    if not selected:
        raise ConfigError(f"{state.config_path}: no [[sources]] to crawl (add one, or enable one)")
    _report_channel_problems(config)
    if config.queue.url:  # the workers crawl, store and deliver; this waits for them
        from presswatch.clock import now_utc
        from presswatch.distributed import CrawlQueue

        queue = CrawlQueue(config)
        try:
            # one crawl, one alert per topic and channel: the workers hold the alerts of their
            # sources' crawls, and they go out from here once every source is done (as
            # without a queue: when the command ends, its alerts have been sent)
            summary = queue.crawl(config, selected, release_after_s=None)
        finally:
            queue.close()
        state.repository().release_alerts([r.run_id for r in summary.results], now_utc())
        print_summary(summary)
        deliver_and_report(state, config)
        return
    with live_progress() as on_progress:
        summary = run_crawl(config, selected, on_progress, child_log_level())
    print_summary(summary)
    deliver_and_report(state, config)


def _report_channel_problems(config: Config) -> None:
    """A channel that cannot send, said once, as a command starts (its alerts wait)."""
    from presswatch.config import channel_problems

    for problem in channel_problems(config):
        err.print(f"presswatch: warning: {escape(problem)}")
