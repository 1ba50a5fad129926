"""The network guard: a crawl never connects to an internal address.

A feed entry, a sitemap, a redirect or a robots.txt may name any address. The guard sits in
the crawl process's host name resolver (Twisted's `reactor.nameResolver`, which every
connection Scrapy makes goes through: requests, redirects, robots.txt), and drops every
resolved address that is loopback, private, link-local, unique-local (fc00::/7), multicast,
reserved or IPv4-mapped, unless `[crawl] allow_networks` lists a network it is in. A host
left with no address fails to connect (Scrapy reports a DNS failure; the spider asks the
guard and reports "blocked" instead). The connection goes to the very addresses the guard
checked, so a host whose DNS answers change between two lookups (DNS rebinding) gets nowhere.

The webhook and SMTP clients are not guarded: the operator chose those addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twisted.internet.interfaces import IAddress, IHostResolution, IResolutionReceiver
from zope.interface import implementer

from presswatch.addresses import IpNetwork, refusal


@implementer(IResolutionReceiver)
class _Filter:
    """Passes on the resolved addresses the guard allows; notes the ones it refused."""

    def __init__(self, guard: NetworkGuard, receiver: Any, host: str) -> None:
        self.guard = guard
        self.receiver = receiver
        self.host = host
        self.passed = 0
        self.refused: tuple[str, str] | None = None

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        host = getattr(address, "host", "")
        why = refusal(host, self.guard.allowed)
        if why is None:
            self.passed += 1
            self.receiver.addressResolved(address)
        elif self.refused is None:
            self.refused = (host, why)

    def resolutionComplete(self) -> None:
        if self.refused is not None and not self.passed:
            self.guard.blocked[self.host] = self.refused
        self.receiver.resolutionComplete()


class NetworkGuard:
    """Wraps the reactor's host name resolver; `allowed` may change between crawls."""

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self.allowed: tuple[IpNetwork, ...] = ()
        # host -> (address, why) for hosts whose every address was refused
        self.blocked: dict[str, tuple[str, str]] = {}

    @classmethod
    def install(cls, reactor: Any) -> NetworkGuard:
        """Put a guard in front of the reactor's resolver (once; the same guard after that)."""
        current = reactor.nameResolver
        if isinstance(current, NetworkGuard):
            return current
        guard = cls(current)
        reactor.installNameResolver(guard)
        return guard

    def resolveHostName(
        self,
        resolutionReceiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        return self.resolver.resolveHostName(
            _Filter(self, resolutionReceiver, hostName),
            hostName,
            portNumber,
            addressTypes,
            transportSemantics,
        )

    def why_blocked(self, host: str | None) -> str | None:
        """One line on why connections to `host` were refused, or None if they were not."""
        found = self.blocked.get(host or "")
        if found is None:
            return None
        address, why = found
        named = "" if address == host else f" resolves to {address},"
        return (
            f"refused: {host}{named} {why} (a crawl only reaches public addresses; "
            "[crawl] allow_networks lets it reach others)"
        )
