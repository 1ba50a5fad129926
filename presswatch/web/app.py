"""`create_app`: the review page as a Starlette application (server-rendered, no build step),
assembled from the routes of its views."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from presswatch.config import Config
from presswatch.storage.repository import Repository
from presswatch.web import clipping_views, login, overview_views, preview_views, story_views
from presswatch.web.context import HERE, WebContext, render, templates
from presswatch.web.secret import ServerSecret
from presswatch.web.security import AccessMiddleware, Guard


def create_app(
    config: Config,
    repository: Repository,
    *,
    token: str | None = None,
    secret: ServerSecret | None = None,
) -> Starlette:
    """The review page over `repository`, for `config`'s topics, sources and channels. With a
    `token`, every request must log in or carry it; without one, only loopback names are
    answered."""
    routes: list[BaseRoute] = [
        *clipping_views.routes,
        *overview_views.routes,
        *preview_views.routes,
        *story_views.routes,
        *login.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    guard = Guard(token, secret)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, guard=guard, loopback_only=token is None)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.web = WebContext(config, repository, guard, templates())
    return app


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(exc.detail, status_code=exc.status_code)
    return render(
        request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail
    )
