"""Option values more than one command reads the same way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click

from presswatch.clock import now_utc
from presswatch.config import parse_duration_s


def parse_since(value: str | None) -> datetime | None:
    """`--since`: a duration back from now (24h, 7d) or a date or time (2026-11-01)."""
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?[smhd]", value.strip()):
        return now_utc() - timedelta(seconds=parse_duration_s(value))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a date (2026-11-01) nor a duration (24h, 7d)",
            param_hint="--since",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
