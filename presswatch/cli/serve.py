"""`presswatch serve`: the review web page."""

from __future__ import annotations

import click

from presswatch.cli.console import out
from presswatch.cli.state import AppState


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but a loopback address needs an access token.",
)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--token",
    envvar="PRESSWATCH_TOKEN",
    show_envvar=True,
    metavar="TOKEN",
    help="Access token: the page asks for it once; scripts send 'Authorization: Bearer TOKEN'.",
)
@click.pass_obj
def serve(state: AppState, host: str, port: int, token: str | None) -> None:
    """Serve the review web page: clippings (filters, search, export), topics with an Atom
    feed each, sources, alerts. Ctrl+C stops it.

    \b
    Example:
      presswatch serve --port 8080
      PRESSWATCH_TOKEN=... presswatch serve --host 0.0.0.0
    """
    from presswatch.web.serve import check_listen, serve_review_page

    check_listen(host, token or None)  # before the config is read: the first error wins
    serve_review_page(
        state.config(),
        host,
        port,
        token or None,
        on_ready=lambda url: out.print(f"review page at {url} (Ctrl+C stops it)"),
    )
