"""`presswatch check` and `presswatch alerts test`: can presswatch reach what the config names?"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from presswatch.alerts.deliver import build_channels
from presswatch.alerts.message import AlertMessage
from presswatch.config import Config
from presswatch.errors import DeliveryError, PresswatchError


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing checked: what it was, and what it said (or what is wrong with it)."""

    ok: bool
    line: str


def check(config: Config) -> list[Finding]:
    """The database (opened, schema brought up to date) and every channel (reached without
    sending an alert), one finding each; nothing raises."""
    from presswatch.storage.db import open_database
    from presswatch.storage.repository import Repository

    findings: list[Finding] = []
    try:
        engine = open_database(config.database.url)
        try:
            count = Repository(engine).count_clippings()
        finally:
            engine.dispose()
        findings.append(Finding(True, f"database: reachable, {count} clipping(s)"))
    except PresswatchError as exc:
        findings.append(Finding(False, f"database: {exc}"))
    for name, channel in build_channels(config).items():
        try:
            findings.append(Finding(True, f"channel {name}: {channel.probe()}"))
        except DeliveryError as exc:
            text = str(exc)
            findings.append(
                Finding(False, text if text.startswith("channel ") else f"channel {name}: {text}")
            )
    if not config.channels:
        findings.append(Finding(True, "channels: none configured (no alerts will be sent)"))
    return findings


def send_test(config: Config, channel_name: str) -> str:
    """Send a marked test message through one channel; what the receiver answered.
    PresswatchError when the channel is unknown, DeliveryError when sending failed."""
    if channel_name not in config.channels:
        known = ", ".join(sorted(config.channels)) or "none configured"
        raise PresswatchError(f"unknown channel {channel_name!r} (known: {known})")
    channel = build_channels(config)[channel_name]
    message = AlertMessage(
        delivery_id=f"test-{uuid.uuid4().hex}",
        event="test",
        topic=f"channel {channel_name}",
        query="",
        clippings=(),
    )
    return channel.send(message)
