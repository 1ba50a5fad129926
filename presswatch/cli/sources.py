"""`presswatch sources`: each source's coverage and health."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from presswatch.cli.console import out
from presswatch.cli.state import AppState
from presswatch.errors import ConfigError

_BARS = "▁▂▃▄▅▆▇█"


@click.command()
@click.argument("names", nargs=-1, metavar="[SOURCE]...")
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True
)
@click.pass_obj
def sources(state: AppState, names: tuple[str, ...], fmt: str) -> None:
    """Per source: its last crawl (requests, errors by kind), the share of article pages kept
    (yield), of clippings with a date and an author, their median length, the newest
    clipping, 30 days of yield, and its health.

    \b
    Example:
      presswatch sources --format json
    """
    from presswatch.storage.coverage import DAYS, SourceFigures

    config = state.config()
    figures = state.repository().source_figures()
    configured = [s.name for s in config.sources]
    wanted = list(names) or sorted(set(configured) | set(figures))
    unknown = [n for n in wanted if n not in figures and n not in configured]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r} (known: {', '.join(configured)})")
    rows = [figures.get(name) or SourceFigures(name) for name in wanted]
    if fmt == "json":
        click.echo(json.dumps([_as_dict(row) for row in rows], ensure_ascii=False, indent=2))
        return
    table = Table(title="sources", title_justify="left")
    for column in (
        "source",
        "health",
        "last crawl",
        "requests",
        "errors",
        "yield",
        "dated",
        "author",
        "words",
        "newest clipping",
        "30 days",
    ):
        right = column in ("requests", "errors", "yield", "dated", "author", "words")
        table.add_column(
            column,
            justify="right" if right else "left",
            no_wrap=column in ("30 days", "source"),
            min_width=DAYS if column == "30 days" else None,
        )
    for row in rows:
        health = "[green]ok[/]" if not row.events else f"[red]{escape(row.health)}[/]"
        errors = ", ".join(f"{k} {n}" for k, n in sorted(row.error_kinds.items()))
        table.add_row(
            escape(row.name),
            health,
            _when(row.last_started) + (f" {row.last_status}" if row.last_status else ""),
            str(row.requests),
            f"[red]{row.failed}[/] ({escape(errors)})" if row.failed else "0",
            _share(row.yield_share),
            _share(row.dated_share),
            _share(row.authored_share),
            "-" if row.median_words is None else str(row.median_words),
            _when(row.newest_clipping),
            sparkline(row.daily_yield),
        )
    out.print(table)
    for row in rows:
        for event in row.events:
            out.print(f"[red]{event.kind}[/] since {_when(event.since)}: {escape(event.message)}")
        for feed in row.feeds:  # the feeds and sitemaps that did not answer as they should
            if feed.status not in (200, 304) or feed.moved_to or feed.error:
                answer = "no answer" if feed.status == 0 else f"HTTP {feed.status}"
                moved = f", moved to {feed.moved_to}" if feed.moved_to else ""
                problem = f": {feed.error}" if feed.error else ""
                out.print(
                    f"{escape(row.name)} {feed.kind} {escape(feed.url)}: {answer}"
                    f"{escape(moved)}{escape(problem)}"
                )


def sparkline(values: tuple[float | None, ...]) -> str:
    """One character per day: the day's yield as a bar's height; "·" for a day without pages."""
    return "".join(
        "·" if v is None else _BARS[min(len(_BARS) - 1, int(v * len(_BARS)))] for v in values
    )


def _as_dict(row: Any) -> dict[str, Any]:
    return {
        "name": row.name,
        "health": row.health,
        "health_events": [
            {
                "kind": e.kind,
                "since": e.since.isoformat(),
                "opened": e.opened_at.isoformat(),
                "message": e.message,
            }
            for e in row.events
        ],
        "last_crawl": row.last_started.isoformat() if row.last_started else None,
        "last_status": row.last_status,
        "requests": row.requests,
        "errors": row.failed,
        "errors_by_kind": row.error_kinds,
        "robots_refused": row.robots,
        "new_clippings": row.new_clippings,
        "yield": _round(row.yield_share),
        "pages_fetched": row.pages_fetched,
        "pages_kept": row.pages_kept,
        "dated": _round(row.dated_share),
        "authored": _round(row.authored_share),
        "median_words": row.median_words,
        "newest_clipping": row.newest_clipping.isoformat() if row.newest_clipping else None,
        "daily_yield": [_round(v) for v in row.daily_yield],
        "feeds": [
            {
                "url": f.url,
                "kind": f.kind,
                "status": f.status,
                "entries": f.entries,
                "new_links": f.new_links,
                "moved_to": f.moved_to,
                "error": f.error,
            }
            for f in row.feeds
        ],
        "poll_interval_s": row.poll_interval_s,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")
