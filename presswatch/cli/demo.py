"""`presswatch demo`: the self-contained tour."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.console import live_progress, out, print_clipping_table, print_summary


@click.command()
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep the demo database and config in this directory.",
)
def demo(keep: Path | None) -> None:
    """A self-contained tour: serve the bundled demo site on 127.0.0.1, crawl it twice,
    show the clippings. Needs no network.

    \b
    Example:
      presswatch demo --keep ./demo
    """
    from presswatch.demo import run_demo

    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        workdir_cm: Any = _nullcontext(keep)
    else:
        workdir_cm = tempfile.TemporaryDirectory(prefix="presswatch-demo-")
    with workdir_cm as workdir:
        with live_progress() as on_progress:
            result = run_demo(Path(workdir), on_progress)
        # printed after the live display has gone, so the two never mix
        out.print(f"demo site served at {result.site_url} (four fictional publishers)")
        print_summary(result.first, "first crawl: everything is new")
        print_summary(result.second, "second crawl of the unchanged site: nothing downloaded twice")
        print_clipping_table(list(result.clippings), f"{len(result.clippings)} clippings stored")
        if result.clippings:
            first = result.clippings[0]
            out.rule(f"clipping {first.id}: {escape(first.title)}")
            out.print(Text(first.text))
        title = "topics (matched on article text only)"
        # as wide as its title: a narrow table would wrap the title onto two lines
        topic_table = Table(title=title, title_justify="left", min_width=len(title))
        topic_table.add_column("topic")
        topic_table.add_column("matches", justify="right")
        for name, stats in result.topics.items():
            topic_table.add_row(name, str(stats.matches))
        out.print(topic_table)
        out.print(
            f"alerts that arrived: {len(result.emails)} email(s) at the demo's SMTP "
            f"server, {len(result.webhook_calls)} webhook call(s) at its receiver"
        )
        for email in result.emails:
            out.print(f"  email   {escape(str(email['Subject']))}  (to {escape(str(email['To']))})")
        for call in result.webhook_calls:
            titles = ", ".join(c["title"] for c in call.body["clippings"])
            out.print(
                f"  webhook {call.body['topic']}: {escape(titles)}  "
                f"(delivery {call.headers.get('X-Presswatch-Delivery', '?')[:12]}…)"
            )
        if keep is not None:
            out.print(f"kept: presswatch --config {result.config_path} clippings list")


@contextmanager
def _nullcontext(value: Path) -> Iterator[Path]:
    yield value
