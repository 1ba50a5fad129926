"""What every delivery channel offers the outbox."""

from __future__ import annotations

from typing import Protocol

from presswatch.alerts.message import AlertMessage


class Channel(Protocol):
    """A configured destination for alerts, named as in `[channels.<name>]`."""

    name: str

    def send(self, message: AlertMessage) -> None:
        """Deliver `message` once; raises DeliveryError (with `retryable`) on failure."""
        ...
