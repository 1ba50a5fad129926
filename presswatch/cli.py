"""The `presswatch` command: parse arguments, load config, call one function, render the result.

This is the only module that prints.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from presswatch import __version__
from presswatch.config import Config, load_config, parse_duration_s, resolve_config_path
from presswatch.counts import COUNT_NAMES, CrawlCounts, CrawlSummary
from presswatch.errors import ConfigError, PresswatchError
from presswatch.logs import LogFormat, setup_logging
from presswatch.storage.records import ClippingRecord
from presswatch.storage.repository import Repository
from presswatch.storage.review import ClippingFilter
from presswatch.storage.search import HIT_END, HIT_START

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


@dataclass(slots=True)
class AppState:
    config_path: Path
    debug: bool
    _config: Config | None = None

    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def repository(self) -> Repository:
        from presswatch.storage.db import open_database

        return Repository(open_database(self.config().database.url))


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


# init


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--force", is_flag=True, help="Overwrite an existing presswatch.toml.")
def init(directory: Path, force: bool) -> None:
    """Write a commented starter presswatch.toml into DIRECTORY (default: here).

    \b
    Example:
      presswatch init ~/monitoring
    """
    from presswatch.starter import write_starter

    path = write_starter(directory, overwrite=force)
    out.print(escape(f"wrote {path}: edit the [[sources]], then run `presswatch crawl`"))


# crawl


@cli.command()
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
        _print_summary(summary)
        _deliver_and_report(state, config)
        return
    with _live_progress() as on_progress:
        summary = run_crawl(config, selected, on_progress, _child_log_level())
    _print_summary(summary)
    _deliver_and_report(state, config)


def _report_channel_problems(config: Config) -> None:
    """A channel that cannot send, said once, as a command starts (its alerts wait)."""
    from presswatch.config import channel_problems

    for problem in channel_problems(config):
        err.print(f"presswatch: warning: {escape(problem)}")


def _deliver_and_report(state: AppState, config: Config, **options: Any) -> None:
    """Send what the outbox holds that is due; one line of figures, one line per failure."""
    from presswatch.alerts.deliver import build_channels, deliver

    if not config.channels:
        return
    report = deliver(state.repository(), config, build_channels(config), **options)
    out.print(str(report))
    for line in report.errors:
        out.print(f"  {escape(line)}", soft_wrap=True)


def _child_log_level() -> int:
    return logging.getLogger().getEffectiveLevel()


@contextmanager
def _live_progress() -> Iterator[Any]:
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


def _print_summary(summary: CrawlSummary, title: str = "crawl summary") -> None:
    table = Table(title=title, title_justify="left")
    table.add_column("source")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    for name in COUNT_NAMES:
        table.add_column(name.replace("_", " "), justify="right")
    for result in summary.results:
        status = result.status if result.status == "finished" else f"[red]{result.status}[/]"
        table.add_row(
            escape(result.source),
            status,
            f"{result.duration_s:.1f}",
            *(_count_cell(n, getattr(result.counts, n)) for n in COUNT_NAMES),
        )
    if len(summary.results) > 1:
        totals = summary.totals
        table.add_row("[b]total[/]", "", "", *(str(getattr(totals, n)) for n in COUNT_NAMES))
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


def _count_cell(name: str, value: int) -> str:
    return f"[red]{value}[/]" if name == "errors" and value else str(value)


# the service


@cli.command()
@click.option(
    "--role",
    type=click.Choice(["both", "scheduler", "worker"]),
    default="both",
    show_default=True,
    help="With [queue] url: only schedule (put due crawls on the queue), only work, or both.",
)
@click.pass_context
def run(ctx: click.Context, role: str) -> None:
    """Run the service: crawl each source on its schedule, send alerts and digests.

    Logs one line per crawl. SIGINT/SIGTERM stop it cleanly (running crawls end at a clean
    point within [service] stop_timeout); SIGHUP, or saving presswatch.toml, reloads the
    config (a broken one is reported and the running one stays).

    \b
    Example:
      presswatch --config /etc/presswatch/presswatch.toml run
    """
    import signal

    from presswatch.scheduler import Service

    state: AppState = ctx.obj
    _service_logging(ctx)
    config = state.config()
    if role != "both" and not config.queue.url:
        raise ConfigError(f"{state.config_path}: queue.url: --role {role} needs [queue] url")
    if role == "worker":
        _run_worker(config)
        return
    service = Service(
        state.config_path,
        config,
        _child_log_level(),
        "scheduler" if role == "scheduler" else "both",
    )
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    signal.signal(signal.SIGINT, lambda *_: service.stop())
    signal.signal(signal.SIGHUP, lambda *_: service.reload())
    service.run()


@cli.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Take crawls off the queue ([queue] url) until stopped: fetch, extract, store, match,
    deliver. The same as `run --role worker`.

    \b
    Example:
      presswatch --config /etc/presswatch/presswatch.toml worker
    """
    state: AppState = ctx.obj
    _service_logging(ctx)
    config = state.config()
    if not config.queue.url:
        raise ConfigError(f"{state.config_path}: queue.url: a worker needs [queue] url")
    _run_worker(config)


