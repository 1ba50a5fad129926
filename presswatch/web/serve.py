"""`presswatch serve`: check where it may listen, open the database, run uvicorn until stopped."""

from __future__ import annotations

import contextlib
import ipaddress
import math
import signal
import socket
from collections.abc import Callable, Iterator

import uvicorn

from presswatch.config import Config, secret_path
from presswatch.errors import ConfigError, PresswatchError
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from presswatch.web.app import create_app
from presswatch.web.secret import ServerSecret

MIN_TOKEN_BITS = 128
TOKEN_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe())'"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def token_bits(token: str) -> int:
    """A generous estimate of a token's entropy: its length times the bits of the alphabet
    its characters are drawn from (lower case, upper case, digits, the rest). A token that is
    mostly one character, or a dictionary phrase, gets less than it seems to; it still falls
    short of 128 bits unless it is long."""
    if not token:
        return 0
    alphabet = sum(
        size
        for present, size in (
            (any(c.islower() for c in token), 26),
            (any(c.isupper() for c in token), 26),
            (any(c.isdigit() for c in token), 10),
            (any(not c.isalnum() for c in token), 33),
        )
        if present
    )
    repeated = max(token.count(c) for c in set(token)) / len(token)
    distinct = len(token) if repeated <= 0.25 else len(set(token))
    return int(distinct * math.log2(alphabet))


def check_listen(host: str, token: str | None) -> None:
    """ConfigError unless this host may be served with this token (none on loopback only)."""
    if token is not None and (bits := token_bits(token)) < MIN_TOKEN_BITS:
        raise ConfigError(
            f"the access token is too weak (about {bits} bits, {MIN_TOKEN_BITS} needed): "
            f"make one with {TOKEN_HINT}"
        )
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"--host {host} is reachable from other machines: give an access token "
            f"(--token or PRESSWATCH_TOKEN; make one with {TOKEN_HINT})"
        )


def serve_review_page(
    config: Config, host: str, port: int, token: str | None, on_ready: Callable[[str], None]
) -> None:
    """Serve until SIGINT or SIGTERM; `on_ready` gets the page's URL once it listens."""
    check_listen(host, token)
    engine = open_database(config.database.url)
    try:
        secret = ServerSecret.load_or_create(secret_path(config))
        app = create_app(config, Repository(engine), token=token, secret=secret)
        listener = _listen(host, port)
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{listener.getsockname()[1]}/"
        settings = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        _Server(settings, lambda: on_ready(url)).run(sockets=[listener])
    finally:
        engine.dispose()


class _Server(uvicorn.Server):
    """uvicorn's server that says when it is ready (its signal handlers in place), and that
    SIGINT or SIGTERM stop with exit code 0 (uvicorn itself raises the signal again once it has
    stopped, and the process dies of it)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {number: signal.signal(number, self.handle_exit) for number in stops}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto given: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they are TCP,
    # and with Nagle a kept-alive connection waits 40 ms for each small answer
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host.strip("[]"), port))
    except OSError as exc:
        listener.close()
        raise PresswatchError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    listener.listen(128)
    return listener
