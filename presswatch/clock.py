"""The time presswatch stamps on what it stores and schedules: always UTC, always aware."""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)
