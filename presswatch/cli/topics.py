"""`presswatch topics`: list the topics, test a query, back-fill matches."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch.cli.console import marked as _marked  # the name `topics test` is written with
from presswatch.cli.console import out
from presswatch.cli.state import AppState
from presswatch.config import Config
from presswatch.errors import ConfigError, PresswatchError


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
    from presswatch.alerts.query import parse_query
    from presswatch.alerts.trial import try_query

    given = [v for v in (text, html_file, url) if v is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --text, --file or --url")
    parse_query(query)  # a syntax error is reported before any page is fetched
    title, body, page_url = "", text or "", ""
    if text is None:
        from dataclasses import replace

        from presswatch.extract_pages import extract_pages
        from presswatch.extractors.article import Article, ExtractOptions

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
        out.print(Text("  ").append_text(_marked(snippet.text, snippet.hits)))


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
