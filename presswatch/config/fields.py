"""The value types of presswatch.toml that are checked as they are read: durations, regular
expressions, URLs, cron expressions, CSS selectors, networks."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_DURATION_UNITS_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration_s(text: str) -> float:
    """`"15m"` -> 900.0; raises ValueError with the accepted forms."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f'"{text}" is not a duration (use "30s", "15m", "2h" or "1d")')
    return float(match.group(1)) * _DURATION_UNITS_S[match.group(2)]


def _check_duration(text: str) -> str:
    parse_duration_s(text)
    return text


def is_zero_duration(text: str) -> bool:
    """`"0s"`, `"0"`, `"0.0m"`: no time at all."""
    return bool(_ZERO.match(text))


def _check_duration_or_zero(text: str) -> str:
    if is_zero_duration(text):
        return text
    try:
        parse_duration_s(text)
    except ValueError as exc:
        raise ValueError(f'{exc} or "0s"') from exc
    return text


_ZERO = re.compile(r"^\s*0+(\.0+)?\s*(s|m|h|d)?\s*$")


def _check_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f'"{pattern}" is not a valid regular expression ({exc})') from exc
    return pattern


def _check_http_url(url: str) -> str:
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValueError(f'"{url}" is not an http(s) URL')
    return url


def _check_selector(selector: str) -> str:
    from presswatch.extractors.blocks import css_to_xpath

    css_to_xpath(selector)  # ValueError names what is wrong
    return selector


def _check_network(network: str) -> str:
    import ipaddress

    try:
        ipaddress.ip_network(network, strict=False)
    except ValueError as exc:
        raise ValueError(f'"{network}" is not a network (use "10.0.0.0/8", "fd00::/8")') from exc
    return network


def _check_cron(expr: str) -> str:
    from presswatch.cron import cron_trigger

    try:
        cron_trigger(expr)
    except ValueError as exc:
        raise ValueError(
            f'"{expr}" is not a cron expression (five fields, e.g. "*/15 * * * *"): {exc}'
        ) from exc
    return expr


Duration = Annotated[str, AfterValidator(_check_duration)]
DurationOrZero = Annotated[str, AfterValidator(_check_duration_or_zero)]
Regex = Annotated[str, AfterValidator(_check_regex)]
HttpUrl = Annotated[str, AfterValidator(_check_http_url)]
Cron = Annotated[str, AfterValidator(_check_cron)]
CssSelector = Annotated[str, AfterValidator(_check_selector)]
Network = Annotated[str, AfterValidator(_check_network)]
