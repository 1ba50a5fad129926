"""`presswatch alerts`: the outbox listed, retried, tested, and digests sent now."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from presswatch.cli.console import deliver_and_report, out
from presswatch.cli.state import AppState


@click.group()
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
                        # event "health": `topic` is the source, and the event's state
                        "health_state": record.health_state,
                        # event "update": the clipping revision it tells of
                        "revision_id": record.revision_id,
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
        topic = f"{r.topic} (source health, {r.health_state})" if r.event == "health" else r.topic
        table.add_row(
            str(r.id),
            escape(topic),
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
    deliver_and_report(state, state.config(), include_failed=True, ignore_schedule=True)


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
    deliver_and_report(state, state.config(), event="digest", topic=topic, ignore_schedule=True)
