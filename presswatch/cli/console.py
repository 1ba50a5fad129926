"""The consoles every command prints on (the `presswatch` command is the only part of
presswatch that prints), and what several commands print alike: crawl summaries and progress,
delivery reports, tables of clippings, marked snippets."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.state import AppState
from presswatch.config import Config
from presswatch.counts import SUMMARY_COUNTS, CrawlCounts, CrawlSummary

if TYPE_CHECKING:
    from presswatch.storage.records import ClippingRecord

# piped output (files, CI logs) gets a fixed, wide page instead of rich's 80 columns
_PIPE_WIDTH = 160
out = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPE_WIDTH)
# soft_wrap: an error or warning is one line, however narrow the terminal (SPEC)
err = Console(
    stderr=True,
    highlight=False,
    soft_wrap=True,
    width=None if sys.stderr.isatty() else _PIPE_WIDTH,
)

_PROGRESS_COLUMNS = ("discovered", "fetched", "extracted", "stored", "duplicates", "errors")


def deliver_and_report(
    state: AppState, config: Config, *, to: Console | None = None, **options: Any
) -> None:
    """Send what the outbox holds that is due; one line of figures, one line per failure (on
    `to`: standard output unless told)."""
    from presswatch.alerts.deliver import build_channels, deliver

    if not config.channels:
        return
    console = to or out
    report = deliver(state.repository(), config, build_channels(config), **options)
    console.print(str(report))
    for line in report.errors:
        console.print(f"  {escape(line)}", soft_wrap=True)


def child_log_level() -> int:
    return logging.getLogger().getEffectiveLevel()


@contextmanager
def live_progress() -> Iterator[Any]:
    if not err.is_terminal:
        yield None
        return
    with Live(_progress_table({}), console=err, refresh_per_second=4, transient=True) as live:
        yield lambda progress: live.update(_progress_table(progress.counts))


def _progress_table(counts: dict[str, CrawlCounts]) -> Table:
    table = Table(title="crawling", title_justify="left", box=None)
    table.add_column("source")
    for name in _PROGRESS_COLUMNS:
        table.add_column(name, justify="right")
    for source, c in counts.items():
        table.add_row(source, *(str(getattr(c, n)) for n in _PROGRESS_COLUMNS))
    return table


def print_summary(summary: CrawlSummary, title: str = "crawl summary") -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("source")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    for name in SUMMARY_COUNTS:
        table.add_column(name.replace("_", " "), justify="right")
    for result in summary.results:
        status = result.status if result.status == "finished" else f"[red]{result.status}[/]"
        table.add_row(
            escape(result.source),
            status,
            f"{result.duration_s:.1f}",
            *(count_cell(n, getattr(result.counts, n)) for n in SUMMARY_COUNTS),
        )
    if len(summary.results) > 1:
        totals = summary.totals
        table.add_row("[b]total[/]", "", "", *(str(getattr(totals, n)) for n in SUMMARY_COUNTS))
    out.print(table)
    if summary.errors:
        out.print(f"[b]{len(summary.errors)} error(s):[/]")
        for error in summary.errors[:50]:
            out.print(
                f"  {escape(error.source)}  {error.kind}  {escape(error.url)}  "
                f"{escape(error.message)}",
                soft_wrap=True,
            )
        if len(summary.errors) > 50:
            out.print(f"  ... and {len(summary.errors) - 50} more")


def count_cell(name: str, value: int) -> str:
    return f"[red]{value}[/]" if name == "errors" and value else str(value)


def marked(text: str, hits: tuple[tuple[int, int], ...]) -> Text:
    rendered = Text(text)
    for start, end in hits:
        rendered.stylize("bold yellow", start, end)
    return rendered


def highlight(snippet: str) -> Text:
    """Search hits (between HIT_START and HIT_END) as bold text."""
    from presswatch.storage.search import HIT_END, HIT_START

    text = Text()
    for n, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet.replace("\n", " "))):
        text.append(part, style="bold yellow" if n % 2 else "")
    return text


def print_clipping_table(records: list[ClippingRecord], title: str) -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("published")
    table.add_column("source")
    table.add_column("title")
    for record in records:
        when = record.published or record.fetched
        title_cell = Text(record.title)
        if record.duplicate_of:
            title_cell.append(f"  (copy of {record.duplicate_of})", style="dim")
        table.add_row(
            str(record.id), when.strftime("%Y-%m-%d %H:%M"), escape(record.source), title_cell
        )
    out.print(table)
