"""What a newsroom gets from one `presswatch crawl` of four publishers with the starter config's
channels: one email and one webhook per topic, copies listed, no index page, canonical links;
the same after the crawl is killed half way; `presswatch check` and `alerts test`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from presswatch.loopback import LoopbackSite, Route, allow_loopback
from presswatch.starter import STARTER_CONFIG
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from tests.alerts.conftest import SmtpServer, WebhookReceiver, kill_crawl_when
from tests.conftest import TestDatabases
from tests.pages import article_page, paragraphs_about, rss_feed

SECRET = "hook-secret"
INDEX_PAGES = Path(__file__).parents[1] / "data" / "index_pages"
TRACKING = "?utm_source=rss&utm_medium=feed"
RSS = {"Content-Type": "application/rss+xml"}


def _story(topic_words: str, seed: int) -> list[str]:
    return paragraphs_about(topic_words, n=5, seed=seed)


# publisher -> (slug, title, paragraphs)
STORIES: dict[str, list[tuple[str, str, list[str]]]] = {
    "gazette": [
        ("harbour-dredging", "Harbour to be dredged", _story("the harbour dredging", 1)),
        ("council-budget", "Budget vote delayed", _story("the council budget", 2)),
        ("tram-depot", "Tram depot plan", _story("the tram depot", 3)),
    ],
    "courier": [
        ("harbour-wall", "Harbour wall repairs", _story("the harbour wall", 4)),
        ("library-hours", "Library hours cut", _story("the library opening hours", 5)),
    ],
    "ledger": [
        ("tram-fares", "Tram fares frozen", _story("tram fares", 6)),
        ("rainfall-record", "Record rainfall", _story("the rainfall record", 7)),
    ],
}
# the wire carries two of them, with a line of its own and its own furniture
SYNDICATED = {"gazette": "harbour-dredging", "courier": "harbour-wall"}
TOPICS = {
    "harbour": "harbour",
    "budget": '"council budget"',
    "trams": "tram*",
}
EXPECTED = {
    "harbour": {"Harbour to be dredged", "Harbour wall repairs"},
    "budget": {"Budget vote delayed"},
    "trams": {"Tram depot plan", "Tram fares frozen"},
}


def starter_config(
    database_url: str, smtp_port: int, hook_url: str, sources: str, topics: str
) -> str:
    """`presswatch init`'s file with its commented topic and channels in use, pointed at the
    loopback servers: the email channel exactly as printed (no username, a password_env)."""
    text = STARTER_CONFIG.split("\n[[sources]]\n", 1)[0]
    channels = STARTER_CONFIG.split("# [channels.desk]", 1)[1]
    channels = "[channels.desk]" + "\n".join(
        line.removeprefix("# ") for line in channels.split("\n")
    )
    channels = (
        channels.replace('smtp_host = "localhost"', 'smtp_host = "127.0.0.1"')
        .replace("smtp_port = 25", f"smtp_port = {smtp_port}")
        .replace('url = "https://hooks.example.org/presswatch"', f'url = "{hook_url}"')
    )
    assert 'username = ""' in channels
    assert 'password_env = "PRESSWATCH_SMTP_PASSWORD"' in channels
    text = text.replace('url = "sqlite:///presswatch.db"', f'url = "{database_url}"')
    return allow_loopback(f"{text}\n{sources}\n{topics}\n{channels}")


@dataclass
class Newsroom:
    site: LoopbackSite
    delay_s: float = 0.0
    feeds: dict[str, list[str]] = field(default_factory=dict)

    def build(self) -> Newsroom:
        for publisher, stories in STORIES.items():
            for slug, title, paragraphs in stories:
                self.page(publisher, slug, title, paragraphs)
        for publisher, slug in SYNDICATED.items():
            title, paragraphs = next((t, p) for s, t, p in STORIES[publisher] if s == slug)
            copy = [f"(Wire) — {paragraphs[0]}", *paragraphs[1:]]
            self.page("wire", f"copy-of-{slug}", f"WIRE: {title}", copy)
        # index pages in two feeds: teasers of other stories, with the topics' words in them
        for publisher, name in (("gazette", "tag-page.html"), ("courier", "section-front.html")):
            path = f"/{publisher}/{name}"
            self.site.add_html(path, (INDEX_PAGES / name).read_text(encoding="utf-8"))
            self.feeds[publisher].append(self.site.url(path))
        self.publish_feeds()
        return self

    def page(self, publisher: str, slug: str, title: str, paragraphs: list[str]) -> None:
        path = f"/{publisher}/news/{slug}.html"
        html = article_page(title, paragraphs, canonical=self.site.url(path))
        self.site.add_html(path, html, delay_s=self.delay_s)
        self.feeds.setdefault(publisher, []).append(self.site.url(path) + TRACKING)

    def publish_feeds(self) -> None:
        for publisher, links in self.feeds.items():
            self.site.add(
                f"/{publisher}.xml", Route(rss_feed(publisher, links).encode(), headers=RSS)
            )

    def sources_toml(self) -> str:
        return "".join(
            f'[[sources]]\nname = "{p}"\nfeeds = ["{self.site.url(f"/{p}.xml")}"]\n'
            for p in self.feeds
        )


def topics_toml() -> str:
    return "".join(
        f'[[topics]]\nname = "{name}"\nquery = \'{query}\'\nnotify = ["desk", "ops"]\n'
        for name, query in TOPICS.items()
    )


@dataclass
class Desk:
    config: Path
    database_url: str
    newsroom: Newsroom
    smtp: SmtpServer
    webhook: WebhookReceiver

    def crawl(self) -> subprocess.CompletedProcess[str]:
        return presswatch(self.config, "crawl")

    def repository(self) -> Repository:
        return Repository(open_database(self.database_url))


def presswatch(config: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("PRESSWATCH_SMTP_PASSWORD", "COLUMNS")
    }
    environment.update(PRESSWATCH_WEBHOOK_SECRET=SECRET, **env)
    return subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=environment,
    )


@pytest.fixture
def make_desk(
    site: LoopbackSite,
    tmp_path: Path,
    databases: TestDatabases,
    start_smtp: Callable[..., SmtpServer],
    webhook: WebhookReceiver,
) -> Callable[..., Desk]:
    def make(delay_s: float = 0.0) -> Desk:
        smtp = start_smtp("plain")  # no login: the starter's channel has no username
        webhook.secret = SECRET
        newsroom = Newsroom(site, delay_s).build()
        url = databases.url()
        path = tmp_path / "presswatch.toml"
        path.write_text(
            starter_config(url, smtp.port, webhook.url, newsroom.sources_toml(), topics_toml())
        )
        return Desk(path, url, newsroom, smtp, webhook)

    return make


def webhook_alerts(webhook: WebhookReceiver) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in webhook.requests]


def email_alerts(smtp: SmtpServer) -> list[tuple[str, str]]:
    """(subject, plain text) of every email received."""
    found = []
    for received in smtp.mailbox.messages:
        message = message_from_bytes(received.content, policy=policy.default)
        text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        found.append((str(message["Subject"]), text))
    return found


def test_one_crawl_one_alert_per_topic_and_channel(make_desk: Callable[..., Desk]) -> None:
    desk = make_desk()
    result = desk.crawl()
    assert result.returncode == 0, result.stderr
    assert "alerts: 6 sent, 0 to retry, 0 failed" in result.stdout  # 3 topics x 2 channels
    assert "PRESSWATCH_SMTP_PASSWORD" not in result.stdout + result.stderr

    # the webhook: one request per topic, every matching story once, copies listed
    by_topic = {alert["topic"]: alert for alert in webhook_alerts(desk.webhook)}
    assert len(desk.webhook.requests) == 3
    assert all(r.signature_ok for r in desk.webhook.requests)
    for topic, titles in EXPECTED.items():
        clippings = by_topic[topic]["clippings"]
        assert isinstance(clippings, list)
        originals = {str(c["title"]).removeprefix("WIRE: ") for c in clippings}
        assert originals == titles, topic
        assert len(clippings) == len(titles)  # a copy is listed, never sent as its own entry
        for clipping in clippings:
            assert TRACKING not in clipping["url"]  # the canonical link, not the feed's
            assert clipping["url"] == clipping["canonical_url"]
    harbour_clippings = by_topic["harbour"]["clippings"]
    assert isinstance(harbour_clippings, list)
    harbour = {str(c["title"]).removeprefix("WIRE: "): c for c in harbour_clippings}
    for title, publisher in (
        ("Harbour to be dredged", "gazette"),
        ("Harbour wall repairs", "courier"),
    ):
        (other,) = harbour[title]["also_in"]
        sources = {publisher, "wire"} - {harbour[title]["source"]}
        assert other["source"] in sources
        assert TRACKING not in other["url"]

    # the email: one per topic, through a server that asks for no login
    emails = email_alerts(desk.smtp)
    # each harbour story also ran on the wire: 2 clippings, 4 outlets
    outlets = {"harbour": ", 4 outlets"}
    assert sorted(subject for subject, _ in emails) == sorted(
        f"[presswatch] {topic}: {len(titles)} new clipping{'s' if len(titles) > 1 else ''}"
        f"{outlets.get(topic, '')}"
        for topic, titles in EXPECTED.items()
    )
    harbour_mail = next(text for subject, text in emails if "harbour" in subject)
    assert harbour_mail.count("also in: ") == 2
    assert TRACKING not in harbour_mail

    # no index page is a clipping; they are counted as not articles
    repository = desk.repository()
    try:
        stored = repository.list_clippings(limit=None)
        assert {c.title.removeprefix("WIRE: ") for c in stored} == {
            t for stories in STORIES.values() for _, t, _ in stories
        }
        assert len(stored) == 7 + 2
    finally:
        repository.engine.dispose()
    assert re.search(r"not.?articles", result.stdout)

    # a second crawl: nothing new, nothing sent again
    again = desk.crawl()
    assert "alerts: 0 sent" in again.stdout
    assert len(desk.webhook.requests) == 3
    assert len(desk.smtp.mailbox.messages) == 3


def test_killed_mid_crawl_then_crawled_again_each_story_once(
    make_desk: Callable[..., Desk],
) -> None:
    desk = make_desk(delay_s=0.0)
    slow = {f"/{p}/news/{s}.html" for p, stories in STORIES.items() for s, _, _ in stories[1:]}
    for path in slow:  # the first story of each publisher comes fast, the others slowly
        route = desk.newsroom.site.routes[path]
        assert isinstance(route, Route)
        desk.newsroom.site.add(path, Route(route.body, headers=route.headers, delay_s=4.0))
    environment = {k: v for k, v in os.environ.items() if k != "PRESSWATCH_SMTP_PASSWORD"}
    environment["PRESSWATCH_WEBHOOK_SECRET"] = SECRET
    repository = desk.repository()
    try:
        kill_crawl_when(desk.config, environment, repository.count_clippings, 2)
        stored = repository.count_clippings()
        assert 2 <= stored < 9, f"not killed half way ({stored} stored)"
        assert desk.webhook.requests == []  # gathering: nothing left before the crawl ended
        again = desk.crawl()
        assert again.returncode == 0, again.stderr
        assert repository.count_clippings() == 9
        desk.crawl()  # and once more: nothing new, nothing resent
    finally:
        repository.engine.dispose()
    sent = Counter(
        (alert["topic"], str(c["title"]).removeprefix("WIRE: "))
        for alert in webhook_alerts(desk.webhook)
        for c in alert["clippings"]  # type: ignore[attr-defined]
    )
    expected = Counter((topic, title) for topic, titles in EXPECTED.items() for title in titles)
    assert sent == expected
    mailed = Counter(
        (subject.split()[1].rstrip(":"), line.split(". ", 1)[1].removeprefix("WIRE: "))
        for subject, text in email_alerts(desk.smtp)
        for line in text.splitlines()
        if re.match(r"^\d+\. ", line)
    )
    assert mailed == expected


def test_check_says_what_cannot_be_reached(
    tmp_path: Path,
    databases: TestDatabases,
    start_smtp: Callable[..., SmtpServer],
    webhook: WebhookReceiver,
    closed_port: int,
) -> None:
    smtp = start_smtp("plain")
    source = '[[sources]]\nname = "a"\nfeeds = ["https://a.example/rss"]\n'
    good = tmp_path / "good.toml"
    good.write_text(starter_config(databases.url(), smtp.port, webhook.url, source, ""))
    result = presswatch(good, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("ok ") for line in lines)
    assert any("channel desk" in line and "250" in line for line in lines)
    assert webhook.requests == []  # reached, not sent to

    bad = tmp_path / "bad.toml"
    bad.write_text(
        starter_config(databases.url(), closed_port, webhook.url, source, "").replace(
            'secret_env = "PRESSWATCH_WEBHOOK_SECRET"', 'secret_env = "PRESSWATCH_NO_SUCH_SECRET"'
        )
    )
    result = presswatch(bad, "check")
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem")]
    assert len(problems) == 2
    assert any("channel desk" in p and "connection refused" in p for p in problems)
    assert any("channel ops" in p and "PRESSWATCH_NO_SUCH_SECRET is not set" in p for p in problems)

    broken = tmp_path / "broken.toml"
    broken.write_text(good.read_text().replace("concurrency = 16", "concurency = 16"))
    assert presswatch(broken, "check").returncode == 2


def test_alerts_test_sends_a_marked_message_and_prints_the_answer(
    tmp_path: Path,
    databases: TestDatabases,
    start_smtp: Callable[..., SmtpServer],
    webhook: WebhookReceiver,
) -> None:
    smtp = start_smtp("plain")
    webhook.secret = SECRET
    source = '[[sources]]\nname = "a"\nfeeds = ["https://a.example/rss"]\n'
    config = tmp_path / "presswatch.toml"
    config.write_text(starter_config(databases.url(), smtp.port, webhook.url, source, ""))

    mail = presswatch(config, "alerts", "test", "desk")
    assert mail.returncode == 0, mail.stderr
    assert f"test message sent through desk: 127.0.0.1:{smtp.port} answered 250" in mail.stdout
    ((subject, text),) = email_alerts(smtp)
    assert subject == "[presswatch] test message: channel desk"
    assert "This is a test message from presswatch" in text

    hook = presswatch(config, "alerts", "test", "ops")
    assert hook.returncode == 0, hook.stderr
    assert "answered HTTP 204" in hook.stdout
    (request,) = webhook.requests
    assert request.headers["x-presswatch-event"] == "test"
    assert request.signature_ok is True
    assert json.loads(request.body)["event"] == "test"

    unknown = presswatch(config, "alerts", "test", "pager")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "presswatch: error: unknown channel 'pager' (known: desk, ops)"
    )


def test_errors_are_one_line_however_narrow_the_terminal(tmp_path: Path) -> None:
    deep = tmp_path / ("a-rather-long-directory-name-" * 3) / "presswatch.toml"
    deep.parent.mkdir(parents=True)
    deep.write_text(
        '[crawl]\nconcurency = 4\n[[sources]]\nname = "a"\nfeeds = ["https://a.example/r"]\n'
    )
    result = presswatch(deep, "crawl", COLUMNS="40")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.strip() == f"presswatch: error: {deep}: crawl.concurency: unknown key"
    usage = presswatch(deep, "crawl", "--no-such-option", COLUMNS="40")
    assert usage.returncode == 2
    assert usage.stderr.count("\n") == 1
    assert "No such option" in usage.stderr
