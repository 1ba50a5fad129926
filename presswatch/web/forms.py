"""What a view trusts of a request: a posted form with this session's CSRF token, and a
redirect target only when it is a path on this site."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from presswatch.web.context import web


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
