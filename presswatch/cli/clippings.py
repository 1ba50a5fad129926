"""`presswatch clippings`: list, search, show and export what is stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.console import err, highlight, marked, out, print_clipping_table
from presswatch.cli.options import parse_since
from presswatch.cli.state import AppState
from presswatch.errors import PresswatchError
from presswatch.storage.records import ClippingRecord
from presswatch.storage.review import ClippingFilter
from presswatch.storage.story_views import StoryOutlets


@click.group()
def clippings() -> None:
    """Review stored clippings: list, search, show, export."""


# the article's date, as on the review page (storage.review.ClippingFilter)
_SINCE_HELP = (
    "Dated since a date (2026-11-01) or a while ago (24h, 7d); a clipping's date is when the "
    "article was published, else when it was fetched."
)


@clippings.command("list")
@click.option("--source", help="Only this source.")
@click.option("--since", help=_SINCE_HELP)
@click.option("--topic", help="Only clippings that matched this topic.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "jsonl"]), show_default=True
)
@click.pass_obj
def clippings_list(
    state: AppState,
    source: str | None,
    since: str | None,
    topic: str | None,
    limit: int,
    offset: int,
    fmt: str,
) -> None:
    """Newest clippings first.

    \b
    Example:
      presswatch clippings list --source guardian-world --since 24h
    """
    wanted = ClippingFilter(source=source, topic=topic, date_from=parse_since(since))
    records = state.repository().list_clippings(wanted, limit=limit, offset=offset)
    if fmt == "jsonl":
        _print_jsonl(records)
        return
    print_clipping_table(records, title=f"{len(records)} clipping(s)")


@clippings.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "jsonl"]), show_default=True
)
@click.pass_obj
def clippings_search(state: AppState, query: str, limit: int, fmt: str) -> None:
    """Search titles and texts, newest first, in the topic query language: words (all must
    occur), "a phrase", prefix*, AND / OR / NOT, ( ), NEAR/n, title: text: source: url:.
    Syndicated copies are listed too.

    \b
    Example:
      presswatch clippings search '"harbour dredging" council NOT football'
    """
    records = state.repository().search(query, limit=limit)
    if fmt == "jsonl":
        _print_jsonl(records)
        return
    table = Table(title=f"{len(records)} match(es) for {query!r}", title_justify="left")
    table.add_column("id", justify="right")
    table.add_column("source")
    table.add_column("title / snippet")
    for record in records:
        cell = Text(record.title, style="bold")
        cell.append("\n")
        cell.append_text(highlight(record.snippet or ""))
        table.add_row(str(record.id), escape(record.source), cell)
    out.print(table)


@clippings.command("show")
@click.argument("clipping_id", type=int)
@click.option(
    "--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True
)
@click.pass_obj
def clippings_show(state: AppState, clipping_id: int, fmt: str) -> None:
    """One clipping with its metadata and full text.

    \b
    Example:
      presswatch clippings show 17
    """
    from presswatch.export import clipping_record

    repository = state.repository()
    record = repository.get_clipping(clipping_id)
    if record is None:
        raise PresswatchError(f"no clipping with id {clipping_id}")
    story = repository.outlets_of(record.story_id)
    if fmt == "json":
        data = clipping_record(record)
        data["story"] = None if story is None else _story_json(story)
        out.print_json(data=data)
        return
    out.print(Text(record.title, style="bold"))
    meta = [
        ("source", record.source),
        ("url", record.url),
        ("canonical", record.canonical_url),
        ("author", record.author or "-"),
        ("published", record.published.isoformat() if record.published else "-"),
        ("fetched", record.fetched.isoformat(timespec="seconds")),
        ("language", record.language or "-"),
        ("words", str(record.word_count)),
    ]
    if record.duplicate_of:
        meta.append(("duplicate of", f"clipping {record.duplicate_of}"))
    if story is not None:
        meta += [("story id", str(story.id)), ("story", _story_line(story))]
    for key, value in meta:
        out.print(Text.assemble((f"{key:>12}: ", "dim"), value))
    for match in repository.clipping_matches(record.id):
        out.print(Text.assemble((f"{'topic':>12}: ", "dim"), (match.topic, "bold")))
        for snippet in match.snippets:
            out.print(Text(" " * 14).append_text(marked(snippet.text, snippet.hits)))
    out.print()
    out.print(Text(record.text))


@clippings.command("export")
@click.option(
    "--format",
    "fmt",
    default="jsonl",
    type=click.Choice(["jsonl", "csv", "json"]),
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.option("--since", help=_SINCE_HELP)
@click.option("--topic", help="Only clippings that matched this topic.")
@click.pass_obj
def clippings_export(
    state: AppState, fmt: str, output: Path | None, since: str | None, topic: str | None
) -> None:
    """Every clipping (oldest first) as JSON Lines, CSV or JSON.

    \b
    Example:
      presswatch clippings export --format csv --output clippings.csv --since 7d
    """
    from presswatch.export import write_export

    wanted = ClippingFilter(topic=topic, date_from=parse_since(since))
    records = state.repository().iter_clippings(wanted)
    if output is None:
        write_export(records, fmt, sys.stdout)  # type: ignore[arg-type]
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        count = write_export(records, fmt, fh)  # type: ignore[arg-type]
    err.print(f"wrote {count} clipping(s) to {output}")


def _story_line(story: StoryOutlets) -> str:
    """`6 outlets (origin: market-journal, 2026-11-05T07:02:00+00:00)`."""
    outlets = len(story.sources)
    origin = f"{story.origin_source or '?'}, {story.first_seen.isoformat(timespec='seconds')}"
    return f"{outlets} outlet{'s' if outlets != 1 else ''} (origin: {origin})"


def _story_json(story: StoryOutlets) -> dict[str, object]:
    return {
        "id": story.id,
        "clippings": story.size,
        "outlets": len(story.sources),
        "sources": list(story.sources),
        "origin_id": story.origin_id,
        "origin_source": story.origin_source,
        "first_seen": story.first_seen.isoformat(),
    }


def _print_jsonl(records: list[ClippingRecord]) -> None:
    from presswatch.export import clipping_record

    for record in records:
        click.echo(json.dumps(clipping_record(record), ensure_ascii=False))
