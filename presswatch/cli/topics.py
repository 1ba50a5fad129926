"""`presswatch topics`: list the topics, test a query, back-fill matches."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.console import highlight, marked, out
from presswatch.cli.options import parse_since
from presswatch.cli.state import AppState
from presswatch.config import Config
from presswatch.errors import ConfigError, PresswatchError
from presswatch.storage.search import HIT_END, HIT_START

if TYPE_CHECKING:
    from presswatch.storage.preview import Preview


@click.group()
def topics() -> None:
    """Topic queries: list them, test one, back-fill matches."""


@topics.command("test")
@click.argument("query")
@click.option("--text", "text", help="Match against this text.")
@click.option(
    "--file",
    "html_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Match against the article extracted from a saved HTML page.",
)
@click.option("--url", help="Match against the article extracted from a live page.")
@click.pass_obj
def topics_test(
    state: AppState, query: str, text: str | None, html_file: Path | None, url: str | None
) -> None:
    """Does QUERY match? Exit 0 when it does (snippets printed), 1 when not, 2 on a syntax error.

    Matching sees the article's title and text only, never the page's furniture.

    \b
    Example:
      presswatch topics test '"security guarantee*" AND (Ukraine OR Kyiv)' --url https://...
    """
    from presswatch.alerts.trial import try_query
    from presswatch.query import parse_query

    given = [v for v in (text, html_file, url) if v is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --text, --file or --url")
    parse_query(query)  # a syntax error is reported before any page is fetched
    title, body, page_url = "", text or "", ""
    if text is None:
        from dataclasses import replace

        from presswatch.extract_pages import extract_pages
        from presswatch.extractors.article import Article
        from presswatch.extractors.options import ExtractOptions

        config = state.config() if state.config_path.exists() else Config()
        options = replace(ExtractOptions.of(config.extract), min_words=0)
        (page,) = extract_pages([str(html_file or url)], config.crawl, options)
        if page.error:
            raise PresswatchError(page.error)
        if not isinstance(page.outcome, Article):
            raise PresswatchError(f"{page.page}: no article text found")
        title, body, page_url = page.outcome.title, page.outcome.text, page.outcome.url
    trial = try_query(query, title=title, text=body, url=page_url)
    if not trial.matched:
        out.print("no match")
        sys.exit(1)
    out.print(f"match ({len(trial.snippets)} snippet(s))")
    for snippet in trial.snippets:
        out.print(Text("  ").append_text(marked(snippet.text, snippet.hits)))


@topics.command("preview")
@click.argument("query")
@click.option(
    "--since",
    default="30d",
    show_default=True,
    help="Clippings dated (published, else fetched) since: a duration (30d, 12h) or a date.",
)
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True
)
@click.pass_obj
def topics_preview(state: AppState, query: str, since: str, fmt: str) -> None:
    """What a topic with QUERY would have caught: hits in all, per day, per source, and the
    newest 10 with their hits marked. The search box's language; exit 2 on a syntax error.

    \b
    Example:
      presswatch topics preview '"security guarantee*" AND (Ukraine OR Kyiv)' --since 7d
    """
    from presswatch.storage.preview import preview_query

    start = parse_since(since)
    assert start is not None
    found = preview_query(state.repository().review, query, start.date())
    if fmt == "json":
        click.echo(json.dumps(_preview_json(found), ensure_ascii=False, indent=2))
        return
    about = "" if found.is_complete else "at least "
    out.print(f"{about}{found.total} clipping(s) since {found.since} match {query!r}")
    if found.per_day:
        highest = max(found.per_day.values())
        for day, count in found.per_day.items():
            bar = "█" * max(1, round(20 * count / highest))
            out.print(f"  {day}  {count:>6}  {bar}")
    if found.per_source:
        sources = ", ".join(f"{escape(name)} {count}" for name, count in found.per_source.items())
        out.print(f"per source: {sources}")
    for item in found.newest:
        line = Text(f"{item.id:>7}  {item.day}  {item.source}  ")
        line.append_text(highlight(item.title_marked))
        out.print(line)
        if item.snippet:
            out.print(Text("         ").append_text(highlight(item.snippet)))


def _preview_json(found: Preview) -> dict[str, object]:
    return {
        "query": found.query,
        "since": found.since.isoformat(),
        "total": found.total,
        "complete": found.is_complete,
        "per_day": {day.isoformat(): count for day, count in found.per_day.items()},
        "per_source": found.per_source,
        "newest": [
            {
                "id": item.id,
                "source": item.source,
                "title": item.title,
                "url": item.url,
                "day": item.day.isoformat(),
                "title_marked": _stripped(item.title_marked),
                "snippet": _stripped(item.snippet) if item.snippet else None,
            }
            for item in found.newest
        ],
    }


def _stripped(marked: str) -> str:
    """Hit markers as ** (as in a Markdown text)."""
    return marked.replace(HIT_START, "**").replace(HIT_END, "**")


@topics.command("list")
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True
)
@click.pass_obj
def topics_list(state: AppState, fmt: str) -> None:
    """Each configured topic with its query, number of matches and last match.

    \b
    Example:
      presswatch topics list
    """
    config = state.config()
    stats = state.repository().topic_stats()
    rows = []
    for topic in config.topics:
        found = stats.get(topic.name)
        last = (
            found.last_match.isoformat(timespec="seconds") if found and found.last_match else None
        )
        rows.append(
            {
                "name": topic.name,
                "query": topic.query,
                "mode": topic.mode,
                "matches": found.matches if found else 0,
                "last_match": last,
            }
        )
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} topic(s)", title_justify="left")
    for column in ("name", "query", "matches", "last match"):
        table.add_column(column, justify="right" if column == "matches" else "left")
    for row in rows:
        table.add_row(
            escape(str(row["name"])),
            escape(str(row["query"])),
            str(row["matches"]),
            str(row["last_match"] or "-"),
        )
    out.print(table)


@topics.command("rematch")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.pass_obj
def topics_rematch(state: AppState, names: tuple[str, ...]) -> None:
    """Back-fill matches of the named topics (default: all) over every stored clipping, after a
    topic was added or its query changed. Back-filled matches never send alerts.

    \b
    Example:
      presswatch topics rematch ukraine-security
    """
    from presswatch.alerts.rematch import rematch

    config = state.config()
    known = {t.name for t in config.topics}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(
            f"unknown topic {unknown[0]!r} (known: {', '.join(sorted(known)) or 'none'})"
        )
    result = rematch(state.repository(), config, names)
    out.print(
        f"matched {result.clippings} clipping(s) against {result.topics} topic(s): "
        f"{result.new_matches} new match(es)"
    )