def _service_logging(ctx: click.Context) -> None:
    """Long-running commands report each crawl: INFO unless --log-level says otherwise."""
    if ctx.parent is not None and ctx.parent.get_parameter_source("log_level") in (
        click.core.ParameterSource.DEFAULT,
        None,
    ):
        logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("dramatiq").setLevel(logging.WARNING)


def _run_worker(config: Config) -> None:
    import signal

    from presswatch.distributed import Worker

    node = Worker(config, _child_log_level())
    signal.signal(signal.SIGTERM, lambda *_: node.stop())
    signal.signal(signal.SIGINT, lambda *_: node.stop())
    node.run()


@cli.command()
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "json"]), show_default=True
)
@click.pass_obj
def status(state: AppState, fmt: str) -> None:
    """Per source: the last crawl and the next; the alert outbox.

    \b
    Example:
      presswatch status --format json
    """
    from presswatch.status import service_status

    report = service_status(state.config(), state.repository())
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    table = Table(title="sources", title_justify="left")
    for column in ("source", "last crawl", "took", "status", "new", "errors", "last new", "next"):
        table.add_column(column, justify="right" if column in ("took", "new", "errors") else "left")
    for row in report.sources:
        run = row.last_run
        if run is None:
            table.add_row(escape(row.name), "never", "", "", "", "", "", _when(row.next_run))
            continue
        colour = {"finished": "green", "running": "yellow"}.get(run.status, "red")
        took = "" if run.duration_s is None else f"{run.duration_s:.1f}s"
        table.add_row(
            escape(row.name),
            _when(run.started_at),
            took,
            f"[{colour}]{run.status}[/]",
            str(run.stored),
            _count_cell("errors", run.errors),
            _when(run.last_clipping_at),
            "due now" if row.overdue else _when(row.next_run),
        )
    out.print(table)
    outbox = report.outbox_summary
    failed = f"[red]{outbox['failed']}[/]" if outbox["failed"] else "0"
    out.print(f"outbox: {outbox['pending']} pending, {failed} failed, {outbox['sent']} sent")


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")


# clippings


@cli.group()
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
    wanted = ClippingFilter(source=source, topic=topic, date_from=_parse_since(since))
    records = state.repository().list_clippings(wanted, limit=limit, offset=offset)
    if fmt == "jsonl":
        _print_jsonl(records)
        return
    _print_clipping_table(records, title=f"{len(records)} clipping(s)")


