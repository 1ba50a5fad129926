"""The review page's sessions cannot be forged or outlive a log-out, logins cannot be guessed
at speed, and hostile URLs do not redirect elsewhere or crash the page."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

from starlette.testclient import TestClient

from presswatch.config import secret_path
from presswatch.web.app import create_app
from presswatch.web.secret import ServerSecret
from presswatch.web.security import COOKIE, MAX_LOGIN_FAILURES
from tests.web.conftest import TOKEN, Newsroom, csrf_of

HTML = {"Accept": "text/html"}
ORIGIN = {"Origin": "http://newsroom.example:8080"}


def _client(newsroom: Newsroom, secret: ServerSecret, token: str = TOKEN) -> TestClient:
    app = create_app(newsroom.config, newsroom.repository, token=token, secret=secret)
    return TestClient(app, base_url="http://newsroom.example:8080")


def _log_in(client: TestClient, token: str = TOKEN) -> str:
    """Log in; the session cookie the server set."""
    page = client.get("/login", headers=HTML).text
    answer = client.post(
        "/login",
        data={"csrf": csrf_of(page), "token": token, "next": "/"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.cookies[COOKIE]


def _status_with(client: TestClient, cookie: str) -> int:
    """What a request carrying only this session cookie gets (303: sent to log in)."""
    client.cookies.clear()
    answer = client.get(
        "/", headers={**HTML, "Cookie": f"{COOKIE}={cookie}"}, follow_redirects=False
    )
    return answer.status_code


def test_an_anonymous_cookie_tells_nothing_about_the_token(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    secret = ServerSecret.load_or_create(tmp_path / "web.secret")
    with _client(newsroom, secret) as client:
        client.get("/login", headers=HTML)
        anonymous = str(client.cookies[COOKIE])
        payload, signature = anonymous.rsplit(".", 1)
        # how the key was derived before: from the token alone, so one anonymous cookie let a
        # dictionary attack on the token run offline; now no guess of the token signs it
        old_key = hmac.new(TOKEN.encode(), b"presswatch review page session", hashlib.sha256)
        guessed = hmac.new(old_key.digest(), payload.encode(), hashlib.sha256).hexdigest()
        assert guessed != signature
        # and a cookie forged to say "logged in" with that key is refused
        nonce, issued, _, epoch = payload.split(".")
        forged_payload = f"{nonce}.{issued}.1.{epoch}"
        forged = hmac.new(old_key.digest(), forged_payload.encode(), hashlib.sha256).hexdigest()
        client.cookies.set(COOKIE, f"{forged_payload}.{forged}")
        page = client.get("/", headers=HTML, follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login")


def test_log_out_and_a_new_token_revoke_copied_cookies(newsroom: Newsroom, tmp_path: Path) -> None:
    path = tmp_path / "web.secret"
    secret = ServerSecret.load_or_create(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with _client(newsroom, secret) as client:
        copied = _log_in(client)
        assert _status_with(client, copied) == 200
    # a restart keeps the secret: the cookie still works
    with _client(newsroom, ServerSecret.load_or_create(path)) as client:
        assert _status_with(client, copied) == 200
        page = client.get("/", headers={**HTML, "Cookie": f"{COOKIE}={copied}"}).text
        logged_out = client.post(
            "/logout",
            data={"csrf": csrf_of(page)},
            headers={**ORIGIN, "Cookie": f"{COOKIE}={copied}"},
            follow_redirects=False,
        )
        assert logged_out.status_code == 303
        # the copy is worthless after the log-out, in this process and the next
        assert _status_with(client, copied) == 303
    with _client(newsroom, ServerSecret.load_or_create(path)) as client:
        assert _status_with(client, copied) == 303
        before = _log_in(client)
    # a cookie from before the token changed is worthless too
    new_token = TOKEN + "-rotated"
    with _client(newsroom, ServerSecret.load_or_create(path), token=new_token) as client:
        assert _status_with(client, before) == 303
        assert _status_with(client, _log_in(client, new_token)) == 200


def test_wrong_tokens_from_one_address_are_slowed_down(newsroom: Newsroom, tmp_path: Path) -> None:
    with _client(newsroom, ServerSecret.ephemeral()) as client:
        page = client.get("/login", headers=HTML).text
        for _ in range(MAX_LOGIN_FAILURES):
            wrong = client.post(
                "/login", data={"csrf": csrf_of(page), "token": "guess"}, headers=ORIGIN
            )
            assert wrong.status_code == 401
        # the right token too must wait now: guessing cannot go on at full speed
        blocked = client.post(
            "/login", data={"csrf": csrf_of(page), "token": TOKEN}, headers=ORIGIN
        )
        assert blocked.status_code == 429
        assert "Too many wrong tokens" in blocked.text


def test_control_characters_in_next_or_back_never_lead_elsewhere(client: TestClient) -> None:
    for target in ("/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "/ /x"):
        answer = client.get(f"/login?next={target}", follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/"


def test_an_id_no_clipping_can_have_is_404_with_security_headers(
    client: TestClient, newsroom: Newsroom
) -> None:
    for path in ("/clippings/99999999999999999999", "/clippings/4294967296", "/clippings/0"):
        answer = client.get(path, headers=HTML)
        assert answer.status_code == 404, path
        assert answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
    api = client.get("/api/clippings/99999999999999999999")
    assert api.status_code == 404


def test_the_secret_lives_next_to_the_database(newsroom: Newsroom) -> None:
    path = secret_path(newsroom.config)
    url = newsroom.config.database.url
    if url.startswith("sqlite:///"):
        assert path == Path(url.removeprefix("sqlite:///") + ".secret")
    else:  # PostgreSQL: beside the config file
        assert newsroom.config.path is not None
        assert path == newsroom.config.path.parent / "presswatch.secret"
