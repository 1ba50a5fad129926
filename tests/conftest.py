"""Real parts for the tests: a loopback site, config files, a database.

Every test database is on the backend named by PRESSWATCH_TEST_DATABASE: `sqlite` (the
default: a file in the test's directory) or `postgresql` (a fresh database on the server at
127.0.0.1:5432 as user postgres, or on the server of a URL given instead, such as
`postgresql+psycopg://me@db.example:5433`), dropped when the test is done.
`./dev test` runs the suite on both.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url

from presswatch.config import Config, load_config
from presswatch.loopback import LoopbackSite, allow_loopback
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """An HTTP server on 127.0.0.1 (port 0) that records every request."""
    with LoopbackSite() as server:
        yield server


_BACKEND = os.environ.get("PRESSWATCH_TEST_DATABASE", "sqlite")
_PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
IS_POSTGRESQL = _BACKEND.startswith("postgresql")
if _BACKEND != "sqlite" and not IS_POSTGRESQL:
    raise pytest.UsageError(
        f"PRESSWATCH_TEST_DATABASE={_BACKEND!r}: use sqlite, postgresql or a postgresql URL"
    )

sqlite_only = pytest.mark.skipif(IS_POSTGRESQL, reason="SQLite internals (run on SQLite)")
postgresql_only = pytest.mark.skipif(not IS_POSTGRESQL, reason="PostgreSQL internals")


class TestDatabases:
    """Fresh, empty databases on the backend under test; `drop()` removes them."""

    __test__ = False  # not a test class

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._server = make_url(_BACKEND if "://" in _BACKEND else _PG_SERVER)
        self._made: list[str] = []

    def url(self, name: str = "test") -> str:
        """The URL of a new database (on SQLite: `name`.db in the directory)."""
        if not IS_POSTGRESQL:
            return f"sqlite:///{self.directory / name}.db"
        database = f"pw_test_{name}_{uuid.uuid4().hex[:12]}".lower()
        with self._admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        self._made.append(database)
        url = self._server.set(database=database)
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        if not self._made:
            return
        with self._admin() as admin:
            for database in self._made:
                # a server a test started may still be closing its connections
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(database)
                    )
                )
        self._made.clear()

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        server = self._server
        return psycopg.connect(
            host=server.host,
            port=server.port,
            user=server.username,
            password=server.password,
            dbname="postgres",
            autocommit=True,
        )


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[TestDatabases]:
    """Fresh databases for one test: `databases.url()`."""
    made = TestDatabases(tmp_path)
    yield made
    made.drop()


@pytest.fixture(scope="module")
def module_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """Fresh databases shared by the tests of a module."""
    made = TestDatabases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop()


def database_toml(url: str) -> str:
    """The [database] table of a config file for `url`."""
    return f'[database]\nurl = "{url}"\n'


@pytest.fixture
def write_config(tmp_path: Path, databases: TestDatabases):  # type: ignore[no-untyped-def]
    """write_config(toml_text) -> Config, with a fresh database unless the text names one."""

    def _write(body: str, name: str = "presswatch.toml") -> Config:
        path = tmp_path / name
        text = body if "[database]" in body else f"{database_toml(databases.url())}\n{body}"
        path.write_text(allow_loopback(text), encoding="utf-8")
        return load_config(path)

    return _write


@contextlib.contextmanager
def opened_repository(url: str) -> Iterator[Repository]:
    """A Repository on `url` whose connections are closed afterwards."""
    engine = open_database(url)
    try:
        yield Repository(engine)
    finally:
        engine.dispose()


@pytest.fixture
def repository(databases: TestDatabases) -> Iterator[Repository]:
    with opened_repository(databases.url("repo")) as opened:
        yield opened


def seed_article_paragraphs() -> list[str]:
    """The body paragraphs of ../shared/seed-article.txt when present, else our own text."""
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"
    if seed.is_file():
        lines = seed.read_text(encoding="utf-8").splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("Published:")) + 1
        end = next(i for i, line in enumerate(lines) if i > start and line.strip() == "Share:")
        return [line.strip() for line in lines[start:end] if line.strip()]
    return OWN_PASSAGE


OWN_PASSAGE = [
    "The harbour board voted on Tuesday to dredge the northern channel before the spring "
    "tides, ending a two-year dispute over who should pay for the work.",
    "Under the agreement, the port will cover two thirds of the cost and the regional council "
    "the rest, with a review after the first season of dredging.",
    "“We have waited long enough,” said the board’s chair, Zoë Müller. “Ships are already "
    "turning away because the channel is too shallow at low water.”",
    "Fishing crews welcomed the decision but warned that silt dumped offshore could harm the "
    "shellfish beds that many families in the town depend on.",
    "The council will publish the environmental survey next month, and residents will have "
    "six weeks to comment before the first dredger arrives.",
]


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds it took for `condition` to hold; AssertionError naming `what` after timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")
