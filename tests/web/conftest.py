"""A newsroom's database for the review page: real clippings stored by the Repository (with
real topic matches, a syndicated copy, an XSS attempt, crawl runs and queued alerts), and the
application over it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from starlette.testclient import TestClient

from presswatch.alerts.matching import ArticleMatcher, topics_of
from presswatch.config import Config, load_config
from presswatch.counts import CrawlCounts
from presswatch.extractors.fingerprint import simhash
from presswatch.ingest import add_clippings
from presswatch.model import Article
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository
from presswatch.web.app import create_app
from tests.conftest import OWN_PASSAGE, TestDatabases
from tests.pages import paragraphs_about
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, WIDE

TOKEN = "a-long-test-token-0123456789"
XSS_TITLE = '<script>alert("title")</script> Harbour <img src=x onerror=alert(1)>'
XSS_TEXT = (
    "The harbour board met again. <script>alert('text')</script> Residents said "
    "<img src=x onerror=\"document.body.dataset.owned='yes'\"> was posted on the notice "
    "board, and the council promised to look into the harbour fees before the spring."
)


@dataclass(frozen=True, slots=True)
class Newsroom:
    config: Config
    repository: Repository
    ids: dict[str, int]  # story name -> clipping id


def _article(slug: str, source: str, title: str, paragraphs: list[str], day: int) -> Article:
    text = "\n\n".join(paragraphs)
    url = f"https://{source}.example/news/{slug}"
    return Article(
        url=url,
        canonical_url=url,
        title=title,
        author="Zoë Müller" if source == "gazette" else None,
        published=datetime(2026, 11, day, 7, 45, tzinfo=UTC),
        language="en",
        site_name=source.title(),
        description=None,
        image=None,
        text=text,
        word_count=len(text.split()),
        fingerprint=simhash(text),
    )


HARBOUR_COPY = ["This story was first published by The Gazette.", *OWN_PASSAGE]
# (story, source, title, paragraphs, day of November 2026); in order of arrival
STORIES: list[tuple[str, str, str, list[str], int]] = [
    ("harbour", "gazette", "Harbour channel to be dredged before spring tides", OWN_PASSAGE, 20),
    ("trams", "gazette", "Tram lines reach the old town", paragraphs_about("the tram lines"), 21),
    ("budget", "ledger", "Budget passes", paragraphs_about("the budget", seed=3), 22),
    ("harbour-copy", "wire", "Wire: harbour channel dredging agreed", HARBOUR_COPY, 23),
    ("xss", "ledger", XSS_TITLE, [XSS_TEXT, *paragraphs_about("harbour fees", seed=9)], 24),
    ("schools", "ledger", "School meals", paragraphs_about("school meals", seed=5), 25),
]


CONFIG = """
[database]
url = "{database_url}"
[[sources]]
name = "gazette"
feeds = ["https://gazette.example/rss.xml"]
every = "30m"
[[sources]]
name = "ledger"
feeds = ["https://ledger.example/rss.xml"]
cron = "0 6 * * *"
[[sources]]
name = "wire"
feeds = ["https://wire.example/rss.xml"]
enabled = false
[[topics]]
name = "harbour"
query = 'harbour OR dredg*'
notify = ["ops"]
[[topics]]
name = "trams"
query = 'tram*'
[[topics]]
name = "budget"
query = '"the budget"'
[channels.ops]
type = "webhook"
url = "{hook_url}"
timeout = 3
"""


def build_newsroom(
    directory: Path, database_url: str, hook_url: str = "http://127.0.0.1:9/hook"
) -> Newsroom:
    path = directory / "presswatch.toml"
    path.write_text(CONFIG.format(database_url=database_url, hook_url=hook_url), encoding="utf-8")
    config = load_config(path)
    repository = Repository(open_database(config.database.url))
    matcher = ArticleMatcher(topics_of(config))
    ids: dict[str, int] = {}
    for slug, source, title, paragraphs, day in STORIES:
        article = _article(slug, source, title, paragraphs, day)
        run_id = repository.start_run(source)
        found = matcher.match(title=title, text=article.text, source=source, url=article.url)
        (result,) = add_clippings(
            repository, repository.source_id(source), run_id, [(article, [article.url], found)]
        )
        assert not isinstance(result, Exception)
        ids[slug] = result.clipping_id
        if source == "wire":
            repository.record_error(run_id, "https://wire.example/broken", "http", "HTTP 500")
        counts = CrawlCounts(fetched=1, stored=1, errors=int(source == "wire"))
        repository.finish_run(run_id, counts, "finished")
    return Newsroom(config, repository, ids)


@pytest.fixture
def newsroom(tmp_path: Path, databases: TestDatabases) -> Iterator[Newsroom]:
    room = build_newsroom(tmp_path, databases.url("web"))
    yield room
    room.repository.engine.dispose()


@pytest.fixture
def client(newsroom: Newsroom) -> Iterator[TestClient]:
    """The review page without a token, as a browser on this machine sees it."""
    app = create_app(newsroom.config, newsroom.repository)
    with TestClient(app, base_url="http://127.0.0.1:8080") as test_client:
        yield test_client


@pytest.fixture
def token_client(newsroom: Newsroom) -> Iterator[TestClient]:
    """The review page started with an access token, on a name other than loopback."""
    app = create_app(newsroom.config, newsroom.repository, token=TOKEN)
    with TestClient(app, base_url="http://newsroom.example:8080") as test_client:
        yield test_client


_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@pytest.fixture
def post_form(client: TestClient) -> Callable[..., object]:
    """post_form(path, **fields): a form POST as the page sends it (same origin, its token)."""

    def post(path: str, **fields: str) -> object:
        token = csrf_of(client.get("/").text)
        return client.post(
            path,
            data={"csrf": token, **fields},
            headers={"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"},
            follow_redirects=False,
        )

    return post


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`./dev test` installs it when run as root; else: sudo apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page of a fresh browser context, 1280 px wide; the test fails when a script of the
    page opened a dialog or threw."""
    context = browser.new_context(viewport=WIDE)
    opened = context.new_page()
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", refuse)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert dialogs == [], f"a script ran: {dialogs}"
    assert errors == []
