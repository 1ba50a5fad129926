"""What every view of the review page works with: the application's context (config,
repository, guard, templates) and pages rendered from the templates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from presswatch import __version__
from presswatch.config import Config
from presswatch.storage.repository import Repository
from presswatch.web.marks import marked_search
from presswatch.web.security import Guard

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class WebContext:
    """What every view needs; kept on the application's state."""

    config: Config
    repository: Repository
    guard: Guard
    templates: Jinja2Templates


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


def templates() -> Jinja2Templates:
    """The page templates, with the `when` and `iso` filters."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    env.filters["iso"] = lambda moment: moment.isoformat() if moment else ""
    env.filters["hits"] = marked_search
    return Jinja2Templates(env=env)


def when(moment: datetime | None, empty: str = "—") -> Markup:
    """A time as `<time>` in UTC; the page's script shows it in the reader's time zone."""
    if moment is None:
        return Markup(escape(empty))
    moment = moment.astimezone(UTC)
    return Markup('<time datetime="{}">{}</time>').format(
        moment.isoformat(), moment.strftime("%Y-%m-%d %H:%M UTC")
    )
