"""Alerts by story, end to end: one outlet's report, two verbatim copies and three rewrites on
other outlets, crawled by one `presswatch crawl`, make one alert per topic and channel that
lists the story once with its 6 outlets; an outlet that joins the story later alerts nobody
again; the original retitled gives one "update" alert, with the diff, on each channel of the
topic that opted in (`on_update`) and none for the other; with `[alerts] per_story = false`
each rewrite is its own entry."""

from __future__ import annotations

import glob
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from presswatch.loopback import LoopbackSite, Route
from tests.alerts.conftest import SmtpServer, WebhookReceiver
from tests.alerts.test_newsroom_alerts import (
    RSS,
    SECRET,
    email_alerts,
    presswatch,
    starter_config,
    webhook_alerts,
)
from tests.conftest import TestDatabases, opened_repository
from tests.pages import article_page

STORY_FILE = Path(__file__).parents[1] / "data" / "stories"
TOPICS = (
    "[[topics]]\n"
    'name = "art-desk"\n'
    "query = 'painting AND museum'\n"
    'notify = ["desk", "ops"]\n'
    "on_update = true\n"
    "[[topics]]\n"
    'name = "police"\n'
    "query = 'thieves OR police'\n"
    'notify = ["desk", "ops"]\n'
)


@dataclass(frozen=True)
class Report:
    id: str
    kind: str
    source: str
    published: str
    title: str
    text: str


def museum_theft() -> list[Report]:
    """The Tarrisford museum theft of the evaluation set: the original, two verbatim copies,
    a retitled copy, a shortened one and one with a new first paragraph (six outlets), then
    two other outlets' own reports."""
    (path,) = glob.glob(str(STORY_FILE / "32-*.json"))
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return [
        Report(a["id"], a["kind"], a["source"], a["published"], a["title"], a["text"])
        for a in raw["articles"]
    ]


@dataclass
class Outlets:
    site: LoopbackSite
    feeds: dict[str, list[str]]

    def publish(self, report: Report) -> str:
        url = self.page(report)
        self.feeds.setdefault(report.source, []).append(url)
        items = "".join(
            f"<item><title>{i}</title><link>{link}</link><guid>{link}</guid></item>"
            for i, link in enumerate(self.feeds[report.source])
        )
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{report.source}'
        feed += f"</title><link>{url}</link>{items}</channel></rss>"
        self.site.add(f"/{report.source}.xml", Route(feed.encode(), headers=RSS))
        return url

    def page(self, report: Report) -> str:
        """Serve the report's page (again, as it is now); its URL."""
        path = f"/{report.source}/news/{report.id}.html"
        url = self.site.url(path)
        html = article_page(
            report.title, report.text.split("\n\n"), canonical=url, published=report.published
        )
        self.site.add_html(path, html)
        return url

    def sources_toml(self, names: list[str]) -> str:
        return "".join(
            f'[[sources]]\nname = "{n}"\nfeeds = ["{self.site.url(f"/{n}.xml")}"]\n' for n in names
        )


@dataclass
class Room:
    config: Path
    outlets: Outlets
    smtp: SmtpServer
    database_url: str


@pytest.fixture
def newsroom(
    site: LoopbackSite,
    tmp_path: Path,
    databases: TestDatabases,
    start_smtp: Callable[..., SmtpServer],
    webhook: WebhookReceiver,
) -> Callable[[str], Room]:
    def make(per_story: str = "true") -> Room:
        smtp = start_smtp("plain")
        webhook.secret = SECRET
        outlets = Outlets(site, {})
        names = sorted({r.source for r in museum_theft()})
        for name in names:  # every outlet's feed answers, empty until it publishes
            site.add(f"/{name}.xml", Route(b'<rss version="2.0"><channel/></rss>', headers=RSS))
        config = tmp_path / "presswatch.toml"
        sources = outlets.sources_toml(names)
        url = databases.url()
        text = starter_config(url, smtp.port, webhook.url, sources, TOPICS)
        assert "\nper_story = true " in text  # the starter's key, set to `per_story`
        config.write_text(text.replace("\nper_story = true ", f"\nper_story = {per_story} "))
        return Room(config, outlets, smtp, url)

    return make


