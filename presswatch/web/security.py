"""Who may use the review page, and which requests may change anything.

- Without an access token the page answers only requests addressed to a loopback name (so a
  web page elsewhere cannot reach it through DNS rebinding).
- With a token, a browser logs in once (a signed, HttpOnly, SameSite=Strict cookie); scripts
  send `Authorization: Bearer TOKEN`; feed readers may use HTTP Basic with the token as the
  password (reading only).
- A state-changing request is a POST from this site: a browser's `Sec-Fetch-Site` or `Origin`
  naming another site refuses it, and a form must carry the CSRF token bound to the session
  cookie. A request with the Bearer token needs no CSRF token (browsers never add that header
  on their own).
"""

from __future__ import annotations

import base64
import binascii
import collections
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import quote

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from presswatch.web.secret import ServerSecret

COOKIE = "presswatch_session"
SESSION_MAX_AGE_S = 30 * 86400
# wrong tokens one client address may send in a window before it has to wait
MAX_LOGIN_FAILURES = 5
LOGIN_WINDOW_S = 60.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
OPEN_PATHS = ("/login", "/static/")  # reachable before logging in
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_SAME_SITE_FETCH = ("same-origin", "none")  # "none": typed into the address bar
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class Session:
    nonce: str
    is_authenticated: bool