@clippings.command("search")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "jsonl"]), show_default=True
)
@click.pass_obj
def clippings_search(state: AppState, query: str, limit: int, fmt: str) -> None:
    """Full-text search over titles and texts; words must all occur, "quotes" for a phrase,
    word* for a prefix.

    \b
    Example:
      presswatch clippings search '"harbour dredging" council'
    """
    records = state.repository().search_clippings(query, limit=limit)
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
        cell.append_text(_highlight(record.snippet or ""))
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

    record = state.repository().get_clipping(clipping_id)
    if record is None:
        raise PresswatchError(f"no clipping with id {clipping_id}")
    if fmt == "json":
        out.print_json(data=clipping_record(record))
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
    for key, value in meta:
        out.print(Text.assemble((f"{key:>12}: ", "dim"), value))
    for match in state.repository().clipping_matches(record.id):
        out.print(Text.assemble((f"{'topic':>12}: ", "dim"), (match.topic, "bold")))
        for snippet in match.snippets:
            out.print(Text(" " * 14).append_text(_marked(snippet.text, snippet.hits)))
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

    wanted = ClippingFilter(topic=topic, date_from=_parse_since(since))
    records = state.repository().iter_clippings(wanted)
    if output is None:
        write_export(records, fmt, sys.stdout)  # type: ignore[arg-type]
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        count = write_export(records, fmt, fh)  # type: ignore[arg-type]
    err.print(f"wrote {count} clipping(s) to {output}")


