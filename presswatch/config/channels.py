"""Whether a channel can send: the secrets it names in the environment, and a password that
would cross the network in clear."""

from __future__ import annotations

import os

from presswatch.config.models import ChannelConfig, Config
from presswatch.errors import ConfigError


def channel_secret(variable: str | None) -> str | None:
    """The value of the environment variable a channel names for its secret (None when it names
    none); ConfigError naming the variable, never a value, when it is not set or empty."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if not value:
        state = "empty" if value == "" else "not set"
        raise ConfigError(f"environment variable {variable} is {state} (a channel names it)")
    return value


def channel_problem(name: str, channel: ChannelConfig) -> str | None:
    """Why channel `name` cannot send with this environment, in one line; None when it can.
    An email channel logs in only when it has a username: then its password must be there."""
    try:
        if channel.type == "webhook":
            channel_secret(channel.secret_env)
        elif (
            channel.username and channel.security == "none" and not _is_loopback(channel.smtp_host)
        ):
            return (
                f"channel {name}: the password would cross the network in clear to "
                f'{channel.smtp_host}: set security = "starttls" or "ssl"; its alerts wait'
            )
        elif channel.username:
            if not channel.password_env:
                return (
                    f"channel {name}: username {channel.username!r} is set but password_env is "
                    "not (name the environment variable that holds the password)"
                )
            channel_secret(channel.password_env)
    except ConfigError as exc:
        what = "its signing secret" if channel.type == "webhook" else "the SMTP password"
        return f"channel {name}: {exc.args[0].split(' (')[0]} ({what}); its alerts wait"
    return None


def channel_problems(config: Config) -> list[str]:
    """channel_problem of every channel that has one."""
    found = (channel_problem(name, channel) for name, channel in config.channels.items())
    return [problem for problem in found if problem is not None]


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
