"""Corrections tracking on real parts: a loopback site whose pages the tests edit, the crawl's
own extraction, the database under test, and `clippings recheck` through the CLI."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from presswatch.alerts.matching import ArticleMatcher, topics_of
from presswatch.config import Config
from presswatch.corrections import RecheckSummary, recheck
from presswatch.extractors.article import extract_page
from presswatch.extractors.options import ExtractOptions
from presswatch.ingest import add_clipping
from presswatch.loopback import LoopbackSite, Route
from presswatch.model import Article
from presswatch.storage.models import Alert, ClippingRevision
from presswatch.storage.repository import Repository
from presswatch.storage.revisions import RECHECK_AFTER, first_check, next_check
from presswatch.web.app import create_app
from presswatch.word_diff import word_diff
from tests.conftest import OWN_PASSAGE, opened_repository
from tests.pages import OWN_PASSAGE_TITLE, article_page, paragraphs_about

TOPICS = """
[[sources]]
name = "gazette"
start_urls = ["{base}/"]

[[topics]]
name = "harbour"
query = "harbour AND dredg*"
{harbour_notify}
on_update = true

[[topics]]
name = "council"
query = "council"
{council_notify}
"""

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fetched_h_ago", "first_due_h", "after_check_h"),
    [
        (0.0, 1, 6),  # just clipped: first after 1 h; a check then is followed by the 6 h one
        (2.0, 1, 6),  # the 1 h check was missed: due now, then the 6 h one
        (30.0, 24, 72),  # 1 h, 6 h and 24 h missed: one check now, then the 72 h one
    ],
)
def test_schedule_steps(fetched_h_ago: float, first_due_h: int, after_check_h: int) -> None:
    now = T0
    fetched = now - timedelta(hours=fetched_h_ago)
    assert first_check(fetched, now) == fetched + timedelta(hours=first_due_h)
    checked_at = max(now, fetched + timedelta(hours=first_due_h))
    assert next_check(fetched, checked_at) == fetched + timedelta(hours=after_check_h)


def test_the_schedule_ends_after_the_72_hour_check() -> None:
    assert [step.total_seconds() / 3600 for step in RECHECK_AFTER] == [1, 6, 24, 72]
    assert next_check(T0, T0 + timedelta(hours=72)) is None
    assert next_check(T0, T0 + timedelta(hours=24)) == T0 + timedelta(hours=72)


@pytest.mark.parametrize(
    ("old", "new", "diff"),
    [
        (
            "the council voted 12 to 3",
            "the council voted 14 to 3",
            "the council voted [-12-] {+14+} to 3",
        ),
        ("a b c", "a  b\n\nc", ""),  # only whitespace and paragraph breaks: no change
        ("one two", "one two three", "one two {+three+}"),
        ("one two three", "one three", "one [-two-] three"),
        (
            " ".join(f"w{i}" for i in range(40)),
            " ".join(f"w{i}" for i in range(40)).replace("w20", "X"),
            "… "
            + " ".join(f"w{i}" for i in range(12, 20))
            + " [-w20-] {+X+} "
            + " ".join(f"w{i}" for i in range(21, 29))
            + " …",
        ),
    ],
)
def test_word_diff(old: str, new: str, diff: str) -> None:
    assert word_diff(old, new) == diff


def test_word_diff_is_bounded() -> None:
    old = " ".join(f"w{i}" for i in range(5000))
    new = " ".join(f"x{i}" if i % 50 == 0 else f"w{i}" for i in range(5000))
    diff = word_diff(old, new, max_chars=1000)
    assert len(diff) <= 1100
    assert diff.endswith("more changes not shown)")
    replaced = word_diff("a " * 500, "b " * 500)
    assert "(440 words)" in replaced  # one long change keeps its ends


# --- re-checks on a loopback site -----------------------------------------------------------

PAGE = "/news/harbour.html"


@dataclass
class Newsroom:
    """A loopback site with one article, the config and database it is clipped into."""

    site: LoopbackSite
    config: Config
    repository: Repository
    clipping_id: int = 0

    def publish(self, title: str, paragraphs: list[str], path: str = PAGE) -> None:
        self.site.add_html(path, article_page(title, paragraphs))

    def clip(self, path: str = PAGE) -> int:
        """Extract the page as the crawl does and store it with its topic matches."""
        url = self.site.url(path)
        body = self.site.routes[path]
        assert isinstance(body, Route)
        options = ExtractOptions.of(self.config.extract, self.config.sources[0])
        article = extract_page(body.body, url, "text/html; charset=utf-8", options).outcome
        assert isinstance(article, Article)
        matches = ArticleMatcher(topics_of(self.config)).match(
            title=article.title, text=article.text, source="gazette", url=article.canonical_url
        )
        source_id = self.repository.source_id("gazette")
        added = add_clipping(self.repository, source_id, None, article, [url], matches)
        self.clipping_id = added.clipping_id
        return added.clipping_id

    def fetched(self) -> datetime:
        record = self.repository.get_clipping(self.clipping_id)
        assert record is not None
        return record.fetched

    def recheck(self, hours: float = 0.0, *, every: bool = False) -> dict[str, int]:
        now = self.fetched() + timedelta(hours=hours, seconds=1)
        return recheck(self.repository, self.config, now=now, every=every).as_dict()

    def alerts(self, event: str = "update") -> list[tuple[str, str]]:
        with self.repository.engine.connect() as connection:
            return sorted(
                connection.execute(
                    select(Alert.topic, Alert.channel).where(Alert.event == event)
                ).all()
            )


@contextlib.contextmanager
def opened_newsroom(
    write_config: Callable[[str], Config], site: LoopbackSite, channels: str
) -> Iterator[Newsroom]:
    """ "harbour" (on_update) notifies every channel of `channels`, "council" the first."""
    names = re.findall(r"^\[channels\.(\w+)\]", channels, flags=re.M)
    config = write_config(
        TOPICS.format(
            base=site.base_url,
            harbour_notify=f"notify = {json.dumps(names)}",
            council_notify=f"notify = {json.dumps(names[:1])}",
        )
        + channels
    )
    with opened_repository(config.database.url) as repository:
        room = Newsroom(site, config, repository)
        room.publish(OWN_PASSAGE_TITLE, OWN_PASSAGE)
        room.clip()
        yield room


@pytest.fixture
def newsroom(write_config: Callable[[str], Config], site: LoopbackSite) -> Iterator[Newsroom]:
    dead = '\n[channels.hook]\ntype = "webhook"\nurl = "http://127.0.0.1:9/hook"\n'
    with opened_newsroom(write_config, site, dead) as room:
        yield room


def counts(
    checked: int = 0,
    unchanged: int = 0,
    changed: int = 0,
    removed: int = 0,
    errors: int = 0,
    updates: int = 0,
    robots: int = 0,
) -> dict[str, int]:
    return {"checked": checked, "unchanged": unchanged, "changed": changed,
            "removed": removed, "errors": errors, "updates": updates,
            "robots": robots}  # fmt: skip


def test_nothing_is_due_before_the_first_step(newsroom: Newsroom) -> None:
    assert newsroom.recheck(hours=0.5) == counts()
    assert newsroom.site.hits_for(PAGE) == []
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert tracking.next_check_at == newsroom.fetched() + timedelta(hours=1)


def test_an_unchanged_page_is_asked_for_conditionally_and_304_stores_nothing(
    newsroom: Newsroom,
) -> None:
    assert newsroom.recheck(hours=1) == counts(checked=1, unchanged=1)
    assert newsroom.recheck(hours=6) == counts(checked=1, unchanged=1)
    first, second = newsroom.site.hits_for(PAGE)
    assert "If-None-Match" not in first.headers  # the crawl kept no validators
    assert second.headers["If-None-Match"]  # the first re-check's ETag
    assert second.status == 304
    assert newsroom.repository.revisions.revisions(newsroom.clipping_id) == []
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert (tracking.checks, tracking.status, tracking.last_error) == (2, "live", None)
    assert tracking.next_check_at == newsroom.fetched() + timedelta(hours=24)


def test_a_retitled_page_gives_one_revision_and_one_update_alert_for_the_opted_in_topic(
    newsroom: Newsroom,
) -> None:
    retitled = "Harbour dredging delayed until autumn"
    edited = [OWN_PASSAGE[0].replace("Tuesday", "Wednesday"), *OWN_PASSAGE[1:]]
    newsroom.publish(retitled, edited)
    assert newsroom.recheck(hours=1) == counts(checked=1, changed=1, updates=1)
    (revision,) = newsroom.repository.revisions.revisions(newsroom.clipping_id)
    assert (revision.old_title, revision.new_title) == (OWN_PASSAGE_TITLE, retitled)
    assert revision.text_diff is not None
    assert "[-Tuesday-] {+Wednesday,+}" in revision.text_diff or (
        "[-Tuesday-] {+Wednesday+}" in revision.text_diff
    )
    record = newsroom.repository.get_clipping(newsroom.clipping_id)
    assert record is not None
    assert record.title == retitled
    assert "Wednesday" in record.text
    # the full-text index follows the clipping
    assert [r.id for r in newsroom.repository.search('title:"delayed until autumn"')] == [
        newsroom.clipping_id
    ]
    assert newsroom.repository.search('title:"spring tides"') == []
    # "harbour" opted in; "council" matched the same clipping but did not
    assert {"harbour", "council"} <= set(record.topics)
    assert newsroom.alerts() == [("harbour", "hook")]
    # the clipping's page lists the update beside the alerts that carried it; the alerts
    # page counts the one clipping it tells of
    listed = newsroom.repository.clipping_alerts(newsroom.clipping_id)
    (update,) = [a for a in listed if a.event == "update"]
    assert (update.topic, update.channel) == ("harbour", "hook")
    assert {a.event for a in listed} == {"alert", "update"}
    assert newsroom.repository.alert_sizes([a.id for a in listed])[update.id] == 1
    # the same page again: nothing new, and no alert repeated
    assert newsroom.recheck(hours=6) == counts(checked=1, unchanged=1)
    assert newsroom.recheck(hours=7, every=True) == counts(checked=1, unchanged=1)
    assert newsroom.alerts() == [("harbour", "hook")]
    assert len(newsroom.repository.revisions.revisions(newsroom.clipping_id)) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_a_page_that_is_gone_is_marked_removed_and_kept(newsroom: Newsroom, status: int) -> None:
    newsroom.site.add(PAGE, Route(b"gone", status=status, conditional=False))
    # "harbour" (on_update) hears of the removal on its channel; "council" does not
    assert newsroom.recheck(hours=1) == counts(checked=1, removed=1, updates=1)
    assert newsroom.alerts() == [("harbour", "hook")]
    assert newsroom.repository.revisions.revisions(newsroom.clipping_id) == []  # not a change
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert tracking.status == "removed"
    assert tracking.removed_at == newsroom.fetched() + timedelta(hours=1, seconds=1)
    assert tracking.next_check_at is None
    assert newsroom.repository.get_clipping(newsroom.clipping_id) is not None
    assert newsroom.recheck(hours=6, every=True) == counts()  # never asked for again
    assert len(newsroom.site.hits_for(PAGE)) == 1
    assert newsroom.alerts() == [("harbour", "hook")]  # told once


def test_server_errors_and_dead_hosts_are_counted_and_tried_at_the_next_step(
    newsroom: Newsroom,
) -> None:
    page = newsroom.site.routes[PAGE]
    newsroom.site.add(PAGE, Route(b"oops", status=500, conditional=False))
    assert newsroom.recheck(hours=1) == counts(checked=1, errors=1)
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert (tracking.status, tracking.errors, tracking.last_error) == (
        "live",
        1,
        "the server answered 500",
    )
    assert tracking.next_check_at == newsroom.fetched() + timedelta(hours=6)
    assert newsroom.recheck(hours=2) == counts()  # not before the next step
    newsroom.site.stop()  # the host is dead now
    assert newsroom.recheck(hours=6) == counts(checked=1, errors=1)
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert tracking.errors == 2
    assert tracking.last_error is not None
    assert "cannot fetch" in tracking.last_error
    with LoopbackSite(port=int(newsroom.site.base_url.rsplit(":", 1)[1])) as back:
        back.add(PAGE, page)
        assert newsroom.recheck(hours=24) == counts(checked=1, unchanged=1)


def test_a_page_that_no_longer_extracts_is_not_a_change(newsroom: Newsroom) -> None:
    newsroom.site.add_html(PAGE, "<html><body><p>Subscribe to read.</p></body></html>")
    assert newsroom.recheck(hours=1) == counts(checked=1, errors=1)
    assert newsroom.repository.revisions.revisions(newsroom.clipping_id) == []
    record = newsroom.repository.get_clipping(newsroom.clipping_id)
    assert record is not None
    assert record.title == OWN_PASSAGE_TITLE
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert tracking.last_error is not None
    assert tracking.last_error.startswith("not extracted")


NO_NEWS = b"User-agent: *\nDisallow: /news/\n"


def test_a_page_robots_txt_now_forbids_is_not_fetched_and_asked_about_at_the_next_step(
    newsroom: Newsroom,
) -> None:
    robots = {"Content-Type": "text/plain"}
    newsroom.publish("Council budget passes", paragraphs_about("council budget"), "/news/b.html")
    other = newsroom.clip("/news/b.html")  # a second clipping on the same host
    newsroom.site.add("/robots.txt", Route(NO_NEWS, headers=robots, conditional=False))
    assert newsroom.recheck(hours=1) == counts(robots=2)
    assert newsroom.site.hits_for(PAGE) == []
    assert newsroom.site.hits_for("/news/b.html") == []
    assert len(newsroom.site.hits_for("/robots.txt")) == 1  # read once a pass per host
    for clipping_id in (newsroom.clipping_id, other):
        tracking = newsroom.repository.revisions.tracking(clipping_id)
        assert tracking is not None
        assert (tracking.status, tracking.last_error) == ("live", "forbidden by robots.txt")
        assert tracking.next_check_at == newsroom.fetched() + timedelta(hours=6)
    # another user agent's rule is not ours; the next step fetches the page again
    only_other = b"User-agent: otherbot\nDisallow: /\n"
    newsroom.site.add("/robots.txt", Route(only_other, headers=robots, conditional=False))
    assert newsroom.recheck(hours=6) == counts(checked=2, unchanged=2)
    assert len(newsroom.site.hits_for(PAGE)) == 1


def test_a_robots_txt_that_answers_500_allows_the_re_check(newsroom: Newsroom) -> None:
    newsroom.site.add("/robots.txt", Route(b"oops", status=500, conditional=False))
    assert newsroom.recheck(hours=1) == counts(checked=1, unchanged=1)
    assert len(newsroom.site.hits_for(PAGE)) == 1


def test_a_dead_host_s_robots_txt_is_not_a_refusal(newsroom: Newsroom) -> None:
    # the host does not answer at all: robots.txt unread, the page's own fetch fails as before
    newsroom.site.stop()
    assert newsroom.recheck(hours=1) == counts(checked=1, errors=1)
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert tracking.last_error is not None
    assert "cannot fetch" in tracking.last_error


def test_obey_robots_false_re_checks_what_robots_txt_forbids(newsroom: Newsroom) -> None:
    newsroom.site.add("/robots.txt", Route(NO_NEWS, conditional=False))
    crawl = newsroom.config.crawl.model_copy(update={"obey_robots": False})
    newsroom.config = newsroom.config.model_copy(update={"crawl": crawl})
    assert newsroom.recheck(hours=1) == counts(checked=1, unchanged=1)
    assert newsroom.site.hits_for("/robots.txt") == []


def test_the_summary_line_names_robots_refusals() -> None:
    summary = RecheckSummary(checked=1, unchanged=1, robots=2)
    assert str(summary) == (
        "re-checked 1 clipping(s): 1 unchanged, 0 changed, 0 removed, 0 error(s);"
        " 2 forbidden by robots.txt"
    )


def test_a_clipping_no_topic_matched_is_not_tracked(newsroom: Newsroom) -> None:
    newsroom.publish("Bake sale raises funds", paragraphs_about("bake sale"), "/news/bake.html")
    other = newsroom.clip("/news/bake.html")
    assert newsroom.recheck(hours=1, every=True)["checked"] == 1
    assert newsroom.repository.revisions.tracking(other) is None
    assert newsroom.site.hits_for("/news/bake.html") == []


def presswatch(config: Config, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "presswatch", "--config", str(config.path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_recheck_command_prints_a_summary(newsroom: Newsroom) -> None:
    due = presswatch(newsroom.config, "clippings", "recheck")
    assert due.returncode == 0, due.stderr
    assert due.stdout.strip() == (
        "re-checked 0 clipping(s): 0 unchanged, 0 changed, 0 removed, 0 error(s)"
    )
    every = presswatch(newsroom.config, "clippings", "recheck", "--all", "--format", "json")
    assert every.returncode == 0, every.stderr
    assert json.loads(every.stdout) == counts(checked=1, unchanged=1)


def test_concurrent_checkers_store_a_check_once(newsroom: Newsroom) -> None:
    now = newsroom.fetched() + timedelta(hours=1, seconds=1)
    store = newsroom.repository.revisions
    store.track_matched(now)
    (page,) = store.due_pages(now, 10)
    assert store.record_error(page, now, 500, "the server answered 500")
    assert not store.record_error(page, now, 500, "the server answered 500")  # read before
    tracking = newsroom.repository.revisions.tracking(newsroom.clipping_id)
    assert tracking is not None
    assert (tracking.checks, tracking.errors) == (1, 1)


def test_a_removal_no_topic_opted_into_sends_nothing_and_keeps_no_revision(
    newsroom: Newsroom,
) -> None:
    newsroom.config = newsroom.config.model_copy(
        update={"topics": tuple(t.model_copy(update={"on_update": False})
                                for t in newsroom.config.topics)}
    )  # fmt: skip
    newsroom.site.add(PAGE, Route(b"gone", status=410, conditional=False))
    assert newsroom.recheck(hours=1) == counts(checked=1, removed=1)
    assert newsroom.alerts() == []
    with newsroom.repository.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ClippingRevision)) == 0


def test_a_topic_without_on_update_hears_nothing(newsroom: Newsroom) -> None:
    newsroom.publish("Council approves the harbour dredging", OWN_PASSAGE)
    newsroom.config = newsroom.config.model_copy(
        update={"topics": tuple(t.model_copy(update={"on_update": False})
                                for t in newsroom.config.topics)}
    )  # fmt: skip
    assert newsroom.recheck(hours=1) == counts(checked=1, changed=1)
    assert newsroom.alerts() == []


def test_show_and_the_web_page_list_revisions_and_removal(newsroom: Newsroom) -> None:
    newsroom.publish("Harbour dredging delayed <i>again</i>", OWN_PASSAGE)
    assert newsroom.recheck(hours=1)["changed"] == 1
    newsroom.site.add(PAGE, Route(b"gone", status=410, conditional=False))
    assert newsroom.recheck(hours=6)["removed"] == 1

    shown = presswatch(newsroom.config, "clippings", "show", str(newsroom.clipping_id))
    assert shown.returncode == 0, shown.stderr
    assert "removed since" in shown.stdout
    assert f"headline: {OWN_PASSAGE_TITLE}" in shown.stdout
    assert "now: Harbour dredging delayed <i>again</i>" in shown.stdout
    as_json = presswatch(
        newsroom.config, "clippings", "show", str(newsroom.clipping_id), "--format", "json"
    )
    data = json.loads(as_json.stdout)
    (revision,) = data["revisions"]
    assert revision["title"] == [OWN_PASSAGE_TITLE, "Harbour dredging delayed <i>again</i>"]
    assert revision["text_diff"] is None  # only the headline changed
    assert data["removed_at"] == (newsroom.fetched() + timedelta(hours=6, seconds=1)).isoformat()

    app = create_app(newsroom.config, newsroom.repository)
    with TestClient(app, base_url="http://127.0.0.1:8080") as client:
        page = client.get(f"/clippings/{newsroom.clipping_id}").text
    assert "Removed since" in page
    assert "<h2>Revisions</h2>" in page
    assert f"<del>{OWN_PASSAGE_TITLE}</del>" in page
    assert "<ins>Harbour dredging delayed &lt;i&gt;again&lt;/i&gt;</ins>" in page
    assert 'harbour <span class="muted">(updated)</span>' in page  # the update alert listed
    assert 'harbour <span class="muted">(removed)</span>' in page  # and the removal's
