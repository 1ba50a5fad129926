"""What every delivery channel offers the outbox."""

from __future__ import annotations

from typing import Protocol

from presswatch.alerts.message import Message


class Channel(Protocol):
    """A configured destination for alerts, named as in `[channels.<name>]`."""

    name: str

    def probe(self) -> str:
        """Reach the receiver without sending an alert; its answer, in one line, or
        DeliveryError saying why it cannot be reached."""
        ...

    def send(self, message: Message) -> str:
        """Deliver `message` once and return what the receiver answered, in one line; raises
        DeliveryError (with `retryable`) on failure."""
        ...
