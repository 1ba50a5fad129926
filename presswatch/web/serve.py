"""`presswatch serve`: check where it may listen, open the database, run uvicorn until stopped."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

import uvicorn

from presswatch.config import Config
from presswatch.errors import ConfigError, PresswatchError
from presswatch.storage.db import open_database
from presswatch.storage.review import ReviewRepository
from presswatch.web.app import create_app

MIN_TOKEN_CHARS = 16
TOKEN_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe())'"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, token: str | None) -> None:
    """ConfigError unless this host may be served with this token (none on loopback only)."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the access token is too short ({len(token)} characters, at least "
            f"{MIN_TOKEN_CHARS}): make one with {TOKEN_HINT}"
        )
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"--host {host} is reachable from other machines: give an access token "
            f"(--token or PRESSWATCH_TOKEN, {MIN_TOKEN_CHARS}+ characters)"
        )


def serve_review_page(
    config: Config, host: str, port: int, token: str | None, on_ready: Callable[[str], None]
) -> None:
    """Serve until SIGINT or SIGTERM; `on_ready` gets the page's URL once it listens."""
    check_listen(host, token)
    engine = open_database(config.database.url)
    try:
        app = create_app(config, ReviewRepository(engine), token=token)
        listener = _listen(host, port)
        server = uvicorn.Server(
            uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        )
        bound_port = listener.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        on_ready(f"http://{shown}:{bound_port}/")
        server.run(sockets=[listener])
    finally:
        engine.dispose()


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
