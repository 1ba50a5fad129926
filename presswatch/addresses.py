"""Which addresses a crawl may reach: public ones, and those in `[crawl] allow_networks`."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT


def allowed_networks(networks: Iterable[str]) -> tuple[IpNetwork, ...]:
    """`[crawl] allow_networks` as networks; ValueError naming a bad one."""
    return tuple(ipaddress.ip_network(network, strict=False) for network in networks)


def refusal(address: str, allowed: Sequence[IpNetwork] = ()) -> str | None:
    """Why the crawl may not connect to `address` ("a loopback address"), or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id
    except ValueError:
        return "not an IP address"
    mapped = getattr(ip, "ipv4_mapped", None)
    if any(ip in network or (mapped and mapped in network) for network in allowed):
        return None
    if mapped is not None:
        return "an IPv4-mapped address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.version == 6 and ip in _UNIQUE_LOCAL:
        return "a unique-local address"
    if ip.is_private or (ip.version == 4 and ip in _SHARED):
        return "a private address"
    if not ip.is_global or ip.is_reserved:
        return "not a public address"
    return None
