"""`create_app`: the review page as a Starlette application (server-rendered, no build step)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from presswatch import __version__
from presswatch.config import Config
from presswatch.storage.repository import Repository
from presswatch.web.secret import ServerSecret
from presswatch.web.security import AccessMiddleware, Guard

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class WebContext:
    """What every view needs; kept on the application's state."""

    config: Config
    repository: Repository
    guard: Guard
    templates: Jinja2Templates


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
    from presswatch.web import clipping_views, login, overview_views

    routes: list[BaseRoute] = [
        *clipping_views.routes,
        *overview_views.routes,
        *login.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    guard = Guard(token, secret)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(AccessMiddleware, guard=guard, loopback_only=token is None)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.web = WebContext(config, repository, guard, _templates())
    return app


def web(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    """A page from templates/, with the navigation's and the forms' common values."""
    templates = web(request).templates
    return templates.TemplateResponse(
        request,
        template,
        {
            "csrf": request.state.csrf,
            "login_required": web(request).guard.requires_login,
            "version": __version__,
            **context,
        },
        status_code=status_code,
    )


async def posted_form(request: Request) -> FormData:
    """The form of a POST, refused (403) without the CSRF token of this browser's session;
    a request with the Bearer token needs none."""
    form = await request.form()
    if request.state.via_bearer:
        return form
    token = form.get("csrf")
    if not isinstance(token, str) or not web(request).guard.is_valid_csrf(
        request.state.session, token
    ):
        raise HTTPException(
            403, "This form did not come from this page, or it expired: reload and try again."
        )
    return form


def safe_next(target: str, default: str) -> str:
    """`target` when it is a path on this site (never another site's URL), else `default`.
    Whitespace and control characters are refused: browsers drop a tab or a newline, and
    "/\t/evil.example" becomes "//evil.example", another site."""
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["iso"] = lambda moment: moment.isoformat() if moment else ""
    return Jinja2Templates(env=env)


def when(moment: datetime | None, empty: str = "—") -> Markup:
    """A time as `<time>` in UTC; the page's script shows it in the reader's time zone."""
    if moment is None:
        return Markup(escape(empty))
    moment = moment.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M UTC")
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return PlainTextResponse(exc.detail, status_code=exc.status_code)
    return render(
        request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail
    )