def _parse_since(value: str | None) -> datetime | None:
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?[smhd]", value.strip()):
        return datetime.now(UTC) - timedelta(seconds=parse_duration_s(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a date (2026-11-01) nor a duration (24h, 7d)",
            param_hint="--since",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _print_jsonl(records: list[ClippingRecord]) -> None:
    from presswatch.export import clipping_record

    for record in records:
        click.echo(json.dumps(clipping_record(record), ensure_ascii=False))


def _print_clipping_table(records: list[ClippingRecord], title: str) -> None:
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


def _highlight(snippet: str) -> Text:
    """The search index's hit markers as bold text."""
    text = Text()
    for n, part in enumerate(re.split(f"[{HIT_START}{HIT_END}]", snippet.replace("\n", " "))):
        text.append(part, style="bold yellow" if n % 2 else "")
    return text


# topics


@cli.group()
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


def _marked(text: str, hits: tuple[tuple[int, int], ...]) -> Text:
    rendered = Text(text)
    for start, end in hits:
        rendered.stylize("bold yellow", start, end)
    return rendered


# alerts


@cli.group()
def alerts() -> None:
    """The alert outbox: list it, retry what failed, send digests."""


@alerts.command("list")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "sent", "failed"]),
    help="Only alerts in this state.",
)
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--format", "fmt", default="table", type=click.Choice(["table", "jsonl"]), show_default=True
)
@click.pass_obj
def alerts_list(state: AppState, status: str | None, limit: int, fmt: str) -> None:
    """Newest alerts first, with attempts and the last error.

    \b
    Example:
      presswatch alerts list --status failed
    """
    records = state.repository().list_alerts(status=status, limit=limit)
    if fmt == "jsonl":
        for record in records:
            click.echo(
                json.dumps(
                    {
                        "id": record.id,
                        "delivery_id": record.delivery_id,
                        "topic": record.topic,
                        "channel": record.channel,
                        "event": record.event,
                        "status": record.status,
                        "attempts": record.attempts,
                        "next_attempt_at": record.next_attempt_at.isoformat(),
                        "last_error": record.last_error,
                        "created_at": record.created_at.isoformat(),
                        "sent_at": record.sent_at.isoformat() if record.sent_at else None,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table(title=f"{len(records)} alert(s)", title_justify="left")
    for column in (
        "id",
        "topic",
        "channel",
        "event",
        "status",
        "attempts",
        "next attempt",
        "last error",
    ):
        table.add_column(column)
    for r in records:
        colour = {"sent": "green", "failed": "red"}.get(r.status, "yellow")
        next_at = r.next_attempt_at.strftime("%Y-%m-%d %H:%M") if r.status == "pending" else "-"
        if r.event == "digest" and r.attempts == 0 and r.status == "pending":
            next_at = "collecting (alerts digest)"
        table.add_row(
            str(r.id),
            escape(r.topic),
            escape(r.channel),
            r.event,
            f"[{colour}]{r.status}[/]",
            str(r.attempts),
            next_at,
            escape(r.last_error or ""),
        )
    out.print(table)


@alerts.command("retry")
@click.pass_obj
def alerts_retry(state: AppState) -> None:
    """Send now what is due, and again what failed for good.

    \b
    Example:
      presswatch alerts retry
    """
    _deliver_and_report(state, state.config(), include_failed=True, ignore_schedule=True)


@alerts.command("test")
@click.argument("channel")
@click.pass_obj
def alerts_test(state: AppState, channel: str) -> None:
    """Send a clearly marked test message through CHANNEL and print what the receiver
    answered (exit 1 when it could not be sent).

    \b
    Example:
      presswatch alerts test desk
    """
    from presswatch.check import send_test

    answer = send_test(state.config(), channel)
    out.print(f"test message sent through {escape(channel)}: {escape(answer)}", soft_wrap=True)


@alerts.command("digest")
@click.argument("topic", required=False)
@click.pass_obj
def alerts_digest(state: AppState, topic: str | None) -> None:
    """Send the collected digests now (of one topic, or all).

    \b
    Example:
      presswatch alerts digest ukraine-security
    """
    _deliver_and_report(state, state.config(), event="digest", topic=topic, ignore_schedule=True)


# check


@cli.command("check")
@click.pass_obj
def check_command(state: AppState) -> None:
    """Check the config, and reach the database and every channel (no alert is sent).

    One line per thing checked; exit 0 when all is well, 1 when something cannot be
    reached or a channel cannot send, 2 when the config itself is wrong.

    \b
    Example:
      presswatch check && presswatch run
    """
    from presswatch.check import check

    config = state.config()
    findings = check(config)
    for finding in findings:
        mark = "ok     " if finding.ok else "problem"
        out.print(f"{mark}  {escape(finding.line)}", soft_wrap=True)
    if not all(finding.ok for finding in findings):
        sys.exit(1)


# extract


@cli.command()
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
    from presswatch.extractors.article import ExtractOptions

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


# demo


@cli.command()
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
        with _live_progress() as on_progress:
            result = run_demo(Path(workdir), on_progress)
        # printed after the live display has gone, so the two never mix
        out.print(f"demo site served at {result.site_url} (four fictional publishers)")
        _print_summary(result.first, "first crawl: everything is new")
        _print_summary(
            result.second, "second crawl of the unchanged site: nothing downloaded twice"
        )
        _print_clipping_table(list(result.clippings), f"{len(result.clippings)} clippings stored")
        if result.clippings:
            first = result.clippings[0]
            out.rule(f"clipping {first.id}: {escape(first.title)}")
            out.print(Text(first.text))
        topic_table = Table(title="topics (matched on article text only)", title_justify="left")
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


# serve


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but a loopback address needs an access token.",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="PRESSWATCH_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Access token: the page asks for it once; scripts send 'Authorization: Bearer TOKEN'.",
)
@click.pass_obj
def serve(state: AppState, host: str, port: int, token: str | None) -> None:
    """Serve the review web page: clippings (filters, search, export), topics with an Atom
    feed each, sources, alerts. Ctrl+C stops it.

    \b
    Example:
      presswatch serve --port 8080
      PRESSWATCH_TOKEN=... presswatch serve --host 0.0.0.0
    """
    from presswatch.web.serve import check_listen, serve_review_page

    check_listen(host, token or None)  # before the config is read: the first error wins
    serve_review_page(
        state.config(),
        host,
        port,
        token or None,
        on_ready=lambda url: out.print(f"review page at {url} (Ctrl+C stops it)"),
    )
