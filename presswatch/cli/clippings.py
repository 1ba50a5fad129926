"""`presswatch clippings`: list, search, show and export what is stored."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.console import (
    deliver_and_report,
    err,
    highlight,
    marked,
    out,
    print_clipping_table,
)
from presswatch.cli.options import parse_since
from presswatch.cli.state import AppState
from presswatch.errors import PresswatchError
from presswatch.storage.records import ClippingRecord, StoryOutlets
from presswatch.storage.review import ClippingFilter
from presswatch.word_diff import diff_segments


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
    revisions = repository.revisions.revisions(record.id)
    tracking = repository.revisions.tracking(record.id)
    removed_at = tracking.removed_at if tracking is not None else None
    story = repository.outlets_of(record.story_id)
    if fmt == "json":
        data = clipping_record(record)
        data["story"] = None if story is None else _story_json(story)
        data["revisions"] = [
            {
                "at": r.at.isoformat(),
                "title": [r.old_title, r.new_title] if r.title_changed else None,
                "text_diff": r.text_diff,
            }
            for r in revisions
        ]
        data["removed_at"] = removed_at.isoformat() if removed_at else None
        out.print_json(data=data)
        return
    out.print(Text(record.title, style="bold"))
    if removed_at is not None:
        out.print(Text(f"removed since {removed_at.isoformat(timespec='seconds')}", style="red"))
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
    for revision in revisions:
        when = revision.at.isoformat(timespec="seconds")
        out.print(Text.assemble((f"{'revised':>12}: ", "dim"), when))
        if revision.title_changed:
            out.print(Text(" " * 14).append(f"headline: {revision.old_title}", style="red"))
            out.print(Text(" " * 14).append(f"      now: {revision.new_title}", style="green"))
        for line in (revision.text_diff or "").splitlines():
            out.print(Text(" " * 14).append_text(_diff_text(line)))
    out.print()
    out.print(Text(record.text))


def _diff_text(line: str) -> Text:
    """A word diff line with its removed words red and struck, its added words green."""
    styles = {"same": "", "removed": "red strike", "added": "green"}
    marks = {"same": ("", ""), "removed": ("[-", "-]"), "added": ("{+", "+}")}
    text = Text()
    for kind, words in diff_segments(line):
        start, end = marks[kind]
        text.append(f"{start}{words}{end}", style=styles[kind])
    return text


@clippings.command("recheck")
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="Every tracked clipping still online, whatever its schedule (not only the due ones).",
)
@click.option(
    "--format", "fmt", default="text", type=click.Choice(["text", "json"]), show_default=True
)
@click.pass_obj
def clippings_recheck(state: AppState, every: bool, fmt: str) -> None:
    """Fetch the clippings that matched a topic again, now: those due on their schedule
    (1 h, 6 h, 24 h and 72 h after they were fetched), or all of them. A changed headline or
    text is stored as a revision and sent to the topics with on_update = true; a page that
    answers 404 or 410 is marked removed.

    \b
    Example:
      presswatch clippings recheck --all
    """
    from presswatch.corrections import recheck

    config = state.config()
    summary = recheck(state.repository(), config, every=every, limit=None)
    if fmt == "json":
        click.echo(json.dumps(summary.as_dict()))
    else:
        out.print(str(summary))
    if summary.updates:
        deliver_and_report(state, config, to=err if fmt == "json" else None)


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
