"""Real parts for the tests: a loopback site, config files, a database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from presswatch.config import Config, load_config
from presswatch.loopback import LoopbackSite
from presswatch.storage.db import open_database
from presswatch.storage.repository import Repository


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    """An HTTP server on 127.0.0.1 (port 0) that records every request."""
    with LoopbackSite() as server:
        yield server


@pytest.fixture
def write_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    """write_config(toml_text) -> Config, with the database in tmp_path."""

    def _write(body: str, name: str = "presswatch.toml") -> Config:
        path = tmp_path / name
        text = body if "[database]" in body else f'[database]\nurl = "sqlite:///test.db"\n\n{body}'
        path.write_text(text, encoding="utf-8")
        return load_config(path)

    return _write


@pytest.fixture
def repository(tmp_path: Path) -> Iterator[Repository]:
    engine = open_database(f"sqlite:///{tmp_path / 'repo.db'}")
    yield Repository(engine)
    engine.dispose()


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