class Guard:
    """Signs and checks session cookies and CSRF tokens; knows the access token, if any, and
    how many wrong ones each client address sent lately."""

    def __init__(self, token: str | None, secret: ServerSecret | None = None) -> None:
        self.token = token
        self.secret = secret or ServerSecret.ephemeral()
        # the key is the server's own secret, bound to the token: nothing about the token can
        # be learnt from a cookie, and a new token makes every earlier cookie worthless
        bound = hashlib.sha256((token or "").encode()).digest()
        self._key = hmac.new(self.secret.key, b"session " + bound, hashlib.sha256).digest()
        self._failures: dict[str, collections.deque[float]] = {}

    @property
    def requires_login(self) -> bool:
        return self.token is not None

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def new_cookie(self, *, authenticated: bool) -> tuple[Session, str]:
        nonce = secrets.token_urlsafe(18)
        payload = f"{nonce}.{int(time.time())}.{int(authenticated)}.{self.secret.epoch}"
        return Session(nonce, authenticated), f"{payload}.{self._sign(payload)}"

    def read_cookie(self, value: str | None) -> Session | None:
        """The session of a cookie this server signed since the last log-out, that has not
        expired."""
        if not value or value.count(".") != 4:
            return None
        payload, signature = value.rsplit(".", 1)
        if not hmac.compare_digest(signature, self._sign(payload)):
            return None
        nonce, issued, authenticated, epoch = payload.split(".")
        if not issued.isdigit() or time.time() - int(issued) > SESSION_MAX_AGE_S:
            return None
        if epoch != str(self.secret.epoch):
            return None
        return Session(nonce, authenticated == "1" or not self.requires_login)

    def log_out_everyone(self) -> None:
        self.secret.revoke_all()

    def login_blocked_for(self, client: str) -> float:
        """Seconds until `client` may try the token again (0: now)."""
        failures = self._failures.get(client)
        if failures is None:
            return 0.0
        now = time.monotonic()
        while failures and now - failures[0] > LOGIN_WINDOW_S:
            failures.popleft()
        if len(failures) < MAX_LOGIN_FAILURES:
            return 0.0
        return LOGIN_WINDOW_S - (now - failures[0])

    def login_failed(self, client: str) -> None:
        self._failures.setdefault(client, collections.deque()).append(time.monotonic())

    def csrf_token(self, session: Session) -> str:
        return self._sign(f"csrf:{session.nonce}")[:32]

    def is_valid_csrf(self, session: Session | None, token: str) -> bool:
        return session is not None and hmac.compare_digest(self.csrf_token(session), token)

    def is_token(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def credentials(self, headers: Headers, method: str) -> str | None:
        """ "bearer" or "basic" when the request carries the access token, else None."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.is_token(value.strip()):
            return "bearer"
        if scheme.lower() == "basic" and method in _SAFE_METHODS:
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            if self.is_token(decoded.partition(":")[2]):
                return "basic"
        return None


def is_cross_site(headers: Headers, scheme: str) -> bool:
    """Does the browser say that this request comes from another site?"""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in _SAME_SITE_FETCH:
        return True
    origin = headers.get("origin")
    if origin is None:
        return False
    return origin != f"{scheme}://{headers.get('host', '')}"


def is_loopback_host(host_header: str) -> bool:
    host = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
    return host in LOOPBACK_HOSTS


class AccessMiddleware:
    """Puts `session`, `csrf` and `via_bearer` into the request state, refuses what may not
    pass, and adds the security headers to every answer."""

    def __init__(self, app: ASGIApp, guard: Guard, *, loopback_only: bool) -> None:
        self.app = app
        self.guard = guard
        self.loopback_only = loopback_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        headers = connection.headers
        method = scope["method"]
        refusal = self._refusal(connection, method)
        if refusal is not None:
            await _secured(refusal)(scope, receive, send)
            return
        via = self.guard.credentials(headers, method)
        session = self.guard.read_cookie(connection.cookies.get(COOKIE))
        new_cookie = None
        if session is None and via is None:
            session, new_cookie = self.guard.new_cookie(authenticated=False)
        is_allowed = (
            not self.guard.requires_login
            or via is not None
            or (session is not None and session.is_authenticated)
            or connection.url.path.startswith(OPEN_PATHS)
        )
        if not is_allowed:
            await _secured(_login_needed(connection, new_cookie))(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["session"] = session
        state["csrf"] = self.guard.csrf_token(session) if session else ""
        state["via_bearer"] = via == "bearer"

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                _add_security_headers(out)
                if new_cookie is not None and "set-cookie" not in out:
                    out.append("set-cookie", session_cookie_header(new_cookie, scope))
            await send(message)

        await self.app(scope, receive, send_secured)

    def _refusal(self, connection: HTTPConnection, method: str) -> Response | None:
        headers = connection.headers
        if self.loopback_only and not is_loopback_host(headers.get("host", "")):
            return PlainTextResponse(
                "presswatch answers only to 127.0.0.1 or localhost (start it with --token to "
                "serve other names)",
                status_code=421,
            )
        if method not in _SAFE_METHODS and is_cross_site(headers, connection.url.scheme):
            return PlainTextResponse("cross-site request refused", status_code=403)
        return None


def session_cookie_header(value: str, scope: Scope) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = value
    morsel = cookie[COOKIE]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["max-age"] = SESSION_MAX_AGE_S
    if scope.get("scheme") == "https":
        morsel["secure"] = True
    return morsel.OutputString()


def _login_needed(connection: HTTPConnection, new_cookie: str | None) -> Response:
    accept = connection.headers.get("accept", "")
    path = connection.url.path
    if "text/html" in accept and connection.scope["method"] == "GET":
        target = path + (f"?{connection.url.query}" if connection.url.query else "")
        response: Response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    else:
        response = PlainTextResponse(
            "log in first, or send the access token (Authorization: Bearer TOKEN)",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="presswatch"'},
        )
    if new_cookie is not None:
        response.headers.append("set-cookie", session_cookie_header(new_cookie, connection.scope))
    return response


def _secured(response: Response) -> Response:
    _add_security_headers(response.headers)
    return response


def _add_security_headers(headers: MutableHeaders) -> None:
    headers.setdefault("content-security-policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("x-content-type-options", "nosniff")
    # "same-origin": the sites linked to never learn this address, and a form POST keeps
    # its Origin (with "no-referrer" a browser sends "Origin: null")
    headers.setdefault("referrer-policy", "same-origin")
    headers.setdefault("x-frame-options", "DENY")
