"""The service: `presswatch run`, `presswatch worker`, and `presswatch status`."""

from __future__ import annotations

import json
import logging
from datetime import datetime

import click
from rich.markup import escape
from rich.table import Table

from presswatch.cli.console import child_log_level, count_cell, out
from presswatch.cli.state import AppState
from presswatch.config import Config
from presswatch.errors import ConfigError


@click.command()
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
        child_log_level(),
        "scheduler" if role == "scheduler" else "both",
    )
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    signal.signal(signal.SIGINT, lambda *_: service.stop())
    signal.signal(signal.SIGHUP, lambda *_: service.reload())
    service.run()


@click.command()
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

    node = Worker(config, child_log_level())
    signal.signal(signal.SIGTERM, lambda *_: node.stop())
    signal.signal(signal.SIGINT, lambda *_: node.stop())
    node.run()


@click.command()
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
    columns = ("source", "schedule", "last crawl", "took", "status", "new", "errors", "last new")
    for column in (*columns, "next"):
        table.add_column(column, justify="right" if column in ("took", "new", "errors") else "left")
    for row in report.sources:
        run = row.last_run
        if run is None:
            table.add_row(
                escape(row.name), row.schedule, "never", "", "", "", "", "", _when(row.next_run)
            )
            continue
        colour = {"finished": "green", "running": "yellow"}.get(run.status, "red")
        took = "" if run.duration_s is None else f"{run.duration_s:.1f}s"
        table.add_row(
            escape(row.name),
            row.schedule,
            _when(run.started_at),
            took,
            f"[{colour}]{run.status}[/]",
            str(run.stored),
            count_cell("errors", run.errors),
            _when(run.last_clipping_at),
            "due now" if row.overdue else _when(row.next_run),
        )
    out.print(table)
    outbox = report.outbox_summary
    failed = f"[red]{outbox['failed']}[/]" if outbox["failed"] else "0"
    out.print(f"outbox: {outbox['pending']} pending, {failed} failed, {outbox['sent']} sent")
    if not report.health:
        out.print("health: [green]ok[/] (no open problems)")
    for event in report.health:
        out.print(
            f"health: [red]{escape(event.source)} {event.kind}[/] since {_when(event.since)}: "
            f"{escape(event.message)}"
        )


def _when(value: datetime | None) -> str:
    return "-" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M:%S")