def test_a_story_in_six_outlets_is_one_alert_per_topic_and_channel(
    newsroom: Callable[[str], Room], webhook: WebhookReceiver
) -> None:
    room = newsroom("true")
    config, outlets, smtp = room.config, room.outlets, room.smtp
    reports = museum_theft()
    six = [r for r in reports if r.kind != "independent"]
    assert len({r.source for r in six}) == 6
    urls = {r.source: outlets.publish(r) for r in six}

    crawl = presswatch(config, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    assert "alerts: 4 sent, 0 to retry, 0 failed" in crawl.stdout  # 2 topics x 2 channels

    bodies = webhook_alerts(webhook)
    assert sorted(str(b["topic"]) for b in bodies) == ["art-desk", "police"]
    for body in bodies:
        clippings = body["clippings"]
        assert isinstance(clippings, list)
        (entry,) = clippings  # the story once
        story = entry["story"]
        assert story["outlets"] == 6
        assert story["origin_source"] == "dunmere-times"  # the earliest published
        assert story["first_seen"] == "2026-11-28T10:50:00+00:00"
        assert story["wire"] == "AP"
        assert entry["story_id"] == story["id"]
        others = {(a["source"], a["url"]) for a in entry["also_in"]}
        assert others == {(s, u) for s, u in urls.items() if s != entry["source"]}
    emails = email_alerts(smtp)
    assert sorted(subject for subject, _ in emails) == [
        "[presswatch] art-desk: 1 new clipping, 6 outlets",
        "[presswatch] police: 1 new clipping, 6 outlets",
    ]
    for _, text in emails:
        assert "story: 6 outlets, first seen 2026-11-28 10:50 UTC at dunmere-times (AP)" in text

    # another outlet's own report joins the story a crawl later: no alert for anyone
    late = next(r for r in reports if r.source == "coast-herald")
    outlets.publish(late)
    again = presswatch(config, "crawl")
    assert again.returncode == 0, again.stderr
    assert "alerts: 0 sent" in again.stdout
    assert len(webhook.requests) == 2
    with opened_repository(room.database_url) as repository:
        stored = {c.source: c.story_id for c in repository.list_clippings(limit=None)}
    assert stored["coast-herald"] == bodies[0]["clippings"][0]["story_id"]  # type: ignore[index]
    assert len(set(stored.values())) == 1

    # the original is retitled: one "update" alert per channel of the topic that opted in
    original = six[0]
    assert original.source == "dunmere-times"
    retitled = "Tarrisford museum painting stolen: police seek two men"
    outlets.page(replace(original, title=retitled))
    recheck = presswatch(config, "clippings", "recheck", "--all")
    assert recheck.returncode == 0, recheck.stderr
    updates = [r for r in webhook.requests if r.headers["x-presswatch-event"] == "update"]
    (update,) = updates
    body = json.loads(update.body)
    assert body["topic"] == "art-desk"
    assert body["clipping"]["source"] == "dunmere-times"
    assert body["changes"]["title"] == [original.title, retitled]
    update_mails = [s for s, _ in email_alerts(smtp) if "updated" in s]
    assert update_mails == [f"[presswatch] updated: art-desk: {retitled}"]
    # checked again: nothing changed since, nothing sent again
    assert presswatch(config, "clippings", "recheck", "--all").returncode == 0
    assert len(webhook.requests) == 3
    assert len(email_alerts(smtp)) == 3


def test_per_story_false_gives_each_rewrite_its_own_entry(
    newsroom: Callable[[str], Room], webhook: WebhookReceiver
) -> None:
    room = newsroom("false")
    config, outlets = room.config, room.outlets
    six = [r for r in museum_theft() if r.kind != "independent"]
    for report in six:
        outlets.publish(report)
    crawl = presswatch(config, "crawl")
    assert crawl.returncode == 0, crawl.stderr
    body = next(b for b in webhook_alerts(webhook) if b["topic"] == "art-desk")
    clippings = body["clippings"]
    assert isinstance(clippings, list)
    # copies near-identical to a stored clipping fold into it (listed in also_in); every
    # other clipping of the story is an entry of its own, all with the same story id
    with opened_repository(room.database_url) as repository:
        stored = repository.list_clippings(limit=None)
    unfolded = {c.id for c in stored if c.duplicate_of is None}
    assert len(unfolded) >= 2
    assert {c["id"] for c in clippings} == unfolded
    assert len({c["story_id"] for c in clippings} | {c.story_id for c in stored}) == 1
    assert all("story" not in c for c in clippings)
