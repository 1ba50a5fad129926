"""Logging in with the access token (once per browser: a signed cookie) and out again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from presswatch.web.context import render, web
from presswatch.web.forms import posted_form, safe_next
from presswatch.web.security import COOKIE, session_cookie_header


def login_page(request: Request) -> Response:
    target = safe_next(request.query_params.get("next", ""), "/")
    if not web(request).guard.requires_login:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", next=target, failed=False, wait_s=0)


async def log_in(request: Request) -> Response:
    form = await posted_form(request)
    guard = web(request).guard
    target = safe_next(str(form.get("next", "")), "/")
    client = request.client.host if request.client else "?"
    wait_s = guard.login_blocked_for(client)
    if wait_s > 0:
        return render(request, "login.html", 429, next=target, failed=False, wait_s=int(wait_s) + 1)
    given = form.get("token")
    if not isinstance(given, str) or not guard.is_token(given.strip()):
        guard.login_failed(client)
        return render(request, "login.html", 401, next=target, failed=True, wait_s=0)
    # a new session (a new nonce) on login, so a cookie planted before cannot ride along
    _session, cookie = guard.new_cookie(authenticated=True)
    response = RedirectResponse(target, status_code=303)
    response.headers.append("set-cookie", session_cookie_header(cookie, request.scope))
    return response


async def log_out(request: Request) -> Response:
    await posted_form(request)
    # every cookie issued so far stops working, a copy of this one included
    web(request).guard.log_out_everyone()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


routes = [
    Route("/login", login_page, name="login"),
    Route("/login", log_in, methods=["POST"], name="log_in"),
    Route("/logout", log_out, methods=["POST"], name="log_out"),
]
