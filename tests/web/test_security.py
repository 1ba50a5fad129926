"""Safe by default: escaping, cross-site requests refused, loopback only without a token, the
token asked for once."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from presswatch.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import TestDatabases, database_toml
from tests.web.conftest import TOKEN, Newsroom, csrf_of

HTML = {"Accept": "text/html"}


def test_scraped_markup_is_shown_as_text(client: TestClient, newsroom: Newsroom) -> None:
    for path in (f"/clippings/{newsroom.ids['xss']}", "/", "/?q=harbour"):
        page = client.get(path, headers=HTML).text
        assert "&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in page
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert "onerror=alert(1)&gt;" in page


def test_every_answer_carries_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


@pytest.mark.parametrize(
    ("headers", "with_token"),
    [
        ({"Origin": "https://evil.example"}, False),
        ({"Origin": "https://evil.example"}, True),  # even with this browser's token
        ({"Origin": "null"}, True),
        ({"Sec-Fetch-Site": "cross-site"}, True),
        ({"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8080"}, True),
        ({"Origin": "http://127.0.0.1:8080"}, False),  # same origin, but no token
        ({}, False),
    ],
)
def test_a_cross_site_or_tokenless_post_changes_nothing(
    client: TestClient, newsroom: Newsroom, headers: dict[str, str], with_token: bool
) -> None:
    harbour = newsroom.ids["harbour"]
    data = {"action": "reviewed"}
    if with_token:
        data["csrf"] = csrf_of(client.get("/").text)
    response = client.post(
        f"/clippings/{harbour}/review", data=data, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403
    assert not newsroom.repository.review_state(harbour).is_reviewed
    retry = client.post("/alerts/retry", data=data, headers=headers, follow_redirects=False)
    assert retry.status_code == 403
    assert {a.attempts for a in newsroom.repository.list_alerts()} == {0}


def test_another_browsers_csrf_token_does_not_pass(client: TestClient, newsroom: Newsroom) -> None:
    token = csrf_of(client.get("/").text)
    client.cookies.clear()  # a different browser: its own session cookie
    client.get("/")
    response = client.post(
        f"/clippings/{newsroom.ids['harbour']}/review",
        data={"action": "star", "csrf": token},
        headers={"Origin": "http://127.0.0.1:8080"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert not newsroom.repository.review_state(newsroom.ids["harbour"]).starred


def test_without_a_token_only_loopback_names_are_answered(client: TestClient) -> None:
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200
    rebound = client.get("/", headers={"Host": "attacker.example"})
    assert rebound.status_code == 421
    assert "--token" in rebound.text


def test_with_a_token_the_browser_logs_in_once(
    token_client: TestClient, newsroom: Newsroom
) -> None:
    first = token_client.get("/?topic=harbour", headers=HTML, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/login?next=/%3Ftopic%3Dharbour"
    login = token_client.get(first.headers["location"], headers=HTML)
    assert "Access token" in login.text
    origin = {"Origin": "http://newsroom.example:8080"}
    wrong = token_client.post(
        "/login",
        data={"csrf": csrf_of(login.text), "token": "guess", "next": "/?topic=harbour"},
        headers=origin,
    )
    assert wrong.status_code == 401
    assert "That is not the access token." in wrong.text
    right = token_client.post(
        "/login",
        data={"csrf": csrf_of(login.text), "token": TOKEN, "next": "/?topic=harbour"},
        headers=origin,
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert right.headers["location"] == "/?topic=harbour"
    assert "HttpOnly" in right.headers["set-cookie"]
    assert "SameSite=Strict" in right.headers["set-cookie"]
    page = token_client.get("/?topic=harbour", headers=HTML)
    assert page.status_code == 200
    assert "Log out" in page.text
    # and a review from the page goes through
    reviewed = token_client.post(
        f"/clippings/{newsroom.ids['harbour']}/review",
        data={"csrf": csrf_of(page.text), "action": "reviewed"},
        headers=origin,
        follow_redirects=False,
    )
    assert reviewed.status_code == 303
    assert newsroom.repository.review_state(newsroom.ids["harbour"]).is_reviewed
    token_client.post("/logout", data={"csrf": csrf_of(page.text)}, headers=origin)
    assert token_client.get("/", headers=HTML, follow_redirects=False).status_code == 303


def test_login_never_redirects_to_another_site(token_client: TestClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        login = token_client.get("/login", headers=HTML)
        response = token_client.post(
            "/login",
            data={"csrf": csrf_of(login.text), "token": TOKEN, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/"


def test_with_a_token_scripts_and_feed_readers_send_it(
    token_client: TestClient, newsroom: Newsroom
) -> None:
    assert token_client.get("/api/clippings").status_code == 401
    assert token_client.get("/topics/harbour/feed.xml").status_code == 401
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert token_client.get("/api/clippings", headers=bearer).status_code == 200
    assert (
        token_client.get("/api/clippings", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    basic = base64.b64encode(f"reader:{TOKEN}".encode()).decode()
    feed = token_client.get("/topics/harbour/feed.xml", headers={"Authorization": f"Basic {basic}"})
    assert feed.status_code == 200
    # a script with the token needs no CSRF token (a browser never adds the header itself)
    starred = token_client.post(
        f"/clippings/{newsroom.ids['trams']}/review",
        data={"action": "star"},
        headers={**bearer, "Accept": "application/json"},
    )
    assert starred.json()["starred"] is True
    # HTTP Basic is for reading: a browser may replay it, so a POST needs the CSRF token
    basic_post = token_client.post(
        f"/clippings/{newsroom.ids['trams']}/review",
        data={"action": "unstar"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert basic_post.status_code == 401
    assert newsroom.repository.review_state(newsroom.ids["trams"]).starred


def _serve(
    tmp_path: Path, database_url: str, *args: str, token: str | None = None
) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "presswatch.toml"
    config.write_text(database_toml(database_url), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin"}
    if token is not None:
        env["PRESSWATCH_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(config), "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    ("args", "token", "message"),
    [
        (("--host", "0.0.0.0"), None, "--host 0.0.0.0 is reachable from other machines"),
        (("--host", "192.0.2.7"), "", "--host 192.0.2.7 is reachable from other machines"),
        (("--token", "short"), None, "the access token is too weak (about 23 bits, 128 needed)"),
        (("--host", "0.0.0.0"), "short", "the access token is too weak"),
        (("--token", "harbourgazette26"), None, "too weak (about 82 bits"),
    ],
)
def test_serve_refuses_to_start_unprotected(
    tmp_path: Path,
    databases: TestDatabases,
    args: tuple[str, ...],
    token: str | None,
    message: str,
) -> None:
    result = _serve(tmp_path, databases.url(), *args, token=token)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("presswatch: error: ")
    assert message in result.stderr
