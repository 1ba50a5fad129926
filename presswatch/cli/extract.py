"""`presswatch extract`: pages through the extractor, to debug a source or score extraction."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from rich.markup import escape
from rich.text import Text

from presswatch.cli.console import err, out
from presswatch.cli.state import AppState
from presswatch.config import Config


@click.command()
@click.argument("pages", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option(
    "--format",
    "fmt",
    default="text",
    type=click.Choice(["json", "jsonl", "text"]),
    show_default=True,
)
@click.option(
    "--min-words",
    type=click.IntRange(0),
    help="Override [extract] min_words (default: config, else 40).",
)
@click.option(
    "--explain",
    is_flag=True,
    help="After the text, list every block and line removed, with the rule that removed it.",
)
@click.option(
    "--source",
    "source_name",
    metavar="NAME",
    help="Apply this source's settings too (its exclude selectors).",
)
@click.pass_obj
def extract(
    state: AppState,
    pages: tuple[str, ...],
    fmt: str,
    min_words: int | None,
    explain: bool,
    source_name: str | None,
) -> None:
    """Run pages through the extractor, to debug a source or score extraction.

    A page that cannot be read is reported and the others go on (exit 1 at the end).

    \b
    Examples:
      presswatch extract saved-page.html https://example.org/news/1 --format jsonl
      presswatch extract --explain https://example.org/news/1 --source example
    """
    from dataclasses import replace

    from presswatch.extract_pages import extract_pages
    from presswatch.extractors.options import ExtractOptions

    config = state.config() if state.config_path.exists() else Config()
    source = None
    if source_name is not None:
        (source,) = config.select_sources([source_name])
    options = ExtractOptions.of(config.extract, source)
    if min_words is not None:
        options = replace(options, min_words=min_words)
    results = extract_pages(pages, config.crawl, options)
    failed = 0
    objects = []
    for result in results:
        if result.error:
            failed += 1
            err.print(f"presswatch: error: {escape(result.error)}")
            continue
        objects.append(result.as_dict(explain=explain))
    if fmt == "json":
        click.echo(json.dumps(objects, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for obj in objects:
            click.echo(json.dumps(obj, ensure_ascii=False))
    else:
        for obj in objects:
            _print_extracted(obj)
    if failed:
        sys.exit(1)


def _print_extracted(obj: dict[str, Any]) -> None:
    out.rule(escape(str(obj["url"])))
    if not obj["is_article"]:
        out.print(f"[yellow]not an article:[/] {escape(str(obj['reason']))}")
        _print_removed(obj)
        return
    out.print(Text(str(obj["title"]), style="bold"))
    for key in ("canonical_url", "author", "published", "language", "site_name", "word_count"):
        out.print(Text.assemble((f"{key:>13}: ", "dim"), str(obj[key] or "-")))
    out.print()
    out.print(Text(str(obj["text"])))
    _print_removed(obj)


def _print_removed(obj: dict[str, Any]) -> None:
    """The `--explain` part: each removal, its rule, the first 80 characters of its text."""
    if "removed" not in obj:
        return
    removed = obj["removed"]
    out.print()
    out.print(Text(f"removed ({len(removed)}):", style="bold"))
    width = max((len(r["rule"]) for r in removed), default=0)
    for removal in removed:
        text = removal["text"]
        clipped = text if len(text) <= _EXPLAIN_CHARS else text[: _EXPLAIN_CHARS - 1] + "…"
        out.print(Text.assemble((f"  {removal['rule']:<{width}}  ", "yellow"), clipped or "-"))


_EXPLAIN_CHARS = 80
